package ui

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

func init() { privacyShotSteps = append(privacyShotSteps, shareShots) }

// shareShots takes the Privacy screen's screenshots of the tabs this
// file's neighbours build: the personal data found in the demo, the Share
// safely tab, the export form in its anonymised and pseudonymised modes, a
// refused anonymised export, and an erasure from preview to result.
func shareShots(p *project, step func(string, func()), closeDialogs func()) {
	tapTop := func(text string) {
		if b, ok := find(p.win.Canvas().Overlays().Top(), func(b *widget.Button) bool { return b.Text == i18n.T(text) }); ok {
			b.OnTapped()
		}
	}
	step("privacy-personal-data.png", func() {
		closeDialogs()
		p.goTo("Privacy")
		p.privacy.selectTab(tabPersonalData)
	})
	step("privacy-share.png", func() { p.privacy.selectTab(tabShare) })
	step("privacy-export-anonymised.png", func() {
		p.chooseShare("customers", "customers", shareAnonymous)
	})
	fyne.DoAndWait(func() {
		if q, ok := find(p.win.Canvas().Overlays().Top(), func(*widget.CheckGroup) bool { return true }); ok {
			q.SetSelected([]string{"city"})
		}
		if k, ok := find(p.win.Canvas().Overlays().Top(), func(e *widget.Entry) bool { return e.Text == "5" }); ok {
			k.SetText("100")
		}
	})
	step("privacy-export-refused.png", func() { tapTop("Save") })
	step("privacy-export-pseudonymised.png", func() {
		closeDialogs()
		p.chooseShare("orders", "orders", sharePseudonymous)
		if c, ok := find(p.win.Canvas().Overlays().Top(), func(c *widget.Check) bool {
			return c.Text == i18n.T("Also keep a lookup file (pseudonym → identifier)")
		}); ok {
			c.SetChecked(true)
		}
	})
	// A customer with orders, in an earlier export the erasure then lists.
	var id string
	p.ws.DB().QueryRow(`SELECT customer_id FROM orders ORDER BY customer_id LIMIT 1`).Scan(&id)
	p.ws.Export(context.Background(), "customers", filepath.Join(filepath.Dir(p.ws.Path), "customers-for-agency.csv"))
	e := func() *eraseView { return p.privacy.erase }
	step("privacy-erase-preview.png", func() {
		closeDialogs()
		p.privacy.selectTab(tabErase)
		e().value.SetText(id)
		e().runPreview()
	})
	step("privacy-erase-confirm.png", func() { e().confirm() })
	step("privacy-erase-done.png", func() { tapTop("Erase for good") })
	fyne.DoAndWait(closeDialogs)
}
