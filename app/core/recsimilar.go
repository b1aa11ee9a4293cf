package core

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/purchases"
	"github.com/marketbench/marketbench/storage/recmodel"
	"github.com/marketbench/marketbench/storage/segment"
)

// SimilarProduct is a product like another one.
type SimilarProduct struct {
	ProductID, Name, Category string
	Score                     float64 // cosine similarity (shrunk); for co-purchases, the count
	CoBuyers                  int     // customers who bought both
}

// SimilarProducts lists the products most like product (an id or an exact
// name): for item-knn the stored neighbour lists (at most 20), for ALS the
// closest product factors.
func (w *Workspace) SimilarProducts(ctx context.Context, name, product string, top int) ([]SimilarProduct, error) {
	return w.neighbours(ctx, name, product, top, recmodel.KindCosine)
}

// CoPurchased lists the products most often bought by the same customers
// (plain counts), for the "co-purchase" view.
func (w *Workspace) CoPurchased(ctx context.Context, name, product string, top int) ([]SimilarProduct, error) {
	return w.neighbours(ctx, name, product, top, recmodel.KindCount)
}

func checkTop(top int) (int, error) {
	if top == 0 {
		top = 10
	}
	if top < 0 || top > maxTop {
		return 0, i18n.Errorf("the number of products must be between 1 and %d", maxTop)
	}
	return top, nil
}

func (w *Workspace) neighbours(ctx context.Context, name, product string, top int, kind string) ([]SimilarProduct, error) {
	top, err := checkTop(top)
	if err != nil {
		return nil, err
	}
	in, err := w.recommenderInfo(ctx, name)
	if err != nil {
		return nil, err
	}
	if in.Method == recmodel.ALS {
		return w.alsNeighbours(ctx, in.Name, product, top, kind)
	}
	sold, err := purchases.BestSellers(ctx, w.Project, in.Orders, 0, "")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sold))
	for i, s := range sold {
		ids[i] = s.Product
	}
	cat, err := w.productCatalogue(ctx, in.Orders)
	if err != nil {
		return nil, err
	}
	id, err := resolveProduct(product, in.Orders, ids, cat)
	if err != nil {
		return nil, err
	}
	lists, err := recmodel.LoadNeighbours(ctx, w.Project, in, kind, in.Options.K)
	if err != nil {
		return nil, err
	}
	list := lists[id]
	if len(list) == 0 {
		return nil, noNeighbours(cat.name(id), in.Name)
	}
	out := []SimilarProduct{}
	for _, nb := range list[:min(top, len(list))] {
		out = append(out, SimilarProduct{ProductID: nb.ID, Name: cat.name(nb.ID), Category: cat.category(nb.ID), Score: nb.Score, CoBuyers: nb.CoBuyers})
	}
	return out, nil
}

func noNeighbours(product, model string) error {
	return i18n.Errorf("no products like %s: when the recommender was trained, nobody who bought it had bought anything else (or it was not sold yet); train it again to include the latest orders: marketbench recommend train --orders TABLE --name %s", product, model)
}

// alsNeighbours ranks products by the cosine of their factors (similar)
// or by co-buyers in the current purchases (co-purchased).
func (w *Workspace) alsNeighbours(ctx context.Context, name, product string, top int, kind string) ([]SimilarProduct, error) {
	l, err := w.loadRecommender(ctx, name)
	if err != nil {
		return nil, err
	}
	id, err := resolveProduct(product, l.info.Orders, l.set.Products, l.cat)
	if err != nil {
		return nil, err
	}
	j := l.col[id]
	co := coBuyers(l, j)
	type cand struct {
		k     int
		score float64
	}
	var cands []cand
	if kind == recmodel.KindCount {
		for k, n := range co {
			cands = append(cands, cand{k, float64(n)})
		}
	} else {
		if j >= l.als.Items() {
			return nil, noNeighbours(l.cat.name(id), l.info.Name)
		}
		K, f := l.als.K, l.als.Factors
		norm := func(i int) float64 {
			s := 0.0
			for _, v := range f[i*K : i*K+K] {
				s += v * v
			}
			return math.Sqrt(s)
		}
		nj := norm(j)
		for k := 0; k < l.als.Items(); k++ {
			if k == j {
				continue
			}
			d := 0.0
			for a := 0; a < K; a++ {
				d += f[j*K+a] * f[k*K+a]
			}
			if nk := norm(k); nj > 0 && nk > 0 {
				cands = append(cands, cand{k, d / (nj * nk)})
			}
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.k - b.k
	})
	if len(cands) == 0 {
		return nil, noNeighbours(l.cat.name(id), l.info.Name)
	}
	out := []SimilarProduct{}
	for _, c := range cands[:min(top, len(cands))] {
		pid := l.ids[c.k]
		out = append(out, SimilarProduct{ProductID: pid, Name: l.cat.name(pid), Category: l.cat.category(pid), Score: c.score, CoBuyers: co[c.k]})
	}
	return out, nil
}

