package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// segment describe and campaign create --rule-words against the fake
// Ollama: the rule, its count, saving, a retry and what failures say.
func TestSegmentDescribeCommand(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	s := ollamatest.New(t)
	t.Setenv("OLLAMA_HOST", s.URL)
	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	w, err := core.CreateDemo(context.Background(), proj, core.DemoOptions{Customers: 800, Orders: 3000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := w.CountRule(context.Background(), "customers", "city = 'London' AND monetary > 100")
	w.Close()
	if err != nil || want == 0 {
		t.Fatal(want, err)
	}
	s.On("RULE: city = 'London' AND monetary > 100\nUNMAPPED: none", "does not work")
	s.On("RULE: city = 'London' AND spend > 100\nUNMAPPED: none", "london")

	out := ok(t, "-p", proj, "segment", "describe", "London", "customers in London who spent over 100")
	for _, x := range []string{"city = 'London' AND monetary > 100", "Customers: " + strconv.FormatInt(want, 10) + " (from customers)", "Not saved"} {
		if !strings.Contains(out, x) {
			t.Errorf("no %q in\n%s", x, out)
		}
	}
	if list := ok(t, "-p", proj, "segment", "list"); strings.Contains(list, "London") {
		t.Errorf("saved without --save:\n%s", list)
	}
	var got struct {
		Rule     string
		Count    int64
		Attempts int
		Saved    bool
		Notes    []string
	}
	js := ok(t, "-p", proj, "--json", "segment", "describe", "London", "customers in London who spent over 100", "--save")
	checkJSONStyle(t, "segment describe", js)
	if err := json.Unmarshal([]byte(js), &got); err != nil || got.Count != want || got.Attempts != 2 || !got.Saved || got.Notes == nil {
		t.Fatalf("%v %+v\n%s", err, got, js)
	}
	if list := ok(t, "-p", proj, "segment", "list"); !strings.Contains(list, "London") {
		t.Errorf("not saved with --save:\n%s", list)
	}

	// A campaign's audience narrowed from words.
	_, errs, code := run(t, "-p", proj, "campaign", "create", "Spring", "--segment", "Champions", "--rule-words", "in London who spent over 100")
	if !strings.Contains(errs, "Audience rule from your words: city = 'London' AND monetary > 100 ("+strconv.FormatInt(want, 10)+" customers of customers match it)") {
		t.Errorf("--rule-words: exit %d, %s", code, errs)
	}
	_, errs, code = run(t, "-p", proj, "campaign", "create", "Spring", "--segment", "Champions", "--rule", "x > 1", "--rule-words", "in London")
	if code == 0 || !strings.Contains(errs, "not both") {
		t.Errorf("--rule with --rule-words: exit %d, %s", code, errs)
	}

	// Failures say what to do next.
	s2 := ollamatest.New(t)
	t.Setenv("OLLAMA_HOST", s2.URL)
	s2.Otherwise("RULE: tier = 'gold'")
	_, errs, code = run(t, "-p", proj, "segment", "describe", "Gold", "gold members")
	if code == 0 || !strings.Contains(errs, `unknown column "tier"`) || !strings.Contains(errs, "by hand") {
		t.Errorf("unknown column: exit %d, %s", code, errs)
	}
	_, errs, code = run(t, "-p", proj, "segment", "describe", "Ann", "the customer with phone +44 20 7946 0018")
	if code == 0 || !strings.Contains(errs, "personal data") || len(s2.Requests()) != 2 {
		t.Errorf("personal words: exit %d, %s, %d prompts", code, errs, len(s2.Requests()))
	}
	if _, _, code = run(t, "-p", proj, "segment", "describe", "Ann", "the customer with phone +44 20 7946 0018", "--allow-personal"); len(s2.Requests()) != 4 {
		t.Errorf("--allow-personal: exit %d, %d prompts", code, len(s2.Requests()))
	}
	t.Setenv("OLLAMA_HOST", ollamatest.AbsentURL(t))
	_, errs, code = run(t, "-p", proj, "segment", "describe", "Gold", "gold members")
	if code == 0 || !strings.Contains(errs, "ollama serve") {
		t.Errorf("absent Ollama: exit %d, %s", code, errs)
	}
	_, errs, code = run(t, "-p", proj, "segment", "describe", "Gold")
	if code == 0 {
		t.Errorf("no words: exit 0")
	}
}
