package tencent

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// call signs a request to the fake as the document says (with the fake's
// own, document-checked functions) and returns Response.
func call(t *testing.T, s *Server, action string, body string, edit func(*http.Request)) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	now := time.Now()
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", Version)
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Host = s.Host()
	date := now.UTC().Format("2006-01-02")
	cr, _ := canonicalRequest(req, []string{"content-type", "host"}, []byte(body))
	sts := algorithm + "\n" + strconv.FormatInt(now.Unix(), 10) + "\n" + date + "/sms/tc3_request\n" + hexSHA256([]byte(cr))
	req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+s.SecretID+"/"+date+"/sms/tc3_request, SignedHeaders=content-type;host, Signature="+
		tc3Signature(s.SecretKey, date, "sms", sts))
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Response map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Response["RequestId"] == "" {
		t.Fatalf("HTTP %d: %v %v", resp.StatusCode, out, err)
	}
	return out.Response
}

func errCode(r map[string]any) string {
	e, _ := r["Error"].(map[string]any)
	c, _ := e["Code"].(string)
	return c
}

func statusCodes(r map[string]any) []string {
	var out []string
	set, _ := r["SendStatusSet"].([]any)
	for _, st := range set {
		out = append(out, st.(map[string]any)["Code"].(string))
	}
	return out
}