// coBuyers counts, for every other product, the customers who bought it
// and product j.
func coBuyers(l *loadedRec, j int) map[int]int {
	co := map[int]int{}
	rows, _ := l.m.Col(j)
	for _, u := range rows {
		cols, _ := l.m.Row(u)
		for _, k := range cols {
			if k != j {
				co[k]++
			}
		}
	}
	return co
}

// Buyer is a customer likely to buy a product.
type Buyer struct {
	CustomerID string
	Score      float64
}

// LikelyBuyers lists the customers most likely to buy product who have not
// bought it yet, best first.
func (w *Workspace) LikelyBuyers(ctx context.Context, name, product string, top int) ([]Buyer, error) {
	out, _, _, err := w.likelyBuyers(ctx, name, product, top)
	return out, err
}

// likelyBuyers is LikelyBuyers that also returns the model and the
// product's id.
func (w *Workspace) likelyBuyers(ctx context.Context, name, product string, top int) ([]Buyer, *loadedRec, string, error) {
	out, l, id, err := w.findBuyers(ctx, name, product, top)
	if err == nil && len(out) == 0 {
		err = i18n.Errorf("no likely buyers of %s: no customer who has not bought it bought a product like it", l.cat.name(id))
	}
	return out, l, id, err
}

func (w *Workspace) findBuyers(ctx context.Context, name, product string, top int) ([]Buyer, *loadedRec, string, error) {
	if top < 1 || top > 10_000_000 {
		return nil, nil, "", i18n.Errorf("give how many customers: --top N (at least 1)")
	}
	l, err := w.loadRecommender(ctx, name)
	if err != nil {
		return nil, nil, "", err
	}
	id, err := resolveProduct(product, l.info.Orders, l.set.Products, l.cat)
	if err != nil {
		return nil, nil, "", err
	}
	j := l.col[id]
	out := []Buyer{}
	if l.als != nil {
		if j >= l.als.Items() {
			return nil, nil, "", noNeighbours(l.cat.name(id), l.info.Name)
		}
		type cand struct {
			u int
			s float64
		}
		var cands []cand
		K := l.als.K
		y := l.als.Factors[j*K : j*K+K]
		for u := 0; u < l.m.Rows(); u++ {
			if l.m.Has(u, j) || !l.knowsAny(u) {
				continue
			}
			cols, wts := l.m.Row(u)
			x := l.als.UserFactor(cols, wts)
			s := 0.0
			for a := range x {
				s += x[a] * y[a]
			}
			cands = append(cands, cand{u, s})
		}
		slices.SortFunc(cands, func(a, b cand) int {
			switch {
			case a.s > b.s:
				return -1
			case a.s < b.s:
				return 1
			}
			return a.u - b.u
		})
		for _, c := range cands[:min(top, len(cands))] {
			out = append(out, Buyer{CustomerID: l.set.Customers[c.u], Score: c.s})
		}
	} else {
		got, err := l.knn.LikelyBuyers(l.m, j, top, true)
		if err != nil {
			return nil, nil, "", err
		}
		for _, s := range got {
			out = append(out, Buyer{CustomerID: l.set.Customers[s.Index], Score: s.Score})
		}
	}
	return out, l, id, nil
}

// SaveBuyersSegment saves the top customers most likely to buy product as
// a fixed-list segment named segmentName (replacing one of that name), an
// audience for a campaign. Its table is the customer table when there is
// one (a table with customer id and email roles), else the order table.
func (w *Workspace) SaveBuyersSegment(ctx context.Context, name, product string, top int, segmentName string) (*segment.Segment, error) {
	if strings.TrimSpace(segmentName) == "" {
		return nil, i18n.Errorf("give the segment a name")
	}
	buyers, l, id, err := w.likelyBuyers(ctx, name, product, top)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(buyers))
	for i, b := range buyers {
		ids[i] = b.CustomerID
	}
	orders := l.info.Orders
	table := orders
	if ts, err := w.TablesWithRoles(ctx, storage.CustomerID, storage.Email); err == nil {
		for _, t := range ts {
			if !strings.EqualFold(t, orders) {
				table = t
				break
			}
		}
	}
	label := id
	if n := l.cat.names[id]; n != "" {
		label = id + " " + n
	}
	in := l.info
	desc := i18n.T("the %s customers most likely to buy %s (%s, %s)", i18n.Number(float64(len(ids))), label, in.Method, i18n.Date(time.Now()))
	return segment.CreateList(ctx, w.Project, segmentName, table, desc, ids)
}
