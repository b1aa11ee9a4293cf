package core

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSaveCohortSegmentCDNOW saves CDNOW's March 1997 cohort as a list
// segment: its size is the cohort's in the report and an SQL count of the
// customers whose first order is in March 1997, and its members are
// exactly those customers. Within a segment, and by week, it matches the
// report too; a missing cohort and an empty name are refused.
func TestSaveCohortSegmentCDNOW(t *testing.T) {
	ctx := context.Background()
	w := cdnowWorkspace(t)
	march := time.Date(1997, 3, 17, 0, 0, 0, 0, time.UTC) // any day of the month
	sg, err := w.SaveCohortSegment(ctx, CohortOptions{Orders: "orders"}, march, " March 1997 cohort ")
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Cohorts(ctx, CohortOptions{Orders: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	var inReport int
	for _, c := range r.Cohorts {
		if c.Start.Equal(time.Date(1997, 3, 1, 0, 0, 0, 0, time.UTC)) {
			inReport = c.Customers
		}
	}
	const first = `SELECT CAST(customer AS VARCHAR) c FROM orders WHERE customer IS NOT NULL AND date IS NOT NULL AND coalesce(sales, 0) >= 0
		GROUP BY 1 HAVING date_trunc('month', min(CAST(date AS DATE))) = DATE '1997-03-01'`
	var bySQL, same int64
	if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (`+first+`)`).Scan(&bySQL); err != nil {
		t.Fatal(err)
	}
	if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_segment_members m JOIN (`+first+`) f ON m.customer_id = f.c WHERE m.segment = ?`, sg.Name).Scan(&same); err != nil {
		t.Fatal(err)
	}
	if sg.Name != "March 1997 cohort" || sg.Size != 719 || sg.Size != int64(inReport) || sg.Size != bySQL || same != bySQL || sg.Table != "orders" {
		t.Fatalf("segment %q of %s: %d customers (%d of them in SQL's); report %d, SQL %d", sg.Name, sg.Table, sg.Size, same, inReport, bySQL)
	}
	if want := "customers whose first purchase was in March 1997 (orders, by month)"; sg.Description != want {
		t.Errorf("description %q, want %q", sg.Description, want)
	}
	sums, err := w.Segments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range sums {
		found = found || (s.Name == sg.Name && s.Size == sg.Size)
	}
	if !found {
		t.Fatal("the segment is not listed")
	}
	t.Logf("March 1997 cohort: %d customers", sg.Size)

	// Within a segment, and by week: the size the report gives that cohort.
	if _, err := w.CreateSegment(ctx, "Big spenders", "orders", "sales > 50"); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []CohortOptions{{Orders: "orders", Segment: "Big spenders"}, {Orders: "orders", By: "week"}} {
		r, err := w.Cohorts(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		c := r.Cohorts[len(r.Cohorts)/2]
		sg, err := w.SaveCohortSegment(ctx, opt, c.Start.AddDate(0, 0, 2), "Part")
		if err != nil {
			t.Fatal(err)
		}
		if sg.Size != int64(c.Customers) || sg.Size == 0 {
			t.Fatalf("%+v cohort %v: segment %d, report %d", opt, c.Start, sg.Size, c.Customers)
		}
		if opt.Segment != "" && !strings.Contains(sg.Description, "of segment Big spenders") {
			t.Errorf("description %q", sg.Description)
		}
		if opt.By == "week" && !strings.Contains(sg.Description, "the week of") {
			t.Errorf("description %q", sg.Description)
		}
	}

	// Refusals, and nothing saved by them.
	_, err = w.SaveCohortSegment(ctx, CohortOptions{Orders: "orders"}, time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC), "Nobody")
	if err == nil || !strings.Contains(err.Error(), "the 3 cohorts run from January 1997 to March 1997") {
		t.Fatalf("a cohort that does not exist: %v", err)
	}
	if _, err := w.SaveCohortSegment(ctx, CohortOptions{Orders: "orders"}, march, "  "); err == nil || !strings.Contains(err.Error(), "name") {
		t.Fatalf("no name: %v", err)
	}
	if _, err := w.SaveCohortSegment(ctx, CohortOptions{Orders: "orders", By: "year"}, march, "X"); err == nil || !strings.Contains(err.Error(), "month or week") {
		t.Fatalf("by year: %v", err)
	}
	if _, err := w.SaveCohortSegment(ctx, CohortOptions{Orders: "orders"}, time.Time{}, "X"); err == nil || !strings.Contains(err.Error(), "choose the cohort") {
		t.Fatalf("no date: %v", err)
	}
	sums, _ = w.Segments(ctx)
	for _, s := range sums {
		if s.Name == "Nobody" || s.Name == "X" {
			t.Fatalf("a refused segment was saved: %+v", s)
		}
	}
}
