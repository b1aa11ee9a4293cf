package forecast

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestErrorsByHand(t *testing.T) {
	// |110−100|/100 = 10%, |50−0| skipped for MAPE; sMAPE: 2·10/210, 2·50/50.
	mape, smape, zeros := Errors([]float64{100, 0}, []float64{110, 50})
	if zeros != 1 || math.Abs(mape-10) > 1e-12 || math.Abs(smape-100*(20.0/210+2)/2) > 1e-12 {
		t.Fatalf("mape %v smape %v zeros %d", mape, smape, zeros)
	}
	if m, _, _ := Errors([]float64{0}, []float64{1}); !math.IsNaN(m) {
		t.Fatalf("MAPE of only zeros: %v, want NaN", m)
	}
}

// Simple smoothing by hand: l₋₁ = 10, α = 0.5 on 12, 8: forecasts 10,
// 11, then 9.5 onwards.
func TestSimpleByHand(t *testing.T) {
	y := []float64{12, 8, 10, 10, 10, 10}
	m, err := Evaluate(y, Spec{}, Params{Alpha: 0.5, Level: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{10, 11, 9.5, 9.75, 9.875, 9.9375}
	for i, w := range want {
		if math.Abs(m.Fitted[i]-w) > 1e-12 {
			t.Fatalf("fitted %v, want %v", m.Fitted, want)
		}
	}
	fc := m.Predict(3, 0.95)
	// ANN: variance σ²(1+α²(h−1)).
	for i, f := range fc {
		if math.Abs(f.Mean-9.96875) > 1e-12 || math.Abs(f.SD*f.SD-m.Sigma2*(1+0.25*float64(i))) > 1e-9 {
			t.Fatalf("step %d: %+v (σ² %v)", i+1, f, m.Sigma2)
		}
	}
}

func TestChooseCO2(t *testing.T) {
	f := loadFixture(t)
	s := f.Series[1]
	c, err := Choose(context.Background(), s.Y, 12, nil)
	if err != nil {
		t.Fatal(err)
	}
	// statsmodels' smallest AICc is AAA (fixture); ours must pick it too.
	bestSM, bestName := math.Inf(1), ""
	for _, m := range s.Models {
		if m.AICc < bestSM {
			bestSM, bestName = m.AICc, m.Name
		}
	}
	if c.Best.Spec.Name() != bestName || len(c.Candidates) != 9 || len(c.Notes) != 0 {
		t.Fatalf("chose %s among %d (notes %v); statsmodels' best is %s", c.Best.Spec.Name(), len(c.Candidates), c.Notes, bestName)
	}
	if c.Best.AICc > bestSM+0.02 {
		t.Fatalf("AICc %v, statsmodels %v", c.Best.AICc, bestSM)
	}
	b, err := RunBacktest(s.Y, c.Best.Spec, 12)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backtest %s: MAPE %.3f%% sMAPE %.3f%%; seasonal naive %.3f%% %.3f%%", b.Model, b.MAPE, b.SMAPE, b.NaiveMAPE, b.NaiveSMAPE)
	if b.Holdout != 12 || !(b.MAPE < b.NaiveMAPE) || !(b.SMAPE < b.NaiveSMAPE) || math.Abs(b.MAPE-0.09) > 0.005 || math.Abs(b.NaiveMAPE-0.40) > 0.005 {
		t.Fatalf("backtest %+v: the model should beat the seasonal naive forecast on CO₂", b)
	}
}

// A year of months cannot show a yearly season: the models without one
// are still fitted, and the note says what seasonality needs.
func TestTooShortForSeason(t *testing.T) {
	y := []float64{5, 7, 9, 6, 8, 10, 7, 9, 11, 8, 10, 12, 9}
	c, err := Choose(context.Background(), y, 12, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0].String(), "at least 24 values (two full seasons), and the series has 13") {
		t.Fatalf("notes %v", c.Notes)
	}
	for _, cand := range c.Candidates {
		if strings.HasSuffix(cand.Name, "A") || strings.HasSuffix(cand.Name, "M") {
			t.Fatalf("seasonal candidate %s on 13 values", cand.Name)
		}
	}
	_, err = Fit(y, Spec{Season: AddSeason, Period: 12})
	if err == nil || !strings.Contains(err.Error(), "needs at least 24 values (two full seasons); the series has 13") {
		t.Fatalf("err %v", err)
	}
	if _, err := Choose(context.Background(), []float64{1, 2}, 0, nil); err == nil || !strings.Contains(err.Error(), "needs at least") {
		t.Fatalf("two values: %v", err)
	}
}

func TestBadSeries(t *testing.T) {
	for name, c := range map[string]struct {
		y    []float64
		s    Spec
		want string
	}{
		"nan":      {[]float64{1, 2, math.NaN(), 4, 5, 6, 7}, Spec{}, "not a number"},
		"constant": {[]float64{3, 3, 3, 3, 3, 3, 3}, Spec{}, "nothing to model"},
		"zero mul": {append(make([]float64, 1), seq(30)...), Spec{MulError: true, Season: MulSeason, Period: 4}, "above zero"},
		"damped":   {seq(30), Spec{Damped: true}, "needs a trend"},
	} {
		if _, err := Fit(c.y, c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// An objective the optimiser cannot evaluate is reported as not
// converged, and Fit then keeps nothing.
func TestNoConvergence(t *testing.T) {
	nan := func([]float64) float64 { return math.NaN() }
	if _, _, ok := minimise(nan, []float64{0, 0}); ok {
		t.Fatal("NaN objective reported as converged")
	}
	if _, _, ok := polish(nan, []float64{0, 0}); ok {
		t.Fatal("NaN objective reported as converged")
	}
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i%4+1) * (10 + float64(i))
	}
	return out
}

func TestChooseCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Choose(ctx, seq(30), 4, nil); err != context.Canceled {
		t.Fatalf("cancelled: %v", err)
	}
	var steps []int
	if _, err := Choose(context.Background(), seq(30), 4, func(i, n int) { steps = append(steps, i*10+n) }); err != nil || len(steps) != 8 || steps[7] != 89 {
		t.Fatalf("progress %v, %v", steps, err)
	}
}
