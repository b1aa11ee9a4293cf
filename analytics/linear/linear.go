// Package linear fits least-squares linear regression (OLS) and ridge
// regression with an unpenalised intercept, matching scikit-learn's
// LinearRegression and Ridge(alpha).
//
// The intercept is handled by centring X and y, so it is never penalised.
// The centred problem is solved by Householder QR rather than the normal
// equations: QR's error grows with cond(X), the normal equations' with
// cond(X)², which matters for correlated marketing features. Ridge is the
// same QR solve on X stacked over sqrt(alpha)·I.
package linear

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Options configures Fit.
type Options struct {
	// Alpha is the ridge penalty on the squared coefficients; 0 means OLS.
	Alpha float64
}

// Model is a fitted linear model: y ≈ Intercept + X·Coef.
type Model struct {
	Intercept float64
	Coef      []float64
}

// CollinearError reports a design matrix without full column rank, naming
// the offending column and the earlier columns it is (nearly) a linear
// combination of. With is empty when the column is constant, i.e. collinear
// with the intercept.
type CollinearError struct {
	Column int
	With   []int
}

func (e *CollinearError) Error() string {
	if len(e.With) == 0 {
		return fmt.Sprintf("linear: column %d is constant (collinear with the intercept); drop it or use ridge", e.Column)
	}
	return fmt.Sprintf("linear: column %d is collinear with columns %v; drop one or use ridge", e.Column, e.With)
}

// rankTol is the smallest sine of the angle between a centred column and the
// span of the columns before it that OLS accepts. Below it the coefficients
// would carry less than about six correct digits.
const rankTol = 1e-10

// Fit fits y on the columns of X plus an intercept. X is not modified.
// It needs n > k rows for OLS and returns a *CollinearError if the columns
// of X (centred) are linearly dependent; ridge (Alpha > 0) accepts any
// shape with n ≥ 1.
func Fit(X *mat.Dense, y []float64, opt Options) (*Model, error) {
	n, k := X.Dims()
	switch {
	case n == 0 || k == 0:
		return nil, msg.Errorf("linear: X is empty")
	case len(y) != n:
		return nil, msg.Errorf("linear: X has %d rows but y has %d values", n, len(y))
	case math.IsNaN(opt.Alpha) || opt.Alpha < 0 || math.IsInf(opt.Alpha, 0):
		return nil, msg.Errorf("linear: alpha must be finite and ≥ 0, got %v", opt.Alpha)
	case opt.Alpha == 0 && n <= k:
		return nil, msg.Errorf("linear: OLS needs more rows than columns (have %d×%d); use ridge", n, k)
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, msg.Errorf("linear: y[%d] is %v", i, v)
		}
	}
	xm := make([]float64, k)
	for i := range n {
		for j, v := range X.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, msg.Errorf("linear: X[%d,%d] is %v", i, j, v)
			}
			xm[j] += v
		}
	}
	var ym float64
	for _, v := range y {
		ym += v
	}
	ym /= float64(n)
	for j := range xm {
		xm[j] /= float64(n)
	}

	rows := n
	if opt.Alpha > 0 {
		rows += k
	}
	a := blas64.General{Rows: rows, Cols: k, Stride: k, Data: make([]float64, rows*k)}
	b := blas64.General{Rows: rows, Cols: 1, Stride: 1, Data: make([]float64, rows)}
	norms := make([]float64, k)
	for i := range n {
		row := a.Data[i*k : (i+1)*k]
		for j, v := range X.RawRowView(i) {
			row[j] = v - xm[j]
			norms[j] += row[j] * row[j]
		}
		b.Data[i] = y[i] - ym
	}
	if opt.Alpha > 0 {
		s := math.Sqrt(opt.Alpha)
		for j := range k {
			a.Data[(n+j)*k+j] = s
		}
	}
	for j := range norms {
		norms[j] = math.Sqrt(norms[j])
	}

	tau := make([]float64, k)
	work := make([]float64, 1)
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(a, tau, work, len(work))

	if opt.Alpha == 0 {
		if err := checkRank(a, norms, xm, n); err != nil {
			return nil, err
		}
	}

	// b ← Qᵀb, then solve R·coef = b[:k].
	lapack64.Ormqr(blas.Left, blas.Trans, a, tau, b, work[:1], -1)
	if need := int(work[0]); need > len(work) {
		work = make([]float64, need)
	}
	lapack64.Ormqr(blas.Left, blas.Trans, a, tau, b, work, len(work))
	r := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: k, Stride: k, Data: a.Data}
	top := blas64.General{Rows: k, Cols: 1, Stride: 1, Data: b.Data[:k]}
	if !lapack64.Trtrs(blas.NoTrans, r, top) {
		return nil, errors.New("linear: singular system") // unreachable after checkRank or with alpha > 0
	}

	m := &Model{Intercept: ym, Coef: append([]float64(nil), b.Data[:k]...)}
	for j, c := range m.Coef {
		m.Intercept -= xm[j] * c
	}
	return m, nil
}

// checkRank looks at the diagonal of R: |R_jj| is the norm of the part of
// centred column j orthogonal to columns 0..j-1, so a tiny ratio to the
// column's own norm means column j depends on earlier ones. A column whose
// centred norm is rounding noise relative to its mean is constant.
func checkRank(qr blas64.General, norms, means []float64, n int) error {
	k := qr.Cols
	for j := range k {
		d := math.Abs(qr.Data[j*k+j])
		if norms[j] == 0 || norms[j] <= rankTol*math.Sqrt(float64(n))*math.Abs(means[j]) {
			return &CollinearError{Column: j}
		}
		if d > rankTol*norms[j] {
			continue
		}
		// Columns 0..j-1 are independent, so R[:j,:j]·c = R[:j,j] gives the
		// combination of them that reproduces column j.
		c := make([]float64, j)
		for i := range j {
			c[i] = qr.Data[i*k+j]
		}
		r := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: j, Stride: k, Data: qr.Data}
		blas64.Trsv(blas.NoTrans, r, blas64.Vector{N: j, Inc: 1, Data: c})
		e := &CollinearError{Column: j}
		for i, ci := range c {
			if math.Abs(ci)*norms[i] > 1e-6*norms[j] {
				e.With = append(e.With, i)
			}
		}
		return e
	}
	return nil
}

// Predict returns Intercept + X·Coef for each row of X. It panics if X does
// not have len(Coef) columns.
func (m *Model) Predict(X *mat.Dense) []float64 {
	n, k := X.Dims()
	if k != len(m.Coef) {
		panic(fmt.Sprintf("linear: X has %d columns, model has %d", k, len(m.Coef)))
	}
	out := make([]float64, n)
	v := mat.NewVecDense(n, out)
	v.MulVec(X, mat.NewVecDense(k, m.Coef))
	for i := range out {
		out[i] += m.Intercept
	}
	return out
}
