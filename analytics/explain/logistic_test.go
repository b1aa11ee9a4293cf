package explain

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/logistic"
)

// logisticFixture is one of the shared logistic fixtures of analytics/testdata.
type logisticFixture struct {
	X       [][]float64
	Y       []float64
	C       float64
	Optimum struct {
		Coef      []float64
		Intercept float64
	}
}

// explainTable is one table of testdata/logistic_explain.json
// (gen_fixtures.py); per-term slices put the intercept first.
type explainTable struct {
	SE, Z, P, Lo, Hi, Odds, Std []float64
	OddsLo                      []float64 `json:"odds_lo"`
	OddsHi                      []float64 `json:"odds_hi"`
	StdCoef                     []float64 `json:"std_coef"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func toDense(rows [][]float64) *mat.Dense {
	X := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		X.SetRow(i, r)
	}
	return X
}

// TestLogisticFixtures compares the whole table with numpy's at the
// converged optimum: Telco (C=1, unit weights) and a synthetic set with
// balanced class weights (C=0.5).
func TestLogisticFixtures(t *testing.T) {
	var want struct{ Telco, Balanced explainTable }
	readJSON(t, "testdata/logistic_explain.json", &want)
	for _, tc := range []struct {
		file string
		opt  logistic.Options
		want explainTable
	}{
		{"logistic_telco.json", logistic.Options{}, want.Telco},
		{"logistic_balanced.json", logistic.Options{Balanced: true}, want.Balanced},
	} {
		var fx logisticFixture
		readJSON(t, "../testdata/"+tc.file, &fx)
		tc.opt.C = fx.C
		m := &logistic.Model{Intercept: fx.Optimum.Intercept, Coef: fx.Optimum.Coef}
		rep, err := Logistic(m, toDense(fx.X), fx.Y, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Penalized {
			t.Errorf("%s: penalised fit not reported as such", tc.file)
		}
		worst := 0.0
		terms := append([]Term{rep.Intercept}, rep.Coef...)
		for i, tm := range terms {
			check := func(name string, got, want float64) {
				t.Helper()
				// Relative for large numbers, absolute near 0 (p-values).
				d := math.Abs(got-want) / max(1, math.Abs(want))
				worst = max(worst, d)
				if d > 1e-6 {
					t.Errorf("%s term %d %s = %.12g, want %.12g", tc.file, i, name, got, want)
				}
			}
			w := tc.want
			check("se", tm.SE, w.SE[i])
			check("z", tm.Z, w.Z[i])
			check("p", tm.P, w.P[i])
			// Tiny p-values (1e-80 on Telco) are compared relatively too.
			if d := math.Abs(tm.P-w.P[i]) / w.P[i]; d > 1e-6 {
				t.Errorf("%s term %d p = %g, want %g (relative %g)", tc.file, i, tm.P, w.P[i], d)
			}
			check("lo", tm.Lo, w.Lo[i])
			check("hi", tm.Hi, w.Hi[i])
			check("odds", tm.OddsRatio, w.Odds[i])
			check("odds_lo", tm.OddsLo, w.OddsLo[i])
			check("odds_hi", tm.OddsHi, w.OddsHi[i])
			if i > 0 {
				check("std", tm.Std, w.Std[i-1])
				check("std_coef", tm.Standardized, w.StdCoef[i-1])
			}
		}
		t.Logf("%s: %d terms, worst scaled difference %.2g", tc.file, len(terms), worst)
	}
}

// TestLogisticUnpenalized checks the Wald table against a case with a
// closed form: one binary feature, no penalty. The MLE reproduces the 2×2
// table, and the SE of the log odds ratio is sqrt(1/a+1/b+1/c+1/d).
func TestLogisticUnpenalized(t *testing.T) {
	// Counts: x=0: 30 negatives, 10 positives; x=1: 20 negatives, 40 positives.
	var rows [][]float64
	var y []float64
	add := func(x, label float64, n int) {
		for range n {
			rows = append(rows, []float64{x})
			y = append(y, label)
		}
	}
	add(0, 0, 30)
	add(0, 1, 10)
	add(1, 0, 20)
	add(1, 1, 40)
	b0 := math.Log(10.0 / 30)
	b1 := math.Log(40.0/20) - b0
	m := &logistic.Model{Intercept: b0, Coef: []float64{b1}}
	rep, err := Logistic(m, toDense(rows), y, logistic.Options{C: math.Inf(1)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Penalized {
		t.Error("C=+Inf reported as penalised")
	}
	se := math.Sqrt(1.0/30 + 1.0/10 + 1.0/20 + 1.0/40)
	if got := rep.Coef[0].SE; math.Abs(got-se) > 1e-12 {
		t.Errorf("SE = %v, want %v", got, se)
	}
	if got, want := rep.Coef[0].OddsRatio, 6.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("odds ratio = %v, want %v", got, want)
	}
	if got := rep.Intercept.SE; math.Abs(got-math.Sqrt(1.0/30+1.0/10)) > 1e-12 {
		t.Errorf("intercept SE = %v", got)
	}
}

func TestLogisticErrors(t *testing.T) {
	X := mat.NewDense(4, 2, []float64{1, 1, 2, 2, 3, 3, 4, 4}) // collinear
	y := []float64{0, 1, 0, 1}
	m := &logistic.Model{Coef: []float64{0.1, 0.1}}
	if _, err := Logistic(m, X, y, logistic.Options{C: math.Inf(1)}); err == nil {
		t.Error("collinear unpenalised: want an error")
	}
	if _, err := Logistic(m, X, y, logistic.Options{}); err != nil {
		t.Errorf("the penalty makes it invertible: %v", err)
	}
	if _, err := Logistic(&logistic.Model{Coef: []float64{1}}, X, y, logistic.Options{}); err == nil {
		t.Error("wrong column count: want an error")
	}
	if _, err := Logistic(m, X, []float64{0, 1, 2, 0}, logistic.Options{}); err == nil {
		t.Error("non-binary y: want an error")
	}
}

func TestLogisticRefusesL1(t *testing.T) {
	X := mat.NewDense(4, 1, []float64{0, 1, 2, 3})
	y := []float64{0, 1, 0, 1}
	m := &logistic.Model{Coef: []float64{0.1}}
	if _, err := Logistic(m, X, y, logistic.Options{Penalty: logistic.L1}); err == nil {
		t.Fatal("L1 model got Wald intervals")
	}
}
