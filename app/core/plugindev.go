package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
)

// ErrDevBuild refuses a live send (or an automated one) through a plugin
// installed with 'plugin dev' unless the person confirms it: a build
// that changes with every save is for trying out, not for customers.
var ErrDevBuild = errors.New("the plugin is a development build")

// devBuildRefused is the error of a live send through a development build.
func devBuildRefused(f host.Found) error {
	return i18n.Errorf("%w: %s %s was installed with 'plugin dev'; a live send through it must be confirmed (the CLI's --allow-dev-plugin, or the app's dialog). Dry runs and test sends need no confirmation",
		ErrDevBuild, f.Manifest.ID, f.Manifest.Version)
}

// PluginIsDevelopment reports whether the build of id this project enabled
// is a development build (the GUI asks before a live send).
func (w *Workspace) PluginIsDevelopment(ctx context.Context, id string) (bool, error) {
	r, err := w.resolve(ctx, id)
	if err != nil {
		return false, err
	}
	return r.f.Development, nil
}

// DevResult is what 'plugin dev' did.
type DevResult struct {
	Found *host.Found
	// Build is the command that built the program, and Output what it
	// printed.
	Build  []string
	Output string
	// Replaced is the checksum of the build replaced ("" when none);
	// WasEnabled whether the project had enabled the plugin before.
	Replaced   string
	WasEnabled bool
	// Mismatches are where the manifest and the program disagree.
	Mismatches []host.Mismatch
	// LogFile is where the plugin's log is kept.
	LogFile string
}

// DevPlugin builds the plugin module in dir with 'go build', installs the
// program with dir's plugin.json as a development build (replacing the
// build of the same version; the manifest's checksum is filled in), stops
// a running process of the old build, enables it in this project (pinning
// the new checksum, approving it for you) and compares the manifest with
// what the program says.
//
// It runs 'go build' itself, not a Makefile: it has to know which program
// it installs and fill in its checksum, which a Makefile's output (where
// it writes, what it names it) does not tell; and a Makefile is not on
// every computer a Go toolchain is.
func (w *Workspace) DevPlugin(ctx context.Context, dir string) (*DevResult, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	m, err := devManifest(dir)
	if err != nil {
		return nil, err
	}
	name := devBinaryName(m)
	stage, err := os.MkdirTemp("", "mb-plugin-dev-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)
	res := &DevResult{Build: []string{"go", "build", "-o", filepath.Join(stage, name), "."}}
	if _, err := exec.LookPath("go"); err != nil {
		return nil, i18n.Errorf("'plugin dev' builds the plugin with the Go toolchain ('go build'), which is not on this computer's PATH: %v", err)
	}
	cmd := exec.CommandContext(ctx, res.Build[0], res.Build[1:]...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	res.Output = out.String()
	if err != nil {
		return res, i18n.Errorf("building %s with 'go build' failed: %v\n%s", dir, err, strings.TrimSpace(res.Output))
	}
	sum, err := host.FileSHA256(filepath.Join(stage, name))
	if err != nil {
		return res, err
	}
	m.Binaries = map[string]sdk.Binary{host.Platform(): {Path: name, SHA256: sum}}
	if err := m.Validate(); err != nil {
		return res, i18n.Errorf("%s: %v", filepath.Join(dir, sdk.ManifestFile), err)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(stage, sdk.ManifestFile), b, 0o644); err != nil {
		return res, err
	}
	user, err := host.UserDir()
	if err != nil {
		return res, err
	}
	f, replaced, err := host.DevInstall(stage, user)
	if err != nil {
		return res, err
	}
	res.Found, res.Replaced = f, replaced
	// The running process (in this app) is the old build.
	w.Host().StopFor(m.ID, "replaced by a new development build")
	pins, err := w.pins(ctx)
	if err != nil {
		return res, err
	}
	_, res.WasEnabled = pins[m.ID]
	if _, err := w.enableFound(ctx, f); err != nil {
		return res, err
	}
	res.Mismatches = w.compare(ctx, *f)
	res.LogFile = w.Host().LogFile(m.ID)
	return res, nil
}

// devManifest reads dir/plugin.json as a template: its binaries (whose
// checksum the author cannot know before building) are filled in later.
func devManifest(dir string) (*sdk.Manifest, error) {
	path := filepath.Join(dir, sdk.ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, i18n.Errorf("%s has no %s (the manifest 'plugin dev' installs the build with): %v", dir, sdk.ManifestFile, err)
	}
	var m sdk.Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, i18n.Errorf("%s is not a valid manifest: %v", path, err)
	}
	return &m, nil
}

// devBinaryName keeps the program's name from the manifest's entry for
// this computer, else names it after the plugin.
func devBinaryName(m *sdk.Manifest) string {
	if b, ok := m.Binaries[host.Platform()]; ok && b.Path != "" {
		return filepath.Base(filepath.FromSlash(b.Path))
	}
	name := m.ID[strings.LastIndex(m.ID, "/")+1:]
	if name == "" {
		name = "plugin"
	}
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return name
}

// compare starts f's program once and compares its metadata with its
// manifest; a program that does not start is one mismatch ("start").
func (w *Workspace) compare(ctx context.Context, f host.Found) []host.Mismatch {
	md, err := host.Probe(ctx, f, nil)
	if err != nil {
		return []host.Mismatch{{Check: "start", Err: i18n.Errorf("could not start it to compare its manifest with what it offers: %w", err)}}
	}
	return host.Compare(f.Manifest, md)
}

// InstallPluginChecked installs like InstallPlugin, then starts the
// program once to compare its manifest with what it says it offers: a
// mismatch is a warning, the install stands.
func (w *Workspace) InstallPluginChecked(ctx context.Context, src string) (*host.Found, []host.Mismatch, error) {
	f, err := w.InstallPlugin(src)
	if err != nil {
		return nil, nil, err
	}
	return f, w.compare(ctx, *f), nil
}

// PluginConsistency compares an enabled plugin's manifest with what its
// running program says ('plugin check').
func (w *Workspace) PluginConsistency(ctx context.Context, id string) ([]host.Mismatch, error) {
	md, err := w.PluginMetadata(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := w.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	return host.Compare(r.f.Manifest, md), nil
}
