package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// TestImportDialog imports a small European-style CSV (semicolons, decimal
// commas) through the dialog, changes a role, then imports the same file
// again, which asks first and then appends.
func TestImportDialog(t *testing.T) {
	dir := t.TempDir()
	ws, err := core.Create(filepath.Join(dir, "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	path := filepath.Join(dir, "Orders 2024.csv")
	csv := "Customer ID;Order Date;Amount;Note\n" +
		"C1;2024-01-02;12,50;first\n" +
		"C2;2024-01-03;7,25;\n" +
		"C1;2024-02-10;100,00;returning\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}

	d := p.showImport(path)
	idle(t, p)
	if d.pv == nil {
		t.Fatalf("no preview: %q", d.stage.Text)
	}
	if d.delimiter.Selected != "semicolon ;" || !d.header.Checked || !d.decimalComma.Checked {
		t.Errorf("detected delimiter %q header %v decimal comma %v", d.delimiter.Selected, d.header.Checked, d.decimalComma.Checked)
	}
	if d.table.Text != "orders_2024" || d.mode.Selected != "create" || !d.mode.Disabled() {
		t.Errorf("table %q mode %q (disabled %v)", d.table.Text, d.mode.Selected, d.mode.Disabled())
	}
	if len(d.rows.rows) != 3 || len(d.rows.cols) != 4 {
		t.Fatalf("preview %d rows × %d columns", len(d.rows.rows), len(d.rows.cols))
	}
	if d.roles["Customer ID"] != storage.CustomerID || d.roles["Amount"] != storage.Amount {
		t.Errorf("proposed roles %v", d.roles)
	}

	// Re-preview with another delimiter: one column, then back.
	d.delimiter.SetSelected("comma ,")
	idle(t, p)
	if len(d.rows.cols) != 1 {
		t.Errorf("with commas: %d columns", len(d.rows.cols))
	}
	d.delimiter.SetSelected("semicolon ;")
	idle(t, p)

	// Rename the table and give Note the free-text role.
	test.Type(d.table, "")
	d.table.SetText("orders")
	note := must(t, d.roleForm, "role select", func(s *widget.Select) bool { return s.Selected == noRole })
	note.SetSelected(roleLabel(storage.Text))

	test.Tap(d.importBtn)
	idle(t, p)
	if !strings.Contains(d.p.status.Text, `Imported 3 rows into "orders"`) {
		t.Fatalf("status after import: %q (dialog says %q)", p.status.Text, d.stage.Text)
	}
	tapDialogButton(t, w, "OK")
	idle(t, p)
	if p.data.current != "orders" || p.data.rows.pageLabel.Text != "rows 1–3 of 3" {
		t.Fatalf("after import: table %q, %q", p.data.current, p.data.rows.pageLabel.Text)
	}
	roles, err := ws.ColumnRoles(t.Context(), "orders")
	if err != nil || roles["Note"] != storage.Text || roles["Order Date"] != storage.OrderDate {
		t.Fatalf("stored roles %v, %v", roles, err)
	}

	// The same file again: warned, asked, appended.
	d = p.showImport(path)
	idle(t, p)
	if !d.prior.Visible() || !strings.Contains(d.prior.Text, `into "orders"`) {
		t.Fatalf("no warning about the earlier import: %q", d.prior.Text)
	}
	d.table.SetText("orders")
	if d.mode.Disabled() || d.mode.Selected != "append" {
		t.Fatalf("existing table: mode %q disabled %v", d.mode.Selected, d.mode.Disabled())
	}
	test.Tap(d.importBtn)
	tapDialogButton(t, w, "Yes")
	idle(t, p)
	tapDialogButton(t, w, "OK")
	idle(t, p)
	if got := p.data.rows.pageLabel.Text; got != "rows 1–6 of 6" {
		t.Fatalf("after appending: %q", got)
	}
}

// TestImportErrors shows a bad file's error in words and keeps the
// dialog open; skipping bad rows then imports the good ones.
func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	ws, err := core.Create(filepath.Join(dir, "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	path := filepath.Join(dir, "r.csv")
	if err := os.WriteFile(path, []byte("id,name,city\n1,Ann,Leeds\n2,Bob\n3,Cy,York,UK\n4,Di,Hull\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := p.showImport(path)
	idle(t, p)
	test.Tap(d.importBtn)
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if d.pv == nil || top == nil {
		t.Fatalf("no error shown; stage %q", d.stage.Text)
	}
	if !strings.Contains(d.stage.Text, "nothing was changed") {
		t.Fatalf("stage after a failed import: %q", d.stage.Text)
	}
	tapDialogButton(t, w, "OK")
	d.skipBad.SetChecked(true)
	test.Tap(d.importBtn)
	idle(t, p)
	if !strings.Contains(p.status.Text, "Imported 2 rows") || !strings.Contains(p.status.Text, `2 rows could not be read`) ||
		!strings.Contains(p.status.Text, `"r_rejects"`) {
		t.Fatalf("status: %q / stage %q", p.status.Text, d.stage.Text)
	}
}

// TestImportDialogAsksEncoding: bytes that read as Chinese in GB18030 and as
// accented capitals in Windows-1252 are shown both ways side by side, and
// Import waits until the user picks one (issue 9).
func TestImportDialogAsksEncoding(t *testing.T) {
	dir := t.TempDir()
	ws, err := core.Create(filepath.Join(dir, "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	_, p := open(t, ws)
	path := filepath.Join(dir, "codes.csv")
	if err := os.WriteFile(path, []byte("id,code\n1,X\xd6\xc4Y\n2,Z\xc9\xc8W\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := p.showImport(path)
	idle(t, p)
	if d.pv == nil || !d.encChoice.Visible() || !d.importBtn.Disabled() {
		t.Fatalf("no choice shown: %q", d.stage.Text)
	}
	must(t, d.encChoice, "Windows-1252 reading", func(l *widget.Label) bool { return strings.Contains(l.Text, "XÖÄY") })
	must(t, d.encChoice, "GB18030 reading", func(l *widget.Label) bool { return strings.Contains(l.Text, "1,X") && !strings.Contains(l.Text, "Ö") })
	use := must(t, d.encChoice, "use button", func(b *widget.Button) bool { return b.Text == "Use windows-1252" })
	test.Tap(use)
	idle(t, p)
	if d.encChoice.Visible() || d.importBtn.Disabled() || d.encoding.Selected != "windows-1252" {
		t.Fatalf("after choosing: choice visible %v, import disabled %v, encoding %q", d.encChoice.Visible(), d.importBtn.Disabled(), d.encoding.Selected)
	}
	test.Tap(d.importBtn)
	idle(t, p)
	var code string
	if err := ws.DB().QueryRow(`SELECT code FROM codes WHERE id = 1`).Scan(&code); err != nil || code != "XÖÄY" {
		t.Fatalf("imported %q %v", code, err)
	}
}
