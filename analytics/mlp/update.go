package mlp

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// segment is a run of parameters: a weight matrix (coef) or biases.
type segment struct {
	lo, hi int
	coef   bool
}

func segments(sizes []int) []segment {
	var segs []segment
	off := 0
	for l := range len(sizes) - 1 {
		in, out := sizes[l], sizes[l+1]
		segs = append(segs, segment{off, off + in*out, true}, segment{off + in*out, off + (in+1)*out, false})
		off += (in + 1) * out
	}
	return segs
}

// train takes one step on rows idx: backpropagation, then the gradient
// and Adam on half the parameters each on this and the helper goroutine,
// so neither core waits through the other's serial half. It returns the
// summed loss of the rows and ‖W‖² before the step.
func (t *trainer) train(X *mat.Dense, y, w []float64, idx []int) (loss, penalty float64) {
	loss = t.backprops(X, y, w, idx)
	t.nextStep()
	k := len(t.params)
	if t.helper == nil {
		return loss, t.update(0, k)
	}
	mid := k / 2 &^ 7 // on a cache-line boundary, for 64-byte aligned slices
	t.helper.send(job{update: true, lo: 0, hi: mid})
	penalty = t.update(mid, k)
	t.helper.wait(t.spin)
	return loss, t.pen + penalty
}

// reduce sets t.grad[lo:hi] to the workers' gradients summed, averaged
// over the batch and with the L2 penalty (alpha/2)·‖W‖²/r differentiated
// (weights, not biases, as scikit-learn), and returns the coefficients'
// Σ w² over [lo, hi).
func (t *trainer) reduce(lo, hi int) (penalty float64) {
	inv := t.inv
	a := t.opt.Alpha * inv
	for _, sg := range t.segs {
		s, e := max(sg.lo, lo), min(sg.hi, hi)
		if s >= e {
			continue
		}
		g, p := t.grad[s:e], t.params[s:e]
		p = p[:len(g)]
		g0, g1 := t.ws[0].grad[s:e][:len(g)], t.ws[1].grad[s:e][:len(g)]
		for i, v := range g0 {
			g[i] = v + g1[i]
		}
		for _, wk := range t.ws[2:] {
			for i, v := range wk.grad[s:e][:len(g)] {
				g[i] += v
			}
		}
		if sg.coef {
			for i, v := range p {
				g[i] = g[i]*inv + a*v
				penalty += v * v
			}
		} else {
			for i := range g {
				g[i] *= inv
			}
		}
	}
	return penalty
}

// adam takes one Adam step with scikit-learn's bias-corrected step size,
// for the tests; training does it in halves (update).
func (t *trainer) adam() {
	t.nextStep()
	t.adamRange(0, len(t.params))
}

func (t *trainer) nextStep() {
	const b1, b2 = 0.9, 0.999
	t.step++
	t.lr = t.opt.LearningRate * math.Sqrt(1-math.Pow(b2, float64(t.step))) / (1 - math.Pow(b1, float64(t.step)))
}

// adamRange updates params[lo:hi] from grad[lo:hi] with step size t.lr.
// The float64 conversions keep the compiler from fusing into FMAs, so the
// Go loop gives adam4's bits.
func (t *trainer) adamRange(lo, hi int) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	lr := t.lr
	g := t.grad[lo:hi]
	m, v, p := t.m[lo:hi][:len(g)], t.v[lo:hi][:len(g)], t.params[lo:hi][:len(g)]
	if n := len(g) &^ 3; useAVX2 && n > 0 {
		c := [6]float64{b1, 1 - b1, b2, 1 - b2, lr, eps}
		adam4(n, &g[0], &m[0], &v[0], &p[0], &c)
		g, m, v, p = g[n:], m[n:], v[n:], p[n:]
	}
	for i, gi := range g {
		m[i] = float64(b1*m[i]) + float64((1-b1)*gi)
		v[i] = float64(b2*v[i]) + float64((1-b2)*gi*gi)
		p[i] -= lr * m[i] / (math.Sqrt(v[i]) + eps)
	}
}

// update is reduce then Adam on [lo, hi), once nextStep has run.
func (t *trainer) update(lo, hi int) (penalty float64) {
	penalty = t.reduce(lo, hi)
	t.adamRange(lo, hi)
	return penalty
}
