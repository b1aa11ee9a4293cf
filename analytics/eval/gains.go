package eval

import (
	"fmt"
	"sort"
)

// Group is one row of a gains/lift table: a slice of the customers ranked
// by score, best first.
type Group struct {
	Count     int
	Positives int
	Rate      float64 // Positives / Count
	Lift      float64 // Rate / overall positive rate
	CumCount  int
	CumGains  float64 // share of all positives found in this and earlier groups, 0..1
	CumLift   float64 // cumulative rate / overall rate
}

// Gains ranks samples by score, highest first, splits them into the given
// number of groups (10 for deciles) and reports response rate, lift and
// cumulative gains per group.
//
// Ties in score are broken by input order (earlier first), so the table is
// deterministic; shuffle the input beforehand if ties should fall at random.
// Group g holds ranks [g*n/groups, (g+1)*n/groups), so sizes differ by at
// most one and, when n < groups, some groups are empty (Count 0, Rate 0).
// With no positives at all, Lift, CumGains and CumLift are 0.
func Gains(yTrue []int, score []float64, groups int) ([]Group, error) {
	if err := checkLen(len(yTrue), len(score)); err != nil {
		return nil, err
	}
	if err := checkBinary(yTrue); err != nil {
		return nil, err
	}
	if err := checkFinite("score", score); err != nil {
		return nil, err
	}
	if groups < 1 {
		return nil, fmt.Errorf("eval: gains needs at least 1 group, got %d", groups)
	}
	n := len(score)
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	sort.SliceStable(ord, func(a, b int) bool { return score[ord[a]] > score[ord[b]] })
	total := 0
	for _, v := range yTrue {
		total += v
	}
	base := float64(total) / float64(n)
	out := make([]Group, groups)
	cumN, cumP := 0, 0
	for g := range out {
		lo, hi := g*n/groups, (g+1)*n/groups
		r := &out[g]
		r.Count = hi - lo
		for _, j := range ord[lo:hi] {
			r.Positives += yTrue[j]
		}
		cumN += r.Count
		cumP += r.Positives
		r.CumCount = cumN
		if r.Count > 0 {
			r.Rate = float64(r.Positives) / float64(r.Count)
		}
		if total > 0 {
			r.Lift = r.Rate / base
			r.CumGains = float64(cumP) / float64(total)
			if cumN > 0 {
				r.CumLift = float64(cumP) / float64(cumN) / base
			}
		}
	}
	return out, nil
}
