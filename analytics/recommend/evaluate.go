package recommend

import (
	"errors"
	"fmt"
)

// Recommender returns up to k product indices for customer u, best first.
// Methods are wrapped into this shape so the evaluator treats them alike.
type Recommender func(u, k int) ([]int, error)

// Metrics are averages over the evaluated customers.
type Metrics struct {
	K         int
	Customers int // customers with at least one truth product
	HitRate   float64
	Precision float64
	Recall    float64
	NDCG      float64
	Coverage  float64 // over the train catalogue, across evaluated customers
}

// ErrNoTruth is returned when no customer has a truth product, so there is
// nothing to measure (for example a split date after the last order).
var ErrNoTruth = errors.New("recommend: no customer has a product in the test period")

// Evaluate measures rec at k. truth[u] holds the products customer u bought
// in the test period (typically only new ones; the caller decides), indexed
// like train's rows; customers beyond len(truth) or with empty truth are
// skipped, since a customer with nothing to find cannot be scored fairly.
func Evaluate(train *Matrix, truth [][]int, k int, rec Recommender) (Metrics, error) {
	return EvaluateParallel(train, truth, k, rec, 1)
}

// EvaluateParallel is [Evaluate] on up to workers goroutines (<= 0:
// GOMAXPROCS); rec must then be safe for concurrent use. Per-customer
// results are summed in customer order, so the figures do not depend on the
// worker count.
func EvaluateParallel(train *Matrix, truth [][]int, k int, rec Recommender, workers int) (Metrics, error) {
	if train == nil || train.NNZ() == 0 {
		return Metrics{}, ErrNoPurchases
	}
	if k <= 0 {
		return Metrics{}, ErrBadK
	}
	if rec == nil {
		return Metrics{}, errors.New("recommend: no recommender to evaluate")
	}
	if len(truth) > train.Rows() {
		return Metrics{}, fmt.Errorf("recommend: truth for %d customers, train has %d", len(truth), train.Rows())
	}
	type result struct {
		ok              bool
		hit, p, r, ndcg float64
		list            []int
		err             error
	}
	res := make([]result, len(truth))
	parallelItems(len(truth), workers, func() func(int) {
		return func(u int) {
			if len(truth[u]) == 0 {
				return
			}
			set := make(map[int]bool, len(truth[u]))
			for _, it := range truth[u] {
				set[it] = true
			}
			r, err := rec(u, k)
			if err != nil {
				res[u] = result{err: fmt.Errorf("recommend: customer %d: %w", u, err)}
				return
			}
			res[u] = result{true, HitAt(r, set, k), PrecisionAt(r, set, k), RecallAt(r, set, k), NDCGAt(r, set, k), r[:min(k, len(r))], nil}
		}
	})
	mt := Metrics{K: k}
	var lists [][]int
	for _, x := range res {
		if x.err != nil {
			return Metrics{}, x.err
		}
		if !x.ok {
			continue
		}
		mt.Customers++
		mt.HitRate += x.hit
		mt.Precision += x.p
		mt.Recall += x.r
		mt.NDCG += x.ndcg
		lists = append(lists, x.list)
	}
	if mt.Customers == 0 {
		return Metrics{}, ErrNoTruth
	}
	n := float64(mt.Customers)
	mt.HitRate /= n
	mt.Precision /= n
	mt.Recall /= n
	mt.NDCG /= n
	mt.Coverage = Coverage(lists, k, train.Cols())
	return mt, nil
}

// Items returns the product indices of recs, the shape [Recommender] wants.
func Items(recs []Recommendation) []int {
	out := make([]int, len(recs))
	for i, r := range recs {
		out[i] = r.Item
	}
	return out
}
