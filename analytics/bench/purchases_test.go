package bench

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/marketbench/marketbench/analytics/recommend"
)

func TestPurchaseData(t *testing.T) {
	t.Setenv("MB_BENCH_DIR", t.TempDir())
	p, err := PurchaseData(100_000, 5_000, 1_000)
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]int, p.Customers)
	for i, c := range p.Customer {
		if c < 0 || int(c) >= p.Customers || p.Product[i] < 0 || int(p.Product[i]) >= p.Products {
			t.Fatalf("line %d: (%d, %d) outside %d × %d", i, c, p.Product[i], p.Customers, p.Products)
		}
		lines[c]++
	}
	if slices.Min(lines) < 1 || slices.Max(lines) < 5*20 {
		t.Errorf("lines per customer from %d to %d: want every customer at least once and a skewed few far above the mean of 20", slices.Min(lines), slices.Max(lines))
	}
	// Read back from the cache: the very same lines.
	q, err := PurchaseData(100_000, 5_000, 1_000)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Customer, q.Customer) || !slices.Equal(p.Product, q.Product) {
		t.Error("the cached files do not give back the generated lines")
	}
	// Taste groups make neighbours mean something: products' best
	// neighbours are far closer than in the same lines with the products
	// shuffled (same popularity and activity, no co-purchase structure).
	shuffled := slices.Clone(p.Product)
	r := rand.New(rand.NewPCG(1, 1))
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	real, null := meanBestNeighbour(t, p, p.Product), meanBestNeighbour(t, p, shuffled)
	if real < 1.5*null {
		t.Errorf("mean best-neighbour cosine %.3f, shuffled %.3f: no co-purchase structure", real, null)
	}
}

func meanBestNeighbour(t *testing.T, p *Purchases, product []int32) float64 {
	entries := make([]recommend.Entry, len(p.Customer))
	for i := range entries {
		entries[i] = recommend.Entry{Row: int(p.Customer[i]), Col: int(product[i]), Weight: 1}
	}
	m, err := recommend.NewBinaryMatrix(p.Customers, p.Products, entries)
	if err != nil {
		t.Fatal(err)
	}
	knn, err := recommend.TrainItemKNN(m, recommend.KNNOptions{K: 1, Shrink: 10, Measure: recommend.Cosine})
	if err != nil {
		t.Fatal(err)
	}
	s := 0.0
	for _, ns := range knn.Neighbours {
		if len(ns) > 0 {
			s += ns[0].Score
		}
	}
	return s / float64(p.Products)
}

func TestListsAgree(t *testing.T) {
	ours := []recommend.Recommendation{{Item: 1, Score: 3}, {Item: 2, Score: 2}, {Item: 3, Score: 1}}
	for _, c := range []struct {
		items  []int
		scores []float64
		want   bool
	}{
		{[]int{1, 2, 3}, []float64{3, 2, 1}, true},
		{[]int{1, 2, 4}, []float64{3, 2, 1}, true},         // a tie at the edge
		{[]int{1, 2, 3}, []float64{3, 2, 1 + 1e-13}, true}, // another order of the sum
		{[]int{1, 4, 3}, []float64{3, 2, 1}, false},        // a different product inside
		{[]int{1, 2}, []float64{3, 2}, false},              // shorter
		{[]int{1, 2, 3}, []float64{3, 2.5, 1}, false},      // another score
	} {
		if got := listsAgree(ours, c.items, c.scores); got != c.want {
			t.Errorf("listsAgree(%v, %v) = %v, want %v", c.items, c.scores, got, c.want)
		}
	}
}
