package cli

import (
	"os"
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

// TestImportUncertainEncoding: bytes that read as Chinese in GB18030 and as
// accented capitals in Windows-1252 are not guessed; the error names both
// and the flag that chooses (issue 9).
func TestImportUncertainEncoding(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "amb.csv")
	if err := os.WriteFile(csv, []byte("id,code\n1,X\xd6\xc4Y\n2,Z\xc9\xc8W\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := ok(t, "-p", proj, "import", csv, "--preview")
	if !strings.Contains(out, "uncertain") || !strings.Contains(out, "--encoding gb18030") {
		t.Fatalf("preview:\n%s", out)
	}
	_, errs, code := run(t, "-p", proj, "import", csv)
	if code == 0 || !strings.Contains(errs, "--encoding gb18030") || !strings.Contains(errs, "--encoding windows-1252") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ok(t, "-p", proj, "import", csv, "--encoding", "gbk")
}
