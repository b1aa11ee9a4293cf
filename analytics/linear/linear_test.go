package linear

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fixture is written by analytics/testdata/gen_fixtures.py (scikit-learn).
type fixture struct {
	X   [][]float64
	Y   []float64
	OLS struct {
		Coef      []float64
		Intercept float64
		Pred      []float64
	}
	Ridge struct {
		Alpha     float64
		Coef      []float64
		Intercept float64
		Pred      []float64
	}
}

func load(t *testing.T) (*fixture, *mat.Dense) {
	t.Helper()
	b, err := os.ReadFile("../testdata/linear.json")
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

// near reports whether got matches want to 1e-6 relative or 1e-8 absolute.
func near(got, want float64) bool {
	return math.Abs(got-want) <= max(1e-6*math.Abs(want), 1e-8)
}

func TestFitSklearn(t *testing.T) {
	f, X := load(t)
	tests := map[string]struct {
		alpha     float64
		coef      []float64
		intercept float64
		pred      []float64
	}{
		"ols":   {0, f.OLS.Coef, f.OLS.Intercept, f.OLS.Pred},
		"ridge": {f.Ridge.Alpha, f.Ridge.Coef, f.Ridge.Intercept, f.Ridge.Pred},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := Fit(X, f.Y, Options{Alpha: tc.alpha})
			if err != nil {
				t.Fatal(err)
			}
			for j, want := range tc.coef {
				if !near(m.Coef[j], want) {
					t.Errorf("coef[%d] = %.12g, sklearn %.12g", j, m.Coef[j], want)
				}
			}
			if !near(m.Intercept, tc.intercept) {
				t.Errorf("intercept = %.12g, sklearn %.12g", m.Intercept, tc.intercept)
			}
			pred := m.Predict(X.Slice(0, len(tc.pred), 0, len(tc.coef)).(*mat.Dense))
			for i, want := range tc.pred {
				if !near(pred[i], want) {
					t.Errorf("pred[%d] = %.12g, sklearn %.12g", i, pred[i], want)
				}
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	good := dense([][]float64{{1, 2}, {2, 1}, {3, 5}, {4, 3}})
	y := []float64{1, 2, 3, 4}
	tests := map[string]struct {
		X     *mat.Dense
		y     []float64
		alpha float64
	}{
		"y length":      {good, y[:3], 0},
		"negative":      {good, y, -1},
		"nan alpha":     {good, y, math.NaN()},
		"nan X":         {dense([][]float64{{1, 2}, {2, math.NaN()}, {3, 5}, {4, 3}}), y, 0},
		"inf y":         {good, []float64{1, 2, math.Inf(1), 4}, 0},
		"too few rows":  {dense([][]float64{{1, 2}, {2, 1}}), y[:2], 0},
		"too few ridge": {dense([][]float64{{1, 2}, {2, 1}}), y[:1], 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Fit(tc.X, tc.y, Options{Alpha: tc.alpha}); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestCollinear(t *testing.T) {
	// Column 3 = 2·col0 − col1; column 2 independent.
	rows := [][]float64{{1, 0, 5, 2}, {2, 1, 3, 3}, {3, 1, 1, 5}, {4, 3, 2, 5}, {5, 2, 7, 8}, {6, 6, 1, 6}}
	// Constant column 1 (not exactly representable sums).
	constant := [][]float64{{1, 0.1, 5}, {2, 0.1, 3}, {3, 0.1, 1}, {4, 0.1, 2}, {5, 0.1, 7}}
	tests := map[string]struct {
		rows [][]float64
		want CollinearError
	}{
		"combination": {rows, CollinearError{Column: 3, With: []int{0, 1}}},
		"constant":    {constant, CollinearError{Column: 1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			X := dense(tc.rows)
			y := make([]float64, len(tc.rows))
			for i := range y {
				y[i] = float64(i * i)
			}
			_, err := Fit(X, y, Options{})
			var ce *CollinearError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *CollinearError", err)
			}
			if ce.Column != tc.want.Column || !slices.Equal(ce.With, tc.want.With) {
				t.Errorf("got %+v, want %+v (%v)", *ce, tc.want, err)
			}
			// Ridge stays well-posed on the same data.
			if _, err := Fit(X, y, Options{Alpha: 0.1}); err != nil {
				t.Errorf("ridge: %v", err)
			}
		})
	}
}

// An exact fit recovers the generating coefficients, also when the columns
// have very different scales, which the normal equations would handle worse.
func TestExact(t *testing.T) {
	X := dense([][]float64{{1, 1e6}, {2, 3e6}, {3, 2e6}, {4, 7e6}, {5, 5e6}})
	y := make([]float64, 5)
	for i := range y {
		y[i] = 3 - 2*X.At(i, 0) + 4e-6*X.At(i, 1)
	}
	m, err := Fit(X, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !near(m.Intercept, 3) || !near(m.Coef[0], -2) || !near(m.Coef[1], 4e-6) {
		t.Errorf("got %+v", m)
	}
}
