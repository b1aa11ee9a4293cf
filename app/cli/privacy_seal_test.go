package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrivacySealCLI(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv(PassphraseEnv, "")
	dir := t.TempDir()
	proj := filepath.Join(dir, "client.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("customer_id,email\nC1,sealed.cli.person@example.org\nC2,b@example.com\n"), 0o644)
	ok(t, "-p", proj, "import", csv, "--table", "customers")

	if _, errs, code := runIn(t, "", "privacy", "seal", proj); code == 0 || !strings.Contains(errs, "--passphrase-stdin") {
		t.Fatalf("seal with no terminal and no key option: exit %d: %s", code, errs)
	}
	if _, errs, code := runIn(t, "short\n", "privacy", "seal", proj, "--passphrase-stdin"); code == 0 || !strings.Contains(errs, "too short") {
		t.Fatalf("a short passphrase: exit %d: %s", code, errs)
	}
	out, errs, code := runIn(t, "cli test passphrase\n", "--json", "privacy", "seal", proj, "--passphrase-stdin")
	if code != 0 {
		t.Fatalf("seal: %s", errs)
	}
	var st struct {
		Sealed bool   `json:"sealed"`
		Key    string `json:"key"`
		Open   bool   `json:"open"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || !st.Sealed || st.Key != "passphrase" {
		t.Fatalf("seal --json: %v %s", err, out)
	}
	b, _ := os.ReadFile(proj)
	// DuckDB's signature is checked where DuckDB puts it: four bytes
	// anywhere in a megabyte of ciphertext turn up by chance now and then.
	if len(b) > 12 && string(b[8:12]) == "DUCK" {
		t.Fatal("the sealed file is a DuckDB database")
	}
	for _, plain := range []string{"sealed.cli.person@example.org", "mb_column_roles"} {
		if i := bytes.Index(b, []byte(plain)); i >= 0 {
			t.Fatalf("the sealed file (%d bytes) holds %q at %d", len(b), plain, i)
		}
	}
	if _, errs, code := runIn(t, "again passphrase\n", "privacy", "seal", proj, "--passphrase-stdin"); code == 0 || !strings.Contains(errs, "already sealed") {
		t.Fatalf("sealing twice: exit %d: %s", code, errs)
	}

	// Any command with -p: no passphrase available, a wrong one, the right one.
	if _, errs, code := run(t, "-p", proj, "tables"); code == 0 || !strings.Contains(errs, PassphraseEnv) {
		t.Fatalf("tables without a passphrase: exit %d: %s", code, errs)
	}
	t.Setenv(PassphraseEnv, "not the passphrase")
	if _, errs, code := run(t, "-p", proj, "tables"); code == 0 || !strings.Contains(errs, "passphrase is wrong") {
		t.Fatalf("tables with a wrong passphrase: exit %d: %s", code, errs)
	}
	t.Setenv(PassphraseEnv, "cli test passphrase")
	if out := ok(t, "-p", proj, "sql", "SELECT email FROM customers ORDER BY 1"); !strings.Contains(out, "sealed.cli.person@example.org") {
		t.Fatalf("sql on the sealed project:\n%s", out)
	}
	ok(t, "-p", proj, "sql", "SELECT 1") // read-only; a change comes through import
	csv2 := filepath.Join(dir, "more.csv")
	os.WriteFile(csv2, []byte("customer_id,email\nC3,c3@example.com\n"), 0o644)
	ok(t, "-p", proj, "import", csv2, "--table", "more")
	status := ok(t, "privacy", "seal", "--status", proj)
	if !strings.Contains(status, "sealed with a passphrase") || !strings.Contains(status, "When open") {
		t.Fatalf("status:\n%s", status)
	}
	if st := ok(t, "-p", proj, "--json", "privacy", "seal", "--status"); !strings.Contains(st, `"open": false`) {
		t.Fatalf("status --json:\n%s", st)
	}

	t.Setenv(PassphraseEnv, "")
	if _, errs, code := runIn(t, "wrong wrong wrong\n", "privacy", "unseal", proj, "--passphrase-stdin"); code == 0 || !strings.Contains(errs, "passphrase is wrong") {
		t.Fatalf("unseal with a wrong passphrase: exit %d: %s", code, errs)
	}
	if _, errs, code := runIn(t, "cli test passphrase\n", "privacy", "unseal", proj, "--passphrase-stdin"); code != 0 {
		t.Fatalf("unseal: %s", errs)
	}
	if out := ok(t, "-p", proj, "tables"); !strings.Contains(out, "more") {
		t.Fatalf("the unsealed project lost the import made while sealed:\n%s", out)
	}
	if st := ok(t, "privacy", "seal", "--status", proj); !strings.Contains(st, "not sealed") {
		t.Fatalf("status after unsealing:\n%s", st)
	}
}
