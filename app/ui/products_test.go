package ui

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/segment"
)

// productsDemo opens a small demo project on the Products screen.
func productsDemo(t *testing.T) (*window, *project, *productsScreen) {
	t.Helper()
	ws, err := core.CreateDemo(t.Context(), filepath.Join(t.TempDir(), "demo"+storage.Ext),
		core.DemoOptions{Customers: 2000, Orders: 20000, Products: 120}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The demo comes with a trained recommender and its table; these
	// tests start from a shop that has neither.
	if err := ws.DeleteRecommender(t.Context(), core.DefaultRecommender); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.DB().Exec(`DROP TABLE recommendations`); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Products")
	idle(t, p)
	if p.body.Objects[0] != p.products.content {
		t.Fatal("the Products screen is not shown")
	}
	return w, p, p.products
}

// retail opens Online Retail (real invoices of several products each;
// the demo's orders hold one product each, so they have no basket rules)
// with stock codes as the products and their descriptions as names.
func retail(t *testing.T) (*window, *project, *productsScreen) {
	t.Helper()
	if testing.Short() {
		t.Skip("imports 541,909 rows")
	}
	ws, err := core.Create(filepath.Join(t.TempDir(), "retail"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Import(t.Context(), "../../testdata/real/OnlineRetail.csv.gz", ingest.Options{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	if err := ws.SetRoles(t.Context(), "orders", map[string]storage.Role{"InvoiceNo": storage.OrderID, "StockCode": storage.ProductID, "Description": storage.ProductName,
		"Quantity": storage.Quantity, "InvoiceDate": storage.OrderDate, "CustomerID": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Products")
	idle(t, p)
	return w, p, p.products
}

// TestProductsBasketRules mines Online Retail's rules, sorts them by a
// column both ways and filters them by a product on either side.
func TestProductsBasketRules(t *testing.T) {
	w, p, s := retail(t)
	if s.table() != "orders" || s.missing.Visible() {
		t.Fatalf("order table %q (options %v), message shown: %v", s.table(), s.tableSel.Options, s.missing.Visible())
	}
	v := s.rules
	v.support.SetText("1,5") // a decimal comma is fine
	test.Tap(v.runBtn)
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a dialog is open: %v", labels(top))
	}
	if v.res == nil || len(v.res.Rules) < 5 || len(v.grid.rows) != len(v.res.Rules) {
		t.Fatalf("rules: %v, %d rows; info %q", v.res, len(v.grid.rows), v.info.Text)
	}
	if !strings.Contains(v.info.Text, "rules from") {
		t.Errorf("info %q", v.info.Text)
	}
	// Sorted by lift, largest first, to begin with.
	lift := func(row int) float64 { return v.res.Rules[v.rows[row]].Lift }
	if lift(0) < lift(len(v.rows)-1) || !strings.HasSuffix(v.grid.cols[ruleLift], "▼") {
		t.Fatalf("not sorted by lift: %v … %v, header %q", lift(0), lift(len(v.rows)-1), v.grid.cols[ruleLift])
	}
	// Orders: largest first, then again for smallest first.
	v.grid.onHeader(ruleOrders)
	orders := func(row int) int { return v.res.Rules[v.rows[row]].Orders }
	for r := 1; r < len(v.rows); r++ {
		if orders(r) > orders(r-1) {
			t.Fatalf("orders not descending at row %d", r)
		}
	}
	v.grid.onHeader(ruleOrders)
	for r := 1; r < len(v.rows); r++ {
		if orders(r) < orders(r-1) {
			t.Fatalf("orders not ascending at row %d", r)
		}
	}
	if !strings.HasSuffix(v.grid.cols[ruleOrders], "▲") || strings.HasSuffix(v.grid.cols[ruleLift], "▼") {
		t.Errorf("headers %q", v.grid.cols)
	}

	// Filter by the THEN product of the first rule: every row shown names
	// it on one side, and both sides are searched.
	product := v.res.Rules[v.rows[0]].Then[0]
	test.Type(v.filter, strings.ToLower(product))
	if len(v.rows) == 0 || len(v.rows) >= len(v.res.Rules) {
		t.Fatalf("filter %q kept %d of %d", product, len(v.rows), len(v.res.Rules))
	}
	sides := map[bool]int{}
	for _, i := range v.rows {
		r := v.res.Rules[i]
		inIf := strings.Contains(strings.Join(r.If, " "), product)
		if !inIf && !strings.Contains(strings.Join(r.Then, " "), product) {
			t.Fatalf("rule %v does not mention %s", r, product)
		}
		sides[inIf]++
	}
	if sides[true] == 0 || sides[false] == 0 {
		t.Errorf("%s found only on one side: %v", product, sides)
	}
	if !strings.Contains(v.info.Text, "rules mention") {
		t.Errorf("filtered info %q", v.info.Text)
	}
	// Rules show names with the codes, and the filter finds names.
	name := ""
	for _, b := range s.products {
		if b.ProductID == product {
			name = b.Name
		}
	}
	if name == "" || name == product {
		t.Fatalf("no name for %s", product)
	}
	n := len(v.rows)
	v.filter.SetText(strings.ToLower(name))
	if len(v.rows) < n || !strings.Contains(v.grid.rows[0][ruleIf]+v.grid.rows[0][ruleThen], name+" ("+product+")") {
		t.Errorf("filter by name %q: %d rows (%d by code), first %v", name, len(v.rows), n, v.grid.rows[0][:2])
	}
	// A rule's THEN product can make a segment, once trained.
	v.grid.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if v.selectedThen() != v.res.Rules[v.rows[0]].Then[0] {
		t.Fatalf("selected THEN %q", v.selectedThen())
	}
	test.Tap(button(t, v.content, "Make a segment of likely buyers…"))
	if got := strings.Join(labels(w.win.Canvas().Overlays().Top()), " "); !strings.Contains(got, "Train a recommender first") {
		t.Errorf("segment before training: %q", got)
	}
	w.win.Canvas().Overlays().Remove(w.win.Canvas().Overlays().Top())

	// Bad thresholds are explained, not mined.
	v.support.SetText("lots")
	test.Tap(v.runBtn)
	idle(t, p)
	if !strings.Contains(v.info.Text, "Min support is a percentage") {
		t.Errorf("bad support: %q", v.info.Text)
	}
}

// TestProductsEvaluation fills the evaluation table and chart, and says
// in words how the best method compares with best sellers.
func TestProductsEvaluation(t *testing.T) {
	w, p, s := productsDemo(t)
	v := s.eval
	if !strings.HasPrefix(v.split.Text, "2026-07-") {
		t.Errorf("proposed split date %q", v.split.Text)
	}
	v.als.SetChecked(true)
	test.Tap(v.runBtn)
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a dialog is open: %v", labels(top))
	}
	if v.res == nil || len(v.grid.rows) != len(core.RecommendMethods) {
		t.Fatalf("evaluation rows %v; info %q", v.grid.rows, v.info.Text)
	}
	if v.grid.rows[0][0] != "best sellers" || v.grid.cols[1] != "Hit rate@10" {
		t.Errorf("table %v %v", v.grid.cols, v.grid.rows)
	}
	if !v.verdict.Visible() || !strings.Contains(v.verdict.Text, "finds a product the customer buys next for") &&
		!strings.Contains(v.verdict.Text, "Best sellers find") {
		t.Errorf("verdict %q", v.verdict.Text)
	}
	if v.chart.image() == nil {
		t.Errorf("no chart: %q", v.chart.msg.Text)
	}
	for _, r := range v.res.Results {
		if math.IsNaN(r.HitRate) || r.HitRate <= 0 {
			t.Errorf("%s: hit rate %v", r.Method, r.HitRate)
		}
	}
	// Ctrl+F on this screen goes to the basket rules filter.
	p.find()
	if s.tabs.Selected() != s.rulesTab || w.win.Canvas().Focused() != s.rules.filter {
		t.Errorf("Find: tab %q, focus %T", s.tabs.Selected().Text, w.win.Canvas().Focused())
	}
	s.tabs.Select(s.evalTab)

	// A bad date is explained in place.
	v.split.SetText("1 Sept")
	test.Tap(v.runBtn)
	if !strings.Contains(v.info.Text, "is not a date") {
		t.Errorf("bad date: %q", v.info.Text)
	}
}

// TestProductsNoOrderTable: a project without orders says which roles to
// set and offers to go to Data; a table without the product role is named.
func TestProductsNoOrderTable(t *testing.T) {
	ws, err := core.Create(filepath.Join(t.TempDir(), "empty"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Products")
	idle(t, p)
	s := p.products
	if !s.missing.Visible() || !strings.Contains(s.missText.Text, "No order table yet") || !strings.Contains(s.missText.Text, "product_id") {
		t.Fatalf("message %q visible=%v", s.missText.Text, s.missing.Visible())
	}
	test.Tap(s.rules.runBtn)
	idle(t, p)
	if w.win.Canvas().Overlays().Top() != nil || s.rules.info.Text != s.missText.Text {
		t.Errorf("Find rules without a table: %q", s.rules.info.Text)
	}
	test.Tap(button(t, s.content, "Go to Data"))
	if p.body.Objects[0] != p.data.content {
		t.Fatal("Go to Data did not go to Data")
	}

	// Orders with customer and date but no product.
	if _, err := ws.DB().Exec(`CREATE TABLE sales AS SELECT 'C1' AS customer_id, DATE '2025-01-02' AS order_date, 3.5 AS amount`); err != nil {
		t.Fatal(err)
	}
	if err := ws.SetRoles(t.Context(), "sales", map[string]storage.Role{"customer_id": storage.CustomerID, "order_date": storage.OrderDate}, true); err != nil {
		t.Fatal(err)
	}
	p.refreshTables("")
	idle(t, p)
	if !strings.Contains(s.missText.Text, "sales has customers and order dates but no product column") {
		t.Fatalf("no-product message %q", s.missText.Text)
	}
}

// TestProductsRecommender: before training, scoring and the tabs say to
// train first; then best sellers, similar products of a demo product, a
// customer's recommendations with reasons, and scoring everyone into the
// recommendations table, which a campaign can use.
func TestProductsRecommender(t *testing.T) {
	w, p, s := productsDemo(t)
	if len(s.best.list) != bestTop || s.best.list[0].Customers < s.best.list[1].Customers {
		t.Fatalf("best sellers: %d rows", len(s.best.list))
	}
	if !strings.Contains(s.recInfo.Text, "No recommender yet") {
		t.Errorf("recommender info %q", s.recInfo.Text)
	}
	// Scoring before training: a clear message, nothing written.
	test.Tap(s.scoreBtn)
	if got := strings.Join(labels(w.win.Canvas().Overlays().Top()), " "); !strings.Contains(got, "Train a recommender first") {
		t.Fatalf("score before training: %q", got)
	}
	w.win.Canvas().Overlays().Remove(w.win.Canvas().Overlays().Top())
	s.similar.product.SetText(s.best.list[0].ProductID)
	test.Tap(s.similar.showBtn)
	if !strings.Contains(s.similar.info.Text, "Train a recommender first") {
		t.Errorf("similar before training: %q", s.similar.info.Text)
	}

	// Train through the dialog (item-kNN is the default choice).
	test.Tap(s.trainBtn)
	tapDialogButton(t, w, "Train")
	idle(t, p)
	if s.rec == nil || s.rec.Method != core.MethodItemKNN || !strings.Contains(s.recInfo.Text, "trained on orders") {
		t.Fatalf("after training: %+v, %q", s.rec, s.recInfo.Text)
	}

	// A segment of the likely buyers of the second best seller, then a
	// campaign to it; the segment is on the Segments screen.
	s.best.grid.table.Select(widget.TableCellID{Row: 1, Col: 1})
	test.Tap(button(t, s.best.content, "Make a segment of likely buyers…"))
	form := w.win.Canvas().Overlays().Top()
	must(t, form, "customers entry", func(e *widget.Entry) bool { return e.Text == "500" }).SetText("300")
	want := "Likely buyers of " + s.best.list[1].Name
	must(t, form, "name entry", func(e *widget.Entry) bool { return e.Text == want })
	tapDialogButton(t, w, "Make segment")
	idle(t, p)
	if s.lastSegment == nil || s.lastSegment.Name != want || s.lastSegment.Size != 300 {
		t.Fatalf("segment %+v", s.lastSegment)
	}
	tapDialogButton(t, w, "Use in a campaign")
	idle(t, p)
	if p.body.Objects[0] != p.campaigns.content || p.campaigns.editor.segSel.Selected != want {
		t.Fatalf("campaign audience %q", p.campaigns.editor.segSel.Selected)
	}
	p.goTo("Segments")
	idle(t, p)
	if !slices.ContainsFunc(p.segments.sums, func(x segment.Summary) bool { return x.Name == want && x.Size == 300 }) {
		t.Errorf("%q is not on the Segments screen", want)
	}
	p.goTo("Products")

	// Similar products of the best seller, from the product box's list.
	s.similar.product.SetText("")
	s.similar.narrow(strings.ToLower(s.best.list[0].Name))
	if len(s.similar.options) == 0 {
		t.Fatalf("no product matches %q", s.best.list[0].Name)
	}
	s.similar.product.SetText(s.similar.options[0])
	test.Tap(s.similar.showBtn)
	idle(t, p)
	if len(s.similar.sim) == 0 || len(s.similar.co) == 0 || len(s.similar.simGrid.rows) != len(s.similar.sim) {
		t.Fatalf("similar %d, co-purchased %d; info %q", len(s.similar.sim), len(s.similar.co), s.similar.info.Text)
	}
	for _, x := range s.similar.co {
		if x.ProductID == s.best.list[0].ProductID || x.CoBuyers < 1 {
			t.Errorf("co-purchased %+v", x)
		}
	}
	// A product that does not exist is explained in place.
	s.similar.product.SetText("no such product")
	test.Tap(s.similar.showBtn)
	idle(t, p)
	if len(s.similar.sim) != 0 || !strings.Contains(s.similar.info.Text, "no such product") {
		t.Errorf("unknown product: %q", s.similar.info.Text)
	}

	// A customer's recommendations with reasons.
	r, err := p.ws.SQL(t.Context(), "SELECT customer_id FROM orders GROUP BY 1 HAVING count(*) >= 5 ORDER BY 1 LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	c := s.customer
	c.id.SetText(r.Rows[0][0])
	test.Tap(c.showBtn)
	idle(t, p)
	if len(c.list) != 10 || len(c.grid.rows) != 10 {
		t.Fatalf("recommendations for %s: %d; info %q", r.Rows[0][0], len(c.list), c.info.Text)
	}
	if !strings.HasPrefix(c.list[0].Reason, "because you bought") || c.grid.rows[0][4] != c.list[0].Reason {
		t.Errorf("first reason %q, shown %q", c.list[0].Reason, c.grid.rows[0][4])
	}
	c.id.SetText("NOBODY")
	test.Tap(c.showBtn)
	idle(t, p)
	if len(c.list) != 0 || !strings.Contains(c.info.Text, "NOBODY") {
		t.Errorf("unknown customer: %q", c.info.Text)
	}

	// A campaign needs the scored table first.
	test.Tap(c.useBtn)
	if !strings.Contains(c.info.Text, "Press Score all customers first") || p.body.Objects[0] != s.content {
		t.Errorf("campaign before scoring: %q", c.info.Text)
	}

	// Score everyone; a bad count is refused in the form, and the report
	// offers a campaign with the snippet.
	test.Tap(s.scoreBtn)
	form = w.win.Canvas().Overlays().Top()
	topEntry := must(t, form, "top entry", func(e *widget.Entry) bool { return e.Text == "10" })
	topEntry.SetText("0")
	tapDialogButton(t, w, "Score")
	idle(t, p)
	if got := strings.Join(labels(w.win.Canvas().Overlays().Top()), " "); s.scored != nil || !strings.Contains(got, "a whole number from 1 to 1,000") {
		t.Fatalf("top 0: %q", got)
	}
	topEntry.SetText("10")
	tapDialogButton(t, w, "Score")
	idle(t, p)
	if s.scored == nil || s.scored.Rows < 10*1000 || s.scored.Table != "recommendations" {
		t.Fatalf("scored %+v", s.scored)
	}
	if !p.tableExists("recommendations") {
		t.Error("the recommendations table is not listed")
	}
	tapDialogButton(t, w, "Use in a campaign")
	idle(t, p)
	if p.body.Objects[0] != p.campaigns.content {
		t.Fatal("Use in a campaign did not open Campaigns")
	}
	ve := p.campaigns.editor.variants[0]
	if txt := ve.text.Text; !strings.Contains(txt, "{{.rec1_name}}") || !strings.Contains(txt, "{{.rec3_link}}") {
		t.Errorf("variant text %q", txt)
	}
	// The editor knows the recommendation fields: the snippet is valid.
	if ve.problems.Visible() {
		t.Errorf("the snippet has problems: %q", ve.problems.Text)
	}
}
