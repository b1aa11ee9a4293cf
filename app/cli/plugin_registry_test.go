package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
)

// filechannelDirs builds the SDK's filechannel example once and lays out
// one plugin folder per version, each with its manifest's fields.
func filechannelDirs(t *testing.T, versions map[string][]string) map[string]string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "filechannel")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Dir = "../../sdk/examples/filechannel"
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building filechannel: %v\n%s", err, out)
	}
	prog, _ := os.ReadFile(bin)
	sum, _ := host.FileSHA256(bin)
	out := map[string]string{}
	for v, fields := range versions {
		dir := filepath.Join(t.TempDir(), "filechannel")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "filechannel"), prog, 0o755)
		m := sdk.Manifest{ID: "example.com/filechannel", Version: v, Name: "File channel", Description: "Writes messages to a file",
			Kinds: []string{"channel"}, ProtocolVersions: []int{sdk.ProtocolVersion},
			Binaries: map[string]sdk.Binary{host.Platform(): {Path: "filechannel", SHA256: sum}}, Fields: fields}
		b, _ := json.Marshal(m)
		os.WriteFile(filepath.Join(dir, sdk.ManifestFile), b, 0o644)
		out[v] = dir
	}
	return out
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
}

// The registry as a team uses it from the command line: keygen, publish,
// search, install by name and @version, update (approval carried over,
// then asked again for a new field), a changed signer refused until
// trust-signer, a tampered archive refused.
func TestPluginRegistryCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the filechannel example")
	}
	t.Setenv(host.ConfigDirEnv, t.TempDir())
	t.Setenv(host.DirEnv, t.TempDir())
	t.Setenv(host.BundledEnv, t.TempDir())
	const id = "example.com/filechannel"
	src := filechannelDirs(t, map[string][]string{"1.0.0": {"email"}, "1.1.0": {"email"}, "1.2.0": {"email", "first_name"}, "1.3.0": {"email", "first_name"}})
	dir := t.TempDir()
	reg, key, other := filepath.Join(dir, "registry"), filepath.Join(dir, "team.key"), filepath.Join(dir, "other.key")

	keygen := func(file string) string {
		t.Helper()
		var m map[string]any
		out := ok(t, "--json", "plugin", "keygen", "--out", file)
		if err := json.Unmarshal([]byte(out), &m); err != nil || len(m["key_id"].(string)) != 16 {
			t.Fatalf("keygen: %v\n%s", err, out)
		}
		return m["key_id"].(string)
	}
	keyID := keygen(key)
	out := ok(t, "plugin", "publish", src["1.0.0"], "--to", reg, "--key", key, "--changelog", "First release.")
	mustContain(t, "publish", out, "Published "+id+" 1.0.0", "Signed with key "+keyID)
	changes := filepath.Join(dir, "CHANGES")
	os.WriteFile(changes, []byte("Faster.\n"), 0o644)
	ok(t, "plugin", "publish", src["1.1.0"], "--to", reg, "--key", key, "--changelog-file", changes)
	if _, errs, code := run(t, "plugin", "publish", src["1.1.0"], "--to", reg, "--changelog", "a", "--changelog-file", changes); code == 0 || !strings.Contains(errs, "not both") {
		t.Errorf("both changelogs: %d %s", code, errs)
	}

	out = ok(t, "plugin", "search", "file", "--from", reg)
	mustContain(t, "search", out, id, "1.1.0", keyID, "Writes messages to a file")
	out = ok(t, "plugin", "install", "filechannel@1.0.0", "--from", reg)
	mustContain(t, "install @1.0.0", out, "Installed "+id+" 1.0.0 from the registry", "first signed version", keyID)

	proj := filepath.Join(dir, "p.mbproj")
	ok(t, "init", proj)
	ok(t, "-p", proj, "plugin", "enable", id)
	out = ok(t, "-p", proj, "plugin", "update", "--from", reg)
	mustContain(t, "update to 1.1.0", out, "Updated "+id+" from 1.0.0 to 1.1.0", "your approval carried over")
	ok(t, "-p", proj, "plugin", "check", id)
	out = ok(t, "-p", proj, "--json", "plugin", "search", "--from", reg)
	mustContain(t, "search --json", out, `"enabled_version": "1.1.0"`, `"trusted_key_id": "`+keyID+`"`, `"changelog": "Faster."`)

	ok(t, "plugin", "publish", src["1.2.0"], "--to", reg, "--key", key)
	out = ok(t, "-p", proj, "plugin", "update", id, "--from", reg)
	mustContain(t, "update to 1.2.0", out, "also asks for the customer fields first_name", "Approve it with: marketbench plugin approve "+id+" -p "+proj)
	if _, errs, code := run(t, "-p", proj, "plugin", "check", id); code == 0 || !strings.Contains(errs, "not approved it on this computer") {
		t.Fatalf("check before approval: %d %s", code, errs)
	}
	ok(t, "-p", proj, "plugin", "approve", id)
	ok(t, "-p", proj, "plugin", "check", id)

	// Another key signs 1.3.0: refused with both keys, until trusted.
	otherID := keygen(other)
	out = ok(t, "plugin", "publish", src["1.3.0"], "--to", reg, "--key", other)
	mustContain(t, "publish with another key", out, "Earlier versions were signed by key "+keyID)
	_, errs, code := run(t, "-p", proj, "plugin", "update", "--from", reg)
	if code == 0 {
		t.Fatal("an update signed by another key was installed")
	}
	mustContain(t, "update signed by another key", errs, "is signed by key "+otherID, "you trust key "+keyID, "marketbench plugin trust-signer "+id)
	out = ok(t, "plugin", "trust-signer", id, host.PublicKeyPath(other))
	mustContain(t, "trust-signer", out, "You now trust key "+otherID+" to sign "+id+" (instead of key "+keyID+")")
	out = ok(t, "-p", proj, "plugin", "update", "--from", reg)
	mustContain(t, "update after trust-signer", out, "from 1.2.0 to 1.3.0", "your approval carried over")

	// A tampered archive.
	ix, _ := host.ReadIndex(reg, false)
	arc := filepath.Join(reg, ix.Plugins[0].Versions[0].Archive)
	b, _ := os.ReadFile(arc)
	b[len(b)/3] ^= 1
	os.WriteFile(arc, b, 0o644)
	_, errs, code = run(t, "plugin", "install", "filechannel@1.0.0", "--from", reg)
	if code == 0 {
		t.Fatal("a tampered archive was installed")
	}
	mustContain(t, "tampered archive", errs, "does not match the registry's index", "nothing was installed")

	// Installing a folder still works as before.
	ok(t, "-p", proj, "plugin", "install", src["1.0.0"])
}
