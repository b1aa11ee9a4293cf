package explain

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/tree"
)

// bruteSHAP is the exponential-time reference: the Shapley formula over
// every subset S of the other features, with v(S) the same path-dependent
// conditional expectation TreeSHAP uses (follow x on splits of features in
// S, otherwise average both children weighted by their training rows).
func bruteSHAP(e *TreeExplainer, x []float64) []float64 {
	m := e.nf
	v := func(S uint) float64 {
		var g func(i int32) float64
		g = func(i int32) float64 {
			nd := &e.nodes[i]
			if nd.leaf() {
				return e.value[i]
			}
			if S&(1<<nd.feature) != 0 {
				if x[nd.feature] <= nd.threshold {
					return g(nd.left)
				}
				return g(nd.right)
			}
			l, r := e.nodes[nd.left].cover, e.nodes[nd.right].cover
			return (l*g(nd.left) + r*g(nd.right)) / nd.cover
		}
		return g(0)
	}
	fact := func(n int) float64 {
		f := 1.0
		for i := 2; i <= n; i++ {
			f *= float64(i)
		}
		return f
	}
	phi := make([]float64, m)
	for i := range m {
		for S := uint(0); S < 1<<m; S++ {
			if S&(1<<i) != 0 {
				continue
			}
			s := bits.OnesCount(S)
			w := fact(s) * fact(m-s-1) / fact(m)
			phi[i] += w * (v(S|1<<i) - v(S))
		}
	}
	return phi
}

// randomTree fits a tree on data where y depends on features 0..2 with
// interactions; feature k-1 is constant so the tree can never use it.
func randomTree(t testing.TB, seed uint64, n, k, depth int) (*tree.Tree, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
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
	tr, err := tree.Fit(X, y, tree.Options{MaxDepth: depth, MinSamplesLeaf: 3})
	if err != nil {
		t.Fatal(err)
	}
	return tr, X
}

