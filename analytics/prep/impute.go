package prep

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Strategy chooses what Imputer fills a missing value with. The names are
// sklearn SimpleImputer's, so stored pipelines read the same in both.
type Strategy string

const (
	Mean         Strategy = "mean"
	Median       Strategy = "median"
	MostFrequent Strategy = "most_frequent" // ties go to the smallest value
	Constant     Strategy = "constant"      // Imputer.Fill
)

// Imputer replaces NaN in numeric columns by a per-column statistic of the
// training rows' non-missing values, like sklearn's SimpleImputer.
type Imputer struct {
	Strategy Strategy
	Fill     float64   // the value for Constant
	Stats    []float64 // fitted fill value per column
}

// Fit learns one fill value per column. Unlike sklearn, which silently drops
// a column with no observed values, Fit reports it: a column that vanishes
// would shift every later column of a stored model.
func (m *Imputer) Fit(X *mat.Dense) error {
	if err := check("imputer", X, true); err != nil {
		return err
	}
	n, k := X.Dims()
	stats := make([]float64, k)
	col := make([]float64, 0, n)
	for j := range k {
		if m.Strategy == Constant {
			stats[j] = m.Fill
			continue
		}
		col = col[:0]
		for i := range n {
			if v := X.At(i, j); !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		if len(col) == 0 {
			return msg.Errorf("prep: imputer: column %d has no values to learn a %s from", j, m.Strategy)
		}
		switch m.Strategy {
		case Mean:
			var s float64
			for _, v := range col {
				s += v
			}
			stats[j] = s / float64(len(col))
		case Median:
			stats[j] = median(col)
		case MostFrequent:
			stats[j] = mode(col)
		default:
			return msg.Errorf("prep: imputer: unknown strategy %q (want mean, median, most_frequent or constant)", m.Strategy)
		}
	}
	m.Stats = stats
	return nil
}

// median returns the median of col (reordering it) by selection: O(n)
// instead of a sort, which mattered for a million rows per column.
func median(col []float64) float64 {
	h := len(col) / 2
	selectKth(col, h)
	if len(col)%2 == 1 {
		return col[h]
	}
	// The lower middle is the largest value left of h.
	lo := col[0]
	for _, v := range col[1:h] {
		lo = max(lo, v)
	}
	return (lo + col[h]) / 2
}

// selectKth reorders a so that a[k] is the value a sorted a would hold
// there, everything before it ≤ and everything after it ≥ (Hoare's
// quickselect with a median-of-three pivot).
func selectKth(a []float64, k int) {
	lo, hi := 0, len(a)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// mode returns the most frequent value, the smallest on a tie; it sorts col.
func mode(col []float64) float64 {
	slices.Sort(col)
	best, bestN := col[0], 0
	for i := 0; i < len(col); {
		j := i
		for j < len(col) && col[j] == col[i] {
			j++
		}
		if j-i > bestN { // strict: an equal count later is a larger value
			best, bestN = col[i], j-i
		}
		i = j
	}
	return best
}

// Transform returns X with every NaN replaced by its column's fill value.
func (m *Imputer) Transform(X *mat.Dense) (*mat.Dense, error) {
	if err := width("imputer", X, len(m.Stats)); err != nil {
		return nil, err
	}
	out := mat.DenseCopyOf(X)
	n, _ := out.Dims()
	for i := range n {
		row := out.RawRowView(i)
		for j, v := range row {
			if math.IsNaN(v) {
				row[j] = m.Stats[j]
			}
		}
	}
	return out, nil
}
