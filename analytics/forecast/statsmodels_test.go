package forecast

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// fixture is testdata/statsmodels.json, written by testdata/gen.py with
// statsmodels' ETSModel.
type fixture struct {
	Version string `json:"statsmodels"`
	Horizon int    `json:"horizon"`
	Series  []struct {
		Name   string    `json:"name"`
		Y      []float64 `json:"y"`
		Period int       `json:"period"`
		Models []struct {
			Name     string  `json:"name"`
			Error    string  `json:"error"`
			Trend    string  `json:"trend"`
			Damped   bool    `json:"damped"`
			Seasonal string  `json:"seasonal"`
			Period   int     `json:"period"`
			Params   Params  `json:"params"`
			LLF      float64 `json:"llf"`
			AIC      float64 `json:"aic"`
			AICc     float64 `json:"aicc"`
			MSE      float64 `json:"mse"`
			Fitted   []float64
			Forecast struct {
				Method             string
				Mean, Lower, Upper []float64
			}
		} `json:"models"`
	} `json:"series"`
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/statsmodels.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Series) < 2 {
		t.Fatal("fixture has too few series")
	}
	return f
}

func specOf(err, trend string, damped bool, seasonal string, period int) Spec {
	s := Spec{MulError: err == "mul", Trend: trend == "add", Damped: damped, Period: period}
	switch seasonal {
	case "add":
		s.Season = AddSeason
	case "mul":
		s.Season = MulSeason
	}
	return s
}

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*max(1, math.Abs(b)) }

// At statsmodels' own estimates, our recursion, likelihood, AIC, AICc and
// exact intervals must agree with it to rounding: these are definitions,
// not estimates.
func TestStatsmodelsDefinitions(t *testing.T) {
	f := loadFixture(t)
	for _, s := range f.Series {
		for _, m := range s.Models {
			spec := specOf(m.Error, m.Trend, m.Damped, m.Seasonal, m.Period)
			if spec.Name() != m.Name {
				t.Fatalf("spec %s for %s", spec.Name(), m.Name)
			}
			got, err := Evaluate(s.Y, spec, m.Params)
			if err != nil {
				t.Fatalf("%s %s: %v", s.Name, m.Name, err)
			}
			if !near(got.LogLik, m.LLF, 1e-7) || !near(got.AIC, m.AIC, 1e-7) || !near(got.AICc, m.AICc, 1e-7) || math.Abs(got.Sigma2-m.MSE) > 1e-7*m.MSE {
				t.Errorf("%s %s: loglik %.6f aic %.6f aicc %.6f mse %.6g; statsmodels %.6f %.6f %.6f %.6g", s.Name, m.Name,
					got.LogLik, got.AIC, got.AICc, got.Sigma2, m.LLF, m.AIC, m.AICc, m.MSE)
			}
			for i, v := range m.Fitted {
				if !near(got.Fitted[i], v, 1e-9) {
					t.Fatalf("%s %s: fitted[%d] %v, statsmodels %v", s.Name, m.Name, i, got.Fitted[i], v)
				}
			}
			fc := got.Predict(f.Horizon, 0.95)
			for i := range fc {
				if !near(fc[i].Mean, m.Forecast.Mean[i], 1e-9) {
					t.Fatalf("%s %s: mean[%d] %v, statsmodels %v", s.Name, m.Name, i, fc[i].Mean, m.Forecast.Mean[i])
				}
				width := m.Forecast.Upper[i] - m.Forecast.Lower[i]
				tol := 1e-9 // exact intervals: the same formula
				if m.Forecast.Method == "simulated" {
					tol = 0.05 // two simulations of 5000 and 10000 paths
				}
				if math.Abs(fc[i].Lower-m.Forecast.Lower[i]) > tol*width || math.Abs(fc[i].Upper-m.Forecast.Upper[i]) > tol*width {
					t.Errorf("%s %s step %d: interval [%.4f, %.4f], statsmodels (%s) [%.4f, %.4f]", s.Name, m.Name, i+1,
						fc[i].Lower, fc[i].Upper, m.Forecast.Method, m.Forecast.Lower[i], m.Forecast.Upper[i])
				}
				if (m.Forecast.Method == "simulated") != fc[i].Simulated {
					t.Errorf("%s %s: simulated %v, statsmodels %s", s.Name, m.Name, fc[i].Simulated, m.Forecast.Method)
				}
			}
		}
	}
}

// Our own estimates: the optimum is judged by its objective. Ours must be
// at least as good as statsmodels' less 0.01 log-likelihood units (two
// optimisers on a flat surface); where both reach the same optimum the
// forecasts agree within 0.5%.
func TestStatsmodelsFits(t *testing.T) {
	f := loadFixture(t)
	for _, s := range f.Series {
		for _, m := range s.Models {
			spec := specOf(m.Error, m.Trend, m.Damped, m.Seasonal, m.Period)
			got, err := Fit(s.Y, spec)
			if err != nil {
				t.Fatalf("%s %s: %v", s.Name, m.Name, err)
			}
			d := got.LogLik - m.LLF
			t.Logf("%s %-4s loglik %.4f (statsmodels %.4f, %+.4f) α %.4f (%.4f) β %.4f (%.4f) γ %.4f (%.4f) φ %.4f (%.4f)", s.Name, m.Name,
				got.LogLik, m.LLF, d, got.Params.Alpha, m.Params.Alpha, got.Params.Beta, m.Params.Beta, got.Params.Gamma, m.Params.Gamma, got.Params.Phi, m.Params.Phi)
			if d < -0.01 {
				t.Errorf("%s %s: our optimum %.4f is worse than statsmodels' %.4f", s.Name, m.Name, got.LogLik, m.LLF)
			}
			if math.Abs(d) < 0.01 {
				fc := got.Predict(f.Horizon, 0.95)
				for i := range fc {
					if !near(fc[i].Mean, m.Forecast.Mean[i], 0.005) {
						t.Errorf("%s %s: same optimum but mean[%d] %.4f, statsmodels %.4f", s.Name, m.Name, i, fc[i].Mean, m.Forecast.Mean[i])
					}
				}
			}
		}
	}
}
