package core

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/marketbench/marketbench/analytics/recommend"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/purchases"
	"github.com/marketbench/marketbench/storage/recmodel"
	"github.com/marketbench/marketbench/storage/segment"
)

// RecommenderInfo is a trained recommender kept in the project (table
// mb_recommenders plus its neighbour lists or factors).
type RecommenderInfo struct {
	Name, Method, Orders           string // method: "item-knn" or "als"
	TrainedAt                      time.Time
	Customers, Products, Purchases int
}

// DefaultRecommender is the name used when none is given.
const DefaultRecommender = "default"

// Stored item-kNN lists are long enough for "similar products" (20), while
// customers are scored with the first defaultKNN.K of each (5, the
// evaluation's choice); a sorted top-20 cut to 5 equals a top-5
// (TestKNNTruncatedTop20EqualsK5).
const storedNeighbours = 20

// trainALS is the ALS setting TrainRecommender uses: the evaluation's
// choice (a variable so tests can train a smaller model quickly).
var trainALS = defaultALS

// OrderTables lists the tables that can train a recommender: a customer id,
// a product (id or name) and an order date.
func (w *Workspace) OrderTables(ctx context.Context) ([]string, error) {
	var out []string
	for _, product := range []storage.Role{storage.ProductID, storage.ProductName} {
		ts, err := w.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate, product)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if !strings.EqualFold(t, storage.RecommendationsTable) && !containsFold(out, t) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// checkRecommenderName refuses names that cannot be shown or typed back.
func checkRecommenderName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return DefaultRecommender, nil
	}
	if utf8.RuneCountInString(name) > 100 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", i18n.Errorf("a recommender name must be at most 100 characters, without control characters")
	}
	return name, nil
}

// TrainRecommender trains a recommender on an order table's purchases and
// keeps it in the project under name ("" → "default"), replacing a model of
// that name. method "" is item-knn.
func (w *Workspace) TrainRecommender(ctx context.Context, orders, method, name string, progress Progress) (*RecommenderInfo, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	name, err := checkRecommenderName(name)
	if err != nil {
		return nil, err
	}
	if method == "" {
		method = MethodItemKNN
	}
	if method != MethodItemKNN && method != MethodALS {
		return nil, i18n.Errorf("unknown method %q; choose item-knn or als", method)
	}
	if orders == "" {
		return nil, i18n.Errorf("give the order table: --orders T")
	}
	report(i18n.T("Reading purchases"), 0.05)
	set, err := w.readPurchases(ctx, orders)
	if err != nil {
		return nil, err
	}
	if len(set.Products) < 2 {
		return nil, i18n.Errorf("%s has purchases of only one product (%s); recommendations need at least two products", orders, set.Products[0])
	}
	m, entries, err := binaryMatrix(set)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	model := &recmodel.Model{Info: recmodel.Info{Name: name, Method: method, Orders: orders, Customers: len(set.Customers),
		Products: len(set.Products), Purchases: len(entries), TrainedAt: time.Now().UTC().Truncate(time.Microsecond)}}
	switch method {
	case MethodItemKNN:
		model.Options = recmodel.Options{K: storedNeighbours, ScoreK: defaultKNN.K, Shrink: defaultKNN.Shrink}
		model.Neighbours = map[string]map[string][]recmodel.Neighbour{}
		for i, kind := range []string{recmodel.KindCosine, recmodel.KindCount} {
			report(i18n.T("Finding similar products"), 0.2+0.3*float64(i))
			measure := recommend.Cosine
			if kind == recmodel.KindCount {
				measure = recommend.CoCount
			}
			knn, err := recommend.TrainItemKNN(m, recommend.KNNOptions{K: storedNeighbours, Shrink: defaultKNN.Shrink, Measure: measure})
			if err != nil {
				return nil, err
			}
			lists := map[string][]recmodel.Neighbour{}
			for j, ns := range knn.Neighbours {
				for _, nb := range ns {
					lists[set.Products[j]] = append(lists[set.Products[j]], recmodel.Neighbour{ID: set.Products[nb.Item], Score: nb.Score, CoBuyers: nb.CoBuyers})
				}
			}
			model.Neighbours[kind] = lists
			if err := ctx.Err(); err != nil {
				return nil, ErrCancelled
			}
		}
	case MethodALS:
		report(i18n.T("Factorising purchases (ALS)"), 0.2)
		opt := trainALS
		users, items, weights := make([]int32, len(entries)), make([]int32, len(entries)), make([]float64, len(entries))
		for i, e := range entries {
			users[i], items[i], weights[i] = int32(e.Row), int32(e.Col), e.Weight
		}
		als, err := recommend.TrainALS(m.Rows(), m.Cols(), users, items, weights, opt)
		if err != nil {
			return nil, err
		}
		model.Options = recmodel.Options{Factors: als.K, Iterations: opt.Iterations, Lambda: als.Lambda, Alpha: als.Alpha}
		model.FactorIDs, model.Factors = set.Products, als.ItemFactors
	}
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	report(i18n.T("Saving the recommender"), 0.9)
	if err := recmodel.Save(ctx, w.Project, model); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return recInfo(&model.Info), nil
}

