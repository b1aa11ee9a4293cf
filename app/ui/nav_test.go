package ui

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// pressEscape sends Escape to the window as the keyboard would with no box
// focused.
func pressEscape(w *window) {
	w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// TestImportPicker imports a .csv.gz by typing its path, lists .csv.gz in
// the file dialog's filter, and closes the import dialog with Escape.
func TestImportPicker(t *testing.T) {
	dir := t.TempDir()
	ws, err := core.Create(filepath.Join(dir, "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	path := filepath.Join(dir, "orders 2025.csv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte("customer_id,amount\nC1,10.5\nC2,7\nC3,1\n"))
	zw.Close()
	f.Close()

	filter := suffixFilter(importExts)
	if !filter.Matches(fstorage.NewFileURI(path)) || filter.Matches(fstorage.NewFileURI(filepath.Join(dir, "backup.gz"))) {
		t.Error("the file dialog's filter should show .csv.gz files and only those .gz files")
	}

	p.chooseImport()
	box := must(t, w.win.Canvas().Overlays().Top(), "path box", func(*escapeEntry) bool { return true })
	test.Type(box, filepath.Join(dir, "nothing.csv"))
	box.OnSubmitted(box.Text)
	if msg := strings.Join(labels(w.win.Canvas().Overlays().Top()), " "); !strings.Contains(msg, "There is no file") {
		t.Fatalf("a missing file is not explained: %q", msg)
	}
	box.SetText(path)
	box.OnSubmitted(box.Text)
	idle(t, p)
	d := must(t, w.win.Canvas().Overlays().Top(), "import button", func(b *widget.Button) bool { return b.Text == "Import" })
	if d.Disabled() {
		t.Fatal("the .csv.gz preview did not load")
	}
	test.Tap(d)
	idle(t, p)
	if !strings.Contains(p.status.Text, `Imported 3 rows into "orders_2025", a new table.`) {
		t.Fatalf("status after import: %q", p.status.Text)
	}
	tapDialogButton(t, w, "OK")

	// Escape closes the import dialog, and then the picker.
	p.showImport(path)
	idle(t, p)
	pressEscape(w)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("Escape left the import dialog open: %v", labels(top))
	}
	p.chooseImport()
	w.win.Canvas().Focus(must(t, w.win.Canvas().Overlays().Top(), "path box", func(*escapeEntry) bool { return true }))
	w.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape in the path box left the picker open")
	}
}

// TestFriendlyTypeNames: the Data, Profile and Import screens say "whole
// number" and "text", never a database type.
func TestFriendlyTypeNames(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Data")
	p.data.selectTable("orders")
	var seen []string
	for k := range p.data.tabs.Items {
		p.data.tabs.SelectIndex(k)
		idle(t, p)
		seen = append(seen, labels(p.content)...)
	}
	for _, r := range p.data.profile.overview.rows {
		seen = append(seen, r...)
	}
	p.data.profile.colSel.SetSelected("amount")
	idle(t, p)
	seen = append(seen, labels(p.content)...)
	csv := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(csv, []byte("id,n,when,ok\nA,1,2024-01-02,true\n"), 0o644)
	d := p.showImport(csv)
	idle(t, p)
	seen = append(seen, labels(w.win.Canvas().Overlays().Top())...)
	seen = append(seen, labels(d.roleForm)...)
	all := strings.Join(seen, "\n")
	for _, word := range []string{"VARCHAR", "BIGINT", "DOUBLE", "DECIMAL", "TIMESTAMP", "BOOLEAN", "(create)"} {
		if strings.Contains(all, word) {
			t.Errorf("%q shown on the Data screen or in the import dialog", word)
		}
	}
	for _, want := range []string{"whole number", "text", "date", "yes/no", "decimal number"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q among the type names shown", want)
		}
	}
}

// TestWorkingTablesGrouped: tables Marketbench made are listed after the
// user's own, under their own heading.
func TestWorkingTablesGrouped(t *testing.T) {
	_, p := open(t, demo(t))
	var names []string
	working := -1
	for i, it := range p.data.items {
		if it.heading != "" {
			names = append(names, "# "+it.heading)
			if it.heading == "Made by Marketbench" {
				working = i
			}
			continue
		}
		name := p.data.tables[it.table].Name
		names = append(names, name)
		if core.IsWorkingTable(name) != (working >= 0) {
			t.Errorf("%s is on the wrong side of the working tables heading", name)
		}
	}
	if working < 0 || p.data.items[0].heading != "Your tables" || !strings.Contains(strings.Join(names, " "), "rfm_scores") {
		t.Errorf("list: %v", names)
	}
	// A name that may be cut shows whole, with its exact count, on hover.
	l := must(t, p.data.list, "orders in the list", func(l *hoverLabel) bool { return l.Text == "orders" })
	before := p.status.Text
	l.MouseIn(nil)
	if p.status.Text != "orders: 200,000 rows" {
		t.Errorf("hover: status %q", p.status.Text)
	}
	l.MouseOut()
	if p.status.Text != before {
		t.Errorf("after the hover: status %q, was %q", p.status.Text, before)
	}

	// Selecting a heading keeps the table shown.
	cur := p.data.current
	p.data.list.Select(working)
	idle(t, p)
	if p.data.current != cur {
		t.Errorf("selecting the heading showed %q", p.data.current)
	}
}

