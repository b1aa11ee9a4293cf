package recommend

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// denseKNN is the reference: G = XᵀX and C = BᵀB (B the 0/1 pattern) by
// gonum, then every pair scored and sorted directly.
func denseKNN(m *Matrix, opt KNNOptions) [][]Neighbour {
	x := mat.NewDense(max(m.Rows(), 1), max(m.Cols(), 1), nil)
	b := mat.NewDense(max(m.Rows(), 1), max(m.Cols(), 1), nil)
	for r := 0; r < m.Rows(); r++ {
		cols, w := m.Row(r)
		for i, c := range cols {
			x.Set(r, c, w[i])
			b.Set(r, c, 1)
		}
	}
	var g, co mat.Dense
	g.Mul(x.T(), x)
	co.Mul(b.T(), b)
	out := make([][]Neighbour, m.Cols())
	for j := range out {
		var cand []Neighbour
		for l := 0; l < m.Cols(); l++ {
			n := co.At(j, l)
			if l == j || n == 0 {
				continue
			}
			s := n
			if opt.Measure == Cosine {
				s = g.At(j, l) / (math.Sqrt(g.At(j, j)) * math.Sqrt(g.At(l, l))) * n / (n + opt.Shrink)
			}
			cand = append(cand, Neighbour{l, s, int(n)})
		}
		slices.SortFunc(cand, byNeighbour)
		out[j] = cand[:min(opt.K, len(cand))]
	}
	return out
}

func TestItemKNNMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 30; trial++ {
		m := randomMatrix(rng, 5+rng.IntN(30), 1+rng.IntN(25), 0.05+rng.Float64()*0.4)
		if m.NNZ() == 0 {
			continue
		}
		if trial%2 == 1 { // the counting path of binary matrices
			m = binaryOf(t, m)
		}
		for _, opt := range []KNNOptions{
			{K: 3, Shrink: 0, Measure: Cosine, Workers: 1},
			{K: 5, Shrink: 10, Measure: Cosine, Workers: 2},
			{K: 100, Shrink: 2.5, Measure: Cosine, Workers: 3},
			{K: 4, Measure: CoCount, Workers: 2},
		} {
			got, err := TrainItemKNN(m, opt)
			if err != nil {
				t.Fatal(err)
			}
			want := denseKNN(m, opt)
			for j := range want {
				g, w := got.Neighbours[j], want[j]
				if len(g) != len(w) {
					t.Fatalf("trial %d %+v item %d: %d neighbours, want %d", trial, opt, j, len(g), len(w))
				}
				for i := range w {
					if g[i].Item != w[i].Item || g[i].CoBuyers != w[i].CoBuyers || math.Abs(g[i].Score-w[i].Score) > 1e-12 {
						t.Fatalf("trial %d %+v item %d rank %d: got %+v, want %+v", trial, opt, j, i, g[i], w[i])
					}
				}
			}
		}
	}
}

// binaryOf is m with every weight 1, checked to take the counting path.
func binaryOf(t *testing.T, m *Matrix) *Matrix {
	var es []Entry
	for r := range m.Rows() {
		cols, _ := m.Row(r)
		for _, c := range cols {
			es = append(es, Entry{r, c, 3})
		}
	}
	b, err := NewBinaryMatrix(m.Rows(), m.Cols(), es)
	if err != nil || !b.unit {
		t.Fatalf("NewBinaryMatrix: %v, all weights 1: %v", err, b != nil && b.unit)
	}
	return b
}

func TestItemKNNDeterministicTies(t *testing.T) {
	// Customers 0..3 each bought product 0 and one other product: every
	// neighbour of 0 ties, so the order must be by index, for any workers.
	var es []Entry
	for r := 0; r < 4; r++ {
		es = append(es, Entry{r, 0, 1}, Entry{r, 4 - r, 1})
	}
	m, _ := NewMatrix(4, 5, es)
	var first [][]Neighbour
	for w := 1; w <= 4; w++ {
		k, err := TrainItemKNN(m, KNNOptions{K: 3, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		items := []int{}
		for _, n := range k.Neighbours[0] {
			items = append(items, n.Item)
		}
		if !slices.Equal(items, []int{1, 2, 3}) {
			t.Fatalf("workers %d: neighbours of 0 = %v, want [1 2 3]", w, items)
		}
		if first == nil {
			first = k.Neighbours
		} else if !slices.EqualFunc(first, k.Neighbours, slices.Equal) {
			t.Fatalf("workers %d changed the result", w)
		}
	}
}

func TestItemKNNEdgeCases(t *testing.T) {
	empty, _ := NewMatrix(3, 2, nil)
	if _, err := TrainItemKNN(empty, KNNOptions{}); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("empty matrix: %v", err)
	}
	if _, err := TrainItemKNN(nil, KNNOptions{}); !errors.Is(err, ErrNoPurchases) {
		t.Errorf("nil matrix: %v", err)
	}
	one, _ := NewMatrix(3, 1, []Entry{{0, 0, 1}, {2, 0, 5}})
	k, err := TrainItemKNN(one, KNNOptions{})
	if err != nil || len(k.Neighbours) != 1 || len(k.Neighbours[0]) != 0 {
		t.Errorf("one product: %v %+v", err, k)
	}
	single, _ := NewMatrix(2, 3, []Entry{{0, 0, 1}, {1, 2, 1}})
	k, err = TrainItemKNN(single, KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for j, ns := range k.Neighbours {
		if len(ns) != 0 {
			t.Errorf("one purchase per customer: item %d has neighbours %v", j, ns)
		}
	}
	if _, err := TrainItemKNN(single, KNNOptions{Shrink: -1}); err == nil {
		t.Error("negative shrinkage accepted")
	}
}
