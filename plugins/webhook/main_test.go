package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

const testSecret = "s3cret-for-tests"

// receiver is a webhook endpoint that checks what a real one would: the
// signature over the raw body, the headers, and the idempotency keys.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	// reply decides the answer to a request by its messages; nil is 200
	// with {"id": "rcv-<key>"} (single) or {} (batch).
	reply func(w http.ResponseWriter, msgs []payload)

	mu       sync.Mutex
	requests int
	batches  [][]string          // message keys per request
	seen     map[string][]string // message key -> Idempotency-Key header of each delivery
	headers  []http.Header
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t, seen: map[string][]string{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("X-Marketbench-Signature")), []byte(want)) {
		rc.t.Errorf("bad signature %q", r.Header.Get("X-Marketbench-Signature"))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if ts, err := strconv.ParseInt(r.Header.Get("X-Marketbench-Timestamp"), 10, 64); err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		rc.t.Errorf("timestamp %q", r.Header.Get("X-Marketbench-Timestamp"))
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rc.t.Errorf("Content-Type %q", ct)
	}
	var batch struct{ Messages []payload }
	var single payload
	var msgs []payload
	key := r.Header.Get("Idempotency-Key")
	if json.Unmarshal(body, &batch); batch.Messages != nil {
		msgs = batch.Messages
		if !strings.HasPrefix(key, "batch-") {
			rc.t.Errorf("batch key %q", key)
		}
	} else if err := json.Unmarshal(body, &single); err == nil {
		msgs = []payload{single}
		if key != single.IdempotencyKey {
			rc.t.Errorf("Idempotency-Key %q for a message with key %q", key, single.IdempotencyKey)
		}
	} else {
		rc.t.Errorf("body is not JSON: %s", body)
	}
	rc.mu.Lock()
	rc.requests++
	var keys []string
	for _, m := range msgs {
		if m.IdempotencyKey == "" || m.ID == "" {
			rc.t.Errorf("message without id or key: %+v", m)
		}
		keys = append(keys, m.IdempotencyKey)
		rc.seen[m.IdempotencyKey] = append(rc.seen[m.IdempotencyKey], key)
	}
	rc.batches = append(rc.batches, keys)
	rc.headers = append(rc.headers, r.Header.Clone())
	rc.mu.Unlock()
	if rc.reply != nil {
		rc.reply(w, msgs)
		return
	}
	if batch.Messages != nil {
		fmt.Fprint(w, `{}`)
		return
	}
	fmt.Fprintf(w, `{"id": "rcv-%s"}`, single.IdempotencyKey)
}

func (rc *receiver) config(extra ...string) sdk.Config {
	cfg := sdk.Config{"url": rc.srv.URL + "/hook"}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
}

var secrets = sdk.Secrets{"secret": testSecret}

// checkTwice checks the conformance run's side effects: every message
// arrived exactly twice (two rounds), each time with the same key.
func (rc *receiver) checkTwice(t *testing.T, n int) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.seen) != n {
		t.Errorf("%d distinct messages arrived, want %d", len(rc.seen), n)
	}
	for k, hdrs := range rc.seen {
		if len(hdrs) != 2 {
			t.Errorf("%s arrived %d times, want 2", k, len(hdrs))
		} else if hdrs[0] != hdrs[1] && !strings.HasPrefix(hdrs[0], "batch-") {
			t.Errorf("%s: the resend carried key %q, the first send %q", k, hdrs[1], hdrs[0])
		}
	}
}

func TestConformanceInProcess(t *testing.T) {
	rc := newReceiver(t)
	conn := plugintest.InProcess(t, plugin())
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "webhook", Config: rc.config(), Secrets: secrets,
		To: "ada@example.com", Bad: sdk.Config{"url": rc.srv.URL, "batch_size": "0"}})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || r.ProviderID != "rcv-conformance-"+strings.TrimPrefix(id, "m") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	rc.checkTwice(t, 20)
	if rc.requests != 40 {
		t.Errorf("%d requests, want 40", rc.requests)
	}
}

func TestConformanceBatches(t *testing.T) {
	rc := newReceiver(t)
	conn := plugintest.InProcess(t, plugin())
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "webhook", Config: rc.config("batch_size", "5", "concurrency", "2"),
		Secrets: secrets, To: "ada@example.com", Messages: 23})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || r.ProviderID != "conformance-"+strings.TrimPrefix(id, "m") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	rc.checkTwice(t, 23)
	for _, b := range rc.batches {
		if len(b) > 5 {
			t.Errorf("a batch of %d", len(b))
		}
	}
	// 46 messages in batches of up to 5: at least 10 requests, and far
	// fewer than one per message.
	if rc.requests < 10 || rc.requests > 30 {
		t.Errorf("%d requests for 46 messages in batches of 5", rc.requests)
	}
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	// An absolute path: Build names the binary after filepath.Base(dir),
	// which for "." is the temporary folder itself.
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	conn := plugintest.Launch(t, bin)
	rc := newReceiver(t)
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "webhook", Config: rc.config("concurrency", "8"), Secrets: secrets,
		To: "ada@example.com", Messages: 30, Bad: sdk.Config{"url": rc.srv.URL, "headers": "no colon here"}})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	rc.checkTwice(t, 30)
}

