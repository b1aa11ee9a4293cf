package recommend

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Folding a customer in equals the exact least-squares solution for their
// row with the product factors fixed (the naive dense reference).
func TestALSFoldInMatchesExactSolve(t *testing.T) {
	p := alsRandomProblem(3, 12, 9, 0.3)
	m, err := TrainALS(p.nU, p.nI, p.u, p.i, p.w, ALSOptions{Factors: 4, Iterations: 3, Seed: 1, Lambda: 0.1, Alpha: 5})
	if err != nil {
		t.Fatal(err)
	}
	items, err := NewALSItems(m.K, m.ItemFactors, m.Alpha, m.Lambda)
	if err != nil {
		t.Fatal(err)
	}
	R := mat.NewDense(p.nU, p.nI, nil)
	for k := range p.u {
		R.Set(int(p.u[k]), int(p.i[k]), R.At(int(p.u[k]), int(p.i[k]))+p.w[k])
	}
	want := make([]float64, p.nU*m.K)
	alsNaiveSweep(t, want, m.ItemFactors, R, m.K, m.Alpha, m.Lambda)
	for u := range p.nU {
		var cols []int
		var w []float64
		for i := range p.nI {
			if r := R.At(u, i); r > 0 {
				cols, w = append(cols, i), append(w, r)
			}
		}
		got := items.UserFactor(cols, w)
		for a := range m.K {
			if d := math.Abs(got[a] - want[u*m.K+a]); d > 1e-8*(1+math.Abs(want[u*m.K+a])) {
				t.Fatalf("customer %d factor %d: fold-in %v, exact %v", u, a, got[a], want[u*m.K+a])
			}
		}
	}
}

func TestALSItemsRecommendAndBadFactors(t *testing.T) {
	p := alsRandomProblem(5, 20, 10, 0.3)
	model, err := TrainALS(p.nU, p.nI, p.u, p.i, p.w, ALSOptions{Factors: 3, Iterations: 5, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	items, err := NewALSItems(model.K, model.ItemFactors, model.Alpha, model.Lambda)
	if err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	for k := range p.u {
		entries = append(entries, Entry{int(p.u[k]), int(p.i[k]), 1})
	}
	// One column more than the model knows: a product new since training.
	entries = append(entries, Entry{0, p.nI, 1})
	mx, err := NewMatrix(p.nU, p.nI+1, entries)
	if err != nil {
		t.Fatal(err)
	}
	all, err := items.RecommendAll(mx, 3, Filter{ExcludeBought: true}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for u, recs := range all {
		one, err := items.Recommend(mx, u, 3, Filter{ExcludeBought: true})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(one, recs, func(a, b Recommendation) bool { return a.Item == b.Item && a.Score == b.Score }) {
			t.Fatalf("customer %d: Recommend %v, RecommendAll %v", u, one, recs)
		}
		for _, r := range recs {
			if mx.Has(u, r.Item) || r.Item >= p.nI {
				t.Fatalf("customer %d offered %d (bought, or unknown to the model)", u, r.Item)
			}
			for _, b := range r.Because {
				if !mx.Has(u, b) {
					t.Fatalf("customer %d: reason %d was not bought", u, b)
				}
			}
		}
	}
	bad := slices.Clone(model.ItemFactors)
	bad[4] = math.NaN()
	for _, c := range []struct {
		k      int
		f      []float64
		lambda float64
	}{{3, bad, 0.01}, {0, model.ItemFactors, 0.01}, {4, model.ItemFactors[:29], 0.01}, {3, model.ItemFactors, math.Inf(1)}, {3, model.ItemFactors, 0}} {
		if _, err := NewALSItems(c.k, c.f, 1, c.lambda); err == nil {
			t.Errorf("k %d, %d values, lambda %v: accepted", c.k, len(c.f), c.lambda)
		}
	}
}

// Training with K = 20 and keeping each sorted list's first 5 equals
// training with K = 5: a stored top-20 serves both "similar products" (20)
// and scoring (5).
func TestKNNTruncatedTop20EqualsK5(t *testing.T) {
	for seed := range uint64(10) {
		p := alsRandomProblem(seed, 40, 30, 0.25)
		var entries []Entry
		for k := range p.u {
			entries = append(entries, Entry{int(p.u[k]), int(p.i[k]), 1})
		}
		m, err := NewMatrix(p.nU, p.nI, entries)
		if err != nil {
			t.Fatal(err)
		}
		k20, err := TrainItemKNN(m, KNNOptions{K: 20, Shrink: 10})
		if err != nil {
			t.Fatal(err)
		}
		k5, err := TrainItemKNN(m, KNNOptions{K: 5, Shrink: 10})
		if err != nil {
			t.Fatal(err)
		}
		for j := range k20.Neighbours {
			if got := k20.Neighbours[j][:min(5, len(k20.Neighbours[j]))]; !slices.Equal(got, k5.Neighbours[j]) {
				t.Fatalf("seed %d product %d: top-20 cut to 5 %v, K=5 %v", seed, j, got, k5.Neighbours[j])
			}
		}
	}
}
