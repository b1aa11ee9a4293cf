package ui

import (
	"os"
	"path/filepath"

	"github.com/marketbench/marketbench/app/core"
)

// consentShots takes the Privacy screen's Consent tab: a customer's
// history after a withdrawal, and the import dialog checking a file with
// bad rows.
func consentShots(p *project, step func(string, func()), closeDialogs func()) {
	dir, err := os.MkdirTemp("", "mb-consent-shots-*")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	var id string
	p.ws.DB().QueryRow(`SELECT customer_id FROM customers WHERE email_consent ORDER BY customer_id LIMIT 1`).Scan(&id)
	good := filepath.Join(dir, "unsubscribes-2026-12.csv")
	os.WriteFile(good, []byte("customer_id,channel,consent,proof\n"+id+",email,opt-out,unsubscribe link (message 8812)\n"), 0o644)
	bad := filepath.Join(dir, "signup-2026-11.csv")
	os.WriteFile(bad, []byte("email,consent,date,proof\nnobody@example.com,yes,2026-11-03 10:00,form 7\n"+id+",maybe,2026-11-03,form 7\n"), 0o644)
	p.ws.ImportConsent(p.ctx, good, core.ConsentFileOptions{Source: "unsubscribe link"})
	step("privacy-consent.png", func() {
		closeDialogs()
		p.goTo("Privacy")
		p.privacy.selectTab(tabConsent)
		t := consentTabs[p.privacy]
		t.who.SetText(id)
		t.lookUp()
	})
	step("privacy-consent-import.png", func() {
		ci := consentTabs[p.privacy].chooseImport()
		ci.channel.SetSelectedIndex(1)
		ci.path.SetText(bad)
		ci.check()
	})
}
