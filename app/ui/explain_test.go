package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// "Explain in words" on a segment opens the explanation with the
// number no fact backs marked, the warning and the facts; without Ollama
// the facts and the fix.
func TestExplainSegmentDialog(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("OLLAMA_HOST", "")
	s := ollamatest.New(t)
	s.Otherwise("These customers buy often; 77,777 of them opened every e-mail.")
	if err := core.SaveLLMSettings(core.LLMSettings{URL: s.URL}); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, demo(t))
	p.goTo("Segments")
	idle(t, p)
	seg := p.segments
	test.Tap(button(t, p.content, "Explain in words"))
	must(t, w.win.Canvas().Overlays().Top(), "the hint to select", func(l *widget.Label) bool { return l.Text == "Select one first." })
	tapDialogButton(t, w, "OK")

	seg.summary.onSelect(0)
	name := seg.sums[0].Name
	test.Tap(button(t, p.content, "Explain in words"))
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	must(t, top, "the text with the number marked", func(l *widget.Label) bool { return strings.Contains(l.Text, "77,777⚠") })
	must(t, top, "the warning", func(l *widget.Label) bool {
		return strings.Contains(l.Text, "not in the facts") && l.Importance == widget.WarningImportance
	})
	must(t, top, "the facts", func(l *widget.Label) bool { return l.Text == "Customers in the segment" })
	if len(s.Requests()) != 2 || !strings.Contains(s.Requests()[0].User, name) {
		t.Errorf("want a prompt about %q and one retry, got %d requests", name, len(s.Requests()))
	}
	tapDialogButton(t, w, "Close")

	if err := core.SaveLLMSettings(core.LLMSettings{URL: ollamatest.AbsentURL(t)}); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, p.content, "Explain in words"))
	idle(t, p)
	top = w.win.Canvas().Overlays().Top()
	must(t, top, "the fix", func(l *widget.Label) bool { return strings.Contains(l.Text, "ollama serve") })
	must(t, top, "the facts", func(l *widget.Label) bool { return l.Text == "Customers in the segment" })
}
