package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/host"
)

// devModule copies sdk/examples/filechannel into a module folder of its
// own (with plugin.json, as an author has it) whose Send prefixes every
// message's text with marker.
func devModule(t *testing.T, dir, marker string) {
	t.Helper()
	src := "../../sdk/examples/filechannel"
	sdkDir, _ := filepath.Abs("../../sdk")
	for _, name := range []string{"main.go", "go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		switch name {
		case "main.go":
			s = strings.Replace(s, `"text": m.Text`, `"text": "`+marker+` " + m.Text`, 1)
			if !strings.Contains(s, marker) {
				t.Fatal("the example's Send changed; update this test")
			}
		case "go.mod":
			s = strings.Replace(s, "=> ../..", "=> "+sdkDir, 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := `{"id": "example.com/filechannel", "version": "1.0.0", "kinds": ["channel"], "protocol_versions": [1],
  "binaries": {}, "fields": ["email"]}`
	if err := os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The dev loop: 'plugin dev' builds and installs a development build, a
// test send uses it; after a change of code 'plugin dev' again replaces
// the same version (no "remove it first") and the next send uses the new
// build. A live send through it is refused without --allow-dev-plugin and
// works with it; 'plugin list' marks it; uninstall refuses while enabled.
func TestPluginDevLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	t.Setenv(host.DirEnv, t.TempDir())
	t.Setenv(host.BundledEnv, t.TempDir())
	const id = "example.com/filechannel"
	mod := t.TempDir()
	devModule(t, mod, "MARKER-ONE")
	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")

	out := ok(t, "-p", proj, "plugin", "dev", mod)
	if !strings.Contains(out, "as a development build") || !strings.Contains(out, "Enabled it in this project") || !strings.Contains(out, "--allow-dev-plugin") {
		t.Fatalf("plugin dev:\n%s", out)
	}
	sent := filepath.Join(t.TempDir(), "sent.jsonl")
	ok(t, "-p", proj, "campaign", "create", "Rehearsal", "--segment", "Champions", "--channel", id+"/file",
		"--config", "path="+sent, "--variant", "A|100|Hello|Spring is here.")
	ok(t, "-p", proj, "campaign", "send", "Rehearsal", "--test-to", "me@example.com")
	lines := func() []string {
		b, _ := os.ReadFile(sent)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "MARKER-ONE") {
		t.Fatalf("first test send: %q", l)
	}

	devModule(t, mod, "MARKER-TWO")
	var res map[string]any
	if err := json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "plugin", "dev", mod)), &res); err != nil {
		t.Fatal(err)
	}
	if res["replaced_sha256"] == "" || res["replaced_sha256"] == res["sha256"] || res["was_enabled"] != true || res["development"] != true {
		t.Fatalf("second plugin dev: %v", res)
	}
	ok(t, "-p", proj, "campaign", "send", "Rehearsal", "--test-to", "me@example.com")
	if l := lines(); len(l) != 2 || !strings.Contains(l[1], "MARKER-TWO") {
		t.Fatalf("test send after the rebuild: %q", l)
	}

	var list []map[string]any
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "plugin", "list")), &list)
	if len(list) != 1 || list[0]["development"] != true || list[0]["enabled"] != true {
		t.Fatalf("plugin list --json: %v", list)
	}
	if out := ok(t, "-p", proj, "plugin", "list"); !strings.Contains(out, "development build") {
		t.Errorf("plugin list:\n%s", out)
	}

	_, errs, code := run(t, "-p", proj, "campaign", "send", "Rehearsal", "--live")
	if code == 0 || !strings.Contains(errs, "development build") || !strings.Contains(errs, "--allow-dev-plugin") {
		t.Fatalf("live send through a development build: %d %s", code, errs)
	}
	if l := lines(); len(l) != 2 {
		t.Fatalf("the refused live send sent %d messages", len(l)-2)
	}
	ok(t, "-p", proj, "campaign", "send", "Rehearsal", "--live", "--allow-dev-plugin")
	l := lines()
	if len(l) <= 2 || !strings.Contains(l[len(l)-1], "MARKER-TWO") {
		t.Fatalf("live send with --allow-dev-plugin: %d lines", len(l))
	}

	// Uninstall does not disable silently.
	_, errs, code = run(t, "-p", proj, "plugin", "uninstall", id)
	if code == 0 || !strings.Contains(errs, "is enabled in") || !strings.Contains(errs, "--disable") {
		t.Fatalf("uninstall of an enabled plugin: %d %s", code, errs)
	}
	if out := ok(t, "-p", proj, "plugin", "uninstall", id, "--disable"); !strings.Contains(out, "now disabled there") {
		t.Fatalf("uninstall --disable:\n%s", out)
	}
	if out := ok(t, "-p", proj, "log"); !strings.Contains(out, "plugin disable") {
		t.Errorf("the audit log lacks the disable:\n%s", out)
	}
}

// --follow shows what is appended to the log file, from its end.
func TestFollowFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.log")
	os.WriteFile(path, []byte("old line\n"), 0o644)
	var mu sync.Mutex
	var buf bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- followFile(ctx, path, lockedWriter{&mu, &buf}, 10*time.Millisecond) }()
	time.Sleep(50 * time.Millisecond)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("new line\n")
	f.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		s := buf.String()
		mu.Unlock()
		if strings.Contains(s, "new line") || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); s != "new line\n" {
		t.Fatalf("followed %q", s)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// A plugin whose manifest and spec disagree installs with a warning (on
// stderr, and "warnings" in --json), and 'plugin check' reports the same.
func TestPluginMismatchWarns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	t.Setenv(host.DirEnv, t.TempDir())
	t.Setenv(host.BundledEnv, t.TempDir())
	dir := t.TempDir()
	bin := filepath.Join(dir, "mismatch")
	if out, err := exec.Command("go", "build", "-o", bin, "../../plugins/host/testdata/mismatch").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	sum, _ := host.FileSHA256(bin)
	manifest := `{"id": "test.org/mismatch", "version": "1.0.1", "kinds": ["channel"], "protocol_versions": [1],
  "binaries": {"` + host.Platform() + `": {"path": "mismatch", "sha256": "` + sum + `"}}, "fields": ["email"], "network_hosts": ["configured"]}`
	os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(manifest), 0o644)
	proj := filepath.Join(t.TempDir(), "p.mbproj")
	ok(t, "init", proj)
	out, errs, code := run(t, "-p", proj, "plugin", "install", dir)
	if code != 0 || !strings.Contains(out, "Installed test.org/mismatch") ||
		!strings.Contains(errs, "Warning: the manifest of test.org/mismatch") || !strings.Contains(errs, "first_name") {
		t.Fatalf("install: %d\n%s\n%s", code, out, errs)
	}
	ok(t, "-p", proj, "plugin", "enable", "test.org/mismatch")
	var res struct {
		Consistency []struct{ Check, Message string }
	}
	if err := json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "plugin", "check", "test.org/mismatch")), &res); err != nil {
		t.Fatal(err)
	}
	// first_name is needed but not listed; the token is a secret, but the
	// manifest names a host, so that is not reported.
	if len(res.Consistency) != 1 || res.Consistency[0].Check != "fields" || !strings.Contains(res.Consistency[0].Message, "first_name") {
		t.Fatalf("plugin check: %+v", res.Consistency)
	}
	if out := ok(t, "-p", proj, "plugin", "check", "test.org/mismatch"); !strings.Contains(out, "arrives empty") {
		t.Errorf("plugin check:\n%s", out)
	}
}
