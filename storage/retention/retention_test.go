package retention

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// base is the first order's day; order i is i days later.
var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const nOrders = 800

// project makes a real project with an orders table of dated rows (one a
// day, some without a date), roles set, and an events table by timestamp.
func project(t *testing.T) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "r.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	exec(t, p, `CREATE TABLE orders (order_id INTEGER, customer_id VARCHAR, email VARCHAR, order_date DATE,
		amount DECIMAL(10,2), quantity INTEGER, category VARCHAR, city VARCHAR, "score""x" DOUBLE, note VARCHAR)`)
	var b strings.Builder
	b.WriteString(`INSERT INTO orders VALUES `)
	cats := []string{"tea", "cups", "'quoted'"}
	for i := range nOrders {
		date := "'" + base.AddDate(0, 0, i).Format(time.DateOnly) + "'"
		if i%97 == 5 {
			date = "NULL" // no date: never old
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'c%d', 'c%d@example.com', %s, %d.%02d, %d, '%s', 'city%d', %g, 'n')",
			1000+i, i%50, i%50, date, i%90, i%100, 1+i%4, strings.ReplaceAll(cats[i%3], "'", "''"), i%7, float64(i)/8)
	}
	exec(t, p, b.String())
	if err := p.SetRoles(ctx, "orders", map[string]storage.Role{"order_id": storage.OrderID, "customer_id": storage.CustomerID,
		"email": storage.Email, "order_date": storage.OrderDate, "amount": storage.Amount, "quantity": storage.Quantity,
		"category": storage.Category, "city": storage.City}, true); err != nil {
		t.Fatal(err)
	}
	exec(t, p, `CREATE TABLE events (customer_id VARCHAR, seen_at TIMESTAMP, kind VARCHAR)`)
	exec(t, p, `INSERT INTO events SELECT 'c' || i, TIMESTAMP '2025-01-01 12:00:00' + INTERVAL (3 * i) HOUR, 'open' FROM range(2000) t(i)`)
	return p
}

func exec(t *testing.T, p *storage.Project, q string) {
	t.Helper()
	if _, err := p.DB().Exec(q); err != nil {
		t.Fatalf("%s: %v", q[:min(len(q), 80)], err)
	}
}

func scalar[T any](t *testing.T, p *storage.Project, q string) T {
	t.Helper()
	var v T
	if err := p.DB().QueryRow(q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// oldOrders counts, in Go, the orders dated before cutoff.
func oldOrders(cutoff time.Time) int64 {
	var n int64
	for i := range nOrders {
		if i%97 != 5 && base.AddDate(0, 0, i).Before(cutoff) {
			n++
		}
	}
	return n
}

func TestRetentionCutoff(t *testing.T) {
	for now, want := range map[string]string{
		"2026-03-31": "2026-02-28", // a shorter month: its last day
		"2026-03-15": "2025-03-15", // with 12 months
		"2024-03-30": "2024-02-29",
		"2026-01-10": "2025-12-10",
	} {
		n, _ := time.Parse(time.DateOnly, now)
		months := 1
		if now == "2026-03-15" {
			months = 12
		}
		if got := Cutoff(n, months).Format(time.DateOnly); got != want {
			t.Errorf("Cutoff(%s, %d) = %s, want %s", now, months, got, want)
		}
	}
}

func TestRetentionDeleteAndDryRun(t *testing.T) {
	ctx := context.Background()
	p := project(t)
	now := time.Date(2025, 9, 20, 15, 0, 0, 0, time.UTC)
	if _, err := Set(ctx, p, Rule{Table: "ORDERS", Column: "Order_Date", Months: 6, Action: Delete}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := Set(ctx, p, Rule{Table: "events", Column: "seen_at", Months: 2, Action: Delete}, now); err != nil {
		t.Fatal(err)
	}
	rules, err := List(ctx, p)
	if err != nil || len(rules) != 2 || rules[1].Table != "orders" || rules[1].Column != "order_date" || !rules[1].LastRunAt.IsZero() {
		t.Fatalf("rules stored as typed, not as the table spells them: %+v %v", rules, err)
	}
	cutoff := time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)
	wantOrders := oldOrders(cutoff)
	// events: one every 3 hours from 2025-01-01 12:00; cutoff 2025-07-20.
	var wantEvents int64
	for i := range 2000 {
		if time.Date(2025, 1, 1, 12+3*i, 0, 0, 0, time.UTC).Before(time.Date(2025, 7, 20, 0, 0, 0, 0, time.UTC)) {
			wantEvents++
		}
	}

	dry, err := Apply(ctx, p, Options{Now: now, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(dry) != 2 || dry[0].Rows != wantEvents || dry[1].Rows != wantOrders || dry[0].Err != nil || dry[1].Err != nil {
		t.Fatalf("dry run: %+v, want events %d, orders %d", dry, wantEvents, wantOrders)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders`); n != nOrders {
		t.Fatalf("a dry run deleted rows: %d left", n)
	}
	if at, _ := LastRun(ctx, p); !at.IsZero() {
		t.Fatalf("a dry run recorded a run at %v", at)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM mb_audit WHERE action = 'retention'`); n != 0 {
		t.Fatalf("a dry run wrote %d audit entries", n)
	}

	res, err := Apply(ctx, p, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Rows != wantOrders || res[0].Rows != wantEvents || res[1].Summary != "" {
		t.Fatalf("applied: %+v", res)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders`); n != nOrders-wantOrders {
		t.Fatalf("%d orders left, want %d", n, nOrders-wantOrders)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders WHERE order_date < DATE '2025-03-20'`); n != 0 {
		t.Fatalf("%d old orders survived", n)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders WHERE order_date IS NULL`); n != 9 {
		t.Fatalf("rows without a date must stay: %d", n)
	}
	if scalar[bool](t, p, `SELECT min(seen_at) < TIMESTAMP '2025-07-20' FROM events`) {
		t.Fatal("old events survived")
	}
	rules, _ = List(ctx, p)
	if !rules[1].LastRunAt.Equal(now) || rules[1].LastRows != wantOrders {
		t.Fatalf("last run not recorded: %+v", rules[1])
	}
	var detail string
	var before, after int64
	if err := p.DB().QueryRow(`SELECT detail, rows_before, rows_after FROM mb_audit WHERE action = 'retention' AND target = 'orders'`).Scan(&detail, &before, &after); err != nil {
		t.Fatal(err)
	}
	if before != nOrders || after != nOrders-wantOrders || !strings.Contains(detail, fmt.Sprintf("%d removed", wantOrders)) || !strings.Contains(detail, "2025-03-20") {
		t.Fatalf("audit: %q %d→%d", detail, before, after)
	}

	// The same day again removes nothing more.
	again, err := Apply(ctx, p, Options{Now: now.Add(time.Hour)})
	if err != nil || again[0].Rows != 0 || again[1].Rows != 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}
}

