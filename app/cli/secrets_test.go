package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
	"github.com/marketbench/marketbench/plugins/host"
)

// runIn runs a command with stdin.
func runIn(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// secretProject is a project of three consenting customers with the
// bundled webhook enabled.
func secretProject(t *testing.T) string {
	t.Helper()
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, t.TempDir())
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mbproj")
	ok(t, "init", proj)
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("customer_id,first_name,email,email_consent\nC1,Ann,a@example.com,true\nC2,Bo,b@example.com,true\nC3,Cy,c@example.com,true\n"), 0o644)
	ok(t, "-p", proj, "import", csv, "--table", "customers")
	ok(t, "-p", proj, "plugin", "enable", "marketbench.org/webhook")
	return proj
}

// `secret set` saves a channel secret in the real system keyring from
// stdin (never an argument); `automate run` then sends a journey with it
// (the webhook's Authorization header reaches the receiver); `secret list`
// names it without its value; the value is in no output, in neither the
// audit log nor the automation log; `secret delete` removes it.
func TestSecretCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	keyringtest.Start(t)
	const value = "Bearer cli-7e1f-from-the-keyring"
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer srv.Close()
	proj := secretProject(t)
	var outputs strings.Builder
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, errs, code := runIn(t, stdin, append([]string{"-p", proj}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		outputs.WriteString(out + errs)
		return out
	}
	if out := must(value+"\n", "secret", "set", "marketbench.org/webhook", "authorization", "--component", "webhook"); !strings.Contains(out,
		"Saved authorization for marketbench.org/webhook/webhook in the system keyring") {
		t.Errorf("set: %q", out)
	}
	if _, errs, code := runIn(t, "", "-p", proj, "secret", "set", "marketbench.org/webhook", "authorization"); code == 0 || !strings.Contains(errs, "no value given") {
		t.Errorf("set without a value: %d %q", code, errs)
	}
	if _, errs, code := runIn(t, "x\n", "-p", proj, "secret", "set", "marketbench.org/webhook", "url"); code == 0 || !strings.Contains(errs, `"url" is not a secret setting`) {
		t.Errorf("set of a plain setting: %d %q", code, errs)
	}
	if out := must("", "--json", "secret", "list"); strings.Join(strings.Fields(out), " ") !=
		`{ "secrets": [ { "component": "webhook", "field": "authorization", "plugin": "marketbench.org/webhook" } ] }` {
		t.Errorf("list --json: %s", out)
	}
	if out := must("", "secret", "list"); !strings.Contains(out, "authorization") {
		t.Errorf("list: %s", out)
	}

	journey := filepath.Join(t.TempDir(), "j.json")
	os.WriteFile(journey, []byte(`{"table": "customers", "trigger": {"kind": "segment_enter", "segment": "All", "include_existing": true},
		"steps": [{"id": "hi", "kind": "send", "plugin": "marketbench.org/webhook", "component": "webhook", "config": {"url": "`+srv.URL+`"},
			"variants": [{"name": "A", "percent": 100, "subject": "Hi", "text": "Hello"}]}]}`), 0o644)
	must("", "segment", "create", "All", "--table", "customers", "--rule", "email IS NOT EMPTY")
	must("", "journey", "create", "Hello", "--file", journey)
	must("", "automate", "run")
	mu.Lock()
	got := strings.Join(auth, ",")
	mu.Unlock()
	if got != value+","+value+","+value {
		t.Errorf("the receiver saw Authorization %q, want the saved value for each of 3 customers", got)
	}
	audit := must("", "log")
	if !strings.Contains(audit, "secret set") {
		t.Errorf("the audit log does not record the save:\n%s", audit)
	}
	runLog, err := os.ReadFile(proj + ".automate.log")
	if err != nil {
		t.Fatal(err)
	}
	if out := must("", "secret", "delete", "marketbench.org/webhook", "authorization", "--component", "webhook"); !strings.Contains(out, "Deleted authorization") {
		t.Errorf("delete: %q", out)
	}
	if out := must("", "--json", "secret", "list"); strings.Join(strings.Fields(out), " ") != `{ "secrets": [] }` {
		t.Errorf("list after delete: %s", out)
	}
	for name, text := range map[string]string{"command output": outputs.String(), "automation log": string(runLog)} {
		if strings.Contains(text, "cli-7e1f") {
			t.Errorf("the %s holds the secret value", name)
		}
	}
}

// Without a keyring, `secret set` fails with what to do instead, and a
// send still reads MARKETBENCH_SECRET_<NAME>.
func TestSecretSetWithoutKeyring(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	proj := secretProject(t)
	_, errs, code := runIn(t, "Bearer x\n", "-p", proj, "secret", "set", "marketbench.org/webhook", "authorization")
	if code != 1 || errs != "marketbench: no system keyring is available here: there is no desktop session (D-Bus) to reach one; use MARKETBENCH_SECRET_AUTHORIZATION instead\n" {
		t.Errorf("exit %d: %q", code, errs)
	}
	if _, errs, code := run(t, "-p", proj, "secret", "list"); code != 1 || !strings.Contains(errs, "no system keyring is available here") {
		t.Errorf("list: exit %d: %q", code, errs)
	}
}
