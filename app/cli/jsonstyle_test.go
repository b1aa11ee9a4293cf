package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/eval"
	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/storage"
)

var (
	jsonKey     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	numericText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
	dateLike    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$`)
	arrayIndex  = regexp.MustCompile(`\[[0-9]+\]`)
)

// textKeys hold text that may look like a number: identifiers, versions,
// hashes and the values of text columns.
var textKeys = map[string]bool{"customer_id": true, "customer": true, "id": true, "version": true, "sha256": true,
	"value": true, "to": true, "detail": true, "text": true, "column": true, "name": true, "default": true,
	"product_id": true, "product": true, "product_name": true, "deleted": true,
	"unverified": true, "key_id": true, "signer_key_id": true, "previous_key_id": true, "trusted_key_id": true}

// checkJSONStyle checks out against docs/CLI.md: one JSON document whose
// keys are snake_case, whose measures are numbers and whose dates and
// times are ISO 8601 (YYYY-MM-DD or RFC 3339). Keys below a data key
// (a column name, a label) are the data's own and not checked.
func checkJSONStyle(t *testing.T, cmd, out string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Errorf("%s: not JSON: %v\n%.300s", cmd, err, out)
		return
	}
	if dec.More() {
		t.Errorf("%s: more than one JSON document", cmd)
	}
	seen := map[string]bool{}
	fail := func(path, format string, args ...any) {
		// One error per place, not per row.
		if p := arrayIndex.ReplaceAllString(path, "[]"); !seen[p] {
			seen[p] = true
			t.Errorf(cmd+": "+format, args...)
		}
	}
	var walk func(path, key string, v any)
	walk = func(path, key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if !jsonKey.MatchString(k) && !dataMaps[key] {
					fail(path+"."+k, "key %q at %s is not snake_case", k, path)
				}
				walk(path+"."+k, k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), key, e)
			}
		case string:
			switch {
			case numericText.MatchString(x) && !textKeys[key] && !dataMaps[key]:
				fail(path, "%s = %q is a number written as text", path, x)
			case dateLike.MatchString(x):
				if _, err := time.Parse(time.DateOnly, x); err == nil {
					break
				}
				if _, err := time.Parse(time.RFC3339, x); err != nil {
					fail(path, "%s = %q is neither YYYY-MM-DD nor RFC 3339", path, x)
				}
			}
		}
	}
	walk("", "", v)
}

// dataMaps are the objects keyed by names from the data or the campaign
// (docs/CLI.md lists them): column names, variant names, exclusion reasons,
// labels, metrics.
var dataMaps = map[string]bool{"roles": true, "groups": true, "planned": true, "by_variant": true, "excluded": true, "reasons": true,
	"labels": true, "reports": true, "renamed": true, "problems": true, "notes": true, "undelivered": true,
	"by_table": true}

// Every command with --json writes the one style of docs/CLI.md. The test
// runs every command of the CLI (it fails when a new command is not added
// here) on a small demo project, with the bundled plugins and a local
// webhook receiver.
func TestJSONStyleEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook", "csv-folder"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, t.TempDir())
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // sealed projects' working folders
	// secret set/list/delete need a keyring: a private one, or they are
	// left out (saying why) where it cannot run.
	noKeyring := keyringtest.Missing()
	if noKeyring == "" {
		keyringtest.Start(t)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	defer hook.Close()
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-05-10T08:06:48.639712648-07:00","size":2019393189,"digest":"a80c","details":{"format":"gguf","family":"llama","parameter_size":"3.2B","quantization_level":"Q4_K_M"}}]}`)
	}))
	defer ollama.Close()
	// segment describe: a fake Ollama that writes a rule.
	describer := ollamatest.New(t)
	describer.Otherwise("RULE: amount > 100\nUNMAPPED: none")
	writer := ollamatest.New(t)
	writer.Otherwise("Champions buy often and recently; thank them first.")
	asker := ollamatest.New(t)
	asker.On("Most orders came through one channel, 2 of them [made up].", "Result")
	asker.Otherwise("```sql\nSELECT channel, count(*) AS orders FROM orders GROUP BY ALL ORDER BY 2 DESC\n```")
	t.Setenv("OLLAMA_HOST", asker.URL)

	dir := t.TempDir()
	proj := filepath.Join(dir, "demo.mbproj")
	w, err := core.CreateDemo(context.Background(), proj, core.DemoOptions{Customers: 1500, Orders: 12000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	events := filepath.Join(dir, "events")
	os.MkdirAll(events, 0o755)
	os.WriteFile(filepath.Join(events, "a.csv"), []byte("customer_id,event\nC1,open\nC2,click\n"), 0o644)
	labelled := filepath.Join(dir, "labelled.csv")
	var lb strings.Builder
	lb.WriteString("id,customer_id,review,topic,variant,visit,spend\n")
	for i := range 60 {
		topic, text := "praise", "great product, works well"
		if i%2 == 1 {
			topic, text = "complaint", "awful quality, very disappointed"
		}
		fmt.Fprintf(&lb, "%d,c%d,%q,%s,%s,%d,%d.5\n", i, i, text, topic, []string{"control", "email"}[i%2], i%3/2, i%7)
	}
	os.WriteFile(labelled, []byte(lb.String()), 0o644)
	experiment := filepath.Join(dir, "experiment.csv")
	var ex strings.Builder
	ex.WriteString("customer_id,grp,age,visits,bought,spend\n")
	for i := range 600 {
		grp := []string{"none", "email"}[i%2]
		// The e-mail works for young customers: uplift to learn.
		bought := (i*7919)%100 < 25+map[bool]int{true: 30}[grp == "email" && (i/2)%3 == 0]
		fmt.Fprintf(&ex, "x%d,%s,%d,%d,%t,%d\n", i, grp, 20+(i/2)%3*20, i%11, bought, map[bool]int{true: 40}[bought])
	}
	os.WriteFile(experiment, []byte(ex.String()), 0o644)
	var ids struct{ Rows [][]any }
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "sql", "SELECT customer_id FROM customers ORDER BY 1 LIMIT 50")), &ids)
	responses := filepath.Join(dir, "responses.csv")
	var rb strings.Builder
	rb.WriteString("customer_id,event,value\n")
	for _, r := range ids.Rows {
		fmt.Fprintf(&rb, "%v,conversion,10\n", r[0])
	}
	os.WriteFile(responses, []byte(rb.String()), 0o644)
	var customer, buyer, product string
	// An installable plugin: the bundled webhook under an id outside
	// marketbench.org/ (which is kept for bundled plugins).
	pluginDir := filepath.Join(dir, "thirdparty")
	os.MkdirAll(pluginDir, 0o755)
	for _, f := range []string{"plugin.json", "webhook"} {
		b, err := os.ReadFile(filepath.Join(bundled, "webhook", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "plugin.json" {
			b = []byte(strings.Replace(string(b), `"marketbench.org/webhook"`, `"example.com/webhook"`, 1))
		}
		os.WriteFile(filepath.Join(pluginDir, f), b, 0o755)
	}
	const webhook = "marketbench.org/webhook"
	journeyFile := filepath.Join(dir, "journey.json")
	os.WriteFile(journeyFile, []byte(`{"trigger": {"kind": "segment_enter", "segment": "Big", "include_existing": true},
		"steps": [{"id": "hi", "kind": "send", "plugin": "`+webhook+`", "component": "webhook",
			"variants": [{"name": "A", "percent": 100, "subject": "Hi", "text": "Hello"}]},
			{"id": "later", "kind": "wait", "duration": "1d"}]}`), 0o644)

	// A plugin module for 'plugin dev' (built with go build).
	devDir := filepath.Join(dir, "devplugin")
	os.MkdirAll(devDir, 0o755)
	devModule(t, devDir, "JSON-STYLE")
	// llm eval measures an assistant that answers every question "1".
	useEvalAsker(t, func(context.Context, *core.Workspace, string, string) (*eval.Answer, error) {
		return &eval.Answer{SQL: "SELECT 1", Columns: []string{"1"}, Rows: [][]any{{1}}}, nil
	}, core.DemoOptions{Customers: 300, Orders: 2000, Products: 40})
	steps := [][]string{
		{"init", filepath.Join(dir, "new.mbproj")},
		{"import", labelled, "--preview"},
		{"import", labelled, "--table", "labelled"},
		{"tables"},
		{"rows", "orders", "--limit", "3"},
		{"profile", "orders"},
		{"roles", "orders"},
		{"clean", "labelled", "--preview", "--step", `{"op":"drop_missing","column":"review"}`},
		{"clean", "labelled", "--step", `{"op":"trim","column":"review"}`, "--save-as", "tidy"},
		{"sql", "SELECT order_date, amount, 1.5::DOUBLE AS x, now() AS t, true AS b FROM orders LIMIT 2"},
		{"export", "orders", filepath.Join(dir, "orders.csv")},
		{"export", "orders", filepath.Join(dir, "anon.csv"), "--anonymise", "--k", "2", "--quasi", "order_date", "--suppress"},
		{"export", "orders", filepath.Join(dir, "pseudo.csv"), "--pseudonymise", "--keep-lookup", filepath.Join(dir, "lookup.csv")},
		{"segment", "rfm"},
		{"segment", "create", "Big", "--table", "orders", "--rule", "amount > 100"},
		{"segment", "count", "--rule", "amount > 100", "--table", "orders"},
		{"segment", "describe", "Bigger", "orders over 100", "--table", "orders", "--url", describer.URL},
		{"segment", "list"},
		{"segment", "evaluate", "Big"},
		{"chart", "segments", "--out", filepath.Join(dir, "s.png")},
		{"model", "train", "--outcome", "churn", "--algo", "logreg", "--name", "churn"},
		{"model", "list"},
		{"model", "evaluate", "churn"},
		{"model", "score", "churn"},
		{"model", "explain", "churn", "--customer", "CUSTOMER"},
		{"model", "retrain", "churn", "--min-gain", "0.01"},
		{"model", "drift", "churn"},
		{"model", "history", "churn"},
		{"model", "schedule", "churn", "--retrain", "0 3 * * SUN"},
		{"model", "features", "--table", "churn_training", "--target", "churned"},
		{"model", "cluster", "--table", "rfm_scores", "--k", "3", "--name", "c3"},
		{"model", "target", "--outcome", "purchase"},
		{"explain", "model", "churn", "--url", writer.URL},
		{"model", "delete", "churn"},
		{"text", "sentiment", "--table", "reviews", "--column", "review_text"},
		{"text", "themes", "--table", "reviews", "--column", "review_text", "--offline", "--k", "3", "--show-text"},
		{"text", "keywords", "--table", "labelled", "--column", "review", "--where", "topic = 'complaint'"},
		{"text", "train", "--table", "labelled", "--column", "review", "--label", "topic", "--name", "topics"},
		{"text", "classify", "topics", "--table", "labelled", "--column", "review"},
		{"text", "models"},
		{"copy", "generate", "--segment", "Big", "--channel", "sms", "--offline", "-n", "1"},
		{"copy", "models", "--url", ollama.URL},
		{"copy", "settings"},
		{"copy", "prompts"},
		{"llm", "eval", "--questions", "en", "--model", "qwen2.5:7b"},
		{"explain", "segment", "Champions", "--url", writer.URL},
		{"ask", "How many orders per channel?"},
		{"plugin", "list"},
		{"plugin", "enable", webhook},
		{"plugin", "approve", webhook},
		{"plugin", "check", webhook, "--component", "webhook", "--config", "url=" + hook.URL},
		{"plugin", "settings", webhook, "--component", "webhook", "--config", "url=" + hook.URL},
		{"plugin", "logs", webhook},
		{"secret", "set", webhook, "authorization", "--component", "webhook"},
		{"secret", "list"},
		{"secret", "delete", webhook, "authorization", "--component", "webhook"},
		{"plugin", "enable", "marketbench.org/csv-folder"},
		{"source-import", "marketbench.org/csv-folder/folder", "--stream", "events", "--table", "events", "--config", "folder=" + events},
		{"campaign", "create", "Spring", "--segment", "Big", "--channel", webhook + "/webhook", "--holdout", "10",
			"--variant", "A|50|Hi {{.first_name}}|Hello.", "--variant", "B|50|Hey|Hello."},
		{"campaign", "list"},
		{"campaign", "preview", "Spring"},
		{"campaign", "send", "Spring"},
		{"campaign", "send", "Spring", "--live"},
		{"campaign", "resume", "Spring"},
		{"campaign", "status", "Spring"},
		{"campaign", "unknown", "Spring"},
		{"campaign", "resolve", "Spring", "--sent"},
		{"campaign", "import-results", "Spring", responses},
		{"campaign", "results", "Spring"},
		{"explain", "campaign", "Spring", "--url", writer.URL},
		{"campaign", "suppress", "nobody@example.com"},
		{"campaign", "receipts", "Spring"},
		{"campaign", "delete", "Spring"},
		{"journey", "create", "Welcome", "--file", journeyFile},
		{"journey", "list"},
		{"automate", "run", "--dry-run"},
		// A rule the run applies (its JSON has the day's retention).
		{"privacy", "retain", "set", "reviews", "--column", "review_date", "--months", "6", "--action", "delete"},
		{"automate", "run", "--now", "2026-12-06T10:00"},
		{"journey", "import-results", "Welcome", "hi", responses},
		{"journey", "show", "Welcome"},
		{"explain", "journey", "Welcome", "--url", writer.URL},
		{"journey", "pause", "Welcome"},
		{"journey", "resume", "Welcome"},
		{"journey", "delete", "Welcome"},
		{"abtest", "labelled", "--variant", "variant", "--control", "control", "--metric", "visit", "--revenue", "spend"},
		{"abtest-plan", "--baseline", "0.05", "--mde", "0.01"},
		{"plugin", "disable", webhook},
		{"plugin", "revoke", webhook},
		{"plugin", "install", pluginDir},
		{"plugin", "new", "scaffolded", "--kind", "source", "--dir", filepath.Join(dir, "scaffolded")},
		// A team registry: the same plugin published, signed, found,
		// installed and updated from it.
		{"plugin", "keygen", "--out", filepath.Join(dir, "keys", "team.key")},
		{"plugin", "publish", pluginDir, "--to", filepath.Join(dir, "registry"), "--key", filepath.Join(dir, "keys", "team.key"), "--changelog", "First."},
		{"plugin", "search", "--from", filepath.Join(dir, "registry")},
		{"plugin", "install", "example.com/webhook", "--from", filepath.Join(dir, "registry")},
		{"plugin", "update", "--from", filepath.Join(dir, "registry")},
		{"plugin", "trust-signer", "example.com/webhook", filepath.Join(dir, "keys", "team.pub")},
		{"plugin", "uninstall", "example.com/webhook"},
		{"plugin", "dev", devDir},
		{"segment", "delete", "Big"},
		{"log"},
		{"project", "currency", "EUR"},
		{"policy", "set", "--cap", "1/24h", "--cap", webhook + "/webhook=2/7d", "--quiet", "21:00-08:00", "--time-zone", "Asia/Shanghai"},
		{"policy", "show"},
		{"privacy", "scan"},
		{"privacy", "scan", "customers", "--sample", "200"},
		{"privacy", "retain", "set", "orders", "--column", "order_date", "--months", "18", "--action", "aggregate"},
		{"privacy", "retain", "list"},
		{"privacy", "retain", "--dry-run"},
		{"privacy", "report"},
		{"recommend", "evaluate", "--orders", "orders", "--split-date", "2026-06-01", "--k", "5"},
		{"basket", "rules", "--orders", "orders", "--min-support", "0.001", "--min-confidence", "0.01"},
		{"recommend", "train", "--orders", "orders"},
		{"recommend", "list"},
		{"recommend", "score", "--top", "3", "--link", "https://shop.example/p/{product_id}"},
		{"recommend", "show", "BUYER"},
		{"recommend", "similar", "PRODUCT"},
		{"recommend", "buyers", "PRODUCT", "--top", "5", "--segment", "Likely buyers"},
		{"recommend", "best-sellers", "--orders", "orders", "--top", "5"},
		{"recommend", "delete", "default"},
		{"clv", "fit", "--orders", "orders", "--calibration-end", "2026-04-30"},
		{"clv", "score", "--horizon", "26", "--margin", "0.3"},
		{"import", experiment, "--table", "experiment"},
		{"uplift", "train", "--table", "experiment", "--treatment", "grp", "--treated", "email", "--control", "none", "--outcome", "bought",
			"--revenue", "spend", "--features", "age,visits"},
		{"nba", "plan", "--action", "Email:uplift_email:40:0.5", "--action", "Rich:uplift_email:clv:1", "--budget", "50", "--save", "NBA"},
		{"cohorts", "--orders", "orders", "--by", "month", "--segment", "Champions", "--compare", "Lost", "--cohort-pair", "2024-11-01,2024-12-01"},
		{"cohorts", "--orders", "orders", "--save-segment", "November cohort", "--cohort", "2024-11-01"},
		{"forecast", "--orders", "orders", "--by", "month", "--horizon", "3"},
		{"chart", "cohorts", "--out", filepath.Join(dir, "c.png")},
		{"chart", "forecast", "--by", "week", "--metric", "orders", "--out", filepath.Join(dir, "f.svg")},
		{"project", "safe-copy", proj, filepath.Join(dir, "copy.mbproj")},
		// Sealing the copy, its status, and back.
		{"privacy", "seal", filepath.Join(dir, "copy.mbproj"), "--passphrase-stdin"},
		{"privacy", "seal", "--status", filepath.Join(dir, "copy.mbproj")},
		{"privacy", "unseal", filepath.Join(dir, "copy.mbproj"), "--passphrase-stdin"},
		{"demo", "--out", filepath.Join(dir, "demo-out")},
		// The OS schedule: --print writes the units under the test's
		// XDG_CONFIG_HOME and enables nothing.
		{"automate", "install", "--print"},
		{"automate", "status"},
		{"automate", "uninstall"},
		{"privacy", "consent", "set", "--customer", "CUSTOMER", "--channel", "email", "--granted=false", "--source", "phone call", "--proof", "call 10:02"},
		{"privacy", "consent", "import", filepath.Join(dir, "consent.csv"), "--channel", "sms", "--source", "web form"},
		{"privacy", "consent", "history", "--customer", "CUSTOMER"},
		{"privacy", "consent", "totals"},
		// These rewrite the project file (retain when it removes rows).
		{"privacy", "retain"},
		{"privacy", "retain", "remove", "orders"},
		{"erase", "--customer", "CUSTOMER", "--yes"},
	}
	ran := map[string]bool{}
	for _, s := range steps {
		for i := range s {
			s[i] = strings.ReplaceAll(s[i], "CUSTOMER", customer)
			s[i] = strings.ReplaceAll(s[i], "BUYER", buyer)
			s[i] = strings.ReplaceAll(s[i], "PRODUCT", product)
		}
		if len(s) > 3 && s[1] == "consent" && s[2] == "import" {
			os.WriteFile(s[3], []byte("customer_id,consent,date,proof\n"+customer+",yes,2026-12-01 10:00,form 12\n"), 0o644)
		}
		if s[0] == "campaign" && s[1] == "unknown" {
			// A delivery of unknown fate, as a crash leaves it.
			w, err := core.Open(proj)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.DB().Exec(`UPDATE mb_deliveries SET status = 'unknown' WHERE customer_id = (SELECT min(customer_id) FROM mb_deliveries WHERE status = 'delivered')`); err != nil {
				t.Fatal(err)
			}
			w.Close()
		}
		args := append([]string{"-p", proj, "--json"}, s...)
		stdin := ""
		if s[0] == "secret" || slices.Contains(s, "--pseudonymise") {
			if noKeyring != "" {
				t.Logf("%v not run: %s", s, noKeyring)
				ran[strings.Join(s[:2], " ")] = true
				continue
			}
			stdin = "Bearer style-test\n"
		}
		if slices.Contains(s, "--passphrase-stdin") {
			stdin = "style test passphrase\n"
		}
		out, errs, code := runIn(t, stdin, args...)
		name := strings.Join(s, " ")
		if code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, errs)
			continue
		}
		checkJSONStyle(t, name, out)
		for n := len(s); n > 0; n-- {
			ran[strings.Join(s[:n], " ")] = true
		}
		switch {
		case s[0] == "model" && (s[1] == "train" || s[1] == "evaluate"):
			// The ROC curve's points only with --curves.
			if strings.Contains(out, `"roc"`) {
				t.Errorf("%s: ROC points without --curves", name)
			}
			if s[1] == "evaluate" {
				if curves := ok(t, append(args, "--curves")...); strings.Count(curves, `"x"`) < 20 {
					t.Errorf("%s --curves: no ROC points:\n%.500s", name, curves)
				}
			}
		case s[0] == "model" && s[1] == "score":
			var one struct{ Rows [][]any }
			json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "sql", "SELECT customer_id FROM model_scores LIMIT 1")), &one)
			customer = fmt.Sprint(one.Rows[0][0])
		case s[0] == "recommend" && s[1] == "score":
			var one struct{ Rows [][]any }
			json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "sql", "SELECT customer_id, product_id FROM recommendations WHERE rank = 1 AND reason LIKE 'because%' LIMIT 1")), &one)
			buyer, product = fmt.Sprint(one.Rows[0][0]), fmt.Sprint(one.Rows[0][1])
		}
	}
	for _, leaf := range leafCommands((&env{}).root(), nil) {
		if !ran[strings.Join(leaf, " ")] {
			t.Errorf("%q is not run by this test: add it to the steps", strings.Join(leaf, " "))
		}
	}
}

