package core

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/cohort"
)

// TestCohortsCDNOW checks every cell of the CDNOW cohort tables, by month
// and by week, against an independent SQL computation in DuckDB on the
// same project.
func TestCohortsCDNOW(t *testing.T) {
	ctx := context.Background()
	w := cdnowWorkspace(t)
	for _, by := range []string{"month", "week"} {
		r, err := w.Cohorts(ctx, CohortOptions{Orders: "orders", By: by})
		if err != nil {
			t.Fatal(err)
		}
		type cell struct{ active, revenue float64 }
		want := map[string]cell{}
		sizes := map[string]int{}
		rows, err := w.Q().QueryContext(ctx, `
WITH p AS (SELECT CAST(customer AS VARCHAR) c, CAST(date AS DATE) d, sales a FROM orders
           WHERE customer IS NOT NULL AND date IS NOT NULL AND coalesce(sales, 0) >= 0),
f AS (SELECT c, min(date_trunc('`+by+`', d)) cohort FROM p GROUP BY c),
s AS (SELECT cohort, count(*) n FROM f GROUP BY 1)
SELECT strftime(f.cohort, '%Y-%m-%d'), any_value(s.n), datediff('`+by+`', f.cohort, date_trunc('`+by+`', p.d)) k,
       count(DISTINCT p.c), coalesce(sum(p.a), 0)
FROM p JOIN f USING (c) JOIN s USING (cohort) GROUP BY 1, 3`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			var n, k int
			var cl cell
			if err := rows.Scan(&c, &n, &k, &cl.active, &cl.revenue); err != nil {
				t.Fatal(err)
			}
			sizes[c] = n
			want[c+"/"+itoa(k)] = cl
		}
		rows.Close()
		if len(r.Cohorts) != len(sizes) || len(want) == 0 {
			t.Fatalf("%s: %d cohorts, SQL %d", by, len(r.Cohorts), len(sizes))
		}
		cells, total := 0, 0
		for _, c := range r.Cohorts {
			d := c.Start.Format("2006-01-02")
			if c.Customers != sizes[d] {
				t.Fatalf("%s cohort %s: %d customers, SQL %d", by, d, c.Customers, sizes[d])
			}
			total += c.Customers
			cum := 0.0
			for k := range c.Active {
				w := want[d+"/"+itoa(k)]
				cum += w.revenue / float64(sizes[d])
				if float64(c.Active[k]) != w.active || math.Abs(c.Revenue[k]-w.revenue) > 1e-6 ||
					math.Abs(c.Retention[k]-w.active/float64(sizes[d])) > 1e-12 || math.Abs(c.Cumulative[k]-cum) > 1e-6 {
					t.Fatalf("%s cohort %s period %d: active %d revenue %.2f; SQL %v", by, d, k, c.Active[k], c.Revenue[k], w)
				}
				if w.active > 0 {
					cells++
				}
			}
		}
		if cells != len(want) || total != 2357 {
			t.Fatalf("%s: %d non-empty cells, SQL %d; %d customers", by, cells, len(want), total)
		}
		t.Logf("%s: %d cohorts, %d cells; period-1 retention of the first cohort %.4f", by, len(r.Cohorts), cells, r.Cohorts[0].Retention[1])
	}
	r, _ := w.Cohorts(ctx, CohortOptions{Orders: "orders"})
	// CDNOW's log ends on 30 June 1998: the last month is complete.
	if len(r.Cohorts) != 3 || len(r.Cohorts[0].Active) != 18 || r.Partial {
		t.Fatalf("months: %d cohorts, %d periods, partial %v", len(r.Cohorts), len(r.Cohorts[0].Active), r.Partial)
	}
	for _, c := range r.Cohorts {
		t.Logf("%s: %d customers; retention months 1, 6, 12: %.4f %.4f %.4f; revenue per customer to month 15: %.2f", c.Start.Format("2006-01"),
			c.Customers, c.Retention[1], c.Retention[6], c.Retention[12], c.Cumulative[15])
	}
	// The figures docs/VALUE.md shows.
	if c := r.Cohorts; c[0].Customers != 781 || c[1].Customers != 857 || c[2].Customers != 719 ||
		math.Abs(c[0].Retention[1]-0.1588) > 5e-5 || math.Abs(c[2].Retention[12]-0.1085) > 5e-5 || math.Abs(c[0].Cumulative[15]-97.36) > 0.005 {
		t.Fatalf("CDNOW cohorts differ from docs/VALUE.md")
	}
	d, err := r.CompareCohorts(time.Date(1997, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(1997, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(d.Retention) != 16 || d.Retention[0] != 0 {
		t.Fatalf("compare January and March: %+v, %v", d, err)
	}
	if _, err := r.CompareCohorts(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1997, 3, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Fatal("a cohort that does not exist: want an error")
	}
	if _, err := w.Cohorts(ctx, CohortOptions{Orders: "orders", By: "day"}); err == nil || !strings.Contains(err.Error(), "month or week") {
		t.Fatalf("by day: %v", err)
	}
	if _, err := w.Cohorts(ctx, CohortOptions{Orders: "orders", Segment: "nobody"}); err == nil || !strings.Contains(err.Error(), "no segment named") {
		t.Fatalf("unknown segment: %v", err)
	}
}

// TestCohortSegments compares two RFM segments of the demo: champions
// keep buying, lost ones have stopped.
func TestCohortSegments(t *testing.T) {
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Customers: 3000, Orders: 30000, Products: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := w.Cohorts(ctx, CohortOptions{Segment: "Champions", Compare: "Lost"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Other == nil || r.Diff == nil || len(r.Diff.Retention) < 3 {
		t.Fatalf("comparison %+v", r.Diff)
	}
	n := 0
	for _, c := range r.Cohorts {
		n += c.Customers
	}
	var size int64
	if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM rfm_scores WHERE rfm_segment = 'Champions'`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	if int64(n) != size {
		t.Fatalf("%d customers in the champions' cohorts, segment has %d", n, size)
	}
	// Lost customers stopped buying long ago; their cohorts are still
	// followed to the end of the data, with nobody active.
	for _, c := range r.Other.Cohorts {
		if len(c.Active) != cohort.Month.Index(c.Start, r.Last)+1 || c.Active[len(c.Active)-1] != 0 {
			t.Fatalf("lost cohort %v: %d periods to %v, last active %d", c.Start, len(c.Active), r.Last, c.Active[len(c.Active)-1])
		}
	}
	k := len(r.Diff.Retention) / 2
	t.Logf("period %d retention: champions %.3f, lost %.3f", k, r.Pooled.Retention[k], r.Other.Pooled.Retention[k])
	if !(r.Diff.Retention[k] > 0) {
		t.Fatalf("champions should be retained better than lost ones: %v", r.Diff.Retention)
	}
	if _, err := w.Cohorts(ctx, CohortOptions{Segment: "Champions", Compare: "Champions"}); err == nil {
		t.Fatal("a segment compared with itself: want an error")
	}
}

func itoa(k int) string { return strconv.Itoa(k) }