func TestSendSms(t *testing.T) {
	s := New(t)
	ok := `{"PhoneNumberSet":["+8613800000000","13800000001"],"SmsSdkAppId":"1400006666","SignName":"Marketbench","TemplateId":"100001","TemplateParamSet":["Ada","hi"],"SessionContext":"k1"}`
	r := call(t, s, "SendSms", ok, nil)
	if c := statusCodes(r); len(c) != 2 || c[0] != CodeOk || c[1] != CodeOk {
		t.Fatalf("%v", r)
	}
	sent := s.Sent()
	if len(sent) != 2 || sent[1].Phone != "+8613800000001" || sent[0].Text != "【Marketbench】Hello Ada, hi" || sent[0].Fee != 1 ||
		sent[0].SessionContext != "k1" || sent[0].SerialNo == sent[1].SerialNo {
		t.Errorf("%+v", sent)
	}
	for _, c := range []struct {
		name, body string
		edit       func(*http.Request)
		code       string
	}{
		{"missing template", `{"PhoneNumberSet":["+8613800000000"],"SmsSdkAppId":"1400006666"}`, nil, "MissingParameter"},
		{"unknown parameter", strings.Replace(ok, `"SessionContext"`, `"Session"`, 1), nil, "UnknownParameter"},
		{"wrong type", strings.Replace(ok, `"SmsSdkAppId":"1400006666"`, `"SmsSdkAppId":1400006666`, 1), nil, "InvalidParameter"},
		{"empty set", strings.Replace(ok, `["+8613800000000","13800000001"]`, `[]`, 1), nil, "MissingParameter.EmptyPhoneNumberSet"},
		{"mixed", strings.Replace(ok, `"13800000001"`, `"+447911123456"`, 1), nil, "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber"},
		{"other app", strings.Replace(ok, `1400006666`, `1400000001`, 1), nil, CodeSdkAppIDVerifyFail},
		{"version", ok, func(r *http.Request) { r.Header.Set("X-TC-Version", "2019-07-11") }, "NoSuchVersion"},
		{"region", ok, func(r *http.Request) { r.Header.Set("X-TC-Region", "mars-1") }, "UnsupportedRegion"},
		{"no region", ok, func(r *http.Request) { r.Header.Del("X-TC-Region") }, "MissingParameter"},
		{"action", ok, func(r *http.Request) { r.Header.Set("X-TC-Action", "SendSmsNow") }, "InvalidAction"},
		{"tampered", ok, func(r *http.Request) {
			r.Body = nopCloser(strings.Replace(ok, "Ada", "Bob", 1))
			r.ContentLength = int64(len(ok))
		}, "AuthFailure.SignatureFailure"},
		{"no auth", ok, func(r *http.Request) { r.Header.Del("Authorization") }, "AuthFailure.InvalidAuthorization"},
	} {
		if got := errCode(call(t, s, "SendSms", c.body, c.edit)); got != c.code {
			t.Errorf("%s: %s, want %s", c.name, got, c.code)
		}
	}
	s.SetClock(func() time.Time { return time.Now().Add(-6 * time.Minute) })
	if got := errCode(call(t, s, "SendSms", ok, nil)); got != "AuthFailure.SignatureExpire" {
		t.Errorf("expired: %s", got)
	}
	s.SetClock(time.Now)
	// Per-number codes and whole-request content codes.
	s.NumberCode("+8613800000001", CodeBlacklist)
	if c := statusCodes(call(t, s, "SendSms", ok, nil)); c[0] != CodeOk || c[1] != CodeBlacklist {
		t.Errorf("blacklist: %v", c)
	}
	for body, code := range map[string]string{
		strings.Replace(ok, `"100001"`, `"999"`, 1):                      CodeTemplateUnapproved,
		strings.Replace(ok, `["Ada","hi"]`, `["Ada"]`, 1):                CodeTemplateUnapproved,
		strings.Replace(ok, `"Marketbench"`, `"Other"`, 1):               CodeSignatureUnapproved,
		strings.Replace(ok, `"SignName":"Marketbench",`, ``, 1):          CodeSignatureUnapproved,
		strings.Replace(ok, `"hi"`, `"see www.example.com"`, 1):          CodeURLInParam,
		strings.Replace(ok, `"13800000001"`, `"+8601000000000"`, 1):      CodeIncorrectPhoneNumber,
		strings.Replace(ok, `"hi"`, `"`+strings.Repeat("x", 500)+`"`, 1): CodeContentLength,
	} {
		c := statusCodes(call(t, s, "SendSms", body, nil))
		if c[len(c)-1] != code {
			t.Errorf("%s: %v, want %s", body, c, code)
		}
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func nopCloser(s string) readCloser { return readCloser{bytes.NewReader([]byte(s))} }

func TestPullAndStatistics(t *testing.T) {
	s := New(t, AutoReport())
	call(t, s, "SendSms", `{"PhoneNumberSet":["+8613800000000"],"SmsSdkAppId":"1400006666","SignName":"Marketbench","TemplateId":"100001","TemplateParamSet":["a","b"]}`, nil)
	serial := s.Sent()[0].SerialNo
	s.Report(serial, false, "MK:0005")
	r := call(t, s, "PullSmsSendStatus", `{"SmsSdkAppId":"1400006666","Limit":100}`, nil)
	set := r["PullSmsSendStatusSet"].([]any)
	if len(set) != 2 || set[0].(map[string]any)["ReportStatus"] != "SUCCESS" || set[1].(map[string]any)["Description"] != "MK:0005" ||
		set[0].(map[string]any)["SubscriberNumber"] != "13800000000" {
		t.Errorf("%v", set)
	}
	if set := call(t, s, "PullSmsSendStatus", `{"SmsSdkAppId":"1400006666","Limit":100}`, nil)["PullSmsSendStatusSet"].([]any); len(set) != 0 {
		t.Errorf("pulled twice: %v", set)
	}
	if got := errCode(call(t, s, "PullSmsSendStatus", `{"SmsSdkAppId":"1400006666","Limit":101}`, nil)); got != "InvalidParameterValue.LimitVerifyFail" {
		t.Errorf("Limit 101: %s", got)
	}
	cst := time.FixedZone("CST", 8*3600)
	end := time.Now().In(cst).Truncate(time.Hour)
	q := func(b, e string) string {
		return `{"SmsSdkAppId":"1400006666","Limit":1,"Offset":0,"BeginTime":"` + b + `","EndTime":"` + e + `"}`
	}
	if r := call(t, s, "SmsPackagesStatistics", q(end.Add(-48*time.Hour).Format("2006010215"), end.Format("2006010215")), nil); errCode(r) != "" ||
		len(r["SmsPackagesStatisticsSet"].([]any)) != 1 {
		t.Errorf("%v", r)
	}
	if got := errCode(call(t, s, "SmsPackagesStatistics", q(end.Format("2006010215"), end.Add(2*time.Hour).Format("2006010215")), nil)); got != "InvalidParameterValue.EndTimeVerifyFail" {
		t.Errorf("future EndTime: %s", got)
	}
}

func TestFaults(t *testing.T) {
	s := New(t)
	s.Throttle(1)
	body := `{"SmsSdkAppId":"1400006666","Limit":10}`
	if got := errCode(call(t, s, "PullSmsSendStatus", body, nil)); got != CodeRequestLimitExceeded {
		t.Errorf("throttle: %s", got)
	}
	if got := errCode(call(t, s, "PullSmsSendStatus", body, nil)); got != "" {
		t.Errorf("after the throttle: %s", got)
	}
	s.FailHTTP(1)
	resp, err := http.Post(s.URL+"/", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 500 {
		t.Errorf("FailHTTP: %v %v", resp, err)
	}
	resp.Body.Close()
}
