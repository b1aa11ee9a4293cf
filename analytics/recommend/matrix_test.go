package recommend

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMatrixDuplicatesAndTranspose(t *testing.T) {
	m, err := NewMatrix(3, 4, []Entry{
		{2, 1, 1}, {0, 3, 2}, {0, 3, 1}, {1, 0, 1}, {0, 1, 1}, {1, 2, 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.NNZ() != 4 {
		t.Fatalf("NNZ = %d, want 4 (duplicates summed, zero weight dropped)", m.NNZ())
	}
	if got := m.At(0, 3); got != 3 {
		t.Errorf("At(0,3) = %v, want 3", got)
	}
	if m.Has(1, 2) {
		t.Error("zero-weight cell counted as a purchase")
	}
	cols, _ := m.Row(0)
	if !slices.Equal(cols, []int{1, 3}) {
		t.Errorf("Row(0) = %v", cols)
	}
	rows, _ := m.Col(1)
	if !slices.Equal(rows, []int{0, 2}) {
		t.Errorf("Col(1) = %v", rows)
	}
	if r, _ := m.Row(-1); r != nil {
		t.Error("Row(-1) should be empty")
	}
}

func TestMatrixBadInput(t *testing.T) {
	if _, err := NewMatrix(2, 2, []Entry{{2, 0, 1}}); !errors.Is(err, ErrIndex) {
		t.Errorf("row out of range: %v", err)
	}
	if _, err := NewMatrix(2, 2, []Entry{{0, 0, -1}}); err == nil {
		t.Error("negative weight accepted")
	}
	if _, err := NewMatrix(-1, 2, nil); err == nil {
		t.Error("negative shape accepted")
	}
	m, err := NewMatrix(0, 0, nil)
	if err != nil || m.NNZ() != 0 {
		t.Fatalf("empty matrix: %v", err)
	}
}

// randomMatrix makes integer weights so dot products are exact and a dense
// reference gives bit-identical similarities.
func randomMatrix(rng *rand.Rand, rows, cols int, density float64) *Matrix {
	var es []Entry
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if rng.Float64() < density {
				es = append(es, Entry{r, c, float64(1 + rng.IntN(3))})
			}
		}
	}
	m, err := NewMatrix(rows, cols, es)
	if err != nil {
		panic(err)
	}
	return m
}

func TestMatrixRandomRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := randomMatrix(rng, 20, 15, 0.3)
	n := 0
	for c := 0; c < m.Cols(); c++ {
		rows, w := m.Col(c)
		for i, r := range rows {
			if m.At(r, c) != w[i] {
				t.Fatalf("CSC (%d,%d) = %v, CSR %v", r, c, w[i], m.At(r, c))
			}
			n++
		}
	}
	if n != m.NNZ() {
		t.Fatalf("CSC has %d cells, CSR %d", n, m.NNZ())
	}
}

func TestMatrixRandomDuplicates(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	sum := map[[2]int]float64{}
	var es []Entry
	for i := 0; i < 500; i++ {
		e := Entry{rng.IntN(12), rng.IntN(9), float64(rng.IntN(3))}
		es = append(es, e)
		sum[[2]int{e.Row, e.Col}] += e.Weight
	}
	m, err := NewMatrix(12, 9, es)
	if err != nil {
		t.Fatal(err)
	}
	nnz := 0
	for r := 0; r < 12; r++ {
		for c := 0; c < 9; c++ {
			if got, want := m.At(r, c), sum[[2]int{r, c}]; got != want {
				t.Fatalf("At(%d,%d) = %v, want %v", r, c, got, want)
			}
			if sum[[2]int{r, c}] > 0 {
				nnz++
			}
		}
		cols, _ := m.Row(r)
		if !slices.IsSorted(cols) {
			t.Fatalf("row %d not sorted: %v", r, cols)
		}
	}
	if m.NNZ() != nnz {
		t.Fatalf("NNZ = %d, want %d", m.NNZ(), nnz)
	}
}

func TestBinaryMatrix(t *testing.T) {
	m, err := NewBinaryMatrix(2, 3, []Entry{{0, 2, 3}, {0, 2, 1}, {1, 0, 0.5}, {1, 1, 0}, {0, 0, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if m.NNZ() != 3 {
		t.Fatalf("NNZ = %d, want 3 (repeats once, zero weight dropped)", m.NNZ())
	}
	for _, c := range [][2]int{{0, 2}, {1, 0}, {0, 0}} {
		if got := m.At(c[0], c[1]); got != 1 {
			t.Errorf("At%v = %v, want 1", c, got)
		}
	}
	if rows, w := m.Col(2); !slices.Equal(rows, []int{0}) || !slices.Equal(w, []float64{1}) {
		t.Errorf("Col(2) = %v %v: the by-product copy must be binary too", rows, w)
	}
	if _, err := NewBinaryMatrix(2, 2, []Entry{{0, 0, -1}}); err == nil {
		t.Error("a negative weight must still be rejected")
	}
}
