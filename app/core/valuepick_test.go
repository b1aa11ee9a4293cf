package core

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// TestTopThreshold: the threshold of a top share is the k-th largest
// value, ties are counted, missing values are not customers, and bad
// shares and empty columns are refused.
func TestTopThreshold(t *testing.T) {
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "top"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// 10 customers with 1..10, two more tied at 10, and one without a value.
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE s AS SELECT 'c' || i AS customer_id, CAST(i AS DOUBLE) AS u FROM range(1, 11) t(i)
		UNION ALL SELECT 'd1', 10 UNION ALL SELECT 'd2', 10 UNION ALL SELECT 'e', NULL UNION ALL SELECT 'f', 'NaN'::DOUBLE`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		share float64
		want  float64
		count int64
	}{
		{0.25, 10, 3}, // k = 3 of 12: the three 10s
		{0.5, 7, 6},   // k = 6: 10, 10, 10, 9, 8, 7
		{1, 1, 12},
		{0.01, 10, 3}, // at least one customer
	} {
		got, n, err := w.TopThreshold(ctx, "s", "u", c.share)
		if err != nil || got != c.want || n != c.count {
			t.Errorf("top %v: %v (%d customers), %v; want %v (%d)", c.share, got, n, err, c.want, c.count)
		}
	}
	for _, share := range []float64{0, -0.1, 1.5} {
		if _, _, err := w.TopThreshold(ctx, "s", "u", share); err == nil {
			t.Errorf("share %v accepted", share)
		}
	}
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE empty (customer_id VARCHAR, u DOUBLE)`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.TopThreshold(ctx, "empty", "u", 0.3); err == nil {
		t.Error("an empty column gave a threshold")
	}
	if _, _, err := w.TopThreshold(ctx, "s", "nope", 0.3); err == nil {
		t.Error("a missing column gave a threshold")
	}
}

// TestValueChoices: purchase tables are those with customers and dates,
// uplift columns those uplift train wrote; none before any.
func TestValueChoices(t *testing.T) {
	ctx := context.Background()
	w := cdnowWorkspace(t)
	ts, err := w.PurchaseTables(ctx)
	if err != nil || len(ts) != 1 {
		t.Fatalf("purchase tables %v, %v", ts, err)
	}
	cols, err := w.UpliftColumns(ctx)
	if err != nil || len(cols) != 0 {
		t.Fatalf("uplift columns before any model: %v, %v", cols, err)
	}
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE model_scores AS SELECT 'a' AS customer_id, 0.1 AS uplift_x, 0.5 AS churn`); err != nil {
		t.Fatal(err)
	}
	cols, err = w.UpliftColumns(ctx)
	if err != nil || len(cols) != 1 || cols[0] != "uplift_x" {
		t.Fatalf("uplift columns %v, %v", cols, err)
	}
}

// TestDistinctValues lists an experiment's groups, most common first,
// without empty values, and says how many there are beyond the limit.
func TestDistinctValues(t *testing.T) {
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "groups"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE e AS SELECT * FROM (VALUES ('b'), ('a'), ('b'), (''), (NULL), ('c'), ('b'), ('a')) t(g)`); err != nil {
		t.Fatal(err)
	}
	vals, n, err := w.DistinctValues(ctx, "e", "g", 2)
	if err != nil || n != 3 || len(vals) != 2 || vals[0] != "b" || vals[1] != "a" {
		t.Errorf("values %q of %d, %v", vals, n, err)
	}
	if _, _, err := w.DistinctValues(ctx, "e", "nope", 2); err == nil {
		t.Error("a missing column listed values")
	}
}
