package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
)

// 'export --anonymise' refuses in words (naming the smallest group) and
// writes nothing, then with --suppress reports k achieved, the smallest
// groups and the dropped rows in JSON; 'export --pseudonymise
// --keep-lookup' names its lookup file.
func TestExportAnonymisedAndPseudonymised(t *testing.T) {
	keyringtest.Start(t)
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mbproj")
	ok(t, "init", proj)
	var b strings.Builder
	b.WriteString("customer_id,email,age,city,spend\n")
	for i := range 40 {
		city := []string{"Shanghai", "Beijing"}[i%2]
		if i == 39 {
			city = "Lhasa"
		}
		fmt.Fprintf(&b, "C%d,u%d@example.com,%d,%s,%d\n", i, i, 20+i%20, city, i*3)
	}
	csvPath := filepath.Join(dir, "customers.csv")
	os.WriteFile(csvPath, []byte(b.String()), 0o644)
	ok(t, "-p", proj, "import", csvPath, "--table", "customers")
	out := filepath.Join(dir, "anon.csv")
	_, errs, code := run(t, "-p", proj, "export", "customers", out, "--anonymise", "--k", "3", "--quasi", "city,age")
	if code == 0 || !strings.Contains(errs, "city=Lhasa, age=30-39 (rows: 1)") || !strings.Contains(errs, "--suppress") {
		t.Fatalf("refusal: %d %s", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a refused export wrote its file")
	}
	var rep struct {
		Rows, DroppedRows, K, KAchieved int
		Smallest                        []struct{ Rows int }
		Removed                         []string
	}
	js := ok(t, "-p", proj, "--json", "export", "customers", out, "--anonymise", "--k", "3", "--quasi", "city,age", "--suppress")
	if err := json.Unmarshal([]byte(strings.NewReplacer(`"dropped_rows"`, `"droppedrows"`, `"k_achieved"`, `"kachieved"`,
		`"smallest_classes"`, `"smallest"`, `"removed_columns"`, `"removed"`).Replace(js)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Rows+rep.DroppedRows != 40 || rep.DroppedRows < 1 || rep.KAchieved < 3 || len(rep.Smallest) == 0 ||
		rep.Smallest[0].Rows != rep.KAchieved || strings.Join(rep.Removed, ",") != "customer_id,email" {
		t.Errorf("report %s", js)
	}
	lookup := filepath.Join(dir, "lookup.csv")
	human := ok(t, "-p", proj, "export", "customers", filepath.Join(dir, "p.csv"), "--pseudonymise", "--keep-lookup", lookup)
	if !strings.Contains(human, "Pseudonymised: customer_id, email") || !strings.Contains(human, "It is personal data") {
		t.Errorf("output: %s", human)
	}
	if _, err := os.Stat(lookup); err != nil {
		t.Error(err)
	}
	if _, errs, code := run(t, "-p", proj, "export", "customers", out, "--anonymise", "--pseudonymise"); code == 0 || !strings.Contains(errs, "not both") {
		t.Errorf("both: %s", errs)
	}
}
