package uplift

import (
	"context"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/model"
)

// TestEvaluateByHand checks the curves, the Qini coefficient and the
// targeting on six customers worked through by hand (the sums are in the
// comments).
func TestEvaluateByHand(t *testing.T) {
	pred := []float64{6, 5, 4, 3, 2, 1}
	treated := []bool{true, false, true, false, true, false}
	y := []float64{1, 0, 0, 1, 1, 0}
	r, err := Evaluate(pred, treated, y)
	if err != nil {
		t.Fatal(err)
	}
	// Q(k) = Y_T(k) − Y_C(k)·N_T(k)/N_C(k): 1, 1, 1, 0, 0.5, 1.
	want := []float64{0, 1, 1, 1, 0, 0.5, 1}
	for k, p := range r.QiniCurve {
		if p.X != float64(k) || math.Abs(p.Y-want[k]) > 1e-12 {
			t.Errorf("Qini(%d) = %v, want %v", k, p, want[k])
		}
	}
	// Areas: curve 4, random 3, perfect 9.5 → (4−3)/(9.5−3).
	if math.Abs(r.Qini-1/6.5) > 1e-12 || math.Abs(r.ATE-1.0/3) > 1e-12 {
		t.Errorf("Qini %.6f (want %.6f), ATE %.6f", r.Qini, 1/6.5, r.ATE)
	}
	// Uplift curve at 4: (1/2 − 1/2)·4 = 0; at 6: (2/3 − 1/3)·6 = 2.
	if r.UpliftCurve[4].Y != 0 || math.Abs(r.UpliftCurve[6].Y-2) > 1e-12 {
		t.Errorf("uplift curve %v", r.UpliftCurve)
	}
	top, err := r.Top(0.5)
	if err != nil {
		t.Fatal(err)
	}
	// The first three: treated 1 of 2, control 0 of 1 → 0.5, 1.5× the ATE.
	if top.Customers != 3 || top.Uplift != 0.5 || math.Abs(top.Gain-1.5) > 1e-12 || top.Incremental != 1.5 {
		t.Errorf("top half %+v", top)
	}
	if _, err := r.Top(1.0 / 6); err == nil || !strings.Contains(err.Error(), "one group") {
		t.Errorf("top customer alone: %v", err)
	}
	// The perfect ranking scores 1, its reverse below 0.
	perfect := []float64{2, 0, 0, -1, 2, 0}
	if p, _ := Evaluate(perfect, treated, y); math.Abs(p.Qini-1) > 1e-12 {
		t.Errorf("perfect ranking Qini %.6f", p.Qini)
	}
	for i := range perfect {
		perfect[i] = -perfect[i]
	}
	if p, _ := Evaluate(perfect, treated, y); p.Qini >= 0 {
		t.Errorf("reversed ranking Qini %.6f", p.Qini)
	}
	var n int
	for _, d := range r.Deciles {
		n += d.Customers
	}
	if len(r.Deciles) != 10 || n != 6 {
		t.Errorf("deciles %+v", r.Deciles)
	}
}

// TestTrainBadInput: one group only, too few of an outcome, outcomes that
// are not 0/1 and an unknown method are refused in words.
func TestTrainBadInput(t *testing.T) {
	n := 400
	x := make([]float64, n)
	treated := make([]bool, n)
	y := make([]float64, n)
	for i := range n {
		x[i] = float64(i % 17)
		treated[i] = i%2 == 0
		if i%5 == 0 {
			y[i] = 1
		}
	}
	d := model.Data{Num: mat.NewDense(n, 1, x)}
	spec := model.Spec{Algo: model.LogReg, Numeric: []string{"x"}}
	allTreated := make([]bool, n)
	for i := range allTreated {
		allTreated[i] = true
	}
	few := make([]float64, n)
	few[0], few[2] = 1, 1
	bad := append([]float64(nil), y...)
	bad[3] = 2
	for _, c := range []struct {
		treated []bool
		y       []float64
		method  string
		want    string
	}{
		{allTreated, y, TwoModel, "one group"},
		{treated, few, TwoModel, "the control group has only 0 customers with outcome 1"},
		{treated, bad, TwoModel, "must be 0 or 1"},
		{treated, y, "causal-forest", "unknown method"},
	} {
		_, _, err := Train(context.Background(), d, c.treated, c.y, Options{Method: c.method, Spec: spec})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.want, err, c.want)
		}
	}
}
