package abtest

import (
	"fmt"
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// PowerMethod selects the sample-size formula for a two-proportion test.
type PowerMethod int

const (
	// Fleiss is the textbook formula (Fleiss, Levin & Paik, without
	// continuity correction), the one R's power.prop.test (strict = FALSE)
	// and most online calculators use:
	//
	//	n = (z_{1-α/2}·√(2·p̄(1-p̄)) + z_{power}·√(p1(1-p1) + p2(1-p2)))² / (p2-p1)²
	//
	// with p̄ = (p1+p2)/2: the pooled variance under "no difference", the
	// unpooled one under the alternative. Power counts only the tail in
	// the direction of the effect, so Power and SampleSize are exact inverses.
	Fleiss PowerMethod = iota
	// Arcsine is statsmodels NormalIndPower with Cohen's effect size
	// h = 2·asin(√p2) - 2·asin(√p1) (proportion_effectsize), which makes the
	// variance independent of the rates: power = Φ(|h|√(n/2) - z) +
	// Φ(-z - |h|√(n/2)), both tails counted, solved for n. It asks for
	// slightly fewer customers than Fleiss (under 1 % at usual rates).
	Arcsine
)

func (m PowerMethod) String() string {
	switch m {
	case Fleiss:
		return "Fleiss"
	case Arcsine:
		return "arcsine (Cohen's h)"
	}
	return fmt.Sprintf("PowerMethod(%d)", int(m))
}

// Design describes a planned two-group conversion test with equal groups
// and a two-sided test.
type Design struct {
	Baseline float64 // expected control conversion rate, strictly between 0 and 1
	// MDE is the minimum detectable effect: an absolute change in rate
	// (0.01 = one percentage point) unless Relative is set, then a fraction
	// of Baseline (0.10 = +10 %). It may be negative (detecting a drop).
	MDE      float64
	Relative bool
	Alpha    float64 // two-sided significance level; 0 means 0.05
	Method   PowerMethod
}

// Plan is the answer of SampleSize.
type Plan struct {
	PerGroup int64   // customers needed in each group: Exact rounded up
	Exact    float64 // the formula's unrounded answer
	Control  float64 // the baseline rate
	Target   float64 // the rate the variant must reach: the baseline plus the effect
}

func (d Design) rates() (p1, p2, alpha float64, err error) {
	alpha = d.Alpha
	if alpha == 0 {
		alpha = 0.05
	}
	if !(alpha > 0 && alpha < 1) {
		return 0, 0, 0, msg.Errorf("abtest: significance level alpha %v must be between 0 and 1 (0.05 is usual)", d.Alpha)
	}
	if !(d.Baseline > 0 && d.Baseline < 1) {
		return 0, 0, 0, msg.Errorf("abtest: baseline rate %v must be between 0 and 1 (write 5 %% as 0.05)", d.Baseline)
	}
	if d.MDE == 0 || math.IsNaN(d.MDE) || math.IsInf(d.MDE, 0) {
		return 0, 0, 0, msg.Errorf("abtest: minimum detectable effect %v: it must be a non-zero number", d.MDE)
	}
	p1 = d.Baseline
	p2 = d.Baseline + d.MDE
	if d.Relative {
		p2 = d.Baseline * (1 + d.MDE)
	}
	if !(p2 > 0 && p2 < 1) {
		return 0, 0, 0, msg.Errorf("abtest: a baseline of %v with an effect of %v gives a target rate of %v, which is not between 0 and 1", d.Baseline, d.MDE, p2)
	}
	if d.Method != Fleiss && d.Method != Arcsine {
		return 0, 0, 0, msg.Errorf("abtest: unknown sample-size method %d", int(d.Method))
	}
	return p1, p2, alpha, nil
}

// SampleSize is the number of customers per group (control and variant
// alike) for a two-sided test at level Alpha to detect the design's
// effect with the given power (0.8 is usual).
func SampleSize(d Design, power float64) (Plan, error) {
	p1, p2, alpha, err := d.rates()
	if err != nil {
		return Plan{}, err
	}
	if !(power > alpha && power < 1) {
		return Plan{}, msg.Errorf("abtest: power %v must be between alpha (%v) and 1 (0.8 is usual)", power, alpha)
	}
	za := zQuantile(1 - alpha/2)
	zb := zQuantile(power)
	var n float64
	switch d.Method {
	case Fleiss:
		pbar := (p1 + p2) / 2
		num := za*math.Sqrt(2*pbar*(1-pbar)) + zb*math.Sqrt(p1*(1-p1)+p2*(1-p2))
		n = num * num / ((p2 - p1) * (p2 - p1))
	case Arcsine:
		h := math.Abs(cohenH(p1, p2))
		// Power rises with s = √n from α at s = 0; at the one-tail answer
		// s0 it is already above the target, since the far tail only adds.
		// Bisect to the last bit.
		lo, hi := 0.0, (za+zb)/h*math.Sqrt2
		for range 200 {
			mid := (lo + hi) / 2
			if mid == lo || mid == hi {
				break
			}
			if arcsinePower(h, mid*mid, za) < power {
				lo = mid
			} else {
				hi = mid
			}
		}
		n = hi * hi
	}
	return Plan{PerGroup: int64(math.Ceil(n)), Exact: n, Control: p1, Target: p2}, nil
}

// Power is the probability that a two-sided test at level Alpha detects
// the design's effect with perGroup customers in each group.
func Power(d Design, perGroup float64) (float64, error) {
	p1, p2, alpha, err := d.rates()
	if err != nil {
		return 0, err
	}
	if !(perGroup > 0) || math.IsInf(perGroup, 0) {
		return 0, msg.Errorf("abtest: %v customers per group: there must be at least one", perGroup)
	}
	za := zQuantile(1 - alpha/2)
	if d.Method == Arcsine {
		return arcsinePower(math.Abs(cohenH(p1, p2)), perGroup, za), nil
	}
	pbar := (p1 + p2) / 2
	x := (math.Sqrt(perGroup)*math.Abs(p2-p1) - za*math.Sqrt(2*pbar*(1-pbar))) / math.Sqrt(p1*(1-p1)+p2*(1-p2))
	return normCDF(x), nil
}

// cohenH is statsmodels proportion_effectsize(p2, p1).
func cohenH(p1, p2 float64) float64 {
	return 2*math.Asin(math.Sqrt(p2)) - 2*math.Asin(math.Sqrt(p1))
}

// arcsinePower is statsmodels NormalIndPower.power with ratio 1: the
// effective sample size is n/2.
func arcsinePower(h, n, za float64) float64 {
	s := h * math.Sqrt(n/2)
	return normCDF(s-za) + normCDF(-za-s)
}