func TestTreeSHAPProperties(t *testing.T) {
	for _, tc := range []struct {
		seed        uint64
		n, k, depth int
	}{
		{1, 200, 3, 2},
		{2, 300, 5, 4},
		{3, 400, 6, 6},
		{4, 500, 8, 8},
		{5, 1000, 10, 0}, // unlimited depth
	} {
		tr, X := randomTree(t, tc.seed, tc.n, tc.k, tc.depth)
		e, err := NewTreeExplainer(tr, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.ExpectedValue(), tr.Nodes[0].Value[1]/float64(tr.Nodes[0].N); math.Abs(got-want) > 1e-12 {
			t.Errorf("seed %d: expected value %v, want root share %v", tc.seed, got, want)
		}
		t.Logf("seed %d: %d nodes, depth %d", tc.seed, tr.NodeCount(), tr.Depth())
		proba := tr.PredictProba(X)
		used := make([]bool, tc.k)
		for _, nd := range tr.Nodes {
			if !nd.Leaf() {
				used[nd.Feature] = true
			}
		}
		rows, _ := X.Dims()
		for i := 0; i < rows; i += rows / 25 {
			x := X.RawRowView(i)
			phi := e.SHAP(x)
			// Local accuracy.
			sum := e.ExpectedValue()
			for _, v := range phi {
				sum += v
			}
			if math.Abs(sum-proba.At(i, 1)) > 1e-10 {
				t.Errorf("seed %d row %d: base+Σφ = %v, prediction %v", tc.seed, i, sum, proba.At(i, 1))
			}
			// Missingness: unused features get exactly 0.
			for j, u := range used {
				if !u && phi[j] != 0 {
					t.Errorf("seed %d row %d: unused feature %d has φ=%v", tc.seed, i, j, phi[j])
				}
			}
			ref := bruteSHAP(e, x)
			for j := range phi {
				if math.Abs(phi[j]-ref[j]) > 1e-10 {
					t.Errorf("seed %d row %d feature %d: TreeSHAP %v, brute force %v", tc.seed, i, j, phi[j], ref[j])
				}
			}
		}
	}
}

// A hand-made tree that splits on feature 0 twice along one path, the case
// the unwind step exists for, checked against the brute force on a grid.
func TestTreeSHAPRepeatedFeature(t *testing.T) {
	leaf := func(n0, n1 float64) tree.Node {
		return tree.Node{Feature: -1, Left: -1, Right: -1, Value: []float64{n0, n1}, N: int(n0 + n1)}
	}
	split := func(f int, th float64, l, r int, n0, n1 float64) tree.Node {
		return tree.Node{Feature: f, Threshold: th, Left: l, Right: r, Value: []float64{n0, n1}, N: int(n0 + n1)}
	}
	tr := &tree.Tree{Classes: []int{0, 1}, NFeatures: 3, Nodes: []tree.Node{
		split(0, 0.5, 1, 6, 50, 50), // 0
		split(1, 0.5, 2, 5, 40, 20), // 1
		split(0, 0.2, 3, 4, 30, 10), // 2: feature 0 again
		leaf(25, 2),                 // 3
		leaf(5, 8),                  // 4
		leaf(10, 10),                // 5
		split(2, 0.5, 7, 8, 10, 30), // 6
		leaf(8, 4),                  // 7
		leaf(2, 26),                 // 8
	}}
	e, err := NewTreeExplainer(tr, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []float64{0, 0.3, 1} {
		for _, b := range []float64{0, 1} {
			for _, c := range []float64{0, 1} {
				x := []float64{a, b, c}
				phi, ref := e.SHAP(x), bruteSHAP(e, x)
				sum := e.ExpectedValue()
				for j := range phi {
					sum += phi[j]
					if math.Abs(phi[j]-ref[j]) > 1e-12 {
						t.Errorf("x=%v feature %d: %v, brute force %v", x, j, phi[j], ref[j])
					}
				}
				p := tr.PredictProba(mat.NewDense(1, 3, x)).At(0, 1)
				if math.Abs(sum-p) > 1e-12 {
					t.Errorf("x=%v: base+Σφ = %v, prediction %v", x, sum, p)
				}
			}
		}
	}
}

// Averaging per-tree values with AddSHAP explains the averaged model: the
// forest use the design is meant for.
func TestTreeSHAPEnsemble(t *testing.T) {
	t1, X := randomTree(t, 11, 300, 4, 3)
	t2, _ := randomTree(t, 12, 300, 4, 5)
	var es []*TreeExplainer
	for _, tr := range []*tree.Tree{t1, t2} {
		e, err := NewTreeExplainer(tr, 1)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	p1, p2 := t1.PredictProba(X), t2.PredictProba(X)
	for i := range 20 {
		phi := make([]float64, 4)
		base := 0.0
		for _, e := range es {
			e.AddSHAP(phi, X.RawRowView(i), 0.5)
			base += 0.5 * e.ExpectedValue()
		}
		sum := base
		for _, v := range phi {
			sum += v
		}
		if want := (p1.At(i, 1) + p2.At(i, 1)) / 2; math.Abs(sum-want) > 1e-10 {
			t.Errorf("row %d: averaged base+Σφ = %v, averaged prediction %v", i, sum, want)
		}
	}
}

func TestTreeExplainerErrors(t *testing.T) {
	tr, _ := randomTree(t, 1, 50, 3, 2)
	if _, err := NewTreeExplainer(tr, 7); err == nil {
		t.Error("unknown class: want an error")
	}
	// A single-leaf tree explains nothing: every φ is 0.
	one := &tree.Tree{Classes: []int{0, 1}, NFeatures: 2, Nodes: []tree.Node{
		{Feature: -1, Left: -1, Right: -1, Value: []float64{3, 1}, N: 4}}}
	e, err := NewTreeExplainer(one, 1)
	if err != nil {
		t.Fatal(err)
	}
	if phi := e.SHAP([]float64{1, 2}); phi[0] != 0 || phi[1] != 0 || e.ExpectedValue() != 0.25 {
		t.Errorf("single leaf: φ=%v base=%v", phi, e.ExpectedValue())
	}
}

func BenchmarkTreeSHAP(b *testing.B) {
	tr, X := randomTree(b, 5, 2000, 10, 0)
	e, _ := NewTreeExplainer(tr, 1)
	phi := make([]float64, 10)
	b.ResetTimer()
	for i := range b.N {
		e.AddSHAP(phi, X.RawRowView(i%2000), 1)
	}
}
