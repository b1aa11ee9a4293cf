package abtest

import (
	"math"
	"sort"

	"github.com/marketbench/marketbench/analytics/msg"
)

// AdjustPValues corrects p-values for multiple comparisons, as statsmodels
// multipletests(method="holm" | "bonferroni"):
//
//   - Bonferroni: min(1, m·p).
//   - Holm: sort ascending; the i-th smallest (0-based) becomes
//     min(1, max over j ≤ i of (m-j)·p_(j)). Never larger than Bonferroni,
//     with the same family-wise error guarantee.
//
// NaN p-values (undefined tests) stay NaN and do not count in m.
// AdjustNone returns a copy.
func AdjustPValues(p []float64, method Adjustment) ([]float64, error) {
	out := make([]float64, len(p))
	copy(out, p)
	for i, v := range p {
		if !math.IsNaN(v) && (v < 0 || v > 1) {
			return nil, msg.Errorf("abtest: p-value %v at position %d is outside [0, 1]", v, i+1)
		}
	}
	var idx []int
	for i, v := range p {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	m := float64(len(idx))
	switch method {
	case AdjustNone:
	case AdjustBonferroni:
		for _, i := range idx {
			out[i] = math.Min(1, m*p[i])
		}
	case AdjustHolm:
		sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
		run := 0.0
		for j, i := range idx {
			run = math.Max(run, (m-float64(j))*p[i])
			out[i] = math.Min(1, run)
		}
	default:
		return nil, msg.Errorf("abtest: unknown p-value adjustment %d", int(method))
	}
	return out, nil
}
