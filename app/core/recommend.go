package core

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/marketbench/marketbench/analytics/recommend"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/purchases"
)

// Recommendation methods, by the names the CLI and GUI use.
const (
	MethodPopularity = "popularity"
	MethodItemKNN    = "item-knn"
	MethodALS        = "als"
)

// RecommendMethods lists the methods in the order evaluations show them.
var RecommendMethods = []string{MethodPopularity, MethodItemKNN, MethodALS}

// RecommendEval is one method's figures on a time split.
type RecommendEval struct {
	Method string
	recommend.Metrics
}

// RecommendSplit is what an evaluation measured on.
type RecommendSplit struct {
	Split              time.Time
	TrainPurchases     int
	Customers          int // customers with purchases before the split
	Products           int
	Skipped            purchases.Skipped
	Results            []RecommendEval
	CustomersWithTruth int
}

// The defaults the evaluation on Online Retail chose, on a validation split
// (train before 2011-06-01, test June to August) so that the reported split
// (2011-09-01) did not pick them: docs/RECOMMEND.md has the figures. Few
// neighbours per product work best: a customer's score then comes from the
// products most like what they bought, not from a long tail of weak links.
var (
	defaultKNN = recommend.KNNOptions{K: 5, Shrink: 10, Measure: recommend.Cosine}
	defaultALS = recommend.ALSOptions{Factors: 128, Iterations: 15, Lambda: 0.1, Alpha: 20, Seed: 1}
)

// EvaluateRecommendations trains each method on the purchases of orders
// before split and measures its top k against what customers bought after
// it that they had not bought before. Only customers with a purchase before
// the split are measured; products already bought are never recommended.
func (w *Workspace) EvaluateRecommendations(ctx context.Context, orders string, split time.Time, k int, methods []string) (*RecommendSplit, error) {
	return w.evaluateRecommendations(ctx, orders, split, k, methods, defaultKNN, defaultALS)
}

func (w *Workspace) evaluateRecommendations(ctx context.Context, orders string, split time.Time, k int, methods []string,
	knnOpt recommend.KNNOptions, alsOpt recommend.ALSOptions) (*RecommendSplit, error) {
	if k <= 0 {
		return nil, i18n.Errorf("k must be at least 1")
	}
	for _, m := range methods {
		if !slices.Contains(RecommendMethods, m) {
			return nil, i18n.Errorf("unknown method %q; choose popularity, item-knn or als", m)
		}
	}
	set, err := purchases.Read(ctx, w.Project, orders, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	out := &RecommendSplit{Split: split, Customers: 0, Products: len(set.Products), Skipped: set.Skipped}
	// Binary interactions: did the customer buy the product before the split.
	seen := map[[2]int32]bool{}
	var entries []recommend.Entry
	truth := make([][]int, len(set.Customers))
	hasTrain := make([]bool, len(set.Customers))
	for _, p := range set.Purchases {
		if p.At.Before(split) {
			key := [2]int32{p.Customer, p.Product}
			if !seen[key] {
				seen[key] = true
				entries = append(entries, recommend.Entry{Row: int(p.Customer), Col: int(p.Product), Weight: 1})
			}
			hasTrain[p.Customer] = true
		}
	}
	out.TrainPurchases = len(entries)
	for _, p := range set.Purchases {
		if !p.At.Before(split) && hasTrain[p.Customer] && !seen[[2]int32{p.Customer, p.Product}] &&
			!slices.Contains(truth[p.Customer], int(p.Product)) {
			truth[p.Customer] = append(truth[p.Customer], int(p.Product))
		}
	}
	for u := range truth {
		if hasTrain[u] {
			out.Customers++
			if len(truth[u]) > 0 {
				out.CustomersWithTruth++
			}
		}
		sort.Ints(truth[u])
	}
	if len(entries) == 0 {
		return nil, i18n.Errorf("%s has no purchases before %s; choose a later split date", orders, i18n.Date(split))
	}
	if out.CustomersWithTruth == 0 {
		return nil, i18n.Errorf("no customer bought a new product on or after %s; choose an earlier split date", i18n.Date(split))
	}
	m, err := recommend.NewMatrix(len(set.Customers), len(set.Products), entries)
	if err != nil {
		return nil, err
	}
	f := recommend.Filter{ExcludeBought: true}
	ranked, err := recommend.Popular(m)
	if err != nil {
		return nil, err
	}
	pop, err := recommend.PopularRecommender(m, ranked, f)
	if err != nil {
		return nil, err
	}
	for _, method := range methods {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var rec recommend.Recommender
		switch method {
		case MethodPopularity:
			rec = pop
		case MethodItemKNN:
			knn, err := recommend.TrainItemKNN(m, knnOpt)
			if err != nil {
				return nil, err
			}
			r, err := knn.Recommender(m, f)
			if err != nil {
				return nil, err
			}
			rec = fillWith(r, pop)
		case MethodALS:
			r, err := alsRecommender(m, entries, alsOpt)
			if err != nil {
				return nil, err
			}
			rec = fillWith(r, pop)
		}
		met, err := recommend.EvaluateParallel(m, truth, k, rec, 0)
		if err != nil {
			return nil, err
		}
		out.Results = append(out.Results, RecommendEval{Method: method, Metrics: met})
	}
	return out, nil
}

// fillWith tops a short list up with best sellers, so every customer gets
// k products (a customer whose products have no neighbours still does).
func fillWith(primary, fallback recommend.Recommender) recommend.Recommender {
	return func(u, n int) ([]int, error) {
		a, err := primary(u, n)
		if err != nil || len(a) >= n {
			return a, err
		}
		b, err := fallback(u, n+len(a))
		if err != nil {
			return nil, err
		}
		for _, it := range b {
			if len(a) == n {
				break
			}
			if !slices.Contains(a, it) {
				a = append(a, it)
			}
		}
		return a, nil
	}
}

// alsRecommender trains implicit ALS on the binary matrix and ranks a
// customer's unbought products by their factor score.
func alsRecommender(m *recommend.Matrix, entries []recommend.Entry, opt recommend.ALSOptions) (recommend.Recommender, error) {
	users := make([]int32, len(entries))
	items := make([]int32, len(entries))
	weights := make([]float64, len(entries))
	for i, e := range entries {
		users[i], items[i], weights[i] = int32(e.Row), int32(e.Col), e.Weight
	}
	model, err := recommend.TrainALS(m.Rows(), m.Cols(), users, items, weights, opt)
	if err != nil {
		return nil, err
	}
	return func(u, n int) ([]int, error) {
		scores := model.Scores(int32(u), nil)
		idx := make([]int, 0, len(scores))
		for j := range scores {
			if !m.Has(u, j) {
				idx = append(idx, j)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
		if len(idx) > n {
			idx = idx[:n]
		}
		return idx, nil
	}, nil
}
