package ui

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
)

// The Personal data tab scans on its first visit and lists the demo's
// personal columns with their kinds; the table filter narrows the list,
// and a click opens the table in Data.
func TestPrivacyPersonalDataTab(t *testing.T) {
	_, p := open(t, demo(t))
	p.goTo("Privacy")
	idle(t, p)
	v := p.privacy.scan
	if v == nil || v.rep == nil {
		t.Fatal("the Personal data tab did not scan on its first visit")
	}
	found := map[string]string{}
	for _, r := range v.rows {
		found[r.cells[0]+"."+r.cells[1]] = r.cells[2]
	}
	for col, kind := range map[string]string{"customers.email": "e-mail address", "customers.phone": "phone number",
		"customers.first_name": "person's name", "customers.customer_id": "customer ID", "orders.customer_id": "customer ID"} {
		if found[col] != kind {
			t.Errorf("%s: %q, want %q (all: %v)", col, found[col], kind, found)
		}
	}
	if _, ok := found["orders.amount"]; ok {
		t.Error("order amounts reported as personal data")
	}
	if !strings.Contains(v.summary.Text, "column(s) with personal data in") {
		t.Errorf("summary %q", v.summary.Text)
	}
	v.filter.SetSelected("orders")
	for _, r := range v.rows {
		if r.table != "orders" {
			t.Fatalf("filtered to orders, shows %v", r.cells)
		}
	}
	if len(v.rows) == 0 || !strings.Contains(v.summary.Text, "in 1 of 1 table(s)") {
		t.Fatalf("orders: %d rows, summary %q", len(v.rows), v.summary.Text)
	}
	v.grid.table.Select(widget.TableCellID{Row: 0, Col: 1})
	idle(t, p)
	if p.data.current != "orders" || p.body.Objects[0] != p.data.content {
		t.Fatalf("the click opened %q", p.data.current)
	}
}

// shareForm opens the Export… form of source and picks a mode.
func shareFormOf(t *testing.T, w *window, p *project, source, mode string) {
	t.Helper()
	p.chooseExport(source, source)
	idle(t, p)
	form := w.win.Canvas().Overlays().Top()
	must(t, form, "mode", func(r *widget.RadioGroup) bool { return true }).SetSelected(mode)
}

// An anonymised export from the Export… form: the refusal shows the
// smallest groups and writes nothing; with suppression the file is written
// and every group of its quasi-identifiers has at least k rows, counted
// from the file itself.
func TestPrivacyAnonymisedExportFromTheForm(t *testing.T) {
	w, p := open(t, demo(t))
	out := filepath.Join(filepath.Dir(p.ws.Path), "customers.csv")
	shareFormOf(t, w, p, "customers", "Anonymised")
	form := w.win.Canvas().Overlays().Top()
	quasi := must(t, form, "quasi-identifiers", func(c *widget.CheckGroup) bool { return true })
	if !strings.Contains(strings.Join(quasi.Selected, ","), "city") {
		t.Fatalf("default quasi-identifiers %v, want city among them (its role)", quasi.Selected)
	}
	for _, o := range quasi.Options {
		if o == "email" || o == "customer_id" {
			t.Fatalf("identifier %s offered as a quasi-identifier", o)
		}
	}
	// Small towns single people out at k = 100.
	quasi.SetSelected([]string{"city"})
	k := must(t, form, "k", func(e *widget.Entry) bool { return e.Text == "5" })
	k.SetText("100")
	test.Tap(button(t, form, "Save"))
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if _, ok := find(top, func(l *widget.Label) bool { return strings.Contains(l.Text, "Nothing was written") }); !ok {
		t.Fatalf("no refusal: %s", texts(top))
	}
	g := must(t, top, "smallest groups", func(tb *widget.Table) bool { return true })
	if rows, cols := g.Length(); rows == 0 || cols != 2 {
		t.Fatalf("smallest groups table %d×%d, want rows × (city, rows)", rows, cols)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a refused export wrote its file")
	}
	w.win.Canvas().Overlays().Remove(top)

	shareFormOf(t, w, p, "customers", "Anonymised")
	form = w.win.Canvas().Overlays().Top()
	must(t, form, "quasi-identifiers", func(c *widget.CheckGroup) bool { return true }).SetSelected([]string{"city"})
	must(t, form, "k", func(e *widget.Entry) bool { return e.Text == "5" }).SetText("100")
	must(t, form, "suppress", func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "Leave out the rows") }).SetChecked(true)
	test.Tap(button(t, form, "Save"))
	idle(t, p)
	must(t, w.win.Canvas().Overlays().Top(), "report", func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Every one of the") })
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("read back: %d records, %v", len(recs), err)
	}
	idx := map[string]int{}
	for i, c := range recs[0] {
		idx[c] = i
	}
	for _, c := range []string{"email", "customer_id", "phone", "first_name"} {
		if _, ok := idx[c]; ok {
			t.Errorf("identifier %s was written", c)
		}
	}
	classes := map[string]int{}
	for _, r := range recs[1:] {
		classes[r[idx["city"]]]++
	}
	for c, n := range classes {
		if n < 100 {
			t.Errorf("group %q has %d rows, fewer than k = 100", c, n)
		}
	}
	if len(classes) < 2 {
		t.Errorf("only %d groups written", len(classes))
	}
}