// menuItem finds a main-menu item by its menu and label.
func menuItem(t *testing.T, w *window, menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range w.win.MainMenu().Items {
		if m.Label != menu {
			continue
		}
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no %s › %s in the menu", menu, label)
	return nil
}

// shortcutItem finds the main-menu item a shortcut triggers.
func shortcutItem(t *testing.T, w *window, s fyne.Shortcut) *fyne.MenuItem {
	t.Helper()
	for _, m := range w.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() {
				return it
			}
		}
	}
	t.Fatalf("no menu item for %s", s.ShortcutName())
	return nil
}

// TestNavigationShortcuts: Ctrl+2 goes to Segments, Ctrl+5 to Customer value, Ctrl+9
// to Settings, Ctrl+1 back to Data,
// Ctrl+F focuses the row filter.
func TestNavigationShortcuts(t *testing.T) {
	w, p := open(t, demo(t))
	ctrl := func(k fyne.KeyName) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	shortcutItem(t, w, ctrl(fyne.Key2)).Action()
	idle(t, p)
	if p.body.Objects[0] != p.segments.content {
		t.Fatal("Ctrl+2 did not show Segments")
	}
	shortcutItem(t, w, ctrl(fyne.Key5)).Action()
	idle(t, p)
	if p.body.Objects[0] != p.value.content {
		t.Fatal("Ctrl+5 did not show Customer value")
	}
	shortcutItem(t, w, ctrl(fyne.Key9)).Action()
	idle(t, p)
	if p.body.Objects[0] != p.settings.content {
		t.Fatal("Ctrl+9 did not show Settings")
	}
	shortcutItem(t, w, ctrl(fyne.Key1)).Action()
	shortcutItem(t, w, ctrl(fyne.KeyF)).Action()
	idle(t, p)
	if p.body.Objects[0] != p.data.content || w.win.Canvas().Focused() != p.data.rows.filterIn {
		t.Fatalf("Ctrl+1, Ctrl+F: focus on %T", w.win.Canvas().Focused())
	}
}

// TestHelpMenu opens each Help item; each says something and Escape closes it.
func TestHelpMenu(t *testing.T) {
	w, p := open(t, demo(t))
	menuItem(t, w, "Help", "Keyboard shortcuts").Action()
	if got := strings.Join(labels(w.win.Canvas().Overlays().Top()), " "); !strings.Contains(got, "Ctrl+F") || !strings.Contains(got, "Ctrl+1") {
		t.Errorf("shortcuts list: %q", got)
	}
	pressEscape(w)
	menuItem(t, w, "Help", "About Marketbench").Action()
	if got := strings.Join(labels(w.win.Canvas().Overlays().Top()), " "); !strings.Contains(got, "Marketbench ") || !strings.Contains(got, "Go ") {
		t.Errorf("about: %q", got)
	}
	pressEscape(w)
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape did not close About")
	}
	// The tests run inside the source tree, so the README is found.
	menuItem(t, w, "Help", "Documentation").Action()
	if !strings.Contains(p.status.Text, "README.md") {
		t.Errorf("documentation: status %q", p.status.Text)
	}
	menuItem(t, w, "Help", "Welcome and tour…").Action()
	tapDialogButton(t, w, "Take the tour")
	for range len(tourSteps) - 1 {
		tapDialogButton(t, w, "Next")
	}
	if p.body.Objects[0] != p.settings.content {
		t.Error("the tour's last step is not on the Settings screen")
	}
	tapDialogButton(t, w, "Done")
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Done left the tour open")
	}
}

// TestWelcomeOnce: the welcome shows on the first start only.
func TestWelcomeOnce(t *testing.T) {
	w := newWindow(test.NewTempApp(t))
	w.showStart()
	w.welcomeOnce()
	top := w.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(strings.Join(labels(top), " "), "Welcome to Marketbench") {
		t.Fatal("no welcome on the first start")
	}
	for _, b := range []string{"Open the demo project", "Import your first file…", "Take the tour"} {
		button(t, top, b)
	}
	tapDialogButton(t, w, "Close")
	w.welcomeOnce()
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("the welcome showed again")
	}
}
