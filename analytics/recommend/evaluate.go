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
	mt := Metrics{K: k}
	var lists [][]int
	for u, items := range truth {
		if len(items) == 0 {
			continue
		}
		set := make(map[int]bool, len(items))
		for _, it := range items {
			set[it] = true
		}
		r, err := rec(u, k)
		if err != nil {
			return Metrics{}, fmt.Errorf("recommend: customer %d: %w", u, err)
		}
		mt.Customers++
		mt.HitRate += HitAt(r, set, k)
		mt.Precision += PrecisionAt(r, set, k)
		mt.Recall += RecallAt(r, set, k)
		mt.NDCG += NDCGAt(r, set, k)
		lists = append(lists, r)
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
