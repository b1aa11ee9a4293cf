package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/llm/ollamatest"
	"github.com/marketbench/marketbench/assets/i18n"
)

// TestDescribeInWords: the rule builder's "Describe in words…" fills the
// tree and the text with the model's rule and shows its live count; a
// failure says what to do; the campaign editor's "From words…" fills the
// rule that narrows the audience.
func TestDescribeInWords(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	s := ollamatest.New(t)
	t.Setenv("OLLAMA_HOST", s.URL)
	s.On("RULE: rfm_segment = 'Champions' AND city = 'London'\nUNMAPPED: cheerful", "london")

	ws := demo(t)
	want, err := ws.CountRule(context.Background(), "customers", "rfm_segment = 'Champions' AND city = 'London'")
	if err != nil || want == 0 {
		t.Fatal(want, err)
	}
	w, p := open(t, ws)
	p.goTo("Segments")
	idle(t, p)
	p.segments.tabs.SelectIndex(1)
	idle(t, p)
	e := p.segments.rules

	test.Type(e.words.words, "cheerful Champions in London")
	test.Tap(button(t, e.content, "Describe in words…"))
	idle(t, p)
	if e.text.Text != "rfm_segment = 'Champions' AND city = 'London'" || len(e.root.Children) != 2 {
		t.Fatalf("text %q, tree %v", e.text.Text, e.root)
	}
	if c := e.count.Text; c != i18n.Number(float64(want))+" customers match" {
		t.Errorf("count %q, want %d", c, want)
	}
	if n := e.words.note.Text; !e.words.note.Visible() || !strings.Contains(n, "cheerful") || !strings.Contains(n, i18n.Number(float64(want))) {
		t.Errorf("note %q", n)
	}
	// The user saves it as any rule.
	test.Type(e.name, "London champions")
	test.Tap(e.saveBtn)
	idle(t, p)
	if !strings.HasPrefix(e.count.Text, "Saved \"London champions\"") {
		t.Errorf("after save: %q", e.count.Text)
	}

	// Personal data in the words is not sent unless allowed.
	sent := len(s.Requests())
	e.words.words.SetText("the customer ann@example.com")
	test.Tap(button(t, e.content, "Describe in words…"))
	idle(t, p)
	if n := e.words.note.Text; !strings.Contains(n, "personal data") || len(s.Requests()) != sent {
		t.Errorf("personal words: note %q, %d prompts sent", n, len(s.Requests())-sent)
	}
	e.words.allow.SetChecked(true)
	test.Tap(button(t, e.content, "Describe in words…"))
	idle(t, p)
	if len(s.Requests()) != sent+1 || e.words.allow.Checked {
		t.Errorf("allowed: %d prompts sent, allow still ticked %v", len(s.Requests())-sent, e.words.allow.Checked)
	}
	e.words.words.SetText("cheerful Champions in London")

	// Ollama absent: the rule stays, the note says how to start it.
	t.Setenv("OLLAMA_HOST", ollamatest.AbsentURL(t))
	test.Tap(button(t, e.content, "Describe in words…"))
	idle(t, p)
	if n := e.words.note.Text; !strings.Contains(n, "ollama serve") || e.text.Text != "rfm_segment = 'Champions' AND city = 'London'" {
		t.Errorf("absent: note %q, text %q", n, e.text.Text)
	}
	noDialog(t, w, "describe failed")

	// The campaign editor: the audience narrowed from words.
	t.Setenv("OLLAMA_HOST", s.URL)
	p.goTo("Campaigns")
	idle(t, p)
	ce := p.campaigns.editor
	test.Tap(button(t, ce.content, "From words…"))
	top := w.win.Canvas().Overlays().Top()
	test.Type(must(t, top, "words", func(x *widget.Entry) bool { return strings.Contains(x.PlaceHolder, "London") }), "Champions in London")
	tapDialogButton(t, w, "Write the rule")
	idle(t, p)
	if ce.rule.Text != "rfm_segment = 'Champions' AND city = 'London'" || !strings.Contains(ce.note.Text, i18n.Number(float64(want))+" customers of customers") {
		t.Errorf("campaign rule %q, note %q", ce.rule.Text, ce.note.Text)
	}
	for i, r := range s.Requests() {
		if i == sent {
			continue // the request the user allowed personal words for
		}
		for _, bad := range []string{"@example", "+44", "C00001"} {
			if strings.Contains(r.All, bad) {
				t.Errorf("a prompt holds %q", bad)
			}
		}
	}
}