func TestRetentionAggregate(t *testing.T) {
	ctx := context.Background()
	p := project(t)
	exec(t, p, `CREATE TABLE original AS SELECT * FROM orders`)
	if _, err := Set(ctx, p, Rule{Table: "orders", Column: "order_date", Months: 12, Action: Aggregate}, base); err != nil {
		t.Fatal(err)
	}
	// The summary must equal an independent sum over the original rows
	// before the cutoff, per month and category.
	check := func(cutoff string) {
		t.Helper()
		want := scalar[string](t, p, `SELECT CAST(list(x ORDER BY x) AS VARCHAR) FROM (SELECT concat_ws('|', strftime(order_date, '%Y-%m'), category, count(*), sum(amount), sum(quantity), sum("score""x"))
			AS x FROM original WHERE order_date < DATE '`+cutoff+`' GROUP BY strftime(order_date, '%Y-%m'), category)`)
		got := scalar[string](t, p, `SELECT CAST(list(x ORDER BY x) AS VARCHAR) FROM (SELECT concat_ws('|', strftime(month, '%Y-%m'), category, row_count, amount_sum, quantity_sum, "score""x_sum")
			AS x FROM orders_retained_monthly)`)
		if got != want {
			t.Fatalf("summary differs from the original rows' sums:\n got %.300s\nwant %.300s", got, want)
		}
	}
	now := time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)
	res, err := Apply(ctx, p, Options{Now: now})
	if err != nil || res[0].Err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	want := oldOrders(time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC))
	if res[0].Rows != want || res[0].Summary != "orders_retained_monthly" {
		t.Fatalf("aggregated %+v, want %d rows", res[0], want)
	}
	check("2024-06-10")
	cols, _ := p.Columns(ctx, "orders_retained_monthly")
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	if wantCols := []string{"month", "category", "row_count", "amount_sum", "quantity_sum", `score"x_sum`}; !reflect.DeepEqual(names, wantCols) {
		t.Fatalf("summary columns %q, want %q (no ids, e-mails, cities or order numbers)", names, wantCols)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders`); n != nOrders-want {
		t.Fatalf("%d orders left", n)
	}

	// Again the same day: nothing moves, the summary stays as it was.
	if res, err := Apply(ctx, p, Options{Now: now}); err != nil || res[0].Rows != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
	check("2024-06-10")

	// Two and a half months later: the newly old rows are merged in (June
	// 2024 is split between the runs and must still be one sum).
	later := time.Date(2025, 8, 25, 0, 0, 0, 0, time.UTC)
	res, err = Apply(ctx, p, Options{Now: later})
	if err != nil || res[0].Err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	if more := oldOrders(time.Date(2024, 8, 25, 0, 0, 0, 0, time.UTC)) - want; res[0].Rows != more {
		t.Fatalf("later run removed %d, want %d", res[0].Rows, more)
	}
	check("2024-08-25")
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders_retained_monthly WHERE month = DATE '2024-06-01'`); n != 3 {
		t.Fatalf("June 2024 should be one row per category after merging, got %d", n)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM mb_audit WHERE action = 'retention' AND detail LIKE '%summed per month into orders_retained_monthly%'`); n != 2 {
		t.Fatalf("audit entries for the aggregating runs: %d", n)
	}
}

func TestRetentionBadRules(t *testing.T) {
	ctx := context.Background()
	p := project(t)
	exec(t, p, `CREATE TABLE "x""; DROP TABLE orders; --" (d DATE, v INTEGER)`)
	exec(t, p, `INSERT INTO "x""; DROP TABLE orders; --" VALUES ('2020-01-01', 1), ('2099-01-01', 2)`)
	exec(t, p, `CREATE TABLE stock (d DATE)`)
	exec(t, p, `CREATE TABLE stock_retained_monthly (sku VARCHAR, qty INTEGER)`)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		r    Rule
		want string
	}{
		{Rule{Table: "nope", Column: "d", Months: 3, Action: Delete}, `there is no table "nope"`},
		{Rule{Table: "mb_audit", Column: "changed_at", Months: 3, Action: Delete}, "Marketbench's own tables"},
		{Rule{Table: "orders", Column: "amount", Months: 3, Action: Delete}, `column "amount" holds DECIMAL(10,2), not dates; its date columns: order_date`},
		{Rule{Table: "orders", Column: "shipped", Months: 3, Action: Delete}, `has no column "shipped"`},
		{Rule{Table: "orders", Column: "order_date", Months: 0, Action: Delete}, "1 to 1200 months, not 0"},
		{Rule{Table: "orders", Column: "order_date", Months: 3, Action: "archive"}, `unknown retention action "archive"`},
		{Rule{Table: "stock", Column: "d", Months: 3, Action: Aggregate}, `"stock_retained_monthly", which is a table of yours`},
	} {
		if _, err := Set(ctx, p, c.r, now); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error with %q", c.r, err, c.want)
		}
	}
	if rules, _ := List(ctx, p); len(rules) != 0 {
		t.Fatalf("refused rules were stored: %+v", rules)
	}
	// A hostile name is quoted, not run.
	if _, err := Set(ctx, p, Rule{Table: `x"; drop table orders; --`, Column: "D", Months: 1, Action: Aggregate}, now); err != nil {
		t.Fatal(err)
	}
	res, err := Apply(ctx, p, Options{Now: now})
	if err != nil || res[0].Err != nil || res[0].Rows != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM orders`); n != nOrders {
		t.Fatal("orders was touched")
	}
	if n := scalar[int64](t, p, `SELECT v_sum FROM "x""; DROP TABLE orders; --_retained_monthly"`); n != 1 {
		t.Fatalf("summary of the hostile table: %d", n)
	}
	// A table dropped after its rule was set: that rule fails in words,
	// is stamped so the runner waits a day, and the others still apply.
	if _, err := Set(ctx, p, Rule{Table: "events", Column: "seen_at", Months: 1, Action: Delete}, now); err != nil {
		t.Fatal(err)
	}
	exec(t, p, `DROP TABLE events`)
	res, err = Apply(ctx, p, Options{Now: now})
	if err != nil || len(res) != 2 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), `there is no table "events"`) || res[1].Err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	rules, _ := List(ctx, p)
	if rules[0].LastRows != -1 || !rules[0].LastRunAt.Equal(now) {
		t.Fatalf("a failed rule's run is not recorded: %+v", rules[0])
	}
	if n := scalar[int64](t, p, `SELECT count(*) FROM mb_audit WHERE action = 'retention failed' AND target = 'events'`); n != 1 {
		t.Fatal("the failure is not in the audit log")
	}
	if err := Remove(ctx, p, "EVENTS"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(ctx, p, "events"); err == nil || !strings.Contains(err.Error(), "no retention rule") {
		t.Fatalf("removing twice: %v", err)
	}
}

func TestRetentionIdLike(t *testing.T) {
	for name, want := range map[string]bool{"id": true, "order_id": true, "customerID": true, "orderId": true, "订单号": true, "Member ID": true,
		"PAID": false, "amount_paid": false, "Paid": false, "quantity": false, "valid": false} {
		if got := idLike(name); got != want {
			t.Errorf("idLike(%q) = %v, want %v", name, got, want)
		}
	}
}
