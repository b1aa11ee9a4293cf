package abtest

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/marketbench/marketbench/analytics/msg"
)

// zCrit is the two-sided normal critical value for a confidence level.
func zCrit(conf float64) float64 {
	return distuv.UnitNormal.Quantile(1 - (1-conf)/2)
}

// normTwoSided is 2·P(Z > |z|). It uses the lower tail (erfc), which keeps
// full relative precision far out, unlike distuv.Normal.Survival (1 - erf).
func normTwoSided(z float64) float64 {
	return 2 * distuv.UnitNormal.CDF(-math.Abs(z))
}

func checkCount(k, n int64) error {
	switch {
	case n <= 0:
		return msg.Errorf("abtest: group size %d: there must be at least one customer", n)
	case k < 0:
		return msg.Errorf("abtest: %d conversions: conversions cannot be negative", k)
	case k > n:
		return msg.Errorf("abtest: %d conversions out of %d customers: conversions cannot exceed the group size", k, n)
	}
	return nil
}

// WilsonInterval is the Wilson score interval for k conversions out of n
// (statsmodels proportion_confint(method="wilson")). It stays inside [0, 1]
// and behaves well for rates near 0 or 1 and small n.
func WilsonInterval(k, n int64, conf float64) (Interval, error) {
	if err := checkCount(k, n); err != nil {
		return Interval{}, err
	}
	conf, err := confidence(conf)
	if err != nil {
		return Interval{}, err
	}
	z := zCrit(conf)
	z2, nf := z*z, float64(n)
	p := float64(k) / nf
	denom := 1 + z2/nf
	center := (p + z2/(2*nf)) / denom
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	return Interval{center - half, center + half}, nil
}

// WaldInterval is the normal-approximation interval p ± z·√(p(1-p)/n),
// clipped to [0, 1] (statsmodels proportion_confint(method="normal")). It
// is too narrow for small n or rates near 0 and 1; prefer WilsonInterval.
func WaldInterval(k, n int64, conf float64) (Interval, error) {
	if err := checkCount(k, n); err != nil {
		return Interval{}, err
	}
	conf, err := confidence(conf)
	if err != nil {
		return Interval{}, err
	}
	nf := float64(n)
	p := float64(k) / nf
	h := zCrit(conf) * math.Sqrt(p*(1-p)/nf)
	return Interval{math.Max(0, p-h), math.Min(1, p+h)}, nil
}

// diffCI is the unpooled Wald interval for p1 - p0.
func diffCI(k1, n1, k0, n0 int64, z float64) Interval {
	p1, p0 := float64(k1)/float64(n1), float64(k0)/float64(n0)
	d := p1 - p0
	h := z * math.Sqrt(p1*(1-p1)/float64(n1)+p0*(1-p0)/float64(n0))
	return Interval{d - h, d + h}
}

// ratioCI is the Katz log interval for p1/p0, minus 1 (a relative lift).
func ratioCI(k1, n1, k0, n0 int64, z float64) Interval {
	if k1 == 0 || k0 == 0 {
		return Interval{math.NaN(), math.NaN()}
	}
	p1, p0 := float64(k1)/float64(n1), float64(k0)/float64(n0)
	se := math.Sqrt(1/float64(k1) - 1/float64(n1) + 1/float64(k0) - 1/float64(n0))
	l := math.Log(p1 / p0)
	return Interval{math.Expm1(l - z*se), math.Expm1(l + z*se)}
}

// ProportionsZTest is the pooled two-proportion z-test of k1/n1 against
// k0/n0 with a two-sided p-value, as statsmodels proportions_ztest([k1, k0],
// [n1, n0]). Without continuity correction z² equals the 2×2 chi-square
// statistic. z and p are NaN when the pooled rate is 0 or 1 (no
// information). Invalid counts give NaN too; Analyze validates first.
func ProportionsZTest(k1, n1, k0, n0 int64) (z, p float64) {
	if checkCount(k1, n1) != nil || checkCount(k0, n0) != nil {
		return math.NaN(), math.NaN()
	}
	pool := float64(k1+k0) / float64(n1+n0)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n0)))
	if se == 0 {
		return math.NaN(), math.NaN()
	}
	z = (float64(k1)/float64(n1) - float64(k0)/float64(n0)) / se
	return z, normTwoSided(z)
}

// ChiSquareIndependence is Pearson's chi-square test of independence on an
// r×c table of counts, as scipy.stats.chi2_contingency. With yates set,
// Yates' correction is applied when the table has one degree of freedom
// (2×2), exactly as scipy does (each |observed - expected| shrunk by at
// most 0.5); larger tables are never corrected. It returns an error when a
// row or column sums to zero, since the expected counts then include 0.
func ChiSquareIndependence(table [][]int64, yates bool) (ChiSquare, error) {
	r := len(table)
	if r < 2 {
		return ChiSquare{}, msg.Errorf("abtest: a chi-square test needs at least 2 rows")
	}
	c := len(table[0])
	if c < 2 {
		return ChiSquare{}, msg.Errorf("abtest: a chi-square test needs at least 2 columns")
	}
	rows := make([]float64, r)
	cols := make([]float64, c)
	var total float64
	for i, row := range table {
		if len(row) != c {
			return ChiSquare{}, msg.Errorf("abtest: row %d of the table has %d cells, row 1 has %d", i+1, len(row), c)
		}
		for j, v := range row {
			if v < 0 {
				return ChiSquare{}, msg.Errorf("abtest: cell (%d, %d) of the table is %d; counts cannot be negative", i+1, j+1, v)
			}
			rows[i] += float64(v)
			cols[j] += float64(v)
			total += float64(v)
		}
	}
	for i, s := range rows {
		if s == 0 {
			return ChiSquare{}, msg.Errorf("abtest: row %d of the table is all zeros; the chi-square test is undefined", i+1)
		}
	}
	for j, s := range cols {
		if s == 0 {
			return ChiSquare{}, msg.Errorf("abtest: column %d of the table is all zeros (for conversions: nobody or everybody converted); the chi-square test is undefined", j+1)
		}
	}
	df := (r - 1) * (c - 1)
	corr := yates && df == 1
	var stat float64
	for i, row := range table {
		for j, v := range row {
			e := rows[i] * cols[j] / total
			d := float64(v) - e
			if corr {
				d = math.Copysign(math.Max(0, math.Abs(d)-0.5), d)
			}
			stat += d * d / e
		}
	}
	return ChiSquare{Stat: stat, DF: df, P: chi2Survival(stat, df), Yates: corr}, nil
}

func chi2Survival(x float64, df int) float64 {
	return distuv.ChiSquared{K: float64(df)}.Survival(x)
}

func zQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }

func normCDF(x float64) float64 { return distuv.UnitNormal.CDF(x) }
