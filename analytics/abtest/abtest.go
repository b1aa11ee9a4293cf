package abtest

import (
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Group is one arm of a campaign as counted after it ran.
type Group struct {
	Name        string
	N           int64    // customers assigned to the group, whether or not they did anything
	Conversions int64    // customers who converted (visited, bought, ...), 0..N
	Revenue     *Revenue // optional revenue per customer; nil when not tracked
}

// Revenue summarises revenue per customer over all N customers of a group,
// customers who spent nothing counting as 0. Build it with SummarizeRevenue
// from the raw amounts, or fill it from an aggregate query.
type Revenue struct {
	N    int64   // customers summarised; must equal the group's N
	Mean float64 // mean revenue per customer
	SD   float64 // sample standard deviation (n-1 denominator)
}

// Interval is a two-sided confidence interval [Lo, Hi].
type Interval struct{ Lo, Hi float64 }

// Adjustment corrects per-variant p-values for testing several variants
// against the same control.
type Adjustment int

const (
	AdjustNone       Adjustment = iota // report raw p-values
	AdjustHolm                         // Holm–Bonferroni step-down (controls the family-wise error rate)
	AdjustBonferroni                   // Bonferroni: p times the number of variants
)

func (a Adjustment) String() string { return a.Words().String() }

// Words names the adjustment for people ("none", "Holm", "Bonferroni").
func (a Adjustment) Words() msg.Msg {
	switch a {
	case AdjustNone:
		return msg.New("none")
	case AdjustHolm:
		return msg.New("Holm")
	case AdjustBonferroni:
		return msg.New("Bonferroni")
	}
	return msg.New("Adjustment(%d)", int(a))
}

// Options control Analyze. The zero value is the usual readout: 95 %
// intervals, chi-square without continuity correction, raw p-values and no
// sample-ratio check.
type Options struct {
	// Confidence level of every interval, in (0, 1); 0 means 0.95. Tests
	// are called significant when p < 1 - Confidence.
	Confidence float64
	// Yates applies Yates' continuity correction to the 2×2 chi-square
	// tests (and to the overall test when there is only one variant), as
	// scipy.stats.chi2_contingency(correction=True) does.
	Yates bool
	// Adjust corrects the z-test and Welch p-values for the number of variants.
	Adjust Adjustment
	// Split is the planned share of customers per group in percent,
	// control first, then the variants in order; it must add up to 100
	// (within 0.1 for rounded shares such as 33.33). nil skips the
	// sample-ratio-mismatch check.
	Split []float64
}

// GroupResult describes one group on its own.
type GroupResult struct {
	Name           string
	N, Conversions int64
	Rate           float64  // Conversions / N
	Wilson         Interval // Wilson score interval for Rate (recommended)
	Wald           Interval // normal-approximation (Wald) interval, clipped to [0, 1]
	Revenue        *RevenueResult
}

// RevenueResult is revenue per customer of one group.
type RevenueResult struct {
	Mean, SD float64
	CI       Interval // Mean ± t(n-1) · SD/√n
}

// ZTest is the pooled two-proportion z-test (statsmodels proportions_ztest).
type ZTest struct {
	Z         float64 // (rate_variant - rate_control) / pooled standard error
	P         float64 // two-sided
	PAdjusted float64 // after Options.Adjust (equal to P for AdjustNone)
}

// ChiSquare is a chi-square test statistic with its degrees of freedom and p-value.
type ChiSquare struct {
	Stat  float64
	DF    int
	P     float64
	Yates bool // continuity correction applied
}

// Bayes is the Beta-Binomial comparison with uniform Beta(1, 1) priors:
// posteriors Beta(1+conversions, 1+non-conversions).
type Bayes struct {
	ProbBeatControl float64 // P(rate_variant > rate_control)
	ProbControlWins float64 // P(rate_control > rate_variant), computed on its own so it keeps its digits when tiny
	LossVariant     float64 // expected loss in rate if the variant is chosen: E[max(rate_control - rate_variant, 0)]
	LossControl     float64 // expected loss in rate if the control is kept: E[max(rate_variant - rate_control, 0)]
}

// Welch is Welch's unequal-variance t-test on revenue per customer,
// variant minus control (scipy.stats.ttest_ind(equal_var=False)).
type Welch struct {
	Diff      float64  // mean_variant - mean_control
	DiffCI    Interval // Diff ± t(DF) · SE
	RelLift   float64  // mean_variant / mean_control - 1
	T, DF     float64
	P         float64 // two-sided
	PAdjusted float64 // after Options.Adjust
}

// Comparison is one variant against the control.
type Comparison struct {
	Variant   GroupResult
	AbsLift   float64  // rate_variant - rate_control
	AbsLiftCI Interval // unpooled normal (Wald) interval for the difference
	RelLift   float64  // rate_variant / rate_control - 1 (+Inf or NaN when the control rate is 0)
	RelLiftCI Interval // log risk-ratio (Katz) interval minus 1; NaN when either group has no conversions
	ZTest     ZTest
	ChiSquare ChiSquare // 2×2 test of independence; NaN when nobody or everybody converted in both groups
	Bayes     Bayes
	Revenue   *Welch // nil unless both groups have Revenue
	// Significant is ZTest.PAdjusted < 1 - Confidence.
	Significant bool
}

// Report is the readout of one campaign.
type Report struct {
	Confidence float64
	Adjust     Adjustment
	Control    GroupResult
	Variants   []Comparison
	// Overall is the k×2 chi-square test of independence over all groups:
	// does the conversion rate differ anywhere?
	Overall ChiSquare
	SRM     *SRM // nil when Options.Split is nil
	// Notes explain, in plain words, numbers that came out undefined (NaN).
	Notes []msg.Msg
}

// Analyze compares every variant with the control.
func Analyze(control Group, variants []Group, opt Options) (*Report, error) {
	conf, err := confidence(opt.Confidence)
	if err != nil {
		return nil, err
	}
	if len(variants) == 0 {
		return nil, msg.Errorf("abtest: no variants: give at least one variant to compare with the control")
	}
	if opt.Adjust < AdjustNone || opt.Adjust > AdjustBonferroni {
		return nil, msg.Errorf("abtest: unknown p-value adjustment %d", int(opt.Adjust))
	}
	all := append([]Group{control}, variants...)
	for i, g := range all {
		if err := g.validate(i == 0); err != nil {
			return nil, err
		}
	}
	r := &Report{Confidence: conf, Adjust: opt.Adjust}
	if opt.Split != nil {
		sizes := make([]int64, len(all))
		for i, g := range all {
			sizes[i] = g.N
		}
		srm, err := SampleRatioCheck(sizes, opt.Split)
		if err != nil {
			return nil, err
		}
		r.SRM = &srm
	}

	r.Control = groupResult(control, conf)
	z := zCrit(conf)
	c := control
	for _, v := range variants {
		k := Comparison{Variant: groupResult(v, conf)}
		p1, p0 := rate(v), rate(c)
		k.AbsLift = p1 - p0
		k.AbsLiftCI = diffCI(v.Conversions, v.N, c.Conversions, c.N, z)
		k.RelLift = relLift(p1, p0)
		k.RelLiftCI = ratioCI(v.Conversions, v.N, c.Conversions, c.N, z)
		if c.Conversions == 0 {
			r.Notes = append(r.Notes, msg.New("%s: the control %q has no conversions, so the relative lift and its interval are undefined", v.Name, c.Name))
		} else if v.Conversions == 0 {
			r.Notes = append(r.Notes, msg.New("%s: no conversions, so the relative-lift interval is undefined", v.Name))
		}
		k.ZTest.Z, k.ZTest.P = ProportionsZTest(v.Conversions, v.N, c.Conversions, c.N)
		if math.IsNaN(k.ZTest.P) {
			r.Notes = append(r.Notes, msg.New("%s: nobody or everybody converted in both %q and the control, so the z-test and chi-square test are undefined", v.Name, v.Name))
		}
		cs, err := ChiSquareIndependence([][]int64{
			{v.Conversions, v.N - v.Conversions},
			{c.Conversions, c.N - c.Conversions}}, opt.Yates)
		if err != nil {
			cs = ChiSquare{Stat: math.NaN(), DF: 1, P: math.NaN(), Yates: opt.Yates}
		}
		k.ChiSquare = cs
		k.Bayes = bayes(c.Conversions, c.N, v.Conversions, v.N)
		if v.Revenue != nil && c.Revenue != nil {
			w := WelchTTest(*v.Revenue, *c.Revenue, conf)
			if math.IsNaN(w.P) {
				r.Notes = append(r.Notes, msg.New("%s: revenue per customer cannot be compared with a t-test (fewer than 2 customers, or no spread in either group)", v.Name))
			}
			k.Revenue = &w
		} else if (v.Revenue != nil) != (c.Revenue != nil) {
			r.Notes = append(r.Notes, msg.New("%s: revenue is given for only one of %q and the control %q, so revenue is not compared", v.Name, v.Name, c.Name))
		}
		r.Variants = append(r.Variants, k)
	}

	pz := make([]float64, len(r.Variants))
	for i, k := range r.Variants {
		pz[i] = k.ZTest.P
	}
	adj, _ := AdjustPValues(pz, opt.Adjust)
	var pw []float64
	for _, k := range r.Variants {
		if k.Revenue != nil {
			pw = append(pw, k.Revenue.P)
		}
	}
	adjw, _ := AdjustPValues(pw, opt.Adjust)
	j := 0
	for i := range r.Variants {
		k := &r.Variants[i]
		k.ZTest.PAdjusted = adj[i]
		k.Significant = adj[i] < 1-conf
		if k.Revenue != nil {
			k.Revenue.PAdjusted = adjw[j]
			j++
		}
	}

	table := make([][]int64, len(all))
	for i, g := range all {
		table[i] = []int64{g.Conversions, g.N - g.Conversions}
	}
	r.Overall, err = ChiSquareIndependence(table, opt.Yates)
	if err != nil {
		r.Overall = ChiSquare{Stat: math.NaN(), DF: len(all) - 1, P: math.NaN()}
		r.Notes = append(r.Notes, msg.New("overall: nobody or everybody converted in every group, so the overall chi-square test is undefined"))
	}
	return r, nil
}

func (g Group) validate(isControl bool) error {
	what := msg.New("variant %q", g.Name)
	if isControl {
		what = msg.New("control %q", g.Name)
	}
	switch {
	case g.N < 0:
		return msg.Errorf("abtest: %s has %d customers; the group size cannot be negative", what, g.N)
	case g.N == 0:
		return msg.Errorf("abtest: %s has no customers (n = 0); every group needs at least one customer", what)
	case g.Conversions < 0:
		return msg.Errorf("abtest: %s has %d conversions; conversions cannot be negative", what, g.Conversions)
	case g.Conversions > g.N:
		return msg.Errorf("abtest: %s has %d conversions but only %d customers; a customer converts at most once, so conversions cannot exceed the group size", what, g.Conversions, g.N)
	}
	if r := g.Revenue; r != nil {
		switch {
		case r.N != g.N:
			return msg.Errorf("abtest: %s: the revenue covers %d customers but the group has %d; include customers who spent nothing as 0", what, r.N, g.N)
		case math.IsNaN(r.Mean) || math.IsInf(r.Mean, 0):
			return msg.Errorf("abtest: %s: the mean revenue is %v; it must be a finite number", what, r.Mean)
		case math.IsNaN(r.SD) || math.IsInf(r.SD, 0) || r.SD < 0:
			return msg.Errorf("abtest: %s: the revenue standard deviation is %v; it must be a finite number, 0 or more", what, r.SD)
		}
	}
	return nil
}

func confidence(c float64) (float64, error) {
	if c == 0 {
		return 0.95, nil
	}
	if !(c > 0 && c < 1) {
		return 0, msg.Errorf("abtest: confidence level %v is not between 0 and 1 (use 0.95 for 95 %%)", c)
	}
	return c, nil
}

func rate(g Group) float64 { return float64(g.Conversions) / float64(g.N) }

func relLift(p1, p0 float64) float64 {
	if p0 == 0 {
		if p1 == 0 {
			return math.NaN()
		}
		return math.Inf(1)
	}
	return p1/p0 - 1
}

func groupResult(g Group, conf float64) GroupResult {
	r := GroupResult{Name: g.Name, N: g.N, Conversions: g.Conversions, Rate: rate(g)}
	r.Wilson, _ = WilsonInterval(g.Conversions, g.N, conf)
	r.Wald, _ = WaldInterval(g.Conversions, g.N, conf)
	if g.Revenue != nil {
		r.Revenue = &RevenueResult{Mean: g.Revenue.Mean, SD: g.Revenue.SD, CI: meanCI(*g.Revenue, conf)}
	}
	return r
}
