package text

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/marketbench/marketbench/analytics/msg"
)

// logReg is L2-penalised logistic regression on sparse rows, fitted the way
// scikit-learn 1.2's LogisticRegression(solver="lbfgs") does by default
// (multi_class="auto"): with two classes one weight vector and a sigmoid,
// with more a multinomial (softmax) model with one weight vector per class.
// It minimises
//
//	Σ_i loss_i + ‖W‖²/(2C)
//
// (intercepts not penalised), divided by the number of rows, which does not
// move the minimiser but keeps the gradient tolerance independent of n.
type logReg struct {
	// W has one row per weight vector (1 for two classes, else one per
	// class); each row holds nf weights and then the intercept.
	W [][]float64
}

// fitLogReg fits on rows X with labels y in 0..k-1 over nf features. It
// returns the model even when the iteration cap is reached first
// (converged=false): L-BFGS only ever moves to better points.
func fitLogReg(X []Vec, y []int, k, nf int, C, tol float64, maxIter int) (m *logReg, converged bool, err error) {
	nv := k
	if k == 2 {
		nv = 1
	}
	p := &lrProblem{X: X, y: y, nv: nv, nf: nf, lambda: 1 / C, scale: 1 / float64(len(X))}
	p.x = make([]float64, nv*(nf+1))
	p.g = make([]float64, nv*(nf+1))
	p.z = make([]float64, nv)
	res, err := optimize.Minimize(optimize.Problem{Func: p.f, Grad: p.grad},
		make([]float64, nv*(nf+1)),
		&optimize.Settings{
			GradientThreshold: tol,
			MajorIterations:   maxIter,
			// Stop on the gradient or the cap only, like scikit-learn.
			Converger: optimize.NeverTerminate{},
		},
		&optimize.LBFGS{GradStopThreshold: math.NaN()})
	if res == nil {
		return nil, false, msg.Errorf("text: logistic regression failed: %w", err)
	}
	for _, v := range res.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false, msg.Errorf("text: logistic regression diverged; try a smaller C")
		}
	}
	m = &logReg{W: make([][]float64, nv)}
	for c := range nv {
		m.W[c] = append([]float64(nil), res.X[c*(nf+1):(c+1)*(nf+1)]...)
	}
	return m, res.Status == optimize.GradientThreshold, nil
}

// proba returns P(class|x) for the k classes.
func (m *logReg) proba(x Vec) []float64 {
	z := make([]float64, len(m.W))
	for c, w := range m.W {
		z[c] = dot(w, x)
	}
	if len(z) == 1 {
		p := sigmoid(z[0])
		return []float64{1 - p, p}
	}
	softmax(z)
	return z
}

// dot is w·x plus the intercept stored after the weights.
func dot(w []float64, x Vec) float64 {
	s := w[len(w)-1]
	for p, j := range x.Idx {
		s += w[j] * x.Val[p]
	}
	return s
}

// softmax replaces z by exp(z)/Σexp(z) and returns log Σ exp(z).
func softmax(z []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = max(mx, v)
	}
	var s float64
	for i, v := range z {
		z[i] = math.Exp(v - mx)
		s += z[i]
	}
	for i := range z {
		z[i] /= s
	}
	return mx + math.Log(s)
}

// lrProblem evaluates the objective and gradient together and caches both,
// since L-BFGS asks for f and ∇f at the same points.
type lrProblem struct {
	X       []Vec
	y       []int
	nv, nf  int
	lambda  float64 // 1/C
	scale   float64 // 1/n
	x, g, z []float64
	fx      float64
	started bool
}

func (p *lrProblem) eval(x []float64) {
	if p.started && floats.Equal(x, p.x) {
		return
	}
	p.started = true
	copy(p.x, x)
	clear(p.g)
	stride := p.nf + 1
	var f float64
	for i, r := range p.X {
		for c := range p.nv {
			p.z[c] = dot(p.x[c*stride:(c+1)*stride], r)
		}
		if p.nv == 1 {
			z, y := p.z[0], float64(p.y[i])
			// log(1+e^z) = max(z,0) + log1p(e^-|z|) never overflows.
			f += max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - y*z
			p.z[0] = sigmoid(z) - y
		} else {
			zy := p.z[p.y[i]]
			f += softmax(p.z) - zy
			p.z[p.y[i]]--
		}
		for c := range p.nv {
			res := p.z[c]
			g := p.g[c*stride : (c+1)*stride]
			for q, j := range r.Idx {
				g[j] += res * r.Val[q]
			}
			g[p.nf] += res
		}
	}
	for c := range p.nv {
		w := p.x[c*stride : (c+1)*stride-1]
		g := p.g[c*stride : (c+1)*stride-1]
		for j, v := range w {
			f += 0.5 * p.lambda * v * v
			g[j] += p.lambda * v
		}
	}
	for j := range p.g {
		p.g[j] *= p.scale
	}
	p.fx = f * p.scale
}

func (p *lrProblem) f(x []float64) float64 {
	p.eval(x)
	return p.fx
}

func (p *lrProblem) grad(g, x []float64) {
	p.eval(x)
	copy(g, p.g)
}
