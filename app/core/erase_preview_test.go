package core

import (
	"context"
	"maps"
	"testing"
)

// A preview counts exactly what the erasure then deletes, and changes
// nothing: no rows, no tombstones, no audit entry.
func TestErasePreviewMatchesErase(t *testing.T) {
	ctx := context.Background()
	w, _, _ := erasable(t)
	defer func() { w.Close() }()
	before := countRows(t, w, `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM mb_erasures) + (SELECT count(*) FROM mb_audit)`)
	pre, err := w.ErasePreview(ctx, Subject{CustomerID: plantID})
	if err != nil {
		t.Fatal(err)
	}
	if pre.Customers != 1 || pre.Tables["customers"] != 1 || pre.Tables["orders"] != 2 || len(pre.Exports) != 1 {
		t.Fatalf("preview: %+v", pre)
	}
	if after := countRows(t, w, `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM mb_erasures) + (SELECT count(*) FROM mb_audit)`); after != before {
		t.Fatalf("the preview changed the project: %d rows before, %d after", before, after)
	}
	if h, err := w.Erasures(ctx); err != nil || len(h) != 0 {
		t.Fatalf("erasures before any: %v, %v", h, err)
	}
	rep, err := w.Erase(ctx, Subject{CustomerID: plantID})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(pre.Tables, rep.Tables) || pre.Rows != rep.Rows {
		t.Fatalf("preview %v (%d rows), erasure %v (%d rows)", pre.Tables, pre.Rows, rep.Tables, rep.Rows)
	}
	h, err := w.Erasures(ctx)
	if err != nil || len(h) != 1 {
		t.Fatalf("erasures: %v, %v", h, err)
	}
	if d := h[0]; d.Customers != 1 || d.Rows != rep.Rows || d.Tables != int64(len(rep.Tables)) || d.Exports != 1 || d.At.IsZero() {
		t.Fatalf("history: %+v, erasure %d rows in %d tables", d, rep.Rows, len(rep.Tables))
	}
	// After the erasure there is nobody left to preview.
	if again, err := w.ErasePreview(ctx, Subject{CustomerID: plantID}); err != nil || again.Rows != 0 {
		t.Fatalf("preview after erasure: %+v, %v", again, err)
	}
}
