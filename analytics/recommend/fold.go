package recommend

import (
	"fmt"
	"math"
)

// ALSItems is the product side of a trained ALS model: enough to score any
// customer from their current purchases by folding them in (solving the
// customer's factor against the fixed product factors), so purchases made
// after training count without training again.
type ALSItems struct {
	K             int
	Factors       []float64 // row-major: product i is Factors[i*K:(i+1)*K]
	Alpha, Lambda float64
	gram          []float64
}

// maxFoldSteps bounds the conjugate-gradient steps of one fold-in: CG from
// zero is exact after K steps and close long before; rankings need no more.
const maxFoldSteps = 12

// NewALSItems checks stored factors (they may come from a damaged file)
// and prepares them for scoring.
func NewALSItems(k int, factors []float64, alpha, lambda float64) (*ALSItems, error) {
	if k < 1 || len(factors)%k != 0 {
		return nil, fmt.Errorf("recommend: %d factor values do not split into rows of %d", len(factors), k)
	}
	if !(alpha >= 0) || math.IsInf(alpha, 0) || !(lambda > 0) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("recommend: bad ALS settings alpha %v, lambda %v", alpha, lambda)
	}
	for i, v := range factors {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("recommend: factor %d of product %d is %v", i%k, i/k, v)
		}
	}
	return &ALSItems{K: k, Factors: factors, Alpha: alpha, Lambda: lambda, gram: alsGram(factors, k, lambda)}, nil
}

// Items is the number of products the model knows.
func (a *ALSItems) Items() int { return len(a.Factors) / a.K }

// UserFactor folds in one customer: the factor x minimising the implicit
// objective for their purchases (items with weights) with the product
// factors fixed. Items the model does not know are ignored.
func (a *ALSItems) UserFactor(items []int, weights []float64) []float64 {
	var idx []int32
	var val []float64
	for i, it := range items {
		if it >= 0 && it < a.Items() && weights[i] > 0 {
			idx, val = append(idx, int32(it)), append(val, weights[i])
		}
	}
	x := make([]float64, a.K)
	if len(idx) == 0 {
		return x
	}
	r, p, ap := make([]float64, a.K), make([]float64, a.K), make([]float64, a.K)
	opt := ALSOptions{Alpha: a.Alpha, Lambda: a.Lambda, CGSteps: min(a.K, maxFoldSteps)}
	alsCGUpdate(x, a.Factors, a.gram, idx, val, opt, r, p, ap)
	return x
}

// Recommend returns customer u's top n products by folded-in factor score.
// Matrix column i is model product i; columns past Items() are products the
// model does not know and are never offered. Because holds the (up to two)
// bought products closest to each offer in factor space.
func (a *ALSItems) Recommend(m *Matrix, u, n int, f Filter) ([]Recommendation, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	if err := checkCustomer(m, u, n); err != nil {
		return nil, err
	}
	if m.cols < a.Items() {
		return nil, fmt.Errorf("recommend: model has %d products, matrix %d", a.Items(), m.cols)
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	return a.topN(m, blocked, f.ExcludeBought, u, n), nil
}

// RecommendAll is Recommend for every customer, on workers goroutines.
func (a *ALSItems) RecommendAll(m *Matrix, n int, f Filter, workers int) ([][]Recommendation, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	if n <= 0 {
		return nil, ErrBadK
	}
	if m.cols < a.Items() {
		return nil, fmt.Errorf("recommend: model has %d products, matrix %d", a.Items(), m.cols)
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	out := make([][]Recommendation, m.rows)
	parallelItems(m.rows, workers, func() func(int) {
		return func(u int) { out[u] = a.topN(m, blocked, f.ExcludeBought, u, n) }
	})
	return out, nil
}

func (a *ALSItems) topN(m *Matrix, blocked []bool, excludeBought bool, u, n int) []Recommendation {
	cols, w := m.Row(u)
	x := a.UserFactor(cols, w)
	k := a.K
	var cand []Scored
	for i := 0; i < a.Items(); i++ {
		if blocked[i] || (excludeBought && m.Has(u, i)) {
			continue
		}
		cand = append(cand, Scored{i, alsDot(x, a.Factors[i*k:i*k+k])})
	}
	best := topK(cand, n, byScore)
	out := make([]Recommendation, 0, len(best))
	for _, c := range best {
		y := a.Factors[c.Index*k : c.Index*k+k]
		b1, b2, s1, s2 := -1, -1, 0.0, 0.0
		for _, j := range cols {
			if j == c.Index || j >= a.Items() {
				continue
			}
			s := alsDot(y, a.Factors[j*k:j*k+k])
			switch {
			case s <= 0:
			case b1 < 0 || s > s1:
				b2, s2, b1, s1 = b1, s1, j, s
			case b2 < 0 || s > s2:
				b2, s2 = j, s
			}
		}
		r := Recommendation{Item: c.Index, Score: c.Score}
		if b1 >= 0 {
			r.Because = append(r.Because, b1)
		}
		if b2 >= 0 {
			r.Because = append(r.Because, b2)
		}
		out = append(out, r)
	}
	return out
}
