package abtest

import (
	"fmt"
	"math"
)

// ProbabilityToBeat is P(rate_variant > rate_control) under uniform priors:
// the control's rate has posterior Beta(1+k0, 1+n0-k0) and the variant's
// Beta(1+k1, 1+n1-k1). It is exact (a finite sum, no sampling), so the same
// counts always give the same answer.
func ProbabilityToBeat(k1, n1, k0, n0 int64) (float64, error) {
	if err := checkCount(k1, n1); err != nil {
		return 0, err
	}
	if err := checkCount(k0, n0); err != nil {
		return 0, err
	}
	return bayes(k0, n0, k1, n1).ProbBeatControl, nil
}

// ExpectedLoss is the expected shortfall in conversion rate from choosing
// the variant, E[max(rate_control - rate_variant, 0)], and from keeping the
// control, E[max(rate_variant - rate_control, 0)], under the same
// posteriors as ProbabilityToBeat. A common stopping rule ships the variant
// once its loss is below a threshold the business can live with.
func ExpectedLoss(k1, n1, k0, n0 int64) (chooseVariant, keepControl float64, err error) {
	if err := checkCount(k1, n1); err != nil {
		return 0, 0, err
	}
	if err := checkCount(k0, n0); err != nil {
		return 0, 0, err
	}
	b := bayes(k0, n0, k1, n1)
	return b.LossVariant, b.LossControl, nil
}

func bayes(k0, n0, k1, n1 int64) Bayes {
	aA, bA := float64(1+k0), float64(1+n0-k0) // control
	aB, bB := float64(1+k1), float64(1+n1-k1) // variant
	return Bayes{
		ProbBeatControl: probGreater(aA, bA, aB, bB),
		ProbControlWins: probGreater(aB, bB, aA, bA),
		LossVariant:     expectedShortfall(aB, bB, aA, bA),
		LossControl:     expectedShortfall(aA, bA, aB, bB),
	}
}

// probGreater is P(Y > X) for X ~ Beta(aX, bX), Y ~ Beta(aY, bY), with aX
// and aY positive integers (Evan Miller's closed form, 2015):
//
//	P = Σ_{i=0}^{aY-1} B(aX+i, bX+bY) / ((bY+i) B(1+i, bY) B(aX, bX)).
//
// See betaSeries for how the sum is evaluated.
func probGreater(aX, bX, aY, bY float64) float64 {
	return math.Min(1, betaSeries(aX, bX, bY, aY, nil))
}

// expectedShortfall is E[max(pY - pX, 0)] for the same X and Y. From
// x·f(x; a, b) = m·f(x; a+1, b) it is mY·P(Y' > X) - mX·P(Y > X') with
// Y' ~ Beta(aY+1, bY) and X' ~ Beta(aX+1, bX). Both sums share their terms
// up to a factor, so they are combined term by term:
//
//	Σ_{i<aY} t_i·(aY·bX + bY·(aY-aX-i)) / ((aY+bY)(aX+bX+bY+i)) + t_{aY}·aY/(aY+bY)
//
// where t_i are the terms of P(Y' > X). A common rounding error in the
// terms then scales the answer instead of being amplified by subtracting
// two nearly equal probabilities, and a loss of 1e-117 keeps its digits.
func expectedShortfall(aX, bX, aY, bY float64) float64 {
	den := aY + bY
	w := func(i float64) float64 {
		if i == aY {
			return aY / den
		}
		return (aY*bX + bY*(aY-aX-i)) / (den * (aX + bX + bY + i))
	}
	return math.Max(0, betaSeries(aX, bX, bY, aY+1, w))
}

// betaSeries returns Σ_{i<count} t_i·w(i) (w nil meaning 1), with t_i the
// terms of Evan Miller's sum for P(Y > X) above. Consecutive terms have the
// ratio (aX+i)(bY+i) / ((i+1)(aX+bX+bY+i)) and the first is
// Π_{j<aX} (bX+j)/(bX+bY+j), so no log-gamma of a large number is ever
// taken (the rounding in lgamma(1e6) ≈ 1.3e7 alone would cost 1e-9 relative)
// and no logarithm either: everything is a product of ratios of integers,
// kept as mantissa × 2^exponent with exact power-of-two rescaling so that
// nothing overflows or underflows. Each term carries about 2·(aX+i) roundings
// that add up like a random walk: about 1e-14 relative at 20,000
// conversions. Cost: aX + count steps, that is, the number of conversions.
func betaSeries(aX, bX, bY, count float64, w func(float64) float64) float64 {
	if aX != math.Trunc(aX) || count != math.Trunc(count) || aX < 1 || count < 1 {
		panic(fmt.Sprintf("abtest: betaSeries needs integer shape parameters, got %v and %v", aX, count))
	}
	const (
		up   = 0x1p500
		down = 0x1p-500
	)
	t, exp := 1.0, 0
	for j := 0.0; j < aX; j++ {
		t *= (bX + j) / (bX + bY + j)
		if t < down {
			t *= up
			exp -= 500
		}
	}
	var pos, neg float64
	for i := 0.0; i < count; i++ {
		v := t
		if w != nil {
			v *= w(i)
		}
		if v >= 0 {
			pos += v
		} else {
			neg -= v
		}
		t *= (aX + i) * (bY + i) / ((i + 1) * (aX + bX + bY + i))
		if t > up || pos > up || neg > up {
			t *= down
			pos *= down
			neg *= down
			exp += 500
		}
	}
	return math.Ldexp(pos-neg, exp)
}
