package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

const uiSealPass = "ui test passphrase"

// until drains UI updates until cond holds.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); {
		if !drain() {
			time.Sleep(5 * time.Millisecond)
		}
		if time.Now().After(end) {
			t.Fatalf("waited 30s for %s", what)
		}
	}
}

func topHas(w *window, text string) bool {
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	_, ok := find(top, func(l *widget.Label) bool { return strings.Contains(l.Text, text) })
	return ok
}

// typePassword types text into every password entry under o.
func typePassword(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for i := 0; ; i++ {
		e, ok := find(o, func(e *widget.Entry) bool { return e.Password && e.Text != text })
		if !ok {
			if i == 0 {
				t.Fatal("no password entry")
			}
			return
		}
		e.SetText("")
		test.Type(e, text)
	}
}

// TestSealedProjectGUI: a sealed project asks for its passphrase (again
// when wrong), opens, shows its status on the Sealing tab, seals on
// demand, unseals and is sealed again from the dialog.
func TestSealedProjectGUI(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "client"+storage.Ext)
	ws, err := core.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ws.DB().Exec(`CREATE TABLE customers AS SELECT 'C' || i AS customer_id FROM range(5) r(i)`)
	ws.Close()
	if _, err := core.Seal(context.Background(), path, core.SealOptions{Passphrase: uiSealPass}); err != nil {
		t.Fatal(err)
	}

	w := newWindow(test.NewTempApp(t))
	w.showStart()
	w.open(path)
	until(t, "the passphrase dialog", func() bool { return topHas(w, "is sealed. Type its passphrase") })
	typePassword(t, w.win.Canvas().Overlays().Top(), "wrong wrong wrong")
	tapDialogButton(t, w, "Open")
	until(t, "the wrong-passphrase dialog", func() bool { return topHas(w, "passphrase is wrong") })
	if w.proj != nil {
		t.Fatal("a wrong passphrase opened the project")
	}
	typePassword(t, w.win.Canvas().Overlays().Top(), uiSealPass)
	tapDialogButton(t, w, "Open")
	until(t, "the sealed project", func() bool { return w.proj != nil })
	t.Cleanup(func() {
		if w.proj != nil {
			if err := w.closeProject(); err != nil {
				t.Error(err)
			}
		}
		drain()
	})
	p := w.proj
	if !p.ws.Sealed() || p.ws.Name() != "client" || !strings.Contains(w.win.Title(), "client") {
		t.Fatalf("sealed %v, name %q, title %q", p.ws.Sealed(), p.ws.Name(), w.win.Title())
	}

	p.goTo("Privacy")
	p.privacy.selectTab(tabSealing)
	idle(t, p)
	must(t, p.content, "the seal status", func(l *widget.Label) bool { return l.Text == "Sealed with a passphrase" })
	must(t, p.content, "the sealed file", func(l *widget.Label) bool { return l.Text == path })
	before, _ := os.Stat(path)
	time.Sleep(20 * time.Millisecond)
	p.ws.DB().Exec(`INSERT INTO customers VALUES ('C9')`)
	test.Tap(button(t, p.content, "Seal now"))
	idle(t, p)
	if after, _ := os.Stat(path); !after.ModTime().After(before.ModTime()) {
		t.Fatal("Seal now did not write the sealed file")
	}

	// Unseal: the project reopens plain.
	test.Tap(button(t, p.content, "Unseal…"))
	typePassword(t, w.win.Canvas().Overlays().Top(), uiSealPass)
	tapDialogButton(t, w, "Unseal")
	until(t, "the unsealed project", func() bool { return w.proj != nil && w.proj != p })
	p = w.proj
	if p.ws.Sealed() || core.IsSealed(path) {
		t.Fatal("still sealed after Unseal")
	}
	var n int
	p.ws.DB().QueryRow(`SELECT count(*) FROM customers`).Scan(&n)
	if n != 6 {
		t.Fatalf("%d customers after unsealing, want 6", n)
	}

	// Seal again from the tab: a short passphrase is refused in the dialog.
	p.goTo("Privacy")
	p.privacy.selectTab(tabSealing)
	idle(t, p)
	test.Tap(button(t, p.content, "Seal this project…"))
	typePassword(t, w.win.Canvas().Overlays().Top(), "short")
	tapDialogButton(t, w, "Seal")
	until(t, "the short-passphrase problem", func() bool { return topHas(w, "at least 8 characters") })
	if w.proj != p || core.IsSealed(path) {
		t.Fatal("a refused passphrase closed or sealed the project")
	}
	typePassword(t, w.win.Canvas().Overlays().Top(), uiSealPass)
	tapDialogButton(t, w, "Seal")
	until(t, "the sealed project", func() bool { return w.proj != nil && w.proj != p })
	if !w.proj.ws.Sealed() || !core.IsSealed(path) {
		t.Fatal("not sealed after Seal")
	}
}
