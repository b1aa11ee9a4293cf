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

	"github.com/marketbench/marketbench/plugins/fakes/aliyun"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

const goodText = "name: 张三\npoints: 1200\n"

func config(s *aliyun.Server, extra ...string) sdk.Config {
	cfg := sdk.Config{"sign_name": aliyun.DefaultSignName, "template_code": aliyun.DefaultTemplateCode,
		"template_text": aliyun.DefaultTemplateText, "endpoint": s.URL}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
}

var secrets = sdk.Secrets{"access_key_id": aliyun.DefaultAccessKeyID, "access_key_secret": aliyun.DefaultAccessKeySecret}

// checkSent checks the conformance run's side effects at the fake: every
// message arrived twice (no de-duplication at Alibaba Cloud), as the
// national number, with its key as OutId and its parameters.
func checkSent(t *testing.T, s *aliyun.Server, n int) {
	t.Helper()
	got := map[string]int{}
	for _, m := range s.Sent() {
		got[m.OutID]++
		if m.Phone != "13812345678" || m.Params["name"] != "张三" || m.Params["points"] != "1200" || len(m.Params) != 2 ||
			m.SignName != aliyun.DefaultSignName || m.TemplateCode != aliyun.DefaultTemplateCode || m.BizID == "" {
			t.Errorf("sent %+v", m)
		}
	}
	if len(got) != n {
		t.Errorf("%d distinct messages, want %d", len(got), n)
	}
	for k, c := range got {
		if c != 2 || !strings.HasPrefix(k, "conformance-") {
			t.Errorf("%s arrived %d times", k, c)
		}
	}
}

func TestConformanceInProcess(t *testing.T) {
	s := aliyun.New(t)
	conn := plugintest.InProcess(t, plugin())
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "aliyun-sms", Config: config(s), Secrets: secrets,
		To: "138 1234 5678", Text: goodText, Bad: sdk.Config{"endpoint": "https://example.com/", "sign_name": "x", "template_code": "SMS_1"}})
	ids := map[string]bool{}
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || !strings.HasSuffix(r.ProviderID, "^0") || ids[r.ProviderID] {
			t.Errorf("%s: %+v", id, r)
		}
		ids[r.ProviderID] = true
	}
	checkSent(t, s, 20)
	md, _ := conn.Metadata(context.Background())
	if caps := md.GetCapabilities(); !slices.Contains(caps, sdk.CapCheckMessages) || !slices.Contains(caps, sdk.CapReceipts) || slices.Contains(caps, sdk.CapIdempotencyKeys) {
		t.Errorf("capabilities %v", caps)
	}
}

// binary builds the plugin; only TestBinary needs it, so it is built
// once per test run.
func binary(t *testing.T) string {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	// An absolute path: Build names the binary after filepath.Base(dir).
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	return plugintest.Build(t, dir)
}

