package core

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/journey"
	"github.com/marketbench/marketbench/storage/retention"
)

// oldOrder is planted in rows a retention rule removes, to search the
// file's bytes for.
const oldOrder = "ZQXRETAIN"

// retainable is a project with 2025 orders (old) and 2026 ones.
func retainable(t *testing.T) *Workspace {
	t.Helper()
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "r.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var b strings.Builder
	b.WriteString("order_id,customer_id,order_date,amount\n")
	for i := range 30 {
		b.WriteString(oldOrder + strings.Repeat("x", i%5) + "-" + string(rune('A'+i%26)) + ",C00" + string(rune('0'+i%10)) + ",2025-0" + string(rune('1'+i%6)) + "-15,10\n")
	}
	for i := range 20 {
		b.WriteString("NEW" + string(rune('A'+i)) + ",C00" + string(rune('0'+i%10)) + ",2026-09-1" + string(rune('0'+i%9)) + ",20\n")
	}
	f := filepath.Join(dir, "orders.csv")
	os.WriteFile(f, []byte(b.String()), 0o644)
	if _, err := w.Import(context.Background(), f, ingest.Options{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func fileHolds(t *testing.T, path, v string) bool {
	t.Helper()
	for _, f := range []string{path, path + ".wal"} {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(v)) {
			return true
		}
	}
	return false
}

func TestApplyRetentionRewritesTheFile(t *testing.T) {
	ctx := context.Background()
	w := retainable(t)
	if _, err := w.DB().Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	if !fileHolds(t, w.Path, oldOrder) {
		t.Fatal("the old orders are not in the file's bytes before: the search would prove nothing")
	}
	r, err := w.SetRetentionRule(ctx, RetentionRule{Table: "orders", Column: "order_date", Months: 6, Action: retention.Delete})
	if err != nil {
		t.Fatal(err)
	}
	if r.Table != "orders" {
		t.Fatalf("%+v", r)
	}
	dry, err := w.ApplyRetention(ctx, true, nil)
	if err != nil || dry.Removed != 30 || dry.Rewritten || countRows(t, w, `SELECT count(*) FROM orders`) != 50 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	rep, err := w.ApplyRetention(ctx, false, nil)
	if err != nil || rep.Removed != 30 || !rep.Rewritten {
		t.Fatalf("%+v %v", rep, err)
	}
	if n := countRows(t, w, `SELECT count(*) FROM orders`); n != 20 {
		t.Fatalf("%d orders left, want 20", n)
	}
	path := w.Path
	w.Close()
	if fileHolds(t, path, oldOrder) {
		t.Fatal("removed orders survive in the file's bytes")
	}
}

// The automation runner applies the rules once a day when the project has
// journeys, and not at all when it has none.
func TestAutomationAppliesRetentionDaily(t *testing.T) {
	ctx := context.Background()
	w := retainable(t)
	if _, err := w.SetRetentionRule(ctx, RetentionRule{Table: "orders", Column: "order_date", Months: 12, Action: retention.Aggregate}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 4, 1, 10, 0, 0, 0, time.Local) // keeps 2025-04-01 on: removes Jan–Mar 2025
	rep := mustRun(t, w, t0)
	if rep.Retention != nil || countRows(t, w, `SELECT count(*) FROM orders`) != 50 {
		t.Fatalf("retention ran without journeys: %+v", rep.Retention)
	}
	if _, err := w.CreateSegment(ctx, "Some", "orders", "customer_id = 'C001'"); err != nil {
		t.Fatal(err)
	}
	j := &journey.Journey{Name: "Tagger", Table: "orders",
		Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Some", IncludeExisting: true},
		Steps:   []journey.Step{{ID: "tag", Kind: journey.Update, Tag: "seen"}}}
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	rep = mustRun(t, w, t0)
	if rep.Retention == nil || rep.Retention.Removed != 15 || rep.Retention.Rewritten {
		t.Fatalf("first run with a journey: %+v", rep.Retention)
	}
	if n := countRows(t, w, `SELECT sum(row_count) FROM orders_retained_monthly`); n != 15 {
		t.Fatalf("summary holds %d rows, want 15", n)
	}
	// Later the same day: not again, even though more rows are old by then.
	if _, err := w.DB().Exec(`INSERT INTO orders VALUES ('LATE', 'C009', DATE '2024-01-01', 1)`); err != nil {
		t.Fatal(err)
	}
	if rep = mustRun(t, w, t0.Add(10*time.Hour)); rep.Retention != nil {
		t.Fatalf("applied twice in a day: %+v", rep.Retention)
	}
	rules, _ := w.RetentionRules(ctx)
	if !rules[0].LastRunAt.Equal(t0) || rules[0].LastRows != 15 {
		t.Fatalf("last run: %+v", rules[0])
	}
	// The next day: the late old row and April 2025 go.
	rep = mustRun(t, w, t0.AddDate(0, 0, 30))
	if rep.Retention == nil || rep.Retention.Removed != 1+5 {
		t.Fatalf("next run: %+v", rep.Retention)
	}
	if n := countRows(t, w, `SELECT count(*) FROM mb_audit WHERE action = 'retention'`); n != 2 {
		t.Fatalf("%d retention audit entries, want 2", n)
	}
}
