package core

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/marketbench/marketbench/analytics/recommend"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/purchases"
	"github.com/marketbench/marketbench/storage/recmodel"
)

// loadedRec is a stored recommender joined to the current purchases of its
// order table, so a customer's newest orders count when scoring.
type loadedRec struct {
	info *recmodel.Info
	set  *purchases.Set
	ids  []string // matrix column → product id
	col  map[string]int
	cust map[string]int
	m    *recommend.Matrix
	knn  *recommend.ItemKNN  // item-knn: the first ScoreK neighbours
	als  *recommend.ALSItems // als: product factors in columns 0..Items()-1
	pop  []recommend.Scored  // best sellers, for customers with too little history
	cat  *catalogue
}

// lastRec keeps the last loaded recommender: the GUI asks for one
// customer's list or one product's buyers at a click, and loading reads
// every purchase. It is used again only while the model, the order table
// (rows and roles) and the audit log (every change to data) are unchanged.
var lastRec struct {
	sync.Mutex
	p   *storage.Project
	key string
	l   *loadedRec
}

func (w *Workspace) loadRecommender(ctx context.Context, name string) (*loadedRec, error) {
	in, err := w.recommenderInfo(ctx, name)
	if err != nil {
		return nil, err
	}
	var audit, rows int64
	w.Q().QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM mb_audit`).Scan(&audit)
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(in.Orders)).Scan(&rows)
	roles, _ := w.ColumnRoles(ctx, in.Orders)
	key := fmt.Sprint(in.Name, "\x00", in.TrainedAt.UnixNano(), "\x00", audit, "\x00", rows, "\x00", roles)
	lastRec.Lock()
	defer lastRec.Unlock()
	if lastRec.p == w.Project && lastRec.key == key && lastRec.l != nil {
		return lastRec.l, nil
	}
	lastRec.p, lastRec.key, lastRec.l = nil, "", nil
	l, err := w.loadRecommenderFrom(ctx, in)
	if err != nil {
		return nil, err
	}
	lastRec.p, lastRec.key, lastRec.l = w.Project, key, l
	return l, nil
}

func (w *Workspace) loadRecommenderFrom(ctx context.Context, in *recmodel.Info) (*loadedRec, error) {
	var err error
	set, err := w.readPurchases(ctx, in.Orders)
	if err != nil {
		return nil, err
	}
	l := &loadedRec{info: in, set: set, col: map[string]int{}, cust: map[string]int{}}
	add := func(id string) {
		if _, ok := l.col[id]; !ok {
			l.col[id] = len(l.ids)
			l.ids = append(l.ids, id)
		}
	}
	var factors []float64
	if in.Method == recmodel.ALS {
		var fids []string
		if fids, factors, err = recmodel.LoadFactors(ctx, w.Project, in); err != nil {
			return nil, err
		}
		for _, id := range fids {
			add(id)
		}
		if len(l.ids) != len(fids) {
			return nil, recmodel.Damaged(in.Name, "repeated products")
		}
	}
	for _, id := range set.Products {
		add(id)
	}
	for i, c := range set.Customers {
		l.cust[c] = i
	}
	seen := map[[2]int]bool{}
	var entries []recommend.Entry
	for _, p := range set.Purchases {
		key := [2]int{int(p.Customer), l.col[set.Products[p.Product]]}
		if !seen[key] {
			seen[key] = true
			entries = append(entries, recommend.Entry{Row: key[0], Col: key[1], Weight: 1})
		}
	}
	if l.m, err = recommend.NewMatrix(len(set.Customers), len(l.ids), entries); err != nil {
		return nil, err
	}
	set.Purchases = nil // in the matrix now; the order lines need not stay in memory
	if l.pop, err = recommend.Popular(l.m); err != nil {
		return nil, err
	}
	switch in.Method {
	case recmodel.ALS:
		if l.als, err = recommend.NewALSItems(in.Options.Factors, factors, in.Options.Alpha, in.Options.Lambda); err != nil {
			return nil, recmodel.Damaged(in.Name, err.Error())
		}
	default:
		lists, err := recmodel.LoadNeighbours(ctx, w.Project, in, recmodel.KindCosine, in.Options.ScoreK)
		if err != nil {
			return nil, err
		}
		l.knn = &recommend.ItemKNN{Neighbours: make([][]recommend.Neighbour, len(l.ids))}
		// Products sold or withdrawn since training: lists naming products
		// no longer in the orders are skipped, new products have none.
		for id, list := range lists {
			j, ok := l.col[id]
			if !ok {
				continue
			}
			for _, nb := range list {
				if k, ok := l.col[nb.ID]; ok {
					l.knn.Neighbours[j] = append(l.knn.Neighbours[j], recommend.Neighbour{Item: k, Score: nb.Score, CoBuyers: nb.CoBuyers})
				}
			}
		}
	}
	if l.cat, err = w.productCatalogue(ctx, in.Orders); err != nil {
		return nil, err
	}
	return l, nil
}

// filter turns ScoreOptions into the analytics filter; unknown product ids
// in the lists are ignored (they cannot be offered anyway).
func (l *loadedRec) filter(opt ScoreOptions) (recommend.Filter, error) {
	f := recommend.Filter{ExcludeBought: !opt.KeepBought}
	for _, list := range []struct {
		ids []string
		dst *[]int
	}{{opt.DoNotRecommend, &f.DoNotRecommend}, {opt.OutOfStock, &f.OutOfStock}} {
		for _, id := range list.ids {
			if j, ok := l.col[strings.TrimSpace(id)]; ok {
				*list.dst = append(*list.dst, j)
			}
		}
	}
	if len(opt.Categories) == 0 {
		return f, nil
	}
	index := map[string]int{}
	f.Category = make([]int, len(l.ids))
	for j, id := range l.ids {
		c := l.cat.category(id)
		if c == "" {
			f.Category[j] = -1
			continue
		}
		k := strings.ToLower(c)
		if _, ok := index[k]; !ok {
			index[k] = len(index)
		}
		f.Category[j] = index[k]
	}
	f.AllowedCategories = []int{}
	for _, c := range opt.Categories {
		k, ok := index[strings.ToLower(strings.TrimSpace(c))]
		if !ok {
			return f, i18n.Errorf("no product has the category %q; categories: %s", c, l.categoryList())
		}
		f.AllowedCategories = append(f.AllowedCategories, k)
	}
	return f, nil
}

func (l *loadedRec) categoryList() string {
	set := map[string]bool{}
	for _, id := range l.ids {
		if c := l.cat.category(id); c != "" {
			set[c] = true
		}
	}
	if len(set) == 0 {
		return i18n.T("none (no column has the category role)")
	}
	var cs []string
	for c := range set {
		cs = append(cs, c)
	}
	sort.Strings(cs)
	if len(cs) > 10 {
		cs = append(cs[:10], "…")
	}
	return strings.Join(cs, ", ")
}

// fill tops customer u's list up to n with best sellers when the model's
// own list (primary) is short; filled reports whether it did.
func (l *loadedRec) fill(u, n int, f recommend.Filter, primary []recommend.Recommendation) ([]recommend.Recommendation, bool, error) {
	if len(primary) >= n {
		return primary, false, nil
	}
	fb, err := recommend.PopularFor(l.m, l.pop, u, n+len(primary), f)
	if err != nil {
		return nil, false, err
	}
	for i := range fb {
		fb[i].Score = 0 // a best seller's score is not on the model's scale
	}
	out := recommend.Fill(primary, fb, n)
	return out, len(out) > len(primary), nil
}

// primary is the model's own list for customer u (empty when nothing the
// customer bought is known to the model).
func (l *loadedRec) primary(u, n int, f recommend.Filter) ([]recommend.Recommendation, error) {
	if l.als != nil {
		if !l.knowsAny(u) {
			return nil, nil
		}
		return l.als.Recommend(l.m, u, n, f)
	}
	return l.knn.Recommend(l.m, u, n, f)
}

func (l *loadedRec) knowsAny(u int) bool {
	cols, _ := l.m.Row(u)
	return slices.ContainsFunc(cols, func(j int) bool { return j < l.als.Items() })
}

// because words a recommendation's reason in the current language.
// fromModel is false for a best seller that topped the list up.
func (l *loadedRec) because(r recommend.Recommendation, fromModel bool) (string, []string) {
	if !fromModel {
		return i18n.T("best seller"), nil
	}
	var names []string
	for _, b := range r.Because {
		names = append(names, l.cat.name(l.ids[b]))
	}
	switch len(names) {
	case 0:
		return i18n.T("like what you bought"), nil
	case 1:
		return i18n.T("because you bought %s", names[0]), names
	}
	return i18n.T("because you bought %s and %s", names[0], names[1]), names
}

// resolveProduct finds a product by id or exact name (then name in any
// case) among ids; a miss suggests close matches.
func resolveProduct(product, table string, ids []string, cat *catalogue) (string, error) {
	p := strings.TrimSpace(product)
	if p == "" {
		return "", i18n.Errorf("give a product id or name")
	}
	if slices.Contains(ids, p) {
		return p, nil
	}
	for _, fold := range []bool{false, true} {
		for _, id := range ids {
			n := cat.names[id]
			if n != "" && (n == p || fold && strings.EqualFold(n, p)) {
				return id, nil
			}
		}
	}
	lp := strings.ToLower(p)
	var sugg []string
	for _, id := range ids {
		n := cat.names[id]
		if strings.Contains(strings.ToLower(id), lp) || strings.Contains(strings.ToLower(n), lp) {
			s := id
			if n != "" {
				s = fmt.Sprintf("%s (%s)", id, n)
			}
			sugg = append(sugg, s)
			if len(sugg) == 3 {
				break
			}
		}
	}
	if len(sugg) > 0 {
		return "", i18n.Errorf("no product %q in %s; did you mean %s?", p, table, strings.Join(sugg, ", "))
	}
	return "", i18n.Errorf("no product %q in %s; give a product id or its exact name (see 'marketbench recommend best-sellers --orders %s')", p, table, table)
}
