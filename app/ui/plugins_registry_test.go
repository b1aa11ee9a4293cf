package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
)

// publishVersion publishes the test channel's folder src as version with
// fields into the registry reg, signed with key.
func publishVersion(t *testing.T, src, reg, key, version, changelog string, fields ...string) *host.Published {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "v"+version)
	os.MkdirAll(dir, 0o755)
	var m sdk.Manifest
	b, _ := os.ReadFile(filepath.Join(src, sdk.ManifestFile))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	bin, _ := os.ReadFile(filepath.Join(src, "misbehave"))
	os.WriteFile(filepath.Join(dir, "misbehave"), bin, 0o755)
	m.Version, m.Fields = version, fields
	b, _ = json.Marshal(m)
	os.WriteFile(filepath.Join(dir, sdk.ManifestFile), b, 0o644)
	p, err := host.Publish(dir, reg, host.PublishOptions{Key: key, Changelog: changelog})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// registryRow is the registry dialog's row of the test channel.
func registryRow(t *testing.T, r *registryDialog) []string {
	t.Helper()
	if len(r.list) != 1 || len(r.grid.rows) != 1 {
		t.Fatalf("registry rows %q (%s)", r.grid.rows, r.note.Text)
	}
	return r.grid.rows[0]
}

// registryOnTop fails when an action left another dialog over the
// registry dialog (an error, a question).
func registryOnTop(t *testing.T, w *window, what string) {
	t.Helper()
	if msg := topText(t, w); !strings.Contains(msg, "Registry folder") {
		t.Fatalf("%s left a dialog open:\n%s", what, msg)
	}
}

