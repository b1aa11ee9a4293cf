package core

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/marketbench/marketbench/analytics/recommend"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// retail is one Online Retail project shared by this file's tests (the
// import takes a few seconds), trained once with item-kNN as "default"
// and with ALS as "als". Tests that change it use their own project.
var retail struct {
	once sync.Once
	dir  string
	w    *Workspace
	err  error
}

// closeRetail removes the shared project (TestMain calls it).
func closeRetail() {
	if retail.w != nil {
		retail.w.Close()
	}
	if retail.dir != "" {
		os.RemoveAll(retail.dir)
	}
}

func retailWorkspace(t *testing.T) *Workspace {
	t.Helper()
	if testing.Short() {
		t.Skip("imports 541,909 rows")
	}
	retail.once.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "mb-retail-*")
		if err != nil {
			retail.err = err
			return
		}
		retail.dir = dir
		w, err := Create(filepath.Join(dir, "retail"+storage.Ext))
		if err != nil {
			retail.err = err
			return
		}
		retail.w = w
		if _, err := w.Import(ctx, "../../testdata/real/OnlineRetail.csv.gz", ingest.Options{Table: "orders"}); err != nil {
			retail.err = err
			return
		}
		if retail.err = w.SetRoles(ctx, "orders", map[string]storage.Role{"InvoiceNo": storage.OrderID, "StockCode": storage.ProductID,
			"Description": storage.ProductName, "Quantity": storage.Quantity, "InvoiceDate": storage.OrderDate, "CustomerID": storage.CustomerID,
			"UnitPrice": storage.UnitPrice}, true); retail.err != nil {
			return
		}
		if _, retail.err = w.TrainRecommender(ctx, "orders", "", "", nil); retail.err != nil {
			return
		}
		// A small ALS: the table's shape is under test here, not its accuracy.
		defer func(o recommend.ALSOptions) { trainALS = o }(trainALS)
		trainALS = recommend.ALSOptions{Factors: 16, Iterations: 5, Lambda: 0.1, Alpha: 20, Seed: 1}
		_, retail.err = w.TrainRecommender(ctx, "orders", MethodALS, "als", nil)
	})
	if retail.err != nil {
		t.Fatal(retail.err)
	}
	return retail.w
}

// checkTable checks the recommendations table: ranks 1..N per customer,
// no product offered twice or already bought, reasons naming products.
func checkTable(t *testing.T, w *Workspace, top int, rep *ScoreReport) {
	t.Helper()
	ctx := context.Background()
	var customers, rows, badRanks, dup, bought, noReason int
	err := w.Q().QueryRowContext(ctx, `SELECT count(DISTINCT customer_id), count(*),
		(SELECT count(*) FROM (SELECT customer_id FROM recommendations GROUP BY customer_id
			HAVING min(rank) <> 1 OR max(rank) <> count(*) OR count(DISTINCT rank) <> count(*) OR count(*) > ?)),
		(SELECT count(*) FROM (SELECT customer_id, product_id FROM recommendations GROUP BY ALL HAVING count(*) > 1)),
		(SELECT count(*) FROM recommendations r WHERE EXISTS (SELECT 1 FROM orders o WHERE CAST(o.CustomerID AS VARCHAR) = r.customer_id
			AND CAST(o.StockCode AS VARCHAR) = r.product_id AND o.Quantity > 0 AND NOT o.InvoiceNo LIKE 'C%')),
		count(*) FILTER (WHERE reason IS NULL OR reason = '')
		FROM recommendations`, top).Scan(&customers, &rows, &badRanks, &dup, &bought, &noReason)
	if err != nil {
		t.Fatal(err)
	}
	if customers != rep.Customers || rows != rep.Rows || rows != customers*top || badRanks+dup+bought+noReason != 0 {
		t.Errorf("table: %d customers, %d rows (report %+v); bad ranks %d, repeats %d, already bought %d, no reason %d",
			customers, rows, rep, badRanks, dup, bought, noReason)
	}
}

