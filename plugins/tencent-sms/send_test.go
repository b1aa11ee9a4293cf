package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/fakes/tencent"
	"github.com/marketbench/marketbench/sdk"
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

func msg(to, text string) sdk.Message {
	return sdk.Message{ID: "c-" + to, IdempotencyKey: "key-" + to, To: to, Text: text, Fields: map[string]string{"phone": to}}
}

func TestSendHappyPathAndNumbers(t *testing.T) {
	f := tencent.New(t)
	s := open(t, config(f), secrets(f))
	for _, c := range []struct{ to, want string }{
		{"138 0013 8000", "+8613800138000"},
		{"+86 139-0000-0001", "+8613900000001"},
		{"0086 13700000002", "+8613700000002"},
		{"８６１３６０００００００３", "+8613600000003"}, // full-width, as a Chinese IME types it
		{"+44 7911 123456", "+447911123456"},
	} {
		r := s.Send(context.Background(), msg(c.to, "1: 张三\n2= 您的订单已发货"))
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", c.to, r)
			continue
		}
		sent := f.Sent()
		last := sent[len(sent)-1]
		if last.Phone != c.want || last.SerialNo != r.ProviderID || last.SessionContext != "key-"+c.to ||
			last.Params[0] != "张三" || last.Params[1] != "您的订单已发货" || last.TemplateID != tencent.DefaultTemplateID {
			t.Errorf("%s: sent %+v for %+v", c.to, last, r)
		}
	}
	// Another default country reads national numbers there; no sign is
	// needed outside mainland China.
	s2 := open(t, config(f, "region", "HK", "sign_name", ""), secrets(f))
	if r := s2.Send(context.Background(), msg("9123 4567", "1: Ada\n2: hi")); r.Outcome != sdk.OutcomeDelivered {
		t.Errorf("HK: %+v", r)
	} else if last := f.Sent()[len(f.Sent())-1]; last.Phone != "+85291234567" || last.SignName != "" {
		t.Errorf("HK: sent %+v", last)
	}
}

// A resend carries the same SessionContext; Tencent echoes it and sends
// again, which is why the plugin does not announce idempotency keys.
func TestResendIsNotDeduplicated(t *testing.T) {
	f := tencent.New(t)
	s := open(t, config(f), secrets(f))
	m := msg("13800000000", conformanceText)
	a, b := s.Send(context.Background(), m), s.Send(context.Background(), m)
	sent := f.Sent()
	if a.Outcome != sdk.OutcomeDelivered || b.Outcome != sdk.OutcomeDelivered || a.ProviderID == b.ProviderID || len(sent) != 2 ||
		sent[0].SessionContext != m.IdempotencyKey || sent[1].SessionContext != m.IdempotencyKey {
		t.Errorf("%+v %+v %+v", a, b, sent)
	}
}

