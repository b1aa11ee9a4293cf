package recommend

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Filter says which products may not be recommended.
type Filter struct {
	// ExcludeBought drops products the customer already bought: for
	// consumables the caller may want repeats, hence an option.
	ExcludeBought bool
	// DoNotRecommend and OutOfStock are product indices never offered.
	DoNotRecommend []int
	OutOfStock     []int
	// When AllowedCategories is non-nil only products whose Category (one
	// entry per product; negative for unknown) is in it are offered.
	Category          []int
	AllowedCategories []int
}

// blocked turns the filter into one flag per product, so the per-customer
// loop is a slice lookup. It checks indices here, once, rather than letting
// a bad index panic deep in scoring.
func (f Filter) blocked(cols int) ([]bool, error) {
	b := make([]bool, cols)
	for _, list := range [][]int{f.DoNotRecommend, f.OutOfStock} {
		for _, c := range list {
			if c < 0 || c >= cols {
				return nil, fmt.Errorf("%w: excluded product %d of %d", ErrIndex, c, cols)
			}
			b[c] = true
		}
	}
	if f.AllowedCategories != nil {
		if len(f.Category) != cols {
			return nil, fmt.Errorf("recommend: category filter needs %d product categories, got %d", cols, len(f.Category))
		}
		for c, cat := range f.Category {
			if !slices.Contains(f.AllowedCategories, cat) {
				b[c] = true
			}
		}
	}
	return b, nil
}

// Recommendation is one offered product. Because holds up to two products
// the customer bought that contributed most to the score, strongest first,
// for a reason such as "because you bought A and B"; the caller turns the
// indices into names.
type Recommendation struct {
	Item    int
	Score   float64
	Because []int
}

// scratch is the per-goroutine working space of top-N scoring, sized once
// for the catalogue and cleaned after every customer.
type scratch struct {
	score   []float64
	b1, b2  []int // best and second-best contributing bought product
	s1, s2  []float64
	bought  []bool
	touched []int
	cand    []Scored
}

// scratchPool lets repeated single-customer calls (an evaluation loop, a
// GUI click) reuse the catalogue-sized arrays instead of allocating them per
// call. Scratch is always returned clean, so only the size must match.
var scratchPool sync.Pool

func getScratch(cols int) *scratch {
	if s, ok := scratchPool.Get().(*scratch); ok && len(s.score) == cols {
		return s
	}
	return newScratch(cols)
}

func newScratch(cols int) *scratch {
	s := &scratch{
		score: make([]float64, cols), s1: make([]float64, cols), s2: make([]float64, cols),
		b1: make([]int, cols), b2: make([]int, cols), bought: make([]bool, cols),
	}
	for i := range s.b1 {
		s.b1[i], s.b2[i] = -1, -1
	}
	return s
}

// ErrNoModel is returned when a method is called on a nil model.
var ErrNoModel = errors.New("recommend: no trained model")

func (k *ItemKNN) check(m *Matrix) error {
	if k == nil {
		return ErrNoModel
	}
	if m == nil || m.NNZ() == 0 {
		return ErrNoPurchases
	}
	if len(k.Neighbours) != m.cols {
		return fmt.Errorf("recommend: model has %d products, matrix %d", len(k.Neighbours), m.cols)
	}
	return nil
}

