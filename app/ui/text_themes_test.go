package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// useOllama points the app's settings at url, in a private config folder.
func useOllama(t *testing.T, url string) {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	if err := core.SaveLLMSettings(core.LLMSettings{URL: url}); err != nil {
		t.Fatal(err)
	}
}

// TestTextThemes finds themes of the demo's reviews through the Themes
// tab against the fake Ollama: named themes with sizes and sentiment, a
// theme's typical texts on selection, the offline fallback with its note,
// and a cancel of a slow run.
func TestTextThemes(t *testing.T) {
	srv := ollamatest.New(t)
	srv.Otherwise("Delivery")
	useOllama(t, srv.URL)
	w, p := open(t, demo(t))
	s := newTextScreen(p)
	w.win.SetContent(s.content)
	s.shown()
	idle(t, p)
	v := s.themes
	if v.btn.Disabled() || s.colSel.Selected != "review_text" {
		t.Fatalf("themes button disabled on %s", s.colSel.Selected)
	}
	v.k.SetSelected("4")
	v.save.SetChecked(true)
	test.Tap(v.btn)
	idle(t, p)
	noDialog(t, w, "themes")
	if len(v.grid.rows) != 4 || v.grid.rows[0][1] != "Delivery" {
		t.Fatalf("themes %v", v.grid.rows)
	}
	if !strings.Contains(v.info.Text, "embeddings by nomic-embed-text") || !strings.Contains(v.info.Text, "no text was sent") {
		t.Errorf("info %q", v.info.Text)
	}
	if v.chart.img.Image == nil {
		t.Errorf("no size chart: %q", v.chart.msg.Text)
	}
	v.grid.onSelect(1)
	if !strings.Contains(v.examples.Text, "Typical texts") || !strings.Contains(v.examples.Text, "Row ") {
		t.Errorf("examples %q", v.examples.Text)
	}
	if cols := columnsOf(t, p, "reviews"); !strings.Contains(strings.Join(cols, ","), "review_text_theme_name") {
		t.Errorf("not saved: %v", cols)
	}

	// Ollama gone: keyword themes, and the note says how to start it.
	useOllama(t, ollamatest.AbsentURL(t))
	test.Tap(v.btn)
	idle(t, p)
	noDialog(t, w, "offline themes")
	if !strings.Contains(v.info.Text, "TF-IDF") || !strings.Contains(v.info.Text, "ollama serve") || len(v.grid.rows) != 4 {
		t.Errorf("offline: %q %v", v.info.Text, v.grid.rows)
	}

	// Slow: the task's Cancel stops it and nothing changes.
	useOllama(t, srv.URL)
	srv.Delay = 2 * time.Second
	before := v.grid.rows
	test.Tap(v.btn)
	var cancel *widget.Button
	for end := time.Now().Add(5 * time.Second); cancel == nil && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		drain()
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			cancel, _ = find(top, func(b *widget.Button) bool { return b.Text == "Cancel" })
		}
	}
	if cancel == nil {
		t.Fatal("no Cancel button while finding themes")
	}
	start := time.Now()
	test.Tap(cancel)
	idle(t, p)
	if time.Since(start) > 1500*time.Millisecond {
		t.Errorf("cancel took %v", time.Since(start))
	}
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no word that it was cancelled")
	}
	if _, ok := find(top, func(l *widget.Label) bool { return strings.Contains(l.Text, "Cancelled") }); !ok {
		t.Error("the dialog does not say cancelled")
	}
	if len(v.grid.rows) != len(before) || v.grid.rows[0][1] != before[0][1] {
		t.Error("a cancelled run changed the themes")
	}
}

// themesShot shows the demo's review themes, found offline (screenshots
// run without Ollama), with the second theme's typical texts.
func themesShot(p *project, step func(string, func())) {
	step("text-themes-empty.png", func() {
		p.goTo("Text")
		p.text.tabs.SelectIndex(2)
	})
	step("text-themes.png", func() {
		p.text.themes.offline.SetChecked(true)
		p.text.themes.k.SetSelected("5")
		p.text.themes.run()
	})
	step("text-themes-examples.png", func() { p.text.themes.grid.onSelect(1) })
}
