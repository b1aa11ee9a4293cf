package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"github.com/marketbench/marketbench/app/core"
)

// sealShots takes the Sealing tab of the (plain) demo, the dialog that
// seals it and the one that asks for a passphrase, then seals the demo
// and takes the tab of the sealed project. It leaves the sealed demo
// open in the window.
func sealShots(p *project, step func(string, func()), closeDialogs func()) {
	w := p.w
	step("privacy-sealing.png", func() {
		p.goTo("Privacy")
		p.privacy.selectTab(tabSealing)
	})
	step("privacy-seal-dialog.png", func() { p.sealer.panel.askSeal() })
	fyne.DoAndWait(closeDialogs)
	step("sealed-open-passphrase.png", func() {
		w.askPassphrase(&core.PassphraseError{Path: p.ws.FilePath(), Wrong: true})
	})
	fyne.DoAndWait(closeDialogs)
	path := p.ws.FilePath()
	fyne.DoAndWait(func() {
		w.swapFile("Sealing", path, "screenshot passphrase", func(ctx context.Context) error { // i18n:keep
			_, err := core.Seal(ctx, path, core.SealOptions{Passphrase: "screenshot passphrase"})
			return err
		})
	})
	var sealed *project
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		fyne.DoAndWait(func() {
			if w.proj != nil && w.proj != p {
				sealed = w.proj
			}
		})
		if sealed != nil {
			break
		}
	}
	if sealed == nil {
		return
	}
	step("privacy-sealed.png", func() {
		sealed.goTo("Privacy")
		sealed.privacy.selectTab(tabSealing)
	})
}