func TestOutcomes(t *testing.T) {
	// The fake and the plugin share a clock at 22:30 China time, so the
	// waits until midnight and until 8:00 are known.
	at := time.Date(2026, 3, 1, 22, 30, 0, 0, chinaTime)
	clock := func() time.Time { return at }
	f := tencent.New(t, tencent.WithTemplate(tencent.DefaultTemplateID, tencent.DefaultTemplate),
		tencent.WithVerificationTemplate("200002", "Your code is {1}"))
	f.SetClock(clock)
	numbers := map[string]string{
		"+8613800000001": tencent.CodeIncorrectPhoneNumber,
		"+8613800000002": tencent.CodeBlacklist,
		"+8613800000003": tencent.CodeNumberThirtySecLimit,
		"+8613800000004": tencent.CodeNumberOneHourLimit,
		"+8613800000005": tencent.CodeNumberDailyLimit,
		"+8613800000006": tencent.CodeAppDailyLimit,
		"+8613800000007": tencent.CodeMarketingSendTimeRule,
	}
	for p, code := range numbers {
		f.NumberCode(p, code)
	}
	s := open(t, config(f), secrets(f))
	s.client.now = clock
	ctx := context.Background()
	type want struct {
		outcome       sdk.Outcome
		after         time.Duration
		undeliverable bool
		words         string
	}
	check := func(name string, r sdk.Result, w want) {
		t.Helper()
		ok := r.Outcome == w.outcome && r.Undeliverable == w.undeliverable && strings.Contains(r.Reason, w.words)
		if w.outcome == sdk.OutcomeRetry {
			ok = ok && r.After == w.after && r.ServiceFault
		}
		if !ok {
			t.Errorf("%s: %+v, want %+v", name, r, w)
		}
		if strings.Contains(r.Reason, f.SecretKey) || strings.Contains(r.Reason, f.SecretID) {
			t.Errorf("%s: a secret in the reason", name)
		}
	}
	send := func(to, text string) sdk.Result { return s.Send(ctx, msg(to, text)) }
	ok := "1: Ada\n2: hi"
	check("incorrect number", send("13800000001", ok), want{sdk.OutcomeRejected, 0, true, "InvalidParameterValue.IncorrectPhoneNumber"})
	check("blacklisted", send("13800000002", ok), want{sdk.OutcomeRejected, 0, true, "FailedOperation.PhoneNumberInBlacklist"})
	check("30 s limit", send("13800000003", ok), want{sdk.OutcomeRetry, 30 * time.Second, false, "PhoneNumberThirtySecondLimit"})
	check("hour limit", send("13800000004", ok), want{sdk.OutcomeRetry, time.Hour, false, "PhoneNumberOneHourLimit"})
	check("daily limit", send("13800000005", ok), want{sdk.OutcomeRetry, 91 * time.Minute, false, "PhoneNumberDailyLimit"})
	check("app daily limit", send("13800000006", ok), want{sdk.OutcomeRetry, 91 * time.Minute, false, "AppDailyLimit"})
	check("marketing hours", send("13800000007", ok), want{sdk.OutcomeRetry, 9*time.Hour + 30*time.Minute, false, "8:00 and 22:00"})
	check("not a number", send("12345", ok), want{sdk.OutcomeRejected, 0, true, "phone number:"})
	check("bad text", send("13800000000", "Hello Ada"), want{sdk.OutcomeRejected, 0, false, `line 1 is not "name: value"`})
	check("missing parameter", send("13800000000", "1: Ada"), want{sdk.OutcomeRejected, 0, false, "template parameter 2 is missing"})

	// Without template_text the plugin cannot tell: the fake refuses.
	bare := open(t, config(f, "template_text", ""), secrets(f))
	bare.client.now = clock
	check("parameter count", bare.Send(ctx, msg("13800000000", "1: Ada")), want{sdk.OutcomeRejected, 0, false, "FailedOperation.TemplateIncorrectOrUnapproved"})
	check("verification code", open2(t, f, clock, "template_id", "200002", "template_text", "").Send(ctx, msg("13800000000", "1: abc1234")),
		want{sdk.OutcomeRejected, 0, false, "InvalidParameterValue.TemplateParameterFormatError"})
	check("unknown template", open2(t, f, clock, "template_id", "999999", "template_text", "").Send(ctx, msg("13800000000", ok)),
		want{sdk.OutcomeRejected, 0, false, "FailedOperation.TemplateIncorrectOrUnapproved"})
	check("unknown sign", open2(t, f, clock, "sign_name", "Other").Send(ctx, msg("13800000000", ok)),
		want{sdk.OutcomeRejected, 0, false, "FailedOperation.SignatureIncorrectOrUnapproved"})
	check("other app", open2(t, f, clock, "sdk_app_id", "1400000001").Send(ctx, msg("13800000000", ok)),
		want{sdk.OutcomeRetry, 5 * time.Minute, false, "UnauthorizedOperation.SmsSdkAppIdVerifyFail"})

	// Request-level errors.
	f.Throttle(1)
	check("throttled", send("13800000000", ok), want{sdk.OutcomeRetry, 5 * time.Second, false, "RequestLimitExceeded"})
	f.ErrorNext(1, tencent.CodeInternalTimeout)
	check("internal error", send("13800000000", ok), want{sdk.OutcomeRetry, 30 * time.Second, false, "InternalError.Timeout"})
	f.ErrorNext(1, tencent.CodeInsufficientBalance)
	check("balance", send("13800000000", ok), want{sdk.OutcomeRetry, time.Hour, false, "buy a package"})
	f.FailHTTP(1)
	check("HTTP 500", send("13800000000", ok), want{sdk.OutcomeRetry, 30 * time.Second, false, "HTTP 500"})

	// Credentials and clock.
	wrong := open(t, config(f), sdk.Secrets{"secret_id": f.SecretID, "secret_key": "not-the-key"})
	wrong.client.now = clock
	check("wrong key", wrong.Send(ctx, msg("13800000000", ok)), want{sdk.OutcomeRetry, 5 * time.Minute, false, "AuthFailure.SignatureFailure"})
	unknown := open(t, config(f), sdk.Secrets{"secret_id": "AKIDnobody", "secret_key": f.SecretKey})
	unknown.client.now = clock
	check("unknown id", unknown.Send(ctx, msg("13800000000", ok)), want{sdk.OutcomeRetry, 5 * time.Minute, false, "AuthFailure.SecretIdNotFound"})
	f.SetClock(func() time.Time { return at.Add(10 * time.Minute) })
	check("expired", send("13800000000", ok), want{sdk.OutcomeRetry, time.Minute, false, "AuthFailure.SignatureExpire"})
	f.SetClock(clock)
	check("back in time", send("13800000000", ok), want{sdk.OutcomeDelivered, 0, false, ""})
}

