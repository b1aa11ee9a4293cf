package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/marketbench/marketbench/plugins/fakes/wechat"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// goodText is DefaultTemplate's data as a variant renders it.
const goodText = "thing1: 会员积分即将过期\ntime2: 2026-12-31 23:59\ncharacter_string3: VIP-000123"

var secrets = sdk.Secrets{"app_secret": wechat.DefaultSecret}

func config(fk *wechat.Server, extra ...string) sdk.Config {
	cfg := sdk.Config{"app_id": wechat.DefaultAppID, "template_id": wechat.DefaultTemplate, "endpoint": fk.URL}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
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

func msg(to, text string) sdk.Message {
	return sdk.Message{ID: "c-" + to, IdempotencyKey: "key-" + to + "-" + text, To: to, Subject: "unused", Text: text,
		Fields: map[string]string{"customer_id": "c-" + to, "wechat_openid": to}}
}

// conformance runs the SDK's suite against a fake with one follower, and
// checks what reached WeChat: 20 messages, not 40, as the second round
// repeats each client_msg_id within WeChat's 10 minutes.
func conformance(t *testing.T, conn *client.Conn) {
	ada := wechat.OpenID("ada")
	fk := wechat.New(t, wechat.WithFollowers(ada))
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "wechat-template",
		Config: config(fk, "template_keys", "thing1, time2, character_string3", "url", "https://shop.example.cn/points"), Secrets: secrets,
		To: ada, Text: goodText, Fields: map[string]string{"customer_id": "c1", "wechat_openid": ada},
		Bad: sdk.Config{"app_id": "wx1", "template_id": "t", "endpoint": "https://api.weixin.qq.com.evil.example"}})
	ids := map[string]bool{}
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || r.ProviderID == "" || ids[r.ProviderID] {
			t.Errorf("%s: %+v", id, r)
		}
		ids[r.ProviderID] = true
	}
	sent := fk.Sent()
	if len(sent) != 20 || fk.SendRequests() != 40 {
		t.Errorf("%d messages accepted from %d requests, want 20 from 40", len(sent), fk.SendRequests())
	}
	for _, s := range sent {
		if s.ToUser != ada || s.Data["thing1"] != "会员积分即将过期" || s.Data["time2"] != "2026-12-31 23:59" || s.URL != "https://shop.example.cn/points" ||
			!strings.HasPrefix(s.ClientMsgID, "conformance-") || s.MiniProgram != nil {
			t.Errorf("%+v", s)
		}
	}
	if fk.TokenRequests() != 1 {
		t.Errorf("%d token requests, want 1", fk.TokenRequests())
	}
}

func TestConformanceInProcess(t *testing.T) {
	conformance(t, plugintest.InProcess(t, plugin()))
}

