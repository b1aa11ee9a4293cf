package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/marketbench/marketbench/plugins/fakes/twilio"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

const to = "+14155552671"

// config points the plugin at the fake, sending From the fake's number.
func config(f *twilio.Server, extra ...string) sdk.Config {
	cfg := sdk.Config{"account_sid": twilio.AccountSID, "from": twilio.Sender, "endpoint": f.URL}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(cfg, extra[i])
		} else {
			cfg[extra[i]] = extra[i+1]
		}
	}
	return cfg
}

var (
	tokenSecrets = sdk.Secrets{"auth_token": twilio.AuthToken}
	keySecrets   = sdk.Secrets{"api_key_secret": twilio.APIKeySecret}
)

func open(t *testing.T, cfg sdk.Config, s sdk.Secrets) *session {
	t.Helper()
	sess, err := channel{}.Open(context.Background(), channel{}.Spec().WithDefaults(cfg), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess.(*session)
}

func msg(number, text string) sdk.Message {
	return sdk.Message{ID: "c1", IdempotencyKey: "k-" + number, To: number, Subject: "ignored", Text: text}
}

func TestConformanceInProcess(t *testing.T) {
	f := twilio.New(t)
	conn := plugintest.InProcess(t, plugin())
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "twilio-sms", Config: config(f), Secrets: tokenSecrets, To: to,
		Bad: config(f, "messaging_service_sid", twilio.MessagingServiceSID)})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || !strings.HasPrefix(r.ProviderID, "SM") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	// No idempotency key at Twilio: the resend round sends again.
	sent := f.Sent()
	if len(sent) != 40 {
		t.Fatalf("%d messages reached Twilio, want 40", len(sent))
	}
	for _, s := range sent {
		if s.To != to || s.From != twilio.Sender || s.Body != "Hello from the conformance suite." || s.Auth != twilio.AccountSID {
			t.Errorf("sent %+v", s)
		}
	}
}

// logBuffer collects the plugin's stderr as the host's logger sees it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	buildOnce sync.Once
	binPath   string
	buildDir  string
)

// binary builds the plugin once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := filepath.Abs(".")
		if err != nil {
			t.Fatal(err)
		}
		buildDir, err = os.MkdirTemp("", "twilio-sms-bin")
		if err != nil {
			t.Fatal(err)
		}
		binPath = plugintest.Build(&onceT{T: t, dir: buildDir}, dir)
	})
	if binPath == "" {
		t.Fatal("the plugin did not build")
	}
	return binPath
}

// onceT gives Build a temporary folder that outlives the first test.
type onceT struct {
	*testing.T
	dir string
}

