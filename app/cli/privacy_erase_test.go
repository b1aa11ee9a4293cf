package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// erase asks for --yes, says what it deleted and which exports still hold
// the person, and a re-import says it skipped them.
func TestEraseCommand(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("customer_id,email,phone\nA1,ann@example.com,+44 20 7946 0018\nB2,bob@example.com,+44 20 7946 0019\n"), 0o644)
	ok(t, "-p", proj, "import", csv, "--table", "customers")
	export := filepath.Join(dir, "all.csv")
	ok(t, "-p", proj, "export", "customers", export)
	if _, errs, code := run(t, "-p", proj, "erase", "--email", "ANN@example.com"); code == 0 || !strings.Contains(errs, "--yes") {
		t.Fatalf("without --yes: exit %d, %s", code, errs)
	}
	out := ok(t, "-p", proj, "erase", "--phone", "442079460018", "--yes")
	for _, want := range []string{"Erased 1 customer(s): 1 row(s) deleted.", "customers", "These files still hold them", export} {
		if !strings.Contains(out, want) {
			t.Errorf("erase output lacks %q:\n%s", want, out)
		}
	}
	out = ok(t, "-p", proj, "import", csv, "--table", "customers", "--replace", "--force")
	if !strings.Contains(out, "Imported 1 rows") || !strings.Contains(out, "Skipped 1 rows of erased customers") {
		t.Errorf("re-import:\n%s", out)
	}
}
