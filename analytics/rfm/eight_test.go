package rfm

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// The eight types by level (2 high, 1 low), as docs/RFM.md lists them.
var eightWant = map[[3]int]string{
	{2, 2, 2}: "重要价值客户",
	{1, 2, 2}: "重要保持客户",
	{2, 1, 2}: "重要发展客户",
	{1, 1, 2}: "重要挽留客户",
	{2, 2, 1}: "一般价值客户",
	{1, 2, 1}: "一般保持客户",
	{2, 1, 1}: "一般发展客户",
	{1, 1, 1}: "一般挽留客户",
}

// TestEightAllCells checks every level combination of both eight-type
// schemes against the published mapping, with exactly one rule matching.
func TestEightAllCells(t *testing.T) {
	for _, s := range []Scheme{Eight, EightMedian} {
		for cell, want := range eightWant {
			n := 0
			for _, u := range s.Rules {
				if u.Match(cell[0], cell[1], cell[2]) {
					n++
				}
			}
			if got := s.Segment(cell[0], cell[1], cell[2]); got != want || n != 1 {
				t.Errorf("%s R%d F%d M%d: %q (%d rules match), want %q", s.Name, cell[0], cell[1], cell[2], got, n, want)
			}
		}
		if len(s.Segments()) != 8 {
			t.Errorf("%s: segments %v, want the 8 types", s.Name, s.Segments())
		}
	}
	if Eight.Split != SplitMean || EightMedian.Split != SplitMedian {
		t.Error("zh8 must split at the mean and zh8-median at the median")
	}
}

func TestThreshold(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		vs          []float64
		mean, media float64
	}{
		{[]float64{10, 20, 30, 1000}, 265, 25},
		{[]float64{3, 1, 2}, 2, 2},
		{[]float64{1, 1, 1, 4}, 1.75, 1},
		{[]float64{nan, 10, 30}, 20, 20},
		{[]float64{7}, 7, 7},
	} {
		if got := Threshold(c.vs, SplitMean); got != c.mean {
			t.Errorf("mean of %v = %v, want %v", c.vs, got, c.mean)
		}
		if got := Threshold(c.vs, SplitMedian); got != c.media {
			t.Errorf("median of %v = %v, want %v", c.vs, got, c.media)
		}
	}
	if !math.IsNaN(Threshold(nil, SplitMean)) || !math.IsNaN(Threshold([]float64{nan}, SplitMedian)) {
		t.Error("the threshold of no numbers must be NaN")
	}
}

func TestLevels(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name   string
		vs     []float64
		higher bool
		split  Split
		want   []int
	}{
		// Mean 265, median 25: 30 is high only against the median.
		{"mean outlier", []float64{10, 20, 30, 1000}, true, SplitMean, []int{1, 1, 1, 2}},
		{"median outlier", []float64{10, 20, 30, 1000}, true, SplitMedian, []int{1, 1, 2, 2}},
		// A value equal to the threshold is low, in both directions.
		{"tie mean frequency", []float64{1, 2, 3}, true, SplitMean, []int{1, 1, 2}},
		{"tie mean recency", []float64{10, 20, 30}, false, SplitMean, []int{2, 1, 1}},
		{"tie median recency", []float64{30, 10, 20}, false, SplitMedian, []int{1, 2, 1}},
		// Median 1 with most customers on one order: only more is high.
		{"tie median frequency", []float64{1, 1, 1, 4}, true, SplitMedian, []int{1, 1, 1, 2}},
		{"tie mean frequency block", []float64{1, 1, 1, 4}, true, SplitMean, []int{1, 1, 1, 2}},
		// Everyone equal: nobody is better than the threshold.
		{"all equal", []float64{5, 5, 5}, false, SplitMedian, []int{1, 1, 1}},
		// Even count: median 2.5.
		{"even median recency", []float64{1, 2, 3, 4}, false, SplitMedian, []int{2, 2, 1, 1}},
		// NaN is left out of the mean (20) and is low.
		{"nan", []float64{nan, 10, 30}, true, SplitMean, []int{1, 1, 2}},
		{"nan recency", []float64{nan, 10, 30}, false, SplitMean, []int{1, 2, 1}},
	} {
		got, _ := Levels(c.vs, c.higher, c.split)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: levels of %v = %v, want %v", c.name, c.vs, got, c.want)
		}
	}
}

