package recommend

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Errors returned for input that cannot be used. They are sentinel values so
// callers can turn them into messages for the user.
var (
	// ErrNoPurchases is returned when the matrix holds no purchase at all.
	ErrNoPurchases = errors.New("recommend: no purchases in the matrix")
	// ErrBadK is returned when a requested list length is not positive.
	ErrBadK = errors.New("recommend: list length must be positive")
	// ErrIndex is returned for a customer or product index out of range.
	ErrIndex = errors.New("recommend: index out of range")
)

// Entry is one purchase fact: customer Row bought product Col with Weight
// (a count, a quantity or simply 1).
type Entry struct {
	Row, Col int
	Weight   float64
}

type cellW struct {
	col int
	w   float64
}

// Matrix is a sparse customer × product matrix of non-negative weights.
//
// It is stored twice, by row (CSR) and by column (CSC): recommending walks a
// customer's products, while item-item similarity walks a product's buyers.
// Within a row the columns are ascending, and within a column the rows are,
// which keeps every loop deterministic.
type Matrix struct {
	rows, cols int

	rowPtr []int // len rows+1
	colIdx []int
	rowVal []float64

	colPtr []int // len cols+1
	rowIdx []int
	colVal []float64

	unit bool // every weight is 1, so similarity needs only counts
}

// NewMatrix builds a rows × cols matrix from entries. Duplicate (row, col)
// pairs are summed, and cells whose sum is zero are dropped so they do not
// count as purchases. Negative or non-finite weights and indices outside the
// shape are rejected: they mean the caller's mapping is wrong.
func NewMatrix(rows, cols int, entries []Entry) (*Matrix, error) {
	return newMatrix(rows, cols, entries, false)
}

// NewBinaryMatrix is [NewMatrix] for "did the customer buy it": every cell
// whose summed weight is positive gets weight 1, so repeat purchases of a
// product count once. It saves callers deduplicating tens of millions of
// order lines themselves before building the matrix.
func NewBinaryMatrix(rows, cols int, entries []Entry) (*Matrix, error) {
	return newMatrix(rows, cols, entries, true)
}

func newMatrix(rows, cols int, entries []Entry, binary bool) (*Matrix, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("recommend: negative matrix shape %d × %d", rows, cols)
	}
	for _, e := range entries {
		if e.Row < 0 || e.Row >= rows || e.Col < 0 || e.Col >= cols {
			return nil, fmt.Errorf("%w: entry (%d, %d) outside %d × %d", ErrIndex, e.Row, e.Col, rows, cols)
		}
		if e.Weight < 0 || math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0) {
			return nil, fmt.Errorf("recommend: entry (%d, %d) has weight %v; weights must be finite and non-negative", e.Row, e.Col, e.Weight)
		}
	}
	// Bucket by row with a counting sort (no copy of entries, no global
	// sort: the input may be tens of millions of order lines), then sort each
	// short row by product and merge duplicates in place.
	m := &Matrix{rows: rows, cols: cols, rowPtr: make([]int, rows+1)}
	for _, e := range entries {
		m.rowPtr[e.Row+1]++
	}
	for r := 0; r < rows; r++ {
		m.rowPtr[r+1] += m.rowPtr[r]
	}
	cell := make([]cellW, len(entries))
	next := slices.Clone(m.rowPtr[:rows])
	for _, e := range entries {
		cell[next[e.Row]] = cellW{e.Col, e.Weight}
		next[e.Row]++
	}
	m.colIdx = make([]int, 0, len(entries))
	m.rowVal = make([]float64, 0, len(entries))
	start := 0
	m.unit = true
	for r := 0; r < rows; r++ {
		row := cell[start:m.rowPtr[r+1]]
		start = m.rowPtr[r+1]
		// Stable, so duplicates are summed in input order, bit for bit.
		slices.SortStableFunc(row, func(a, b cellW) int { return a.col - b.col })
		for i := 0; i < len(row); {
			j, w := i, 0.0
			for ; j < len(row) && row[j].col == row[i].col; j++ {
				w += row[j].w
			}
			if w > 0 {
				if binary {
					w = 1
				}
				m.colIdx = append(m.colIdx, row[i].col)
				m.rowVal = append(m.rowVal, w)
				m.unit = m.unit && w == 1
			}
			i = j
		}
		m.rowPtr[r+1] = len(m.colIdx)
	}
	m.transpose()
	return m, nil
}

// transpose fills the CSC copy with a counting sort, so rows come out
// ascending within each column.
func (m *Matrix) transpose() {
	nnz := len(m.colIdx)
	m.colPtr = make([]int, m.cols+1)
	for _, c := range m.colIdx {
		m.colPtr[c+1]++
	}
	for c := 0; c < m.cols; c++ {
		m.colPtr[c+1] += m.colPtr[c]
	}
	m.rowIdx = make([]int, nnz)
	m.colVal = make([]float64, nnz)
	next := slices.Clone(m.colPtr[:m.cols])
	for r := 0; r < m.rows; r++ {
		for k := m.rowPtr[r]; k < m.rowPtr[r+1]; k++ {
			c := m.colIdx[k]
			m.rowIdx[next[c]] = r
			m.colVal[next[c]] = m.rowVal[k]
			next[c]++
		}
	}
}

// Rows is the number of customers.
func (m *Matrix) Rows() int { return m.rows }

// Cols is the number of products.
func (m *Matrix) Cols() int { return m.cols }

// NNZ is the number of (customer, product) cells with a purchase.
func (m *Matrix) NNZ() int { return len(m.colIdx) }

// Row returns the products customer r bought (ascending) and their weights.
// The slices alias the matrix and must not be modified.
func (m *Matrix) Row(r int) (cols []int, weights []float64) {
	if r < 0 || r >= m.rows {
		return nil, nil
	}
	a, b := m.rowPtr[r], m.rowPtr[r+1]
	return m.colIdx[a:b:b], m.rowVal[a:b:b]
}

// Col returns the customers who bought product c (ascending) and their
// weights. The slices alias the matrix and must not be modified.
func (m *Matrix) Col(c int) (rows []int, weights []float64) {
	if c < 0 || c >= m.cols {
		return nil, nil
	}
	a, b := m.colPtr[c], m.colPtr[c+1]
	return m.rowIdx[a:b:b], m.colVal[a:b:b]
}

// At returns the weight of cell (r, c), 0 when there is no purchase.
func (m *Matrix) At(r, c int) float64 {
	cols, w := m.Row(r)
	if i := sort.SearchInts(cols, c); i < len(cols) && cols[i] == c {
		return w[i]
	}
	return 0
}

// Has reports whether customer r bought product c.
func (m *Matrix) Has(r, c int) bool { return m.At(r, c) > 0 }
