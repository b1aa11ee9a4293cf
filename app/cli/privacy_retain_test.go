package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage/journey"
)

// retain set refuses bad rules in words, list shows what each rule would
// remove, a dry run changes nothing, retain applies and records it, and
// remove takes the rule away.
func TestRetainCommand(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	var b strings.Builder
	b.WriteString("order_id,customer_id,order_date,amount,category\n")
	for i := range 40 {
		year := 2020 // 10 old orders, 30 recent ones
		if i >= 10 {
			year = 2026
		}
		fmt.Fprintf(&b, "O%d,C%d,%d-0%d-10,%d,%s\n", i, i%7, year, 1+i%9, 10+i, []string{"tea", "cups"}[i%2])
	}
	csv := filepath.Join(dir, "orders.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	ok(t, "-p", proj, "import", csv, "--table", "orders")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--column", "amount", "--months", "12", "--action", "delete"}, `column "amount" holds`},
		{[]string{"--column", "order_date", "--months", "0", "--action", "delete"}, "1 to 1200 months"},
		{[]string{"--column", "order_date", "--months", "12", "--action", "shred"}, "choose delete or aggregate"},
	} {
		args := append([]string{"-p", proj, "privacy", "retain", "set", "orders"}, c.args...)
		if _, errs, code := run(t, args...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want an error with %q", c.args, code, errs, c.want)
		}
	}
	if _, errs, code := run(t, "-p", proj, "privacy", "retain", "set", "mb_audit", "--column", "changed_at", "--months", "1", "--action", "delete"); code == 0 || !strings.Contains(errs, "Marketbench's own tables") {
		t.Errorf("a rule on mb_audit: exit %d, %s", code, errs)
	}
	out := ok(t, "-p", proj, "privacy", "retain", "set", "orders", "--column", "order_date", "--months", "24", "--action", "aggregate")
	if !strings.Contains(out, "summed up per month into orders_retained_monthly") {
		t.Errorf("set:\n%s", out)
	}
	var list struct {
		Rules []struct {
			Table       string
			WouldRemove int64   `json:"would_remove"`
			LastRunAt   *string `json:"last_run_at"`
		}
	}
	if err := json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "privacy", "retain", "list")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Rules) != 1 || list.Rules[0].Table != "orders" || list.Rules[0].WouldRemove != 10 || list.Rules[0].LastRunAt != nil {
		t.Fatalf("list: %+v", list)
	}
	out = ok(t, "-p", proj, "privacy", "retain", "--dry-run")
	if !strings.Contains(out, "Dry run: nothing was changed. 10 row(s) would be removed.") {
		t.Errorf("dry run:\n%s", out)
	}
	if n := ok(t, "-p", proj, "sql", "SELECT count(*) AS n FROM orders"); !strings.Contains(n, "40") {
		t.Fatalf("a dry run removed rows:\n%s", n)
	}
	out = ok(t, "-p", proj, "privacy", "retain")
	if !strings.Contains(out, "10 row(s) removed. The project file was rewritten") || !strings.Contains(out, "(summed into orders_retained_monthly)") {
		t.Errorf("retain:\n%s", out)
	}
	if n := ok(t, "-p", proj, "--json", "sql", "SELECT (SELECT count(*) FROM orders) AS left_rows, (SELECT sum(row_count) FROM orders_retained_monthly) AS summed"); !strings.Contains(n, "30") || !strings.Contains(n, "10") {
		t.Fatalf("after retain:\n%s", n)
	}
	out = ok(t, "-p", proj, "privacy", "retain", "list")
	if !strings.Contains(out, "(10 removed)") {
		t.Errorf("list after applying:\n%s", out)
	}
	if !strings.Contains(ok(t, "-p", proj, "log"), "retention") {
		t.Error("the application is not in the audit log")
	}
	// With a journey, the automation run applies the rules once a day.
	w, err := core.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := w.DB().Exec(`INSERT INTO orders VALUES ('LATE', 'C1', DATE '2019-05-05', 5, 'tea')`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Some", "orders", "customer_id = 'C1'"); err != nil {
		t.Fatal(err)
	}
	j := &journey.Journey{Name: "Tagger", Table: "orders", Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Some", IncludeExisting: true},
		Steps: []journey.Step{{ID: "tag", Kind: journey.Update, Tag: "seen"}}}
	if err := w.SaveJourney(ctx, j, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02T15:04")
	if out := ok(t, "-p", proj, "automate", "run", "--now", tomorrow); !strings.Contains(out, "Retention rules applied (once a day): 1 row(s) removed.") {
		t.Errorf("automate run:\n%s", out)
	}
	if out := ok(t, "-p", proj, "automate", "run", "--now", tomorrow); strings.Contains(out, "Retention rules applied") {
		t.Errorf("applied twice in a day:\n%s", out)
	}
	ok(t, "-p", proj, "privacy", "retain", "remove", "orders")
	if _, errs, code := run(t, "-p", proj, "privacy", "retain", "remove", "orders"); code == 0 || !strings.Contains(errs, "no retention rule") {
		t.Errorf("remove twice: exit %d, %s", code, errs)
	}
	if out := ok(t, "-p", proj, "privacy", "retain"); !strings.Contains(out, "No retention rules") {
		t.Errorf("no rules:\n%s", out)
	}
}
