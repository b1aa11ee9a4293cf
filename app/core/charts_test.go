package core

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/storage"
)

// chartShop has 200 customers with 2,000 orders: amounts of 10 to 46 but
// for 20 orders of over 5,000, which squeeze a plain histogram into its
// first bar. RFM has run.
func chartShop(t *testing.T) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.DB().Exec(`CREATE TABLE orders AS SELECT i AS order_id, 'C' || (i % 200) AS customer_id,
		(DATE '2024-01-01' + (i % 300) * INTERVAL 1 DAY)::DATE AS order_date,
		CASE WHEN i % 100 = 0 THEN 5000.0 + i ELSE 10.0 + (i * 7 % 37) END AS amount
		FROM range(1, 2001) t(i)`); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "orders", map[string]storage.Role{"order_id": storage.OrderID,
		"customer_id": storage.CustomerID, "order_date": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RFM(ctx, "orders", "", time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return w
}

// elements draws pl and collects the distinct elements found by pointing
// at every 3rd pixel, as a person moving the mouse over it would.
func elements(t *testing.T, pl *plot.Plot) []chart.Element {
	t.Helper()
	_, f, err := chart.Draw(pl, 900, 700, 1, chart.Light)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]int]bool{}
	var out []chart.Element
	for y := 0; y < 700; y += 3 {
		for x := 0; x < 900; x += 3 {
			if e, ok := f.At(float64(x), float64(y)); ok && !seen[[2]int{int(e.Kind), e.Index}] {
				seen[[2]int{int(e.Kind), e.Index}] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func count(t *testing.T, w *Workspace, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := w.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Clicking an RFM segment's bar or an R×F cell selects exactly the
// customers the chart counted there; the RFM chart's bars add up to every
// customer once, largest first.
func TestChartSelectionRFM(t *testing.T) {
	ctx := context.Background()
	w := chartShop(t)
	spec := ChartSpec{Kind: ChartSegmentSize}
	pl, err := w.Chart(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	els := elements(t, pl)
	if len(els) < 3 {
		t.Fatalf("found %d bars", len(els))
	}
	var total float64
	for i, e := range els {
		total += e.Value
		if i > 0 && e.Value > els[i-1].Value {
			t.Errorf("bar %d (%v) is larger than the one above it (%v)", i, e.Value, els[i-1].Value)
		}
		sel, err := w.ChartSelection(ctx, spec, e)
		if err != nil {
			t.Fatal(err)
		}
		want := count(t, w, `SELECT count(*) FROM rfm_scores WHERE rfm_segment = ?`, e.Key)
		if sel.Customers != int64(e.Value) || sel.Customers != want || !sel.CanSave() {
			t.Errorf("%s: selection of %d customers (can save: %v), bar %v, in the table %d", e.Key, sel.Customers, sel.CanSave(), e.Value, want)
		}
	}
	if total != 200 {
		t.Errorf("the RFM bars add up to %v customers, want 200", total)
	}

	spec = ChartSpec{Kind: ChartRFMHeatmap}
	pl, err = w.Chart(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	cells := elements(t, pl)
	if len(cells) != 25 {
		t.Fatalf("found %d cells", len(cells))
	}
	for _, e := range cells {
		sel, err := w.ChartSelection(ctx, spec, e)
		if err != nil {
			t.Fatal(err)
		}
		want := count(t, w, `SELECT count(*) FROM rfm_scores WHERE r_score = ? AND f_score = ?`, int(e.X), int(e.Y))
		if sel.Customers != int64(e.Value) || sel.Customers != want {
			t.Errorf("cell %v, %v: selection of %d, cell %v, table %d", e.X, e.Y, sel.Customers, e.Value, want)
		}
	}

	// Saved as a segment, a selection keeps its customers; exported, its rows.
	sel, err := w.ChartSelection(ctx, ChartSpec{Kind: ChartSegmentSize}, els[0])
	if err != nil {
		t.Fatal(err)
	}
	sg, err := w.SaveSelection(ctx, "top bar", sel)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Size != sel.Customers {
		t.Errorf("saved segment of %d customers, selection %d", sg.Size, sel.Customers)
	}
	if res, err := w.SelectionRows(ctx, sel, 3); err != nil || len(res.Rows) != min(3, int(sel.Rows)) || res.Truncated != (sel.Rows > 3) {
		t.Errorf("first rows of the selection: %v, %v", res, err)
	}
	out := filepath.Join(t.TempDir(), "sel.csv")
	n, err := w.ExportSelection(ctx, sel, out)
	if err != nil || n != sel.Rows || lines(t, out) != int(sel.Rows)+1 {
		t.Errorf("exported %d rows (%v), selection %d", n, err, sel.Rows)
	}
}

func lines(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// A histogram squeezed into its first bar by a few large orders is drawn
// up to a high quantile, with a note of what it leaves out; a click on a
// bin selects exactly the orders counted in it.
func TestHistogramClipAndSelect(t *testing.T) {
	ctx := context.Background()
	w := chartShop(t)
	spec := ChartSpec{Kind: ChartHistogram, Table: "orders", Column: "amount", Bins: 10}
	pl, err := w.Chart(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pl.X.Label.Text, "20 values above $") {
		t.Errorf("x label %q: no note of the 20 large orders", pl.X.Label.Text)
	}
	bins := elements(t, pl)
	if len(bins) != 10 {
		t.Fatalf("found %d bins", len(bins))
	}
	var shown int64
	for _, e := range bins {
		shown += int64(e.Value)
		if e.Hi > 5000 {
			t.Errorf("bin %v–%v: the large orders should be left out", e.Lo, e.Hi)
		}
		sel, err := w.ChartSelection(ctx, spec, e)
		if err != nil {
			t.Fatal(err)
		}
		if sel.Rows != int64(e.Value) || sel.Customers < 0 || sel.Table != "orders" {
			t.Errorf("bin %v–%v: selection of %d rows (%d customers), bin %v", e.Lo, e.Hi, sel.Rows, sel.Customers, e.Value)
		}
		if sel.Customers > 0 {
			if n, err := w.CountRule(ctx, "orders", sel.Filter); err != nil || n != sel.Customers {
				t.Errorf("rule %q counts %d (%v), selection %d customers", sel.Filter, n, err, sel.Customers)
			}
		}
	}
	if shown+20 != 2000 {
		t.Errorf("bins hold %d orders, with the 20 left out %d, want 2,000", shown, shown+20)
	}
}

// RFM segments and rule segments are charted apart: the rule chart has
// only rule segments, largest first, and says they may overlap.
func TestRuleSegmentsChartApart(t *testing.T) {
	ctx := context.Background()
	w := chartShop(t)
	for name, rule := range map[string]string{"big spenders": "amount > 40", "any order": "amount > 0"} {
		if _, err := w.CreateSegment(ctx, name, "orders", rule); err != nil {
			t.Fatal(err)
		}
	}
	rfmPlot, err := w.Chart(ctx, ChartSpec{Kind: ChartSegmentSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range elements(t, rfmPlot) {
		if e.Key == "big spenders" || e.Key == "any order" {
			t.Errorf("rule segment %q in the RFM chart", e.Key)
		}
	}
	spec := ChartSpec{Kind: ChartRuleSegments}
	pl, err := w.Chart(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	els := elements(t, pl)
	var keys []string
	for _, e := range els {
		keys = append(keys, e.Key)
	}
	if !slices.Equal(keys, []string{"any order", "big spenders"}) || !strings.Contains(pl.X.Label.Text, "overlap") {
		t.Errorf("rule chart bars %q, axis %q", keys, pl.X.Label.Text)
	}
	sel, err := w.ChartSelection(ctx, spec, els[1])
	if err != nil {
		t.Fatal(err)
	}
	want := count(t, w, `SELECT count(DISTINCT customer_id) FROM orders WHERE amount > 40`)
	if sel.Customers != want || sel.CanSave() || sel.Segment != "big spenders" {
		t.Errorf("selection %+v, want %d customers of the saved segment", sel, want)
	}
}
