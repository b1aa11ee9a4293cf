package recommend

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestEvaluateHand(t *testing.T) {
	train, _ := NewMatrix(4, 5, []Entry{{0, 0, 1}, {1, 1, 1}, {2, 2, 1}, {3, 3, 1}})
	lists := map[int][]int{0: {1, 2}, 1: {3, 4}, 3: {0, 4}}
	rec := func(u, k int) ([]int, error) { return lists[u], nil }
	// Customer 2 has no truth and is skipped; 0 hits at rank 2, 1 misses,
	// 3 hits at rank 1 with two truth products.
	truth := [][]int{{2}, {0}, nil, {0, 1}}
	m, err := Evaluate(train, truth, 2, rec)
	if err != nil {
		t.Fatal(err)
	}
	const d2 = 0.6309297535714575
	want := Metrics{
		K: 2, Customers: 3,
		HitRate:   2.0 / 3,
		Precision: (0.5 + 0 + 0.5) / 3,
		Recall:    (1 + 0 + 0.5) / 3,
		NDCG:      (d2 + 0 + 1/(1+d2)) / 3,
		Coverage:  5.0 / 5,
	}
	if m.K != want.K || m.Customers != want.Customers || !near(m.HitRate, want.HitRate) || !near(m.Precision, want.Precision) ||
		!near(m.Recall, want.Recall) || !near(m.NDCG, want.NDCG) || !near(m.Coverage, want.Coverage) {
		t.Errorf("Evaluate = %+v, want %+v", m, want)
	}
}

func TestEvaluateErrors(t *testing.T) {
	train, _ := NewMatrix(2, 2, []Entry{{0, 0, 1}})
	ok := func(u, k int) ([]int, error) { return nil, nil }
	if _, err := Evaluate(train, [][]int{nil, {}}, 3, ok); !errors.Is(err, ErrNoTruth) {
		t.Errorf("no truth: %v", err)
	}
	if _, err := Evaluate(train, [][]int{{1}}, 0, ok); !errors.Is(err, ErrBadK) {
		t.Errorf("k=0: %v", err)
	}
	empty, _ := NewMatrix(2, 2, nil)
	if _, err := Evaluate(empty, [][]int{{1}}, 3, ok); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("empty train: %v", err)
	}
	if _, err := Evaluate(train, [][]int{{1}, {1}, {1}}, 3, ok); err == nil {
		t.Error("more truth rows than customers accepted")
	}
	if _, err := Evaluate(train, [][]int{{1}}, 3, nil); err == nil {
		t.Error("nil recommender accepted")
	}
	boom := errors.New("boom")
	bad := func(u, k int) ([]int, error) { return nil, boom }
	if _, err := Evaluate(train, [][]int{{1}}, 3, bad); !errors.Is(err, boom) {
		t.Errorf("recommender error lost: %v", err)
	}
}

// TestEvaluateKNNBeatsPopular is an end-to-end sanity check on data with
// planted structure: customers buy within one of four product blocks, so
// neighbours must find the block while best sellers cannot.
func TestEvaluateKNNBeatsPopular(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const customers, products, blocks = 400, 40, 4
	var train []Entry
	truth := make([][]int, customers)
	for u := 0; u < customers; u++ {
		b := u % blocks
		perm := rng.Perm(products / blocks)
		for i, p := range perm[:4] {
			item := b*products/blocks + p
			if i < 3 {
				train = append(train, Entry{u, item, 1})
			} else {
				truth[u] = []int{item}
			}
		}
	}
	m, _ := NewMatrix(customers, products, train)
	knn, err := TrainItemKNN(m, KNNOptions{K: 20, Shrink: 5, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ranked, _ := Popular(m)
	f := Filter{ExcludeBought: true}
	knnRec, err := knn.Recommender(m, f)
	if err != nil {
		t.Fatal(err)
	}
	popRec, err := PopularRecommender(m, ranked, f)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := Evaluate(m, truth, 5, knnRec)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := Evaluate(m, truth, 5, popRec)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{0, 2, 3} {
		if mw, err := EvaluateParallel(m, truth, 5, knnRec, w); err != nil || mw != mk {
			t.Errorf("workers %d: %+v, %v; sequential %+v", w, mw, err, mk)
		}
	}
	// The wrappers give the same lists as the direct calls.
	for u := 0; u < 20; u++ {
		direct, _ := knn.Recommend(m, u, 5, f)
		wrapped, _ := knnRec(u, 5)
		if !slices.Equal(Items(direct), wrapped) {
			t.Fatalf("customer %d: Recommender %v, Recommend %v", u, wrapped, Items(direct))
		}
	}
	if mk.HitRate <= mp.HitRate || mk.Coverage <= mp.Coverage {
		t.Errorf("item-kNN %+v does not beat popularity %+v", mk, mp)
	}
}
