package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

func TestExplainCommand(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	w, err := core.CreateDemo(context.Background(), proj, core.DemoOptions{Customers: 1500, Orders: 12000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	s := ollamatest.New(t)
	s.On("Champions buy often and recently; thank them first.", "Champions")
	s.Otherwise("Lost customers spend 123,456 a year.")

	out := ok(t, "-p", proj, "--lang", "en", "explain", "segment", "Champions", "--url", s.URL)
	if !strings.Contains(out, "Champions buy often") || !strings.Contains(out, "Every number above is in the facts") ||
		!strings.Contains(out, "Customers in the segment") {
		t.Errorf("explain segment:\n%s", out)
	}

	var x struct {
		Kind       string
		Text       string
		Facts      []struct{ Label, Text string }
		Unverified []string
		Retried    bool
	}
	out = ok(t, "-p", proj, "--lang", "en", "--json", "explain", "segment", "Lost", "--url", s.URL)
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	checkJSONStyle(t, "explain segment --json", out)
	if x.Kind != "segment" || !x.Retried || len(x.Unverified) != 1 || x.Unverified[0] != "123,456" || !strings.Contains(x.Text, "123,456⚠") || len(x.Facts) < 3 {
		t.Errorf("explain --json: %+v", x)
	}
	_, errs, code := run(t, "-p", proj, "--lang", "en", "explain", "segment", "Lost", "--url", s.URL)
	if code != 0 || !strings.Contains(errs, "not in the facts (marked ⚠): 123,456") {
		t.Errorf("the user is not told about the unverified number (exit %d): %s", code, errs)
	}

	out, errs, code = run(t, "-p", proj, "--lang", "en", "explain", "segment", "Champions", "--url", ollamatest.AbsentURL(t))
	if code == 0 || !strings.Contains(errs, "ollama serve") || !strings.Contains(out, "Customers in the segment") {
		t.Errorf("absent Ollama: exit %d\n%s\n%s", code, out, errs)
	}
	_, errs, code = run(t, "-p", proj, "--lang", "en", "explain", "model")
	if code == 0 || !strings.Contains(errs, "marketbench explain model NAME") {
		t.Errorf("no name: exit %d: %s", code, errs)
	}
	_, errs, code = run(t, "-p", proj, "--lang", "en", "explain", "campaign", "Nope", "--url", s.URL)
	if code == 0 || !strings.Contains(errs, "Nope") {
		t.Errorf("unknown campaign: exit %d: %s", code, errs)
	}
}
