package forest

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func fitSmall(t testing.TB, opt Options, three bool) (*Forest, *mat.Dense) {
	t.Helper()
	X, y := synth(1500, 6, 5)
	if three {
		for i := range y {
			y[i] = []int{-4, 10, 7}[(y[i]+i)%3]
		}
	}
	f, err := Fit(X, y, opt)
	if err != nil {
		t.Fatal(err)
	}
	return f, X
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name  string
		opt   Options
		three bool
	}{
		{"full depth", Options{NTrees: 12, Seed: 1}, false},
		{"capped", Options{NTrees: 12, MaxDepth: 5, MinSamplesLeaf: 20, Seed: 2}, false},
		{"three classes", Options{NTrees: 8, MinSamplesLeaf: 3, Seed: 3}, true},
		{"stumps", Options{NTrees: 3, MaxDepth: 1, Seed: 4}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, X := fitSmall(t, c.opt, c.three)
			b, err := f.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			g, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			nodes := 0
			for _, tr := range f.Trees {
				nodes += tr.NodeCount()
			}
			t.Logf("%d trees, %d nodes: %d bytes (%.1f per node)", len(f.Trees), nodes, len(b), float64(len(b))/float64(nodes))
			p, _ := f.PredictProba(X)
			q, err := g.PredictProba(X)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(p, q) {
				t.Fatal("PredictProba differs after a round trip")
			}
			if !slices.Equal(f.Classes, g.Classes) || f.NFeatures != g.NFeatures || f.OOBRows != g.OOBRows ||
				f.OOBAccuracy != g.OOBAccuracy || !sameFloat(f.OOBAUC, g.OOBAUC) || !slices.Equal(f.Importances, g.Importances) {
				t.Errorf("metadata differs: %+v vs %+v", f, g)
			}
			for ti, tr := range f.Trees {
				gt := g.Trees[ti]
				if tr.NodeCount() != gt.NodeCount() || tr.Depth() != gt.Depth() {
					t.Fatalf("tree %d: %d nodes depth %d, loaded %d depth %d", ti, tr.NodeCount(), tr.Depth(), gt.NodeCount(), gt.Depth())
				}
				for i := range tr.NodeCount() {
					a, b := tr.Node(i), gt.Node(i)
					if a.Feature != b.Feature || a.Left != b.Left || a.Right != b.Right || a.Cover != b.Cover ||
						!sameFloat(a.Threshold, b.Threshold) || !slices.Equal(a.Proba, b.Proba) {
						t.Fatalf("tree %d node %d: %+v, loaded %+v", ti, i, a, b)
					}
				}
			}
			b2, err := g.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Error("marshalling the loaded forest gave different bytes")
			}
		})
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// Cover is sklearn's weighted_n_node_samples: the root's is the number of
// bootstrap draws (the row count) and a split's is the sum of its children's.
func TestCover(t *testing.T) {
	f, X := fitSmall(t, Options{NTrees: 5, MinSamplesLeaf: 2, Seed: 9}, false)
	n, _ := X.Dims()
	for ti, tr := range f.Trees {
		if c := tr.Node(0).Cover; c != float64(n) {
			t.Errorf("tree %d: root cover %v, want %d", ti, c, n)
		}
		for i := range tr.NodeCount() {
			nd := tr.Node(i)
			if nd.Feature < 0 {
				if nd.Proba == nil || nd.Left != -1 || nd.Cover <= 0 {
					t.Fatalf("tree %d leaf %d: %+v", ti, i, nd)
				}
				continue
			}
			if nd.Left != i+1 || nd.Proba != nil {
				t.Fatalf("tree %d split %d: %+v", ti, i, nd)
			}
			if l, r := tr.Node(nd.Left).Cover, tr.Node(nd.Right).Cover; l+r != nd.Cover {
				t.Fatalf("tree %d node %d: cover %v, children %v + %v", ti, i, nd.Cover, l, r)
			}
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	f, _ := fitSmall(t, Options{NTrees: 3, MaxDepth: 4, Seed: 1}, false)
	good, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation fails cleanly.
	for i := range len(good) {
		if _, err := Unmarshal(good[:i]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", i, len(good))
		}
	}
	if _, err := Unmarshal(append(slices.Clone(good), 0)); err == nil || !strings.Contains(err.Error(), "after the last tree") {
		t.Errorf("trailing byte: %v", err)
	}
	v2 := slices.Clone(good)
	v2[4] = 2
	if _, err := Unmarshal(v2); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("version 2: %v", err)
	}
	if _, err := Unmarshal([]byte("{}")); err == nil {
		t.Error("JSON: no error")
	}

	// Hand-made forests: one feature, classes 0 and 1, no importances to speak of.
	head := func(thresholds ...float64) []byte {
		b := append([]byte(magic), formatVersion, 1, 2, 0, 2) // k=1, nc=2, classes 0 and 1 (zigzag)
		b = appendFloat(b, 0.5)
		b = appendFloat(b, 0.5)
		b = append(b, 0)
		b = appendFloat(b, 1)
		b = binary.AppendUvarint(b, uint64(len(thresholds)))
		for _, v := range thresholds {
			b = appendFloat(b, v)
		}
		return b
	}
	ok := append(head(0.5), 1, 3, 1, 0, 0, 3, 1, 0, 2, 5) // a split and two leaves
	if g, err := Unmarshal(ok); err != nil {
		t.Fatalf("hand-made forest: %v", err)
	} else if p, _ := g.PredictProba(mat.NewDense(2, 1, []float64{0, 1})); p.At(0, 1) != 0.25 || p.At(1, 1) != 5.0/7 {
		t.Errorf("hand-made forest predicts %v", p.RawMatrix().Data)
	}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"feature out of range", append(head(0.5), 1, 3, 2, 0, 0, 3, 1, 0, 2, 5), "feature 1 of 1"},
		{"threshold index", append(head(0.5), 1, 3, 1, 1, 0, 3, 1, 0, 2, 5), "threshold 1 of feature 0"},
		{"missing right subtree", append(head(0.5), 1, 2, 1, 0, 0, 3, 1), "cut short"},
		{"extra node", append(head(0.5), 1, 3, 0, 3, 1, 0, 2, 5), "ends after 1 of 3"},
		{"empty leaf", append(head(), 1, 1, 0, 0, 0), "no weight"},
		{"no trees", append(head(), 0), "no trees"},
		{"NaN threshold", append(head(math.NaN()), 1, 1, 0, 1, 1), "not increasing"},
		{"decreasing thresholds", append(head(1, 0), 1, 1, 0, 1, 1), "not increasing"},
		{"huge node count", append(head(), 1, 0xff, 0xff, 0xff, 0xff, 0x0f), "more than"},
		{"classes not increasing", func() []byte {
			b := head()
			b[7], b[8] = 2, 0
			return append(b, 1, 1, 0, 1, 1)
		}(), "strictly increasing"},
	} {
		_, err := Unmarshal(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, three := range []bool{false, true} {
		fr, _ := fitSmall(f, Options{NTrees: 2, MaxDepth: 3, Seed: 1}, three)
		b, err := fr.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(magic))
	x := mat.NewDense(3, 6, []float64{
		0, 0, 0, 0, 0, 0,
		-1, 2, math.NaN(), 3, -4, 5,
		1e300, -1e300, 0.5, -0.5, math.Inf(1), math.Inf(-1),
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Unmarshal(b)
		if err != nil {
			return
		}
		// Whatever loads must predict, save and explain without panicking.
		if g.NFeatures == 6 {
			if _, err := g.PredictProba(x); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := g.Marshal(); err != nil {
			t.Fatalf("loaded forest does not marshal: %v", err)
		}
		for _, tr := range g.Trees {
			for i := range tr.NodeCount() {
				tr.Node(i)
			}
		}
	})
}

// PredictProba's blocked, lockstep walk must give exactly the per-row
// reference: same leaves, same order of sums.
func TestPredictMatchesReference(t *testing.T) {
	X, y := synth(3000, 5, 21)
	for _, opt := range []Options{
		{NTrees: 7, Seed: 1}, // deep: beyond syncLevels
		{NTrees: 7, MaxDepth: 12, MinSamplesLeaf: 20, Seed: 2}, // the shipped cap
		{NTrees: 4, MaxDepth: 1, Seed: 3},
	} {
		f, err := Fit(X, y, opt)
		if err != nil {
			t.Fatal(err)
		}
		// A strided view with rows that are not a multiple of the block.
		big := mat.NewDense(1300, 7, nil)
		for i := range 1300 {
			for j := range 7 {
				big.Set(i, j, X.At((i*7)%3000, j%5)+float64(j/5))
			}
		}
		big.Set(5, 2, math.NaN())
		view := big.Slice(0, 1300, 0, 5).(*mat.Dense)
		p, err := f.PredictProba(view)
		if err != nil {
			t.Fatal(err)
		}
		nc := len(f.Classes)
		for i := range 1300 {
			x := view.RawRowView(i)
			ref := make([]float64, nc)
			for _, tr := range f.Trees {
				l := tr.leafOf(0, x)
				for c := range nc {
					ref[c] += tr.proba[int(l)*nc+c]
				}
			}
			for c := range ref {
				ref[c] /= float64(len(f.Trees))
			}
			if !slices.Equal(ref, p.RawRowView(i)) {
				t.Fatalf("%+v row %d: %v, reference %v", opt, i, p.RawRowView(i), ref)
			}
		}
	}
}
