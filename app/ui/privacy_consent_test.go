package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// The Consent tab: totals from the demo's customer import, a customer's
// history, a bad consent file refused with its rows named, and a good one
// checked, imported and shown in the history and the customer table.
func TestPrivacyConsentTab(t *testing.T) {
	_, p := open(t, demo(t))
	p.goTo("Privacy")
	idle(t, p)
	p.privacy.selectTab(tabConsent)
	idle(t, p)
	tab := consentTabs[p.privacy]
	if tab == nil {
		t.Fatal("no Consent tab")
	}
	if len(tab.totals.rows) == 0 || !strings.HasPrefix(tab.totals.rows[0][1], "import of ") || !tab.empty.Hidden {
		t.Fatalf("totals after the demo's import: %v", tab.totals.rows)
	}
	var id string
	if err := p.ws.DB().QueryRow(`SELECT customer_id FROM customers WHERE email_consent ORDER BY customer_id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	test.Type(tab.who, id)
	test.Tap(button(t, tab.content, "Look up"))
	idle(t, p)
	if !strings.Contains(tab.summary.Text, id+": e-mail given") || len(tab.history.rows) == 0 {
		t.Fatalf("history of %s: %q %v", id, tab.summary.Text, tab.history.rows)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("customer_id,consent\n"+id+",no\nNOBODY,no\n"), 0o644)
	ci := tab.chooseImport()
	ci.channel.SetSelectedIndex(1) // e-mail
	idle(t, p)
	ci.path.SetText(bad)
	ci.check()
	idle(t, p)
	if ci.badBox.Visible() == false || len(ci.bad.rows) != 1 || ci.bad.rows[0][0] != "3" || !ci.confirm.Disabled() {
		t.Fatalf("bad file: %q rows %v", ci.report.Text, ci.bad.rows)
	}
	good := filepath.Join(dir, "unsubscribes.csv")
	os.WriteFile(good, []byte("customer_id,consent,proof\n"+id+",opt-out,unsubscribe link 5\n"), 0o644)
	ci.path.SetText(good)
	ci.source.SetText("")
	ci.check()
	idle(t, p)
	if ci.source.Text != "import of unsubscribes.csv" || !strings.Contains(ci.report.Text, "Importing records 1 change(s): 0 given, 1 withdrawn") || ci.confirm.Disabled() {
		t.Fatalf("check: source %q, %q", ci.source.Text, ci.report.Text)
	}
	test.Tap(ci.confirm)
	idle(t, p)
	if !strings.Contains(p.status.Text, "Recorded 1 consent change(s) from unsubscribes.csv") {
		t.Errorf("status %q", p.status.Text)
	}
	proof := false
	for _, r := range tab.history.rows {
		proof = proof || (r[1] == "e-mail" && r[2] == "withdrawn" && r[5] == "unsubscribe link 5")
	}
	if !strings.Contains(tab.summary.Text, "e-mail withdrawn") || !proof {
		t.Errorf("history after the import: %q %v", tab.summary.Text, tab.history.rows)
	}
	var v bool
	p.ws.DB().QueryRow(`SELECT email_consent FROM customers WHERE customer_id = ?`, id).Scan(&v)
	if v {
		t.Error("the customer table still says consent given")
	}
}