func TestRecommendersOnlineRetail(t *testing.T) {
	w := retailWorkspace(t)
	ctx := context.Background()
	list, err := w.Recommenders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "als" || list[1].Name != "default" || list[1].Method != MethodItemKNN ||
		list[1].Customers != 4339 || list[1].Products < 3600 || list[1].Purchases < 260000 {
		t.Fatalf("recommenders %+v", list)
	}
	tables, err := w.OrderTables(ctx)
	if err != nil || !slices.Equal(tables, []string{"orders"}) {
		t.Fatalf("order tables %v, %v", tables, err)
	}
	for _, name := range []string{"", "als"} {
		rep, err := w.ScoreRecommendations(ctx, ScoreOptions{Name: name, Top: 5, Link: "https://shop.example/p/{product_id}"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%q: %+v", name, rep)
		if rep.Customers != 4339 || rep.Table != "recommendations" || rep.OnlyReturns != 33 {
			t.Errorf("%q: report %+v", name, rep)
		}
		checkTable(t, w, 5, rep)
		// Reasons name real products: the bought product's description.
		var reason, link, pid string
		if err := w.Q().QueryRowContext(ctx, `SELECT reason, link, product_id FROM recommendations WHERE customer_id = '12347' AND rank = 1`).Scan(&reason, &link, &pid); err != nil {
			t.Fatal(err)
		}
		t.Logf("%q: 12347's first: %s %s", name, reason, link)
		if !strings.HasPrefix(reason, "because you bought ") || link != "https://shop.example/p/"+pid {
			t.Errorf("%q: reason %q link %q", name, reason, link)
		}
		var named int
		if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT Description FROM orders WHERE CustomerID = 12347)
			WHERE contains(?, Description)`, reason).Scan(&named); err != nil || named == 0 {
			t.Errorf("%q: reason %q names no product 12347 bought (%v)", name, reason, err)
		}
	}
}

// A product's similar products share its buyers: each neighbour's
// CoBuyers equals a SQL count of customers who bought both (purchases
// only), and the stored top-20 cut to 5 is what training with K = 5 gives.
func TestSimilarProductsOnlineRetail(t *testing.T) {
	w := retailWorkspace(t)
	ctx := context.Background()
	// 85123A: WHITE HANGING HEART T-LIGHT HOLDER, the second best seller.
	for _, find := range []func(context.Context, string, string, int) ([]SimilarProduct, error){w.SimilarProducts, w.CoPurchased} {
		sim, err := find(ctx, "", "85123A", 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(sim) != 20 {
			t.Fatalf("%d similar products", len(sim))
		}
		t.Logf("like 85123A: %s (%s) score %.3f, %d co-buyers", sim[0].Name, sim[0].ProductID, sim[0].Score, sim[0].CoBuyers)
		for _, s := range sim[:3] {
			var both int
			err := w.Q().QueryRowContext(ctx, `WITH b AS (SELECT DISTINCT CAST(CustomerID AS VARCHAR) AS c, CAST(StockCode AS VARCHAR) AS p FROM orders
				WHERE CustomerID IS NOT NULL AND Quantity > 0 AND NOT InvoiceNo LIKE 'C%')
				SELECT count(*) FROM b x JOIN b y USING (c) WHERE x.p = '85123A' AND y.p = ?`, s.ProductID).Scan(&both)
			if err != nil {
				t.Fatal(err)
			}
			if both != s.CoBuyers || both < 50 || s.Name == s.ProductID {
				t.Errorf("%s (%s): %d co-buyers, SQL counts %d", s.ProductID, s.Name, s.CoBuyers, both)
			}
		}
	}
	co, _ := w.CoPurchased(ctx, "", "WHITE HANGING HEART T-LIGHT HOLDER", 5)
	for i := 1; i < len(co); i++ {
		if co[i].CoBuyers > co[i-1].CoBuyers {
			t.Errorf("co-purchased not by count: %+v", co)
		}
	}
	// The lists scoring uses are the trained K = 5 lists.
	l, err := w.loadRecommender(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	k5, err := recommend.TrainItemKNN(l.m, defaultKNN)
	if err != nil {
		t.Fatal(err)
	}
	for j := range k5.Neighbours {
		a, b := k5.Neighbours[j], l.knn.Neighbours[j]
		if len(a) != len(b) {
			t.Fatalf("product %s: K=5 has %d neighbours, stored %d", l.ids[j], len(a), len(b))
		}
		for i := range a {
			if a[i].Item != b[i].Item || a[i].CoBuyers != b[i].CoBuyers || a[i].Score != b[i].Score {
				t.Fatalf("product %s neighbour %d: K=5 %+v, stored %+v", l.ids[j], i, a[i], b[i])
			}
		}
	}
	buyers, err := w.LikelyBuyers(ctx, "", "85123A", 10)
	if err != nil || len(buyers) != 10 {
		t.Fatalf("buyers %+v, %v", buyers, err)
	}
	for _, b := range buyers {
		var n int
		w.Q().QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE CAST(CustomerID AS VARCHAR) = ? AND StockCode = '85123A' AND Quantity > 0`, b.CustomerID).Scan(&n)
		if n > 0 {
			t.Errorf("likely buyer %s already bought it", b.CustomerID)
		}
	}
	best, err := w.BestSellers(ctx, "orders", 3, "")
	if err != nil || len(best) != 3 || best[0].ProductID != "22423" || best[1].ProductID != "85123A" || best[0].Revenue <= 0 || best[0].Customers != 881 {
		t.Errorf("best sellers %+v, %v", best, err)
	}
}

