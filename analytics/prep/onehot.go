package prep

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// OneHot encodes categorical string columns as 0/1 indicator columns, like
// sklearn's OneHotEncoder(handle_unknown="ignore"): one output column per
// category seen at Fit, and a category not seen then encodes as all zeros,
// so scoring new customers never fails on a new plan name.
type OneHot struct {
	Columns    []string   // input column names, for FeatureNames
	Categories [][]string // per column, sorted by byte (for UTF-8, code point) order like sklearn
	// DropFirst leaves out each column's first category, like sklearn's
	// drop="first": the remaining indicators plus an intercept are then not
	// collinear, which ordinary least squares needs. The first category is
	// the reference level; an unseen category still encodes as all zeros.
	DropFirst bool `json:",omitempty"`
}

// Width is the number of output columns of input column j.
func (h *OneHot) Width(j int) int {
	if h.DropFirst {
		return max(0, len(h.Categories[j])-1)
	}
	return len(h.Categories[j])
}

// Fit learns the categories of each column of X (rows of strings). names
// labels the columns; it may be nil, giving "x0", "x1", ... as sklearn does.
func (h *OneHot) Fit(names []string, X [][]string) error {
	if len(X) == 0 || len(X[0]) == 0 {
		return fmt.Errorf("prep: one-hot: X is empty")
	}
	k := len(X[0])
	if names == nil {
		for j := range k {
			names = append(names, fmt.Sprintf("x%d", j))
		}
	}
	if len(names) != k {
		return fmt.Errorf("prep: one-hot: %d names for %d columns", len(names), k)
	}
	seen := make([]map[string]bool, k)
	for j := range seen {
		seen[j] = map[string]bool{}
	}
	for i, row := range X {
		if len(row) != k {
			return fmt.Errorf("prep: one-hot: row %d has %d values, want %d", i, len(row), k)
		}
		for j, v := range row {
			seen[j][v] = true
		}
	}
	cats := make([][]string, k)
	for j, s := range seen {
		for v := range s {
			cats[j] = append(cats[j], v)
		}
		slices.Sort(cats[j])
	}
	h.Columns, h.Categories = slices.Clone(names), cats
	return nil
}

// FeatureNames names the output columns "column=category", in output order.
func (h *OneHot) FeatureNames() []string {
	var out []string
	for j, cs := range h.Categories {
		for _, c := range cs[len(cs)-h.Width(j):] {
			out = append(out, h.Columns[j]+"="+c)
		}
	}
	return out
}

// Transform returns the indicator matrix of X.
func (h *OneHot) Transform(X [][]string) (*mat.Dense, error) {
	k := len(h.Categories)
	if k == 0 {
		return nil, fmt.Errorf("prep: one-hot: %w", errNotFitted)
	}
	if len(X) == 0 {
		return nil, fmt.Errorf("prep: one-hot: X is empty")
	}
	off := make([]int, k+1)
	skip := 0
	if h.DropFirst {
		skip = 1
	}
	for j := range h.Categories {
		off[j+1] = off[j] + h.Width(j)
	}
	out := mat.NewDense(len(X), off[k], nil)
	for i, row := range X {
		if len(row) != k {
			return nil, fmt.Errorf("prep: one-hot: row %d has %d values, fitted on %d columns", i, len(row), k)
		}
		dst := out.RawRowView(i)
		for j, v := range row {
			if c, ok := slices.BinarySearch(h.Categories[j], v); ok && c >= skip {
				dst[off[j]+c-skip] = 1
			}
		}
	}
	return out, nil
}
