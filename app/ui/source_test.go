package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
)

// The bundled csv-folder source imports a folder of exports into a table
// from the Plugins screen; a second import takes only the new file.
func TestSourceImportGUI(t *testing.T) {
	dir := withBundled(t, "csv-folder")
	exports := filepath.Join(dir, "exports")
	os.MkdirAll(exports, 0o755)
	os.WriteFile(filepath.Join(exports, "a.csv"), []byte("customer_id,event\nC001,open\nC002,click\n"), 0o644)

	w, p := open(t, shop(t))
	p.goTo("Plugins")
	idle(t, p)
	s := p.plugins
	i := slices.IndexFunc(s.list, func(pi core.PluginInfo) bool {
		return pi.Manifest != nil && pi.Manifest.ID == "marketbench.org/csv-folder"
	})
	if i < 0 {
		t.Fatalf("csv-folder not listed: %v", s.grid.rows)
	}
	s.grid.table.Select(widget.TableCellID{Row: i})
	test.Tap(s.enableBtn)
	tapDialogButton(t, w, "Enable")
	idle(t, p)
	noDialog(t, w, "enabling")
	if s.srcForm == nil {
		t.Fatalf("no import form: %q", s.srcNote.Text)
	}
	s.srcForm.setValue("folder", exports)
	s.srcTable.SetText("responses")
	test.Tap(s.srcBtn)
	idle(t, p)
	noDialog(t, w, "the import")
	if !strings.HasPrefix(s.srcResult.Text, "Imported 2 new rows into responses") {
		t.Fatalf("first import: %q", s.srcResult.Text)
	}
	os.WriteFile(filepath.Join(exports, "b.csv"), []byte("customer_id,event\nC003,open\n"), 0o644)
	test.Tap(s.srcBtn)
	idle(t, p)
	if !strings.HasPrefix(s.srcResult.Text, "Imported 1 new rows into responses (3 in all") {
		t.Fatalf("second import: %q", s.srcResult.Text)
	}
}
