// Package rfm scores customers on recency, frequency and monetary value and
// assigns them to named segments.
//
// # Scores
//
// Recency is the number of days since a customer's last order (lower is
// better), frequency the number of orders and monetary the total amount
// (higher is better for both). Each is turned into a quintile score from 1
// (worst) to 5 (best) by [Scores].
//
// Ties must be handled the same way here and in SQL, or a customer could
// land in a different segment depending on which side computed it. The rule
// is:
//
//  1. Order the n values from worst to best: ascending when higher is better
//     (frequency, monetary), descending when lower is better (recency).
//  2. rank = the 1-based position of the value in that order, where tied
//     values all share the smallest position (SQL RANK(), not ROW_NUMBER()).
//  3. score = floor(5*(rank-1)/n) + 1.
//
// So the best values get 5: for recency the most recent customers (smallest
// recency) are last in the descending order and get the highest rank. Equal
// values always get equal scores, and the result does not depend on the
// input order. In DuckDB:
//
//	(5 * (RANK() OVER (ORDER BY recency DESC NULLS FIRST) - 1)) // COUNT(*) OVER () + 1
//	(5 * (RANK() OVER (ORDER BY frequency ASC NULLS FIRST) - 1)) // COUNT(*) OVER () + 1
//	(5 * (RANK() OVER (ORDER BY monetary  ASC NULLS FIRST) - 1)) // COUNT(*) OVER () + 1
//
// (// is integer division; with plain / use floor() around the quotient.)
// A NaN in Go, like a NULL in the SQL above, counts as the worst value.
//
// Consequences worth knowing: the worst value always scores 1; a single
// customer scores 1 on everything; when every value is equal every customer
// scores 1; and when many customers share a value (say, one order) the
// scores above it can skip numbers, because a tie block takes up all the
// ranks it spans.
//
// # Segments
//
// A [Scheme] is an ordered list of [Rule]s over the three scores; the first
// rule that matches names the segment, so the order of the rules decides
// overlaps. [Classic] is the common ten-segment scheme, [Grid] a
// recency-by-frequency grid that ignores monetary value.
//
// # Two-level schemes
//
// A scheme with a [Split] does not use the quintile scores: each of R, F and
// M is "high" (level 2) when the customer's value is strictly better than
// the mean or median of all customers' values, and "low" (level 1)
// otherwise, so a value equal to the threshold is low (see [Levels]). Its
// rules range over these levels. [Eight] and [EightMedian] are the eight
// customer types (重要价值客户 …) common in Chinese marketing. docs/RFM.md
// lists every scheme for users.
package rfm

import (
	"math"
	"sort"
	"strconv"
)

// Scores returns the quintile score (1..5) of each value, 5 being best.
// higherIsBetter is true for frequency and monetary value and false for
// recency. See the package comment for the exact tie rule.
func Scores(values []float64, higherIsBetter bool) []int {
	n := len(values)
	scores := make([]int, n)
	if n == 0 {
		return scores
	}
	// worse reports whether a is strictly worse than b. NaN is worse than
	// any number so that missing data never looks good.
	worse := func(a, b float64) bool {
		switch an, bn := math.IsNaN(a), math.IsNaN(b); {
		case an:
			return !bn
		case bn:
			return false
		case higherIsBetter:
			return a < b
		default:
			return a > b
		}
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return worse(values[idx[i]], values[idx[j]]) })
	rank := 1
	for pos, i := range idx {
		// A new tie block starts wherever the value is strictly better than
		// the one before it; everything in a block keeps the block's first
		// position.
		if pos > 0 && worse(values[idx[pos-1]], values[i]) {
			rank = pos + 1
		}
		scores[i] = 5*(rank-1)/n + 1
	}
	return scores
}

// Range is an inclusive range of scores. Range{1, 5} matches any score.
type Range struct{ Lo, Hi int }

// Contains reports whether score lies in r.
func (r Range) Contains(score int) bool { return r.Lo <= score && score <= r.Hi }

// Rule names the segment of customers whose scores all lie in R, F and M.
type Rule struct {
	Segment string
	R, F, M Range
}

// Match reports whether the scores r, f, m satisfy the rule.
func (u Rule) Match(r, f, m int) bool {
	return u.R.Contains(r) && u.F.Contains(f) && u.M.Contains(m)
}

// Split says what a scheme's rules range over: quintile scores (NoSplit)
// or high/low levels against the mean or the median of each value.
type Split int

