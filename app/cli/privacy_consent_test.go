package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// privacy consent: a file with a bad row records nothing and names the
// row; the good file withdraws consent, again adds nothing; history and
// set show and record changes with their provenance.
func TestConsentCommands(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	customers := filepath.Join(dir, "customers.csv")
	os.WriteFile(customers, []byte("customer_id,email,email_consent\nA1,ann@example.com,true\nB2,bob@example.com,true\n"), 0o644)
	if out := ok(t, "-p", proj, "import", customers, "--table", "customers"); !strings.Contains(out, "Recorded 2 consent change(s)") {
		t.Errorf("import does not say it recorded consent:\n%s", out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("email,consent\nann@example.com,no\nzed@example.com,no\nbob@example.com,perhaps\n"), 0o644)
	out, errs, code := run(t, "-p", proj, "privacy", "consent", "import", bad, "--channel", "email", "--source", "web form")
	if code == 0 || !strings.Contains(errs, "nothing was recorded") || !strings.Contains(out, "3    no customer has e-mail address") || !strings.Contains(out, "4    \"perhaps\"") {
		t.Fatalf("bad file: exit %d\n%s\n%s", code, out, errs)
	}
	good := filepath.Join(dir, "unsubscribed.csv")
	os.WriteFile(good, []byte("email,consent,proof\nANN@example.com,opt-out,unsubscribe link 77\n"), 0o644)
	out = ok(t, "-p", proj, "privacy", "consent", "import", good, "--channel", "email", "--source", "unsubscribe link")
	if !strings.Contains(out, "Recorded 1 consent change(s): 0 given, 1 withdrawn; 0 already recorded; 1 customer row(s) updated.") {
		t.Errorf("import:\n%s", out)
	}
	var again struct {
		Added      int `json:"added"`
		Duplicates int `json:"duplicates"`
	}
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "privacy", "consent", "import", good, "--channel", "email", "--source", "unsubscribe link")), &again)
	if again.Added != 0 || again.Duplicates != 1 {
		t.Errorf("again: %+v", again)
	}
	if _, errs, code := run(t, "-p", proj, "privacy", "consent", "set", "--customer", "B2", "--channel", "email", "--source", "phone call"); code == 0 || !strings.Contains(errs, "--granted") {
		t.Errorf("set without --granted: exit %d %s", code, errs)
	}
	out = ok(t, "-p", proj, "privacy", "consent", "set", "--customer", "B2", "--channel", "sms", "--granted=false", "--source", "phone call")
	if !strings.Contains(out, "No customer table has a sms consent column") {
		t.Errorf("set on a channel without a column:\n%s", out)
	}
	out = ok(t, "-p", proj, "privacy", "consent", "history", "--email", "ann@example.com")
	for _, w := range []string{"A1, e-mail: consent withdrawn", "unsubscribe link 77", "import of customers.csv"} {
		if !strings.Contains(out, w) {
			t.Errorf("history lacks %q:\n%s", w, out)
		}
	}
	rows := ok(t, "-p", proj, "--json", "sql", "SELECT customer_id, email_consent FROM customers ORDER BY 1")
	if !strings.Contains(strings.Join(strings.Fields(rows), ""), `["A1",false]`) {
		t.Errorf("A1's e-mail consent column after the withdrawal:\n%s", rows)
	}
	if _, errs, code := run(t, "-p", proj, "privacy", "consent", "history", "--email", "nobody@example.com"); code == 0 || !strings.Contains(errs, "no customer has that e-mail") {
		t.Errorf("unknown e-mail: exit %d %s", code, errs)
	}
	out = ok(t, "-p", proj, "privacy", "consent", "totals")
	if !strings.Contains(out, "unsubscribe link") || !strings.Contains(out, "phone call") {
		t.Errorf("totals:\n%s", out)
	}
}
