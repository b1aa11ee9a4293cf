package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage/campaign"
)

// devExample copies sdk/examples/filechannel into dir as its own module
// with a plugin.json, its Send prefixing each text with marker.
func devExample(t *testing.T, dir, marker string) {
	t.Helper()
	sdkDir, _ := filepath.Abs("../../sdk")
	for _, name := range []string{"main.go", "go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join("../../sdk/examples/filechannel", name))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(b), `"text": m.Text`, `"text": "`+marker+` " + m.Text`, 1)
		s = strings.Replace(s, "=> ../..", "=> "+sdkDir, 1)
		os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"id": "example.com/filechannel", "version": "1.0.0",
  "kinds": ["channel"], "protocol_versions": [1], "binaries": {}, "fields": ["email"]}`), 0o644)
}

// In one open project (as in the app), a rebuild with DevPlugin replaces
// the running build: the next send goes through the new one. A live send
// needs AllowDevPlugin; uninstalling needs disable while enabled.
func TestDevPluginInOneSession(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	mod := t.TempDir()
	devExample(t, mod, "BUILD-ONE")
	res, err := w.DevPlugin(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found.Development || res.WasEnabled || len(res.Mismatches) != 0 {
		t.Fatalf("first dev: %+v, mismatches %v", res, res.Mismatches)
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	c := spring(map[string]string{"path": out})
	c.Plugin, c.Component = "example.com/filechannel", "file"
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	last := func() string {
		b, _ := os.ReadFile(out)
		l := strings.Split(strings.TrimSpace(string(b)), "\n")
		return l[len(l)-1]
	}
	test := SendOptions{Mode: campaign.TestSend, TestTo: "me@example.com"}
	if _, err := w.SendCampaign(ctx, c.Name, test, nil); err != nil || !strings.Contains(last(), "BUILD-ONE") {
		t.Fatalf("test send: %v, %s", err, last())
	}
	devExample(t, mod, "BUILD-TWO")
	res2, err := w.DevPlugin(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if !res2.WasEnabled || res2.Replaced != res.Found.SHA256 {
		t.Fatalf("second dev: %+v", res2)
	}
	if _, err := w.SendCampaign(ctx, c.Name, test, nil); err != nil || !strings.Contains(last(), "BUILD-TWO") {
		t.Fatalf("test send after the rebuild: %v, %s", err, last())
	}
	if _, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil); !errors.Is(err, ErrDevBuild) {
		t.Fatalf("live send without confirmation: %v", err)
	}
	if planned, _ := campaign.IsPlanned(ctx, w.Project, c.Name); planned {
		t.Fatal("the refused live send planned the campaign")
	}
	if rep, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live, AllowDevPlugin: true}, nil); err != nil || rep.Sent == 0 {
		t.Fatalf("confirmed live send: %v %+v", err, rep)
	}

	if _, _, err := w.UninstallPlugin(ctx, "example.com/filechannel", false); !errors.Is(err, ErrStillEnabled) {
		t.Fatalf("uninstall of an enabled plugin: %v", err)
	}
	n, disabled, err := w.UninstallPlugin(ctx, "example.com/filechannel", true)
	if err != nil || n != 1 || !disabled {
		t.Fatalf("uninstall --disable: %d %v %v", n, disabled, err)
	}
	if pins, _ := w.pins(ctx); len(pins) != 1 { // test.org/channel stays
		t.Errorf("pins after uninstall: %v", pins)
	}
}
