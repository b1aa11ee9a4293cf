package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// testChannel builds the plugin host's test plugin (it misbehaves only
// when its settings say so; mode "ok" delivers and writes each message to
// the file named by "log", once per idempotency key) into a folder with its
// manifest, ready to install. The user plugin folder and the log folder
// are temporary.
func testChannel(t *testing.T) (src string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(host.DirEnv, filepath.Join(dir, "user"))
	t.Setenv(host.BundledEnv, filepath.Join(dir, "none"))
	src = filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	bin := filepath.Join(src, "misbehave")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/misbehave")
	cmd.Dir = "../../plugins/host"
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test plugin: %v\n%s", err, b)
	}
	// Plugin logs go to the user cache folder; after the build, which
	// needs Go's own cache there.
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	sum, err := host.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	m := sdk.Manifest{ID: "test.org/channel", Version: "1.0.0", Name: "Test channel", Description: "a channel for the tests",
		Kinds: []string{"channel"}, ProtocolVersions: []int{1}, Binaries: map[string]sdk.Binary{host.Platform(): {Path: "misbehave", SHA256: sum}},
		Fields: []string{"email", "first_name"}, NetworkHosts: []string{"mail.example.com"}}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(src, "plugin.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// shop makes a small project: 60 customers (every third without e-mail
// consent, one on the suppression list) and a segment of them all.
func shop(t *testing.T) *core.Workspace {
	t.Helper()
	ctx := context.Background()
	ws, err := core.Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer_id,first_name,email,email_consent\n")
	for i := range 60 {
		fmt.Fprintf(&b, "C%03d,Ann%d,c%03d@example.com,%v\n", i, i, i, i%3 != 0)
	}
	csv := filepath.Join(t.TempDir(), "customers.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := ws.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Suppress(ctx, "email", []string{"c001@example.com"}, "unsubscribed"); err != nil {
		t.Fatal(err)
	}
	return ws
}

// topText is all label text of the topmost dialog.
func topText(t *testing.T, w *window) string {
	t.Helper()
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, k := range x.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(x).Objects() {
				walk(k)
			}
		}
	}
	walk(top)
	return b.String()
}

func closeDialog(w *window) {
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		w.win.Canvas().Overlays().Remove(top)
	}
}

// enableOnScreen enables the test channel on the Plugins screen, fills in
// its settings and tests the connection.
func enableOnScreen(t *testing.T, w *window, p *project, logPath string) {
	t.Helper()
	p.goTo("Plugins")
	idle(t, p)
	s := p.plugins
	i := slices.IndexFunc(s.list, func(pi core.PluginInfo) bool { return pi.Manifest != nil && pi.Manifest.ID == "test.org/channel" })
	if i < 0 {
		t.Fatalf("the test channel is not listed: %v", s.grid.rows)
	}
	if got := s.grid.rows[i]; got[0] != "Test channel" || got[4] != "not enabled in this project" || got[6] != "email, first_name" || got[7] != "mail.example.com" {
		t.Errorf("plugin row %q", got)
	}
	s.grid.table.Select(widget.TableCellID{Row: i})
	if s.enableBtn.Disabled() || !s.disableBtn.Disabled() {
		t.Fatal("a plugin that is not enabled cannot be enabled")
	}
	test.Tap(s.enableBtn)
	// The user sees what the plugin will get before enabling it.
	msg := topText(t, w)
	if !strings.Contains(msg, "customer fields: email, first_name") || !strings.Contains(msg, "network hosts: mail.example.com") {
		t.Fatalf("enable dialog: %s", msg)
	}
	tapDialogButton(t, w, "Enable")
	idle(t, p)
	noDialog(t, w, "enabling")
	i = slices.IndexFunc(s.list, func(pi core.PluginInfo) bool { return pi.Manifest != nil && pi.Manifest.ID == "test.org/channel" })
	if got := s.grid.rows[i][4]; got != "enabled in this project" {
		t.Fatalf("status after enabling: %q", got)
	}
	if !s.compSel.Visible() || s.compSel.Selected != "bad" || s.form == nil {
		t.Fatalf("no channel form: %q %q", s.compSel.Selected, s.chanNote.Text)
	}
	for _, f := range []string{"mode", "log", "marker"} {
		if _, ok := s.form.widgets[f].(*widget.Entry); !ok {
			t.Errorf("field %s has widget %T", f, s.form.widgets[f])
		}
	}
	s.form.setValue("mode", "ok")
	s.form.setValue("log", logPath)
	test.Tap(s.testBtn)
	idle(t, p)
	noDialog(t, w, "the connection test")
	// The test plugin implements no check: that is said, not shown as a failure.
	if !strings.Contains(s.testResult.Text, "cannot test its connection") {
		t.Errorf("test result %q", s.testResult.Text)
	}
	if got := s.grid.rows[i][5]; got != "yes" {
		t.Errorf("running after the test: %q", got)
	}
	s.tabs.SelectIndex(1)
	idle(t, p)
	if s.logs.Text == "" || strings.HasPrefix(s.logs.Text, "The log cannot") {
		t.Errorf("log %q", s.logs.Text)
	}
}

