// Package logistic fits binary logistic regression with an L2 or L1
// penalty, matching scikit-learn's LogisticRegression(penalty="l2",
// solver="lbfgs") and LogisticRegression(penalty="l1", solver="saga").
//
// Fit minimises
//
//	Σ_i s_i·[log(1+exp(z_i)) − y_i·z_i] + P(w),   z_i = b + x_i·w,
//
// where s_i is the class weight of row i, P(w) is ‖w‖²/(2C) (L2) or ‖w‖₁/C
// (L1), and the intercept b is not penalised: sklearn's objective divided
// by C. L2 uses L-BFGS; L1 uses OWL-QN (orthant-wise L-BFGS, Andrew & Gao
// 2007), which reaches the exact optimum with exact zeros (see solve).
//
// Each evaluation computes the loss and its gradient together, over fixed
// blocks of rows (in parallel on all cores) whose partial sums are added in
// block order, so results do not depend on the number of cores.
package logistic

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Penalties accepted in Options.Penalty.
const (
	L2 = "l2"
	L1 = "l1"
)

// Options configures Fit. The zero value means sklearn's defaults
// (penalty "l2", C=1, Tol=1e-4, MaxIter=100, unit class weights).
type Options struct {
	// Penalty is L2 ("l2", the default when empty) or L1 ("l1"). L1
	// matches sklearn's penalty="l1" with solver="saga"; liblinear, sklearn's
	// other L1 solver, also penalises the intercept and fits another model.
	Penalty string
	// C is the inverse penalty strength; +Inf disables the penalty.
	C float64
	// ClassWeight holds the weights of class 0 and class 1; a zero entry
	// means 1. Ignored when Balanced is set.
	ClassWeight [2]float64
	// Balanced weights each class by n/(2·count), like class_weight="balanced".
	Balanced bool
	// Tol stops the solver once the largest gradient component of the
	// objective, divided by the total sample weight, is below it. Dividing
	// keeps Tol's meaning independent of the number of rows. With L1 the
	// gradient is the smallest-norm subgradient (0 for a coefficient that is
	// 0 and may stay 0).
	Tol float64
	// MaxIter caps the L-BFGS (or OWL-QN) iterations.
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
		return nil, msg.Errorf("logistic: X is empty")
	}
	if len(y) != n {
		return nil, msg.Errorf("logistic: X has %d rows but y has %d values", n, len(y))
	}
	if opt.Penalty == "" {
		opt.Penalty = L2
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
	case opt.Penalty != L2 && opt.Penalty != L1:
		return nil, msg.Errorf("logistic: Penalty must be %q or %q, got %q", L2, L1, opt.Penalty)
	case math.IsNaN(opt.C) || opt.C < 0:
		return nil, msg.Errorf("logistic: C must be > 0, got %v", opt.C)
	case math.IsNaN(opt.Tol) || opt.Tol < 0:
		return nil, msg.Errorf("logistic: Tol must be ≥ 0, got %v", opt.Tol)
	case opt.MaxIter < 0:
		return nil, msg.Errorf("logistic: MaxIter must be ≥ 0, got %d", opt.MaxIter)
	}
	var count [2]int
	for i, v := range y {
		if v != 0 && v != 1 {
			return nil, msg.Errorf("logistic: y[%d] is %v, want 0 or 1", i, v)
		}
		count[int(v)]++
	}
	if count[0] == 0 || count[1] == 0 {
		return nil, msg.Errorf("logistic: y has only one class")
	}
	for i := range n {
		for j, v := range X.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, msg.Errorf("logistic: X[%d,%d] is %v", i, j, v)
			}
		}
	}
	cw := opt.ClassWeight
	for c := range cw {
		switch {
		case opt.Balanced:
			cw[c] = float64(n) / (2 * float64(count[c]))
		case math.IsNaN(cw[c]) || math.IsInf(cw[c], 0) || cw[c] < 0:
			return nil, msg.Errorf("logistic: class %d weight must be finite and ≥ 0, got %v", c, cw[c])
		case cw[c] == 0:
			cw[c] = 1
		}
	}
	if opt.Penalty == L1 {
		return solve(newProblem(X, y, cw, 0), 1/opt.C, opt), nil
	}
	return solve(newProblem(X, y, cw, 1/opt.C), 0, opt), nil
}

// blockRows is the number of rows per block of the parallel loss/gradient
// pass. Blocks are fixed by n alone, so the summation order, and thus every
// bit of the result, does not depend on GOMAXPROCS.
const blockRows = 4096