// TestRegistryDialog installs from a team registry on the Plugins screen:
// the folder is asked for once and remembered; the first signed install
// shows the key and the changelog and asks to trust it, then the plugin is
// listed, installed and used by the project; Update to a version that asks
// for another field goes through the approval dialog; a tampered archive
// and a version signed by another key are refused in words with what to
// do, and a new key given by the publisher can be trusted.
func TestRegistryDialog(t *testing.T) {
	src := testChannel(t)
	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "me"))
	ctx := context.Background()
	const id = "test.org/channel"
	dir := t.TempDir()
	reg, key, other := filepath.Join(dir, "registry"), filepath.Join(dir, "team.key"), filepath.Join(dir, "other.key")
	pub, _, err := host.Keygen(key)
	if err != nil {
		t.Fatal(err)
	}
	keyID := host.KeyID(pub.ID())
	publishVersion(t, src, reg, key, "1.0.0", "First release.", "email", "first_name")
	publishVersion(t, src, reg, key, "1.1.0", "Greets by last name.", "email", "first_name", "last_name")

	w, p := open(t, shop(t))
	p.goTo("Plugins")
	idle(t, p)
	s := p.plugins

	// No registry remembered: the folder is asked for.
	test.Tap(button(t, s.content, "From a team registry…"))
	idle(t, p)
	r := s.reg
	if r == nil || !strings.Contains(r.note.Text, "Choose the folder") {
		t.Fatal("the registry dialog did not ask for the folder")
	}
	closeDialog(w) // the folder dialog; the folder is "chosen" below
	r.open(reg)
	idle(t, p)
	if got := w.app.Preferences().String(prefRegistry); got != reg {
		t.Fatalf("remembered registry %q, want %q", got, reg)
	}
	r.d.Hide()
	idle(t, p)

	// Opened again, it lists the remembered registry straight away.
	test.Tap(button(t, s.content, "From a team registry…"))
	idle(t, p)
	r = s.reg
	if r.dir != reg {
		t.Fatalf("the dialog opened on %q", r.dir)
	}
	if m := w.win.Canvas().Overlays().Top().MinSize(); m.Width > minWindow.Width || m.Height > minWindow.Height-menuBar {
		t.Errorf("the registry dialog needs %v, more than the smallest window", m)
	}
	row := registryRow(t, r)
	want := []string{"Test channel", "1.1.0", keyID + " (not yet trusted)", "no", "not used", "a channel for the tests"}
	if strings.Join(row, "|") != strings.Join(want, "|") {
		t.Fatalf("row %q, want %q", row, want)
	}
	r.grid.table.Select(widget.TableCellID{Row: 0})
	if r.versions.Selected != "1.1.0" || !strings.Contains(r.detail.Text, "Greets by last name.") {
		t.Fatalf("newest not chosen: %q / %q", r.versions.Selected, r.detail.Text)
	}
	r.versions.SetSelected("1.0.0")
	if !r.useIt.Visible() || !r.useIt.Checked || r.install.Disabled() || !r.update.Disabled() {
		t.Fatalf("use it shown %v checked %v, install disabled %v, update disabled %v", r.useIt.Visible(), r.useIt.Checked, r.install.Disabled(), r.update.Disabled())
	}

	// Trust on first use: asked, with the key and the changelog.
	test.Tap(r.install)
	msg := topText(t, w)
	for _, x := range []string{keyID, "which you do not trust yet", "First release.", "customer fields: email, first_name", "This project will use it"} {
		if !strings.Contains(msg, x) {
			t.Fatalf("the install dialog does not say %q:\n%s", x, msg)
		}
	}
	tapDialogButton(t, w, "Trust the key and install")
	idle(t, p)
	registryOnTop(t, w, "installing 1.0.0")
	row = registryRow(t, r)
	if row[2] != keyID+" (trusted)" || row[3] != "1.0.0" || row[4] != "uses 1.0.0" {
		t.Fatalf("after install: %q", row)
	}
	if !strings.Contains(p.status.Text, "this project uses it") || len(s.list) != 1 || s.grid.rows[0][4] != "enabled in this project" {
		t.Fatalf("screen after install: %q, %q", p.status.Text, s.grid.rows)
	}
	if r.update.Disabled() || r.update.Text != "Update to 1.1.0…" {
		t.Fatalf("update button %q disabled %v", r.update.Text, r.update.Disabled())
	}

	// Update to 1.1.0, which also asks for last_name: approved again.
	test.Tap(r.update)
	msg = topText(t, w)
	if !strings.Contains(msg, "This project uses 1.0.0 and will use 1.1.0") || !strings.Contains(msg, "Greets by last name.") {
		t.Fatalf("update dialog:\n%s", msg)
	}
	tapDialogButton(t, w, "Update")
	idle(t, p)
	msg = topText(t, w)
	if !strings.Contains(msg, "you have not approved it on this computer") || !strings.Contains(msg, "last_name") {
		t.Fatalf("no approval asked after the update:\n%s", msg)
	}
	if !strings.Contains(p.status.Text, "also asks for last_name") {
		t.Errorf("status %q", p.status.Text)
	}
	tapDialogButton(t, w, "Approve")
	idle(t, p)
	registryOnTop(t, w, "approving the update")
	if need, err := p.ws.PluginApproval(ctx, id); need != nil || err != nil {
		t.Fatalf("not approved: %+v %v", need, err)
	}
	if row = registryRow(t, r); row[3] != "1.0.0, 1.1.0" || row[4] != "uses 1.1.0" || !r.update.Disabled() {
		t.Fatalf("after update: %q, update enabled %v", row, !r.update.Disabled())
	}

	// A tampered archive is refused in words, with what to do.
	p12 := publishVersion(t, src, reg, key, "1.2.0", "", "email", "first_name", "last_name")
	arc := filepath.Join(reg, p12.Version.Archive)
	b, _ := os.ReadFile(arc)
	os.WriteFile(arc, append(b, 0), 0o644)
	r.load()
	idle(t, p)
	r.versions.SetSelected("1.2.0")
	test.Tap(r.install)
	tapDialogButton(t, w, "Install")
	idle(t, p)
	msg = topText(t, w)
	for _, x := range []string{"does not match the registry's index", "What to do", "publish it again"} {
		if !strings.Contains(msg, x) {
			t.Fatalf("the tampered archive's refusal does not say %q:\n%s", x, msg)
		}
	}
	tapDialogButton(t, w, "OK")
	if row = registryRow(t, r); row[3] != "1.0.0, 1.1.0" {
		t.Fatalf("the tampered version was installed: %q", row)
	}

	// Signed by another key: refused; the publisher's new key is trusted.
	pub2, _, err := host.Keygen(other)
	if err != nil {
		t.Fatal(err)
	}
	publishVersion(t, src, reg, other, "1.3.0", "New key.", "email", "first_name", "last_name")
	r.load()
	idle(t, p)
	r.versions.SetSelected("1.3.0")
	test.Tap(r.install)
	if msg = topText(t, w); !strings.Contains(msg, "it will be refused") {
		t.Fatalf("no warning before installing a version signed by another key:\n%s", msg)
	}
	tapDialogButton(t, w, "Install")
	idle(t, p)
	msg = topText(t, w)
	if !strings.Contains(msg, "signed by a different key") || !strings.Contains(msg, "by phone or in person") {
		t.Fatalf("the changed signer's refusal:\n%s", msg)
	}
	tapDialogButton(t, w, "Trust a new key…")
	entry := must(t, w.win.Canvas().Overlays().Top(), "key entry", func(e *escapeEntry) bool { return true })
	entry.SetText(pub2.String())
	tapDialogButton(t, w, "Trust")
	idle(t, p)
	if row = registryRow(t, r); !strings.Contains(row[2], "(trusted)") || !strings.Contains(row[2], host.KeyID(pub2.ID())) {
		t.Fatalf("signer after trusting the new key: %q", row)
	}
	test.Tap(r.install)
	tapDialogButton(t, w, "Install")
	idle(t, p)
	registryOnTop(t, w, "installing 1.3.0 after trusting its key")
	if row = registryRow(t, r); row[3] != "1.0.0, 1.1.0, 1.3.0" {
		t.Fatalf("after installing 1.3.0: %q", row)
	}
}

