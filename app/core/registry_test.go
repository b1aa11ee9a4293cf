package core

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
)

// buildFileChannel builds the SDK's filechannel example with its version
// set to version (a real, different program per version, through a build
// overlay of its main.go) into a plugin folder under parent, with a
// manifest asking for fields and hosts.
func buildFileChannel(t *testing.T, parent, version string, fields, hosts []string) string {
	t.Helper()
	src, err := filepath.Abs("../../sdk/examples/filechannel")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile(filepath.Join(src, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	const literal = `Version: "1.0.0"`
	if !strings.Contains(string(code), literal) {
		t.Fatalf("the filechannel example no longer says %s", literal)
	}
	tmp := t.TempDir()
	main := filepath.Join(tmp, "main.go")
	os.WriteFile(main, []byte(strings.Replace(string(code), literal, `Version: "`+version+`"`, 1)), 0o644)
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(src, "main.go"): main}})
	os.WriteFile(filepath.Join(tmp, "overlay.json"), overlay, 0o644)
	dir := filepath.Join(parent, "filechannel-"+version)
	cmd := exec.Command("go", "build", "-trimpath", "-overlay", filepath.Join(tmp, "overlay.json"), "-o", filepath.Join(dir, "filechannel"), ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building filechannel %s: %v\n%s", version, err, out)
	}
	sum, err := host.FileSHA256(filepath.Join(dir, "filechannel"))
	if err != nil {
		t.Fatal(err)
	}
	m := sdk.Manifest{ID: "example.com/filechannel", Version: version, Name: "File channel", Description: "Writes messages to a file",
		Publisher: "Example Ltd", Kinds: []string{"channel"}, ProtocolVersions: []int{sdk.ProtocolVersion},
		Binaries: map[string]sdk.Binary{host.Platform(): {Path: "filechannel", SHA256: sum}}, Fields: fields, NetworkHosts: hosts}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, sdk.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A team registry with real builds: a project enabled 1.0.0; 'update' to
// 1.1.0, which asks for nothing more, keeps it working on the new program;
// 1.2.0 adds a customer field and 1.3.0 a network host: each time the
// project's pin moves but the plugin is not started until you approve
// again, and then the new program answers.
func TestRegistryUpdateApproval(t *testing.T) {
	if testing.Short() {
		t.Skip("builds four plugin versions")
	}
	ctx := context.Background()
	t.Setenv(host.ConfigDirEnv, t.TempDir())
	t.Setenv(host.DirEnv, t.TempDir())
	t.Setenv(host.BundledEnv, t.TempDir())
	const id = "example.com/filechannel"
	builds := t.TempDir()
	reg := filepath.Join(t.TempDir(), "registry")
	key := filepath.Join(t.TempDir(), "team.key")
	pub, _, err := host.Keygen(key)
	if err != nil {
		t.Fatal(err)
	}
	publish := func(version string, fields, hosts []string) {
		t.Helper()
		if _, err := host.Publish(buildFileChannel(t, builds, version, fields, hosts), reg, host.PublishOptions{Key: key, Changelog: "v" + version}); err != nil {
			t.Fatal(err)
		}
	}
	var w *Workspace
	runs := func(want string) {
		t.Helper()
		md, err := w.PluginMetadata(ctx, id)
		if err != nil || md.GetVersion() != want {
			t.Fatalf("the project's plugin: %v %v, want the %s program", md.GetVersion(), err, want)
		}
	}
	publish("1.0.0", []string{"email"}, nil)
	publish("1.1.0", []string{"email"}, nil)

	w, err = Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := InstallFromRegistry(reg, "filechannel@1.0.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, id); err != nil {
		t.Fatal(err)
	}
	runs("1.0.0")

	ups, err := UpdateFromRegistry(ctx, reg, "", w)
	if err != nil || len(ups) != 1 {
		t.Fatalf("update: %+v %v", ups, err)
	}
	if u := ups[0]; u.From != "1.0.0" || u.To != "1.1.0" || u.PinnedFrom != "1.0.0" || u.NeedsApproval != nil || len(u.AddedFields)+len(u.AddedHosts) > 0 {
		t.Fatalf("update to 1.1.0: %+v", u)
	}
	runs("1.1.0")
	if ups, err := UpdateFromRegistry(ctx, reg, id, w); err != nil || !ups[0].UpToDate {
		t.Fatalf("second update: %+v %v", ups, err)
	}

	for _, step := range []struct {
		version       string
		fields, hosts []string
		added         []string
	}{
		{"1.2.0", []string{"email", "first_name"}, nil, []string{"first_name"}},
		{"1.3.0", []string{"email", "first_name"}, []string{"api.example.com"}, []string{"api.example.com"}},
	} {
		publish(step.version, step.fields, step.hosts)
		ups, err := UpdateFromRegistry(ctx, reg, "filechannel", w)
		if err != nil {
			t.Fatal(err)
		}
		u := ups[0]
		if !slices.Equal(append(u.AddedFields, u.AddedHosts...), step.added) || u.NeedsApproval == nil || u.NeedsApproval.Version != step.version {
			t.Fatalf("update to %s: %+v (needs %+v)", step.version, u, u.NeedsApproval)
		}
		if _, err := w.PluginMetadata(ctx, id); !errors.Is(err, ErrNotApproved) {
			t.Fatalf("%s started before it was approved: %v", step.version, err)
		}
		if _, err := w.ApprovePlugin(ctx, id); err != nil {
			t.Fatal(err)
		}
		runs(step.version)
	}
	if !slices.Contains(auditActions(t, w), "plugin update") {
		t.Error("no 'plugin update' in the audit log")
	}

	list, err := SearchRegistry(ctx, reg, "FILE", w)
	if err != nil || len(list) != 1 {
		t.Fatalf("search: %+v %v", list, err)
	}
	l := list[0]
	if l.Latest.Version != "1.3.0" || l.Enabled != "1.3.0" || l.TrustedKeyID != host.KeyID(pub.ID()) ||
		!slices.Equal(l.Installed, []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"}) {
		t.Fatalf("search listing: %+v", l)
	}
	if list, err := SearchRegistry(ctx, reg, "no such plugin", nil); err != nil || len(list) != 0 {
		t.Fatalf("search with no match: %+v %v", list, err)
	}
}