func open(t *testing.T, cfg sdk.Config, s sdk.Secrets) *session {
	t.Helper()
	sess, err := channel{}.Open(context.Background(), channel{}.Spec().WithDefaults(cfg), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess.(*session)
}

func msg(to string) sdk.Message {
	return sdk.Message{ID: "m-" + to, IdempotencyKey: "key-" + to, To: to, Subject: "Hi", Text: "Hello", Fields: map[string]string{"customer_id": "42"}}
}

func TestOutcomes(t *testing.T) {
	rc := newReceiver(t)
	rc.reply = func(w http.ResponseWriter, msgs []payload) {
		switch user, _, _ := strings.Cut(msgs[0].To, "@"); user {
		case "ok":
			fmt.Fprint(w, `{"id": 12345, "status": "queued"}`)
		case "noid":
			w.WriteHeader(http.StatusAccepted)
		case "limited":
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "dated":
			w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case "down":
			http.Error(w, "<html><body><h1>502 Bad Gateway</h1></body></html>", http.StatusBadGateway)
		case "bad":
			http.Error(w, `{"error": "unknown recipient", "detail": "`+strings.Repeat("x", 500)+`"}`, http.StatusBadRequest)
		case "moved":
			http.Redirect(w, &http.Request{}, "https://elsewhere.example/hook", http.StatusFound)
		case "slow":
			time.Sleep(time.Second)
		}
	}
	s := open(t, rc.config("timeout", "300ms"), secrets)
	ctx := context.Background()
	cases := []struct {
		to      string
		outcome sdk.Outcome
		after   time.Duration
		reason  string
		id      string
	}{
		{"ok@x.org", sdk.OutcomeDelivered, 0, "", "12345"},
		{"noid@x.org", sdk.OutcomeDelivered, 0, "", "key-noid@x.org"},
		{"limited@x.org", sdk.OutcomeRetry, 7 * time.Second, "HTTP 429 Too Many Requests: slow down", ""},
		{"dated@x.org", sdk.OutcomeRetry, 90 * time.Second, "HTTP 503 Service Unavailable: maintenance", ""},
		{"down@x.org", sdk.OutcomeRetry, 30 * time.Second, "HTTP 502 Bad Gateway: <html><body><h1>502 Bad Gateway</h1></body></html>", ""},
		{"bad@x.org", sdk.OutcomeRejected, 0, `HTTP 400 Bad Request: {"error": "unknown recipient"`, ""},
		{"moved@x.org", sdk.OutcomeRejected, 0, "HTTP 302 Found: the webhook redirects to https://elsewhere.example/hook", ""},
		{"slow@x.org", sdk.OutcomeRetry, 30 * time.Second, "the webhook did not answer: timed out", ""},
	}
	for _, c := range cases {
		r := s.Send(ctx, msg(c.to))
		ok := r.Outcome == c.outcome && strings.HasPrefix(r.Reason, c.reason) && r.ProviderID == c.id
		if c.outcome == sdk.OutcomeRetry {
			ok = ok && r.ServiceFault && (r.After-c.after).Abs() <= time.Second
		}
		if !ok {
			t.Errorf("%s: %+v", c.to, r)
		}
		if len(r.Reason) > 300 {
			t.Errorf("%s: the reason is %d bytes long", c.to, len(r.Reason))
		}
	}
	// Nothing listening: a network failure is retried later.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	r := open(t, sdk.Config{"url": dead.URL}, nil).Send(ctx, msg("ok@x.org"))
	if r.Outcome != sdk.OutcomeRetry || r.After != 30*time.Second || !strings.Contains(r.Reason, "refused") {
		t.Errorf("unreachable: %+v", r)
	}
}

func TestResendCarriesSameKey(t *testing.T) {
	rc := newReceiver(t)
	fail := true
	rc.reply = func(w http.ResponseWriter, msgs []payload) {
		if fail {
			fail = false
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{}`)
	}
	s := open(t, rc.config(), secrets)
	m := msg("ada@x.org")
	if r := s.Send(context.Background(), m); r.Outcome != sdk.OutcomeRetry {
		t.Fatalf("first send: %+v", r)
	}
	if r := s.Send(context.Background(), m); r.Outcome != sdk.OutcomeDelivered || r.ProviderID != m.IdempotencyKey {
		t.Fatalf("resend: %+v", r)
	}
	if got := rc.seen[m.IdempotencyKey]; len(got) != 2 || got[0] != m.IdempotencyKey || got[1] != m.IdempotencyKey {
		t.Errorf("Idempotency-Key headers %q", got)
	}
	// The same batch resent carries the same batch key, whatever the order.
	if batchKey([]string{"a", "b"}) != batchKey([]string{"b", "a"}) || batchKey([]string{"a"}) == batchKey([]string{"b"}) {
		t.Error("batch keys are not a function of the set of message keys")
	}
}

func TestBatchFailureReachesEveryMessage(t *testing.T) {
	rc := newReceiver(t)
	rc.reply = func(w http.ResponseWriter, msgs []payload) {
		w.Header().Set("Retry-After", "12")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	s := open(t, rc.config("batch_size", "3"), secrets)
	var wg sync.WaitGroup
	results := make([]sdk.Result, 4) // one full batch and one sent by the timer
	for i := range results {
		wg.Go(func() { results[i] = s.Send(context.Background(), msg(fmt.Sprintf("u%d@x.org", i))) })
	}
	wg.Wait()
	for i, r := range results {
		if r.Outcome != sdk.OutcomeRetry || r.After != 12*time.Second {
			t.Errorf("message %d: %+v", i, r)
		}
	}
	if rc.requests != 2 {
		t.Errorf("%d requests for 4 messages in batches of 3", rc.requests)
	}
}

func TestHeadersAndUnsigned(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	s := open(t, sdk.Config{"url": srv.URL, "headers": "X-Tenant: acme\n\n  X-Env : test  \n"}, sdk.Secrets{"authorization": "Bearer t0k"})
	if r := s.Send(context.Background(), msg("a@x.org")); r.Outcome != sdk.OutcomeDelivered {
		t.Fatal(r)
	}
	if got.Get("X-Tenant") != "acme" || got.Get("X-Env") != "test" || got.Get("Authorization") != "Bearer t0k" {
		t.Errorf("headers %v", got)
	}
	if got.Get("X-Marketbench-Signature") != "" {
		t.Error("signed without a secret")
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                               30 * time.Second,
		"0":                              0,
		"120":                            2 * time.Minute,
		" 5 ":                            5 * time.Second,
		"-3":                             30 * time.Second,
		"soon":                           30 * time.Second,
		"99999999999":                    24 * time.Hour,
		"Sun, 01 Mar 2026 12:01:30 GMT":  90 * time.Second,
		"Sunday, 01-Mar-26 12:00:10 GMT": 10 * time.Second,
		"Sun, 01 Mar 2026 11:00:00 GMT":  0, // in the past: now
		"Sun, 01 Mar 2027 12:00:00 GMT":  24 * time.Hour,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", h, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		cfg   sdk.Config
		field string
	}{
		{sdk.Config{"batch_size": "0"}, "batch_size"},
		{sdk.Config{"concurrency": "1000"}, "concurrency"},
		{sdk.Config{"timeout": "-1s"}, "timeout"},
		{sdk.Config{"headers": "X-Ok: 1\nbroken"}, "headers"},
		{sdk.Config{"headers": "Authorization: Bearer x"}, "headers"},
		{sdk.Config{"headers": "X-Marketbench-Signature: forged"}, "headers"},
		{sdk.Config{"headers": "Bad Name: x"}, "headers"},
	} {
		errs := channel{}.Validate(channel{}.Spec().WithDefaults(c.cfg))
		if len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%v: %v", c.cfg, errs)
		}
	}
	if errs := (channel{}).Validate(channel{}.Spec().WithDefaults(sdk.Config{"headers": "X-A: 1\nX-B: two words"})); len(errs) != 0 {
		t.Errorf("good headers refused: %v", errs)
	}
	if _, err := (channel{}).Open(context.Background(), sdk.Config{"url": "https://x.org", "batch_size": "5000"}, nil); err == nil {
		t.Error("Open accepted batch_size 5000")
	}
}

func TestCheck(t *testing.T) {
	rc := newReceiver(t) // answers HEAD with 405: still reachable
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	if err := conn.Check(ctx, "webhook", rc.config(), nil); err != nil {
		t.Errorf("Check: %v", err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	err := conn.Check(ctx, "webhook", sdk.Config{"url": dead.URL}, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot reach "+dead.URL) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Check of a closed port: %v", err)
	}
	if err := conn.Check(ctx, "webhook", nil, nil); err == nil || !strings.Contains(err.Error(), "not an http or https address") {
		t.Errorf("Check without a URL: %v", err)
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
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	p := plugin()
	if m.ID != p.ID || m.Version != p.Version || !slices.Equal(m.Kinds, p.Kinds()) || !slices.Equal(m.Fields, channel{}.Spec().Fields) {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	if err := m.Validate(); err == nil || err.Error() != "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits" {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
}
