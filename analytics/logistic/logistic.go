// Package logistic fits binary logistic regression with an L2 penalty,
// matching scikit-learn's LogisticRegression(penalty="l2", solver="lbfgs").
//
// Fit minimises
//
//	Σ_i s_i·[log(1+exp(z_i)) − y_i·z_i] + ‖w‖²/(2C),   z_i = b + x_i·w,
//
// where s_i is the class weight of row i and the intercept b is not
// penalised, using gonum's L-BFGS with the analytic gradient.
package logistic

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Options configures Fit. The zero value means sklearn's defaults
// (C=1, Tol=1e-4, MaxIter=100, unit class weights).
type Options struct {
	// C is the inverse penalty strength; +Inf disables the penalty.
	C float64
	// ClassWeight holds the weights of class 0 and class 1; a zero entry
	// means 1. Ignored when Balanced is set.
	ClassWeight [2]float64
	// Balanced weights each class by n/(2·count), like class_weight="balanced".
	Balanced bool
	// Tol stops the solver once the largest gradient component of the
	// objective, divided by the total sample weight, is below it. Dividing
	// keeps Tol's meaning independent of the number of rows.
	Tol float64
	// MaxIter caps the L-BFGS iterations.
	MaxIter int
}

// Model is a fitted model: P(y=1|x) = σ(Intercept + x·Coef).
type Model struct {
	Intercept float64
	Coef      []float64
	// Converged reports whether the gradient tolerance was met; when false
	// the model is the best point found and may still be usable.
	Converged  bool
	Iterations int
}

// Fit fits the model on X (n×k) and labels y, which must be 0 or 1 with
// both classes present. X is not modified.
func Fit(X *mat.Dense, y []float64, opt Options) (*Model, error) {
	n, k := X.Dims()
	if n == 0 || k == 0 {
		return nil, errors.New("logistic: X is empty")
	}
	if len(y) != n {
		return nil, fmt.Errorf("logistic: X has %d rows but y has %d values", n, len(y))
	}
	if opt.C == 0 {
		opt.C = 1
	}
	if opt.Tol == 0 {
		opt.Tol = 1e-4
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 100
	}
	switch {
	case math.IsNaN(opt.C) || opt.C < 0:
		return nil, fmt.Errorf("logistic: C must be > 0, got %v", opt.C)
	case math.IsNaN(opt.Tol) || opt.Tol < 0:
		return nil, fmt.Errorf("logistic: Tol must be ≥ 0, got %v", opt.Tol)
	case opt.MaxIter < 0:
		return nil, fmt.Errorf("logistic: MaxIter must be ≥ 0, got %d", opt.MaxIter)
	}
	var count [2]int
	for i, v := range y {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("logistic: y[%d] is %v, want 0 or 1", i, v)
		}
		count[int(v)]++
	}
	if count[0] == 0 || count[1] == 0 {
		return nil, errors.New("logistic: y has only one class")
	}
	for i := range n {
		for j, v := range X.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("logistic: X[%d,%d] is %v", i, j, v)
			}
		}
	}
	cw := opt.ClassWeight
	for c := range cw {
		switch {
		case opt.Balanced:
			cw[c] = float64(n) / (2 * float64(count[c]))
		case math.IsNaN(cw[c]) || math.IsInf(cw[c], 0) || cw[c] < 0:
			return nil, fmt.Errorf("logistic: class %d weight must be finite and ≥ 0, got %v", c, cw[c])
		case cw[c] == 0:
			cw[c] = 1
		}
	}

	p := newProblem(X, y, cw, opt.C)
	res, err := optimize.Minimize(optimize.Problem{Func: p.f, Grad: p.grad},
		make([]float64, k+1),
		&optimize.Settings{
			GradientThreshold: opt.Tol,
			MajorIterations:   opt.MaxIter,
			// Stop only on the gradient or the iteration cap, as sklearn
			// does, not when progress per iteration becomes small.
			Converger: optimize.NeverTerminate{},
		},
		&optimize.LBFGS{GradStopThreshold: math.NaN()})
	if res == nil {
		return nil, fmt.Errorf("logistic: %w", err)
	}
	// A failed line search this close to the optimum is rounding noise, not
	// an error: keep the point, and let Converged tell the caller.
	m := &Model{
		Intercept:  res.X[k],
		Coef:       append([]float64(nil), res.X[:k]...),
		Iterations: res.Stats.MajorIterations,
		Converged:  res.Status == optimize.GradientThreshold,
	}
	return m, nil
}

// problem evaluates the objective, scaled by 1/Σs_i, and its gradient in one
// pass and caches both, because L-BFGS asks for f and ∇f at the same points.
// The scaling keeps values O(1) for any n and does not move the minimiser.
type problem struct {
	X       *mat.Dense
	y       []float64
	w       []float64 // per-row sample weight
	lambda  float64   // 1/C
	scale   float64   // 1/Σ w
	k       int
	z, r    *mat.VecDense
	gw      *mat.VecDense
	x, g    []float64 // cached parameters and gradient
	fx      float64
	started bool
}

func newProblem(X *mat.Dense, y []float64, cw [2]float64, C float64) *problem {
	n, k := X.Dims()
	p := &problem{
		X: X, y: y, w: make([]float64, n), lambda: 1 / C, k: k,
		z: mat.NewVecDense(n, nil), r: mat.NewVecDense(n, nil), gw: mat.NewVecDense(k, nil),
		x: make([]float64, k+1), g: make([]float64, k+1),
	}
	var sum float64
	for i, v := range y {
		p.w[i] = cw[int(v)]
		sum += p.w[i]
	}
	p.scale = 1 / sum
	return p
}

func (p *problem) eval(x []float64) {
	if p.started && floats.Equal(x, p.x) {
		return
	}
	p.started = true
	copy(p.x, x)
	k := p.k
	coef, b := mat.NewVecDense(k, p.x[:k]), p.x[k]
	p.z.MulVec(p.X, coef)
	z, r := p.z.RawVector().Data, p.r.RawVector().Data
	var f, rsum float64
	for i, zi := range z {
		zi += b
		// log(1+e^z) = max(z,0) + log1p(e^-|z|) never overflows.
		f += p.w[i] * (max(zi, 0) + math.Log1p(math.Exp(-math.Abs(zi))) - p.y[i]*zi)
		r[i] = p.w[i] * (sigmoid(zi) - p.y[i])
		rsum += r[i]
	}
	p.gw.MulVec(p.X.T(), p.r)
	gw := p.gw.RawVector().Data
	for j := range k {
		f += 0.5 * p.lambda * p.x[j] * p.x[j]
		p.g[j] = (gw[j] + p.lambda*p.x[j]) * p.scale
	}
	p.g[k] = rsum * p.scale
	p.fx = f * p.scale
}

func (p *problem) f(x []float64) float64 {
	p.eval(x)
	return p.fx
}

func (p *problem) grad(g, x []float64) {
	p.eval(x)
	copy(g, p.g)
}

// sigmoid is 1/(1+e^-z), written so that e^… never overflows.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// PredictProba returns P(y=1) for each row of X. It panics if X does not
// have len(Coef) columns.
func (m *Model) PredictProba(X *mat.Dense) []float64 {
	n, k := X.Dims()
	if k != len(m.Coef) {
		panic(fmt.Sprintf("logistic: X has %d columns, model has %d", k, len(m.Coef)))
	}
	out := make([]float64, n)
	v := mat.NewVecDense(n, out)
	v.MulVec(X, mat.NewVecDense(k, m.Coef))
	for i, z := range out {
		out[i] = sigmoid(z + m.Intercept)
	}
	return out
}
