package rfm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestScores(t *testing.T) {
	tests := map[string]struct {
		values []float64
		higher bool
		want   []int
	}{
		"empty":        {nil, true, []int{}},
		"one":          {[]float64{42}, true, []int{1}},
		"one recency":  {[]float64{42}, false, []int{1}},
		"two":          {[]float64{1, 2}, true, []int{1, 3}},
		"three":        {[]float64{3, 1, 2}, true, []int{4, 1, 2}},
		"four":         {[]float64{10, 20, 30, 40}, true, []int{1, 2, 3, 4}},
		"five":         {[]float64{5, 4, 3, 2, 1}, true, []int{5, 4, 3, 2, 1}},
		"ten":          {[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true, []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}},
		"all equal":    {[]float64{7, 7, 7, 7, 7, 7}, true, []int{1, 1, 1, 1, 1, 1}},
		"all equal lo": {[]float64{7, 7, 7}, false, []int{1, 1, 1}},
		// Ranks 1,1,1,4,5,6,7,8,9,10: the tie block takes ranks 1-3.
		"ties low": {[]float64{1, 1, 1, 2, 3, 4, 5, 6, 7, 8}, true, []int{1, 1, 1, 2, 3, 3, 4, 4, 5, 5}},
		// Ranks 1..4 then 5,5,5,5,5,5: the top block shares rank 5 -> score 3.
		"ties high": {[]float64{1, 2, 3, 4, 9, 9, 9, 9, 9, 9}, true, []int{1, 1, 2, 2, 3, 3, 3, 3, 3, 3}},
		// Recency: the smallest number of days is the best and scores 5.
		"recency": {[]float64{1, 2, 3, 4, 5}, false, []int{5, 4, 3, 2, 1}},
		"recency ties": {
			[]float64{0, 0, 30, 30, 365, 365, 400, 400, 500, 900}, false,
			// Descending: 900 r1, 500 r2, 400 r3, 365 r5, 30 r7, 0 r9.
			[]int{5, 5, 4, 4, 3, 3, 2, 2, 1, 1},
		},
		"NaN worst":         {[]float64{math.NaN(), 1, 2, 3, 4}, true, []int{1, 2, 3, 4, 5}},
		"NaN worst recency": {[]float64{math.NaN(), 1, 2, 3, 4}, false, []int{1, 5, 4, 3, 2}},
		"NaNs tie":          {[]float64{math.NaN(), 5, math.NaN()}, true, []int{1, 4, 1}},
		"negative zero":     {[]float64{math.Copysign(0, -1), 0, 1}, true, []int{1, 1, 4}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Scores(tc.values, tc.higher); !slices.Equal(got, tc.want) {
				t.Errorf("Scores(%v, %v) = %v, want %v", tc.values, tc.higher, got, tc.want)
			}
		})
	}
}

// naiveScores is the rule written the slow, obvious way: a value's rank is
// one more than the number of strictly worse values.
func naiveScores(values []float64, higher bool) []int {
	worse := func(a, b float64) bool {
		if math.IsNaN(a) || math.IsNaN(b) {
			return math.IsNaN(a) && !math.IsNaN(b)
		}
		if higher {
			return a < b
		}
		return a > b
	}
	out := make([]int, len(values))
	for i, v := range values {
		rank := 1
		for _, w := range values {
			if worse(w, v) {
				rank++
			}
		}
		out[i] = int(math.Floor(5*float64(rank-1)/float64(len(values)))) + 1
	}
	return out
}

func TestScoresProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	evenChecked := 0
	for iter := range 500 {
		n := 1 + rng.IntN(200)
		// Few distinct values make ties common, as with order counts.
		distinct := 1 + rng.IntN(n+5)
		values := make([]float64, n)
		for i := range values {
			values[i] = float64(rng.IntN(distinct))
			if iter%5 == 0 {
				values[i] = rng.Float64() // almost surely distinct
			} else if rng.IntN(50) == 0 {
				values[i] = math.NaN()
			}
		}
		higher := iter%2 == 0
		got := Scores(values, higher)

		if want := naiveScores(values, higher); !slices.Equal(got, want) {
			t.Fatalf("Scores(%v, %v) = %v, naive %v", values, higher, got, want)
		}
		better := func(a, b float64) bool {
			if math.IsNaN(b) {
				return !math.IsNaN(a)
			}
			if math.IsNaN(a) {
				return false
			}
			return higher && a > b || !higher && a < b
		}
		for i := range values {
			if got[i] < 1 || got[i] > 5 {
				t.Fatalf("score %d out of range", got[i])
			}
			for j := range values {
				same := values[i] == values[j] || math.IsNaN(values[i]) && math.IsNaN(values[j])
				if same && got[i] != got[j] {
					t.Fatalf("equal values %v got scores %d and %d", values[i], got[i], got[j])
				}
				if better(values[i], values[j]) && got[i] < got[j] {
					t.Fatalf("better value %v scored %d < %d for %v", values[i], got[i], got[j], values[j])
				}
			}
		}

		// Shuffling the input shuffles the output the same way.
		perm := rng.Perm(n)
		shuffled := make([]float64, n)
		for i, p := range perm {
			shuffled[i] = values[p]
		}
		sg := Scores(shuffled, higher)
		for i, p := range perm {
			if sg[i] != got[p] {
				t.Fatalf("order dependence: value %v scored %d, after shuffle %d", values[p], got[p], sg[i])
			}
		}

		// With all values distinct the quintiles are as even as they can be.
		if !hasTies(values) {
			evenChecked++
			counts := [6]int{}
			for _, s := range got {
				counts[s]++
			}
			for s := 1; s <= 5; s++ {
				if n >= 5 && (counts[s] < n/5 || counts[s] > n/5+1) {
					t.Fatalf("n=%d distinct: score %d used %d times", n, s, counts[s])
				}
			}
		}
	}
	if evenChecked < 50 {
		t.Errorf("only %d samples without ties; the even-split check barely ran", evenChecked)
	}
}

func hasTies(values []float64) bool {
	seen := map[float64]bool{}
	for _, v := range values {
		if math.IsNaN(v) || seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}

func TestSegment(t *testing.T) {
	cs := []Customer{
		{ID: "champ", Recency: 1, Frequency: 20, Monetary: 5000},
		{ID: "lost", Recency: 900, Frequency: 1, Monetary: 10},
		{ID: "a", Recency: 30, Frequency: 5, Monetary: 800},
		{ID: "b", Recency: 200, Frequency: 2, Monetary: 50},
		{ID: "c", Recency: 400, Frequency: 10, Monetary: 3000},
	}
	want := []Result{
		{ID: "champ", R: 5, F: 5, M: 5, Cell: "555", Segment: "Champions"},
		{ID: "lost", R: 1, F: 1, M: 1, Cell: "111", Segment: "Lost"},
		{ID: "a", R: 4, F: 3, M: 3, Cell: "433", Segment: "Loyal Customers"},
		{ID: "b", R: 3, F: 2, M: 2, Cell: "322", Segment: "Need Attention"},
		{ID: "c", R: 2, F: 4, M: 4, Cell: "244", Segment: "At Risk"},
	}
	if got := Segment(cs, Classic); !slices.Equal(got, want) {
		t.Errorf("Segment(Classic):\n got %v\nwant %v", got, want)
	}
	grid := Segment(cs, Grid)
	for i, seg := range []string{"Champions", "Hibernating", "Potential Loyalists", "About To Sleep", "At Risk"} {
		if grid[i].Segment != seg {
			t.Errorf("Segment(Grid)[%s] = %q, want %q", cs[i].ID, grid[i].Segment, seg)
		}
	}
	if got := Segment(nil, Classic); len(got) != 0 {
		t.Errorf("Segment(nil) = %v", got)
	}
}

func TestSegmentSingleCustomer(t *testing.T) {
	got := Segment([]Customer{{ID: "x", Recency: 3, Frequency: 4, Monetary: 99}}, Classic)
	want := []Result{{ID: "x", R: 1, F: 1, M: 1, Cell: "111", Segment: "Lost"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
