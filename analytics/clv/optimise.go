package clv

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"

	"github.com/marketbench/marketbench/analytics/msg"
)

// maximise finds the maximum of a log-likelihood over k log-parameters,
// starting at all zeros (every parameter 1), with BFGS on the analytic
// gradient. ll must fill grad when it is not nil. The objective is scaled
// by 1/n so the gradient threshold means the same for any data size.
func maximise(k int, ll func(th, grad []float64) float64, n float64) ([]float64, float64, int, error) {
	var lastX, lastG []float64
	var lastF float64
	evals := 0
	eval := func(x []float64) {
		if lastX != nil && slices.Equal(lastX, x) {
			return
		}
		evals++
		g := make([]float64, k)
		f := ll(x, g)
		lastX, lastF, lastG = slices.Clone(x), f, g
	}
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			eval(x)
			if math.IsNaN(lastF) {
				return math.Inf(1)
			}
			return -lastF / n
		},
		Grad: func(grad, x []float64) {
			eval(x)
			for i := range grad {
				grad[i] = -lastG[i] / n
			}
		},
	}
	res, err := optimize.Minimize(p, make([]float64, k), &optimize.Settings{
		GradientThreshold: 1e-8, MajorIterations: 2000, Converger: &optimize.FunctionConverge{Absolute: 1e-13, Iterations: 50},
	}, &optimize.BFGS{})
	// A line search that can no longer improve at the optimum reports a
	// failure; what counts is that the gradient is flat there.
	if res == nil || (err != nil || !(res.Status == optimize.GradientThreshold || res.Status == optimize.FunctionConvergence)) && !(res != nil && flat(res.Gradient)) {
		return nil, 0, evals, msg.Errorf("the model fit did not converge; nothing was kept (try a longer calibration period or more customers)")
	}
	for _, v := range res.X {
		if math.IsNaN(v) || math.Abs(v) > 30 {
			return nil, 0, evals, msg.Errorf("the model fit ran to an extreme parameter (the data do not identify it); nothing was kept")
		}
	}
	return res.X, -res.F * n, evals, nil
}

// flat reports whether a gradient of the per-customer mean log-likelihood
// is zero for practical purposes.
func flat(g []float64) bool {
	for _, v := range g {
		if !(math.Abs(v) < 1e-5) {
			return false
		}
	}
	return len(g) > 0
}
