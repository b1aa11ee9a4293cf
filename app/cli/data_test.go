package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// TestRowsWithRowIDColumn: a table from before imports renamed rowid
// columns, whose own rowid hides DuckDB's, pages right (issue 8, finding 6).
func TestRowsWithRowIDColumn(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "shop.mbproj")
	ok(t, "init", proj)
	p, err := storage.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.DB().Exec(`CREATE TABLE t AS SELECT i % 3 AS rowid, i AS v FROM range(300) r(i) ORDER BY i`)
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := ok(t, "-p", proj, "rows", "t", "--sort", "v", "--limit", "5", "--offset", "100")
	if !strings.Contains(out, "rows 101–105 of 300") || !strings.Contains(out, "104") || strings.Contains(out, "105\n") {
		t.Fatalf("rows:\n%s", out)
	}
}
