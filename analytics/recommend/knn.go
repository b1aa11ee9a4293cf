package recommend

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Measure is the item-item similarity used by [TrainItemKNN].
type Measure int

const (
	// Cosine is dot/(|a||b|) over the buyers' weights, damped by
	// n/(n+Shrink) where n is the number of co-buyers, so a pair seen
	// together once does not outrank a pair seen together a hundred times.
	Cosine Measure = iota
	// CoCount is the plain number of customers who bought both products
	// ("customers who bought X also bought Y").
	CoCount
)

// KNNOptions configures [TrainItemKNN].
type KNNOptions struct {
	K       int     // neighbours kept per product; <= 0 means 50
	Shrink  float64 // cosine shrinkage; negative is an error
	Measure Measure
	Workers int // goroutines; <= 0 means GOMAXPROCS
}

// Neighbour is a similar product with its similarity and the number of
// customers who bought both.
type Neighbour struct {
	Item     int
	Score    float64
	CoBuyers int
}

// ItemKNN holds the top-K neighbours of every product, best first, ties by
// the smaller product index.
type ItemKNN struct {
	Neighbours [][]Neighbour
}

// TrainItemKNN computes the top-K neighbours of every product.
//
// The work is sparse: for product j it walks j's buyers and their other
// products, so the cost is the number of co-purchase pairs, never
// products². Products are processed in parallel with per-worker scratch
// space; each product's list is computed in a fixed order by one worker, so
// the result is identical for any worker count.
func TrainItemKNN(m *Matrix, opt KNNOptions) (*ItemKNN, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	if opt.K <= 0 {
		opt.K = 50
	}
	if opt.Shrink < 0 || math.IsNaN(opt.Shrink) {
		return nil, fmt.Errorf("recommend: shrinkage %v must be >= 0", opt.Shrink)
	}
	if opt.Measure != Cosine && opt.Measure != CoCount {
		return nil, fmt.Errorf("recommend: unknown similarity measure %d", opt.Measure)
	}
	norm := make([]float64, m.cols)
	for c := range norm {
		_, w := m.Col(c)
		s := 0.0
		for _, x := range w {
			s += x * x
		}
		norm[c] = math.Sqrt(s)
	}
	res := &ItemKNN{Neighbours: make([][]Neighbour, m.cols)}
	parallelItems(m.cols, opt.Workers, func() func(int) {
		dot := make([]float64, m.cols)
		cnt := make([]int32, m.cols) // int32: the scratch stays in L1 longer
		var touched []int
		var cand []Neighbour
		return func(j int) {
			touched = touched[:0]
			rows, wj := m.Col(j)
			if m.unit {
				// All weights 1: the dot product is the co-buyer count,
				// so the hot loop only counts (j itself is skipped below).
				for _, r := range rows {
					for _, l := range m.colIdx[m.rowPtr[r]:m.rowPtr[r+1]] {
						if cnt[l] == 0 {
							touched = append(touched, l)
						}
						cnt[l]++
					}
				}
			} else {
				for a, r := range rows {
					cols, wr := m.Row(r)
					for b, l := range cols {
						if cnt[l] == 0 {
							touched = append(touched, l)
						}
						cnt[l]++
						dot[l] += wj[a] * wr[b]
					}
				}
			}
			cand = cand[:0]
			for _, l := range touched {
				n := float64(cnt[l])
				d := dot[l]
				if m.unit {
					d = n // a sum of ones, exact
				}
				dot[l], cnt[l] = 0, 0
				if l == j {
					continue
				}
				var s float64
				if opt.Measure == CoCount {
					s = n
				} else {
					s = d / (norm[j] * norm[l]) * n / (n + opt.Shrink)
				}
				cand = append(cand, Neighbour{Item: l, Score: s, CoBuyers: int(n)})
			}
			res.Neighbours[j] = slices.Clone(topK(cand, opt.K, byNeighbour))
		}
	})
	return res, nil
}

func byNeighbour(a, b Neighbour) int {
	return byScore(Scored{a.Item, a.Score}, Scored{b.Item, b.Score})
}

// parallelItems calls the function made by newWorker for every i in [0, n)
// on up to workers goroutines. Each goroutine gets its own function (and so
// its own scratch space); items are handed out in small chunks so uneven
// items (a best seller has many co-buyers) do not stall one worker.
func parallelItems(n, workers int, newWorker func() func(int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	const chunk = 16
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newWorker()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					f(i)
				}
			}
		}()
	}
	wg.Wait()
}