// TestSegmentEight runs the reference on customers worked by hand: every
// type is hit once against the mean, and the median moves two customers.
func TestSegmentEight(t *testing.T) {
	// Recency mean 30 (10 high, 50 low), frequency mean 3 (5 high, 1 low),
	// monetary mean 505 (1000 high, 10 low).
	cs := []Customer{
		{"a", 10, 5, 1000}, {"b", 10, 1, 1000}, {"c", 10, 5, 10}, {"d", 10, 1, 10},
		{"e", 50, 5, 1000}, {"f", 50, 1, 1000}, {"g", 50, 5, 10}, {"h", 50, 1, 10},
	}
	want := []string{"重要价值客户", "重要发展客户", "一般价值客户", "一般发展客户",
		"重要保持客户", "重要挽留客户", "一般保持客户", "一般挽留客户"}
	classic := Segment(cs, Classic)
	for i, r := range Segment(cs, Eight) {
		if r.Segment != want[i] {
			t.Errorf("mean %s: %s, want %s", r.ID, r.Segment, want[i])
		}
		// The quintile scores and cell are kept as for every scheme.
		if c := classic[i]; r.R != c.R || r.F != c.F || r.M != c.M || r.Cell != c.Cell {
			t.Errorf("%s: scores %+v, classic %+v", r.ID, r, c)
		}
	}

	// Against the median. Recency 5,10,10,20,40,50,60,70: median 30.
	// Frequency 9,1,2,1,3,1,4,1: sorted 1,1,1,1,2,3,4,9, median 1.5.
	// Monetary 900,800,20,30,10,700,50,600: sorted 10,20,30,50,600,700,800,900,
	// median 325. The mean would differ: recency 33.125 (40 still low),
	// frequency 2.75 (2 low), monetary 388.75.
	cs = []Customer{
		{"a", 5, 9, 900}, {"b", 10, 1, 800}, {"c", 10, 2, 20}, {"d", 20, 1, 30},
		{"e", 40, 3, 10}, {"f", 50, 1, 700}, {"g", 60, 4, 50}, {"h", 70, 1, 600},
	}
	wantMedian := []string{"重要价值客户", "重要发展客户", "一般价值客户", "一般发展客户",
		"一般保持客户", "重要挽留客户", "一般保持客户", "重要挽留客户"}
	wantMean := []string{"重要价值客户", "重要发展客户", "一般发展客户", "一般发展客户",
		"一般保持客户", "重要挽留客户", "一般保持客户", "重要挽留客户"}
	for i, r := range Segment(cs, EightMedian) {
		if r.Segment != wantMedian[i] {
			t.Errorf("median %s: %s, want %s", r.ID, r.Segment, wantMedian[i])
		}
	}
	for i, r := range Segment(cs, Eight) {
		if r.Segment != wantMean[i] {
			t.Errorf("mean %s: %s, want %s", r.ID, r.Segment, wantMean[i])
		}
	}
}

// TestSegmentEightTies: values equal to the threshold are low.
func TestSegmentEightTies(t *testing.T) {
	// Means: recency 20, frequency 2, monetary 200; b sits on all three.
	cs := []Customer{{"a", 10, 3, 300}, {"b", 20, 2, 200}, {"c", 30, 1, 100}}
	want := []string{"重要价值客户", "一般挽留客户", "一般挽留客户"}
	for _, s := range []Scheme{Eight, EightMedian} { // the medians are the same
		for i, r := range Segment(cs, s) {
			if r.Segment != want[i] {
				t.Errorf("%s %s: %s, want %s", s.Name, r.ID, r.Segment, want[i])
			}
		}
	}
	// A single customer equals every threshold, and so do customers who are
	// all alike: general win-back.
	if r := Segment([]Customer{{"x", 1, 1, 1}}, Eight); r[0].Segment != "一般挽留客户" {
		t.Errorf("single customer: %s", r[0].Segment)
	}
	alike := []Customer{{"x", 7, 2, 50}, {"y", 7, 2, 50}, {"z", 7, 2, 50}}
	for _, s := range []Scheme{Eight, EightMedian} {
		for _, r := range Segment(alike, s) {
			if r.Segment != "一般挽留客户" {
				t.Errorf("%s alike %s: %s", s.Name, r.ID, r.Segment)
			}
		}
	}
}

func TestSplitJSON(t *testing.T) {
	for s, want := range map[string]string{"rfm": "", "zh8": `"Split":"mean"`, "zh8-median": `"Split":"median"`} {
		sc, _ := Lookup(s)
		b, err := json.Marshal(sc)
		if err != nil {
			t.Fatal(err)
		}
		if (want == "" && strings.Contains(string(b), "Split")) || !strings.Contains(string(b), want) {
			t.Errorf("%s: %s", s, b)
		}
	}
}
