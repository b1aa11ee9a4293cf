package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
)

// A project enabled a plugin on another computer (its author's): here it
// is not started until this user approves it, and the error names the
// command that does; 'plugin approve' shows what it allows and records
// it; 'plugin revoke' withdraws it. Before, a project's lock was taken as
// is and the plugin ran at once.
func TestPluginApproveCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, t.TempDir())
	const id = "marketbench.org/webhook"
	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "author"))
	proj := filepath.Join(t.TempDir(), "shared.mbproj")
	ok(t, "init", proj)
	ok(t, "-p", proj, "plugin", "enable", id)
	ok(t, "-p", proj, "plugin", "check", id)

	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "me"))
	_, errs, code := run(t, "-p", proj, "plugin", "check", id)
	if code == 0 || !strings.Contains(errs, "you have not approved it on this computer") ||
		!strings.Contains(errs, "marketbench plugin approve "+id+" -p "+proj) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Fatalf("check of an unapproved plugin: %d\n%s", code, errs)
	}
	if out := ok(t, "-p", proj, "plugin", "list"); !strings.Contains(out, "needs your approval") {
		t.Errorf("plugin list:\n%s", out)
	}
	out := ok(t, "-p", proj, "plugin", "approve", id)
	for _, want := range []string{"Approved " + id, "It receives the customer fields customer_id, email.", "It contacts configured."} {
		if !strings.Contains(out, want) {
			t.Errorf("approve output lacks %q:\n%s", want, out)
		}
	}
	ok(t, "-p", proj, "plugin", "check", id)
	ok(t, "-p", proj, "plugin", "revoke", id)
	if _, errs, code := run(t, "-p", proj, "plugin", "check", id); code == 0 || !strings.Contains(errs, "not approved") {
		t.Fatalf("check after revoke: %d %s", code, errs)
	}
	if out := ok(t, "-p", proj, "log"); !strings.Contains(out, "plugin approve") || !strings.Contains(out, "plugin revoke") {
		t.Errorf("the audit log lacks the approval or the revocation:\n%s", out)
	}
}
