package storage

import (
	"context"
	"fmt"
	"testing"
)

// shadowedTable makes a 300-row table whose own "rowid" column hides
// DuckDB's: its values repeat and run backwards. seq is the row's position.
func shadowedTable(t *testing.T, p *Project) {
	t.Helper()
	if _, err := p.DB().Exec(`CREATE TABLE t AS SELECT (300 - i) // 2 AS rowid, i AS seq, i % 50 AS v FROM range(300) r(i) ORDER BY i`); err != nil {
		t.Fatal(err)
	}
}

// TestPageWithRowIDColumn: sorting and paging a table with a column named
// rowid returns the asked page, with ties in the table's order (issue 8,
// finding 6).
func TestPageWithRowIDColumn(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	shadowedTable(t, p)
	pg, err := p.Page(ctx, PageRequest{Table: "t", Sort: "v", Limit: 5, Offset: 100})
	if err != nil {
		t.Fatal(err)
	}
	// v = i % 50 puts six rows on each value: rows 100..104 of the order
	// are the last two with v = 16 and the first three with v = 17.
	if pg.Total != 300 || len(pg.Rows) != 5 {
		t.Fatalf("total %d, %d rows", pg.Total, len(pg.Rows))
	}
	for i, want := range []int64{216, 266, 17, 67, 117} {
		if got := fmt.Sprint(pg.Rows[i][1]); got != fmt.Sprint(want) {
			t.Fatalf("row %d: seq %s, want %d (%v)", i, got, want, pg.Rows)
		}
	}
	// Every row exactly once across pages, descending too, with a filter.
	seen := map[string]int{}
	for off := int64(0); off < 300; off += 7 {
		pg, err := p.Page(ctx, PageRequest{Table: "t", Sort: "v", Desc: true, Where: `seq >= ?`, Args: []any{0}, Limit: 7, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Rows {
			seen[fmt.Sprint(r[1])]++
		}
	}
	if len(seen) != 300 {
		t.Fatalf("%d distinct rows over the pages", len(seen))
	}
	// The user's column is data like any other.
	pg, err = p.Page(ctx, PageRequest{Table: "t", Sort: "rowid", Limit: 2})
	if err != nil || len(pg.Rows) != 2 || fmt.Sprint(pg.Rows[0][0]) != "0" || fmt.Sprint(pg.Rows[0][1]) != "299" {
		t.Fatalf("sort by the rowid column: %v %v", pg, err)
	}
}