func (o *onceT) TempDir() string { return o.dir }

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// The built binary through the real protocol client: conformance with an
// API key, a refused credential, and not one secret in any error or log
// line.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	bin := binary(t)
	plugintest.Smoke(t, bin)
	logs := &logBuffer{}
	conn, err := client.Launch(client.Config{Path: bin, Logger: hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Trace})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	f := twilio.New(t)
	cfg := config(f, "api_key_sid", twilio.APIKeySID, "concurrency", "8")
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "twilio-sms", Config: cfg, Secrets: keySecrets, To: "(415) 555-2671",
		Messages: 30, Bad: config(f, "endpoint", "https://api.example.com")})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if sent := f.Sent(); len(sent) != 60 || sent[0].To != to || sent[0].Auth != twilio.APIKeySID {
		t.Errorf("%d sent, first %+v", len(sent), sent[0])
	}

	ctx := context.Background()
	var texts []string
	bad := sdk.Secrets{"auth_token": "wrong-token-do-not-leak"}
	err = conn.Check(ctx, "twilio-sms", config(f), bad)
	if err == nil || !strings.Contains(err.Error(), "Twilio refused the credentials") {
		t.Errorf("Check with a wrong token: %v", err)
	} else {
		texts = append(texts, err.Error())
	}
	s, err := conn.Open(ctx, "twilio-sms", config(f), bad)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(ctx, []sdk.Message{msg(to, "Hi")}, func(_ string, r sdk.Result) error {
		if r.Outcome != sdk.OutcomeRetry || r.After != settingsRetry || r.Reason != refusedCredentials {
			t.Errorf("send with a wrong token: %+v", r)
		}
		texts = append(texts, r.Reason)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	if _, err := conn.Receipts(ctx, "twilio-sms", config(f), bad, []sdk.ReceiptQuery{{ProviderID: f.Sent()[0].SID, To: to}}); err == nil {
		t.Error("receipts with a wrong token")
	} else {
		texts = append(texts, err.Error())
	}
	conn.Close()
	texts = append(texts, logs.String())
	for _, secret := range []string{"wrong-token-do-not-leak", twilio.APIKeySecret, twilio.AuthToken} {
		for _, s := range texts {
			if strings.Contains(s, secret) {
				t.Errorf("a secret leaked: %q", s)
			}
		}
	}
}

func TestOutcomes(t *testing.T) {
	f := twilio.New(t)
	f.InvalidNumbers("+14155550100")
	f.Unsubscribed("+14155550101")
	f.Refuse(21614, "+14155550102")
	f.Refuse(21408, "+8613812345678")
	f.Refuse(21612, "+442079460018")
	f.Refuse(21608, "+14155550103")
	s := open(t, config(f), tokenSecrets)
	ctx := context.Background()
	for _, c := range []struct {
		to            string
		outcome       sdk.Outcome
		undeliverable bool
		reason        string
	}{
		{"+14155550100", sdk.OutcomeRejected, true, "not a valid phone number (HTTP 400, error 21211: The 'To' number +14155550100 is not a valid phone number.)"},
		{"+14155550101", sdk.OutcomeRejected, true, "the recipient replied STOP and is unsubscribed (HTTP 400, error 21610"},
		{"+14155550102", sdk.OutcomeRejected, true, "not a mobile number (HTTP 400, error 21614"},
		{"+8613812345678", sdk.OutcomeRejected, false, "SMS to this country is not enabled"},
		{"+442079460018", sdk.OutcomeRejected, false, "Twilio cannot route SMS to this number"},
		{"+14155550103", sdk.OutcomeRejected, false, "a trial account sends only to verified numbers"},
		{"not a number", sdk.OutcomeRejected, true, `"not a number" is not a phone number`},
		{"", sdk.OutcomeRejected, false, "the customer has no phone number"},
	} {
		r := s.Send(ctx, msg(c.to, "Hello"))
		if r.Outcome != c.outcome || r.Undeliverable != c.undeliverable || !strings.HasPrefix(r.Reason, c.reason) {
			t.Errorf("%q: %+v", c.to, r)
		}
	}
	if n := len(f.Sent()); n != 0 {
		t.Errorf("%d refused messages recorded", n)
	}

	retry := func(what string, r sdk.Result, after time.Duration, reason string) {
		t.Helper()
		if r.Outcome != sdk.OutcomeRetry || !r.ServiceFault || (r.After-after).Abs() > time.Second || !strings.HasPrefix(r.Reason, reason) {
			t.Errorf("%s: %+v", what, r)
		}
	}
	f.Throttle(1, 7*time.Second)
	retry("429 with Retry-After", s.Send(ctx, msg(to, "Hi")), 7*time.Second, "Twilio is throttling the account (HTTP 429, error 20429: Too Many Requests)")
	f.Throttle(1, 0)
	retry("429 without Retry-After", s.Send(ctx, msg(to, "Hi")), defaultRetry, "Twilio is throttling the account")
	f.Fail(1)
	retry("500", s.Send(ctx, msg(to, "Hi")), defaultRetry, "Twilio had a server error (HTTP 500, error 20500")
	if r := s.Send(ctx, msg(to, "Hi")); r.Outcome != sdk.OutcomeDelivered {
		t.Errorf("after the faults: %+v", r)
	}

	// A timeout after the request went out is a retry, never a rejection.
	f.Slow(500 * time.Millisecond)
	retry("timeout", open(t, config(f, "timeout", "100ms"), tokenSecrets).Send(ctx, msg(to, "Hi")), defaultRetry, "Twilio did not answer: timed out")
	f.Slow(0)

	// The token was rotated in the Console: every message waits for new
	// credentials.
	f.SetAuthToken("rotated")
	retry("rotated token", s.Send(ctx, msg(to, "Hi")), settingsRetry, refusedCredentials)
	retry("wrong API key secret", open(t, config(f, "api_key_sid", twilio.APIKeySID), sdk.Secrets{"api_key_secret": "nope"}).Send(ctx, msg(to, "Hi")),
		settingsRetry, refusedCredentials)

	// A sender the account does not own is a settings problem too.
	f.SetAuthToken(twilio.AuthToken)
	retry("foreign sender", open(t, config(f, "from", "+15550001111"), tokenSecrets).Send(ctx, msg(to, "Hi")), settingsRetry,
		"Twilio refused the sender: check From or the Messaging Service SID (HTTP 400, error 21606")

	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	retry("unreachable", open(t, sdk.Config{"account_sid": twilio.AccountSID, "from": twilio.Sender, "endpoint": dead.URL}, tokenSecrets).Send(ctx, msg(to, "Hi")),
		defaultRetry, "Twilio did not answer:")

	// Too long and empty texts never reach Twilio.
	before := f.Requests()
	if r := s.Send(ctx, msg(to, strings.Repeat("a", 1601))); r.Outcome != sdk.OutcomeRejected || r.Reason != "the text is 1601 characters long; Twilio takes at most 1,600" {
		t.Errorf("too long: %+v", r)
	}
	if r := s.Send(ctx, msg(to, "  ")); r.Outcome != sdk.OutcomeRejected || r.Undeliverable {
		t.Errorf("empty: %+v", r)
	}
	if f.Requests() != before {
		t.Error("a message Twilio would refuse was sent")
	}
}

func TestOutcomeTable(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		a       answer
		outcome sdk.Outcome
		after   time.Duration
	}{
		{answer{status: 400, code: 21617}, sdk.OutcomeRejected, 0},
		{answer{status: 400, code: 21602}, sdk.OutcomeRejected, 0},
		{answer{status: 400, code: 21619}, sdk.OutcomeRejected, 0},
		{answer{status: 400, code: 21603}, sdk.OutcomeRetry, settingsRetry},
		{answer{status: 400, code: 21705}, sdk.OutcomeRetry, settingsRetry},
		{answer{status: 401}, sdk.OutcomeRetry, settingsRetry},
		{answer{status: 403, code: 20403}, sdk.OutcomeRetry, settingsRetry},
		{answer{status: 404, code: 20404}, sdk.OutcomeRetry, settingsRetry},
		{answer{status: 503, retryAfter: "120"}, sdk.OutcomeRetry, 2 * time.Minute},
		{answer{status: 429, retryAfter: now.Add(90 * time.Second).UTC().Format(http.TimeFormat)}, sdk.OutcomeRetry, 90 * time.Second},
		{answer{status: 400, code: 21999, message: "something else"}, sdk.OutcomeRejected, 0},
	} {
		r := outcome(c.a, now)
		if r.Outcome != c.outcome || (r.After-c.after).Abs() > time.Second || r.Undeliverable {
			t.Errorf("%+v: %+v", c.a, r)
		}
	}
	for h, want := range map[string]time.Duration{"": defaultRetry, "0": 0, " 5 ": 5 * time.Second, "-3": defaultRetry, "soon": defaultRetry, "99999999999": maxRetry} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", h, got, want)
		}
	}
}

