package models

import (
	"testing"

	"github.com/marketbench/marketbench/analytics/model"
)

// TestRowsWithRowIDColumn: on a table whose own "rowid" column (values
// repeated and backwards) hides DuckDB's, rows load in the table's order
// and per-row results land on their own rows (issue 8, finding 6).
func TestRowsWithRowIDColumn(t *testing.T) {
	p := newProject(t)
	if _, err := p.DB().Exec(`CREATE TABLE t AS SELECT (300 - i) // 3 AS rowid, i AS seq, 'text ' || repeat('x', i % 7) AS body
		FROM range(300) r(i) ORDER BY i`); err != nil {
		t.Fatal(err)
	}
	rows, err := Load(ctx, p, Source{Table: "t"}, model.Spec{Numeric: []string{"seq"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Data.Rows() != 300 {
		t.Fatalf("%d rows", rows.Data.Rows())
	}
	for i := range 300 {
		if v := rows.Data.Num.At(i, 0); v != float64(i) {
			t.Fatalf("row %d has seq %v: not in the table's order", i, v)
		}
	}

	texts, err := ReadText(ctx, p, "t", "body")
	if err != nil || len(texts) != 300 {
		t.Fatalf("%d texts, %v", len(texts), err)
	}
	ids := make([]int64, len(texts))
	n := make([]float64, len(texts))
	for i, x := range texts {
		ids[i], n[i] = x.RowID, float64(len(x.Text))
	}
	if err := SetRowColumns(ctx, p, "t", ids, []RowValues{{Name: "body_len", Num: n}}, "test", "lengths"); err != nil {
		t.Fatal(err)
	}
	var wrong, total int
	if err := p.DB().QueryRow(`SELECT count(*) FILTER (WHERE body_len IS DISTINCT FROM length(body)), count(*) FROM t`).Scan(&wrong, &total); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 || total != 300 {
		t.Fatalf("%d of %d rows got another row's value", wrong, total)
	}
	// The table keeps its order.
	rows, err = Load(ctx, p, Source{Table: "t"}, model.Spec{Numeric: []string{"seq"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if v := rows.Data.Num.At(i, 0); v != float64(i) {
			t.Fatalf("after storing, row %d has seq %v", i, v)
		}
	}
}
