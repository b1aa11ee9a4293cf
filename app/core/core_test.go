package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
)

func TestMain(m *testing.M) {
	os.Setenv("MARKETBENCH_NO_RECENT", "1")
	// Plugin approvals made by tests stay out of the user's config folder
	// (a child test process keeps its parent's).
	if os.Getenv("MARKETBENCH_CONFIG_DIR") == "" {
		d, _ := os.MkdirTemp("", "mb-test-config-*")
		os.Setenv("MARKETBENCH_CONFIG_DIR", d)
	}
	if err := setupPlugins(); err != nil {
		fmt.Fprintln(os.Stderr, "building the test plugin:", err)
		os.Exit(1)
	}
	code := m.Run()
	closeRetail()
	os.RemoveAll(filepath.Dir(pluginsDir))
	os.Exit(code)
}

func TestRunDemo(t *testing.T) {
	dir := t.TempDir()
	// The demo's campaign goes through the bundled webhook plugin.
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	var stages []string
	res, err := RunDemo(context.Background(), dir, DemoOptions{}, func(s string, f float64) { stages = append(stages, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) < 5 {
		t.Fatalf("progress stages %v", stages)
	}
	for _, f := range res.Files {
		st, err := os.Stat(f)
		if err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// The title says what the report is about, not the file's name.
	if title, _, _ := strings.Cut(res.Summary, "\n"); title != "# Marketbench demo report: a generated online shop" {
		t.Errorf("summary title %q", title)
	}
	for _, want := range []string{"| customers | 20000 |", "| orders | 200000 |", "Champions", "Lapsed big spenders", "## Churn model", "score_churn_logreg", "## Review sentiment", "## Campaign", "through the bundled webhook plugin"} {
		if !strings.Contains(res.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.Summary)
		}
	}
	// The demo project opens again and pages fast through orders.
	w, err := Open(filepath.Join(dir, "demo.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Variant B names each customer's recommended products: in the
	// summary's sample and in what the receiver got.
	_, sample, _ := strings.Cut(res.Summary, "A message of variant B, as customer ")
	who, _, _ := strings.Cut(sample, " ")
	var first string
	if err := w.Q().QueryRowContext(context.Background(), `SELECT product_name FROM recommendations WHERE customer_id = ? AND rank = 1`, who).Scan(&first); err != nil ||
		!strings.Contains(sample, "Picked for you: "+first+", ") {
		t.Errorf("sample message of %q does not start its picks with %q (%v):\n%s", who, first, err, sample)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "webhook-received.jsonl"))
	if !strings.Contains(string(got), "Picked for you: ") {
		t.Errorf("the receiver got no message with recommendations")
	}
	pg, err := w.Page(context.Background(), PageRequest{Table: "orders", Sort: "amount", Desc: true, Filter: "channel = 'app'", Limit: 50})
	if err != nil || len(pg.Rows) != 50 || pg.Total == 0 || pg.Total >= 200000 {
		t.Fatalf("page %v %v", pg, err)
	}
	if _, err := w.Page(context.Background(), PageRequest{Table: "orders", Filter: "channel = "}); err == nil {
		t.Fatal("bad filter accepted")
	}
}
