package eval_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/eval"
	"github.com/marketbench/marketbench/app/core/eval/evaltest"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// wrongFive are five questions the fake answers wrongly, each in its own way.
var wrongFive = map[string]string{
	"en03": "SELECT avg(amount) FROM orders",                                                                                                                // another measure
	"en07": "SELECT c.country, sum(o.amount) AS revenue FROM orders o JOIN customers c USING (customer_id) GROUP BY c.country ORDER BY revenue ASC LIMIT 5", // the wrong end
	"en13": "SELECT rfm_segment, count(*) FROM rfm_scores WHERE r_score > 1 GROUP BY 1",                                                                     // a filter too many
	"zh06": "SELECT province, count(no_such_column) FROM customers GROUP BY 1",                                                                              // a made-up column
	"zh14": "SELECT avg(monetary) FROM rfm_scores",                                                                                                          // the segment forgotten
}

// The whole set over both real demos, asked through the real langchaingo
// client of a fake Ollama scripted to answer 45 questions with their
// expected SQL and 5 wrongly: accuracy 0.9, the five named with reasons,
// and no prompt holding a customer's personal data.
func TestRunFortyFiveOfFifty(t *testing.T) {
	if testing.Short() {
		t.Skip("creates both demo projects")
	}
	ctx := context.Background()
	s := ollamatest.New(t)
	if err := evaltest.Script(s, wrongFive); err != nil {
		t.Fatal(err)
	}
	var stages []string
	// The demos' personal data, read when the run asks over each.
	var personal [][]string
	seen := map[*core.Workspace]bool{}
	// The assistant users have, finding the fake through OLLAMA_HOST.
	t.Setenv("OLLAMA_HOST", s.URL)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ask := eval.Assistant
	spy := func(ctx context.Context, w *core.Workspace, question, model string) (*eval.Answer, error) {
		if !seen[w] {
			seen[w] = true
			v, err := evaltest.PersonalValues(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			personal = append(personal, v)
			checkNoTies(t, ctx, w)
		}
		return ask(ctx, w, question, model)
	}
	rep, err := eval.Run(ctx, spy, eval.Options{Model: "qwen2.5:7b", Progress: func(stage string, _ float64) {
		stages = append(stages, stage)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 50 || rep.Correct != 45 || rep.Accuracy != 0.9 || rep.Model != "qwen2.5:7b" {
		t.Fatalf("%d of %d correct, accuracy %v, model %q; want 45 of 50, 0.9", rep.Correct, rep.Questions, rep.Accuracy, rep.Model)
	}
	if len(rep.ByLang) != 2 || rep.ByLang[0] != (eval.Score{Lang: "en", Questions: 25, Correct: 22, Accuracy: 22.0 / 25}) ||
		rep.ByLang[1] != (eval.Score{Lang: "zh", Questions: 25, Correct: 23, Accuracy: 23.0 / 25}) {
		t.Errorf("by language: %+v", rep.ByLang)
	}
	var failed []string
	for _, it := range rep.Failed() {
		failed = append(failed, it.ID)
		if it.Reason == "" || it.Seconds <= 0 {
			t.Errorf("%s: no reason or time: %+v", it.ID, it)
		}
		t.Logf("%s: %s", it.ID, it.Reason)
	}
	if !slices.Equal(failed, []string{"en03", "en07", "en13", "zh06", "zh14"}) {
		t.Errorf("failed %v", failed)
	}
	for _, it := range rep.Items {
		if it.Correct && it.SQL == "" {
			t.Errorf("%s: correct without SQL", it.ID)
		}
	}
	if len(stages) < 52 || stages[len(stages)-1] != "Done" {
		t.Errorf("progress: %d stages, last %q", len(stages), stages[len(stages)-1])
	}
	// One query-writing request per question (the assistant also asks for
	// the answer in words, and once more after the made-up column).
	queries := 0
	for _, r := range s.Requests() {
		if i := strings.LastIndex(r.User, "Question: "); i >= 0 && !strings.Contains(strings.TrimSpace(r.User[i:]), "\n") {
			queries++
		}
	}
	if queries != 50 {
		t.Errorf("%d query-writing requests to Ollama, want 50", queries)
	}
	if len(personal) != 2 {
		t.Fatalf("personal data of %d demos", len(personal))
	}
	checkNoPersonalData(t, s, personal)
}

// checkNoPersonalData scans every prompt s received for the demos'
// customer ids, e-mail addresses, phone numbers and names, and shows the
// scan finds one when it is there.
func checkNoPersonalData(t *testing.T, s *ollamatest.Server, personal [][]string) {
	t.Helper()
	var prompts []string
	for _, r := range s.Requests() {
		prompts = append(prompts, r.All)
	}
	for i, values := range personal {
		loc := []string{"en", "zh"}[i]
		if len(values) < 3*19000 {
			t.Fatalf("%s: only %d personal values to look for", loc, len(values))
		}
		if leaks := evaltest.Leaks(prompts, values); len(leaks) > 0 {
			t.Errorf("%s: prompts hold personal data: %.5q", loc, leaks)
		}
		// The scan can fail: a prompt with one customer's e-mail or name.
		for _, v := range []string{values[len(values)/2], values[len(values)-1]} {
			if leaks := evaltest.Leaks(append(prompts, "Who is "+v+"?"), values); !slices.Contains(leaks, v) {
				t.Errorf("%s: the scan missed %q", loc, v)
			}
		}
	}
}

// A clarifying question is right for an ambiguous question and wrong for
// a plain one; a slow model times out per question and the run goes on.
func TestRunClarifyAndTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a demo project")
	}
	ctx := context.Background()
	s := ollamatest.New(t)
	evaltest.Script(s, map[string]string{"en01": evaltest.ClarifyPrefix + " customers of which country?", "en25": evaltest.ClarifyPrefix + " best by what?"})
	small := core.DemoOptions{Customers: 1500, Orders: 12000, Products: 80}
	rep, err := eval.Run(ctx, evaltest.SQLAsker(s.URL, "llama3.2"), eval.Options{Lang: "en", Demo: small})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]eval.ItemResult{}
	for _, it := range rep.Items {
		byID[it.ID] = it
	}
	if it := byID["en01"]; it.Correct || it.Clarify == "" {
		t.Errorf("a clarifying question to a plain question passed: %+v", it)
	}
	if it := byID["en25"]; !it.Correct || !it.Ambiguous {
		t.Errorf("a clarifying question to an ambiguous question failed: %+v", it)
	}
	if rep.Questions != 25 || len(rep.ByLang) != 1 {
		t.Errorf("%d questions, %d languages", rep.Questions, len(rep.ByLang))
	}

	s.Delay = time.Second
	start := time.Now()
	rep, err = eval.Run(ctx, evaltest.SQLAsker(s.URL, "llama3.2"), eval.Options{Lang: "en", Demo: small, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Correct != 0 || rep.Items[0].Reason != "no answer within 100ms" {
		t.Errorf("slow model: %d correct, first reason %q", rep.Correct, rep.Items[0].Reason)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("the timeouts took %s", time.Since(start))
	}
}

// Ollama not running or without the model stops the run with the error
// that says what to do; cancelling stops it too.
func TestRunStops(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a demo project")
	}
	ctx := context.Background()
	small := core.DemoOptions{Customers: 1500, Orders: 12000, Products: 80}
	_, err := eval.Run(ctx, evaltest.SQLAsker(ollamatest.AbsentURL(t), "llama3.2"), eval.Options{Lang: "zh", Demo: small})
	var ue *llm.UnreachableError
	if !errors.As(err, &ue) {
		t.Errorf("absent Ollama: %v", err)
	}
	s := ollamatest.New(t)
	_, err = eval.Run(ctx, evaltest.SQLAsker(s.URL, "no-such-model"), eval.Options{Lang: "zh", Demo: small})
	var me *llm.ModelMissingError
	if !errors.As(err, &me) {
		t.Errorf("missing model: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	s.OnFunc(func(ollamatest.Request) (string, bool) { cancel(); return "SELECT 1", true })
	if _, err := eval.Run(cctx, evaltest.SQLAsker(s.URL, "llama3.2"), eval.Options{Lang: "zh", Demo: small}); !errors.Is(err, core.ErrCancelled) {
		t.Errorf("cancelled: %v", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests after the cancel, want 1", n)
	}
}

var limitRE = regexp.MustCompile(`LIMIT (\d+)$`)

// checkNoTies: an ordered question's top N on the demo has no ties in its
// ranking column (the last), neither within the N nor at the cut, so its
// one right answer does not depend on how a tie is broken.
func checkNoTies(t *testing.T, ctx context.Context, w *core.Workspace) {
	t.Helper()
	lang := "en"
	if res, err := w.ReadOnly(ctx, "SELECT count(*) FROM customers WHERE province IS NOT NULL", 0, time.Minute); err == nil && res.Rows[0][0] != "0" {
		lang = "zh"
	}
	items, _ := eval.Questions(lang)
	for _, it := range items {
		m := limitRE.FindStringSubmatch(it.SQL)
		if !it.Ordered || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		res, err := w.ReadOnly(ctx, limitRE.ReplaceAllString(it.SQL, "LIMIT "+strconv.Itoa(n+1)), 0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		last := len(res.Columns) - 1
		for i := 1; i < len(res.Rows); i++ {
			if res.Rows[i][last] == res.Rows[i-1][last] {
				t.Errorf("%s: rows %d and %d tie at %s", it.ID, i, i+1, res.Rows[i][last])
			}
		}
	}
}
