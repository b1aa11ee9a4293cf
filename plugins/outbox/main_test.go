package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// readOutbox returns the outbox's lines, each decoded (nil for a line that
// is not JSON).
func readOutbox(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			m = nil
		}
		out = append(out, m)
	}
	return out
}

func TestManifestMatchesPlugin(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, bin := range m.Binaries {
		if bin.SHA256 != "" {
			t.Errorf("%s: the template should leave sha256 empty", k)
		}
		bin.SHA256 = strings.Repeat("0", 64)
		m.Binaries[k] = bin
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	spec := Plugin.Channels[0].Spec()
	if m.ID != Plugin.ID || m.Version != Plugin.Version || !slices.Equal(m.Kinds, Plugin.Kinds()) ||
		!slices.Equal(m.Fields, spec.Fields) || len(m.NetworkHosts) != 0 || m.Binaries["linux/amd64"].Path != "outbox" {
		t.Errorf("manifest %+v does not match the plugin", m)
	}
}

// The conformance suite sends 25 messages twice with the same keys: the
// outbox holds each once, whole, with what the host sent.
func conformance(t *testing.T, conn *client.Conn) {
	dir := filepath.Join(t.TempDir(), "not yet")
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "outbox", Config: sdk.Config{"folder": dir},
		To: "ada@example.com", Messages: 25, Bad: sdk.Config{"folder": "relative/out"}})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	lines := readOutbox(t, filepath.Join(dir, DefaultFile))
	if len(lines) != 25 {
		t.Fatalf("%d lines, want 25 (the resend of the same keys wrote nothing)", len(lines))
	}
	// Messages in flight together may be written in any order.
	seen := map[string]bool{}
	for i, l := range lines {
		id, _ := l["id"].(string)
		var n int
		fmt.Sscanf(id, "m%03d", &n)
		if seen[id] || l["idempotency_key"] != fmt.Sprintf("conformance-%03d", n) || l["to"] != "ada@example.com" || l["subject"] != fmt.Sprintf("Conformance %d", n) ||
			l["campaign"] != "conformance" || l["variant"] != "A" || l["text"] != "Hello from the conformance suite." || res[id].ProviderID != fmt.Sprintf("%s#%d", DefaultFile, i+1) {
			t.Errorf("line %d: %v (result %+v)", i+1, l, res[id])
		}
		seen[id] = true
	}
	if errs, _ := conn.ValidateConfig(context.Background(), "outbox", sdk.Config{"folder": dir, "file": "../x.jsonl"}); len(errs) != 1 {
		t.Errorf("a file name with a folder: %v", errs)
	}
}

func TestConformanceInProcess(t *testing.T) {
	conformance(t, plugintest.InProcess(t, Plugin))
}

func TestConformanceBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	conformance(t, plugintest.Launch(t, bin))
}

func send(t *testing.T, conn *client.Conn, cfg sdk.Config, msgs ...sdk.Message) map[string]sdk.Result {
	t.Helper()
	ctx := context.Background()
	s, err := conn.Open(ctx, "outbox", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]sdk.Result{}
	if err := s.Send(ctx, msgs, func(id string, r sdk.Result) error { got[id] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return got
}

// A later session (a later run, after a crash) knows the keys already in
// the file: a message sent again is not written again, a new one is
// appended, and a line a crash cut short does not swallow the next one.
func TestResumeAcrossSessions(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	dir := t.TempDir()
	cfg := sdk.Config{"folder": dir, "file": "journeys.jsonl"}
	msg := func(id string) sdk.Message {
		return sdk.Message{ID: id, IdempotencyKey: "k-" + id, To: id + "@example.com", Subject: "Hi " + id, Campaign: "Welcome › welcome", Variant: "A",
			Fields: map[string]string{"customer_id": id}}
	}
	send(t, conn, cfg, msg("c1"))
	first := send(t, conn, cfg, msg("c2"))
	out := filepath.Join(dir, "journeys.jsonl")
	// A crash in the middle of a line.
	f, _ := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-12-06T10:00:00Z","id":"c3","idempotency_key":"k-c3","subj`)
	f.Close()
	again := send(t, conn, cfg, msg("c2"), msg("c3"), msg("c4"))
	if again["c2"] != first["c2"] || again["c2"].ProviderID != "journeys.jsonl#2" {
		t.Errorf("the resent c2: %+v, first %+v", again["c2"], first["c2"])
	}
	lines := readOutbox(t, out)
	var ids []string
	for _, l := range lines {
		if l == nil {
			ids = append(ids, "(torn)")
			continue
		}
		ids = append(ids, l["id"].(string))
	}
	// c3 and c4 went together: in either order.
	slices.Sort(ids[3:])
	if want := []string{"c1", "c2", "(torn)", "c3", "c4"}; !slices.Equal(ids, want) {
		t.Fatalf("outbox lines %v, want %v", ids, want)
	}
	for i, l := range lines[3:] {
		id := l["id"].(string)
		if l["subject"] != "Hi "+id || l["to"] != id+"@example.com" || l["campaign"] != "Welcome › welcome" || l["fields"].(map[string]any)["customer_id"] != id ||
			again[id].ProviderID != fmt.Sprintf("journeys.jsonl#%d", i+4) {
			t.Errorf("line %d: %v (result %+v)", i+4, l, again[id])
		}
	}
}

// Settings are checked before anything is written: a relative folder or a
// file name with a folder in it is refused; Check creates the folder.
func TestSettings(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	ctx := context.Background()
	for _, bad := range []sdk.Config{{"folder": "out"}, {"folder": "/tmp", "file": "a/b.jsonl"}, {"folder": "/tmp", "file": ".."}} {
		if errs, err := conn.ValidateConfig(ctx, "outbox", bad); err != nil || len(errs) != 1 {
			t.Errorf("%v: %v %v", bad, errs, err)
		}
	}
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := conn.Check(ctx, "outbox", sdk.Config{"folder": dir}, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, DefaultFile)); err != nil || st.Size() != 0 {
		t.Errorf("Check did not leave an empty outbox: %v", err)
	}
}