// TestPlugins installs the test channel from a folder, enables it after
// seeing its fields and hosts, fills its settings, tests the connection,
// reads its log and disables it; a folder that is not a plugin is refused.
func TestPlugins(t *testing.T) {
	src := testChannel(t)
	w, p := open(t, shop(t))
	p.goTo("Plugins")
	idle(t, p)
	s := p.plugins
	if len(s.list) != 0 || !strings.HasPrefix(s.info.Text, "No plugins yet") {
		t.Fatalf("empty state: %d plugins, %q", len(s.list), s.info.Text)
	}
	s.install(src)
	idle(t, p)
	// The test plugin's manifest (test.org/channel) and the program
	// (test.org/misbehave) disagree: installed, with the differences shown.
	if msg := topText(t, w); !strings.Contains(msg, "disagree") || !strings.Contains(msg, "the program says test.org/misbehave") {
		t.Fatalf("install warnings: %s", msg)
	}
	closeDialog(w)
	if len(s.list) != 1 || !strings.Contains(p.status.Text, "Installed test.org/channel 1.0.0") {
		t.Fatalf("after install: %v; %q", s.grid.rows, p.status.Text)
	}
	if s.title.Text != "Test channel 1.0.0" || !strings.Contains(s.about.Text, "Customer fields it receives: email, first_name") {
		t.Errorf("detail %q / %q", s.title.Text, s.about.Text)
	}
	enableOnScreen(t, w, p, filepath.Join(t.TempDir(), "provider.log"))
	s.tabs.SelectIndex(0)

	test.Tap(s.disableBtn)
	tapDialogButton(t, w, "Yes")
	idle(t, p)
	if got := s.grid.rows[0][4]; got != "not enabled in this project" || s.compSel.Visible() {
		t.Fatalf("after disabling: %q, form shown %v", got, s.compSel.Visible())
	}
	if ps, _ := p.ws.Plugins(context.Background()); len(ps) != 1 || ps[0].Enabled {
		t.Fatalf("core still has it enabled: %+v", ps)
	}

	// A folder without a manifest is refused in words.
	s.install(t.TempDir())
	idle(t, p)
	msg := topText(t, w)
	if !strings.Contains(msg, "plugin.json") {
		t.Errorf("bad install: %s", msg)
	}
	closeDialog(w)

	// Remove uninstalls it from this computer.
	s.grid.table.Select(widget.TableCellID{Row: 0})
	test.Tap(s.removeBtn)
	tapDialogButton(t, w, "Yes")
	idle(t, p)
	if ps, _ := p.ws.Plugins(context.Background()); len(ps) != 0 {
		t.Fatalf("still installed after Remove: %+v", ps)
	}
}

