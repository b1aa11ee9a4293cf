package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Choosing 简体中文 in Settings redraws the open project in Chinese at
// once, keeps the project open and remembers the choice; choosing English
// brings every word back.
func TestLanguageSwitchesWithoutRestart(t *testing.T) {
	t.Cleanup(func() { i18n.Use(i18n.English) })
	ws, err := core.Create(filepath.Join(t.TempDir(), "lang"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Settings")
	idle(t, p)
	sel := must(t, p.content, "language choice", func(s *widget.Select) bool { return len(s.Options) == 3 && s.Options[2] == "简体中文" })
	sel.SetSelectedIndex(2)
	idle(t, w.proj)
	if w.proj == p || w.proj.ws != ws {
		t.Fatal("the screens were not rebuilt on the same project")
	}
	if got := w.app.Preferences().String(prefLanguage); got != i18n.Chinese {
		t.Errorf("preference = %q", got)
	}
	must(t, w.proj.content, "navigation in Chinese", func(l *widget.Label) bool { return l.Text == "设置" })
	must(t, w.proj.content, "audit title in Chinese", func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "审计日志") })
	if !strings.Contains(w.win.MainMenu().Items[0].Label, "文件") {
		t.Errorf("menu: %q", w.win.MainMenu().Items[0].Label)
	}
	// Back to English, from the Chinese settings screen.
	sel = must(t, w.proj.content, "language choice", func(s *widget.Select) bool { return len(s.Options) == 3 })
	sel.SetSelectedIndex(1)
	idle(t, w.proj)
	must(t, w.proj.content, "navigation in English", func(l *widget.Label) bool { return l.Text == "Settings" })
}

// Every column role has a label for people, so none shows as its
// identifier ("customer_id") in either language.
func TestEveryRoleHasALabel(t *testing.T) {
	for _, r := range storage.Roles {
		if _, ok := roleLabels[r]; !ok {
			t.Errorf("role %q has no label in roleLabels", r)
		}
	}
}
