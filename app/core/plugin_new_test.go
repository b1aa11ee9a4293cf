package core

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/plugins/scaffold"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// A channel plugin written by the scaffold, built by its own release tool
// outside the repository (offline, go.mod and go.sum as written), installs
// from its dist folder, and a live campaign sends through it: one JSON
// line per message sent, each with the customer's id, the address and the
// first name the manifest asks for; what the plugin logs with log.Printf
// reaches the plugin's log.
func TestScaffoldChannelSendsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "rehearsal")
	res, err := NewPluginModule(scaffold.Options{Name: "rehearsal", Kind: "channel", Dir: dir, Module: "example.com/rehearsal"})
	if err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "run", "./internal/release", "manifest")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the release tool: %v\n%s", err, out)
	}
	t.Setenv(host.DirEnv, t.TempDir())
	t.Setenv(host.BundledEnv, t.TempDir())
	t.Setenv(host.ConfigDirEnv, t.TempDir())

	w, err := Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var csv strings.Builder
	csv.WriteString("customer_id,first_name,email,email_consent\n")
	for i := range 30 {
		fmt.Fprintf(&csv, "C%03d,Ann%d,c%03d@example.com,true\n", i, i, i)
	}
	customers := filepath.Join(t.TempDir(), "customers.csv")
	os.WriteFile(customers, []byte(csv.String()), 0o644)
	if _, err := w.Import(ctx, customers, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.InstallPlugin(filepath.Join(dir, "dist", "rehearsal")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, res.ID); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "sent.jsonl")
	c := &campaign.Campaign{Name: "Rehearsal", Segment: "Everyone", Table: "customers", Plugin: res.ID, Component: res.Component,
		Config: map[string]string{"path": out}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi {{.first_name}}", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	rep, err := w.SendCampaign(ctx, "Rehearsal", SendOptions{Mode: campaign.Live}, nil)
	if err != nil || rep.Sent != 30 {
		t.Fatalf("send: %+v %v", rep, err)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != rep.Sent {
		t.Fatalf("sent %d, the plugin wrote %d lines", rep.Sent, len(lines))
	}
	for _, l := range lines {
		var m map[string]string
		json.Unmarshal([]byte(l), &m)
		if !strings.HasPrefix(m["customer"], "C") || !strings.HasSuffix(m["to"], "@example.com") || !strings.HasPrefix(m["first_name"], "Ann") ||
			m["subject"] != "Hi "+m["first_name"] {
			t.Fatalf("a message as written: %s", l)
		}
	}
	logs, err := w.PluginLogs(ctx, res.ID)
	if err != nil || !strings.Contains(strings.Join(logs, "\n"), "writing messages to "+out) {
		t.Errorf("the plugin's log.Printf is not in its log: %v\n%s", err, strings.Join(logs, "\n"))
	}
}
