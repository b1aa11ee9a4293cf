package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func jsonOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return m
}

// The commands the issue names, on the real Telco churn data.
func TestModelCommandsOnTelco(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "telco.mbproj")
	ok(t, "init", proj)
	ok(t, "-p", proj, "import", "../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv", "--table", "telco")

	out := ok(t, "-p", proj, "--json", "model", "train", "--table", "telco", "--target", "Churn", "--algo", "logreg", "--test-size", "0.2", "--seed", "42")
	m := jsonOf(t, out)
	for _, k := range []string{"auc", "accuracy", "logloss"} {
		v, isNum := m[k].(float64)
		if !isNum || v <= 0 || v >= 1 {
			t.Errorf("%s = %v", k, m[k])
		}
	}
	if auc := m["auc"].(float64); auc < 0.8 {
		t.Errorf("Telco logistic AUC %v", auc)
	}
	human := ok(t, "-p", proj, "model", "train", "--table", "telco", "--target", "Churn", "--algo", "tree", "--name", "telco_tree")
	for _, want := range []string{"ROC AUC", "Rules:", "IF ", "Contract"} {
		if !strings.Contains(human, want) {
			t.Errorf("tree output lacks %q:\n%s", want, human)
		}
	}
	// StreamingTV's "No internet service" repeats InternetService = No:
	// ordinary least squares refuses, naming the columns; ridge copes.
	_, errs, _ := run(t, "-p", proj, "model", "train", "--table", "telco", "--target", "MonthlyCharges", "--features", "tenure,InternetService,StreamingTV,StreamingMovies,PhoneService", "--algo", "linreg")
	if !strings.Contains(errs, "StreamingTV=No internet service is fully determined by") {
		t.Errorf("collinear features: %s", errs)
	}
	out = ok(t, "-p", proj, "--json", "model", "train", "--table", "telco", "--target", "MonthlyCharges", "--features", "tenure,InternetService,StreamingTV,StreamingMovies,PhoneService", "--algo", "linreg", "--alpha", "0.001")
	m = jsonOf(t, out)
	if r2, _ := m["r2"].(float64); r2 < 0.8 {
		t.Errorf("MonthlyCharges R² %v (the services price the plan)", m["r2"])
	}
	if _, has := m["rmse"]; !has {
		t.Error("no rmse")
	}
	out = ok(t, "-p", proj, "--json", "model", "train", "--table", "telco", "--target", "Churn", "--algo", "forest", "--trees", "20", "--name", "telco_forest")
	if auc := jsonOf(t, out)["auc"].(float64); auc < 0.8 {
		t.Errorf("forest AUC %v", auc)
	}

	// Feature ranking: on Telco the contract type and tenure say the most.
	var ranks []struct {
		Feature string
		Mi      float64 `json:"mutual_info"`
	}
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "model", "features", "--table", "telco", "--target", "Churn")), &ranks)
	if len(ranks) < 10 || (ranks[0].Feature != "Contract" && ranks[0].Feature != "tenure") || ranks[0].Mi <= ranks[len(ranks)-1].Mi {
		t.Errorf("feature ranking %v", ranks)
	}

	list := ok(t, "-p", proj, "model", "list")
	for _, want := range []string{"churn_logreg", "telco_tree", "telco_forest", "monthlycharges_linreg"} {
		if !strings.Contains(strings.ToLower(list), want) {
			t.Errorf("list lacks %s:\n%s", want, list)
		}
	}
	out = ok(t, "-p", proj, "--json", "model", "score", "telco_forest")
	if n := jsonOf(t, out)["customers"].(float64); n != 7043 {
		t.Errorf("scored %v customers", n)
	}
	if n := strings.TrimSpace(ok(t, "-p", proj, "segment", "count", "--table", "telco", "--rule", "score_telco_forest > 0.5 AND Contract = 'Month-to-month'")); n == "0" {
		t.Error("no month-to-month customer above 0.5")
	}
	expl := ok(t, "-p", proj, "model", "explain", "telco_forest", "--customer", "7590-VHVEG")
	if !strings.Contains(expl, "score") || !strings.Contains(expl, "likely") {
		t.Errorf("explanation:\n%s", expl)
	}
	ev := jsonOf(t, ok(t, "-p", proj, "--json", "model", "evaluate", "telco_tree"))
	if ev["auc"].(float64) <= 0.5 {
		t.Errorf("evaluate %v", ev)
	}

	out = ok(t, "-p", proj, "--json", "model", "cluster", "--table", "telco", "--features", "tenure,MonthlyCharges,TotalCharges", "--k", "3")
	c := jsonOf(t, out)
	sizes := c["sizes"].([]any)
	total := 0.0
	for _, s := range sizes {
		total += s.(float64)
	}
	if len(sizes) != 3 || total != 7043 || c["inertia"].(float64) <= 0 {
		t.Errorf("cluster %v", c)
	}

	// Errors are one line, in words, and create nothing.
	for _, bad := range [][]string{
		{"model", "train", "--table", "telco", "--target", "customerID"},
		{"model", "train", "--table", "telco", "--target", "Churn", "--features", "customerID"},
		{"model", "train", "--table", "telco", "--target", "Churn", "--algo", "svm"},
		{"model", "train", "--table", "nope", "--target", "Churn"},
		{"model", "score", "nope"},
		{"model", "explain", "telco_forest", "--customer", "nobody"},
		{"model", "train", "--table", "telco", "--target", "Churn", "--name", "telco_tree"},
	} {
		_, errs, code := run(t, append([]string{"-p", proj}, bad...)...)
		if code == 0 || strings.Count(strings.TrimSpace(errs), "\n") > 0 || !strings.HasPrefix(errs, "marketbench: ") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
	if l := jsonOf(t, `{"l":`+ok(t, "-p", proj, "--json", "model", "list")+`}`)["l"].([]any); len(l) != 4 {
		t.Errorf("%d models after the failed commands, want 4", len(l))
	}
}

