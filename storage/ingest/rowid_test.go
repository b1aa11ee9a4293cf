package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// TestRowIDColumnRenamed: a file column named rowid would hide DuckDB's
// row ids, so the import renames it to rowid_1, says so and records it;
// next month's file appends into the same column (issue 8, finding 6).
func TestRowIDColumnRenamed(t *testing.T) {
	p := newProject(t)
	var b strings.Builder
	b.WriteString("RowID,v\n")
	for i := range 300 {
		fmt.Fprintf(&b, "%d,%d\n", i%3, i)
	}
	res := mustImport(t, p, write(t, "t.csv", []byte(b.String())), Options{Table: "t"})
	if res.Renamed["RowID"] != "RowID_1" {
		t.Fatalf("renamed %v", res.Renamed)
	}
	cols, err := p.Columns(ctx, "t")
	if err != nil || storage.HidesRowID(cols) || cols[0].Name != "RowID_1" {
		t.Fatalf("columns %v %v", cols, err)
	}
	// DuckDB's own row ids are back: unique and in the file's order.
	var bad int
	if err := p.DB().QueryRow(`SELECT count(*) FROM t WHERE rowid <> v`).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d rows whose rowid is not their position (%v)", bad, err)
	}
	var detail string
	p.DB().QueryRow(`SELECT detail FROM mb_audit WHERE action = 'import'`).Scan(&detail)
	if !strings.Contains(detail, "RowID renamed to RowID_1") {
		t.Fatalf("audit %q", detail)
	}
	mustImport(t, p, write(t, "t2.csv", []byte("rowid,v\n7,300\n")), Options{Table: "t", Mode: Append})
	var n int
	if err := p.DB().QueryRow(`SELECT count(*) FROM t WHERE "RowID_1" = 7 AND v = 300`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("appended %d %v", n, err)
	}
}