func TestNumbersAndSenders(t *testing.T) {
	f := twilio.New(t, twilio.WithSenders(twilio.Sender, "MyShop"))
	ctx := context.Background()
	cases := []struct{ region, raw, want string }{
		{"US", "(415) 555-2671", "+14155552671"},
		{"US", "1-415-555-2671", "+14155552671"},
		{"GB", "020 7946 0018", "+442079460018"},
		{"GB", "+1 415 555 2671", "+14155552671"},
		{"CN", "138 1234 5678", "+8613812345678"},
		{"US", "0086 138 1234 5678", "+8613812345678"},
		{"+44", "07911 123456", "+447911123456"},
	}
	for _, c := range cases {
		if r := open(t, config(f, "region", c.region), tokenSecrets).Send(ctx, msg(c.raw, "Hi")); r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s in %s: %+v", c.raw, c.region, r)
		}
	}
	sent := f.Sent()
	for i, c := range cases {
		if sent[i].To != c.want {
			t.Errorf("%s in %s went to %s, want %s", c.raw, c.region, sent[i].To, c.want)
		}
	}
	// An alphanumeric sender ID; a Messaging Service with a status callback.
	open(t, config(f, "from", "MyShop"), tokenSecrets).Send(ctx, msg(to, "Hi"))
	s := open(t, config(f, "from", "", "messaging_service_sid", twilio.MessagingServiceSID, "status_callback", "https://hooks.example.com/twilio"), tokenSecrets)
	if r := s.Send(ctx, msg(to, "Hi")); r.Outcome != sdk.OutcomeDelivered {
		t.Fatal(r)
	}
	sent = f.Sent()
	if a, b := sent[len(sent)-2], sent[len(sent)-1]; a.From != "MyShop" || b.From != "" || b.MessagingServiceSID != twilio.MessagingServiceSID ||
		b.StatusCallback != "https://hooks.example.com/twilio" {
		t.Errorf("sent %+v and %+v", a, b)
	}
}

