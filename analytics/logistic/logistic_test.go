package logistic

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// result is one solution stored by analytics/testdata/gen_fixtures.py.
type result struct {
	Coef         []float64
	Intercept    float64
	ProbaFirst50 []float64 `json:"proba_first50"`
}

type fixture struct {
	X           [][]float64
	Y           []float64
	C           float64
	ClassWeight string `json:"class_weight"`
	MaxIter     int    `json:"max_iter"`
	// Top level: sklearn lbfgs, which scipy's ftol stops early (see script).
	result
	// Optimum: the same objective solved to max|grad| ~1e-10 by newton-cg.
	Optimum result
}

func load(t testing.TB, name string) (*fixture, *mat.Dense) {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f, dense(f.X)
}

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func check(t *testing.T, what string, m *Model, X *mat.Dense, want result, rel, abs, ptol float64) {
	t.Helper()
	near := func(got, want float64) bool { return math.Abs(got-want) <= max(rel*math.Abs(want), abs) }
	for j, w := range want.Coef {
		if !near(m.Coef[j], w) {
			t.Errorf("%s: coef[%d] = %.10g, want %.10g", what, j, m.Coef[j], w)
		}
	}
	if !near(m.Intercept, want.Intercept) {
		t.Errorf("%s: intercept = %.10g, want %.10g", what, m.Intercept, want.Intercept)
	}
	p := m.PredictProba(X.Slice(0, len(want.ProbaFirst50), 0, len(want.Coef)).(*mat.Dense))
	for i, w := range want.ProbaFirst50 {
		if math.Abs(p[i]-w) > ptol {
			t.Errorf("%s: proba[%d] = %.10g, want %.10g", what, i, p[i], w)
		}
	}
}

func TestFitSklearn(t *testing.T) {
	for _, name := range []string{"logistic_telco.json", "logistic_balanced.json"} {
		t.Run(name, func(t *testing.T) {
			f, X := load(t, name)
			opt := Options{C: f.C, Tol: 1e-8, MaxIter: f.MaxIter, Balanced: f.ClassWeight == "balanced"}
			m, err := Fit(X, f.Y, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Converged {
				t.Errorf("not converged after %d iterations", m.Iterations)
			}
			t.Logf("%d iterations", m.Iterations)
			check(t, "optimum", m, X, f.Optimum, 1e-6, 1e-8, 1e-7)
			// sklearn's lbfgs output itself is only ~1e-4 from the optimum.
			check(t, "sklearn lbfgs", m, X, f.result, 1e-4, 1e-6, 5e-5)
		})
	}
}

func TestFitErrors(t *testing.T) {
	X := dense([][]float64{{1, 2}, {2, 1}, {3, 5}, {4, 3}})
	y := []float64{0, 1, 0, 1}
	tests := map[string]struct {
		X   *mat.Dense
		y   []float64
		opt Options
	}{
		"y length":     {X, y[:3], Options{}},
		"label 2":      {X, []float64{0, 1, 2, 1}, Options{}},
		"label nan":    {X, []float64{0, 1, math.NaN(), 1}, Options{}},
		"one class":    {X, []float64{1, 1, 1, 1}, Options{}},
		"nan X":        {dense([][]float64{{1, 2}, {2, math.Inf(-1)}, {3, 5}, {4, 3}}), y, Options{}},
		"negative C":   {X, y, Options{C: -1}},
		"negative tol": {X, y, Options{Tol: -1}},
		"bad weight":   {X, y, Options{ClassWeight: [2]float64{1, -2}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Fit(tc.X, tc.y, tc.opt); err == nil {
				t.Error("no error")
			}
		})
	}
}

// Huge logits must neither overflow nor produce NaN in loss or gradient.
func TestExtremeValues(t *testing.T) {
	X := dense([][]float64{{-1e3}, {-2e3}, {1e3}, {2e3}, {-5e2}, {5e2}})
	y := []float64{0, 0, 1, 1, 1, 0}
	m, err := Fit(X, y, Options{C: 1e6, Tol: 1e-10, MaxIter: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.PredictProba(X) {
		if math.IsNaN(p) || p < 0 || p > 1 {
			t.Fatalf("proba %v, model %+v", p, m)
		}
	}
	if math.IsNaN(m.Intercept) || math.IsNaN(m.Coef[0]) {
		t.Fatalf("model %+v", m)
	}
}

// Explicit class weights equal to the balanced ones give the same model.
func TestClassWeight(t *testing.T) {
	f, X := load(t, "logistic_balanced.json")
	var n1 float64
	for _, v := range f.Y {
		n1 += v
	}
	n := float64(len(f.Y))
	w := [2]float64{n / (2 * (n - n1)), n / (2 * n1)}
	m, err := Fit(X, f.Y, Options{C: f.C, Tol: 1e-8, MaxIter: 1000, ClassWeight: w})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "explicit weights", m, X, f.Optimum, 1e-6, 1e-8, 1e-7)
}

func TestMaxIter(t *testing.T) {
	f, X := load(t, "logistic_telco.json")
	m, err := Fit(X, f.Y, Options{Tol: 1e-12, MaxIter: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.Converged || m.Iterations != 2 {
		t.Errorf("Converged=%v Iterations=%d, want false, 2", m.Converged, m.Iterations)
	}
}

func BenchmarkFitTelco(b *testing.B) {
	f, X := load(b, "logistic_telco.json")
	for b.Loop() {
		if _, err := Fit(X, f.Y, Options{C: 1, Tol: 1e-8, MaxIter: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}