func recInfo(in *recmodel.Info) *RecommenderInfo {
	return &RecommenderInfo{Name: in.Name, Method: in.Method, Orders: in.Orders, TrainedAt: in.TrainedAt,
		Customers: in.Customers, Products: in.Products, Purchases: in.Purchases}
}

// readPurchases reads an order table's purchases and explains an empty
// result (all returns, cancelled orders or rows without a customer).
func (w *Workspace) readPurchases(ctx context.Context, orders string) (*purchases.Set, error) {
	if ok, err := w.TableExists(ctx, orders); err != nil {
		return nil, err
	} else if !ok {
		return nil, i18n.Errorf("no table %q; see 'marketbench tables' (the order table needs the roles customer_id, product_id and order_date)", orders)
	}
	set, err := purchases.Read(ctx, w.Project, orders, time.Time{}, time.Time{})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrCancelled
		}
		return nil, err
	}
	if len(set.Purchases) == 0 {
		sk := set.Skipped
		return nil, i18n.Errorf("%s has no purchases: %s rows are returns, %s cancelled orders and %s lack a customer or product",
			orders, i18n.Number(float64(sk.Returns)), i18n.Number(float64(sk.Cancelled)), i18n.Number(float64(sk.NoCustomer)))
	}
	return set, nil
}

// binaryMatrix is "did customer u buy product j" over the set.
func binaryMatrix(set *purchases.Set) (*recommend.Matrix, []recommend.Entry, error) {
	seen := map[[2]int32]bool{}
	var entries []recommend.Entry
	for _, p := range set.Purchases {
		key := [2]int32{p.Customer, p.Product}
		if !seen[key] {
			seen[key] = true
			entries = append(entries, recommend.Entry{Row: int(p.Customer), Col: int(p.Product), Weight: 1})
		}
	}
	m, err := recommend.NewMatrix(len(set.Customers), len(set.Products), entries)
	return m, entries, err
}

// Recommenders lists the trained recommenders. A damaged one is listed
// with method "?" so it can be deleted.
func (w *Workspace) Recommenders(ctx context.Context) ([]RecommenderInfo, error) {
	list, err := recmodel.List(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	out := make([]RecommenderInfo, 0, len(list))
	for i := range list {
		out = append(out, *recInfo(&list[i]))
	}
	return out, nil
}

// DeleteRecommender removes a trained recommender.
func (w *Workspace) DeleteRecommender(ctx context.Context, name string) error {
	name, err := checkRecommenderName(name)
	if err != nil {
		return err
	}
	if err := recmodel.Delete(ctx, w.Project, name); errors.Is(err, recmodel.ErrNotFound) {
		return noRecommender(name)
	} else if err != nil {
		return err
	}
	return nil
}

func noRecommender(name string) error {
	if name == DefaultRecommender {
		return i18n.Errorf("train a recommender first: marketbench recommend train --orders TABLE")
	}
	return i18n.Errorf("no recommender named %q; see 'marketbench recommend list' or train one: marketbench recommend train --orders TABLE --name %s", name, name)
}

// recommenderInfo reads a model's row, with the user's wording for a
// missing one.
func (w *Workspace) recommenderInfo(ctx context.Context, name string) (*recmodel.Info, error) {
	name, err := checkRecommenderName(name)
	if err != nil {
		return nil, err
	}
	in, err := recmodel.Get(ctx, w.Project, name)
	if errors.Is(err, recmodel.ErrNotFound) {
		return nil, noRecommender(name)
	}
	return in, err
}

// BestSeller is one product's sales.
type BestSeller struct {
	ProductID, Name, Category string
	Customers, Orders         int
	Quantity, Revenue         float64
}

// BestSellers ranks products by buying customers in an order table,
// optionally only among a segment's members ("" = all). top <= 0: all.
func (w *Workspace) BestSellers(ctx context.Context, orders string, top int, segmentName string) ([]BestSeller, error) {
	if ok, err := w.TableExists(ctx, orders); err != nil {
		return nil, err
	} else if !ok {
		return nil, i18n.Errorf("no table %q; see 'marketbench tables' (the order table needs the roles customer_id, product_id and order_date)", orders)
	}
	members := ""
	if segmentName != "" {
		var err error
		if members, err = segment.IDsSQL(ctx, w.Project, segmentName); err != nil {
			return nil, err
		}
	}
	list, err := purchases.BestSellers(ctx, w.Project, orders, top, members)
	if err != nil {
		return nil, err
	}
	cat, err := w.productCatalogue(ctx, orders)
	if err != nil {
		return nil, err
	}
	out := make([]BestSeller, 0, len(list))
	for _, s := range list {
		out = append(out, BestSeller{ProductID: s.Product, Name: cat.name(s.Product), Category: cat.category(s.Product),
			Customers: s.Customers, Orders: s.Orders, Quantity: s.Quantity, Revenue: s.Revenue})
	}
	return out, nil
}