const (
	NoSplit     Split = iota // rules range over quintile scores 1..5
	SplitMean                // rules range over levels 1 (low) and 2 (high) against the mean
	SplitMedian              // rules range over levels 1 (low) and 2 (high) against the median
)

// Scheme is a named way of turning scores into segments. Rules may
// overlap; the first matching rule wins, and Other names what no rule
// covers (empty when the rules cover every cell).
type Scheme struct {
	Name  string // stable identifier, stored in projects and used on the CLI
	Title string // for people
	Rules []Rule
	Other string
	// Split is NoSplit for schemes over quintile scores; otherwise the
	// rules range over high/low levels (see Levels). In JSON "mean" or
	// "median", left out for NoSplit.
	Split Split `json:",omitempty"`
}

// String returns "mean", "median" or "" for NoSplit.
func (s Split) String() string {
	switch s {
	case SplitMean:
		return "mean"
	case SplitMedian:
		return "median"
	}
	return ""
}

// MarshalText writes the split as its String.
func (s Split) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Segment returns the segment for the scores r, f and m (for a scheme
// with a Split, the levels r, f and m).
func (s Scheme) Segment(r, f, m int) string {
	for _, u := range s.Rules {
		if u.Match(r, f, m) {
			return u.Segment
		}
	}
	return s.Other
}

// Segments returns the distinct segment names in rule order followed by
// Other, so that tables and charts list segments in a stable order.
func (s Scheme) Segments() []string {
	seen := make(map[string]bool)
	var names []string
	for _, u := range s.Rules {
		if !seen[u.Segment] {
			seen[u.Segment] = true
			names = append(names, u.Segment)
		}
	}
	if s.Other != "" && !seen[s.Other] {
		names = append(names, s.Other)
	}
	return names
}

// Customer is one customer's raw RFM values.
type Customer struct {
	ID        string
	Recency   float64 // days since the last order
	Frequency float64 // number of orders
	Monetary  float64 // total amount
}

// Result is one customer's scores and segment.
type Result struct {
	ID      string
	R, F, M int
	Cell    string // the three scores as digits, e.g. "545"
	Segment string
}

// Threshold returns the mean (SplitMean) or median (SplitMedian) of the
// values that are not NaN, or NaN when there are none. The median of an
// even number of values is the mean of the two middle ones.
func Threshold(values []float64, split Split) float64 {
	var vs []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	switch split {
	case SplitMean:
		sum := 0.0
		for _, v := range vs {
			sum += v
		}
		return sum / float64(len(vs))
	case SplitMedian:
		sort.Float64s(vs)
		n := len(vs)
		if n%2 == 1 {
			return vs[n/2]
		}
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return math.NaN()
}

// Levels returns 2 ("high") for each value strictly better than the
// threshold of split (see Threshold) and 1 ("low") for the others: a value
// equal to the threshold is low, and so is a NaN. higherIsBetter is false
// for recency, so a recency below the threshold (a recent buyer) is high.
// It also returns the threshold.
func Levels(values []float64, higherIsBetter bool, split Split) ([]int, float64) {
	t := Threshold(values, split)
	levels := make([]int, len(values))
	for i, v := range values {
		levels[i] = 1
		if (higherIsBetter && v > t) || (!higherIsBetter && v < t) {
			levels[i] = 2
		}
	}
	return levels, t
}

// Segment scores cs and assigns each customer a segment of s. It is the
// reference the SQL implementation is tested against, so it favours
// clarity over speed. Results are in the order of cs. R, F, M and Cell are
// the quintile scores for every scheme; a scheme with a Split names the
// segment from the high/low levels instead (see Levels).
func Segment(cs []Customer, s Scheme) []Result {
	rec := make([]float64, len(cs))
	freq := make([]float64, len(cs))
	mon := make([]float64, len(cs))
	for i, c := range cs {
		rec[i], freq[i], mon[i] = c.Recency, c.Frequency, c.Monetary
	}
	r, f, m := Scores(rec, false), Scores(freq, true), Scores(mon, true)
	lr, lf, lm := r, f, m
	if s.Split != NoSplit {
		lr, _ = Levels(rec, false, s.Split)
		lf, _ = Levels(freq, true, s.Split)
		lm, _ = Levels(mon, true, s.Split)
	}
	res := make([]Result, len(cs))
	for i, c := range cs {
		res[i] = Result{
			ID:      c.ID,
			R:       r[i],
			F:       f[i],
			M:       m[i],
			Cell:    strconv.Itoa(r[i]*100 + f[i]*10 + m[i]),
			Segment: s.Segment(lr[i], lf[i], lm[i]),
		}
	}
	return res
}
