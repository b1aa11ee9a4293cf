package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// The Ask panel opens from the Go menu (Ctrl+K) on any screen, asks the
// fake Ollama, shows the SQL, words, table and chart, runs edited SQL
// through the guard, shows a question back, cancels, and says how to
// start Ollama when it is absent.
func TestAskPanel(t *testing.T) {
	s := ollamatest.New(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("OLLAMA_HOST", s.URL)
	s.On("Most customers are in one city; 4,000,000 of them [made up].", "Result")
	s.On("```sql\nSELECT city, count(*) AS customers FROM customers GROUP BY city ORDER BY customers DESC LIMIT 8\n```", "per city")
	s.On("CLARIFY: Best by revenue or by number of orders?", "best")
	w, p := open(t, demo(t))

	p.goTo("Campaigns")
	idle(t, p)
	var item func()
	for _, m := range w.menu().Items {
		for _, it := range m.Items {
			if it.Shortcut == shortcutAsk {
				item = it.Action
			}
		}
	}
	if item == nil {
		t.Fatal("no Ask item with Ctrl+K in the menus")
	}
	item()
	if top := w.win.Canvas().Overlays().Top(); top == nil {
		t.Fatal("the Ask panel did not open")
	}
	a := p.openAsk()
	test.Type(a.question, "How many customers per city?")
	test.Tap(a.askBtn)
	idle(t, p)
	if !strings.HasPrefix(a.sql.Text, "SELECT city") || len(a.grid.rows) != 8 || a.chart.Image == nil {
		t.Fatalf("sql %q, %d rows, chart %v; status %q", a.sql.Text, len(a.grid.rows), a.chart.Image != nil, a.status.Text)
	}
	if !strings.Contains(a.words.Text, "4,000,000 [?]") || !strings.Contains(a.status.Text, "[?]") {
		t.Errorf("unverified number not marked: words %q, status %q", a.words.Text, a.status.Text)
	}

	// An edited query runs through the same guard.
	a.sql.SetText("SELECT count(*) AS n FROM orders")
	test.Tap(a.runBtn)
	idle(t, p)
	if len(a.grid.rows) != 1 || a.status.Importance == widget.DangerImportance {
		t.Errorf("edited query: %d rows, %q", len(a.grid.rows), a.status.Text)
	}
	a.sql.SetText("DELETE FROM orders")
	test.Tap(a.runBtn)
	idle(t, p)
	if a.status.Importance != widget.DangerImportance || !strings.Contains(a.status.Text, "only SELECT") {
		t.Errorf("a write was not refused in words: %q", a.status.Text)
	}

	a.question.SetText("Who is the best customer?")
	test.Tap(a.askBtn)
	idle(t, p)
	if !strings.Contains(a.status.Text, "Best by revenue or by number of orders?") {
		t.Errorf("clarifying question: %q", a.status.Text)
	}

	// A slow model can be cancelled.
	s.Delay = 10 * time.Second
	test.Tap(a.askBtn)
	if a.stop.Disabled() {
		t.Fatal("Cancel is not offered while asking")
	}
	test.Tap(a.stop)
	idle(t, p)
	if a.status.Text != "Cancelled." || a.askBtn.Disabled() {
		t.Errorf("after cancel: %q", a.status.Text)
	}
	s.Delay = 0

	t.Setenv("OLLAMA_HOST", ollamatest.AbsentURL(t))
	test.Tap(a.askBtn)
	idle(t, p)
	if !strings.Contains(a.status.Text, "ollama serve") {
		t.Errorf("absent Ollama: %q", a.status.Text)
	}
}
