// Package eval scores models: classification, ranking, probability,
// marketing (gains, lift, calibration) and regression metrics.
//
// Every metric that scikit-learn also has returns the same number on the
// same input (bit for bit on every fixture case, though tests allow 1e-12
// relative since summation order could differ on other data), checked against fixtures written by testdata/gen_fixtures.py
// with Debian's scikit-learn 1.2.1. Where sklearn only warns and returns a
// placeholder (0 or NaN), these functions return an error instead, so a
// caller cannot mistake an undefined metric for a real one; the exceptions
// are documented on each function.
//
// Binary labels are 0 (negative) and 1 (positive). Scores may be any finite
// real for the ranking metrics and must lie in [0,1] for the probability
// metrics.
package eval

import (
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Errors callers may want to tell apart.
var (
	ErrEmpty       = msg.Errorf("eval: no data: the input is empty")
	ErrOneClass    = msg.Errorf("eval: only one class present in the true labels; the metric is not defined")
	ErrNoPositives = msg.Errorf("eval: no positive labels; the metric is not defined")
)

func checkLen(a, b int) error {
	if a != b {
		return msg.Errorf("eval: length mismatch: %d true values but %d predictions", a, b)
	}
	if a == 0 {
		return ErrEmpty
	}
	return nil
}

func checkBinary(y []int) error {
	for i, v := range y {
		if v != 0 && v != 1 {
			return msg.Errorf("eval: label %d at index %d is not 0 or 1", v, i)
		}
	}
	return nil
}

func checkFinite(name string, x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return msg.Errorf("eval: %s at index %d is %v; values must be finite", name, i, v)
		}
	}
	return nil
}

func checkProb(p []float64) error {
	if err := checkFinite("probability", p); err != nil {
		return err
	}
	for i, v := range p {
		if v < 0 || v > 1 {
			return msg.Errorf("eval: probability %v at index %d is outside [0, 1]", v, i)
		}
	}
	return nil
}

// sum is numpy's pairwise summation (eight accumulators per block of up
// to 128, halves above that), so sums and means round exactly as the
// reference's do, which matters for R2 on nearly constant data.
func sum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += x[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += x[i]
		}
		return s
	}
	h := n / 2
	h -= h % 8
	return sum(x[:h]) + sum(x[h:])
}

func mean(x []float64) float64 { return sum(x) / float64(len(x)) }