// The conversion behind the style, on the kinds of values commands emit.
func TestJSONValue(t *testing.T) {
	type inner struct{ RowsAfter sql.NullInt64 }
	type tagged struct {
		Keep  string `json:"keep_me"`
		Skip  string `json:"-"`
		Empty string `json:",omitempty"`
	}
	v := struct {
		inner
		tagged
		AvgRecency float64
		CustomerID string
		AOV        float64
		SHA256     string
		Undefined  float64
		Missing    sql.NullInt64
		At         time.Time
		Never      time.Time
		List       []string
		ByVariant  map[string]int
		Cells      storage.Result
	}{
		inner: inner{RowsAfter: sql.NullInt64{Int64: 7, Valid: true}}, tagged: tagged{Keep: "k", Skip: "s"},
		AvgRecency: 1.5, CustomerID: "C1", AOV: 2, SHA256: "ab", Undefined: math.NaN(),
		At:        time.Date(2024, 3, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		ByVariant: map[string]int{"Variant A": 3},
		Cells:     storage.Result{Columns: []string{"n", "d", "b", "s"}, Types: []string{"DECIMAL(10,2)", "DATE", "BOOLEAN", "VARCHAR"}, Rows: [][]string{{"12.50", "2024-03-15", "true", "7"}, {"", "", "", ""}}},
	}
	b, err := json.Marshal(jsonValue(v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"aov":2,"at":"2024-03-15T02:00:00Z","avg_recency":1.5,"by_variant":{"Variant A":3},` +
		`"cells":{"columns":["n","d","b","s"],"rows":[[12.50,"2024-03-15",true,"7"],[null,null,null,""]],"truncated":false,"types":["DECIMAL(10,2)","DATE","BOOLEAN","VARCHAR"]},` +
		`"customer_id":"C1","keep_me":"k","list":[],"missing":null,"never":null,"rows_after":7,"sha256":"ab","undefined":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
