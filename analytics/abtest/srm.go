package abtest

import (
	"fmt"
	"math"
	"strings"

	"github.com/marketbench/marketbench/analytics/msg"
)

// SRMThreshold is the p-value below which a split is flagged as a sample
// ratio mismatch. 0.001 is the usual choice: with many experiments a
// stricter threshold than 0.05 keeps false alarms rare, and a real
// mismatch (a bug in assignment or tracking) usually gives a far smaller p.
const SRMThreshold = 0.001

// SRM is a sample-ratio-mismatch check: a chi-square goodness-of-fit test
// of the observed group sizes against the planned split
// (scipy.stats.chisquare(observed, expected)).
type SRM struct {
	Observed []int64
	Expected []float64 // planned share × total customers
	Stat     float64
	DF       int
	P        float64
	Mismatch bool    // P < SRMThreshold
	Message  msg.Msg // the verdict in plain words
}

// SampleRatioCheck tests observed group sizes against planned percentages
// (control first, the same order as observed). The percentages must be
// positive and add up to 100; a sum within 0.1 of 100 (rounded shares such
// as 33.33 × 3) is accepted and the shares are rescaled to add up exactly.
func SampleRatioCheck(observed []int64, splitPercent []float64) (SRM, error) {
	if len(observed) < 2 {
		return SRM{}, msg.Errorf("abtest: a sample-ratio check needs at least 2 groups, got %d", len(observed))
	}
	if len(splitPercent) != len(observed) {
		return SRM{}, msg.Errorf("abtest: the planned split has %d percentages but there are %d groups; give one per group, control first", len(splitPercent), len(observed))
	}
	var sum float64
	for i, s := range splitPercent {
		if math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
			return SRM{}, msg.Errorf("abtest: planned share %v%% for group %d: every group needs a share above 0%%", s, i+1)
		}
		sum += s
	}
	if math.Abs(sum-100) > 0.1 {
		return SRM{}, msg.Errorf("abtest: the planned split adds up to %.6g%%, not 100%%", sum)
	}
	var total float64
	for i, o := range observed {
		if o < 0 {
			return SRM{}, msg.Errorf("abtest: group %d has %d customers; group sizes cannot be negative", i+1, o)
		}
		total += float64(o)
	}
	if total == 0 {
		return SRM{}, msg.Errorf("abtest: all groups are empty; there is nothing to check")
	}
	r := SRM{Observed: append([]int64(nil), observed...), Expected: make([]float64, len(observed)), DF: len(observed) - 1}
	for i, o := range observed {
		e := total * splitPercent[i] / sum
		r.Expected[i] = e
		d := float64(o) - e
		r.Stat += d * d / e
	}
	r.P = chi2Survival(r.Stat, r.DF)
	r.Mismatch = r.P < SRMThreshold
	planned := make([]string, len(observed))
	got := make([]string, len(observed))
	for i, o := range observed {
		planned[i] = fmt.Sprintf("%.4g%%", 100*splitPercent[i]/sum)
		got[i] = fmt.Sprintf("%.4g%%", 100*float64(o)/total)
	}
	if r.Mismatch {
		r.Message = msg.New("Sample ratio mismatch: the groups were planned as %s but came out as %s (chi-square p = %.2g, below %g). "+
			"Chance alone almost never does this, so customers were probably assigned, delivered or tracked unevenly. "+
			"Do not trust the lift figures until you find out why.",
			strings.Join(planned, " / "), strings.Join(got, " / "), r.P, SRMThreshold)
	} else {
		r.Message = msg.New("The group sizes fit the planned split (planned %s, observed %s; chi-square p = %.2g).",
			strings.Join(planned, " / "), strings.Join(got, " / "), r.P)
	}
	return r, nil
}
