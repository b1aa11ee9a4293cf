package segment

import (
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// retailRow is one raw line of the Online Retail orders, as stored.
type retailRow struct {
	cust    string // "" when CustomerID is missing
	invoice string
	day     time.Time // the calendar day of InvoiceDate
	amount  float64   // Quantity × UnitPrice
	null    bool      // the amount is missing
}

// aggregate is one customer's recency, frequency and monetary value.
type aggregate struct {
	recency, frequency int64
	monetary           float64
	hasMonetary        bool
	sum                float64 // monetary before rounding (reference only)
}

// referenceRFM aggregates raw rows in Go by the rules RFM documents
// (segment.RFM's comment and docs/RFM.md): only rows with a customer id and
// an order day on or before asOf count; recency is whole days from the
// customer's last order day to asOf; frequency counts distinct order ids
// among rows with a positive amount (rows with a positive amount when
// byOrder is false); monetary is the net sum of all amounts, so returns
// reduce it, rounded to cents, and missing when every amount is missing.
func referenceRFM(rows []retailRow, asOf time.Time, byOrder bool) map[string]*aggregate {
	last := map[string]time.Time{}
	orders := map[string]map[string]bool{}
	out := map[string]*aggregate{}
	for _, r := range rows {
		if r.cust == "" || r.day.After(asOf) {
			continue
		}
		a := out[r.cust]
		if a == nil {
			a = &aggregate{}
			out[r.cust] = a
			orders[r.cust] = map[string]bool{}
		}
		if r.day.After(last[r.cust]) {
			last[r.cust] = r.day
		}
		if !r.null {
			a.monetary += r.amount
			a.hasMonetary = true
			if r.amount > 0 {
				if byOrder {
					orders[r.cust][r.invoice] = true
				} else {
					a.frequency++
				}
			}
		}
	}
	for c, a := range out {
		a.recency = int64(asOf.Sub(last[c]).Hours() / 24)
		if byOrder {
			a.frequency = int64(len(orders[c]))
		}
		a.sum = a.monetary
		a.monetary = math.Round(a.monetary*100) / 100
	}
	return out
}

// TestRFMAggregatesEveryCustomer checks recency, frequency and monetary of
// every customer of the real UCI Online Retail data (541,909 rows with
// cancellations, zero prices and missing customer ids) against referenceRFM
// over the raw rows read with a plain SELECT. TestOnlineRetailRFM feeds the
// SQL's own aggregates to the scoring reference, so it cannot see a wrong
// aggregate; this test can. With AsOf inside the data, orders on the AsOf
// day itself must count (InvoiceDate is a timestamp). Each of these
// deliberate breaks of the SQL in RFM made it fail: frequency without the
// positive-amount filter (by order id and by row), count instead of
// count(DISTINCT order id), monetary summing positive amounts only, the
// first order's day for recency instead of the last, and excluding orders
// on the AsOf day (< instead of <=).
func TestRFMAggregatesEveryCustomer(t *testing.T) {
	p := newProject(t)
	if _, err := ingest.Import(ctx, p, "../../testdata/real/OnlineRetail.csv.gz", ingest.Options{Table: "retail"}); err != nil {
		t.Fatal(err)
	}
	roles := map[string]storage.Role{"CustomerID": storage.CustomerID, "InvoiceNo": storage.OrderID,
		"InvoiceDate": storage.OrderDate, "Quantity": storage.Quantity, "UnitPrice": storage.UnitPrice}
	if err := p.SetRoles(ctx, "retail", roles, true); err != nil {
		t.Fatal(err)
	}
	// RFM prefers an amount role to quantity × unit price; there must be none.
	got, err := p.ColumnRoles(ctx, "retail")
	if err != nil {
		t.Fatal(err)
	}
	for c, role := range got {
		if role == storage.Amount {
			t.Fatalf("column %q has the amount role", c)
		}
	}

	raw := readRetail(t, p.DB())
	if len(raw) != 541909 {
		t.Fatalf("read %d raw rows, want 541,909", len(raw))
	}
	var lastDay time.Time
	for _, r := range raw {
		if r.day.After(lastDay) {
			lastDay = r.day
		}
	}

	cases := []struct {
		name    string
		asOf    time.Time // zero: RFM's default, the day after the last order
		byOrder bool
	}{
		// 2011-09-30 has orders during the day, after midnight.
		{"as of 2011-09-30, by invoice", time.Date(2011, 9, 30, 0, 0, 0, 0, time.UTC), true},
		{"default as-of, by invoice", time.Time{}, true},
		{"as of 2011-09-30, by row", time.Date(2011, 9, 30, 0, 0, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		if !c.byOrder {
			if err := p.SetRoles(ctx, "retail", map[string]storage.Role{"InvoiceNo": storage.None}, true); err != nil {
				t.Fatal(err)
			}
		}
		run, err := RFM(ctx, p, RFMOptions{Table: "retail", AsOf: c.asOf})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		asOf := c.asOf
		if asOf.IsZero() {
			asOf = lastDay.AddDate(0, 0, 1)
		}
		if !run.AsOf.Equal(asOf) {
			t.Fatalf("%s: RFM ran as of %v, want %v", c.name, run.AsOf, asOf)
		}
		want := referenceRFM(raw, asOf, c.byOrder)
		got := readScores(t, p.DB())
		if len(got) != len(want) || int64(len(got)) != run.Customers {
			t.Errorf("%s: rfm_scores has %d customers (run says %d), the raw rows %d", c.name, len(got), run.Customers, len(want))
		}
		bad := 0
		for id, w := range want {
			g, ok := got[id]
			switch {
			case !ok:
				t.Errorf("%s: customer %s is missing from rfm_scores", c.name, id)
			case g.recency != w.recency || g.frequency != w.frequency || g.hasMonetary != w.hasMonetary ||
				// Monetary is the sum rounded to cents. The SQL adds in
				// another order than Go, so at a half cent the two may round
				// apart (none do today); either way it must be within half a
				// cent of the true sum, up to float rounding.
				math.Abs(g.monetary-w.sum) > 0.005+1e-9*max(1, math.Abs(w.sum)):
				t.Errorf("%s: customer %s: SQL r=%d f=%d m=%v (%v), raw rows r=%d f=%d m=%v (%v)", c.name, id,
					g.recency, g.frequency, g.monetary, g.hasMonetary, w.recency, w.frequency, w.sum, w.hasMonetary)
			default:
				continue
			}
			if bad++; bad == 10 {
				t.Fatalf("%s: stopping after 10 differences", c.name)
			}
		}
		for id := range got {
			if want[id] == nil {
				t.Errorf("%s: rfm_scores has customer %s, who has no counted order", c.name, id)
			}
		}
		t.Logf("%s: %d customers checked", c.name, len(want))
	}
}

// readRetail reads the raw order rows with a plain SELECT and no
// aggregation or casts, so the reference does its own arithmetic.
func readRetail(t *testing.T, db *sql.DB) []retailRow {
	t.Helper()
	rows, err := db.Query(`SELECT "CustomerID", "InvoiceNo", "InvoiceDate", "Quantity", "UnitPrice" FROM retail`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []retailRow
	for rows.Next() {
		var cust, inv, date, qty, price any
		if err := rows.Scan(&cust, &inv, &date, &qty, &price); err != nil {
			t.Fatal(err)
		}
		var r retailRow
		switch v := cust.(type) {
		case nil:
		case int64:
			r.cust = fmt.Sprint(v)
		case int32:
			r.cust = fmt.Sprint(v)
		case string:
			r.cust = v
		default:
			t.Fatalf("CustomerID is a %T", cust)
		}
		r.invoice = fmt.Sprint(inv)
		d, ok := date.(time.Time)
		if !ok {
			t.Fatalf("InvoiceDate is a %T", date)
		}
		r.day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		q, okq := number(qty)
		u, oku := number(price)
		if !okq || !oku {
			if qty != nil && price != nil {
				t.Fatalf("Quantity %T, UnitPrice %T", qty, price)
			}
			r.null = true
		}
		r.amount = q * u
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// readScores reads recency, frequency and monetary of every customer.
func readScores(t *testing.T, db *sql.DB) map[string]*aggregate {
	t.Helper()
	rows, err := db.Query(`SELECT customer_id, recency, frequency, monetary FROM rfm_scores`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]*aggregate{}
	for rows.Next() {
		var id string
		var a aggregate
		var m sql.NullFloat64
		if err := rows.Scan(&id, &a.recency, &a.frequency, &m); err != nil {
			t.Fatal(err)
		}
		a.monetary, a.hasMonetary = m.Float64, m.Valid
		if out[id] != nil {
			t.Fatalf("customer %s appears twice in rfm_scores", id)
		}
		out[id] = &a
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
