package recommend

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// handMatrix: u0 {0,1}, u1 {0,1,2}, u2 {1,2}, u3 {0}, u4 {3}. Co-buyers:
// (0,1)=2, (0,2)=1, (1,2)=2; product 3 has none.
func handModel(t *testing.T) (*Matrix, *ItemKNN) {
	t.Helper()
	m, err := NewMatrix(5, 4, []Entry{
		{0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1}, {1, 2, 1}, {2, 1, 1}, {2, 2, 1}, {3, 0, 1}, {4, 3, 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	k, err := TrainItemKNN(m, KNNOptions{K: 10, Measure: CoCount, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m, k
}

func TestRecommendHand(t *testing.T) {
	m, k := handModel(t)
	cases := []struct {
		name string
		u    int
		f    Filter
		want []Recommendation
	}{
		{"bought one", 3, Filter{ExcludeBought: true}, []Recommendation{{1, 2, []int{0}}, {2, 1, []int{0}}}},
		{"two reasons", 0, Filter{ExcludeBought: true}, []Recommendation{{2, 3, []int{1, 0}}}},
		{"repeats allowed, tie by index", 0, Filter{}, []Recommendation{{2, 3, []int{1, 0}}, {0, 2, []int{1}}, {1, 2, []int{0}}}},
		{"out of stock", 3, Filter{ExcludeBought: true, OutOfStock: []int{1}}, []Recommendation{{2, 1, []int{0}}}},
		{"do not recommend", 3, Filter{ExcludeBought: true, DoNotRecommend: []int{2}}, []Recommendation{{1, 2, []int{0}}}},
		{"category", 3, Filter{ExcludeBought: true, Category: []int{0, 0, 1, 1}, AllowedCategories: []int{1}}, []Recommendation{{2, 1, []int{0}}}},
		{"no neighbours", 4, Filter{ExcludeBought: true}, []Recommendation{}},
	}
	for _, c := range cases {
		got, err := k.Recommend(m, c.u, 10, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	got, _ := k.Recommend(m, 0, 1, Filter{})
	if len(got) != 1 || got[0].Item != 2 {
		t.Errorf("n=1: %v", got)
	}
}

func TestRecommendErrors(t *testing.T) {
	m, k := handModel(t)
	if _, err := k.Recommend(m, 5, 3, Filter{}); !errors.Is(err, ErrIndex) {
		t.Errorf("bad customer: %v", err)
	}
	if _, err := k.Recommend(m, 0, 0, Filter{}); !errors.Is(err, ErrBadK) {
		t.Errorf("n=0: %v", err)
	}
	if _, err := k.Recommend(m, 0, 3, Filter{OutOfStock: []int{9}}); !errors.Is(err, ErrIndex) {
		t.Errorf("bad excluded product: %v", err)
	}
	if _, err := k.Recommend(m, 0, 3, Filter{AllowedCategories: []int{1}}); err == nil {
		t.Error("category filter without categories accepted")
	}
	empty, _ := NewMatrix(5, 4, nil)
	if _, err := k.Recommend(empty, 0, 3, Filter{}); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("empty matrix: %v", err)
	}
	rec, err := k.Recommender(m, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec(-1, 3); !errors.Is(err, ErrIndex) {
		t.Errorf("Recommender bad customer: %v", err)
	}
	if _, err := rec(0, 0); !errors.Is(err, ErrBadK) {
		t.Errorf("Recommender n=0: %v", err)
	}
	if _, err := PopularRecommender(empty, nil, Filter{}); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("PopularRecommender empty: %v", err)
	}
	var none *ItemKNN
	if _, err := none.Recommend(m, 0, 3, Filter{}); !errors.Is(err, ErrNoModel) {
		t.Errorf("nil model: %v", err)
	}
	if _, err := none.Similar(0, 3, Filter{}); !errors.Is(err, ErrNoModel) {
		t.Errorf("nil model Similar: %v", err)
	}
	other, _ := NewMatrix(1, 2, []Entry{{0, 0, 1}})
	if _, err := k.RecommendAll(other, 3, Filter{}, 1); err == nil {
		t.Error("model/matrix size mismatch accepted")
	}
}

func TestSimilarAndBuyers(t *testing.T) {
	m, k := handModel(t)
	s, err := k.Similar(1, 5, Filter{})
	if err != nil || !reflect.DeepEqual(s, []Neighbour{{0, 2, 2}, {2, 2, 2}}) {
		t.Errorf("Similar(1) = %v, %v", s, err)
	}
	s, _ = k.Similar(1, 5, Filter{DoNotRecommend: []int{0}})
	if !reflect.DeepEqual(s, []Neighbour{{2, 2, 2}}) {
		t.Errorf("Similar(1) without 0 = %v", s)
	}
	s, _ = k.Similar(3, 5, Filter{})
	if s == nil || len(s) != 0 {
		t.Errorf("Similar(3) = %#v, want empty non-nil", s)
	}
	if _, err := k.Similar(4, 5, Filter{}); !errors.Is(err, ErrIndex) {
		t.Errorf("Similar(4): %v", err)
	}
	// Product 2 is a neighbour of 0 (score 1) and 1 (score 2).
	b, err := k.LikelyBuyers(m, 2, 10, false)
	if err != nil || !slices.Equal(b, []Scored{{0, 3}, {1, 3}, {2, 2}, {3, 1}}) {
		t.Errorf("LikelyBuyers(2) = %v, %v", b, err)
	}
	b, _ = k.LikelyBuyers(m, 2, 10, true)
	if !slices.Equal(b, []Scored{{0, 3}, {3, 1}}) {
		t.Errorf("LikelyBuyers(2) excluding buyers = %v", b)
	}
	b, _ = k.LikelyBuyers(m, 2, 1, true)
	if !slices.Equal(b, []Scored{{0, 3}}) {
		t.Errorf("LikelyBuyers(2) top 1 = %v", b)
	}
	if _, err := k.LikelyBuyers(m, 2, 0, true); !errors.Is(err, ErrBadK) {
		t.Errorf("n=0: %v", err)
	}
}

func TestRecommendAllMatchesSingle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	m := randomMatrix(rng, 60, 25, 0.15)
	k, err := TrainItemKNN(m, KNNOptions{K: 8, Shrink: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := Filter{ExcludeBought: true, OutOfStock: []int{3, 4}}
	all, err := k.RecommendAll(m, 5, f, 2)
	if err != nil {
		t.Fatal(err)
	}
	for u := 0; u < m.Rows(); u++ {
		one, _ := k.Recommend(m, u, 5, f)
		if !reflect.DeepEqual(one, all[u]) {
			t.Fatalf("customer %d: all %v, single %v", u, all[u], one)
		}
		for _, r := range one {
			if m.Has(u, r.Item) || r.Item == 3 || r.Item == 4 {
				t.Fatalf("customer %d got excluded product %d", u, r.Item)
			}
			if len(r.Because) == 0 || len(r.Because) > 2 || !m.Has(u, r.Because[0]) {
				t.Fatalf("customer %d product %d: bad reason %v", u, r.Item, r.Because)
			}
		}
	}
}

func TestFillFromPopular(t *testing.T) {
	m, k := handModel(t)
	ranked, _ := Popular(m)
	f := Filter{ExcludeBought: true}
	// Customer 4 bought only product 3, which has no neighbours.
	own, _ := k.Recommend(m, 4, 3, f)
	pop, _ := PopularFor(m, ranked, 4, 3, f)
	got := Fill(own, pop, 3)
	if !slices.Equal(Items(got), []int{0, 1, 2}) || got[0].Because != nil {
		t.Errorf("Fill = %v", got)
	}
	// Customer 3's own list comes first, popular products are not repeated.
	own, _ = k.Recommend(m, 3, 3, f)
	pop, _ = PopularFor(m, ranked, 3, 3, f)
	got = Fill(own, pop, 3)
	if !slices.Equal(Items(got), []int{1, 2, 3}) || len(got[0].Because) != 1 || got[2].Because != nil {
		t.Errorf("Fill = %v", got)
	}
}
