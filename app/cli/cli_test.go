package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	os.Setenv("MARKETBENCH_NO_RECENT", "1")
	// Messages in English whatever this machine's locale; TestLang sets
	// the language with --lang.
	os.Setenv("LC_ALL", "C")
	// Plugin approvals made by tests stay out of the user's config folder
	// (a child test process keeps its parent's).
	if os.Getenv("MARKETBENCH_CONFIG_DIR") == "" {
		d, _ := os.MkdirTemp("", "mb-test-config-*")
		os.Setenv("MARKETBENCH_CONFIG_DIR", d)
	}
	os.Exit(m.Run())
}

// run executes a CLI command in-process and returns stdout, stderr, exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(args, &out, &errb)
	return out.String(), errb.String(), code
}

func ok(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := run(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "orders.csv")
	os.WriteFile(csv, []byte("order_id,customer_id,order_date,Quantity,UnitPrice,country\n"+
		"1,A,2024-01-05,2,10.5,UK\n2,A,2024-03-01,1,20,UK\n3,B,2024-02-10,5,3,France\n4,C,2023-06-01,1,100,UK\n5,A,2024-03-20,3,4,UK\n"), 0o644)

	out := ok(t, "-p", proj, "import", csv, "--preview")
	if !strings.Contains(out, "customer_id") || !strings.Contains(out, "order_date") {
		t.Fatalf("preview:\n%s", out)
	}
	var res struct {
		Rows  int64
		Table string
	}
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "import", csv)), &res)
	if res.Rows != 5 || res.Table != "orders" {
		t.Fatalf("%+v", res)
	}
	_, errs, code := run(t, "-p", proj, "import", csv)
	if code == 0 || !strings.Contains(errs, "already imported") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("duplicate import: %d %q", code, errs)
	}
	ok(t, "-p", proj, "clean", "orders", "--step", `{"op":"add","into":"amount","expr":"Quantity * UnitPrice"}`, "--save-as", "amounts")
	ok(t, "-p", proj, "roles", "orders", "--set", "amount=amount")
	out = ok(t, "-p", proj, "roles", "orders")
	if !strings.Contains(out, "amount") || !strings.Contains(out, "order_date") {
		t.Fatalf("roles:\n%s", out)
	}
	out = ok(t, "-p", proj, "segment", "rfm", "--as-of", "2024-04-01")
	if !strings.Contains(out, "Scored 3 customers") {
		t.Fatalf("rfm:\n%s", out)
	}
	out = ok(t, "-p", proj, "segment", "create", "uk-regulars", "--table", "orders", "--rule", "country = 'UK' AND (frequency >= 3 OR rfm_segment = 'Champions')")
	if !strings.Contains(out, "1 customers") {
		t.Fatalf("create:\n%s", out)
	}
	var sums []struct {
		Name string
		Size int64
	}
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "segment", "list")), &sums)
	if len(sums) < 2 {
		t.Fatalf("segments %+v", sums)
	}
	out = ok(t, "-p", proj, "sql", "SELECT customer_id, monetary FROM rfm_scores ORDER BY customer_id")
	if !strings.Contains(out, "A") || !strings.Contains(out, "100") {
		t.Fatalf("sql:\n%s", out)
	}
	if _, errs, code := run(t, "-p", proj, "sql", "DROP TABLE orders"); code == 0 || !strings.Contains(errs, "read-only") {
		t.Fatalf("write allowed: %s", errs)
	}
	for _, args := range [][]string{
		{"sql", "DELETE FROM orders; SELECT 1"},
		{"export", "sql:SELECT 1) t; DROP TABLE orders; SELECT * FROM (SELECT 1", filepath.Join(dir, "x.csv")},
		{"export", "sql:SELECT 1) TO '" + filepath.Join(dir, "leak.csv") + "' (HEADER); --", filepath.Join(dir, "y.csv")},
	} {
		if _, _, code := run(t, append([]string{"-p", proj}, args...)...); code == 0 {
			t.Errorf("%v was allowed", args)
		}
	}
	if out := ok(t, "-p", proj, "sql", "SELECT count(*) AS n FROM orders"); !strings.Contains(out, "5") {
		t.Fatalf("orders changed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "leak.csv")); err == nil {
		t.Fatal("an export query wrote a second file")
	}
	ok(t, "-p", proj, "export", "sql:SELECT customer_id FROM orders -- trailing comment", filepath.Join(dir, "q.csv"))
	// What the console accepts, export accepts too.
	for i, q := range []string{"SELECT * FROM orders;", "SUMMARIZE orders", "DESCRIBE orders", "FROM orders"} {
		ok(t, "-p", proj, "export", "sql:"+q, filepath.Join(dir, fmt.Sprintf("q%d.csv", i)))
	}
	for _, f := range []string{"m.csv", "m.parquet", "m.xlsx"} {
		ok(t, "-p", proj, "export", "segment:uk-regulars", filepath.Join(dir, f))
	}
	ok(t, "-p", proj, "export", "orders", filepath.Join(dir, "o.csv"))
	for _, c := range [][]string{{"segments"}, {"rfm-heatmap"}, {"histogram", "--table", "orders", "--column", "amount"}} {
		outFile := filepath.Join(dir, c[0]+".svg")
		ok(t, append([]string{"-p", proj, "chart", "--out", outFile}, c...)...)
		if st, err := os.Stat(outFile); err != nil || st.Size() < 1000 {
			t.Fatalf("%s: %v", outFile, err)
		}
	}
	out = ok(t, "-p", proj, "profile", "orders")
	if !strings.Contains(out, "customer_id") || !strings.Contains(out, "MISSING") {
		t.Fatalf("profile:\n%s", out)
	}
	out = ok(t, "-p", proj, "rows", "orders", "--sort", "amount", "--desc", "--filter", "country = 'UK'", "--limit", "2")
	if !strings.Contains(out, "rows 1–2 of 4") {
		t.Fatalf("rows:\n%s", out)
	}
	out = ok(t, "-p", proj, "log")
	if !strings.Contains(out, "import") || !strings.Contains(out, "clean") || !strings.Contains(out, "rfm") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"tables"},
		{"-p", filepath.Join(dir, "none.mbproj"), "tables"},
		{"init"},
		{"nosuchcommand"},
	} {
		_, errs, code := run(t, args...)
		if code != 1 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "marketbench: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// The project's currency is chosen once and kept in the file.
func TestProjectCurrency(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "c.mbproj")
	ok(t, "init", proj)
	if out := ok(t, "project", "currency", "gbp", "-p", proj); !strings.Contains(out, "GBP (£)") {
		t.Errorf("set: %q", out)
	}
	if out := ok(t, "project", "currency", "-p", proj, "--json"); !strings.Contains(out, `"currency": "GBP"`) {
		t.Errorf("read back: %q", out)
	}
}

