package abtest

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/marketbench/marketbench/analytics/msg"
)

// SummarizeRevenue summarises revenue per customer: one value per customer
// of the group, 0 for customers who spent nothing. It needs at least two
// values (a standard deviation needs two). Mean and SD are computed in two
// passes, so large amounts do not lose precision.
func SummarizeRevenue(values []float64) (Revenue, error) {
	if len(values) < 2 {
		return Revenue{}, msg.Errorf("abtest: %d revenue values: at least 2 customers are needed for a spread", len(values))
	}
	var s float64
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Revenue{}, msg.Errorf("abtest: revenue value %d is %v; use 0 for customers who spent nothing", i+1, v)
		}
		s += v
	}
	n := float64(len(values))
	m := s / n
	var ss, c float64
	for _, v := range values {
		d := v - m
		ss += d * d
		c += d
	}
	// Corrected two-pass variance (Chan, Golub & LeVeque): c is the
	// rounding error left in the mean.
	return Revenue{N: int64(len(values)), Mean: m, SD: math.Sqrt((ss - c*c/n) / (n - 1))}, nil
}

// meanCI is Mean ± t(n-1)·SD/√n, the interval scipy.stats.t.interval gives.
// For groups of thousands the t and normal quantiles agree to 3 or more
// digits; the interval rests on the central limit theorem, not on revenue
// being normal, so heavy tails need large groups.
func meanCI(r Revenue, conf float64) Interval {
	if r.N < 2 {
		return Interval{math.NaN(), math.NaN()}
	}
	h := tCrit(conf, float64(r.N-1)) * r.SD / math.Sqrt(float64(r.N))
	return Interval{r.Mean - h, r.Mean + h}
}

func tCrit(conf, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - (1-conf)/2)
}

// tTwoSided is 2·P(T > |t|) for Student's t with df degrees of freedom:
// I_{df/(df+t²)}(df/2, 1/2), evaluated directly so small p keep their digits.
func tTwoSided(t, df float64) float64 {
	if t == 0 {
		return 1
	}
	return mathext.RegIncBeta(df/2, 0.5, df/(df+t*t))
}

// WelchTTest compares mean revenue per customer of a variant with the
// control without assuming equal variances: t = (m1 - m0)/SE with
// SE² = s1²/n1 + s0²/n0 and Welch–Satterthwaite degrees of freedom, as
// scipy.stats.ttest_ind(variant, control, equal_var=False). The difference
// interval uses the same SE and df. T, DF and P are NaN when a group has
// fewer than 2 customers, both standard deviations are 0, or conf is not
// in (0, 1) (0 means 0.95).
func WelchTTest(variant, control Revenue, conf float64) Welch {
	w := Welch{Diff: variant.Mean - control.Mean, RelLift: relLift(variant.Mean, control.Mean)}
	if control.Mean < 0 {
		w.RelLift = math.NaN() // a ratio against a negative mean (net refunds) means nothing
	}
	nan := math.NaN()
	w.T, w.DF, w.P, w.PAdjusted, w.DiffCI = nan, nan, nan, nan, Interval{nan, nan}
	conf, err := confidence(conf)
	if err != nil || variant.N < 2 || control.N < 2 {
		return w
	}
	v1 := variant.SD * variant.SD / float64(variant.N)
	v0 := control.SD * control.SD / float64(control.N)
	se2 := v1 + v0
	if se2 == 0 {
		return w
	}
	se := math.Sqrt(se2)
	w.T = w.Diff / se
	w.DF = se2 * se2 / (v1*v1/float64(variant.N-1) + v0*v0/float64(control.N-1))
	w.P = tTwoSided(w.T, w.DF)
	w.PAdjusted = w.P
	h := tCrit(conf, w.DF) * se
	w.DiffCI = Interval{w.Diff - h, w.Diff + h}
	return w
}
