package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/ingest"
)

// recordProject is a project of customers with e-mail addresses and
// phones, so the record has personal data to name.
func recordProject(t *testing.T) *core.Workspace {
	t.Helper()
	dir := t.TempDir()
	ws, err := core.Create(filepath.Join(dir, "shop.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("customer_id,first_name,email,phone,city\nC1,Ann,ann@example.com,+44 20 7946 0018,London\n"+
		"C2,Bo,bo@example.com,+44 20 7946 0019,Leeds\nC3,Cy,cy@example.com,138 1234 5678,上海\n"), 0o644)
	if _, err := ws.Import(t.Context(), csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	return ws
}

// The Processing record tab shows each section of the record (the
// personal columns with their kinds, "no campaigns", the security lines)
// without any personal value, fits a 1024×700 window in English and
// Chinese, and saves the record as HTML through the save dialog.
func TestPrivacyRecordTab(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		t.Run(lang, func(t *testing.T) {
			i18n.Use(lang)
			defer i18n.Use(i18n.English)
			privacyRecordTab(t)
		})
	}
}

func privacyRecordTab(t *testing.T) {
	ws := recordProject(t)
	w, p := open(t, ws)
	w.win.Resize(minWindow)
	p.goTo(screenPrivacy)
	idle(t, p)
	p.privacy.selectTab(tabRecord)
	idle(t, p)
	labels := map[string]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			labels[l.Text] = true
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, k := range c.Objects {
				walk(k)
			}
		}
	}
	walk(recordTabs[p.privacy].body)
	for _, want := range []string{i18n.T("Personal data"), "customers", "email", i18n.T("e-mail address"), "phone", i18n.T("phone number"),
		i18n.T("No campaigns."), i18n.T("Project file sealed (encrypted at rest)"), "shop.mbproj"} {
		if !labels[want] {
			t.Errorf("the tab does not show %q", want)
		}
	}
	for l := range labels {
		if strings.Contains(l, "@example.com") || strings.Contains(l, "7946") || strings.Contains(l, "Ann") {
			t.Errorf("the tab shows a personal value: %q", l)
		}
	}
	budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
	if m := p.content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
		var out []string
		culprits(p.content, budget.Width-p.nav.MinSize().Width-theme.Padding(), budget.Height-100, "", &out)
		t.Errorf("the tab needs %.0f×%.0f, more than %.0f×%.0f:\n%s", m.Width, m.Height, budget.Width, budget.Height, strings.Join(out, "\n"))
	}

	test.Tap(button(t, p.content, i18n.T("Save the record…")))
	form := w.win.Canvas().Overlays().Top()
	must(t, form, "name entry", func(e *widget.Entry) bool { return e.Text == "processing-record" }).SetText("record")
	must(t, form, "format", func(s *widget.Select) bool { return s.Selected == ".md" }).SetSelected(".html")
	test.Tap(button(t, form, i18n.T("Save")))
	idle(t, p)
	path := filepath.Join(filepath.Dir(ws.Path), "record.html")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "<td>customers</td>") || strings.Contains(string(b), "@example.com") {
		t.Errorf("the saved record: %v\n%.300s", err, b)
	}
	if !strings.Contains(p.status.Text, path) {
		t.Errorf("status %q", p.status.Text)
	}
}