// The built binary through the real protocol client, with its log
// captured: no secret and no access token may ever appear in it.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	var logBuf syncBuffer
	conn, err := client.Launch(client.Config{Path: bin, Logger: hclog.New(&hclog.LoggerOptions{Output: &logBuf, Level: hclog.Trace})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	conformance(t, conn)

	// Failures through the binary: wrong secret at Check and Open, an
	// expired token mid-run.
	fk := wechat.New(t, wechat.WithFollowers(wechat.OpenID("bo")))
	ctx := context.Background()
	wrong := sdk.Secrets{"app_secret": "wrong-secret-never-logged"}
	if err := conn.Check(ctx, "wechat-template", config(fk), wrong); err == nil || !strings.Contains(err.Error(), "refuses the AppSecret") {
		t.Errorf("Check with a wrong secret: %v", err)
	}
	if _, err := conn.Open(ctx, "wechat-template", config(fk), wrong); err == nil || !strings.Contains(err.Error(), "40125") {
		t.Errorf("Open with a wrong secret: %v", err)
	}
	s, err := conn.Open(ctx, "wechat-template", config(fk), secrets)
	if err != nil {
		t.Fatal(err)
	}
	fk.ExpireTokens()
	var reasons []string
	err = s.Send(ctx, []sdk.Message{msg(wechat.OpenID("bo"), goodText), msg(wechat.OpenID("gone"), goodText)}, func(id string, r sdk.Result) error {
		reasons = append(reasons, id+" "+r.Reason+" "+r.ProviderID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	// Check, Open (wrong secret), Open, and one refresh after the expiry.
	if len(fk.Sent()) != 1 || fk.TokenRequests() != 4 {
		t.Errorf("after expiry: %d sent, %d token requests", len(fk.Sent()), fk.TokenRequests())
	}
	conn.Close()
	log := logBuf.String()
	if !strings.Contains(log, "new access token") {
		t.Errorf("the log does not show token refreshes:\n%s", log)
	}
	for _, secret := range []string{wechat.DefaultSecret, "wrong-secret-never-logged", "FAKE_"} {
		if strings.Contains(log, secret) || strings.Contains(strings.Join(reasons, "\n"), secret) {
			t.Errorf("%q leaked:\n%s\n%s", secret, log, reasons)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestOutcomes(t *testing.T) {
	fan, gone := wechat.OpenID("fan"), wechat.OpenID("gone")
	fk := wechat.New(t, wechat.WithFollowers(fan, gone))
	fk.Unfollow(gone)
	s := open(t, config(fk, "timeout", "300ms"), secrets)
	ctx := context.Background()
	tooLong := "thing1: " + strings.Repeat("积", 21) + "\ntime2: 15:01\ncharacter_string3: A1"
	cases := []struct {
		name    string
		inject  func()
		to      string
		text    string
		outcome sdk.Outcome
		undeliv bool
		after   time.Duration
		reason  string
	}{
		{"delivered", nil, fan, goodText, sdk.OutcomeDelivered, false, 0, ""},
		{"unfollowed", nil, gone, goodText, sdk.OutcomeRejected, true, 0, "does not follow the Official Account (43004"},
		{"never followed", nil, wechat.OpenID("stranger"), goodText, sdk.OutcomeRejected, true, 0, "43004"},
		{"invalid openid", nil, "oShort_openid_12", goodText, sdk.OutcomeRejected, true, 0, "(40003 invalid openid)"},
		{"not an openid", nil, "ada@example.com", goodText, sdk.OutcomeRejected, true, 0, "the address is not a WeChat openid"},
		{"no openid", nil, "", goodText, sdk.OutcomeRejected, false, 0, "the customer has no WeChat openid"},
		{"bad data", nil, fan, tooLong, sdk.OutcomeRejected, false, 0, "WeChat refuses the template data (47003 argument invalid! data.thing1.value invalid)"},
		{"not key: value", nil, fan, "thing1 会员", sdk.OutcomeRejected, false, 0, `the template data: line 1 is not "key: value"`},
		{"busy", func() { fk.FailSends(-1) }, fan, goodText, sdk.OutcomeRetry, false, 30 * time.Second, "WeChat is busy (WeChat error -1 (system error))"},
		{"45047", func() { fk.FailSends(45047) }, fan, goodText, sdk.OutcomeRetry, false, 30 * time.Second, "WeChat is busy"},
		{"unauthorized", func() { fk.FailSends(48001) }, fan, goodText, sdk.OutcomeRetry, false, time.Hour, "this account may not send template messages (48001"},
		{"blacklisted", func() { fk.FailSends(43019) }, fan, goodText, sdk.OutcomeRejected, true, 0, "blacklist (43019)"},
		{"refuses messages", func() { fk.FailSends(43101) }, fan, goodText, sdk.OutcomeRejected, true, 0, "refuses messages from this Official Account (43101)"},
		{"minute quota", func() { fk.FailSends(45011) }, fan, goodText, sdk.OutcomeRetry, false, time.Minute, "per-minute limit"},
		{"too frequent", func() { fk.FailSends(43117) }, fan, goodText, sdk.OutcomeRetry, false, 10 * time.Minute, "43117"},
		{"IP whitelist at send", func() { fk.FailSends(40164) }, fan, goodText, sdk.OutcomeRetry, false, time.Hour, "add it to the API IP whitelist"},
		{"banned template", func() { fk.FailSends(43116) }, fan, goodText, sdk.OutcomeRejected, false, 0, "banned this template"},
		{"unknown code", func() { fk.FailSends(99999) }, fan, goodText, sdk.OutcomeRetry, false, 30 * time.Second, "WeChat error 99999"},
		{"500", func() { fk.FailHTTP(1, 500, "") }, fan, goodText, sdk.OutcomeRetry, false, 30 * time.Second, "WeChat answered HTTP 500 Internal Server Error"},
		{"503 Retry-After", func() { fk.FailHTTP(1, 503, "7") }, fan, goodText, sdk.OutcomeRetry, false, 7 * time.Second, "WeChat answered HTTP 503"},
		{"slow", func() { fk.SetDelay(time.Second) }, fan, goodText, sdk.OutcomeRetry, false, 30 * time.Second, "WeChat did not answer: timed out"},
	}
	for _, c := range cases {
		if c.inject != nil {
			c.inject()
		}
		r := s.Send(ctx, msg(c.to, c.text))
		fk.SetDelay(0)
		ok := r.Outcome == c.outcome && r.Undeliverable == c.undeliv && strings.Contains(r.Reason, c.reason)
		if c.outcome == sdk.OutcomeRetry {
			ok = ok && r.ServiceFault && (r.After-c.after).Abs() <= time.Second
		}
		if !ok {
			t.Errorf("%s: %+v", c.name, r)
		}
		if strings.Contains(r.Reason, "rid:") || strings.Contains(r.Reason, "FAKE_") || strings.Contains(r.Reason, wechat.DefaultSecret) {
			t.Errorf("%s: the reason has a request id, token or secret: %q", c.name, r.Reason)
		}
	}
	// The daily quota: until a few minutes past midnight in China.
	fk.FailSends(45009)
	r := s.Send(ctx, msg(fan, goodText))
	if r.Outcome != sdk.OutcomeRetry || r.After <= 0 || r.After > 24*time.Hour+5*time.Minute || !strings.Contains(r.Reason, "daily quota") {
		t.Errorf("45009: %+v", r)
	}
	noon := time.Date(2026, 3, 1, 12, 0, 0, 0, china)
	if d := untilTomorrow(noon); d != 12*time.Hour+5*time.Minute {
		t.Errorf("untilTomorrow(noon) = %v", d)
	}
	// A template the account does not have: every message rejected.
	r = open(t, config(fk, "template_id", "no-such-template"), secrets).Send(ctx, msg(fan, goodText))
	if r.Outcome != sdk.OutcomeRejected || r.Undeliverable || !strings.Contains(r.Reason, "40037") {
		t.Errorf("unknown template: %+v", r)
	}
}

func TestDailyQuotaFromFake(t *testing.T) {
	fan := wechat.OpenID("fan")
	fk := wechat.New(t, wechat.WithFollowers(fan), wechat.WithDailyQuota(2))
	s := open(t, config(fk), secrets)
	var got []sdk.Outcome
	for i := range 3 {
		m := msg(fan, goodText)
		m.IdempotencyKey += string(rune('a' + i))
		got = append(got, s.Send(context.Background(), m).Outcome)
	}
	if !slices.Equal(got, []sdk.Outcome{sdk.OutcomeDelivered, sdk.OutcomeDelivered, sdk.OutcomeRetry}) {
		t.Errorf("%v", got)
	}
}

func TestTokenRefresh(t *testing.T) {
	fan := wechat.OpenID("fan")
	fk := wechat.New(t, wechat.WithFollowers(fan))
	s := open(t, config(fk), secrets)
	ctx := context.Background()
	send := func(key string) sdk.Result {
		m := msg(fan, goodText)
		m.IdempotencyKey = key
		return s.Send(ctx, m)
	}
	if r := send("k1"); r.Outcome != sdk.OutcomeDelivered || fk.TokenRequests() != 1 {
		t.Fatalf("%+v, %d token requests", r, fk.TokenRequests())
	}
	// Expired (42001) and revoked (40001): a new token, the message once more.
	fk.ExpireTokens()
	if r := send("k2"); r.Outcome != sdk.OutcomeDelivered || fk.TokenRequests() != 2 || fk.SendRequests() != 3 {
		t.Errorf("after expiry: %+v, %d token and %d send requests", r, fk.TokenRequests(), fk.SendRequests())
	}
	fk.RevokeTokens()
	if r := send("k3"); r.Outcome != sdk.OutcomeDelivered || fk.TokenRequests() != 3 {
		t.Errorf("after revocation: %+v", r)
	}
	// Concurrent sends after expiry share one new token.
	fk.ExpireTokens()
	var wg sync.WaitGroup
	results := make([]sdk.Result, 8)
	for i := range results {
		wg.Go(func() { results[i] = send("c" + string(rune('0'+i))) })
	}
	wg.Wait()
	for i, r := range results {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("concurrent %d: %+v", i, r)
		}
	}
	if fk.TokenRequests() != 4 {
		t.Errorf("%d token requests after a concurrent refresh, want 4", fk.TokenRequests())
	}
	// WeChat refuses the new token too: retried later, not rejected.
	fk.RevokeTokens()
	fk.FailTokens(-1) // the refresh fails and the old (revoked) token is all there is
	r := send("k4")
	if r.Outcome != sdk.OutcomeRetry {
		t.Errorf("refused twice: %+v", r)
	}
	// A failed refresh at send time with the credentials wrong: a clear
	// reason, retried later.
	fk.ExpireTokens()
	fk.FailTokens(40164, 40164)
	r = send("k5")
	if r.Outcome != sdk.OutcomeRetry || r.After != time.Hour || !strings.Contains(r.Reason, "API IP whitelist") || !strings.Contains(r.Reason, "203.0.113.7") {
		t.Errorf("IP not whitelisted: %+v", r)
	}
}

// A token is replaced before it expires, so no send ever meets 42001.
func TestTokenRenewedEarly(t *testing.T) {
	fan := wechat.OpenID("fan")
	fk := wechat.New(t, wechat.WithFollowers(fan), wechat.WithTokenLifetime(2*time.Second))
	s := open(t, config(fk), secrets)
	for i := range 6 {
		m := msg(fan, goodText)
		m.IdempotencyKey = "early-" + string(rune('a'+i))
		if r := s.Send(context.Background(), m); r.Outcome != sdk.OutcomeDelivered {
			t.Fatalf("%d: %+v", i, r)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if fk.SendRequests() != 6 || fk.TokenRequests() < 2 {
		t.Errorf("%d send and %d token requests: a token expired in use", fk.SendRequests(), fk.TokenRequests())
	}
}

func TestCredentials(t *testing.T) {
	fk := wechat.New(t)
	ctx := context.Background()
	cfg := channel{}.Spec().WithDefaults(config(fk))
	for _, c := range []struct {
		cfg     sdk.Config
		secrets sdk.Secrets
		want    string
	}{
		{cfg, sdk.Secrets{"app_secret": "nope"}, "WeChat refuses the AppSecret (40125 invalid appsecret): check app_secret, or reset it in the WeChat Developer Platform"},
		{channel{}.Spec().WithDefaults(config(fk, "app_id", "wx_other")), secrets, "WeChat does not know this AppID (40013 invalid appid): check app_id"},
		{cfg, sdk.Secrets{}, "app_secret: is required"},
	} {
		_, err := channel{}.Open(ctx, c.cfg, c.secrets)
		if err == nil || err.Error() != c.want {
			t.Errorf("Open: %v, want %q", err, c.want)
		}
		if err := (channel{}).Check(ctx, c.cfg, c.secrets); err == nil || err.Error() != c.want {
			t.Errorf("Check: %v, want %q", err, c.want)
		}
	}
	fk.FailTokens(40164)
	if err := (channel{}).Check(ctx, cfg, secrets); err == nil || !strings.Contains(err.Error(), "add it to the API IP whitelist") {
		t.Errorf("Check, IP not whitelisted: %v", err)
	}
	// WeChat busy at Open: the session opens, sending fetches the token.
	fk.FailTokens(-1)
	if _, err := (channel{}).Open(ctx, cfg, secrets); err != nil {
		t.Errorf("Open with WeChat busy: %v", err)
	}
}

func TestCheck(t *testing.T) {
	fk := wechat.New(t, wechat.WithTemplate("T-order", "订单发货\n商品：{{thing4.DATA}}\n金额：{{amount5.DATA}}"))
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	if err := conn.Check(ctx, "wechat-template", config(fk), secrets); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := conn.Check(ctx, "wechat-template", config(fk, "template_id", "T-order", "template_keys", "amount5,thing4"), secrets); err != nil {
		t.Errorf("Check with keys: %v", err)
	}
	err := conn.Check(ctx, "wechat-template", config(fk, "template_id", "T-order", "template_keys", "thing4"), secrets)
	if err == nil || !strings.Contains(err.Error(), `template_keys says thing4, but the template "订单发货" has thing4, amount5`) {
		t.Errorf("Check with wrong keys: %v", err)
	}
	err = conn.Check(ctx, "wechat-template", config(fk, "template_id", "T-missing"), secrets)
	if err == nil || !strings.Contains(err.Error(), "the template T-missing is not one of the account's 2 templates") {
		t.Errorf("Check of an unknown template: %v", err)
	}
	fk.FailSends(48001)
	err = conn.Check(ctx, "wechat-template", config(fk), secrets)
	if err == nil || !strings.Contains(err.Error(), "48001") {
		t.Errorf("Check without the permission: %v", err)
	}
	if got := contentKeys("{ {result.DATA} }\n\n领奖金额:{ {withdrawMoney.DATA} }\n{{result.DATA}}"); !slices.Equal(got, []string{"result", "withdrawMoney"}) {
		t.Errorf("contentKeys of the documentation's example: %v", got)
	}
}

func TestLinksAndIdempotency(t *testing.T) {
	fan := wechat.OpenID("fan")
	fk := wechat.New(t, wechat.WithFollowers(fan))
	s := open(t, config(fk, "url", "https://shop.example.cn/p?a=1", "miniprogram_appid", "wxmini0001", "miniprogram_pagepath", "pages/points?from=tpl"), secrets)
	m := msg(fan, "\n thing1 = 双倍积分 \n\ntime2：2026年12月31日 23:59\ncharacter_string3: A:B=C\n")
	m.IdempotencyKey = "delivery-42"
	r1 := s.Send(context.Background(), m)
	r2 := s.Send(context.Background(), m) // a retry after an unknown fate
	if r1.Outcome != sdk.OutcomeDelivered || r2.ProviderID != r1.ProviderID {
		t.Fatalf("%+v %+v", r1, r2)
	}
	sent := fk.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d messages for one delivery", len(sent))
	}
	want := map[string]string{"thing1": "双倍积分", "time2": "2026年12月31日 23:59", "character_string3": "A:B=C"}
	got := sent[0]
	if !mapsEqual(got.Data, want) || got.URL != "https://shop.example.cn/p?a=1" || got.MiniProgram == nil ||
		got.MiniProgram.AppID != "wxmini0001" || got.MiniProgram.PagePath != "pages/points?from=tpl" || got.ClientMsgID != m.IdempotencyKey {
		t.Errorf("%+v", got)
	}
	// A key too long (or not plain ASCII) for client_msg_id goes as a digest.
	long := strings.Repeat("k", 100)
	if id := clientMsgID(long); len(id) > 64 || id != clientMsgID(long) || id == clientMsgID(long+"x") || !strings.HasPrefix(id, "mb-") {
		t.Errorf("clientMsgID of a long key: %q", id)
	}
	if id := clientMsgID("活动-1"); !strings.HasPrefix(id, "mb-") {
		t.Errorf("clientMsgID of a non-ASCII key: %q", id)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCheckMessage(t *testing.T) {
	cfg := sdk.Config{"template_keys": "thing1,time2,character_string3"}
	check := func(to, text string) []string {
		return channel{}.CheckMessage(cfg, sdk.Message{To: to, Text: text}).Problems
	}
	ada := wechat.OpenID("ada")
	if p := check(ada, goodText); len(p) != 0 {
		t.Errorf("good message: %v", p)
	}
	for _, c := range []struct {
		to, text string
		want     []string
	}{
		{"", goodText, []string{"the customer has no WeChat openid"}},
		{"ada @x", goodText, []string{"the address is not a WeChat openid"}},
		{ada, "thing1: ok\nno separator here", []string{`line 2 is not "key: value"`}},
		{ada, "", []string{`the message has no template parameters (one "key: value" per line)`}},
		{ada, "积分: 100", []string{`line 1: "积分" is not a template key like thing1`}},
		{ada, "thing1: a\nthing1: b", []string{"thing1 is given twice"}},
		{ada, "thing1: " + strings.Repeat("好", 21) + "\ntime2: tomorrow\ncharacter_string3: 会员1", []string{
			"thing1 is longer than 20 characters", "time2 must be a time such as 15:01 or 2026-12-31 15:01",
			"character_string3 must be at most 32 letters, digits or symbols, no Chinese"}},
		{ada, "thing1: x\ntime2: 15:01", []string{"the template's parameter character_string3 is missing"}},
		{ada, goodText + "\nthing9: extra", []string{"thing9 is not a parameter of the template"}},
		{ada, "thing1: \ntime2: 15:01\ncharacter_string3: A", []string{"thing1 is empty"}},
	} {
		if got := check(c.to, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q %q: %q, want %q", c.to, c.text, got, c.want)
		}
	}
	// Every documented type, good and bad, without template_keys.
	good := map[string]string{"number1": "39.8", "letter2": "ABC", "symbol3": "%", "date4": "2026年12月31日", "amount5": "¥39.80",
		"phone_number6": "+86-0766-66888866", "car_number7": "粤A8Z888挂", "name8": "Ada Lovelace", "phrase9": "配送中", "date10": "2026-12-01~2026-12-31",
		"time11": "2019年10月1日 15:01", "keyword1": "old industry templates are free text", "name12": "诸葛亮"}
	bad := map[string]string{"number1": "3 items", "letter2": "AB1", "symbol3": "abc", "date4": "Dec 31", "amount5": "lots",
		"phone_number6": "call 110", "car_number7": "A粤12", "name8": "Ada1", "phrase9": "shipped", "time11": "25:00", "name12": "一二三四五六七八九十一"}
	for k, v := range good {
		if p := (channel{}).CheckMessage(nil, sdk.Message{To: ada, Text: k + ": " + v}).Problems; len(p) != 0 {
			t.Errorf("%s %q: %v", k, v, p)
		}
	}
	for k, v := range bad {
		if p := (channel{}).CheckMessage(nil, sdk.Message{To: ada, Text: k + ": " + v}).Problems; len(p) != 1 || !strings.HasPrefix(p[0], k+" ") {
			t.Errorf("%s %q: %v", k, v, p)
		}
	}
}

func TestValidate(t *testing.T) {
	base := sdk.Config{"app_id": "wx1", "template_id": "t"}
	with := func(kv ...string) sdk.Config {
		c := sdk.Config{}
		for k, v := range base {
			c[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return channel{}.Spec().WithDefaults(c)
	}
	for _, c := range []struct {
		cfg   sdk.Config
		field string
	}{
		{with("endpoint", "https://api.weixin.qq.com.evil.example"), "endpoint"},
		{with("endpoint", "http://127.0.0.2:8080"), "endpoint"},
		{with("endpoint", "http://10.0.0.1"), "endpoint"},
		{with("miniprogram_pagepath", "pages/index"), "miniprogram_appid"},
		{with("template_keys", "thing1, 积分"), "template_keys"},
		{with("concurrency", "0"), "concurrency"},
		{with("timeout", "-1s"), "timeout"},
	} {
		errs := channel{}.Validate(c.cfg)
		if len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%v: %v", c.cfg, errs)
		} else if c.field == "endpoint" && errs[0].Message != "only a local test server may replace api.weixin.qq.com" {
			t.Errorf("endpoint message %q", errs[0].Message)
		}
	}
	for _, ep := range []string{"", "http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80/"} {
		if errs := (channel{}).Validate(with("endpoint", ep)); len(errs) != 0 {
			t.Errorf("%q refused: %v", ep, errs)
		}
	}
	if _, err := (channel{}).Open(context.Background(), with("endpoint", "https://example.com"), secrets); err == nil {
		t.Error("Open accepted a remote endpoint")
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
		!slices.Equal(m.NetworkHosts, []string{"api.weixin.qq.com"}) {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	// Only the hash is missing: the bundler fills it in.
	hashOnly := "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits"
	if err := m.Validate(); err == nil || err.Error() != hashOnly {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
	if slices.Contains(p.Capabilities, sdk.CapIdempotencyKeys) {
		t.Error("client_msg_id de-duplicates for 10 minutes only: no idempotency-keys capability")
	}
}

// In-process tests keep the plugin's log quiet; TestBinary reads it.
func init() { logger.SetOutput(io.Discard) }