// logBuffer collects the plugin's log lines (its stderr).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestBinary(t *testing.T) {
	bin := binary(t)
	plugintest.Smoke(t, bin)
	logs := &logBuffer{}
	conn, err := client.Launch(client.Config{Path: bin, Logger: hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Trace})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	s := aliyun.New(t)
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "aliyun-sms", Config: config(s, "concurrency", "8"), Secrets: secrets,
		To: "+86 138 1234 5678", Text: goodText, Messages: 30, Bad: sdk.Config{"template_code": "12345"}})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	checkSent(t, s, 30)
	// Failures with a wrong secret, through the real protocol: the secret
	// is in no error and no log line.
	wrong := sdk.Secrets{"access_key_id": aliyun.DefaultAccessKeyID, "access_key_secret": "wrong-secret-XYZZY"}
	ctx := context.Background()
	if err := conn.Check(ctx, "aliyun-sms", config(s), wrong); err == nil || strings.Contains(err.Error(), "XYZZY") || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("Check with a wrong secret: %v", err)
	}
	sess, err := conn.Open(ctx, "aliyun-sms", config(s), wrong)
	if err != nil {
		t.Fatal(err)
	}
	err = sess.Send(ctx, []sdk.Message{{ID: "x", IdempotencyKey: "k", To: "13812345678", Text: goodText}}, func(_ string, r sdk.Result) error {
		if r.Outcome != sdk.OutcomeRetry || strings.Contains(r.Reason, "XYZZY") || strings.Contains(r.Reason, aliyun.DefaultAccessKeyID) {
			t.Errorf("send with a wrong secret: %+v", r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sess.Close(ctx)
	for _, secret := range []string{"XYZZY", aliyun.DefaultAccessKeySecret, aliyun.DefaultAccessKeyID} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the plugin's log shows %q:\n%s", secret, logs.String())
		}
	}
}

func open(t *testing.T, cfg sdk.Config, sec sdk.Secrets) *session {
	t.Helper()
	sess, err := channel{}.Open(context.Background(), cfg, sec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess.(*session)
}

func msg(to, text string) sdk.Message {
	return sdk.Message{ID: "c-" + to, IdempotencyKey: "key-" + to, To: to, Text: text}
}

func TestOutcomes(t *testing.T) {
	s := aliyun.New(t)
	sess := open(t, config(s, "timeout", "1s"), secrets)
	ctx := context.Background()
	type want struct {
		outcome       sdk.Outcome
		after         time.Duration
		reason        string
		undeliverable bool
	}
	check := func(name string, r sdk.Result, w want) {
		t.Helper()
		ok := r.Outcome == w.outcome && strings.Contains(r.Reason, w.reason) && r.Undeliverable == w.undeliverable
		if w.outcome == sdk.OutcomeRetry {
			ok = ok && (r.After-w.after).Abs() <= 2*time.Second
		}
		if !ok || (r.Outcome != sdk.OutcomeDelivered && r.Reason == "") || len(r.Reason) > 300 {
			t.Errorf("%s: %+v, want %+v", name, r, w)
		}
	}
	send := func() sdk.Result { return sess.Send(ctx, msg("13812345678", goodText)) }

	r := send()
	check("ok", r, want{outcome: sdk.OutcomeDelivered})
	if got := s.Sent(); len(got) != 1 || r.ProviderID != got[0].BizID || got[0].OutID != "key-13812345678" {
		t.Errorf("delivered %+v, fake has %+v", r, got)
	}
	s.ThrottleNext(1, "minute")
	check("minute limit", send(), want{sdk.OutcomeRetry, time.Minute, "isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1", false})
	s.ThrottleNext(1, "hour")
	check("hour limit", send(), want{sdk.OutcomeRetry, time.Hour, "isv.BUSINESS_LIMIT_CONTROL", false})
	s.ThrottleNext(1, "day")
	check("day limit", send(), want{sdk.OutcomeRetry, 24 * time.Hour, "isv.BUSINESS_LIMIT_CONTROL", false})
	s.FailNext(1, "isv.DAY_LIMIT_CONTROL", "触发日发送限额")
	check("daily quota", send(), want{sdk.OutcomeRetry, untilTomorrow(time.Now()), "daily sending limit", false})
	s.FailNext(1, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足")
	check("balance", send(), want{sdk.OutcomeRetry, time.Hour, "balance is too low: top it up (isv.AMOUNT_NOT_ENOUGH)", false})
	s.FailNext(1, "isp.SYSTEM_ERROR", "isp.SYSTEM_ERROR")
	check("system error", send(), want{sdk.OutcomeRetry, 30 * time.Second, "isp.SYSTEM_ERROR", false})
	s.FailNext(1, "Throttling.User", "Request was denied due to user flow control.")
	check("QPS", send(), want{sdk.OutcomeRetry, 5 * time.Second, "Throttling.User", false})
	s.FailNext(1, "isv.BLACK_KEY_CONTROL_LIMIT", "黑名单管控")
	check("blocked keyword", send(), want{sdk.OutcomeRejected, 0, "isv.BLACK_KEY_CONTROL_LIMIT", false})
	s.FailNext(1, "isv.TEMPLATE_PARAMS_ILLEGAL", "模板变量里包含非法关键字")
	check("illegal params", send(), want{sdk.OutcomeRejected, 0, "isv.TEMPLATE_PARAMS_ILLEGAL", false})
	s.FailNext(1, "isv.SOMETHING_NEW", "新的错误")
	check("unknown business code", send(), want{sdk.OutcomeRejected, 0, "isv.SOMETHING_NEW: 新的错误", false})
	s.Error500Next(1)
	check("HTTP 500", send(), want{sdk.OutcomeRetry, 30 * time.Second, "InternalError", false})
	s.IllegalNumbers("13800000000")
	check("illegal number", sess.Send(ctx, msg("13800000000", goodText)), want{sdk.OutcomeRejected, 0, "isv.MOBILE_NUMBER_ILLEGAL", true})
	check("missing parameter", sess.Send(ctx, msg("13812345678", "name: 张三")), want{sdk.OutcomeRejected, 0, "isv.TEMPLATE_MISSING_PARAMETERS", false})
	check("bad line", sess.Send(ctx, msg("13812345678", "name 张三")), want{sdk.OutcomeRejected, 0, `not "name: value"`, false})
	check("landline", sess.Send(ctx, msg("010 8888 6666", goodText)), want{sdk.OutcomeRejected, 0, "not a Chinese mobile number", true})
	check("no number", sess.Send(ctx, msg("", goodText)), want{sdk.OutcomeRejected, 0, "no phone number", true})

	// A slow answer: the request timed out after it was sent, its fate is
	// unknown, so it is retried, never rejected.
	s.SlowNext(1, 1500*time.Millisecond)
	check("slow", send(), want{sdk.OutcomeRetry, 30 * time.Second, "timed out", false})

	check("unknown template", open(t, config(s, "template_code", "SMS_999"), secrets).Send(ctx, msg("13812345678", goodText)),
		want{sdk.OutcomeRejected, 0, "isv.SMS_TEMPLATE_ILLEGAL", false})
	check("unknown sign", open(t, config(s, "sign_name", "别人的签名"), secrets).Send(ctx, msg("13812345678", goodText)),
		want{sdk.OutcomeRejected, 0, "isv.SMS_SIGNATURE_ILLEGAL", false})
	wrong := open(t, config(s), sdk.Secrets{"access_key_id": aliyun.DefaultAccessKeyID, "access_key_secret": "wrong"}).Send(ctx, msg("13812345678", goodText))
	check("wrong secret", wrong, want{sdk.OutcomeRetry, 5 * time.Minute, "does not match the AccessKey ID (SignatureDoesNotMatch)", false})
	if strings.Contains(wrong.Reason, "string to sign") || strings.Contains(wrong.Reason, "13812345678") {
		t.Errorf("the reason echoes the request: %s", wrong.Reason)
	}
	check("unknown key", open(t, config(s), sdk.Secrets{"access_key_id": "LTAInobody", "access_key_secret": "x"}).Send(ctx, msg("13812345678", goodText)),
		want{sdk.OutcomeRetry, 5 * time.Minute, "InvalidAccessKeyId.NotFound", false})
	s.SetClock(func() time.Time { return time.Now().Add(20 * time.Minute) })
	check("clock", send(), want{sdk.OutcomeRetry, time.Minute, "InvalidTimeStamp.Expired", false})
	s.SetClock(time.Now)

	delivered := 0
	for _, m := range s.Sent() {
		if m.Phone == "13812345678" {
			delivered++
		}
	}
	// "ok" for sure; the slow one only if the fake got to it before the
	// plugin gave up on the request (its fate is unknown: hence a retry).
	if delivered != 1 && delivered != 2 {
		t.Errorf("%d messages reached the fake, want 1 or 2: %+v", delivered, s.Sent())
	}
	s.Close()
	check("unreachable", send(), want{sdk.OutcomeRetry, 30 * time.Second, "did not answer", false})
}

func TestNumbers(t *testing.T) {
	for raw, want := range map[string]string{
		"13812345678": "13812345678", "+86 138-1234-5678": "13812345678", "0086 13812345678": "13812345678", "8613812345678": "13812345678",
		"１３８１２３４５６７８": "13812345678", "+852 9123 4567": "85291234567", "0044 7911 123456": "447911123456", "+1 415 555 2671": "14155552671",
	} {
		if got, err := number(raw, "CN"); got != want || err != nil {
			t.Errorf("%q → %q %v, want %q", raw, got, err, want)
		}
	}
	if got, err := number("9123 4567", "HK"); got != "85291234567" || err != nil {
		t.Errorf("HK national: %q %v", got, err)
	}
	for _, bad := range []string{"010 8888 6666", "12345", "1381234567x", ""} {
		if got, err := number(bad, "CN"); err == nil {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
	// The international form reaches the fake, which accepts it.
	s := aliyun.New(t)
	if r := open(t, config(s), secrets).Send(context.Background(), msg("+852 9123 4567", goodText)); r.Outcome != sdk.OutcomeDelivered || s.Sent()[0].Phone != "85291234567" {
		t.Errorf("%+v %+v", r, s.Sent())
	}
}

func TestParseParams(t *testing.T) {
	ps, err := parseParams("name: 张三\r\n\n  points=1200 \ntime：12:30\nlink = https://x.cn/a?b=c\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []param{{"name", "张三"}, {"points", "1200"}, {"time", "12:30"}, {"link", "https://x.cn/a?b=c"}}
	if !slices.Equal(ps, want) {
		t.Errorf("%v", ps)
	}
	for _, bad := range []string{"just text", ": no name", "two words: x"} {
		if _, err := parseParams(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := paramMap([]param{{"a", "1"}, {"a", "2"}}); err == nil {
		t.Error("a repeated name accepted")
	}
	if ps, err := parseParams(""); err != nil || len(ps) != 0 {
		t.Errorf("empty text: %v %v", ps, err)
	}
}

func TestCheckMessage(t *testing.T) {
	spec := channel{}.Spec()
	cfg := spec.WithDefaults(sdk.Config{"sign_name": "会员中心", "template_code": "SMS_1", "template_text": aliyun.DefaultTemplateText})
	check := func(to, text string) sdk.MessageCheck {
		return channel{}.CheckMessage(cfg, sdk.Message{To: to, Text: text})
	}
	// 【会员中心】您好张三，您的会员积分1200即将过期。拒收请回复R: 6 + 26 characters.
	if c := check("13812345678", goodText); len(c.Problems) != 0 || !slices.Equal(c.Notes, []string{"1 SMS part (up to 70 characters)"}) {
		t.Errorf("good: %+v", c)
	}
	long := "name: " + strings.Repeat("长", 35) + "\npoints: 1200"
	if c := check("13812345678", long); len(c.Problems) != 0 || !slices.Equal(c.Notes, []string{"1 SMS part (up to 70 characters)"}) {
		t.Errorf("35 characters: %+v", c)
	}
	cfg["template_text"] = strings.Repeat("尊敬的会员", 10) + aliyun.DefaultTemplateText
	if c := check("13812345678", goodText); !slices.Equal(c.Notes, []string{"2 SMS parts (long SMS, 67 characters each)"}) {
		t.Errorf("two parts: %+v", c)
	}
	cfg["template_text"] = aliyun.DefaultTemplateText
	for _, c := range []struct{ to, text, problem string }{
		{"010 8888 6666", goodText, "phone number: not a Chinese mobile number (11 digits starting 13 to 19)"},
		{"", goodText, "no phone number"},
		{"13812345678", "name: 张三", "template variable ${points} has no parameter"},
		{"13812345678", goodText + "extra: 1", "parameter extra is not in the template"},
		{"13812345678", "name: \npoints: 1", "parameter name is empty"},
		{"13812345678", "name: " + strings.Repeat("长", 36) + "\npoints: 1", "parameter name is longer than 35 characters"},
		{"13812345678", "name 张三", `the text has a line that is not "name: value"`},
		{"13812345678", "name: a\nname: b\npoints: 1", "parameter name is given twice"},
	} {
		if got := check(c.to, c.text); !slices.Contains(got.Problems, c.problem) {
			t.Errorf("%q %q: %+v, want %q", c.to, c.text, got, c.problem)
		}
	}
	cfg["template_text"] = strings.Repeat("很长的模板", 100) + "${name}"
	if got := check("13812345678", "name: x"); !slices.Contains(got.Problems, "the SMS is longer than 500 characters") {
		t.Errorf("too long: %+v", got)
	}
	// Without the template's text only what needs no template is checked.
	delete(cfg, "template_text")
	if got := check("13812345678", "anything: 1"); len(got.Problems) != 0 || len(got.Notes) != 0 {
		t.Errorf("without template text: %+v", got)
	}
}

func TestReceipts(t *testing.T) {
	s := aliyun.New(t)
	sess := open(t, config(s), secrets)
	ctx := context.Background()
	var qs []sdk.ReceiptQuery
	for _, to := range []string{"138 1234 5678", "139 0000 1111", "+852 9123 4567"} {
		r := sess.Send(ctx, msg(to, goodText))
		if r.Outcome != sdk.OutcomeDelivered {
			t.Fatal(r)
		}
		qs = append(qs, sdk.ReceiptQuery{ProviderID: r.ProviderID, To: to, SentAt: time.Now()})
	}
	s.SetReceipt(qs[1].ProviderID, aliyun.StatusFailed, "MK:0001")
	s.SetReceipt(qs[2].ProviderID, aliyun.StatusWaiting, "")
	qs = append(qs, sdk.ReceiptQuery{ProviderID: "999^0", To: "13812345678", SentAt: time.Now()}) // unknown: left out
	conn := plugintest.InProcess(t, plugin())
	got, err := conn.Receipts(ctx, "aliyun-sms", config(s), secrets, qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ProviderID != qs[0].ProviderID || got[0].Status != sdk.ReceiptDelivered || got[0].To != qs[0].To ||
		time.Since(got[0].At).Abs() > time.Minute ||
		got[1].ProviderID != qs[1].ProviderID || got[1].Status != sdk.ReceiptFailed || got[1].Reason != "MK:0001" {
		t.Errorf("receipts %+v", got)
	}
	if _, err := conn.Receipts(ctx, "aliyun-sms", config(s), sdk.Secrets{"access_key_id": aliyun.DefaultAccessKeyID, "access_key_secret": "bad"}, qs); err == nil ||
		!strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("receipts with a wrong secret: %v", err)
	}
}

func TestCheck(t *testing.T) {
	s := aliyun.New(t)
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	if err := conn.Check(ctx, "aliyun-sms", config(s), secrets); err != nil {
		t.Errorf("Check: %v", err)
	}
	if s.Requests("QuerySmsSign") != 1 || s.Requests("QuerySmsTemplate") != 1 || len(s.Sent()) != 0 {
		t.Errorf("Check called %d/%d and sent %d", s.Requests("QuerySmsSign"), s.Requests("QuerySmsTemplate"), len(s.Sent()))
	}
	for _, c := range []struct {
		cfg  sdk.Config
		sec  sdk.Secrets
		want string
	}{
		{config(s), sdk.Secrets{"access_key_id": aliyun.DefaultAccessKeyID, "access_key_secret": "wrong"}, "the AccessKey secret does not match the AccessKey ID (SignatureDoesNotMatch)"},
		{config(s), sdk.Secrets{"access_key_id": "LTAInobody", "access_key_secret": "x"}, "InvalidAccessKeyId.NotFound"},
		{config(s, "sign_name", "别人的签名"), secrets, "the sign 别人的签名 is not an approved one"},
		{config(s, "template_code", "SMS_999"), secrets, "the template SMS_999 is not an approved one"},
		{config(s, "template_text", "您好${name}"), secrets, "the template content differs"},
		{config(s), sdk.Secrets{}, "the AccessKey ID and secret are required"},
	} {
		if err := conn.Check(ctx, "aliyun-sms", c.cfg, c.sec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.cfg, err, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	base := sdk.Config{"sign_name": "会员中心", "template_code": "SMS_154950909"}
	for _, c := range []struct {
		key, value, field string
	}{
		{"endpoint", "https://dysmsapi.example.com/", "endpoint"},
		{"endpoint", "http://10.0.0.1:8080/", "endpoint"},
		{"template_code", "154950909", "template_code"},
		{"sign_name", "【会员中心】", "sign_name"},
		{"sign_name", "会", "sign_name"},
		{"region", "Atlantis", "region"},
		{"region_id", "Hangzhou", "region_id"},
		{"concurrency", "0", "concurrency"},
		{"timeout", "100ms", "timeout"},
		{"param_max_length", "0", "param_max_length"},
		{"template_text", "您好${}", "template_text"},
	} {
		cfg := channel{}.Spec().WithDefaults(base)
		cfg[c.key] = c.value
		if errs := (channel{}).Validate(cfg); len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%s=%s: %v", c.key, c.value, errs)
		}
	}
	for _, ok := range []string{"http://127.0.0.1:1234/", "http://localhost:9/", "http://[::1]:80/"} {
		cfg := channel{}.Spec().WithDefaults(base)
		cfg["endpoint"] = ok
		if errs := (channel{}).Validate(cfg); len(errs) != 0 {
			t.Errorf("%s refused: %v", ok, errs)
		}
	}
	if errs := (channel{}).Validate(channel{}.Spec().WithDefaults(base)); len(errs) != 0 {
		t.Errorf("defaults: %v", errs)
	}
	if _, err := (channel{}).Open(context.Background(), sdk.Config{"sign_name": "会员中心", "template_code": "SMS_1", "endpoint": "https://evil.example/"}, secrets); err == nil ||
		!strings.Contains(err.Error(), "only a local test server may replace dysmsapi.aliyuncs.com") {
		t.Errorf("Open with a foreign endpoint: %v", err)
	}
}

// The plugin's own signer reproduces the SMS documentation's worked
// example too (the fake's test checks the fake against it).
func TestSignerDocumentedExample(t *testing.T) {
	p := map[string]string{
		"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
		"RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
		"TemplateParam": `{"customer":"test"}`, "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
	}
	if got := signature("GET", "testSecret", p); got != "zJDF+Lrzhj/ThnlvIToysFRq6t4=" {
		t.Errorf("signature %s", got)
	}
}

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
		!slices.Equal(m.NetworkHosts, []string{host}) {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	if err := m.Validate(); err == nil || err.Error() != "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits" {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
}

// Every code of the documentation's table maps as the table says.
func TestOutcomeTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 22, 30, 0, 0, china) // 1 h 30 min before midnight in China
	for code, w := range map[string]struct {
		outcome sdk.Outcome
		after   time.Duration
	}{
		"isv.SMS_SIGN_ILLEGAL": {sdk.OutcomeRejected, 0}, "isv.SIGN_NAME_ILLEGAL": {sdk.OutcomeRejected, 0},
		"isv.SIGN_STATE_ILLEGAL": {sdk.OutcomeRejected, 0}, "isv.SMS_SIGNATURE_SCENE_ILLEGAL": {sdk.OutcomeRejected, 0},
		"isv.INVALID_JSON_PARAM": {sdk.OutcomeRejected, 0}, "isv.PARAM_LENGTH_LIMIT": {sdk.OutcomeRejected, 0},
		"isv.PARAM_NOT_SUPPORT_URL": {sdk.OutcomeRejected, 0}, "isv.SMS_CONTENT_ILLEGAL": {sdk.OutcomeRejected, 0},
		"isv.DOMESTIC_NUMBER_NOT_SUPPORTED": {sdk.OutcomeRejected, 0}, "isv.INVALID_PARAMETERS": {sdk.OutcomeRejected, 0},
		"isv.DAY_LIMIT_CONTROL": {sdk.OutcomeRetry, 90 * time.Minute}, "isv.MONTH_LIMIT_CONTROL": {sdk.OutcomeRetry, 24 * time.Hour},
		"isv.OUT_OF_SERVICE": {sdk.OutcomeRetry, time.Hour}, "InternalError": {sdk.OutcomeRetry, 30 * time.Second},
		"ServiceUnavailable": {sdk.OutcomeRetry, 30 * time.Second}, "Something.Else": {sdk.OutcomeRetry, 30 * time.Second},
		"InvalidAccessKeyId.Inactive": {sdk.OutcomeRetry, 5 * time.Minute}, "isp.RAM_PERMISSION_DENY": {sdk.OutcomeRetry, 5 * time.Minute},
		"isv.PRODUCT_UN_SUBSCRIPT": {sdk.OutcomeRetry, 5 * time.Minute}, "isv.ACCOUNT_ABNORMAL": {sdk.OutcomeRetry, 5 * time.Minute},
		"isv.DENY_IP_RANGE": {sdk.OutcomeRetry, 5 * time.Minute}, "SignatureNonceUsed": {sdk.OutcomeRetry, time.Second},
	} {
		r := outcome(&reply{Code: code, Message: "msg"}, now)
		if r.Outcome != w.outcome || r.After != w.after || r.Reason == "" || r.Undeliverable {
			t.Errorf("%s: %+v, want %v after %v", code, r, w.outcome, w.after)
		}
	}
	if r := outcome(&reply{Code: "OK"}, now); r.Outcome != sdk.OutcomeRetry {
		t.Errorf("OK without BizId: %+v", r)
	}
}

// A 503 that is not the API's JSON honours Retry-After.
func TestRetryAfterHeader(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "<html>busy</html>", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	r := open(t, sdk.Config{"sign_name": "会员中心", "template_code": "SMS_1", "endpoint": srv.URL}, secrets).Send(context.Background(), msg("13812345678", goodText))
	if r.Outcome != sdk.OutcomeRetry || r.After != 7*time.Second || !strings.Contains(r.Reason, "HTTP 503") {
		t.Errorf("%+v", r)
	}
	for h, want := range map[string]time.Duration{"": 0, "12": 12 * time.Second, "x": 0, "-1": 0, "999999": 24 * time.Hour} {
		if got := retryAfter(h); got != want {
			t.Errorf("Retry-After %q: %v, want %v", h, got, want)
		}
	}
}

// A message Alibaba Cloud dated just before midnight is found when the
// host's send time is just after it.
func TestReceiptAroundMidnight(t *testing.T) {
	s := aliyun.New(t)
	n := time.Now().In(china)
	before := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, china).Add(-2 * time.Minute) // the last 23:58 in China
	s.SetClock(func() time.Time { return before })
	sess := open(t, config(s), secrets)
	sess.cl.now = func() time.Time { return before }
	r := sess.Send(context.Background(), msg("13812345678", goodText))
	if r.Outcome != sdk.OutcomeDelivered {
		t.Fatal(r)
	}
	s.SetClock(time.Now)
	q := []sdk.ReceiptQuery{{ProviderID: r.ProviderID, To: "13812345678", SentAt: before.Add(3 * time.Minute)}} // 00:01
	got, err := channel{}.Receipts(context.Background(), config(s), secrets, q)
	if err != nil || len(got) != 1 || got[0].Status != sdk.ReceiptDelivered {
		t.Errorf("%+v %v", got, err)
	}
	if s.Requests("QuerySendDetails") != 2 {
		t.Errorf("%d queries, want 2 (the day of SentAt, then the day before)", s.Requests("QuerySendDetails"))
	}
}
