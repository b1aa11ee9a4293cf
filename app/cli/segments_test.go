package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
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

// TestRFMEightTypesCLI: 'segment rfm --scheme zh8|zh8-median' names the
// eight customer types, worked by hand, and the help gives their glosses.
func TestRFMEightTypesCLI(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "orders.csv")
	// As of 2024-04-01: A 1 day, 3 orders, 300; B 31 days, 1 order, 50;
	// C 61 days, 2 orders, 20; D 91 days, 1 order, 10. Means: recency 46,
	// frequency 1.75, monetary 95. Medians: recency 46, frequency 1.5,
	// monetary 35.
	if err := os.WriteFile(csv, []byte("order_id,customer_id,order_date,amount\n"+
		"1,A,2024-01-01,100\n2,A,2024-02-01,100\n3,A,2024-03-31,100\n4,B,2024-03-01,50\n"+
		"5,C,2024-01-01,10\n6,C,2024-01-31,10\n7,D,2024-01-01,10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, "-p", proj, "import", csv)
	ok(t, "-p", proj, "roles", "orders", "--set", "customer_id=customer_id", "--set", "order_id=order_id",
		"--set", "order_date=order_date", "--set", "amount=amount")
	for scheme, want := range map[string]map[string]string{
		"zh8":        {"A": "重要价值客户", "B": "一般发展客户", "C": "一般保持客户", "D": "一般挽留客户"},
		"zh8-median": {"A": "重要价值客户", "B": "重要发展客户", "C": "一般保持客户", "D": "一般挽留客户"},
	} {
		out := ok(t, "-p", proj, "segment", "rfm", "--as-of", "2024-04-01", "--scheme", scheme)
		if !strings.Contains(out, "Scored 4 customers") || !strings.Contains(out, "8 customer types") {
			t.Fatalf("%s:\n%s", scheme, out)
		}
		note := map[string]string{"zh8": "better than the mean: recency under 46 days, frequency over 1.75 orders, monetary over 95 ",
			"zh8-median": "better than the median: recency under 46 days, frequency over 1.5 orders, monetary over 35 "}[scheme]
		if !strings.Contains(out, note) {
			t.Errorf("%s: no thresholds %q:\n%s", scheme, note, out)
		}
		for id, seg := range want {
			out := ok(t, "-p", proj, "sql", "SELECT rfm_segment FROM rfm_scores WHERE customer_id = '"+id+"'")
			if !strings.Contains(out, seg) {
				t.Errorf("%s %s: want %s:\n%s", scheme, id, seg, out)
			}
			if !strings.Contains(ok(t, "-p", proj, "segment", "list"), seg) {
				t.Errorf("%s: segment list lacks %s", scheme, seg)
			}
		}
	}
	// The columns line up on a terminal, where each Chinese letter takes
	// two columns: KIND starts where the header says.
	out := ok(t, "-p", proj, "segment", "rfm", "--as-of", "2024-04-01", "--scheme", "zh8")
	lines := strings.Split(out, "\n")
	var col int
	for _, l := range lines {
		if i := strings.Index(l, "KIND"); strings.HasPrefix(l, "SEGMENT") && i > 0 {
			col = displayWidth(l[:i])
		}
	}
	rowsSeen := 0
	for _, l := range lines {
		if i := strings.Index(l, "  rfm  "); i > 0 {
			rowsSeen++
			if got := displayWidth(l[:i+2]); got != col {
				t.Errorf("KIND at column %d, header at %d:\n%s", got, col, out)
			}
		}
	}
	if col == 0 || rowsSeen != 4 {
		t.Fatalf("table:\n%s", out)
	}
	if displayWidth("重要价值客户 ab") != 15 {
		t.Errorf("display width %d", displayWidth("重要价值客户 ab"))
	}
	help := ok(t, "segment", "rfm", "--help")
	for _, s := range []string{"zh8-median", "重要挽留客户  important win-back", "一般保持客户  general retain", "equal to\n              the mean is low"} {
		if !strings.Contains(help, s) {
			t.Errorf("help lacks %q:\n%s", s, help)
		}
	}
	if _, errs, code := run(t, "-p", proj, "segment", "rfm", "--scheme", "zh9"); code == 0 || !strings.Contains(errs, "zh8-median") {
		t.Errorf("unknown scheme: %d %s", code, errs)
	}
}

// TestListSegmentCLI: a fixed-list segment (a product's likely buyers) is
// listed with its kind and description, in words and in JSON; evaluating
// keeps its members and deleting removes it.
func TestListSegmentCLI(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("customer_id,spend\nA,10\nB,20\nC,30\nD,40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok(t, "-p", proj, "import", csv)
	p, err := storage.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	desc := "the 2 customers most likely to buy 85123A"
	_, err = segment.CreateList(t.Context(), p, "buyers", "customers", desc, []string{"A", "C"})
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := ok(t, "-p", proj, "segment", "list")
	if !strings.Contains(out, "fixed list") || !strings.Contains(out, "buyers: "+desc) || !strings.Contains(out, "50.0%") {
		t.Fatalf("list:\n%s", out)
	}
	js := ok(t, "-p", proj, "segment", "list", "--json")
	if !strings.Contains(js, `"kind": "list"`) || !strings.Contains(js, `"description": "`+desc+`"`) {
		t.Fatalf("json:\n%s", js)
	}
	if out := ok(t, "-p", proj, "segment", "evaluate", "buyers"); !strings.Contains(out, "2 customers") {
		t.Fatalf("evaluate:\n%s", out)
	}
	ok(t, "-p", proj, "segment", "delete", "buyers")
	if out := ok(t, "-p", proj, "segment", "list"); strings.Contains(out, "buyers") {
		t.Fatalf("after delete:\n%s", out)
	}
}
