package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// TestDamagedSegmentCLI: a damaged segment row does not break 'segment
// list' or the other segments, is shown as damaged and can be deleted
// (issue 8, finding 7).
func TestDamagedSegmentCLI(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("customer_id,spend\nA,10\nB,20\nC,30\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, "-p", proj, "import", csv)
	ok(t, "-p", proj, "segment", "create", "big", "--table", "customers", "--rule", "spend >= 20")
	p, err := storage.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.DB().Exec(`INSERT INTO mb_segments (name, kind, base_table, rule_json) VALUES ('broken', 'rule', 'customers', '{"op":')`)
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := ok(t, "-p", proj, "segment", "list")
	if !strings.Contains(out, "damaged: its stored rule is not valid JSON") || !strings.Contains(out, "big") {
		t.Fatalf("list:\n%s", out)
	}
	if out := ok(t, "-p", proj, "segment", "evaluate", "big"); !strings.Contains(out, "2 customers") {
		t.Fatalf("evaluate:\n%s", out)
	}
	_, errs, code := run(t, "-p", proj, "segment", "evaluate", "broken")
	if code == 0 || !strings.Contains(errs, "is damaged") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("evaluate broken: %d %q", code, errs)
	}
	ok(t, "-p", proj, "segment", "delete", "broken")
	if out := ok(t, "-p", proj, "segment", "list"); strings.Contains(out, "broken") {
		t.Fatalf("after delete:\n%s", out)
	}
}

// TestClusterLimitCLI: an elbow curve to a hundred million clusters is
// refused at once, naming the allowed range (issue 8, finding 9).
func TestClusterLimitCLI(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("customer_id,spend,visits\nA,10,1\nB,20,3\nC,30,2\nD,40,5\nE,50,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, "-p", proj, "import", csv)
	for _, args := range [][]string{
		{"--elbow", "100000000"},
		{"--k", "1000000"},
	} {
		_, errs, code := run(t, append([]string{"-p", proj, "model", "cluster", "--table", "customers"}, args...)...)
		if code == 0 || !strings.Contains(errs, "must be between 2 and") || strings.Count(errs, "\n") != 1 {
			t.Fatalf("%v: exit %d, %q", args, code, errs)
		}
	}
}
