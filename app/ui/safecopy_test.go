package ui

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// TestOpenRefusedProjectOffersSafeCopy: opening a project that holds SQL
// code shows why it was not opened, and "Make a safe copy" opens a copy
// with the data, beside the original.
func TestOpenRefusedProjectOffersSafeCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "client"+storage.Ext)
	ws, err := core.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.DB().Exec(`CREATE TABLE customers AS SELECT 'C' || i AS customer_id FROM range(7) r(i)`); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE MACRO upper(x) AS 'owned'`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	a := test.NewTempApp(t)
	w := newWindow(a)
	w.showStart()
	w.open(path)
	var d *widget.Label
	for end := time.Now().Add(10 * time.Second); d == nil; {
		if !drain() {
			time.Sleep(5 * time.Millisecond)
		}
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			d, _ = find(top, func(l *widget.Label) bool { return strings.Contains(l.Text, "did not write") })
		}
		if time.Now().After(end) {
			t.Fatal("no dialog explained the refusal")
		}
	}
	if w.proj != nil || !strings.Contains(d.Text, "macro upper") || !strings.Contains(d.Text, "client-safe"+storage.Ext) {
		t.Fatalf("project open: %v; dialog: %q", w.proj != nil, d.Text)
	}
	test.Tap(button(t, w.win.Canvas().Overlays().Top(), "Make a safe copy"))
	for end := time.Now().Add(20 * time.Second); w.proj == nil; {
		if !drain() {
			time.Sleep(5 * time.Millisecond)
		}
		if time.Now().After(end) {
			t.Fatal("the safe copy did not open")
		}
	}
	t.Cleanup(func() { w.closeProject() })
	if want := filepath.Join(dir, "client-safe"+storage.Ext); w.proj.ws.Path != want {
		t.Fatalf("opened %s, want %s", w.proj.ws.Path, want)
	}
	var n int
	var up string
	w.proj.ws.DB().QueryRow(`SELECT count(*), upper('x') FROM customers`).Scan(&n, &up)
	if n != 7 || up != "X" {
		t.Fatalf("copy has %d customers; upper gives %q", n, up)
	}
}
