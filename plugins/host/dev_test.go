package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
)

// A development install replaces the build of the same version and marks
// it; a release install of another build of the same version is refused
// with both checksums, and replaces a development build.
func TestDevInstallReplacesTheSameVersion(t *testing.T) {
	user := t.TempDir()
	release := pluginDir(t, t.TempDir(), "example.com/filechannel", bins.file, nil)
	first, err := Install(release, user)
	if err != nil {
		t.Fatal(err)
	}
	if first.Development {
		t.Fatal("a release install is marked development")
	}
	other := pluginDir(t, t.TempDir(), "example.com/filechannel", bins.misbehave, nil)
	otherSum, _ := FileSHA256(bins.misbehave)
	_, err = Install(other, user)
	if err == nil || !strings.Contains(err.Error(), first.SHA256) || !strings.Contains(err.Error(), otherSum) || !strings.Contains(err.Error(), "plugin dev") {
		t.Fatalf("another build of the same version: %v", err)
	}

	dev, replaced, err := DevInstall(other, user)
	if err != nil {
		t.Fatal(err)
	}
	if !dev.Development || dev.Dev == nil || dev.Dev.Source == "" || dev.SHA256 != otherSum || replaced != first.SHA256 || dev.Dir != first.Dir {
		t.Fatalf("dev install: %+v (replaced %s)", dev, replaced)
	}
	if found := Discover(user, ""); len(found) != 1 || !found[0].Development {
		t.Fatalf("discovery: %+v", found)
	}
	// Rebuilt again: replaced again, no "remove it first".
	if _, replaced, err := DevInstall(release, user); err != nil || replaced != otherSum {
		t.Fatalf("second dev install: %v (replaced %s)", err, replaced)
	}
	// A release of the same version replaces the development build and
	// is no longer marked, even when the source folder carries a mark.
	os.WriteFile(filepath.Join(other, DevMarker), []byte("{}"), 0o644)
	got, err := Install(other, user)
	if err != nil || got.Development {
		t.Fatalf("release over a dev build: %+v, %v", got, err)
	}
}

// A program that does not match its manifest's checksum is refused with
// both checksums.
func TestChangedProgramShowsBothChecksums(t *testing.T) {
	dir := pluginDir(t, t.TempDir(), "test.org/badsum", bins.file, func(m *sdk.Manifest) {
		m.Binaries[Platform()] = sdk.Binary{Path: "filechannel", SHA256: strings.Repeat("0", 64)}
	})
	real, _ := FileSHA256(bins.file)
	_, err := Install(dir, t.TempDir())
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), strings.Repeat("0", 64)) || !strings.Contains(err.Error(), real) {
		t.Fatalf("install: %v", err)
	}
	// At start: the pin differs from the program.
	h := newHost(t, Options{})
	f, err := Install(pluginDir(t, t.TempDir(), "example.com/filechannel", bins.file, nil), h.opt.UserDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Plugin(*f, strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Conn(context.Background())
	if err == nil || !strings.Contains(err.Error(), strings.Repeat("ab", 32)) || !strings.Contains(err.Error(), real) || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("start: %v", err)
	}
}

// The manifest and the running program are compared: the testdata plugin
// "mismatch" disagrees in each comparable way; the example agrees.
func TestCompareManifestWithProgram(t *testing.T) {
	user := t.TempDir()
	f, err := Install(pluginDir(t, t.TempDir(), "test.org/mismatch", bins.mismatch, func(m *sdk.Manifest) {
		m.Kinds, m.Fields = []string{"channel", "model"}, []string{"email", "phone"}
	}), user)
	if err != nil {
		t.Fatal(err)
	}
	md, err := Probe(context.Background(), *f, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, m := range Compare(f.Manifest, md) {
		got[m.Check] = append(got[m.Check], m.Err.Error())
	}
	want := map[string][]string{
		"version": {"1.0.1"},
		"kinds":   {"kind model"},
		"fields":  {"field first_name, which the manifest's fields do not list", "field phone, which no channel"},
		"hosts":   {"hook.url", "hook.token"},
	}
	for check, parts := range want {
		all := strings.Join(got[check], "\n")
		for _, p := range parts {
			if !strings.Contains(all, p) {
				t.Errorf("%s: %q missing in %q", check, p, all)
			}
		}
	}
	if len(got["id"]) > 0 {
		t.Errorf("id: %v", got["id"])
	}

	ok, err := Install(pluginDir(t, t.TempDir(), "example.com/filechannel", bins.file, nil), user)
	if err != nil {
		t.Fatal(err)
	}
	md, err = Probe(context.Background(), *ok, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ms := Compare(ok.Manifest, md); len(ms) != 0 {
		t.Errorf("the example disagrees with its manifest: %v", ms)
	}
}