// --lang tells errors in Chinese; --json keeps them English for scripts,
// and the system locale is the default.
func TestLang(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.mbproj")
	_, errs, code := run(t, "--lang", "zh-Hans", "-p", missing, "tables")
	if code == 0 || !strings.Contains(errs, "无法打开") || !strings.Contains(errs, "找不到该项目文件") || !strings.Contains(errs, "请检查路径") {
		t.Fatalf("zh-Hans: %d %q", code, errs)
	}
	_, errs, _ = run(t, "--lang", "zh-Hans", "--json", "-p", missing, "tables")
	if !strings.Contains(errs, "no such project file; check the path") {
		t.Fatalf("--json: %q", errs)
	}
	_, errs, _ = run(t, "--lang", "en", "-p", missing, "tables")
	if !strings.Contains(errs, "no such project file; check the path") {
		t.Fatalf("en: %q", errs)
	}
	t.Setenv("LC_ALL", "zh_CN.UTF-8")
	_, errs, _ = run(t, "tables")
	if !strings.Contains(errs, "没有指定项目") {
		t.Fatalf("system zh_CN: %q", errs)
	}
	_, errs, _ = run(t, "--lang", "en", "tables")
	if !strings.Contains(errs, "no project given") {
		t.Fatalf("--lang en over zh_CN: %q", errs)
	}
}
