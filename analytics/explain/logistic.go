package explain

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/logistic"
)

// z975 is the standard normal 97.5% quantile, for two-sided 95% intervals.
const z975 = 1.959963984540054

// Term describes one logistic coefficient (or the intercept).
type Term struct {
	// Coef is the fitted log-odds coefficient.
	Coef float64
	// Std is the population (ddof=0) standard deviation of the feature in X,
	// and Standardized is Coef·Std: the change in log-odds per standard
	// deviation, comparable across features measured in different units.
	// Both are 0 for the intercept.
	Std, Standardized float64
	// SE is the Wald standard error, Z = Coef/SE and P its two-sided
	// normal p-value.
	SE, Z, P float64
	// Lo and Hi bound the Wald 95% interval for Coef.
	Lo, Hi float64
	// OddsRatio is exp(Coef): the factor by which the odds of class 1
	// change per unit of the feature; OddsLo and OddsHi are exp(Lo), exp(Hi).
	OddsRatio, OddsLo, OddsHi float64
}

// LogisticReport is the coefficient table of a fitted logistic model.
type LogisticReport struct {
	Intercept Term
	Coef      []Term
	// Penalized reports that an L2 penalty was added to the information
	// matrix; the intervals and p-values are then approximate (see Logistic).
	Penalized bool
}

// Logistic builds the coefficient table of m, fitted on X and y with opt
// (the same options given to logistic.Fit, so C and the class weights
// match the fitted objective).
//
// Standard errors come from the inverse of the observed Fisher information
// of that objective at m: X1'WX1, with X1 = [1 | X] and W the row weights
// times p(1−p), plus the penalty's Hessian I/C on the coefficients (not the
// intercept). With a penalty, or with class weights, this is the curvature
// of a penalised/weighted objective rather than of the likelihood, so the
// Wald intervals and p-values are approximate: shrinkage biases the
// coefficients toward 0 and the intervals ignore that bias. They are
// exact-asymptotic only for an unpenalised (C=+Inf), unweighted fit.
func Logistic(m *logistic.Model, X *mat.Dense, y []float64, opt logistic.Options) (*LogisticReport, error) {
	n, k := X.Dims()
	if k != len(m.Coef) {
		return nil, fmt.Errorf("explain: X has %d columns, model has %d", k, len(m.Coef))
	}
	if len(y) != n || n == 0 {
		return nil, fmt.Errorf("explain: X has %d rows but y has %d values", n, len(y))
	}
	if opt.Penalty == logistic.L1 {
		// Wald intervals need a smooth optimum; an L1 fit has a kink at
		// every zero coefficient, so any interval here would be wrong.
		return nil, fmt.Errorf("explain: no Wald intervals for an L1-penalised model")
	}
	c := opt.C
	if c == 0 {
		c = 1 // logistic.Options' zero value means sklearn's C=1
	}
	if math.IsNaN(c) || c < 0 {
		return nil, fmt.Errorf("explain: C must be > 0, got %v", c)
	}
	cw, err := classWeights(y, opt)
	if err != nil {
		return nil, err
	}

	// H is (k+1)×(k+1) with the intercept at index 0.
	h := mat.NewSymDense(k+1, nil)
	x1 := make([]float64, k+1)
	x1[0] = 1
	for i := range n {
		copy(x1[1:], X.RawRowView(i))
		z := m.Intercept
		for j, v := range m.Coef {
			z += v * x1[j+1]
		}
		p := 1 / (1 + math.Exp(-z))
		w := cw[int(y[i])] * p * (1 - p)
		if w == 0 {
			continue
		}
		h.SymRankOne(h, w, mat.NewVecDense(k+1, x1))
	}
	if !math.IsInf(c, 1) {
		for j := 1; j <= k; j++ {
			h.SetSym(j, j, h.At(j, j)+1/c)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return nil, errors.New("explain: the information matrix is singular (collinear or constant columns without a penalty?); standard errors are undefined")
	}
	var cov mat.SymDense
	if err := ch.InverseTo(&cov); err != nil {
		return nil, fmt.Errorf("explain: inverting the information matrix: %w", err)
	}

	rep := &LogisticReport{Coef: make([]Term, k), Penalized: !math.IsInf(c, 1)}
	rep.Intercept = term(m.Intercept, cov.At(0, 0), 0)
	for j := range k {
		rep.Coef[j] = term(m.Coef[j], cov.At(j+1, j+1), popStd(X, j))
	}
	return rep, nil
}

func term(b, variance, std float64) Term {
	se := math.Sqrt(variance)
	z := b / se
	lo, hi := b-z975*se, b+z975*se
	return Term{
		Coef: b, Std: std, Standardized: b * std,
		SE: se, Z: z, P: math.Erfc(math.Abs(z) / math.Sqrt2),
		Lo: lo, Hi: hi,
		OddsRatio: math.Exp(b), OddsLo: math.Exp(lo), OddsHi: math.Exp(hi),
	}
}

// classWeights repeats logistic.Fit's weighting so the information matrix
// is the Hessian of the objective that was actually minimised.
func classWeights(y []float64, opt logistic.Options) ([2]float64, error) {
	var count [2]int
	for i, v := range y {
		if v != 0 && v != 1 {
			return [2]float64{}, fmt.Errorf("explain: y[%d] is %v, want 0 or 1", i, v)
		}
		count[int(v)]++
	}
	cw := opt.ClassWeight
	for c := range cw {
		switch {
		case opt.Balanced:
			if count[c] == 0 {
				return cw, errors.New("explain: y has only one class")
			}
			cw[c] = float64(len(y)) / (2 * float64(count[c]))
		case math.IsNaN(cw[c]) || math.IsInf(cw[c], 0) || cw[c] < 0:
			return cw, fmt.Errorf("explain: class %d weight must be finite and ≥ 0, got %v", c, cw[c])
		case cw[c] == 0:
			cw[c] = 1
		}
	}
	return cw, nil
}

// popStd is the ddof=0 standard deviation of column j, matching how the
// fixtures (and sklearn's StandardScaler) standardise.
func popStd(X *mat.Dense, j int) float64 {
	n, _ := X.Dims()
	var mean float64
	for i := range n {
		mean += X.At(i, j)
	}
	mean /= float64(n)
	var ss float64
	for i := range n {
		d := X.At(i, j) - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(n))
}
