package core

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// askDemo is a small demo project in English or Chinese.
func askDemo(t *testing.T, locale string) *Workspace {
	t.Helper()
	w, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "demo-"+locale+".mbproj"),
		DemoOptions{Locale: locale, Customers: 300, Orders: 3000, Products: 50}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// askOllama points the app's settings at a fake Ollama.
func askOllama(t *testing.T) *ollamatest.Server {
	t.Helper()
	s := ollamatest.New(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", s.URL)
	return s
}

// wordsFromFirstRow answers the words prompt with the first row's number.
func wordsFromFirstRow(format string) ollamatest.Reply {
	return func(r ollamatest.Request) (string, bool) {
		if !strings.Contains(r.System, "You answer a marketer") {
			return "", false
		}
		lines := strings.Split(r.User, "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "Result") && i+2 < len(lines) {
				cells := strings.Split(lines[i+2], " | ")
				return fmt.Sprintf(format, cells[0], cells[len(cells)-1]), true
			}
		}
		return "", false
	}
}

func TestAskEnglishQuestion(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.OnFunc(wordsFromFirstRow("%s has the most customers: %s."))
	s.On("```sql\nSELECT city, count(*) AS customers FROM customers GROUP BY city ORDER BY customers DESC, city LIMIT 5;\n```", "how many customers per city")
	a, err := w.Ask(context.Background(), AskRequest{Question: "How many customers per city?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Attempts != 1 || a.Clarify != "" || !strings.HasPrefix(a.SQL, "SELECT city") || len(a.Rows) != 5 {
		t.Fatalf("answer = %+v", a)
	}
	if _, ok := a.Rows[0][1].(int64); !ok || a.Chart != AskChartBar {
		t.Errorf("rows %v (%T), chart %q: want numbers and bars", a.Rows[0], a.Rows[0][1], a.Chart)
	}
	want := fmt.Sprintf("%v has the most customers: %v.", a.Rows[0][0], a.Rows[0][1])
	if a.Words != want || len(a.Unverified) != 0 {
		t.Errorf("words %q unverified %v, want %q", a.Words, a.Unverified, want)
	}
	if p, err := AskChart(a); err != nil || p == nil {
		t.Errorf("chart: %v", err)
	}
	checkPromptsPrivate(t, w, s.Requests())
}

func TestAskChineseQuestion(t *testing.T) {
	w := askDemo(t, "zh-CN")
	s := askOllama(t)
	s.OnFunc(wordsFromFirstRow("客户最多的省份是%s，共有%s位客户。"))
	s.On("```sql\nSELECT province AS 省份, count(*) AS 客户数 FROM customers GROUP BY province ORDER BY 客户数 DESC, 省份 LIMIT 10\n```", "每个省份有多少客户")
	a, err := w.Ask(context.Background(), AskRequest{Question: "每个省份有多少客户？"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Columns[0] != "省份" || a.Chart != AskChartBar || len(a.Unverified) != 0 || !strings.Contains(a.Words, fmt.Sprint(a.Rows[0][1])) {
		t.Fatalf("answer = %+v", a)
	}
	// The prompt told the model the provinces (a category), never a name.
	if u := s.Requests()[0].User; !strings.Contains(u, "province VARCHAR (role region") || !strings.Contains(u, "每个省份有多少客户") {
		t.Errorf("prompt:\n%s", u)
	}
	checkPromptsPrivate(t, w, s.Requests())
}

func TestAskRefusesWritesAndSeveralStatements(t *testing.T) {
	w := askDemo(t, "en")
	for _, c := range []struct{ reply, want string }{
		{"```sql\nDROP TABLE customers;\n```", "only SELECT"},
		{"```sql\nSELECT 1; SELECT 2;\n```", "one statement"},
		{"```sql\nSELECT 1; DELETE FROM orders;\n```", "only SELECT"},
		{"```sql\nSELECT * FROM read_csv('/etc/passwd')\n```", "read_csv() cannot be used"},
		{"```sql\nSELECT * FROM mb_audit\n```", `no table "mb_audit"`},
	} {
		s := askOllama(t)
		s.Otherwise(c.reply)
		a, err := w.Ask(context.Background(), AskRequest{Question: "delete everything"})
		var fe *AskFailedError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) || a == nil || a.Attempts != 2 {
			t.Errorf("%q: answer %+v, error %v; want a failure naming %q", c.reply, a, err, c.want)
		}
		// The retry told the model why.
		if rs := s.Requests(); len(rs) != 2 || !strings.Contains(rs[1].User, c.want) {
			t.Errorf("%q: the retry did not say %q: %+v", c.reply, c.want, rs)
		}
	}
	if n, err := w.RowCount(context.Background(), "orders"); err != nil || n != 3000 {
		t.Errorf("orders: %d rows, %v; the data must be untouched", n, err)
	}
	if ok, _ := w.TableExists(context.Background(), "customers"); !ok {
		t.Error("customers was dropped")
	}
}

func TestAskCapsHugeResults(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.Otherwise("```sql\nSELECT o.*, c.* FROM orders o CROSS JOIN customers c\n```")
	a, err := w.Ask(context.Background(), AskRequest{Question: "show every order with every customer"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Rows) != ConsoleRows || !a.Truncated {
		t.Errorf("%d rows, truncated %v; want the console's %d", len(a.Rows), a.Truncated, ConsoleRows)
	}
	checkPromptsPrivate(t, w, s.Requests())
}

func TestAskRetriesAHallucinatedColumn(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.OnFunc(wordsFromFirstRow("Revenue was %[2]s."))
	s.On("```sql\nSELECT round(sum(amount), 2) AS revenue FROM orders\n```", "cannot run", "revenue")
	s.Otherwise("```sql\nSELECT sum(revenue) AS revenue FROM orders\n```")
	a, err := w.Ask(context.Background(), AskRequest{Question: "What is the total revenue?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Attempts != 2 || !strings.Contains(a.SQL, "sum(amount)") || len(a.Rows) != 1 {
		t.Fatalf("answer = %+v", a)
	}
	if rs := s.Requests(); !strings.Contains(rs[1].User, `column "revenue" not found`) {
		t.Errorf("retry prompt: %s", rs[1].User)
	}
	if a.Chart != "" || len(a.Unverified) != 0 || !strings.HasPrefix(a.Words, "Revenue was ") {
		t.Errorf("one value: chart %q, words %q, unverified %v", a.Chart, a.Words, a.Unverified)
	}
}

func TestAskStillWrongIsExplained(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.Otherwise("```sql\nSELECT sum(revenue) FROM sales\n```")
	a, err := w.Ask(context.Background(), AskRequest{Question: "What is the total revenue?"})
	var fe *AskFailedError
	if !errors.As(err, &fe) || a == nil || a.SQL != "SELECT sum(revenue) FROM sales" {
		t.Fatalf("answer %+v, error %v", a, err)
	}
	for _, want := range []string{"failed twice", `no table "sales"`, "fix it and run it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestAskMarksNumbersNotInTheResult(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.On("There are 300 customers, 87% of them in Dublin, and 4,321 orders.", "Result")
	s.Otherwise("```sql\nSELECT count(*) AS customers FROM customers\n```")
	a, err := w.Ask(context.Background(), AskRequest{Question: "How many customers are there?"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Unverified) != "[87% 4,321]" ||
		a.Words != "There are 300 customers, 87%"+AskUnverifiedMark+" of them in Dublin, and 4,321"+AskUnverifiedMark+" orders." {
		t.Errorf("words %q, unverified %v", a.Words, a.Unverified)
	}
}

func TestAskClarifies(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.Otherwise("CLARIFY: Do you mean the most revenue or the most orders?")
	a, err := w.Ask(context.Background(), AskRequest{Question: "Who is the best?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Clarify != "Do you mean the most revenue or the most orders?" || a.SQL != "" || a.Rows != nil || len(s.Requests()) != 1 {
		t.Errorf("answer %+v", a)
	}
}

func TestAskSlowAndAbsentOllama(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.Delay = 3 * time.Second
	s.Otherwise("```sql\nSELECT 1\n```")
	old := AskTimeout
	AskTimeout = 300 * time.Millisecond
	defer func() { AskTimeout = old }()
	start := time.Now()
	_, err := w.Ask(context.Background(), AskRequest{Question: "How many customers?"})
	var te *llm.TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "took longer than 300ms") || time.Since(start) > 2*time.Second {
		t.Errorf("slow: %v after %s", err, time.Since(start))
	}

	t.Setenv("OLLAMA_HOST", ollamatest.AbsentURL(t))
	_, err = w.Ask(context.Background(), AskRequest{Question: "How many customers?"})
	var ue *llm.UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "ollama serve") {
		t.Errorf("absent: %v", err)
	}

	// A model that is not installed says how to install it.
	t.Setenv("OLLAMA_HOST", s.URL)
	s.Delay = 0
	_, err = w.Ask(context.Background(), AskRequest{Question: "How many customers?", Model: "mistral"})
	if err == nil || !strings.Contains(err.Error(), "ollama pull mistral") {
		t.Errorf("missing model: %v", err)
	}
}

func TestAskSQLUsesTheSameGuard(t *testing.T) {
	w := askDemo(t, "en")
	ctx := context.Background()
	a, err := w.AskSQL(ctx, "SELECT date_trunc('month', order_date) AS month, sum(amount) AS revenue FROM orders GROUP BY 1 ORDER BY 1;")
	if err != nil {
		t.Fatal(err)
	}
	if a.Chart != AskChartLine || len(a.Rows) < 2 {
		t.Errorf("chart %q, %d rows", a.Chart, len(a.Rows))
	}
	if p, err := AskChart(a); err != nil || p == nil {
		t.Errorf("line chart: %v", err)
	}
	for q, want := range map[string]string{
		"UPDATE orders SET amount = 0":             "only SELECT",
		"SELECT getenv('HOME')":                    "getenv() cannot be used",
		"SELECT * FROM duckdb_tables()":            "duckdb_tables() cannot be used here: questions",
		"SELECT x.y FROM range(3) AS x(y)":         "",
		"SELECT list_transform([1,2], v -> v + 1)": "",
		"SELECT no_such FROM orders":               `no table has a column "no_such"`,
	} {
		_, err := w.AskSQL(ctx, q)
		if (want == "" && err != nil) || (want != "" && (err == nil || !strings.Contains(err.Error(), want))) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestAskPromptsKeepPersonalData asks for personal data outright: the
// answer shows it (the user's own screen), the prompts do not, unless the
// request allows it, which is also the proof that the scan can fail.
func TestAskPromptsKeepPersonalData(t *testing.T) {
	w := askDemo(t, "en")
	s := askOllama(t)
	s.On("The top customer spent the most.", "Result")
	s.Otherwise("```sql\nSELECT c.first_name, c.last_name, c.email AS contact, c.phone, c.customer_id, sum(o.amount) AS spent FROM customers c JOIN orders o USING (customer_id) GROUP BY ALL ORDER BY spent DESC LIMIT 5\n```")
	a, err := w.Ask(context.Background(), AskRequest{Question: "Who are our top 5 customers, with e-mail and phone?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Rows) != 5 || !strings.Contains(fmt.Sprint(a.Rows[0][2]), "@") {
		t.Fatalf("the answer shows the rows: %+v", a.Rows)
	}
	checkPromptsPrivate(t, w, s.Requests())

	n := len(s.Requests())
	if _, err := w.Ask(context.Background(), AskRequest{Question: "Who are our top 5 customers, with e-mail and phone?", AllowValues: true}); err != nil {
		t.Fatal(err)
	}
	if leaks := personalIn(t, w, s.Requests()[n:]); len(leaks) == 0 {
		t.Error("allowed values reached no prompt: the scan cannot see leaks")
	}
}

// checkPromptsPrivate fails when any prompt holds a personal value of the
// project: an e-mail, phone, customer id, push token, openid or full name.
func checkPromptsPrivate(t *testing.T, w *Workspace, reqs []ollamatest.Request) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("no prompts to check")
	}
	if leaks := personalIn(t, w, reqs); len(leaks) > 0 {
		t.Errorf("prompts hold personal data: %v", leaks)
	}
}

var spaceRE = regexp.MustCompile(`\s+`)

func personalIn(t *testing.T, w *Workspace, reqs []ollamatest.Request) []string {
	t.Helper()
	res, err := w.SQL(context.Background(), `SELECT * FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, row := range res.Rows {
		m := map[string]string{}
		for i, c := range res.Columns {
			m[c] = row[i]
		}
		for _, c := range []string{"email", "phone", "customer_id", "push_token", "wechat_openid"} {
			if v := m[c]; len(v) > 4 {
				values = append(values, v)
			}
		}
		values = append(values, m["first_name"]+" "+m["last_name"], m["last_name"]+m["first_name"])
	}
	var leaks []string
	for _, r := range reqs {
		text := spaceRE.ReplaceAllString(r.All, " ")
		for _, v := range values {
			if strings.Contains(text, v) {
				leaks = append(leaks, v)
			}
		}
	}
	return leaks
}

// An error message given back to the model keeps what the query says and
// hides values of the data it quotes.
func TestAskRetryHidesQuotedValues(t *testing.T) {
	got := withholdQuoted(`Conversion Error: Could not convert string 'ann@example.org' to INT32 in "email"`, `SELECT email::INT FROM customers WHERE city = 'Dublin'`)
	if want := `Conversion Error: Could not convert string '…' to INT32 in "email"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
