package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/fakes/fcm"
	"github.com/marketbench/marketbench/sdk"
)

func open(t *testing.T, cfg sdk.Config, sec sdk.Secrets) *session {
	t.Helper()
	sess, err := channel{}.Open(context.Background(), cfg, sec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess.(*session)
}

func msg(to string) sdk.Message {
	return sdk.Message{ID: "c-" + to[:4], IdempotencyKey: "k-" + to[:4], To: to, Subject: "Spring sale", Text: "20% off until Sunday.",
		Campaign: "Spring 2025", Fields: map[string]string{"customer_id": "42", "push_token": to}}
}

func TestSendHappyPath(t *testing.T) {
	s, cfg, sec := fake(t, "android_priority", "normal", "ttl", "2h", "data", "screen: offers\nurl=https://shop.example/?a=b")
	sess := open(t, cfg, sec)
	fixed := time.Unix(1_750_000_000, 0)
	sess.now = func() time.Time { return fixed }
	dev := fcm.DeviceToken("ada")
	m := msg(" " + dev + "\n") // stray spaces around the token are trimmed
	m.ID, m.IdempotencyKey = "c1", "k1"
	r := sess.Send(context.Background(), m)
	if r.Outcome != sdk.OutcomeDelivered || !strings.HasPrefix(r.ProviderID, "projects/marketbench-test/messages/0:") {
		t.Fatalf("%+v", r)
	}
	got := s.Sent()
	if len(got) != 1 {
		t.Fatalf("%d sent", len(got))
	}
	g := got[0]
	if g.Name != r.ProviderID || g.Token != dev || g.Title != "Spring sale" || g.Body != "20% off until Sunday." ||
		g.Data["screen"] != "offers" || g.Data["url"] != "https://shop.example/?a=b" || len(g.Data) != 2 ||
		g.AndroidPriority != "normal" || g.AndroidTTL != "7200s" || g.APNsHeaders["apns-expiration"] != "1750007200" ||
		g.WebpushHeaders["TTL"] != "7200" || g.AnalyticsLabel != "Spring%202025" {
		t.Errorf("sent %+v", g)
	}
}

func TestAnalyticsLabel(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "",
		"spring_sale-2.0~x":            "spring_sale-2.0~x",
		"春季促销":                         "%E6%98%A5%E5%AD%A3%E4%BF%83%E9%94%80",
		strings.Repeat("a", 60):        strings.Repeat("a", 50),
		strings.Repeat("a", 48) + " b": strings.Repeat("a", 48), // "%20" would pass 50
	} {
		if got := analyticsLabel(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestOutcomes maps each of FCM's documented errors.
func TestOutcomes(t *testing.T) {
	s, cfg, sec := fake(t, "timeout", "500ms")
	sess := open(t, cfg, sec)
	ctx := context.Background()
	s.Unregister(fcm.DeviceToken("gone"))
	s.FailToken(fcm.DeviceToken("bad"), fcm.InvalidArgument)
	s.FailToken(fcm.DeviceToken("foreign"), fcm.SenderIDMismatch)
	s.FailToken(fcm.DeviceToken("iphone"), fcm.ThirdPartyAuthError)
	cases := []struct {
		dev           string
		outcome       sdk.Outcome
		undeliverable bool
		reason        string
	}{
		{"gone", sdk.OutcomeRejected, true, "no longer registered"},
		{"bad", sdk.OutcomeRejected, true, "not a valid FCM registration token"},
		{"foreign", sdk.OutcomeRejected, false, "another Firebase project than marketbench-test"},
		{"iphone", sdk.OutcomeRejected, false, "APNs key or certificate"},
	}
	for _, c := range cases {
		r := sess.Send(ctx, msg(fcm.DeviceToken(c.dev)))
		if r.Outcome != c.outcome || r.Undeliverable != c.undeliverable || !strings.Contains(r.Reason, c.reason) {
			t.Errorf("%s: %+v", c.dev, r)
		}
	}
	ok := msg(fcm.DeviceToken("ok"))

	s.QuotaExceeded(1, 42*time.Second)
	if r := sess.Send(ctx, ok); r.Outcome != sdk.OutcomeRetry || r.After != 42*time.Second || !strings.Contains(r.Reason, "quota") {
		t.Errorf("quota with Retry-After: %+v", r)
	}
	s.QuotaExceeded(1, 0)
	if r := sess.Send(ctx, ok); r.Outcome != sdk.OutcomeRetry || r.After != time.Minute {
		t.Errorf("quota without Retry-After (FCM asks for at least a minute): %+v", r)
	}
	s.Unavailable(1)
	if r := sess.Send(ctx, ok); r.Outcome != sdk.OutcomeRetry || r.After != defaultRetry || !strings.Contains(r.Reason, "HTTP 503") {
		t.Errorf("503: %+v", r)
	}
	s.InternalError(1)
	if r := sess.Send(ctx, ok); r.Outcome != sdk.OutcomeRetry || !strings.Contains(r.Reason, "HTTP 500") {
		t.Errorf("500: %+v", r)
	}
	// A timeout after the request went out: the fate is unknown, so retry.
	s.Slow(time.Second)
	if r := sess.Send(ctx, ok); r.Outcome != sdk.OutcomeRetry || !strings.Contains(r.Reason, "timed out") {
		t.Errorf("timeout: %+v", r)
	}
	s.Slow(0)
	// A message over 4096 bytes is refused before FCM sees it.
	big := ok
	big.Text = strings.Repeat("x", 4100)
	n := s.SendRequests()
	if r := sess.Send(ctx, big); r.Outcome != sdk.OutcomeRejected || r.Undeliverable || !strings.Contains(r.Reason, "over FCM's limit of 4096") || s.SendRequests() != n {
		t.Errorf("too big: %+v", r)
	}
	for _, to := range []string{"", "abc def", "short"} {
		m := ok
		m.To = to
		if r := sess.Send(ctx, m); r.Outcome != sdk.OutcomeRejected || r.Undeliverable {
			t.Errorf("token %q: %+v", to, r)
		}
	}
	if r := sess.Send(ctx, ok); r.Outcome != sdk.OutcomeDelivered {
		t.Errorf("after the faults: %+v", r)
	}
}

// FCM's other answers, from a scripted server: a bad message (not the
// token) is rejected without suppressing the address, a 403 without
// SENDER_ID_MISMATCH and a 404 without UNREGISTERED are the account's or
// project's problem (retry: the host pauses), an HTTP-date Retry-After.
func TestOtherAnswers(t *testing.T) {
	f, _, sec := fake(t)
	var mu sync.Mutex
	var status int
	var body, retry string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if retry != "" {
			w.Header().Set("Retry-After", retry)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	_ = f
	sess := open(t, sdk.Config{"endpoint": srv.URL}, sec)
	ok := msg(fcm.DeviceToken("ok"))
	for _, c := range []struct {
		status        int
		body, retry   string
		outcome       sdk.Outcome
		undeliverable bool
		reason        string
		after         time.Duration
	}{
		{400, `{"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value","description":"x"}]}]}}`, "",
			sdk.OutcomeRejected, false, "FCM refused the message: Invalid value at 'message.data[0].value'", 0},
		{400, `{"error":{"code":400,"message":"Invalid registration","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"Invalid registration token"}]}]}}`, "",
			sdk.OutcomeRejected, true, "not a valid FCM registration token", 0},
		{403, `{"error":{"code":403,"message":"Permission 'cloudmessaging.messages.create' denied on resource","status":"PERMISSION_DENIED"}}`, "",
			sdk.OutcomeRetry, false, "may not send messages in project marketbench-test", authRetry},
		{404, `{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}`, "",
			sdk.OutcomeRetry, false, "FCM does not know project marketbench-test", authRetry},
		{503, `<html>Service Unavailable</html>`, time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat),
			sdk.OutcomeRetry, false, "FCM is unavailable (HTTP 503)", 90 * time.Second},
		{200, `{"name":"projects/p/messages/0:1%abc"}`, "", sdk.OutcomeDelivered, false, "", 0},
	} {
		mu.Lock()
		status, body, retry = c.status, c.body, c.retry
		mu.Unlock()
		r := sess.Send(context.Background(), ok)
		if r.Outcome != c.outcome || r.Undeliverable != c.undeliverable || !strings.Contains(r.Reason, c.reason) ||
			(c.after != 0 && (r.After < c.after-2*time.Second || r.After > c.after)) {
			t.Errorf("HTTP %d %s: %+v", c.status, c.body, r)
		}
	}
}

// An access token FCM no longer accepts is replaced once; the message goes
// out with the new one.
func TestExpiredAccessTokenIsRefreshed(t *testing.T) {
	s, cfg, sec := fake(t)
	sess := open(t, cfg, sec)
	ctx := context.Background()
	if r := sess.Send(ctx, msg(fcm.DeviceToken("a"))); r.Outcome != sdk.OutcomeDelivered {
		t.Fatal(r)
	}
	s.ExpireTokens()
	if r := sess.Send(ctx, msg(fcm.DeviceToken("b"))); r.Outcome != sdk.OutcomeDelivered {
		t.Fatalf("after the tokens expired: %+v", r)
	}
	if n := s.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	if n := len(s.Sent()); n != 2 {
		t.Errorf("%d sent", n)
	}
	// The key is deleted too: the refresh fails and the message waits
	// with Google's reason (the host pauses; the user fixes the key).
	s.RevokeKey()
	s.ExpireTokens()
	r := sess.Send(ctx, msg(fcm.DeviceToken("c")))
	if r.Outcome != sdk.OutcomeRetry || r.After != authRetry || !strings.Contains(r.Reason, "Google refused the service account key: invalid_grant: Invalid JWT Signature.") {
		t.Errorf("revoked key: %+v", r)
	}
}

// The cached token is renewed before it expires, and concurrent sends
// share one exchange.
func TestTokenCacheShared(t *testing.T) {
	s, cfg, sec := fake(t, "concurrency", "16")
	sess := open(t, cfg, sec)
	var wg sync.WaitGroup
	results := make([]sdk.Result, 40)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = sess.Send(context.Background(), msg(fcm.DeviceToken(fmt.Sprint("dev", i))))
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%d: %+v", i, r)
		}
	}
	if n := s.TokenRequests(); n != 1 {
		t.Errorf("%d token requests for 40 concurrent sends, want 1", n)
	}
	// 56 minutes later (less than refreshMargin before expiry) a new one
	// is fetched.
	sess.tokens.now = func() time.Time { return time.Now().Add(56 * time.Minute) }
	sess.tokens.get(context.Background())
	if n := s.TokenRequests(); n != 2 {
		t.Errorf("%d token requests after 56 minutes, want 2", n)
	}
	if sess.Limits().MaxInFlight != 16 {
		t.Errorf("limits %+v", sess.Limits())
	}
}

// A key file signed with another key (as after a key rotation pasted
// wrongly) is refused by Google's check of the signature.
func TestWrongKeyRefused(t *testing.T) {
	_, cfg, sec := fake(t)
	var kf map[string]string
	json.Unmarshal([]byte(sec["service_account_json"]), &kf)
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	der, _ := x509.MarshalPKCS8PrivateKey(other)
	kf["private_key"] = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	b, _ := json.Marshal(kf)
	err := channel{}.Check(context.Background(), cfg, sdk.Secrets{"service_account_json": string(b)})
	if err == nil || err.Error() != "Google refused the service account key: invalid_grant: Invalid JWT Signature." {
		t.Errorf("Check: %v", err)
	}
}

func TestCheck(t *testing.T) {
	s, cfg, sec := fake(t)
	if err := (channel{}).Check(context.Background(), cfg, sec); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(s.Sent()) != 0 || s.SendRequests() != 0 || s.TokenRequests() != 1 {
		t.Errorf("Check sent something: %d sends, %d token requests", s.SendRequests(), s.TokenRequests())
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	kf := strings.Replace(sec["service_account_json"], s.URL, dead.URL, 1)
	err := (channel{}).Check(context.Background(), cfg, sdk.Secrets{"service_account_json": kf})
	if err == nil || !strings.Contains(err.Error(), "Google's token endpoint did not answer") {
		t.Errorf("Check with the token endpoint down: %v", err)
	}
}

func tooBig(n int) string {
	return fmt.Sprintf("the push is %d bytes, over FCM's limit of 4096: shorten the text", n)
}

func TestCheckMessage(t *testing.T) {
	c := channel{}
	dev := fcm.DeviceToken("ada")
	chk := func(cfg sdk.Config, to, subject, text string) sdk.MessageCheck {
		return c.CheckMessage(cfg, sdk.Message{To: to, Subject: subject, Text: text, Campaign: "x"})
	}
	if got := chk(nil, dev, "Hi", "Sale"); len(got.Problems)+len(got.Notes) != 0 {
		t.Errorf("good message: %+v", got)
	}
	cases := []struct {
		cfg               sdk.Config
		to, subject, text string
		problem, note     string
	}{
		{nil, "", "Hi", "Sale", "no push token", ""},
		{nil, "abc def" + dev, "Hi", "Sale", "the push token has spaces or line breaks in it", ""},
		{nil, "abc", "Hi", "Sale", "the push token is too short to be an FCM registration token", ""},
		{nil, dev + "é", "Hi", "Sale", "the push token has characters an FCM registration token cannot have", ""},
		{nil, dev, "", "", "the push has neither a title (subject) nor a text", ""},
		{nil, dev, "", "Sale", "", "no title: phones show the app's name instead"},
		{nil, dev, "Hi", "", "", "no text: only the title is shown"},
		{nil, dev, "Hi", strings.Repeat("y", 4070), tooBig(len(`{"notification":{"title":"Hi","body":""}}`) + 4070), ""},
		{sdk.Config{"data": "k: v\nbig: " + strings.Repeat("z", 4050)}, dev, "Hi", "Sale", tooBig(len(`{"notification":{"title":"Hi","body":"Sale"},"data":{"big":"","k":"v"}}`) + 4050), ""},
	}
	for _, cs := range cases {
		got := chk(cs.cfg, cs.to, cs.subject, cs.text)
		if (cs.problem == "") != (len(got.Problems) == 0) || (cs.problem != "" && !slices.Contains(got.Problems, cs.problem)) ||
			(cs.note != "" && !slices.Contains(got.Notes, cs.note)) {
			t.Errorf("%q/%q/%q: %+v", cs.to, cs.subject, clip(cs.text, 10), got)
		}
	}
	// At the limit exactly, FCM (the fake) accepts what CheckMessage passes.
	s, cfg, sec := fake(t)
	sess := open(t, cfg, sec)
	text := strings.Repeat("y", 4096-len(`{"notification":{"title":"Hi","body":""}}`))
	if got := chk(nil, dev, "Hi", text); len(got.Problems) != 0 {
		t.Fatalf("at the limit: %+v", got)
	}
	m := msg(dev)
	m.Subject, m.Text = "Hi", text
	if r := sess.Send(context.Background(), m); r.Outcome != sdk.OutcomeDelivered || len(s.Sent()) != 1 {
		t.Errorf("at the limit: %+v", r)
	}
}

func TestValidate(t *testing.T) {
	c := channel{}
	if errs := c.Validate(c.Spec().WithDefaults(sdk.Config{})); len(errs) != 0 {
		t.Errorf("defaults: %v", errs)
	}
	for _, ok := range []string{"http://127.0.0.1:9999", "http://localhost:1", "http://[::1]:8080/x"} {
		if errs := c.Validate(sdk.Config{"endpoint": ok}); len(errs) != 0 {
			t.Errorf("%s: %v", ok, errs)
		}
	}
	cases := map[string]sdk.Config{
		"only a local test server may replace fcm.googleapis.com":                 {"endpoint": "https://fcm.example.com"},
		"must be between 1 and 32":                                                {"concurrency": "0"},
		"must be between 0s and 672h (28 days)":                                   {"ttl": "673h"},
		`line 2 is not "key: value"`:                                              {"data": "a: b\nnothing"},
		`line 1: FCM keeps the key "google.x" for itself (from, gcm and google…)`: {"data": "google.x: 1"},
		`line 2: the key "a" is given twice`:                                      {"data": "a: 1\na=2"},
		"is not a Firebase project ID (lower-case letters, digits and dashes)":    {"project_id": "My Project"},
	}
	for want, cfg := range cases {
		errs := c.Validate(cfg)
		if len(errs) != 1 || errs[0].Message != want {
			t.Errorf("%v: %v, want %q", cfg, errs, want)
		}
	}
	if d, err := parseData("\n a : 1 \nurl: https://x.example/?q=1\n"); err != nil || d["a"] != "1" || d["url"] != "https://x.example/?q=1" {
		t.Errorf("parseData: %v %v", d, err)
	}
}

// The project_id setting overrides the key file's, and reaches the URL.
func TestProjectOverride(t *testing.T) {
	s := fcm.New(t, fcm.WithProject("other-project"))
	kf := strings.Replace(s.ServiceAccountJSON(), `"project_id": "other-project"`, `"project_id": "sa-home"`, 1)
	sess := open(t, sdk.Config{"endpoint": s.URL, "project_id": "other-project"}, sdk.Secrets{"service_account_json": kf})
	if r := sess.Send(context.Background(), msg(fcm.DeviceToken("a"))); r.Outcome != sdk.OutcomeDelivered || !strings.HasPrefix(r.ProviderID, "projects/other-project/") {
		t.Errorf("%+v", r)
	}
	sess = open(t, sdk.Config{"endpoint": s.URL}, sdk.Secrets{"service_account_json": kf})
	if r := sess.Send(context.Background(), msg(fcm.DeviceToken("a"))); r.Outcome != sdk.OutcomeRetry || !strings.Contains(r.Reason, "may not send messages in project sa-home") {
		t.Errorf("the key file's project: %+v", r)
	}
}
