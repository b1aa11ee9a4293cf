package clean

import (
	"path/filepath"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// TestCleanWithRowIDColumn: on a table whose own "rowid" column (values
// repeated and backwards) hides DuckDB's, a clean step counts its changes
// right and keeps the rows in order, and dedupe keeps each customer's
// first row (issue 8, finding 6).
func TestCleanWithRowIDColumn(t *testing.T) {
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.DB().Exec(`CREATE TABLE t AS SELECT (300 - i) // 3 AS rowid, i AS seq, 'name ' || i AS name,
		'c' || (i % 100) AS cust FROM range(300) r(i) ORDER BY i`); err != nil {
		t.Fatal(err)
	}
	steps := []Step{{Op: "case", Column: "name", Method: "upper"}}
	pre, err := Preview(ctx, p, "t", steps, 3)
	if err != nil {
		t.Fatal(err)
	}
	if pre.Effects[0].Changed != 300 || pre.Effects[0].RowsAfter != 300 {
		t.Fatalf("preview %+v", pre.Effects[0])
	}
	eff, err := Apply(ctx, p, "t", "", steps)
	if err != nil || eff[0].Changed != 300 {
		t.Fatalf("apply %+v %v", eff, err)
	}
	order := func() []int64 {
		rows, err := p.DB().Query(`SELECT seq FROM t`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var s int64
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	got := order()
	for i, s := range got {
		if s != int64(i) {
			t.Fatalf("row %d is seq %d after the step: the order changed", i, s)
		}
	}
	var name string
	if err := p.DB().QueryRow(`SELECT name FROM t WHERE seq = 7`).Scan(&name); err != nil || name != "NAME 7" {
		t.Fatalf("seq 7: %q %v", name, err)
	}
	// Each customer appears three times; the first (seq < 100) stays.
	eff, err = Apply(ctx, p, "t", "", []Step{{Op: "dedupe", Column: "cust"}})
	if err != nil || eff[0].Changed != 200 || eff[0].RowsAfter != 100 {
		t.Fatalf("dedupe %+v %v", eff, err)
	}
	got = order()
	for i, s := range got {
		if s != int64(i) {
			t.Fatalf("after dedupe row %d is seq %d; want the first row of each customer, in order", i, s)
		}
	}
}