// TestConfigForm generates a form from declared settings: the widget per
// type, required marks, defaults, and secrets kept apart.
func TestConfigForm(t *testing.T) {
	spec := sdk.Component{Name: "smtp", Description: "send e-mail through your server", Config: []sdk.Field{
		{Name: "host", Type: sdk.String, Title: "Server", Help: "e.g. smtp.example.com", Required: true},
		{Name: "port", Type: sdk.Int, Default: "587"},
		{Name: "tls", Type: sdk.Bool, Default: "true"},
		{Name: "auth", Type: sdk.Enum, Enum: []string{"plain", "login"}, Default: "login"},
		{Name: "password", Type: sdk.Secret, Required: true},
		{Name: "footer", Type: sdk.Text, Advanced: true},
	}}
	f := newConfigForm(spec, sdk.Config{"host": "mail.local"}, true)
	want := map[string]string{"host": "*widget.Entry", "port": "*widget.Entry", "tls": "*widget.Check", "auth": "*widget.Select",
		"password": "*widget.Entry", "footer": "*widget.Entry"}
	for name, typ := range want {
		if got := fmt.Sprintf("%T", f.widgets[name]); got != typ {
			t.Errorf("%s: %s, want %s", name, got, typ)
		}
	}
	if e := f.widgets["password"].(*widget.Entry); !e.Password {
		t.Error("the secret is not a password entry")
	}
	if e := f.widgets["footer"].(*widget.Entry); !e.MultiLine {
		t.Error("a text field is not multi-line")
	}
	forms := []*widget.Form{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Form); ok {
			forms = append(forms, x)
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, k := range c.Objects {
				walk(k)
			}
		}
		if a, ok := o.(*widget.Accordion); ok {
			for _, it := range a.Items {
				walk(it.Detail)
			}
		}
	}
	walk(f.content)
	if len(forms) != 2 {
		t.Fatalf("%d forms, want the main one and the advanced one", len(forms))
	}
	var labels []string
	for _, it := range forms[0].Items {
		labels = append(labels, it.Text+"|"+it.HintText)
	}
	if !slices.Contains(labels, "Server *|e.g. smtp.example.com") || !slices.Contains(labels, "password *|") {
		t.Errorf("labels %q", labels)
	}
	f.setValue("password", "s3cret")
	cfg, sec := f.values()
	wantCfg := sdk.Config{"host": "mail.local", "port": "587", "tls": "true", "auth": "login"}
	if fmt.Sprint(cfg) != fmt.Sprint(wantCfg) || fmt.Sprint(sec) != fmt.Sprint(sdk.Secrets{"password": "s3cret"}) {
		t.Errorf("values %v %v", cfg, sec)
	}
	if errs := spec.Check(cfg, sec); len(errs) > 0 {
		t.Errorf("the form's values fail the spec: %v", errs)
	}

	// Without secrets: the password is left out and said to be asked later.
	f = newConfigForm(spec, nil, false)
	if _, ok := f.widgets["password"]; ok {
		t.Error("a campaign form asks for the secret")
	}
	if _, ok := find(f.content, func(l *widget.Label) bool { return strings.Contains(l.Text, "password: asked for when you send") }); !ok {
		t.Error("no note about the secret")
	}
	if cfg, sec := f.values(); cfg["host"] != "" || len(sec) != 0 {
		t.Errorf("empty form values %v %v", cfg, sec)
	}
}

// A project enabled the test channel on another computer: here the
// Plugins screen says it is not approved and offers Approve…, whose dialog
// shows the fields and hosts; an action that needs the plugin asks the
// same; after approving, the channel can be set up. Before, a project's
// lock was taken as is and the plugin ran without the user seeing it.
func TestPluginApproval(t *testing.T) {
	src := testChannel(t)
	ctx := context.Background()
	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "author"))
	ws := shop(t)
	if _, err := ws.InstallPlugin(src); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.ConfigDirEnv, filepath.Join(t.TempDir(), "me"))
	w, p := open(t, ws)

	// An action that needs the plugin asks for the approval.
	_, err := ws.PluginMetadata(ctx, "test.org/channel")
	p.showError(err)
	if msg := topText(t, w); !strings.Contains(msg, "you have not approved it on this computer") || !strings.Contains(msg, "customer fields: email, first_name") {
		t.Fatalf("dialog for an action: %s", msg)
	}
	tapDialogButton(t, w, "Not now")
	idle(t, p)
	if need, _ := ws.PluginApproval(ctx, "test.org/channel"); need == nil {
		t.Fatal("'Not now' approved the plugin")
	}

	p.goTo("Plugins")
	idle(t, p)
	s := p.plugins
	if len(s.list) != 1 || s.grid.rows[0][4] != "enabled in this project, not yet approved by you on this computer" {
		t.Fatalf("rows %q", s.grid.rows)
	}
	s.grid.table.Select(widget.TableCellID{Row: 0})
	if !s.approveBtn.Visible() || s.compSel.Visible() || !strings.Contains(s.chanNote.Text, "approve it") {
		t.Fatalf("approve shown %v, channel form shown %v, note %q", s.approveBtn.Visible(), s.compSel.Visible(), s.chanNote.Text)
	}
	test.Tap(s.approveBtn)
	msg := topText(t, w)
	if !strings.Contains(msg, "customer fields: email, first_name") || !strings.Contains(msg, "network hosts: mail.example.com") {
		t.Fatalf("approve dialog: %s", msg)
	}
	tapDialogButton(t, w, "Approve")
	idle(t, p)
	noDialog(t, w, "approving")
	if need, err := ws.PluginApproval(ctx, "test.org/channel"); need != nil || err != nil {
		t.Fatalf("not approved after Approve: %+v %v", need, err)
	}
	if got := s.grid.rows[0][4]; got != "enabled in this project" || s.approveBtn.Visible() || !s.compSel.Visible() {
		t.Fatalf("after approving: %q, approve shown %v, channel form %v", got, s.approveBtn.Visible(), s.compSel.Visible())
	}
}