// The demo: product names come from its products table.
func TestRecommendDemo(t *testing.T) {
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Customers: 1500, Orders: 12000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.TrainRecommender(ctx, "orders", "", "", nil); err != nil {
		t.Fatal(err)
	}
	rep, err := w.ScoreRecommendations(ctx, ScoreOptions{Top: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var unnamed, rows int
	if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE r.product_name IS DISTINCT FROM p.product_name OR r.category IS DISTINCT FROM p.category), count(*)
		FROM recommendations r LEFT JOIN products p USING (product_id)`).Scan(&unnamed, &rows); err != nil {
		t.Fatal(err)
	}
	if rows != rep.Rows || rows == 0 || unnamed != 0 {
		t.Errorf("%d rows (report %+v), %d without the products table's name and category", rows, rep, unnamed)
	}
	var reason string
	w.Q().QueryRowContext(ctx, `SELECT reason FROM recommendations WHERE reason LIKE 'because you bought %' LIMIT 1`).Scan(&reason)
	var named int
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM products WHERE contains(?, product_name)`, reason).Scan(&named)
	if named == 0 {
		t.Errorf("reason %q names no product", reason)
	}
	// The likely buyers of the first recommended product, as a segment of
	// the customers table holding exactly them.
	var product string
	w.Q().QueryRowContext(ctx, `SELECT product_id FROM recommendations WHERE rank = 1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&product)
	buyers, err := w.LikelyBuyers(ctx, "", product, 40)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := w.SaveBuyersSegment(ctx, "", product, 40, "Likely buyers")
	if err != nil {
		t.Fatal(err)
	}
	var members, same int
	w.Q().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))) FROM mb_segment_members WHERE segment = 'Likely buyers'`,
		buyerIDs(buyers)).Scan(&members, &same)
	if seg.Kind != "list" || seg.Table != "customers" || int(seg.Size) != len(buyers) || members != len(buyers) || same != members ||
		!strings.Contains(seg.Description, "most likely to buy "+product) {
		t.Errorf("segment %+v: %d members, %d of the %d buyers", seg, members, same, len(buyers))
	}
	best, err := w.BestSellers(ctx, "orders", 5, "Consenting champions")
	if err != nil || len(best) == 0 || best[0].Name == best[0].ProductID {
		t.Errorf("segment best sellers %+v, %v", best, err)
	}
}

func buyerIDs(bs []Buyer) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.CustomerID
	}
	return out
}