func TestValidate(t *testing.T) {
	good := sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006"}
	for _, c := range []struct {
		cfg   sdk.Config
		field string
		msg   string
	}{
		{sdk.Config{"account_sid": "AC123", "from": "+15005550006"}, "account_sid", ""},
		{sdk.Config{"account_sid": twilio.AccountSID}, "from", "set a From number or a Messaging Service SID"},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "messaging_service_sid": twilio.MessagingServiceSID}, "messaging_service_sid", "set either From or a Messaging Service SID, not both"},
		{sdk.Config{"account_sid": twilio.AccountSID, "messaging_service_sid": "MG12"}, "messaging_service_sid", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+1 555"}, "from", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "Too long sender"}, "from", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "12345678", "api_key_sid": "SK1"}, "api_key_sid", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "region": "Narnia"}, "region", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "concurrency": "64"}, "concurrency", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "messages_per_second": "-1"}, "messages_per_second", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "timeout": "0s"}, "timeout", ""},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "endpoint": "https://api.twilio.com.evil.example"}, "endpoint", "only a local test server may replace api.twilio.com"},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "endpoint": "http://10.0.0.1:8080"}, "endpoint", "only a local test server may replace api.twilio.com"},
	} {
		errs := channel{}.Validate(channel{}.Spec().WithDefaults(c.cfg))
		if len(errs) != 1 || errs[0].Field != c.field || (c.msg != "" && errs[0].Message != c.msg) {
			t.Errorf("%v: %v", c.cfg, errs)
		}
	}
	for _, extra := range []sdk.Config{{}, {"endpoint": "http://127.0.0.1:9999"}, {"endpoint": "http://localhost:1"}, {"endpoint": "http://[::1]:2"},
		{"from": "MyShop 24"}, {"from": "12345"}, {"from": "415 555 2671"}, {"api_key_sid": twilio.APIKeySID}} {
		cfg := sdk.Config{}
		for k, v := range good {
			cfg[k] = v
		}
		for k, v := range extra {
			cfg[k] = v
		}
		if errs := (channel{}).Validate(channel{}.Spec().WithDefaults(cfg)); len(errs) != 0 {
			t.Errorf("%v refused: %v", extra, errs)
		}
	}
	// Credentials are checked when a session opens.
	for _, c := range []struct {
		cfg     sdk.Config
		secrets sdk.Secrets
		msg     string
	}{
		{good, nil, "enter the Auth Token, or an API key SID and its secret"},
		{good, sdk.Secrets{"api_key_secret": "x"}, "an API key secret needs its API key SID (SK…)"},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "api_key_sid": twilio.APIKeySID}, tokenSecrets, "the API key secret is missing"},
		{sdk.Config{"account_sid": twilio.AccountSID, "from": "+15005550006", "endpoint": "https://example.com"}, tokenSecrets, "endpoint: only a local test server may replace api.twilio.com"},
	} {
		if _, err := (channel{}).Open(context.Background(), c.cfg, c.secrets); err == nil || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("Open %v: %v", c.cfg, err)
		}
	}
}

