package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/recmodel"
)

// smallShop is a project with a few orders: c1..c6 buy products A..E,
// c7 has only a return and a cancelled order, c8 bought once; the
// products table names every product but E.
const smallOrders = `order_id,customer_id,order_date,product_id,quantity
o1,c1,2024-01-01,A,1
o1,c1,2024-01-01,B,1
o2,c2,2024-01-02,A,2
o2,c2,2024-01-02,B,1
o2,c2,2024-01-02,C,1
o3,c3,2024-01-03,B,1
o3,c3,2024-01-03,C,1
o4,c4,2024-01-04,C,1
o4,c4,2024-01-04,D,1
o5,c5,2024-01-05,D,1
o5,c5,2024-01-05,E,1
o6,c6,2024-01-06,A,1
o6,c6,2024-01-06,E,1
o7,c7,2024-01-07,A,-1
C8,c7,2024-01-08,B,1
o9,c8,2024-01-09,A,1
`

const smallProducts = `product_id,product_name,category
A,Apple,fruit
B,Banana,fruit
C,Carrot,veg
D,Daikon,veg
E,,veg
`

func importCSV(t *testing.T, w *Workspace, table, text string, roles map[string]storage.Role) {
	t.Helper()
	f := filepath.Join(t.TempDir(), table+".csv")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := w.Import(ctx, f, ingest.Options{Table: table}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, table, roles, true); err != nil {
		t.Fatal(err)
	}
}

var orderRoles = map[string]storage.Role{"order_id": storage.OrderID, "customer_id": storage.CustomerID, "order_date": storage.OrderDate,
	"product_id": storage.ProductID, "quantity": storage.Quantity}

func smallShop(t *testing.T) *Workspace {
	t.Helper()
	w, err := Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	importCSV(t, w, "orders", smallOrders, orderRoles)
	importCSV(t, w, "products", smallProducts, map[string]storage.Role{"product_id": storage.ProductID, "product_name": storage.ProductName, "category": storage.Category})
	return w
}

func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %q does not say %q", what, err, p)
		}
	}
}

