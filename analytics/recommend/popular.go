package recommend

import (
	"fmt"
	"slices"
)

// Scored is an index (a product or a customer) with its score.
type Scored struct {
	Index int
	Score float64
}

// byScore orders best first, ties by the smaller index, so rankings are
// reproducible.
func byScore(a, b Scored) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return a.Index - b.Index
}

// Popular ranks products by their number of distinct buyers, best first.
// Counting buyers rather than summing weights keeps one bulk buyer from
// making a product look popular. Products nobody bought are left out.
func Popular(m *Matrix) ([]Scored, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	var out []Scored
	for c := 0; c < m.cols; c++ {
		if n := m.colPtr[c+1] - m.colPtr[c]; n > 0 {
			out = append(out, Scored{c, float64(n)})
		}
	}
	slices.SortFunc(out, byScore)
	return out, nil
}

// PopularByGroup ranks products by distinct buyers within each group (a
// segment, a region). group[r] is customer r's group, 0..n-1, or negative
// for customers in no group; the result is indexed by group, and a group
// without purchases gets an empty list.
func PopularByGroup(m *Matrix, group []int) ([][]Scored, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	if len(group) != m.rows {
		return nil, fmt.Errorf("recommend: %d group labels for %d customers", len(group), m.rows)
	}
	ng := 0
	for _, g := range group {
		ng = max(ng, g+1)
	}
	counts := make([][]int, ng)
	for g := range counts {
		counts[g] = make([]int, m.cols)
	}
	for r, g := range group {
		if g < 0 {
			continue
		}
		cols, _ := m.Row(r)
		for _, c := range cols {
			counts[g][c]++
		}
	}
	out := make([][]Scored, ng)
	for g, cs := range counts {
		out[g] = []Scored{}
		for c, n := range cs {
			if n > 0 {
				out[g] = append(out[g], Scored{c, float64(n)})
			}
		}
		slices.SortFunc(out[g], byScore)
	}
	return out, nil
}

// topK reorders xs so its first min(n, len(xs)) elements are the best under
// cmp (negative: a ranks before b), sorted, and returns them. cmp must be a
// total order (ties broken by index) so the chosen set is unique. A bounded
// heap keeps it O(len·log n): ranking a customer's thousand candidates for
// a top 10 should not sort all of them.
func topK[T any](xs []T, n int, cmp func(a, b T) int) []T {
	if n <= 0 {
		return xs[:0]
	}
	if n >= len(xs)/4 {
		slices.SortFunc(xs, cmp)
		return xs[:min(n, len(xs))]
	}
	h := xs[:n]
	// Max-heap on "worse": the root is the worst of the kept n.
	down := func(i int) {
		for {
			l, w := 2*i+1, i
			if l < n && cmp(h[l], h[w]) > 0 {
				w = l
			}
			if r := l + 1; r < n && cmp(h[r], h[w]) > 0 {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, x := range xs[n:] {
		if cmp(x, h[0]) < 0 {
			h[0] = x
			down(0)
		}
	}
	slices.SortFunc(h, cmp)
	return h
}
