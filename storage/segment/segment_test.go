package segment

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/rfm"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/rule"
)

var ctx = context.Background()

func newProject(t testing.TB) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestOnlineRetailRFM runs RFM on the real UCI Online Retail data, deriving
// the amount from Quantity × UnitPrice, and checks the SQL scores and
// segments against the pure Go reference in analytics/rfm.
func TestOnlineRetailRFM(t *testing.T) {
	p := newProject(t)
	if _, err := ingest.Import(ctx, p, "../../testdata/real/OnlineRetail.csv.gz", ingest.Options{Table: "retail"}); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"rfm", "rf-grid"} {
		run, err := RFM(ctx, p, RFMOptions{Scheme: scheme, AsOf: time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if run.Customers != 4372 || run.Table != "retail" {
			t.Fatalf("%s: %d customers from %s", scheme, run.Customers, run.Table)
		}
		rows, err := p.DB().Query(`SELECT customer_id, recency, frequency, monetary, r_score, f_score, m_score, rfm_segment FROM rfm_scores`)
		if err != nil {
			t.Fatal(err)
		}
		var cs []rfm.Customer
		type got struct {
			r, f, m int
			seg     string
		}
		var sqlRes []got
		for rows.Next() {
			var c rfm.Customer
			var g got
			if err := rows.Scan(&c.ID, &c.Recency, &c.Frequency, &c.Monetary, &g.r, &g.f, &g.m, &g.seg); err != nil {
				t.Fatal(err)
			}
			cs = append(cs, c)
			sqlRes = append(sqlRes, g)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(cs) != 4372 {
			t.Fatalf("%s: rfm_scores has %d rows, want 4372", scheme, len(cs))
		}
		s, _ := rfm.Lookup(scheme)
		want := rfm.Segment(cs, s)
		for i, w := range want {
			g := sqlRes[i]
			if g.r != w.R || g.f != w.F || g.m != w.M || g.seg != w.Segment {
				t.Fatalf("%s customer %s: SQL %+v, reference %+v", scheme, w.ID, g, w)
			}
		}
		var total int64
		for _, s := range run.Segments {
			total += s.Size
		}
		if total != 4372 || len(run.Segments) < 5 {
			t.Fatalf("segments %+v", run.Segments)
		}
	}
	// A known customer: 12346 bought 74,215 units once and returned them all.
	var rec, freq int
	var mon float64
	if err := p.DB().QueryRow(`SELECT recency, frequency, monetary FROM rfm_scores WHERE customer_id = '12346'`).Scan(&rec, &freq, &mon); err != nil {
		t.Fatal(err)
	}
	if rec != 326 || freq != 1 || mon != 0 {
		t.Fatalf("12346: recency %d frequency %d monetary %v", rec, freq, mon)
	}

	n, err := rule.Parse(`Country = 'United Kingdom' AND (frequency >= 3 OR rfm_segment = 'Champions')`)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Count(ctx, p, "retail", n)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	if err := p.DB().QueryRow(`SELECT count(DISTINCT "CustomerID") FROM retail b JOIN rfm_scores r ON CAST(b."CustomerID" AS VARCHAR) = r.customer_id
		WHERE "Country" = 'United Kingdom' AND (r.frequency >= 3 OR r.rfm_segment = 'Champions')`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if c != want || c == 0 {
		t.Fatalf("count %d, want %d", c, want)
	}
	seg, err := Create(ctx, p, "UK regulars", "retail", n)
	if err != nil || seg.Size != want {
		t.Fatalf("%+v %v", seg, err)
	}
	sums, err := RuleSummary(ctx, p)
	if err != nil || len(sums) != 1 || sums[0].Size != want || !sums[0].HasValue || sums[0].Revenue <= 0 {
		t.Fatalf("%+v %v", sums, err)
	}
	q, err := MembersSQL(ctx, p, "UK regulars")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "m.csv")
	if n, err := p.Export(ctx, q, out); err != nil || n != want {
		t.Fatalf("export %d %v", n, err)
	}
	if _, err := MembersSQL(ctx, p, "Champions"); err != nil {
		t.Fatal(err)
	}
}

func TestScoresMatchReferenceWithTies(t *testing.T) {
	p := newProject(t)
	r := rand.New(rand.NewPCG(1, 2))
	mustExec(t, p, `CREATE TABLE orders (cust VARCHAR, day DATE, amount DOUBLE)`)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		// Few distinct values force many ties.
		mustExec(t, p, `INSERT INTO orders VALUES (?, ?, ?)`, "c"+string(rune('A'+r.IntN(26)))+string(rune('a'+r.IntN(20))),
			start.AddDate(0, 0, r.IntN(12)*30), float64(r.IntN(5))*10)
	}
	if err := p.SetRoles(ctx, "orders", map[string]storage.Role{"cust": storage.CustomerID, "day": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := RFM(ctx, p, RFMOptions{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	rows, err := p.DB().Query(`SELECT customer_id, recency, frequency, monetary, r_score, f_score, m_score, rfm_segment FROM rfm_scores`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cs []rfm.Customer
	var got [][3]int
	var segs []string
	for rows.Next() {
		var c rfm.Customer
		var s [3]int
		var seg string
		if err := rows.Scan(&c.ID, &c.Recency, &c.Frequency, &c.Monetary, &s[0], &s[1], &s[2], &seg); err != nil {
			t.Fatal(err)
		}
		cs, got, segs = append(cs, c), append(got, s), append(segs, seg)
	}
	// An empty or partial result must not pass for a matching one.
	var customers int
	if err := p.DB().QueryRow(`SELECT count(DISTINCT cust) FROM orders`).Scan(&customers); err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 || len(cs) != customers {
		t.Fatalf("rfm_scores has %d rows for %d customers", len(cs), customers)
	}
	for i, w := range rfm.Segment(cs, rfm.Classic) {
		if got[i] != [3]int{w.R, w.F, w.M} || segs[i] != w.Segment {
			t.Fatalf("%s: %v %s vs %+v", w.ID, got[i], segs[i], w)
		}
	}
}

func TestRuleErrorsAndInjection(t *testing.T) {
	p := newProject(t)
	mustExec(t, p, `CREATE TABLE customers (id VARCHAR, country VARCHAR, spend DOUBLE)`)
	mustExec(t, p, `INSERT INTO customers VALUES ('a', 'UK', 10), ('b', 'x''; DROP TABLE customers; --', 5), ('c', NULL, 1)`)
	if _, err := RFM(ctx, p, RFMOptions{}); err == nil {
		t.Fatal("RFM without roles ran")
	}
	n, _ := rule.Parse(`country = 'UK'`)
	if _, err := Count(ctx, p, "customers", n); err == nil {
		t.Fatal("a table without a customer id role was accepted")
	}
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	n, _ = rule.Parse(`country = 'x''; DROP TABLE customers; --'`)
	if c, err := Count(ctx, p, "customers", n); err != nil || c != 1 {
		t.Fatalf("%d %v", c, err)
	}
	if ok, _ := p.TableExists(ctx, "customers"); !ok {
		t.Fatal("table dropped")
	}
	n, _ = rule.Parse(`nosuch > 3`)
	if _, err := Count(ctx, p, "customers", n); err == nil {
		t.Fatal("unknown column accepted")
	}
	n, _ = rule.Parse(`spend >= 5`)
	if _, err := Create(ctx, p, "Champions", "customers", n); err == nil {
		t.Fatal("RFM name accepted")
	}
	s, err := Create(ctx, p, "big", "customers", n)
	if err != nil || s.Size != 2 {
		t.Fatalf("%+v %v", s, err)
	}
	mustExec(t, p, `INSERT INTO customers VALUES ('d', 'FR', 50)`)
	if s, err = Evaluate(ctx, p, "big"); err != nil || s.Size != 3 {
		t.Fatalf("re-evaluate %+v %v", s, err)
	}
}

// TestNullAmounts: customers whose amounts are all missing score worst on
// monetary, and summaries cope with segments that have no amounts at all.
func TestNullAmounts(t *testing.T) {
	p := newProject(t)
	mustExec(t, p, `CREATE TABLE o AS SELECT * FROM (VALUES ('a', DATE '2024-01-01', NULL::DOUBLE), ('b', DATE '2024-01-02', 5.0),
		('c', DATE '2024-01-03', 7.0), ('d', DATE '2024-01-04', 9.0), ('e', DATE '2024-01-05', 11.0)) t(cust, day, amount)`)
	if err := p.SetRoles(ctx, "o", map[string]storage.Role{"cust": storage.CustomerID, "day": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	run, err := RFM(ctx, p, RFMOptions{Table: "o"})
	if err != nil {
		t.Fatal(err)
	}
	var m int
	if err := p.DB().QueryRow(`SELECT m_score FROM rfm_scores WHERE customer_id = 'a'`).Scan(&m); err != nil {
		t.Fatal(err)
	}
	if m != 1 || run.Customers != 5 {
		t.Fatalf("m for no amounts = %d, customers %d", m, run.Customers)
	}
	n, _ := rule.Parse(`monetary IS EMPTY`)
	if _, err := Create(ctx, p, "no spend", "o", n); err != nil {
		t.Fatal(err)
	}
	if _, err := RuleSummary(ctx, p); err != nil {
		t.Fatal(err)
	}
	// A failed save keeps the old segment as it was.
	bad, _ := rule.Parse(`nosuch = 1`)
	if _, err := Create(ctx, p, "no spend", "o", bad); err == nil {
		t.Fatal("bad rule saved")
	}
	if s, err := Get(ctx, p, "no spend"); err != nil || s.Size != 1 || s.Rule.String() != "monetary IS EMPTY" {
		t.Fatalf("%+v %v", s, err)
	}
}

// mustExec runs a statement a test depends on; a failure stops the test
// instead of leaving it checking an empty or partial table.
func mustExec(t testing.TB, p *storage.Project, q string, args ...any) {
	t.Helper()
	if _, err := p.DB().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
