package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/marketbench/marketbench/plugins/fakes/fcm"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// fake starts the FCM fake and returns it with a config and the secrets
// that reach it.
func fake(t *testing.T, extra ...string) (*fcm.Server, sdk.Config, sdk.Secrets) {
	t.Helper()
	s := fcm.New(t)
	cfg := sdk.Config{"endpoint": s.URL}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return s, cfg, sdk.Secrets{"service_account_json": s.ServiceAccountJSON()}
}

// checkOnce checks the conformance run's side effects: every message went
// to the device twice (two rounds; FCM has no idempotency key), with the
// suite's title and text, and one access token served them all.
func checkOnce(t *testing.T, s *fcm.Server, res map[string]sdk.Result, n int, device string) {
	t.Helper()
	names := map[string]bool{}
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || !strings.HasPrefix(r.ProviderID, "projects/"+s.ProjectID+"/messages/0:") {
			t.Errorf("%s: %+v", id, r)
		}
		names[r.ProviderID] = true
	}
	if len(names) != n {
		t.Errorf("%d distinct message names for %d messages", len(names), n)
	}
	sent := s.Sent()
	if len(sent) != 2*n {
		t.Errorf("%d messages reached FCM, want %d", len(sent), 2*n)
	}
	for _, m := range sent {
		if m.Token != device || !strings.HasPrefix(m.Title, "Conformance ") || m.Body != "Hello from the conformance suite." ||
			m.AndroidPriority != "high" || m.AnalyticsLabel != "conformance" {
			t.Errorf("sent %+v", m)
			break
		}
	}
	if s.TokenRequests() != 1 {
		t.Errorf("%d token requests, want 1 (the access token is cached)", s.TokenRequests())
	}
}

func TestConformanceInProcess(t *testing.T) {
	s, cfg, sec := fake(t)
	conn := plugintest.InProcess(t, plugin())
	dev := fcm.DeviceToken("ada")
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: component, Config: cfg, Secrets: sec, To: dev,
		Bad: sdk.Config{"endpoint": "https://fcm.example.com"}, Fields: map[string]string{"customer_id": "42", "push_token": dev}})
	checkOnce(t, s, res, 20, dev)
}

var (
	buildOnce sync.Once
	binPath   string
)

// binary builds the plugin once per test run.
func binary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := filepath.Abs(".")
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.MkdirTemp("", "fcm-push-bin")
		if err != nil {
			t.Fatal(err)
		}
		binPath = plugintest.Build(t, dir)
		// Build puts it in the test's temporary folder; keep a copy for
		// the run.
		b, err := os.ReadFile(binPath)
		if err != nil {
			t.Fatal(err)
		}
		binPath = filepath.Join(out, "fcm-push")
		if err := os.WriteFile(binPath, b, 0o755); err != nil {
			t.Fatal(err)
		}
	})
	if binPath == "" {
		t.Fatal("the plugin did not build")
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// syncBuffer collects the plugin's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBinary runs the built plugin through the real protocol client: the
// conformance suite, failures of every kind, and then checks that neither
// its log nor any error or reason carries the key or an access token.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	bin := binary(t)
	plugintest.Smoke(t, bin)
	var logs syncBuffer
	conn, err := client.Launch(client.Config{Path: bin, Logger: hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace, JSONFormat: true})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	s, cfg, sec := fake(t, "concurrency", "8", "ttl", "1h")
	dev := fcm.DeviceToken("grace")
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: component, Config: cfg, Secrets: sec, To: dev, Messages: 30,
		Bad: sdk.Config{"endpoint": s.URL, "data": "no separator"}})
	checkOnce(t, s, res, 30, dev)

	var said []string // every error and reason the host saw
	ctx := context.Background()
	if err := conn.Check(ctx, component, cfg, sec); err != nil {
		t.Errorf("Check: %v", err)
	}
	var keyFile map[string]string
	json.Unmarshal([]byte(sec["service_account_json"]), &keyFile)
	wrong := strings.Replace(sec["service_account_json"], keyFile["private_key_id"], "0000", 1)
	for _, bad := range []sdk.Secrets{{"service_account_json": "{not json"}, {"service_account_json": wrong}} {
		err := conn.Check(ctx, component, cfg, bad)
		if err == nil {
			t.Errorf("Check accepted a bad key")
			continue
		}
		said = append(said, err.Error())
	}
	s.Unregister(fcm.DeviceToken("gone"))
	s.FailToken(fcm.DeviceToken("iphone"), fcm.ThirdPartyAuthError)
	sess, err := conn.Open(ctx, component, cfg, sec)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []sdk.Message{
		{ID: "gone", IdempotencyKey: "k1", To: fcm.DeviceToken("gone"), Subject: "Hi", Text: "Sale"},
		{ID: "iphone", IdempotencyKey: "k2", To: fcm.DeviceToken("iphone"), Subject: "Hi", Text: "Sale"},
		{ID: "short", IdempotencyKey: "k3", To: "abc", Subject: "Hi", Text: "Sale"},
	}
	got := map[string]sdk.Result{}
	if err := sess.Send(ctx, msgs, func(id string, r sdk.Result) error { got[id] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if r := got["gone"]; r.Outcome != sdk.OutcomeRejected || !r.Undeliverable {
		t.Errorf("unregistered over the wire: %+v", r)
	}
	if r := got["iphone"]; r.Outcome != sdk.OutcomeRejected || r.Undeliverable {
		t.Errorf("third-party auth over the wire: %+v", r)
	}
	s.RevokeKey()
	s.ExpireTokens()
	got = map[string]sdk.Result{}
	sess.Send(ctx, msgs[:1], func(id string, r sdk.Result) error { got[id] = r; return nil })
	if r := got["gone"]; r.Outcome != sdk.OutcomeRetry || !strings.Contains(r.Reason, "Google refused the service account key") {
		t.Errorf("revoked key: %+v", r)
	}
	sess.Close(ctx)
	for _, r := range got {
		said = append(said, r.Reason)
	}
	conn.Close()
	if logs.String() == "" {
		t.Error("no log line was captured: the check below would prove nothing")
	}
	all := logs.String() + "\n" + strings.Join(said, "\n")
	pemBody := strings.Split(keyFile["private_key"], "\n")[1] // a line of the key's base64
	for _, secret := range []string{pemBody, "PRIVATE KEY", "ya29.", "eyJhbGciOi"} {
		if strings.Contains(all, secret) {
			t.Errorf("the plugin's log or errors carry %q", secret)
		}
	}
}

// plugin.json is a template the build fills in: everything but the binary
// hash must already be right, and agree with the code.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	p := plugin()
	if m.ID != p.ID || m.Version != p.Version || !slices.Equal(m.Kinds, p.Kinds()) || !slices.Equal(m.Fields, channel{}.Spec().Fields) ||
		!slices.Equal(m.NetworkHosts, []string{"oauth2.googleapis.com", "fcm.googleapis.com"}) || m.Binaries["linux/amd64"].Path != "fcm-push" {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	// The hosts are exactly those the code contacts.
	if !strings.HasPrefix(googleTokenURL, "https://oauth2.googleapis.com/") || !strings.HasPrefix(fcmBase, "https://fcm.googleapis.com") {
		t.Error("the code's hosts differ from the manifest's")
	}
	err = m.Validate()
	want := "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits"
	if err == nil || err.Error() != want {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
}
