package recommend

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestMetricsHand(t *testing.T) {
	rec := []int{5, 1, 7, 2}
	truth := map[int]bool{1: true, 2: true, 9: true}
	// 1/log2(3) and the ideal DCG of three hits: 1 + 1/log2(3) + 1/log2(4).
	const d2 = 0.6309297535714575
	const idcg3 = 1 + d2 + 0.5
	cases := []struct {
		k                       int
		hit, prec, recall, ndcg float64
	}{
		{1, 0, 0, 0, 0},
		{2, 1, 0.5, 1.0 / 3, d2 / (1 + d2)},
		{3, 1, 1.0 / 3, 1.0 / 3, d2 / idcg3},
		{4, 1, 0.5, 2.0 / 3, (d2 + 1/math.Log2(5)) / idcg3},
		{10, 1, 0.2, 2.0 / 3, (d2 + 1/math.Log2(5)) / idcg3}, // short list not rewarded
	}
	for _, c := range cases {
		if got := HitAt(rec, truth, c.k); got != c.hit {
			t.Errorf("Hit@%d = %v, want %v", c.k, got, c.hit)
		}
		if got := PrecisionAt(rec, truth, c.k); !near(got, c.prec) {
			t.Errorf("Precision@%d = %v, want %v", c.k, got, c.prec)
		}
		if got := RecallAt(rec, truth, c.k); !near(got, c.recall) {
			t.Errorf("Recall@%d = %v, want %v", c.k, got, c.recall)
		}
		if got := NDCGAt(rec, truth, c.k); !near(got, c.ndcg) {
			t.Errorf("NDCG@%d = %v, want %v", c.k, got, c.ndcg)
		}
	}
	// A perfect list has NDCG 1; a repeated hit counts once.
	if got := NDCGAt([]int{2, 1, 9}, truth, 3); !near(got, 1) {
		t.Errorf("perfect NDCG = %v", got)
	}
	if got := PrecisionAt([]int{1, 1, 1}, truth, 3); !near(got, 1.0/3) {
		t.Errorf("repeated hit precision = %v", got)
	}
	// Empty inputs give 0, never NaN.
	for _, v := range []float64{RecallAt(rec, nil, 3), NDCGAt(rec, nil, 3), PrecisionAt(nil, truth, 0), NDCGAt(nil, truth, 3), Coverage(nil, 3, 0),
		HitAt(rec, truth, -1), RecallAt(rec, truth, -1), NDCGAt(rec, truth, -1), Coverage([][]int{rec}, -1, 10)} {
		if v != 0 {
			t.Errorf("empty case = %v, want 0", v)
		}
	}
}

func TestCoverage(t *testing.T) {
	lists := [][]int{{0, 1, 2}, {1, 3}, {}, {9, -1}}
	if got := Coverage(lists, 2, 5); !near(got, 3.0/5) { // {0,1,3}; 2 is beyond k
		t.Errorf("Coverage = %v, want 0.6", got)
	}
}
