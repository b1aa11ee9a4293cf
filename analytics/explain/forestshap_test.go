package explain

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/forest"
)

// forestData is like randomTree's data: y depends on features 0..2 with
// interactions and feature k-1 is constant, so no tree can use it.
func forestData(seed uint64, n, k int) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	X := mat.NewDense(n, k, nil)
	y := make([]int, n)
	for i := range n {
		for j := range k - 1 {
			X.Set(i, j, math.Round(rng.NormFloat64()*4)/4)
		}
		X.Set(i, k-1, 1)
		z := 2*X.At(i, 0) - X.At(i, 1)*X.At(i, 2) + 0.5*X.At(i, 1)
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	return X, y
}

// bruteForestSHAP is the Shapley formula over every subset of features,
// with v(S) the mean over trees of the path-dependent expectation (follow
// x at splits on features in S, otherwise average both children weighted
// by cover), read straight from forest.Tree.Node.
func bruteForestSHAP(f *forest.Forest, ci int, x []float64) []float64 {
	m := f.NFeatures
	v := func(S uint) float64 {
		total := 0.0
		for _, t := range f.Trees {
			var g func(i int) float64
			g = func(i int) float64 {
				nd := t.Node(i)
				if nd.Feature < 0 {
					return nd.Proba[ci]
				}
				if S&(1<<nd.Feature) != 0 {
					if x[nd.Feature] <= nd.Threshold {
						return g(nd.Left)
					}
					return g(nd.Right)
				}
				l, r := t.Node(nd.Left).Cover, t.Node(nd.Right).Cover
				return (l*g(nd.Left) + r*g(nd.Right)) / nd.Cover
			}
			total += g(0)
		}
		return total / float64(len(f.Trees))
	}
	fact := func(n int) float64 {
		r := 1.0
		for i := 2; i <= n; i++ {
			r *= float64(i)
		}
		return r
	}
	phi := make([]float64, m)
	for i := range m {
		for S := uint(0); S < 1<<m; S++ {
			if S&(1<<i) != 0 {
				continue
			}
			s := bits.OnesCount(S)
			phi[i] += fact(s) * fact(m-s-1) / fact(m) * (v(S|1<<i) - v(S))
		}
	}
	return phi
}

func TestForestSHAPBruteForce(t *testing.T) {
	X, y := forestData(1, 600, 6)
	f, err := forest.Fit(X, y, forest.Options{NTrees: 6, MaxDepth: 5, MinSamplesLeaf: 5, MaxFeatures: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewForestExplainer(f, 1)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.PredictProba(X)
	for i := 0; i < 600; i += 40 {
		x := X.RawRowView(i)
		phi, ref := e.SHAP(x), bruteForestSHAP(f, 1, x)
		sum := e.ExpectedValue()
		for j := range phi {
			sum += phi[j]
			if math.Abs(phi[j]-ref[j]) > 1e-12 {
				t.Errorf("row %d feature %d: TreeSHAP %v, brute force %v", i, j, phi[j], ref[j])
			}
		}
		if phi[5] != 0 {
			t.Errorf("row %d: constant feature has φ=%v", i, phi[5])
		}
		if math.Abs(sum-p.At(i, 1)) > 1e-12 {
			t.Errorf("row %d: base+Σφ = %v, PredictProba %v", i, sum, p.At(i, 1))
		}
	}
}

// Local accuracy on random rows (off the training data, some NaN) for
// deep forests, two and three classes, and after a Marshal round trip.
func TestForestSHAPLocalAccuracy(t *testing.T) {
	X, y := forestData(2, 3000, 8)
	y3 := slices.Clone(y)
	for i := range y3 {
		y3[i] = []int{-4, 10, 7}[(y[i]+i)%3]
	}
	rng := rand.New(rand.NewPCG(9, 9))
	R := mat.NewDense(60, 8, nil)
	for i := range 60 {
		for j := range 8 {
			R.Set(i, j, 3*rng.NormFloat64())
		}
	}
	R.Set(7, 0, math.NaN())
	R.Set(8, 2, math.NaN())
	for _, c := range []struct {
		name  string
		y     []int
		class int
		opt   forest.Options
	}{
		{"full depth", y, 1, forest.Options{NTrees: 25, Seed: 3}},
		{"capped", y, 0, forest.Options{NTrees: 25, MaxDepth: 12, MinSamplesLeaf: 20, Seed: 4}},
		{"three classes", y3, 7, forest.Options{NTrees: 10, MinSamplesLeaf: 2, Seed: 5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := forest.Fit(X, c.y, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			g, err := forest.Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			e, err := NewForestExplainer(f, c.class)
			if err != nil {
				t.Fatal(err)
			}
			eg, err := NewForestExplainer(g, c.class)
			if err != nil {
				t.Fatal(err)
			}
			if e.ExpectedValue() != eg.ExpectedValue() {
				t.Errorf("expected value %v, after a round trip %v", e.ExpectedValue(), eg.ExpectedValue())
			}
			// The base value is the mean over trees of the cover-weighted leaf values.
			ci := slices.Index(f.Classes, c.class)
			want := 0.0
			for _, tr := range f.Trees {
				for i := range tr.NodeCount() {
					if nd := tr.Node(i); nd.Feature < 0 {
						want += nd.Cover * nd.Proba[ci] / tr.Node(0).Cover
					}
				}
			}
			want /= float64(len(f.Trees))
			if math.Abs(e.ExpectedValue()-want) > 1e-12 {
				t.Errorf("expected value %v, want %v", e.ExpectedValue(), want)
			}
			p, _ := f.PredictProba(R)
			for i := range 60 {
				x := R.RawRowView(i)
				phi := e.SHAP(x)
				sum := e.ExpectedValue()
				for _, v := range phi {
					sum += v
				}
				if math.Abs(sum-p.At(i, ci)) > 1e-9 {
					t.Errorf("row %d: base+Σφ = %v, PredictProba %v", i, sum, p.At(i, ci))
				}
				if phi[7] != 0 {
					t.Errorf("row %d: constant feature has φ=%v", i, phi[7])
				}
				if !slices.Equal(phi, eg.SHAP(x)) {
					t.Fatalf("row %d: SHAP differs after a Marshal round trip", i)
				}
			}
		})
	}
}

func TestForestExplainerErrors(t *testing.T) {
	X, y := forestData(3, 200, 3)
	f, err := forest.Fit(X, y, forest.Options{NTrees: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewForestExplainer(f, 2); err == nil {
		t.Error("unknown class: want an error")
	}
	e, err := NewForestExplainer(f, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("SHAP of a short row: want a panic")
		}
	}()
	e.SHAP([]float64{1})
}

func BenchmarkForestSHAP(b *testing.B) {
	X, y := forestData(4, 20000, 10)
	f, err := forest.Fit(X, y, forest.Options{NTrees: 100, MaxDepth: 12, MinSamplesLeaf: 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewForestExplainer(f, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		e.SHAP(X.RawRowView(i % 20000))
	}
}
