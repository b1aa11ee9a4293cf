package text

import "sort"

// Keyword is a term and how much more it weighs inside a group than outside.
type Keyword struct {
	Term  string
	Score float64
}

// Keywords returns up to k terms whose mean TF-IDF in the rows with in[i]
// set most exceeds their mean in the other rows. Contrasting with the rest,
// rather than ranking by the group's own mean, keeps words common to every
// segment out of the list. Only positive differences are returned; in must
// have one entry per row of X.
func Keywords(X []Vec, in []bool, terms []string, k int) []Keyword {
	sum := [2][]float64{make([]float64, len(terms)), make([]float64, len(terms))}
	var n [2]float64
	for i, r := range X {
		g := 0
		if in[i] {
			g = 1
		}
		n[g]++
		for p, j := range r.Idx {
			sum[g][j] += r.Val[p]
		}
	}
	if n[1] == 0 {
		return nil
	}
	var out []Keyword
	for j, w := range terms {
		d := sum[1][j] / n[1]
		if n[0] > 0 {
			d -= sum[0][j] / n[0]
		}
		if d > 0 {
			out = append(out, Keyword{w, d})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].Term < out[b].Term
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