// registryShot publishes the first bundled plugin into a registry signed
// with a new key and opens the registry dialog on it, for the screenshots.
func registryShot(p *project) {
	var src string
	for _, f := range host.Discover("", host.BundledDir()) {
		if f.Err == nil && f.Manifest != nil {
			src = f.Dir
			break
		}
	}
	tmp, err := os.MkdirTemp("", "mb-shots-registry-*")
	if src == "" || err != nil {
		fmt.Fprintln(os.Stderr, "registry shot: no bundled plugin", err)
		return
	}
	reg, key := filepath.Join(tmp, "registry"), filepath.Join(tmp, "team.key")
	// Ids under marketbench.org/ are only for bundled plugins: the team's
	// copy gets its own.
	team := filepath.Join(tmp, "src")
	if err := os.CopyFS(team, os.DirFS(src)); err != nil {
		fmt.Fprintln(os.Stderr, "registry shot:", err)
		return
	}
	var m sdk.Manifest
	b, _ := os.ReadFile(filepath.Join(team, sdk.ManifestFile))
	json.Unmarshal(b, &m)
	m.ID, m.Name, m.Publisher = "acme-consulting.example/webhook", "Acme webhook", "Acme Consulting"
	b, _ = json.Marshal(m)
	os.WriteFile(filepath.Join(team, sdk.ManifestFile), b, 0o644)
	src = team
	if _, _, err := host.Keygen(key); err != nil {
		fmt.Fprintln(os.Stderr, "registry shot:", err)
		return
	}
	if _, err := host.Publish(src, reg, host.PublishOptions{Key: key, Changelog: "Retries a failed delivery three times."}); err != nil {
		fmt.Fprintln(os.Stderr, "registry shot:", err)
		return
	}
	p.w.app.Preferences().SetString(prefRegistry, reg)
	p.goTo("Plugins")
	p.plugins.openRegistry()
	r := p.plugins.reg
	go func() {
		p.waitIdle(10 * time.Second)
		fyne.Do(func() { r.grid.table.Select(widget.TableCellID{Row: 0}) })
	}()
}