func TestRecommendBadInput(t *testing.T) {
	ctx := context.Background()
	w := smallShop(t)
	// Before training.
	_, err := w.ScoreRecommendations(ctx, ScoreOptions{}, nil)
	wantErr(t, "score before training", err, "train a recommender first: marketbench recommend train")
	_, err = w.SimilarProducts(ctx, "", "A", 5)
	wantErr(t, "similar before training", err, "train a recommender first")
	_, err = w.TrainRecommender(ctx, "nope", "", "", nil)
	wantErr(t, "no order table", err, `"nope"`)
	_, err = w.TrainRecommender(ctx, "orders", "svd", "", nil)
	wantErr(t, "unknown method", err, "item-knn or als")
	// The products table has no customer or date: not an order table.
	_, err = w.TrainRecommender(ctx, "products", "", "", nil)
	wantErr(t, "no customer role", err, "customer_id", "marketbench roles products")
	if tables, err := w.OrderTables(ctx); err != nil || len(tables) != 1 || tables[0] != "orders" {
		t.Errorf("order tables %v, %v", tables, err)
	}

	if _, err := w.TrainRecommender(ctx, "orders", "", "", nil); err != nil {
		t.Fatal(err)
	}
	rep, err := w.ScoreRecommendations(ctx, ScoreOptions{Top: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Seven customers with purchases (c8 bought once and still gets a full
	// list, topped up; c2 bought three of the five products, so two are
	// left); c7 has only returns and is counted, not scored.
	if rep.Customers != 7 || rep.Rows != 20 || rep.OnlyReturns != 1 || rep.Filled == 0 {
		t.Errorf("report %+v", rep)
	}
	recs, err := w.CustomerRecommendations(ctx, ScoreOptions{Top: 4}, "c8")
	if err != nil {
		t.Fatal(err)
	}
	// c8 bought only A: B (bought with A twice) comes first, with a reason
	// naming Apple; E has no name and is shown by its id.
	if len(recs) != 4 || recs[0].ProductID != "B" || recs[0].Reason != "because you bought Apple" || recs[0].Name != "Banana" {
		t.Errorf("c8: %+v", recs)
	}
	for _, r := range recs {
		if r.ProductID == "E" && r.Name != "E" {
			t.Errorf("nameless product shown as %q", r.Name)
		}
		if r.ProductID == "A" {
			t.Errorf("already bought A offered")
		}
	}
	_, err = w.CustomerRecommendations(ctx, ScoreOptions{}, "c7")
	wantErr(t, "all returns", err, "customer c7 has only returns or cancelled orders")
	_, err = w.CustomerRecommendations(ctx, ScoreOptions{}, "c99")
	wantErr(t, "unknown customer", err, `no customer "c99"`)
	_, err = w.SimilarProducts(ctx, "", "Appl", 5)
	wantErr(t, "unknown product", err, `no product "Appl" in orders; did you mean A (Apple)?`)
	_, err = w.LikelyBuyers(ctx, "", "Zucchini", 5)
	wantErr(t, "unknown product", err, `no product "Zucchini" in orders`)
	sim, err := w.SimilarProducts(ctx, "", "apple", 5) // an exact name in any case
	if err != nil || len(sim) == 0 || sim[0].ProductID != "B" || sim[0].CoBuyers != 2 {
		t.Errorf("similar to apple: %+v, %v", sim, err)
	}
	_, err = w.CustomerRecommendations(ctx, ScoreOptions{Categories: []string{"meat"}}, "c8")
	wantErr(t, "unknown category", err, `no product has the category "meat"`, "fruit, veg")
	veg, err := w.CustomerRecommendations(ctx, ScoreOptions{Categories: []string{"veg"}, OutOfStock: []string{"C"}}, "c8")
	if err != nil || len(veg) != 2 || veg[0].Category != "veg" || veg[0].ProductID == "C" || veg[1].ProductID == "C" {
		t.Errorf("veg, C out of stock: %+v, %v", veg, err)
	}
	_, err = w.ScoreRecommendations(ctx, ScoreOptions{Top: 5000}, nil)
	wantErr(t, "huge top", err, "between 1 and 1000")
	// Progress is reported; a cancelled scoring keeps the previous table.
	var stages []string
	if _, err := w.ScoreRecommendations(ctx, ScoreOptions{Top: 1}, func(s string, f float64) { stages = append(stages, s) }); err != nil {
		t.Fatal(err)
	}
	if len(stages) < 3 || stages[len(stages)-1] != "Done" {
		t.Errorf("stages %q", stages)
	}
	cctx, cancel := context.WithCancel(ctx)
	_, err = w.ScoreRecommendations(cctx, ScoreOptions{Top: 3}, func(s string, f float64) {
		if s == "Scoring customers" {
			cancel()
		}
	})
	if !errors.Is(err, ErrCancelled) {
		t.Errorf("cancelled scoring: %v", err)
	}
	var kept int
	if w.Q().QueryRowContext(ctx, `SELECT count(*) FROM recommendations`).Scan(&kept); kept != 7 {
		t.Errorf("after a cancelled scoring the table has %d rows, want the previous 7", kept)
	}

	// A catalogue of one product.
	w1, err := Create(filepath.Join(t.TempDir(), "one"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Close()
	importCSV(t, w1, "orders", "order_id,customer_id,order_date,product_id,quantity\no1,c1,2024-01-01,A,1\no2,c2,2024-01-02,A,1\n", orderRoles)
	_, err = w1.TrainRecommender(ctx, "orders", "", "", nil)
	wantErr(t, "one product", err, "only one product (A)", "at least two products")
	// Only returns.
	w2, err := Create(filepath.Join(t.TempDir(), "returns"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	importCSV(t, w2, "orders", "order_id,customer_id,order_date,product_id,quantity\no1,c1,2024-01-01,A,-1\nC2,c2,2024-01-02,B,1\n", orderRoles)
	_, err = w2.TrainRecommender(ctx, "orders", "", "", nil)
	wantErr(t, "all returns", err, "orders has no purchases: 1 rows are returns, 1 cancelled orders")
	// No product role.
	w3, err := Create(filepath.Join(t.TempDir(), "noproduct"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close()
	importCSV(t, w3, "orders", "order_id,customer_id,order_date,sku\no1,c1,2024-01-01,A\n", map[string]storage.Role{"order_id": storage.OrderID,
		"customer_id": storage.CustomerID, "order_date": storage.OrderDate, "sku": storage.None})
	_, err = w3.TrainRecommender(ctx, "orders", "", "", nil)
	wantErr(t, "no product role", err, "product_id", "product_name", "marketbench roles orders --set COLUMN=ROLE")
}

// A project from someone else may carry a damaged model: every kind of
// damage gives an error that says to train again, never a crash, and the
// model can still be listed and deleted.
func TestRecommendDamagedModel(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ name, method, sql string }{
		{"nan score", "", `UPDATE mb_rec_neighbours SET score = 'NaN' WHERE rank = 1`},
		{"negative score", "", `UPDATE mb_rec_neighbours SET score = -1 WHERE rank = 1`},
		{"own neighbour", "", `UPDATE mb_rec_neighbours SET neighbour_id = product_id WHERE rank = 1`},
		{"rank gap", "", `UPDATE mb_rec_neighbours SET rank = 7 WHERE rank = 1`},
		{"repeated row", "", `INSERT INTO mb_rec_neighbours SELECT * FROM mb_rec_neighbours WHERE rank = 1`},
		{"huge rows", "", `INSERT INTO mb_rec_neighbours SELECT model, kind, product_id, rank + 100 * i, neighbour_id, score, co_buyers FROM mb_rec_neighbours, range(1, 200) t(i)`},
		{"wrong type", "", `ALTER TABLE mb_rec_neighbours ALTER score TYPE VARCHAR; UPDATE mb_rec_neighbours SET score = 'lots'`},
		{"dropped table", "", `DROP TABLE mb_rec_neighbours`},
		{"zero co-buyers", "", `UPDATE mb_rec_neighbours SET co_buyers = 0`},
		{"unknown method", "", `UPDATE mb_recommenders SET method = 'magic'`},
		{"bad options", "", `UPDATE mb_recommenders SET options_json = '{"k": -3'`},
		{"huge k", "", `UPDATE mb_recommenders SET options_json = '{"k": 100000000, "score_k": 5}'`},
		{"short factors", MethodALS, `UPDATE mb_rec_factors SET factors = '\x00\x01'::BLOB`},
		{"nan factor", MethodALS, `UPDATE mb_rec_factors SET factors = unhex(repeat('000000000000F87F', 128))`},
		{"missing factors", MethodALS, `DELETE FROM mb_rec_factors WHERE product_id = 'A'`},
		{"factor settings", MethodALS, `UPDATE mb_recommenders SET options_json = '{"factors": 0}'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := smallShop(t)
			if _, err := w.TrainRecommender(ctx, "orders", c.method, "", nil); err != nil {
				t.Fatal(err)
			}
			for _, s := range strings.Split(c.sql, "; ") {
				if _, err := w.DB().ExecContext(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			var errs []error
			_, err := w.ScoreRecommendations(ctx, ScoreOptions{}, nil)
			errs = append(errs, err)
			_, err = w.CustomerRecommendations(ctx, ScoreOptions{}, "c1")
			errs = append(errs, err)
			_, err = w.LikelyBuyers(ctx, "", "A", 3)
			errs = append(errs, err)
			if c.method == "" && !strings.Contains(c.name, "option") && c.name != "unknown method" && c.name != "huge k" {
				_, err = w.CoPurchased(ctx, "", "A", 3)
				errs = append(errs, err)
			}
			for i, err := range errs {
				if !errors.Is(err, recmodel.ErrDamaged) || !strings.Contains(err.Error(), "train it again: marketbench recommend train") {
					t.Errorf("call %d: %v", i, err)
				}
			}
			list, err := w.Recommenders(ctx)
			if err != nil || len(list) != 1 {
				t.Fatalf("list: %+v, %v", list, err)
			}
			if err := w.DeleteRecommender(ctx, "default"); err != nil && c.name != "dropped table" {
				t.Errorf("delete: %v", err)
			}
		})
	}
}

// The last loaded model is used again for the next click, but not after
// the orders change: a customer's newest order counts at once.
func TestRecommenderCacheSeesNewOrders(t *testing.T) {
	ctx := context.Background()
	w := smallShop(t)
	if _, err := w.TrainRecommender(ctx, "orders", "", "", nil); err != nil {
		t.Fatal(err)
	}
	a, err := w.loadRecommender(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := w.loadRecommender(ctx, ""); b != a {
		t.Errorf("loaded again with nothing changed")
	}
	before, err := w.CustomerRecommendations(ctx, ScoreOptions{Top: 4}, "c8")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(f, []byte("order_id,customer_id,order_date,product_id,quantity\no10,c8,2024-02-01,B,1\n"), 0o644)
	if _, err := w.Import(ctx, f, ingest.Options{Table: "orders", Mode: ingest.Append}); err != nil {
		t.Fatal(err)
	}
	after, err := w.CustomerRecommendations(ctx, ScoreOptions{Top: 4}, "c8")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range after {
		if r.ProductID == "B" {
			t.Errorf("B offered after c8 bought it: before %+v, after %+v", before, after)
		}
	}
	if before[0].ProductID != "B" || len(after) != 3 {
		t.Errorf("before %+v, after %+v", before, after)
	}
}

// An ALS recommender answers the same questions: similar products by the
// closeness of their factors, co-purchases by count, likely buyers, one
// customer's list.
func TestALSRecommenderSmall(t *testing.T) {
	ctx := context.Background()
	w := smallShop(t)
	if _, err := w.TrainRecommender(ctx, "orders", MethodALS, "f", nil); err != nil {
		t.Fatal(err)
	}
	sim, err := w.SimilarProducts(ctx, "f", "A", 10)
	if err != nil || len(sim) != 4 {
		t.Fatalf("similar %+v, %v", sim, err)
	}
	for i, s := range sim {
		if s.ProductID == "A" || s.Score > 1+1e-9 || (i > 0 && s.Score > sim[i-1].Score) {
			t.Errorf("similar to A: %+v", sim)
		}
	}
	co, err := w.CoPurchased(ctx, "f", "Apple", 2)
	// A is bought with B by c1 and c2, with C by c2 and with E by c6.
	if err != nil || len(co) != 2 || co[0].ProductID != "B" || co[0].CoBuyers != 2 || co[1].CoBuyers != 1 {
		t.Errorf("co-purchased %+v, %v", co, err)
	}
	buyers, err := w.LikelyBuyers(ctx, "f", "A", 10)
	if err != nil || len(buyers) != 3 { // c3, c4, c5: everyone with purchases who has not bought A
		t.Fatalf("buyers %+v, %v", buyers, err)
	}
	for _, b := range buyers {
		if b.CustomerID == "c1" || b.CustomerID == "c2" || b.CustomerID == "c6" || b.CustomerID == "c8" {
			t.Errorf("buyer %s already bought A", b.CustomerID)
		}
	}
	recs, err := w.CustomerRecommendations(ctx, ScoreOptions{Name: "f", Top: 2}, "c5")
	if err != nil || len(recs) != 2 || recs[0].ProductID == "D" || recs[0].ProductID == "E" {
		t.Errorf("c5: %+v, %v", recs, err)
	}
}