// problem evaluates the smooth part of the objective (the weighted loss
// plus the L2 penalty, if any) and its gradient. The gradient is scaled by
// 1/Σs_i, which keeps it O(1) for any n (so Tol means the same for any n)
// and does not move the minimiser. The last parameter is the intercept.
type problem struct {
	data   []float64 // X, row-major with stride
	stride int
	n, k   int
	y      []float64
	cw     [2]float64
	l2     float64   // L2 penalty weight 1/C (0 for L1 or C=+Inf)
	scale  float64   // 1/Σ s_i
	nb     int       // number of row blocks
	part   []float64 // per block: gradient (k+1), loss as hi+lo
	zr     []float64 // per row: z, then the residual
}

func (p *problem) width() int { return p.k + 3 }

func newProblem(X *mat.Dense, y []float64, cw [2]float64, l2 float64) *problem {
	n, k := X.Dims()
	raw := X.RawMatrix()
	p := &problem{
		data: raw.Data, stride: raw.Stride, n: n, k: k, y: y, cw: cw, l2: l2,
		nb: (n + blockRows - 1) / blockRows,
		zr: make([]float64, n),
	}
	var sum float64
	for _, v := range y {
		sum += cw[int(v)]
	}
	p.scale = 1 / sum
	p.part = make([]float64, p.nb*p.width())
	return p
}

// twoSum returns a+b rounded and its rounding error (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

// eval puts the scaled gradient at x in g and returns the unscaled smooth
// objective as an unevaluated sum hi+lo: every row's loss and every block
// is added with compensation, so the difference of two values is accurate
// down to the rounding of the rows' own losses, far below that of the sum.
func (p *problem) eval(x, g []float64) (hi, lo float64) {
	k := p.k
	coef, b := x[:k], x[k]
	workers := min(runtime.GOMAXPROCS(0), p.nb)
	if workers <= 1 {
		for blk := range p.nb {
			p.block(blk, coef, b)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					blk := int(next.Add(1)) - 1
					if blk >= p.nb {
						return
					}
					p.block(blk, coef, b)
				}
			}()
		}
		wg.Wait()
	}
	for j := range g {
		g[j] = 0
	}
	w := p.width()
	for blk := range p.nb {
		part := p.part[blk*w : (blk+1)*w]
		floats.Add(g, part[:k+1])
		var e float64
		hi, e = twoSum(hi, part[k+1])
		lo += e + part[k+2]
	}
	var pen float64
	for j := range k {
		pen += 0.5 * p.l2 * coef[j] * coef[j]
		g[j] += p.l2 * coef[j]
	}
	hi, e := twoSum(hi, pen)
	floats.Scale(p.scale, g)
	return hi, lo + e
}

// block computes the loss and its gradient over block blk into its slot of
// p.part.
func (p *problem) block(blk int, coef []float64, b float64) {
	k, w := p.k, p.width()
	out := p.part[blk*w : (blk+1)*w]
	lo, hi := blk*blockRows, min((blk+1)*blockRows, p.n)
	xb := blas64.General{Rows: hi - lo, Cols: k, Stride: p.stride, Data: p.data[lo*p.stride:]}
	// z = X_b·w, then the residuals r in place of z, then ∇ = X_bᵀ·r: two
	// passes over a block that stays in cache, with gonum's kernels.
	zr := p.zr[lo:hi]
	blas64.Gemv(blas.NoTrans, 1, xb, blas64.Vector{N: k, Inc: 1, Data: coef}, 0, blas64.Vector{N: hi - lo, Inc: 1, Data: zr})
	y := p.y[lo:hi]
	var sum, comp, rsum float64
	for i, z := range zr {
		z += b
		yi := y[i]
		s, m := p.cw[0], z
		if yi != 0 {
			s, m = p.cw[1], -z
		}
		// The loss is log(1+e^m) with m = z for y=0 and −z for y=1,
		// = max(m,0) + log1p(e^-|z|): no overflow, no cancellation, and
		// the same e^-|z| gives σ(z).
		e := math.Exp(-math.Abs(z))
		sig := 1 / (1 + e)
		if z < 0 {
			sig = e * sig
		}
		l := s * (max(m, 0) + math.Log1p(e))
		t := sum + l
		bb := t - sum
		comp += (sum - (t - bb)) + (l - bb)
		sum = t
		r := s * (sig - yi)
		rsum += r
		zr[i] = r
	}
	blas64.Gemv(blas.Trans, 1, xb, blas64.Vector{N: hi - lo, Inc: 1, Data: zr}, 0, blas64.Vector{N: k, Inc: 1, Data: out[:k]})
	out[k], out[k+1], out[k+2] = rsum, sum, comp
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