func TestCheck(t *testing.T) {
	f := twilio.New(t)
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	if err := conn.Check(ctx, "twilio-sms", config(f), tokenSecrets); err != nil {
		t.Errorf("Check with the token: %v", err)
	}
	if err := conn.Check(ctx, "twilio-sms", config(f, "api_key_sid", twilio.APIKeySID), keySecrets); err != nil {
		t.Errorf("Check with the API key: %v", err)
	}
	for name, c := range map[string]struct {
		cfg     sdk.Config
		secrets sdk.Secrets
	}{
		"wrong token":      {config(f), sdk.Secrets{"auth_token": "nope"}},
		"wrong key secret": {config(f, "api_key_sid", twilio.APIKeySID), sdk.Secrets{"api_key_secret": "nope"}},
		"other account":    {config(f, "account_sid", "AC"+strings.Repeat("9", 32)), tokenSecrets},
	} {
		if err := conn.Check(ctx, "twilio-sms", c.cfg, c.secrets); err == nil || !strings.Contains(err.Error(), refusedCredentials) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(f.Sent()) != 0 {
		t.Error("Check sent a message")
	}
	suspended := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"sid": "` + twilio.AccountSID + `", "status": "suspended"}`))
	}))
	defer suspended.Close()
	if err := conn.Check(ctx, "twilio-sms", config(f, "endpoint", suspended.URL), tokenSecrets); err == nil || err.Error() != "the Twilio account is suspended, not active" {
		t.Errorf("suspended: %v", err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if err := conn.Check(ctx, "twilio-sms", config(f, "endpoint", dead.URL), tokenSecrets); err == nil || !strings.Contains(err.Error(), "cannot reach Twilio") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestCheckMessages(t *testing.T) {
	conn := plugintest.InProcess(t, plugin())
	m := func(number, text string) sdk.Message { return sdk.Message{ID: number, To: number, Text: text} }
	cn := strings.Repeat("你", 71)
	msgs := []sdk.Message{
		m(to, "Hello"), // 0
		m("(415) 555-2671", strings.Repeat("a", 161)), // 1: national number in the default region
		m(to, strings.Repeat("{", 80)),                // 2: 160 septets
		m(to, strings.Repeat("{", 81)),                // 3: 162 septets
		m(to, "你好"),                                   // 4
		m(to, cn),                                     // 5
		m(to, strings.Repeat("a", 1601)),              // 6
		m("12ab", "Hi"),                               // 7
		m("", "Hi"),                                   // 8
		m(to, " "),                                    // 9
		m(to, strings.Repeat("é", 1531)),              // 10: GSM-7, 11 parts
		m("+8612345", "Hi"),                           // 11
	}
	checks, err := conn.CheckMessages(context.Background(), "twilio-sms", sdk.Config{"account_sid": twilio.AccountSID, "from": twilio.Sender}, msgs)
	if err != nil {
		t.Fatal(err)
	}
	want := []sdk.MessageCheck{
		{Notes: []string{"1 SMS part, GSM-7"}},
		{Notes: []string{"2 SMS parts, GSM-7"}},
		{Notes: []string{"1 SMS part, GSM-7"}},
		{Notes: []string{"2 SMS parts, GSM-7"}},
		{Notes: []string{"1 SMS part, UCS-2 (it has characters outside the GSM alphabet)"}},
		{Notes: []string{"2 SMS parts, UCS-2 (it has characters outside the GSM alphabet)"}},
		{Problems: []string{"longer than Twilio's 1,600 characters"}, Notes: []string{"11 SMS parts, GSM-7"}},
		{Problems: []string{`not a phone number: 'a' is not part of a phone number`}, Notes: []string{"1 SMS part, GSM-7"}},
		{Problems: []string{"no phone number"}, Notes: []string{"1 SMS part, GSM-7"}},
		{Problems: []string{"the message has no text"}},
		{Notes: []string{"11 SMS parts, GSM-7", "over 10 SMS parts: Twilio recommends at most 320 characters for deliverability"}},
		{Problems: []string{"not a phone number: an international number has 8 to 15 digits with its country code"}, Notes: []string{"1 SMS part, GSM-7"}},
	}
	for i, w := range want {
		if !slices.Equal(checks[i].Problems, w.Problems) || !slices.Equal(checks[i].Notes, w.Notes) {
			t.Errorf("message %d: %+v, want %+v", i, checks[i], w)
		}
	}
}

func TestSegments(t *testing.T) {
	for _, c := range []struct {
		text  string
		parts int
		gsm   bool
	}{
		{"", 0, true},
		{strings.Repeat("a", 160), 1, true},
		{strings.Repeat("a", 161), 2, true},
		{strings.Repeat("a", 306), 2, true},
		{strings.Repeat("a", 307), 3, true},
		{"Price: 5€", 1, true},                    // € is an extension character
		{strings.Repeat("€", 80), 1, true},        // 160 septets
		{"£ @ ¥ Ä ñ ü à É Ω\n", 1, true},          // all in the default alphabet
		{"‘smart quotes’", 1, false},              // not GSM: UCS-2
		{strings.Repeat("x", 69) + "ç", 1, false}, // ç is not GSM (Ç is): 70 units
		{strings.Repeat("x", 70) + "ç", 2, false}, // 71 units
		{"😀", 1, false},                           // two UTF-16 units
		{strings.Repeat("😀", 35), 1, false},       // 70 units
		{strings.Repeat("😀", 36), 2, false},       // 72 units
		{strings.Repeat("中", 134), 2, false},      // 67 × 2
		{strings.Repeat("中", 135), 3, false},
	} {
		parts, gsm := segments(c.text)
		if parts != c.parts || gsm != c.gsm {
			t.Errorf("%q: %d parts, gsm %v; want %d, %v", c.text, parts, gsm, c.parts, c.gsm)
		}
	}
}

func TestReceipts(t *testing.T) {
	f := twilio.New(t)
	s := open(t, config(f), tokenSecrets)
	var qs []sdk.ReceiptQuery
	sentAt := time.Now().Add(-time.Hour)
	for range 7 {
		r := s.Send(context.Background(), msg(to, "Hi"))
		if r.Outcome != sdk.OutcomeDelivered {
			t.Fatal(r)
		}
		qs = append(qs, sdk.ReceiptQuery{ProviderID: r.ProviderID, To: to, SentAt: sentAt})
	}
	f.SetStatus(qs[0].ProviderID, "delivered", 0, "")
	f.SetStatus(qs[1].ProviderID, "undelivered", 30007, "Message filtered")
	f.SetStatus(qs[2].ProviderID, "failed", 30005, "")
	f.SetStatus(qs[3].ProviderID, "sent", 0, "")
	f.SetStatus(qs[5].ProviderID, "read", 0, "")
	f.SetStatus(qs[6].ProviderID, "canceled", 0, "")
	// qs[4] stays queued; an unknown SID and a foreign id are left out.
	qs = append(qs, sdk.ReceiptQuery{ProviderID: "SM" + strings.Repeat("f", 32), To: to}, sdk.ReceiptQuery{ProviderID: "file:1", To: to})
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	got, err := conn.Receipts(ctx, "twilio-sms", config(f), tokenSecrets, qs)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]sdk.Receipt{}
	for _, r := range got {
		byID[r.ProviderID] = r
	}
	if len(got) != 5 {
		t.Fatalf("receipts %+v", got)
	}
	if r := byID[qs[5].ProviderID]; r.Status != sdk.ReceiptDelivered {
		t.Errorf("read: %+v", r)
	}
	if r := byID[qs[6].ProviderID]; r.Status != sdk.ReceiptFailed || r.Reason != "Twilio reports the message canceled" {
		t.Errorf("canceled: %+v", r)
	}
	if r := byID[qs[0].ProviderID]; r.Status != sdk.ReceiptDelivered || r.To != to || time.Since(r.At) > time.Minute {
		t.Errorf("delivered: %+v", r)
	}
	if r := byID[qs[1].ProviderID]; r.Status != sdk.ReceiptFailed ||
		r.Reason != "undelivered: the carrier filtered the message as spam; Twilio error 30007; Message filtered" {
		t.Errorf("filtered: %+v", r)
	}
	if r := byID[qs[2].ProviderID]; r.Status != sdk.ReceiptFailed || r.Reason != "failed: the number is unknown or no longer exists; Twilio error 30005" {
		t.Errorf("failed: %+v", r)
	}
	// With an API key too.
	if got, err := conn.Receipts(ctx, "twilio-sms", config(f, "api_key_sid", twilio.APIKeySID), keySecrets, qs[:1]); err != nil || len(got) != 1 {
		t.Errorf("with an API key: %+v %v", got, err)
	}
	if _, err := conn.Receipts(ctx, "twilio-sms", config(f), sdk.Secrets{"auth_token": "nope"}, qs); err == nil || !strings.Contains(err.Error(), refusedCredentials) {
		t.Errorf("wrong token: %v", err)
	}
	f.Throttle(100, 0)
	if _, err := conn.Receipts(ctx, "twilio-sms", config(f), tokenSecrets, qs); err == nil || !strings.Contains(err.Error(), "HTTP 429") {
		t.Errorf("throttled: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	f := twilio.New(t)
	s := open(t, config(f, "messages_per_second", "20"), tokenSecrets)
	start := time.Now()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { s.Send(context.Background(), msg(to, "Hi")) })
	}
	wg.Wait()
	// Six messages at 20 a second: the last goes 250 ms after the first.
	if d := time.Since(start); d < 240*time.Millisecond {
		t.Errorf("6 messages at 20/s took %v", d)
	}
	if len(f.Sent()) != 6 {
		t.Errorf("%d sent", len(f.Sent()))
	}
}

// Twilio keeps no idempotency key for creating messages: the plugin must
// not claim one, so the host sets aside messages of unknown fate.
func TestNoIdempotencyClaim(t *testing.T) {
	if slices.Contains(plugin().Capabilities, sdk.CapIdempotencyKeys) {
		t.Error("announces idempotency keys")
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
		!slices.Equal(m.NetworkHosts, []string{apiHost}) {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	if err := m.Validate(); err == nil || err.Error() != "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits" {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
}