// open2 opens a session on the fake with a few settings changed.
func open2(t *testing.T, f *tencent.Server, clock func() time.Time, kv ...string) *session {
	s := open(t, config(f, kv...), secrets(f))
	s.client.now = clock
	return s
}

func TestIndividualAccount(t *testing.T) {
	f := tencent.New(t, tencent.IndividualAccount())
	s := open(t, config(f, "template_text", ""), secrets(f))
	r := s.Send(context.Background(), msg("13800000000", "1: Ada\n2: "+strings.Repeat("长", 13)))
	if r.Outcome != sdk.OutcomeRejected || !strings.Contains(r.Reason, "TemplateParameterLengthLimit") {
		t.Errorf("%+v", r)
	}
}

// A request whose answer does not come in time may have been sent: it is
// retried, never rejected.
func TestTimeoutIsRetried(t *testing.T) {
	f := tencent.New(t)
	s := open(t, config(f, "timeout", "300ms"), secrets(f))
	f.Slow(1, 2*time.Second)
	r := s.Send(context.Background(), msg("13800000000", conformanceText))
	if r.Outcome != sdk.OutcomeRetry || r.After != 30*time.Second || !strings.Contains(r.Reason, "did not answer") {
		t.Errorf("%+v", r)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for _, c := range []struct {
		status int
		header string
		after  time.Duration
	}{
		{http.StatusTooManyRequests, "7", 7 * time.Second},
		{http.StatusServiceUnavailable, "", 30 * time.Second},
		{http.StatusBadGateway, "120", 2 * time.Minute},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.header != "" {
				w.Header().Set("Retry-After", c.header)
			}
			http.Error(w, "busy", c.status)
		}))
		s := open(t, sdk.Config{"sdk_app_id": "1400006666", "template_id": "1", "sign_name": "测试签名", "endpoint": srv.URL},
			sdk.Secrets{"secret_id": "id", "secret_key": "key"})
		r := s.Send(context.Background(), msg("13800000000", "1: x"))
		if r.Outcome != sdk.OutcomeRetry || r.After != c.after || !strings.Contains(r.Reason, fmt.Sprintf("HTTP %d", c.status)) {
			t.Errorf("HTTP %d: %+v", c.status, r)
		}
		srv.Close()
	}
}

// The plugin's signer reproduces the Signature v3 document's example
// (current revision: x-tc-action signed; the masked key taken literally).
func TestSignerDocumentExample(t *testing.T) {
	got := tc3Request{SecretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", SecretKey: "Gu5t9xGARNpq86cd98joQYCN3*******",
		Host: "cvm.tencentcloudapi.com", Service: "cvm", Action: "DescribeInstances", ContentType: "application/json; charset=utf-8",
		Payload: []byte(`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`),
		Time:    time.Unix(1551113065, 0)}.authorization()
	want := "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, " +
		"SignedHeaders=content-type;host;x-tc-action, Signature=be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