// Erasing a demo customer: the preview counts without deleting, the
// confirmation names them, and the tab shows what was removed and lists
// the erasure by date and counts.
func TestPrivacyEraseTab(t *testing.T) {
	w, p := open(t, demo(t))
	count := func(q string) int {
		var n int
		if err := p.ws.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var email string
	p.ws.DB().QueryRow(`SELECT email FROM customers WHERE customer_id = 'C000007'`).Scan(&email)
	orders := count(`SELECT count(*) FROM orders WHERE customer_id = 'C000007'`)
	if email == "" || orders == 0 {
		t.Fatalf("demo customer C000007: e-mail %q, %d orders", email, orders)
	}
	p.goTo("Privacy")
	idle(t, p)
	p.privacy.selectTab(tabErase)
	idle(t, p)
	v := p.privacy.erase
	v.by.SetSelected("E-mail")
	v.value.SetText(strings.ToUpper(email))
	test.Tap(v.find)
	idle(t, p)
	if v.eraseBtn.Disabled() || v.preview == nil || v.preview.Tables["orders"] != int64(orders) || v.preview.Tables["customers"] != 1 {
		t.Fatalf("preview: %+v (button disabled %v)", v.preview, v.eraseBtn.Disabled())
	}
	if count(`SELECT count(*) FROM customers WHERE customer_id = 'C000007'`) != 1 {
		t.Fatal("the preview deleted the customer")
	}
	want := v.preview.Rows
	test.Tap(v.eraseBtn)
	confirm := w.win.Canvas().Overlays().Top()
	must(t, confirm, "the person named with the counts", func(l *widget.Label) bool {
		return strings.Contains(l.Text, strings.ToUpper(email)) && strings.Contains(l.Text, strconv.FormatInt(want, 10)+" row(s) in "+strconv.Itoa(len(v.preview.Tables))+" table(s)")
	})
	test.Tap(button(t, confirm, "Erase for good"))
	idle(t, p)
	if n := count(`SELECT count(*) FROM customers WHERE customer_id = 'C000007'`) + count(`SELECT count(*) FROM orders WHERE customer_id = 'C000007'`); n != 0 {
		t.Fatalf("%d rows of the customer left", n)
	}
	if !strings.HasPrefix(v.heading.Text, "Erased ") || !strings.Contains(v.exports.Text, "gone from its bytes") {
		t.Fatalf("result: %q / %q", v.heading.Text, v.exports.Text)
	}
	if rows, _ := v.tables.table.Length(); rows < 2 {
		t.Fatalf("rows per table: %d tables shown", rows)
	}
	if len(v.history.rows) != 1 || v.history.rows[0][1] != "1" || v.history.rows[0][2] != strconv.FormatInt(want, 10) {
		t.Fatalf("erasures performed: %v", v.history.rows)
	}
	for _, c := range v.history.rows[0] {
		if strings.Contains(strings.ToLower(c), strings.ToLower(email)) {
			t.Fatal("the list of erasures names the person")
		}
	}
}

// A pseudonymised export from the form keeps a lookup file when asked,
// beside the export and readable only by the user.
func TestPrivacyPseudonymisedExportFromTheForm(t *testing.T) {
	keyringtest.Start(t)
	w, p := open(t, demo(t))
	dir := filepath.Dir(p.ws.Path)
	shareFormOf(t, w, p, "orders", "Pseudonymised")
	form := w.win.Canvas().Overlays().Top()
	warning := must(t, form, "warning", func(l *widget.Label) bool { return strings.Contains(l.Text, "it is personal data") })
	if warning.Visible() {
		t.Error("the lookup file's warning shows before the lookup file is asked for")
	}
	must(t, form, "lookup", func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "Also keep a lookup file") }).SetChecked(true)
	if !warning.Visible() {
		t.Error("asking for a lookup file shows no warning")
	}
	test.Tap(button(t, form, "Save"))
	idle(t, p)
	must(t, w.win.Canvas().Overlays().Top(), "report", func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Pseudonymised: customer_id") })
	b, err := os.ReadFile(filepath.Join(dir, "orders.csv"))
	if err != nil || strings.Contains(string(b), "C000007") || !strings.Contains(string(b), ",p_") {
		t.Fatalf("export holds customer ids or no pseudonyms (%v)", err)
	}
	st, err := os.Stat(filepath.Join(dir, "orders-lookup.csv"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("lookup file: %v, %v", st, err)
	}
}
