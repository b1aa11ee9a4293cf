package recommend

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPopularCountsDistinctBuyers(t *testing.T) {
	// Product 2 has one bulk buyer (weight 100); product 1 has two buyers.
	m, _ := NewMatrix(3, 4, []Entry{{0, 2, 100}, {0, 1, 1}, {1, 1, 1}, {2, 0, 1}, {1, 0, 1}, {2, 0, 1}})
	got, err := Popular(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []Scored{{0, 2}, {1, 2}, {2, 1}} // ties by index; product 3 unsold
	if !slices.Equal(got, want) {
		t.Errorf("Popular = %v, want %v", got, want)
	}
	byGroup, err := PopularByGroup(m, []int{1, -1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(byGroup) != 2 || len(byGroup[0]) != 0 {
		t.Fatalf("groups = %v", byGroup)
	}
	if want := []Scored{{0, 1}, {1, 1}, {2, 1}}; !slices.Equal(byGroup[1], want) {
		t.Errorf("group 1 = %v, want %v", byGroup[1], want)
	}
	if _, err := PopularByGroup(m, []int{0}); err == nil {
		t.Error("short group slice accepted")
	}
	empty, _ := NewMatrix(2, 2, nil)
	if _, err := Popular(empty); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("empty: %v", err)
	}
	if _, err := PopularByGroup(nil, nil); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("nil: %v", err)
	}
}

func TestPopularFor(t *testing.T) {
	m, _ := NewMatrix(2, 3, []Entry{{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 2, 1}})
	ranked, _ := Popular(m)
	got, err := PopularFor(m, ranked, 0, 5, Filter{ExcludeBought: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(Items(got), []int{1}) {
		t.Errorf("PopularFor = %v, want [1]", Items(got))
	}
	if _, err := PopularFor(m, ranked, 2, 5, Filter{}); !errors.Is(err, ErrIndex) {
		t.Errorf("bad customer: %v", err)
	}
}

func TestTopKMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	for trial := 0; trial < 200; trial++ {
		xs := make([]Scored, rng.IntN(60))
		for i := range xs {
			xs[i] = Scored{i, float64(rng.IntN(5))} // many ties
		}
		rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		n := rng.IntN(15)
		want := slices.Clone(xs)
		slices.SortFunc(want, byScore)
		want = want[:min(n, len(want))]
		if got := topK(slices.Clone(xs), n, byScore); !slices.Equal(got, want) {
			t.Fatalf("topK(%d) = %v, want %v", n, got, want)
		}
	}
}
