// Package drift measures how far a population has moved from the one a
// model learned from: the population stability index (PSI) over bins fixed
// by the reference (training) data, per feature and for the score.
//
//	PSI = Σ (cur_i − ref_i) · ln(cur_i / ref_i)
//
// over the bins' shares, with an empty bin counted as Epsilon so the
// logarithm stays finite. The usual reading: below 0.1 stable, 0.1 to 0.25
// some shift, above 0.25 a major shift worth acting on.
//
// Bins are stored with a model (see Bins) so drift can be measured later
// without the training rows.
package drift

import (
	"math"
	"slices"
	"sort"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Epsilon stands in for an empty bin's share: the common choice in credit
// scoring, small enough not to hide a real shift.
const Epsilon = 1e-4

// Deciles is the number of bins for a numeric reference.
const Deciles = 10

// Reading thresholds.
const (
	SomeShift  = 0.1
	MajorShift = 0.25
)

// Kinds of bins.
const (
	Numeric     = "numeric"
	Categorical = "categorical"
)

// Bins are one reference distribution: for numbers the cut points of the
// reference deciles (ties merged) plus a bin for missing values; for
// categories the reference categories plus a bin for values never seen.
// Ref holds the reference share of each bin, in bin order.
type Bins struct {
	Kind string `json:"kind"`
	// Edges are the upper bounds of all but the last numeric bin: bin i
	// holds Edges[i-1] < x ≤ Edges[i]. The last bin (after len(Edges)) is
	// "missing".
	Edges []float64 `json:"edges,omitempty"`
	// Categories are the categorical bins; one more bin at the end holds
	// the values not among them.
	Categories []string  `json:"categories,omitempty"`
	Ref        []float64 `json:"ref"`
	Rows       int       `json:"rows"`
}

// NewNumeric bins x by its deciles and records its shares. NaN is missing.
func NewNumeric(x []float64) Bins {
	vals := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	var edges []float64
	if len(vals) > 0 {
		for k := 1; k < Deciles; k++ {
			e := quantile(vals, float64(k)/Deciles)
			if len(edges) == 0 || e > edges[len(edges)-1] {
				edges = append(edges, e)
			}
		}
	}
	b := Bins{Kind: Numeric, Edges: edges, Rows: len(x)}
	b.Ref = b.ShareNumeric(x)
	return b
}

// quantile is the q-quantile of sorted s with linear interpolation
// (numpy's default, Hyndman and Fan's type 7).
func quantile(s []float64, q float64) float64 {
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// NewCategorical bins x by its distinct values (sorted) and records their
// shares.
func NewCategorical(x []string) Bins {
	seen := map[string]bool{}
	for _, v := range x {
		seen[v] = true
	}
	cats := make([]string, 0, len(seen))
	for v := range seen {
		cats = append(cats, v)
	}
	slices.Sort(cats)
	b := Bins{Kind: Categorical, Categories: cats, Rows: len(x)}
	b.Ref = b.ShareCategorical(x)
	return b
}

// ShareNumeric is the share of x in each of b's numeric bins (the last
// one missing).
func (b Bins) ShareNumeric(x []float64) []float64 {
	n := make([]float64, len(b.Edges)+2)
	for _, v := range x {
		if math.IsNaN(v) {
			n[len(n)-1]++
			continue
		}
		// The number of edges below v is its bin: (e[i-1], e[i]].
		n[sort.SearchFloat64s(b.Edges, v)]++
	}
	return shares(n, len(x))
}

// ShareCategorical is the share of x in each of b's category bins (the
// last one the values b has not seen).
func (b Bins) ShareCategorical(x []string) []float64 {
	idx := make(map[string]int, len(b.Categories))
	for i, c := range b.Categories {
		idx[c] = i
	}
	n := make([]float64, len(b.Categories)+1)
	for _, v := range x {
		if i, ok := idx[v]; ok {
			n[i]++
		} else {
			n[len(n)-1]++
		}
	}
	return shares(n, len(x))
}

func shares(n []float64, total int) []float64 {
	if total > 0 {
		for i := range n {
			n[i] /= float64(total)
		}
	}
	return n
}

// PSI is the population stability index of the current shares cur against
// the reference shares ref (same bins). Empty bins count as Epsilon.
func PSI(ref, cur []float64) (float64, error) {
	if len(ref) != len(cur) {
		return 0, msg.Errorf("drift: %d reference bins but %d current bins", len(ref), len(cur))
	}
	if len(ref) == 0 {
		return 0, msg.Errorf("drift: no bins")
	}
	var s float64
	for i := range ref {
		r, c := math.Max(ref[i], Epsilon), math.Max(cur[i], Epsilon)
		s += (c - r) * math.Log(c/r)
	}
	return s, nil
}

// Numbers is the PSI of numbers x against numeric bins b.
func (b Bins) Numbers(x []float64) (float64, error) {
	if b.Kind != Numeric {
		return 0, msg.Errorf("drift: these bins are for categories, not numbers")
	}
	return PSI(b.Ref, b.ShareNumeric(x))
}

// Values is the PSI of categories x against categorical bins b.
func (b Bins) Values(x []string) (float64, error) {
	if b.Kind != Categorical {
		return 0, msg.Errorf("drift: these bins are for numbers, not categories")
	}
	return PSI(b.Ref, b.ShareCategorical(x))
}

// Level is the usual reading of a PSI.
type Level int

// Levels, from calm to alarming.
const (
	Stable Level = iota // below 0.1
	Some                // 0.1 to 0.25
	Major               // above 0.25: alert
)

// Read is the level of psi.
func Read(psi float64) Level {
	switch {
	case psi > MajorShift:
		return Major
	case psi >= SomeShift:
		return Some
	}
	return Stable
}

// Words say a level for people.
func (l Level) Words() msg.Msg {
	switch l {
	case Major:
		return msg.New("major shift")
	case Some:
		return msg.New("some shift")
	}
	return msg.New("stable")
}

// String is the level's English name.
func (l Level) String() string {
	switch l {
	case Major:
		return "major"
	case Some:
		return "some"
	}
	return "stable"
}

// MarshalText writes the level's English name, for JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's English name.
func (l *Level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "major":
		*l = Major
	case "some":
		*l = Some
	case "stable":
		*l = Stable
	default:
		return msg.Errorf("drift: unknown level %q", string(b))
	}
	return nil
}
