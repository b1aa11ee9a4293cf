package logistic

import (
	"encoding/json"
	"math"
	"os"
	"runtime"
	"slices"
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
		"bad penalty":  {X, y, Options{Penalty: "elasticnet"}},
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
	for _, pen := range []string{L2, L1} {
		m, err := Fit(X, f.Y, Options{Penalty: pen, Tol: 1e-12, MaxIter: 2})
		if err != nil {
			t.Fatal(err)
		}
		if m.Converged || m.Iterations != 2 {
			t.Errorf("%s: Converged=%v Iterations=%d, want false, 2", pen, m.Converged, m.Iterations)
		}
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

// l1Fixture is an L1 fixture: sklearn saga solved to tol 1e-12, MaxKKT from
// the optimum (see gen_fixtures.py).
type l1Fixture struct {
	X           [][]float64
	Y           []float64
	C           float64
	ClassWeight string  `json:"class_weight"`
	MaxKKT      float64 `json:"max_kkt"`
	result
}

func TestFitL1Sklearn(t *testing.T) {
	for _, name := range []string{"logistic_l1_telco.json", "logistic_l1_balanced.json"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("../testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			var f l1Fixture
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			X := dense(f.X)
			opt := Options{Penalty: L1, C: f.C, Tol: 1e-10, MaxIter: 1000, Balanced: f.ClassWeight == "balanced"}
			m, err := Fit(X, f.Y, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Converged {
				t.Errorf("not converged after %d iterations", m.Iterations)
			}
			t.Logf("%d iterations; saga max KKT violation %.2g", m.Iterations, f.MaxKKT)
			var zeros int
			var maxRel, maxAbs float64
			for j, w := range f.Coef {
				if (w == 0) != (m.Coef[j] == 0) {
					t.Errorf("coef[%d] = %.10g, want %.10g (zero pattern differs)", j, m.Coef[j], w)
				}
				if w == 0 {
					zeros++
					continue
				}
				maxAbs = max(maxAbs, math.Abs(m.Coef[j]-w))
				maxRel = max(maxRel, math.Abs(m.Coef[j]-w)/math.Abs(w))
			}
			if zeros == 0 || zeros == len(f.Coef) {
				t.Fatalf("fixture has %d zero coefficients of %d; want some of each", zeros, len(f.Coef))
			}
			t.Logf("%d zeros of %d; nonzero coefs: max rel diff %.2g, max abs diff %.2g", zeros, len(f.Coef), maxRel, maxAbs)
			check(t, "saga", m, X, f.result, 1e-6, 1e-8, 1e-8)
		})
	}
}

// With L1, explicit class weights equal to the balanced ones give the same
// model, and a larger C keeps more coefficients.
func TestFitL1Weights(t *testing.T) {
	b, err := os.ReadFile("../testdata/logistic_l1_balanced.json")
	if err != nil {
		t.Fatal(err)
	}
	var f l1Fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	X := dense(f.X)
	var n1 float64
	for _, v := range f.Y {
		n1 += v
	}
	n := float64(len(f.Y))
	w := [2]float64{n / (2 * (n - n1)), n / (2 * n1)}
	m, err := Fit(X, f.Y, Options{Penalty: L1, C: f.C, Tol: 1e-10, MaxIter: 1000, ClassWeight: w})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "explicit weights", m, X, f.result, 1e-6, 1e-8, 1e-8)

	nonzero := func(m *Model) (c int) {
		for _, v := range m.Coef {
			if v != 0 {
				c++
			}
		}
		return c
	}
	small, err := Fit(X, f.Y, Options{Penalty: L1, C: f.C / 10, Tol: 1e-8, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	big, err := Fit(X, f.Y, Options{Penalty: L1, C: 1e3, Tol: 1e-8, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	if a, b, c := nonzero(small), nonzero(m), nonzero(big); !(a < b && b < c) {
		t.Errorf("nonzero coefficients at C/10, C, 1e3: %d, %d, %d; want increasing", a, b, c)
	}
}

// With a huge C, OWL-QN (L1) fits the unpenalised model of L-BFGS (L2, C=+Inf).
func TestFitL1Unpenalised(t *testing.T) {
	f, X := load(t, "logistic_balanced.json")
	opt := Options{C: math.Inf(1), Tol: 1e-10, MaxIter: 1000, Balanced: true}
	m2, err := Fit(X, f.Y, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Penalty, opt.C = L1, 1e9
	m1, err := Fit(X, f.Y, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !m1.Converged || !m2.Converged {
		t.Errorf("converged: L1 %v, L2 %v", m1.Converged, m2.Converged)
	}
	want := result{Coef: m2.Coef, Intercept: m2.Intercept, ProbaFirst50: m2.PredictProba(X)[:50]}
	check(t, "C=1e9 vs +Inf", m1, X, want, 1e-6, 1e-8, 1e-7)
}

// Blocks are summed in a fixed order, so the fit is bit-identical however
// many goroutines compute them (Telco has 7043 rows: two blocks).
func TestDeterministicAcrossCores(t *testing.T) {
	f, X := load(t, "logistic_telco.json")
	for _, pen := range []string{L2, L1} {
		opt := Options{Penalty: pen, C: 0.05, Tol: 1e-10, MaxIter: 1000}
		var models [2]*Model
		for i, procs := range []int{1, 4} {
			old := runtime.GOMAXPROCS(procs)
			m, err := Fit(X, f.Y, opt)
			runtime.GOMAXPROCS(old)
			if err != nil {
				t.Fatal(err)
			}
			models[i] = m
		}
		a, b := models[0], models[1]
		if a.Intercept != b.Intercept || !slices.Equal(a.Coef, b.Coef) || a.Iterations != b.Iterations {
			t.Errorf("%s: GOMAXPROCS 1 and 4 differ:\n%+v\n%+v", pen, a, b)
		}
	}
}

// The line search keeps making progress below the rounding error of the
// objective, so both solvers reach a gradient of 1e-13.
func TestTightTol(t *testing.T) {
	for _, name := range []string{"logistic_telco.json", "logistic_l1_telco.json"} {
		f, X := load(t, name)
		for _, pen := range []string{L2, L1} {
			m, err := Fit(X, f.Y, Options{Penalty: pen, C: f.C, Tol: 1e-13, MaxIter: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if !m.Converged {
				t.Errorf("%s %s: not converged after %d iterations", name, pen, m.Iterations)
			}
		}
	}
}
