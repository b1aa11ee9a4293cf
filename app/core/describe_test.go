package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// describeDemo makes a small demo in the language.
func describeDemo(t *testing.T, locale string) *Workspace {
	t.Helper()
	w, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Locale: locale, Customers: 800, Orders: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// describeEnv points the app's Ollama settings at a fresh fake server.
func describeEnv(t *testing.T) *ollamatest.Server {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	s := ollamatest.New(t)
	t.Setenv("OLLAMA_HOST", s.URL)
	describeServers = append(describeServers, s)
	return s
}

// personalValues are the demo's personal values a prompt must never
// hold: e-mails, phones, customer ids, given names (two letters or more)
// and full names.
func personalValues(t *testing.T, w *Workspace) []string {
	rows, err := w.Q().QueryContext(context.Background(), `SELECT email, phone, customer_id, first_name, last_name || first_name, first_name || ' ' || last_name FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var v [6]*string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
			t.Fatal(err)
		}
		for _, s := range v {
			if s != nil && len([]rune(strings.TrimSpace(*s))) >= 2 && !seen[*s] {
				seen[*s] = true
				out = append(out, strings.TrimSpace(*s))
			}
		}
	}
	return out
}

// leaks lists the personal values found in prompts: as whole words in
// Latin text, anywhere in Chinese.
func leaks(prompts []string, values []string) []string {
	var found []string
	for _, v := range values {
		re := regexp.MustCompile(`(^|[^\p{L}\p{N}@.])` + regexp.QuoteMeta(v) + `($|[^\p{L}\p{N}])`)
		for _, p := range prompts {
			if re.MatchString(p) {
				found = append(found, v)
				break
			}
		}
	}
	return found
}

// describeServers are every fake server the describe tests started, so
// their prompts can be scanned at the end.
var describeServers []*ollamatest.Server

// allPrompts is every prompt sent so far, then forgets them.
func allPrompts() []string {
	var out []string
	for _, s := range describeServers {
		for _, r := range s.Requests() {
			out = append(out, r.All)
		}
	}
	describeServers = nil
	return out
}

func TestDescribeSegment(t *testing.T) {
	if testing.Short() {
		t.Skip("makes demo projects")
	}
	ctx := context.Background()
	en := describeDemo(t, "en")
	s := describeEnv(t)
	s.On("RULE: rfm_segment = 'Champions' AND city = 'London'\nUNMAPPED: loyal", "in london")

	d, err := en.DescribeSegment(ctx, "", "Champions in London who are loyal")
	if err != nil {
		t.Fatal(err)
	}
	want, err := en.CountRule(ctx, "customers", "rfm_segment = 'Champions' AND city = 'London'")
	if err != nil {
		t.Fatal(err)
	}
	if d.Table != "customers" || d.Rule != "rfm_segment = 'Champions' AND city = 'London'" || d.Count != want || want == 0 || d.Attempts != 1 {
		t.Fatalf("draft %+v, want count %d", d, want)
	}
	if len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "loyal") {
		t.Errorf("notes %q: the unmapped term is not named", d.Notes)
	}
	p := s.Requests()[0]
	// The prompt: schema, roles, the low-cardinality values, the city the
	// words mention, and no value of a personal column.
	for _, x := range []string{"rfm_segment (text)", "'Champions'", "'United Kingdom'", "'London'", "email (text, role email); personal data, values not shown", "Champions in London who are loyal"} {
		if !strings.Contains(p.All, x) {
			t.Errorf("the prompt lacks %q:\n%s", x, p.All)
		}
	}
	if strings.Contains(p.All, "'Berlin'") {
		t.Errorf("the prompt lists a city the words do not mention (75 of them would swamp it):\n%s", p.All)
	}

	t.Run("invalid grammar is retried with the error", func(t *testing.T) {
		s := describeEnv(t)
		s.On("RULE: monetary > 500", "does not work")
		s.On("RULE: monetary >> 500 AND", "spent")
		d, err := en.DescribeSegment(ctx, "customers", "customers who spent over 500")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := en.CountRule(ctx, "customers", "monetary > 500")
		if d.Attempts != 2 || d.Rule != "monetary > 500" || d.Count != want {
			t.Fatalf("draft %+v (want count %d)", d, want)
		}
		rs := s.Requests()
		if len(rs) != 2 || !strings.Contains(rs[1].User, "at position") || !strings.Contains(rs[1].All, "RULE: monetary >> 500 AND") {
			t.Errorf("the retry did not carry the parse error and the first answer: %+v", rs)
		}
	})
	t.Run("unknown column is retried, then explained", func(t *testing.T) {
		s := describeEnv(t)
		s.Otherwise("RULE: loyalty_tier = 'gold'")
		_, err := en.DescribeSegment(ctx, "customers", "gold tier members")
		if err == nil || !strings.Contains(err.Error(), `unknown column "loyalty_tier"`) || !strings.Contains(err.Error(), "2 tries") || !strings.Contains(err.Error(), "by hand") {
			t.Fatalf("err = %v", err)
		}
		if rs := s.Requests(); len(rs) != 2 || !strings.Contains(rs[1].User, "unknown column") || !strings.Contains(rs[1].User, "rfm_segment") {
			t.Errorf("the retry did not name the unknown column and the known ones: %+v", rs)
		}
	})
	t.Run("SQL instead of a rule", func(t *testing.T) {
		s := describeEnv(t)
		s.Otherwise("```sql\nSELECT * FROM customers; DROP TABLE customers\n```")
		if _, err := en.DescribeSegment(ctx, "customers", "everyone"); err == nil {
			t.Fatal("SQL accepted as a rule")
		}
		if n, err := en.CountRule(ctx, "customers", "customer_id IS NOT EMPTY"); err != nil || n != 800 {
			t.Fatalf("customers after: %d, %v", n, err)
		}
	})
	t.Run("nothing to map", func(t *testing.T) {
		s := describeEnv(t)
		s.Otherwise("RULE: none\nUNMAPPED: happy")
		_, err := en.DescribeSegment(ctx, "customers", "happy people")
		if err == nil || !strings.Contains(err.Error(), "nothing") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a value the column does not hold", func(t *testing.T) {
		s := describeEnv(t)
		s.Otherwise("RULE: country = 'Atlantis'")
		d, err := en.DescribeSegment(ctx, "customers", "customers in Atlantis")
		if err != nil {
			t.Fatal(err)
		}
		if d.Count != 0 || !strings.Contains(strings.Join(d.Notes, " "), `country has no value "Atlantis"`) {
			t.Errorf("draft %+v", d)
		}
	})
	t.Run("Ollama absent", func(t *testing.T) {
		describeEnv(t)
		t.Setenv("OLLAMA_HOST", ollamatest.AbsentURL(t))
		_, err := en.DescribeSegment(ctx, "customers", "champions")
		var u *llm.UnreachableError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "ollama serve") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty words", func(t *testing.T) {
		if _, err := en.DescribeSegment(ctx, "customers", "  "); err == nil {
			t.Fatal("no error")
		}
	})
	// The check can fail: a prompt with a customer's e-mail or id is caught.
	vals := personalValues(t, en)
	var email, id string
	en.Q().QueryRowContext(ctx, `SELECT email, customer_id FROM customers WHERE email IS NOT NULL LIMIT 1`).Scan(&email, &id)
	if got := leaks([]string{"Description: the customer " + strings.TrimSpace(email) + " and others"}, vals); len(got) == 0 {
		t.Errorf("an e-mail in a prompt was not caught")
	}
	if got := leaks([]string{"RULE: customer_id = '" + id + "'"}, vals); len(got) == 0 {
		t.Errorf("a customer id in a prompt was not caught")
	}
	leaked := leaks(allPrompts(), vals)
	if len(leaked) > 0 {
		t.Errorf("prompts hold personal values: %q", leaked)
	}
}

func TestDescribeSegmentChinese(t *testing.T) {
	if testing.Short() {
		t.Skip("makes demo projects")
	}
	ctx := context.Background()
	zh := describeDemo(t, "zh-CN")
	s := describeEnv(t)
	s.On("RULE: city = '北京市' AND rfm_segment = '重要价值客户'\nUNMAPPED: 无", "北京")
	s.On("规则：channel = 'App' AND amount >= 100\n未映射：无", "App")
	d, err := zh.DescribeSegment(ctx, "", "北京的重要价值客户")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := zh.CountRule(ctx, "customers", "city = '北京市' AND rfm_segment = '重要价值客户'")
	if d.Count != want || want == 0 || len(d.Notes) != 0 {
		t.Fatalf("draft %+v, want count %d", d, want)
	}
	// 北京 in the words brings 北京市 (118 cities: only those mentioned).
	if p := s.Requests()[0].All; !strings.Contains(p, "'北京市'") || strings.Contains(p, "'上海市'") || !strings.Contains(p, "'重要价值客户'") {
		t.Errorf("prompt:\n%s", p)
	}
	d, err = zh.DescribeSegment(ctx, "orders", "在App下单金额不少于100元的客户")
	if err != nil {
		t.Fatal(err)
	}
	want, _ = zh.CountRule(ctx, "orders", "channel = 'App' AND amount >= 100")
	if d.Rule != "channel = 'App' AND amount >= 100" || d.Count != want || want == 0 {
		t.Fatalf("draft %+v, want %d", d, want)
	}
	if leaked := leaks(allPrompts(), personalValues(t, zh)); len(leaked) > 0 {
		t.Errorf("prompts hold personal values: %q", leaked)
	}
}

// Columns without a personal role still keep their values out of the
// prompt when the privacy scan reports them (e-mails in "contact"), and a
// value that looks like personal data is left out of any column's list.
func TestDescribePromptLeavesOutPersonalValues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	csv := filepath.Join(dir, "people.csv")
	var b strings.Builder
	b.WriteString("cid,contact,tier,hotline\n")
	mails := []string{"ann@example.com", "bob@example.org", "cy@example.net"}
	for i := range 30 {
		hot := "none"
		if i == 3 {
			hot = "+44 20 7946 0018"
		}
		fmt.Fprintf(&b, "K%02d,%s,%s,%s\n", i, mails[i%3], []string{"gold", "silver"}[i%2], hot)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Create(filepath.Join(dir, "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "people"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "people", map[string]storage.Role{"cid": storage.CustomerID, "contact": storage.None}, true); err != nil {
		t.Fatal(err)
	}
	s := describeEnv(t)
	s.Otherwise("RULE: tier = 'gold'")
	d, err := w.DescribeSegment(ctx, "people", "gold customers")
	if err != nil || d.Count != 15 {
		t.Fatalf("%+v %v", d, err)
	}
	p := s.Requests()[0].All
	if !strings.Contains(p, "'gold', 'silver'") || !strings.Contains(p, "contact (text); personal data, values not shown") || !strings.Contains(p, "'none'") {
		t.Errorf("prompt:\n%s", p)
	}
	for _, bad := range append(mails, "7946", "K03") {
		if strings.Contains(p, bad) {
			t.Errorf("the prompt holds %q:\n%s", bad, p)
		}
	}
}

// Words that hold personal data are refused unless allowed for the
// request; ordinary descriptions with numbers and dates are not.
func TestDescribePersonalWords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	csv := filepath.Join(dir, "people.csv")
	os.WriteFile(csv, []byte("cid,tier,spent\nK1001,gold,10\nK1002,silver,700\n"), 0o644)
	w, err := Create(filepath.Join(dir, "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "people"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "people", map[string]storage.Role{"cid": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	s := describeEnv(t)
	s.Otherwise("RULE: tier = 'gold'")
	for _, words := range []string{"the customer ann@example.com", "whoever has phone +44 20 7946 0018", "customer K1002 and friends", "客户 K1001"} {
		_, err := w.DescribeSegment(ctx, "people", words)
		if err == nil || !strings.Contains(err.Error(), "allow it for this request") {
			t.Errorf("%q: err %v", words, err)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d prompts sent for refused words", n)
	}
	for _, words := range []string{"gold customers who spent over 500 since 2026-01-01", "消费超过500元的金牌客户", "tier K9 members"} {
		if _, err := w.DescribeSegment(ctx, "people", words); err != nil {
			t.Errorf("%q: %v", words, err)
		}
	}
	d, err := w.DescribeSegmentWith(ctx, DescribeRequest{Table: "people", Words: "customer K1002 and friends", AllowPersonal: true})
	if err != nil || d.Count != 1 {
		t.Fatalf("allowed: %+v %v", d, err)
	}
	if last := s.Requests(); !strings.Contains(last[len(last)-1].All, "K1002") {
		t.Errorf("allowed words were not sent")
	}
}
