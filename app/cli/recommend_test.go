package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
)

// shop makes a project with orders (c1..c6 buy A..E, c7 only returns, c8
// bought once) and products (E has no name), roles set through the CLI.
func shop(t *testing.T, orders string) string {
	t.Helper()
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	write := func(name, text string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	ok(t, "-p", proj, "import", write("orders.csv", orders), "--table", "orders")
	ok(t, "-p", proj, "roles", "orders", "--set", "order_id=order_id", "--set", "customer_id=customer_id", "--set", "order_date=order_date",
		"--set", "sku=product_id", "--set", "quantity=quantity")
	ok(t, "-p", proj, "import", write("products.csv", "sku,title,kind\nA,Apple,fruit\nB,Banana,fruit\nC,Carrot,veg\nD,Daikon,veg\nE,,veg\n"), "--table", "products")
	ok(t, "-p", proj, "roles", "products", "--set", "sku=product_id", "--set", "title=product_name", "--set", "kind=category")
	return proj
}

const shopOrders = `order_id,customer_id,order_date,sku,quantity
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

func fails(t *testing.T, want string, args ...string) {
	t.Helper()
	_, errs, code := run(t, args...)
	if code == 0 || !strings.Contains(errs, want) {
		t.Errorf("%v: exit %d, %q; want it to say %q", args[2:], code, errs, want)
	}
}

func TestRecommendCommands(t *testing.T) {
	proj := shop(t, shopOrders)
	p := []string{"-p", proj}
	fails(t, "train a recommender first: marketbench recommend train", append(p, "recommend", "score")...)
	fails(t, "train a recommender first", append(p, "recommend", "similar", "A")...)
	fails(t, `no table "nope"`, append(p, "recommend", "train", "--orders", "nope")...)
	fails(t, "products has no column with the role customer_id", append(p, "recommend", "train", "--orders", "products")...)
	fails(t, "give the order table: --orders T", append(p, "recommend", "train")...)
	fails(t, "--top must be from 1 to 1000 (got 0)", append(p, "recommend", "score", "--top", "0")...)

	out := ok(t, append(p, "--json", "recommend", "train", "--orders", "orders")...)
	var info struct {
		Name      string
		Customers int
		Products  int
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Name != "default" || info.Customers != 7 || info.Products != 5 {
		t.Errorf("train: %s", out)
	}
	var rep struct {
		Customers, Rows int
		OnlyReturns     int `json:"only_returns"`
	}
	json.Unmarshal([]byte(ok(t, append(p, "--json", "recommend", "score", "--top", "2")...)), &rep)
	if rep.Customers != 7 || rep.Rows != 14 || rep.OnlyReturns != 1 {
		t.Errorf("score: %+v", rep)
	}
	human := ok(t, append(p, "recommend", "score", "--top", "2")...)
	if !strings.Contains(human, "Wrote 14 rows for 7 customers to the table recommendations.") || !strings.Contains(human, "1 customers have only returns") {
		t.Errorf("score:\n%s", human)
	}
	var show struct {
		Recommendations []struct {
			ProductID   string `json:"product_id"`
			ProductName string `json:"product_name"`
			Reason      string
			Because     []string
		}
	}
	json.Unmarshal([]byte(ok(t, append(p, "--json", "recommend", "show", "c8", "--top", "4")...)), &show)
	recs := show.Recommendations
	if len(recs) != 4 || recs[0].ProductID != "B" || recs[0].ProductName != "Banana" || recs[0].Reason != "because you bought Apple" ||
		len(recs[0].Because) != 1 || recs[0].Because[0] != "Apple" {
		t.Errorf("show c8: %+v", recs)
	}
	for _, r := range recs {
		if r.ProductID == "E" && r.ProductName != "E" {
			t.Errorf("nameless product shown as %q", r.ProductName)
		}
	}
	fails(t, "customer c7 has only returns or cancelled orders", append(p, "recommend", "show", "c7")...)
	fails(t, `no product "Appl" in orders; did you mean A (Apple)?`, append(p, "recommend", "similar", "Appl")...)
	fails(t, `no product "Zucchini" in orders`, append(p, "recommend", "buyers", "Zucchini", "--top", "3")...)
	fails(t, "give how many customers: --top N", append(p, "recommend", "buyers", "A")...)
	fails(t, "--top must be at least 1 (got -2)", append(p, "recommend", "buyers", "A", "--top", "-2")...)
	if out := ok(t, append(p, "recommend", "similar", "Apple")...); !strings.Contains(out, "Banana") {
		t.Errorf("similar Apple:\n%s", out)
	}
	var buyers struct {
		Customers []struct {
			CustomerID string `json:"customer_id"`
		}
		Segment struct {
			Name string
			Size int
		}
	}
	json.Unmarshal([]byte(ok(t, append(p, "--json", "recommend", "buyers", "E", "--top", "3", "--segment", "E buyers")...)), &buyers)
	if len(buyers.Customers) == 0 || buyers.Segment.Name != "E buyers" || buyers.Segment.Size != len(buyers.Customers) {
		t.Errorf("buyers: %+v", buyers)
	}
	if out := ok(t, append(p, "recommend", "best-sellers", "--orders", "orders", "--top", "2")...); !strings.Contains(out, "Apple") {
		t.Errorf("best sellers:\n%s", out)
	}
	// Chinese: the reason in the current language.
	if out := ok(t, append(p, "--lang", "zh-Hans", "recommend", "show", "c8", "--top", "1")...); !strings.Contains(out, "因为您买过Apple") {
		t.Errorf("show in Chinese:\n%s", out)
	}

	// A damaged model: a clear message with the fix.
	w, err := core.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	w.DB().Exec(`UPDATE mb_rec_neighbours SET score = 'NaN'`)
	w.Close()
	fails(t, `the recommender "default" is damaged`, append(p, "recommend", "score")...)
	fails(t, "train it again: marketbench recommend train", append(p, "recommend", "show", "c1")...)
	if out := ok(t, append(p, "recommend", "list")...); !strings.Contains(out, "default") {
		t.Errorf("list:\n%s", out)
	}
	ok(t, append(p, "recommend", "delete", "default")...)
	fails(t, "train a recommender first", append(p, "recommend", "delete", "default")...)

	// A catalogue of one product.
	one := shop(t, "order_id,customer_id,order_date,sku,quantity\no1,c1,2024-01-01,A,1\no2,c2,2024-01-02,A,1\n")
	fails(t, "only one product (A)", "-p", one, "recommend", "train", "--orders", "orders")
}
