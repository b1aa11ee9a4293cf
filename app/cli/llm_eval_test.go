package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/eval"
	"github.com/marketbench/marketbench/app/core/eval/evaltest"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// useEvalAsker makes `llm eval` ask through a minimal real path to the
// fake Ollama, as the assistant will, until the test ends.
func useEvalAsker(t *testing.T, a eval.Asker, demo core.DemoOptions) {
	t.Helper()
	old, oldDemo := evalAsker, evalDemo
	evalAsker, evalDemo = a, demo
	t.Cleanup(func() { evalAsker, evalDemo = old, oldDemo })
}

// `llm eval --json` against a fake Ollama that answers 45 questions with
// their expected SQL and 5 wrongly: accuracy 0.9 exactly, the five named.
func TestLLMEvalCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("creates both demo projects")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	s := ollamatest.New(t)
	wrong := map[string]string{
		"en04": "SELECT median(amount) FROM orders",
		"en10": "SELECT channel, count(DISTINCT customer_id) FROM orders GROUP BY 1",
		"en19": "SELECT city, count(*) AS n FROM customers WHERE country = 'United Kingdom' GROUP BY city ORDER BY n ASC LIMIT 3",
		"zh08": "SELECT count(*) FROM orders WHERE order_date >= DATE '2026-08-01' AND order_date < DATE '2026-09-01'",
		"zh25": "SELECT customer_id FROM rfm_scores WHERE rfm_segment = '一般价值客户'",
	}
	if err := evaltest.Script(s, wrong); err != nil {
		t.Fatal(err)
	}
	// The assistant users have (marketbench ask), finding the fake through
	// OLLAMA_HOST.
	t.Setenv("OLLAMA_HOST", s.URL)
	useEvalAsker(t, eval.Assistant, core.DemoOptions{})
	out := ok(t, "--json", "llm", "eval", "--model", "qwen2.5:7b")
	checkJSONStyle(t, "llm eval", out)
	var rep struct {
		Model     string
		Questions int
		Correct   int
		Accuracy  float64
		ByLang    []struct {
			Lang     string
			Accuracy float64
		} `json:"by_lang"`
		Items []struct {
			ID      string
			Correct bool
			Reason  string
			Seconds float64
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Accuracy != 0.9 || rep.Questions != 50 || rep.Correct != 45 || rep.Model != "qwen2.5:7b" || len(rep.ByLang) != 2 {
		t.Fatalf("accuracy %v (%d of %d), model %q, %d languages", rep.Accuracy, rep.Correct, rep.Questions, rep.Model, len(rep.ByLang))
	}
	var failed []string
	for _, it := range rep.Items {
		if !it.Correct {
			failed = append(failed, it.ID)
			if it.Reason == "" {
				t.Errorf("%s: no reason", it.ID)
			}
		}
	}
	if !slices.Equal(failed, []string{"en04", "en10", "en19", "zh08", "zh25"}) {
		t.Errorf("failed: %v", failed)
	}
}

// The human report, the model from the settings, and the refusals.
func TestLLMEvalCommandText(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a demo project")
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	s := ollamatest.New(t)
	evaltest.Script(s, map[string]string{"zh06": "SELECT province FROM customers LIMIT 1"})
	ok(t, "copy", "settings", "--model", "qwen2.5:7b")

	useEvalAsker(t, nil, core.DemoOptions{})
	if _, errs, code := run(t, "llm", "eval"); code == 0 || !strings.Contains(errs, "no assistant to evaluate") {
		t.Errorf("without an assistant: exit %d, %s", code, errs)
	}
	useEvalAsker(t, evaltest.SQLAsker(s.URL, ""), core.DemoOptions{Customers: 1500, Orders: 12000, Products: 80})
	for _, bad := range [][]string{{"--questions", "fr"}, {"--timeout", "0s"}} {
		if _, errs, code := run(t, append([]string{"llm", "eval"}, bad...)...); code == 0 || !strings.Contains(errs, bad[0][2:]) && !strings.Contains(errs, "fr") {
			t.Errorf("%v: exit %d, %s", bad, code, errs)
		}
	}
	out := ok(t, "--lang", "en", "llm", "eval", "--questions", "zh")
	for _, want := range []string{"Accuracy of qwen2.5:7b:", "of 25 questions right", "Chinese:", "zh06", "WRONG", "1 rows, expected 31"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "en01") {
		t.Error("English questions asked with --questions zh")
	}
	for _, r := range s.Requests() {
		if r.Model != "qwen2.5:7b" {
			t.Errorf("asked %q, not the model in the settings", r.Model)
		}
	}
}