func TestTextCommands(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "t.mbproj")
	ok(t, "init", proj)
	var b strings.Builder
	b.WriteString("id,customer_id,review,topic\n")
	good := []string{"great product, works well", "love it, excellent quality", "very happy with this", "fast delivery and great service"}
	bad := []string{"terrible, broke after a day", "awful quality, very disappointed", "worst purchase ever", "slow delivery and rude service"}
	for i := range 40 {
		b.WriteString(strings.Join([]string{itoa(2 * i), "c" + itoa(i%5), `"` + good[i%4] + `"`, "praise"}, ",") + "\n")
		b.WriteString(strings.Join([]string{itoa(2*i + 1), "c" + itoa(i%5), `"` + bad[i%4] + `"`, "complaint"}, ",") + "\n")
	}
	b.WriteString("80,c0,\"质量很好\",praise\n") // Chinese: the Chinese model scores it
	f := filepath.Join(dir, "reviews.csv")
	os.WriteFile(f, []byte(b.String()), 0o644)
	ok(t, "-p", proj, "import", f, "--table", "reviews")

	s := jsonOf(t, ok(t, "-p", proj, "--json", "text", "sentiment", "--table", "reviews", "--column", "review"))
	labels := s["result"].(map[string]any)["labels"].(map[string]any)
	if labels["positive"].(float64) < 30 || labels["negative"].(float64) < 30 {
		t.Errorf("built-in sentiment labels %v", labels)
	}
	if zh := strings.TrimSpace(ok(t, "-p", proj, "sql", "SELECT review_sentiment_label FROM reviews WHERE id = 80")); !strings.HasSuffix(zh, "positive") {
		t.Errorf("Chinese review 质量很好 labelled %s, want positive", zh)
	}
	n := strings.TrimSpace(ok(t, "-p", proj, "sql", "SELECT count(*) FROM reviews WHERE topic = 'complaint' AND review_sentiment_label = 'negative'"))
	if !strings.HasSuffix(n, "40") && !strings.HasSuffix(n, "39") && !strings.HasSuffix(n, "38") {
		t.Errorf("complaints labelled negative: %s", n)
	}
	kw := ok(t, "-p", proj, "text", "keywords", "--table", "reviews", "--column", "review", "--where", "topic = 'complaint'", "--k", "5")
	if !strings.Contains(kw, "40 texts in the group, 41 others") {
		t.Errorf("keywords:\n%s", kw)
	}
	tr := jsonOf(t, ok(t, "-p", proj, "--json", "text", "train", "--table", "reviews", "--column", "review", "--label", "topic", "--name", "topics"))
	if acc := tr["eval"].(map[string]any)["accuracy"].(float64); acc < 0.9 {
		t.Errorf("text classifier accuracy %v", acc)
	}
	cl := jsonOf(t, ok(t, "-p", proj, "--json", "text", "classify", "topics", "--table", "reviews", "--column", "review"))
	if cl["rows"].(float64) != 81 {
		t.Errorf("classify %v", cl)
	}
	if !strings.Contains(ok(t, "-p", proj, "text", "models"), "topics") {
		t.Error("text models lacks topics")
	}
	if _, errs, code := run(t, "-p", proj, "text", "sentiment", "--table", "reviews", "--column", "nope"); code == 0 || !strings.Contains(errs, `no column "nope"`) {
		t.Errorf("bad column: %d %s", code, errs)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// The Hillstrom e-mail test through the product: both e-mails lift visits
// and conversions far beyond chance against No E-Mail.
func TestAbtestHillstrom(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "h.mbproj")
	ok(t, "init", proj)
	ok(t, "-p", proj, "import", "../../testdata/real/hillstrom.csv.gz", "--table", "hillstrom")
	out := ok(t, "-p", proj, "--json", "abtest", "hillstrom", "--variant", "segment", "--control", "No E-Mail", "--metric", "visit", "--metric", "conversion", "--revenue", "spend")
	var res struct {
		Reports map[string]struct {
			Control struct {
				N, Conversions int64
			}
			Variants []struct {
				Variant struct {
					Name           string
					N, Conversions int64
				}
				ZTest       struct{ P float64 } `json:"z_test"`
				Significant bool
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]map[string][2]int64{ // group → (customers, outcomes)
		"visit":      {"No E-Mail": {21306, 2262}, "Mens E-Mail": {21307, 3894}, "Womens E-Mail": {21387, 3238}},
		"conversion": {"No E-Mail": {21306, 122}, "Mens E-Mail": {21307, 267}, "Womens E-Mail": {21387, 189}},
	}
	for metric, groups := range want {
		r, ok := res.Reports[metric]
		if !ok {
			t.Fatalf("no %s report:\n%s", metric, out)
		}
		if got := [2]int64{r.Control.N, r.Control.Conversions}; got != groups["No E-Mail"] {
			t.Errorf("%s control %v", metric, got)
		}
		for _, v := range r.Variants {
			if got := [2]int64{v.Variant.N, v.Variant.Conversions}; got != groups[v.Variant.Name] {
				t.Errorf("%s %s: %v, want %v", metric, v.Variant.Name, got, groups[v.Variant.Name])
			}
			if !v.Significant || v.ZTest.P > 1e-3 {
				t.Errorf("%s %s: p %v significant %v", metric, v.Variant.Name, v.ZTest.P, v.Significant)
			}
		}
	}
	// Planning: 5% → 6% at 80% power needs about 8,160 per group (the
	// usual two-proportion formula).
	var plan struct {
		PerGroup int64 `json:"per_group"`
	}
	json.Unmarshal([]byte(ok(t, "--json", "abtest-plan", "--baseline", "0.05", "--mde", "0.01")), &plan)
	if plan.PerGroup < 8100 || plan.PerGroup > 8200 {
		t.Errorf("plan %d per group", plan.PerGroup)
	}
	human := ok(t, "-p", proj, "abtest", "hillstrom", "--variant", "segment", "--control", "No E-Mail", "--metric", "conversion")
	if !strings.Contains(human, "1.25%") || !strings.Contains(human, "0.57%") {
		t.Errorf("readout:\n%s", human)
	}
}
