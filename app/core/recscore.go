package core

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/recommend"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/purchases"
	"github.com/marketbench/marketbench/storage/recmodel"
)

// ScoreOptions choose what each customer is offered.
type ScoreOptions struct {
	Name           string   // recommender; "" → "default"
	Top            int      // per customer; 0 → 10
	KeepBought     bool     // offer products the customer already bought (consumables)
	DoNotRecommend []string // product ids
	OutOfStock     []string // product ids
	Categories     []string // only products in these categories (nil: all)
	Link           string   // e.g. "https://shop.example/p/{product_id}"; fills the link column ("" → empty links)
}

// ScoreReport says what ScoreRecommendations wrote.
type ScoreReport struct {
	Customers, Rows int    // customers scored, rows written
	Filled          int    // customers topped up with best sellers (too little history)
	OnlyReturns     int    // customers in the orders with only returns or cancelled orders: no rows
	Table           string // "recommendations"
}

// maxTop bounds the list length: a typo of 1e6 would write a row per
// product per customer.
const maxTop = 1000

func (o *ScoreOptions) check() error {
	if o.Top == 0 {
		o.Top = 10
	}
	if o.Top < 0 || o.Top > maxTop {
		return i18n.Errorf("the number of products per customer must be between 1 and %d", maxTop)
	}
	if len(o.Link) > 2000 {
		return i18n.Errorf("the link pattern is longer than %s characters", i18n.Number(2000))
	}
	return nil
}

// link fills the pattern's {product_id}.
func (o *ScoreOptions) link(id string) string {
	if o.Link == "" {
		return ""
	}
	return strings.ReplaceAll(o.Link, "{product_id}", url.PathEscape(id))
}

// ScoreRecommendations writes the table `recommendations`
// (customer_id, rank, product_id, product_name, category, score, reason,
// link, model, scored_at) for every customer with purchases, replacing it
// in one transaction. Scoring reads the current purchases, so orders made
// since training count; customers the model cannot place get best sellers.
func (w *Workspace) ScoreRecommendations(ctx context.Context, opt ScoreOptions, progress Progress) (*ScoreReport, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	report(i18n.T("Loading the recommender"), 0.05)
	l, err := w.loadRecommender(ctx, opt.Name)
	if err != nil {
		return nil, err
	}
	f, err := l.filter(opt)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	report(i18n.T("Scoring customers"), 0.3)
	var all [][]recommend.Recommendation
	if l.als != nil {
		all, err = l.als.RecommendAll(l.m, opt.Top, f, 0)
	} else {
		all, err = l.knn.RecommendAll(l.m, opt.Top, f, 0)
	}
	if err != nil {
		return nil, err
	}
	rep := &ScoreReport{Customers: len(all), Table: storage.RecommendationsTable}
	var rows []recmodel.Row
	for u, primary := range all {
		if u%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, ErrCancelled
			}
			report(i18n.T("Scoring customers"), 0.3+0.4*float64(u)/float64(len(all)))
		}
		if l.als != nil && !l.knowsAny(u) {
			primary = nil
		}
		list, filled, err := l.fill(u, opt.Top, f, primary)
		if err != nil {
			return nil, err
		}
		if filled {
			rep.Filled++
		}
		for i, r := range list {
			reason, _ := l.because(r, i < len(primary))
			id := l.ids[r.Item]
			rows = append(rows, recmodel.Row{Customer: l.set.Customers[u], Rank: i + 1, Product: id, Name: l.cat.name(id),
				Category: l.cat.category(id), Score: r.Score, Reason: reason, Link: opt.link(id)})
		}
	}
	if rep.OnlyReturns, err = w.customersWithoutPurchases(ctx, l.info.Orders, len(l.set.Customers)); err != nil {
		return nil, err
	}
	report(i18n.T("Saving the recommendations"), 0.8)
	if err := recmodel.WriteTable(ctx, w.Project, l.info.Name, time.Now().UTC().Truncate(time.Microsecond), rows); err != nil {
		if ctx.Err() != nil {
			return nil, ErrCancelled
		}
		return nil, err
	}
	rep.Rows = len(rows)
	report(i18n.T("Done"), 1)
	return rep, nil
}

// customersWithoutPurchases counts the order table's customers minus those
// with a purchase: customers with only returns or cancelled orders.
func (w *Workspace) customersWithoutPurchases(ctx context.Context, orders string, buyers int) (int, error) {
	c, err := purchases.FindColumns(ctx, w.Project, orders)
	if err != nil {
		return 0, err
	}
	var n int
	col := `CAST(` + storage.Quote(c.Customer) + ` AS VARCHAR)`
	if err := w.Q().QueryRowContext(ctx, `SELECT count(DISTINCT `+col+`) FROM `+storage.Quote(orders)+
		` WHERE `+col+` IS NOT NULL AND trim(`+col+`) <> ''`).Scan(&n); err != nil {
		return 0, err
	}
	return max(0, n-buyers), nil
}

// ProductRec is one product offered to a customer.
type ProductRec struct {
	Rank                      int
	ProductID, Name, Category string
	Score                     float64
	Reason                    string   // in words
	Because                   []string // product names the customer bought that led to it
}

// CustomerRecommendations computes one customer's list live (for the GUI
// and 'recommend show'), with the same filters as ScoreOptions.
func (w *Workspace) CustomerRecommendations(ctx context.Context, opt ScoreOptions, customerID string) ([]ProductRec, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	l, err := w.loadRecommender(ctx, opt.Name)
	if err != nil {
		return nil, err
	}
	f, err := l.filter(opt)
	if err != nil {
		return nil, err
	}
	id := strings.TrimSpace(customerID)
	u, ok := l.cust[id]
	if !ok {
		return nil, w.noCustomerPurchases(ctx, l.info.Orders, id)
	}
	primary, err := l.primary(u, opt.Top, f)
	if err != nil {
		return nil, err
	}
	list, _, err := l.fill(u, opt.Top, f, primary)
	if err != nil {
		return nil, err
	}
	out := make([]ProductRec, 0, len(list))
	for i, r := range list {
		reason, because := l.because(r, i < len(primary))
		pid := l.ids[r.Item]
		out = append(out, ProductRec{Rank: i + 1, ProductID: pid, Name: l.cat.name(pid), Category: l.cat.category(pid),
			Score: r.Score, Reason: reason, Because: because})
	}
	if len(out) == 0 {
		return nil, i18n.Errorf("every product is excluded for customer %s (already bought, out of stock, not recommended or outside the chosen categories)", id)
	}
	return out, nil
}

// noCustomerPurchases explains why a customer has no purchases: only
// returns or cancelled orders, or not in the table at all.
func (w *Workspace) noCustomerPurchases(ctx context.Context, orders, id string) error {
	c, err := purchases.FindColumns(ctx, w.Project, orders)
	if err != nil {
		return err
	}
	var n int64
	if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(orders)+` WHERE CAST(`+storage.Quote(c.Customer)+` AS VARCHAR) = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return i18n.Errorf("customer %s has only returns or cancelled orders in %s (%s rows), so nothing they bought can lead to a recommendation", id, orders, i18n.Number(float64(n)))
	}
	return i18n.Errorf("no customer %q in %s", id, orders)
}