// Recommend returns customer u's top n products: each candidate scores the
// sum of its similarities to the products u bought. A customer whose
// products have no neighbours gets an empty list; callers top it up from
// [PopularFor] and say so.
func (k *ItemKNN) Recommend(m *Matrix, u, n int, f Filter) ([]Recommendation, error) {
	if err := k.check(m); err != nil {
		return nil, err
	}
	if err := checkCustomer(m, u, n); err != nil {
		return nil, err
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	s := getScratch(m.cols)
	defer scratchPool.Put(s)
	return k.topN(m, s, blocked, f.ExcludeBought, u, n), nil
}

// Recommender wraps k for [Evaluate]: the filter is checked once, and the
// returned function is safe for concurrent use.
func (k *ItemKNN) Recommender(m *Matrix, f Filter) (Recommender, error) {
	if err := k.check(m); err != nil {
		return nil, err
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	return func(u, n int) ([]int, error) {
		if err := checkCustomer(m, u, n); err != nil {
			return nil, err
		}
		s := getScratch(m.cols)
		defer scratchPool.Put(s)
		return Items(k.topN(m, s, blocked, f.ExcludeBought, u, n)), nil
	}, nil
}

// RecommendAll returns the top n products of every customer, indexed by
// customer, computed in parallel on workers goroutines (<= 0: GOMAXPROCS).
func (k *ItemKNN) RecommendAll(m *Matrix, n int, f Filter, workers int) ([][]Recommendation, error) {
	if err := k.check(m); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, ErrBadK
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	out := make([][]Recommendation, m.rows)
	parallelItems(m.rows, workers, func() func(int) {
		s := newScratch(m.cols)
		return func(u int) { out[u] = k.topN(m, s, blocked, f.ExcludeBought, u, n) }
	})
	return out, nil
}

func (k *ItemKNN) topN(m *Matrix, s *scratch, blocked []bool, excludeBought bool, u, n int) []Recommendation {
	cols, _ := m.Row(u)
	for _, j := range cols {
		s.bought[j] = true
	}
	s.touched = s.touched[:0]
	// Bought products are visited in ascending order and a contributor only
	// replaces another when strictly stronger, so reasons are deterministic.
	for _, j := range cols {
		for _, nb := range k.Neighbours[j] {
			l := nb.Item
			if blocked[l] || (excludeBought && s.bought[l]) {
				continue
			}
			if s.b1[l] < 0 {
				s.touched = append(s.touched, l)
			}
			s.score[l] += nb.Score
			switch {
			case s.b1[l] < 0 || nb.Score > s.s1[l]:
				s.b2[l], s.s2[l] = s.b1[l], s.s1[l]
				s.b1[l], s.s1[l] = j, nb.Score
			case s.b2[l] < 0 || nb.Score > s.s2[l]:
				s.b2[l], s.s2[l] = j, nb.Score
			}
		}
	}
	s.cand = s.cand[:0]
	for _, l := range s.touched {
		s.cand = append(s.cand, Scored{l, s.score[l]})
	}
	best := topK(s.cand, n, byScore)
	out := make([]Recommendation, 0, len(best))
	for _, c := range best {
		because := []int{s.b1[c.Index]}
		if s.b2[c.Index] >= 0 {
			because = append(because, s.b2[c.Index])
		}
		out = append(out, Recommendation{Item: c.Index, Score: c.Score, Because: because})
	}
	for _, l := range s.touched {
		s.score[l], s.s1[l], s.s2[l] = 0, 0, 0
		s.b1[l], s.b2[l] = -1, -1
	}
	for _, j := range cols {
		s.bought[j] = false
	}
	return out
}

// Similar returns up to n products most similar to item, filtered by f
// (ExcludeBought does not apply). It reads the trained lists, so at most K
// products come back.
func (k *ItemKNN) Similar(item, n int, f Filter) ([]Neighbour, error) {
	if k == nil {
		return nil, ErrNoModel
	}
	if n <= 0 {
		return nil, ErrBadK
	}
	if item < 0 || item >= len(k.Neighbours) {
		return nil, fmt.Errorf("%w: product %d of %d", ErrIndex, item, len(k.Neighbours))
	}
	blocked, err := f.blocked(len(k.Neighbours))
	if err != nil {
		return nil, err
	}
	out := []Neighbour{}
	for _, nb := range k.Neighbours[item] {
		if len(out) == n {
			break
		}
		if !blocked[nb.Item] {
			out = append(out, nb)
		}
	}
	return out, nil
}

// LikelyBuyers returns the n customers most likely to buy item: the ones
// whose purchases are most similar to it, scored like [ItemKNN.Recommend]
// would score item for them. With excludeBuyers, customers who already
// bought it are left out (an audience for acquisition, not repeat).
func (k *ItemKNN) LikelyBuyers(m *Matrix, item, n int, excludeBuyers bool) ([]Scored, error) {
	if err := k.check(m); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, ErrBadK
	}
	if item < 0 || item >= m.cols {
		return nil, fmt.Errorf("%w: product %d of %d", ErrIndex, item, m.cols)
	}
	score := make([]float64, m.rows)
	seen := make([]bool, m.rows)
	var touched []int
	// Reverse lookup: products j that list item among their neighbours.
	for j, ns := range k.Neighbours {
		for _, nb := range ns {
			if nb.Item != item {
				continue
			}
			rows, _ := m.Col(j)
			for _, u := range rows {
				if !seen[u] {
					seen[u] = true
					touched = append(touched, u)
				}
				score[u] += nb.Score
			}
			break
		}
	}
	var out []Scored
	for _, u := range touched {
		if excludeBuyers && m.Has(u, item) {
			continue
		}
		out = append(out, Scored{u, score[u]})
	}
	return slices.Clip(topK(out, n, byScore)), nil
}

// PopularFor is the popularity baseline for one customer: the best sellers
// in ranked (from [Popular] or one group of [PopularByGroup]) that pass f,
// with no reason attached.
func PopularFor(m *Matrix, ranked []Scored, u, n int, f Filter) ([]Recommendation, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	if err := checkCustomer(m, u, n); err != nil {
		return nil, err
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	return popularFor(m, ranked, blocked, f.ExcludeBought, u, n)
}

// PopularRecommender wraps the popularity baseline for [Evaluate]; the
// filter is checked once and the function is safe for concurrent use.
func PopularRecommender(m *Matrix, ranked []Scored, f Filter) (Recommender, error) {
	if m == nil || m.NNZ() == 0 {
		return nil, ErrNoPurchases
	}
	blocked, err := f.blocked(m.cols)
	if err != nil {
		return nil, err
	}
	return func(u, n int) ([]int, error) {
		if err := checkCustomer(m, u, n); err != nil {
			return nil, err
		}
		r, err := popularFor(m, ranked, blocked, f.ExcludeBought, u, n)
		return Items(r), err
	}, nil
}

func popularFor(m *Matrix, ranked []Scored, blocked []bool, excludeBought bool, u, n int) ([]Recommendation, error) {
	out := []Recommendation{}
	for _, p := range ranked {
		if len(out) == n {
			break
		}
		if p.Index < 0 || p.Index >= m.cols {
			return nil, fmt.Errorf("%w: ranked product %d of %d", ErrIndex, p.Index, m.cols)
		}
		if blocked[p.Index] || (excludeBought && m.Has(u, p.Index)) {
			continue
		}
		out = append(out, Recommendation{Item: p.Index, Score: p.Score})
	}
	return out, nil
}

// Fill tops up primary to n with fallback products it does not already
// hold (typically [PopularFor] for a customer with little history), so a
// customer never silently gets a short list. Fallback items keep their
// empty Because, which tells the caller to word them as best sellers.
func Fill(primary, fallback []Recommendation, n int) []Recommendation {
	out := slices.Clone(primary[:min(n, len(primary))])
	for _, r := range fallback {
		if len(out) >= n {
			break
		}
		if !slices.ContainsFunc(out, func(o Recommendation) bool { return o.Item == r.Item }) {
			out = append(out, r)
		}
	}
	return out
}

// checkCustomer validates a request for n products for customer u.
func checkCustomer(m *Matrix, u, n int) error {
	if n <= 0 {
		return ErrBadK
	}
	if u < 0 || u >= m.rows {
		return fmt.Errorf("%w: customer %d of %d", ErrIndex, u, m.rows)
	}
	return nil
}
