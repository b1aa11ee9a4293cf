package aliyun

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The worked example of Alibaba Cloud's "Request signature" page (RPC,
// signature method V2): DescribeRegions signed with AccessKey ID testid and
// secret testsecret.
func TestDocumentedExampleECS(t *testing.T) {
	p := url.Values{}
	for _, kv := range strings.Split("Timestamp=2016-02-23T12:46:24Z&Format=XML&AccessKeyId=testid&Action=DescribeRegions&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&Version=2014-05-26&SignatureVersion=1.0", "&") {
		k, v, _ := strings.Cut(kv, "=")
		p.Set(k, v)
	}
	if got := Sign("testsecret", StringToSign("GET", p)); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Errorf("signature %s, the documentation says OLeaidS1JvxuMvnyHOwuJ+uX5qY=", got)
	}
}

// The worked example of the SMS documentation's "HTTP protocol and
// signature" page: SendSms signed with AccessKey ID testId and secret
// testSecret, with the documented string to sign and signature.
func TestDocumentedExampleSendSms(t *testing.T) {
	p := url.Values{
		"AccessKeyId": {"testId"}, "Action": {"SendSms"}, "Format": {"XML"}, "OutId": {"123"}, "PhoneNumbers": {"15300000001"},
		"RegionId": {"cn-hangzhou"}, "SignName": {"阿里云短信测试专用"}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureNonce": {"45e25e9b-0a6f-4070-8c85-2956eda1b466"}, "SignatureVersion": {"1.0"}, "TemplateCode": {"SMS_71390007"},
		"TemplateParam": {`{"customer":"test"}`}, "Timestamp": {"2017-07-12T02:42:19Z"}, "Version": {"2017-05-25"},
	}
	const wantCanonical = "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
	const wantToSign = "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
	if got := CanonicalizedQuery(p); got != wantCanonical {
		t.Errorf("canonicalized query\n%s\nwant\n%s", got, wantCanonical)
	}
	sts := StringToSign("GET", p)
	if sts != wantToSign {
		t.Errorf("string to sign\n%s\nwant\n%s", sts, wantToSign)
	}
	if got := Sign("testSecret", sts); got != "zJDF+Lrzhj/ThnlvIToysFRq6t4=" {
		t.Errorf("signature %s, the documentation says zJDF+Lrzhj/ThnlvIToysFRq6t4=", got)
	}
	// The same request with the signature the documentation gives passes
	// the server's check (its clock at the example's time).
	s := New(t, WithCredentials("testId", "testSecret"), WithSigns("阿里云短信测试专用"), WithTemplate("SMS_71390007", "尊敬的${customer}，您好"))
	s.SetClock(func() time.Time { return time.Date(2017, 7, 12, 2, 45, 0, 0, time.UTC) })
	p.Set("Format", "JSON") // the fake answers JSON only; re-sign
	code, body := call(t, s, http.MethodGet, p, "testSecret")
	if code != 200 || body["Code"] != "OK" {
		t.Fatalf("%d %v", code, body)
	}
	if got := s.Sent(); len(got) != 1 || got[0].Phone != "15300000001" || got[0].Params["customer"] != "test" || got[0].OutID != "123" || got[0].BizID != body["BizId"] {
		t.Errorf("recorded %+v", got)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{" ": "%20", "*": "%2A", "~": "~", "+": "%2B", "a-b_c.d": "a-b_c.d", "/": "%2F", "中": "%E4%B8%AD"} {
		if got := PercentEncode(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// call signs p (adding the common parameters it lacks) and sends it.
func call(t *testing.T, s *Server, method string, p url.Values, secret string) (int, map[string]any) {
	t.Helper()
	p = cloneValues(p)
	p.Del("Signature")
	p.Set("Signature", Sign(secret, StringToSign(method, p)))
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(method, s.URL+"?"+p.Encode(), nil)
	} else {
		req, _ = http.NewRequest(method, s.URL, strings.NewReader(p.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func cloneValues(p url.Values) url.Values {
	out := url.Values{}
	for k, v := range p {
		out[k] = append([]string(nil), v...)
	}
	return out
}

var nonce int

func base(action string) url.Values {
	nonce++
	return url.Values{"AccessKeyId": {DefaultAccessKeyID}, "Action": {action}, "Format": {"JSON"}, "RegionId": {"cn-hangzhou"},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureNonce": {fmt.Sprintf("nonce-%d-%d", time.Now().UnixNano(), nonce)},
		"SignatureVersion": {"1.0"}, "Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "Version": {"2017-05-25"}}
}

func sendSms(phone, params string) url.Values {
	p := base("SendSms")
	p.Set("PhoneNumbers", phone)
	p.Set("SignName", DefaultSignName)
	p.Set("TemplateCode", DefaultTemplateCode)
	p.Set("TemplateParam", params)
	p.Set("OutId", "key-1")
	return p
}

const goodParams = `{"name":"张三","points":"1200"}`

func TestGatewayChecks(t *testing.T) {
	s := New(t)
	p := sendSms("13812345678", goodParams)
	if code, body := call(t, s, http.MethodPost, p, DefaultAccessKeySecret); code != 200 || body["Code"] != "OK" {
		t.Fatalf("good POST: %d %v", code, body)
	}
	// The same nonce again, even correctly signed.
	if code, body := call(t, s, http.MethodPost, p, DefaultAccessKeySecret); code != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Errorf("reused nonce: %d %v", code, body)
	}
	expect := func(name string, p url.Values, secret string, status int, code string) {
		t.Helper()
		got, body := call(t, s, http.MethodGet, p, secret)
		if got != status || body["Code"] != code {
			t.Errorf("%s: %d %v, want %d %s", name, got, body, status, code)
		}
		for _, k := range []string{"RequestId", "Message", "Recommend", "HostId"} {
			if body[k] == nil || body[k] == "" {
				t.Errorf("%s: no %s in %v", name, k, body)
			}
		}
	}
	expect("wrong secret", sendSms("13812345678", goodParams), "not-the-secret", 400, "SignatureDoesNotMatch")
	old := sendSms("13812345678", goodParams)
	old.Set("Timestamp", time.Now().Add(-16*time.Minute).UTC().Format("2006-01-02T15:04:05Z"))
	expect("old timestamp", old, DefaultAccessKeySecret, 400, "InvalidTimeStamp.Expired")
	future := sendSms("13812345678", goodParams)
	future.Set("Timestamp", time.Now().Add(16*time.Minute).UTC().Format("2006-01-02T15:04:05Z"))
	expect("future timestamp", future, DefaultAccessKeySecret, 400, "InvalidTimeStamp.Expired")
	unknown := sendSms("13812345678", goodParams)
	unknown.Set("AccessKeyId", "LTAIunknown")
	expect("unknown key", unknown, DefaultAccessKeySecret, 404, "InvalidAccessKeyId.NotFound")
	noNonce := sendSms("13812345678", goodParams)
	noNonce.Del("SignatureNonce")
	expect("no nonce", noNonce, DefaultAccessKeySecret, 400, "MissingParameter")
	noPhone := sendSms("13812345678", goodParams)
	noPhone.Del("PhoneNumbers")
	expect("no phone", noPhone, DefaultAccessKeySecret, 400, "MissingPhoneNumbers")
	// A parameter changed after signing.
	tampered := sendSms("13812345678", goodParams)
	tampered.Set("Signature", Sign(DefaultAccessKeySecret, StringToSign("GET", tampered)))
	tampered.Set("PhoneNumbers", "13900000000")
	req, _ := http.NewRequest(http.MethodGet, s.URL+"?"+tampered.Encode(), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if body["Code"] != "SignatureDoesNotMatch" {
		t.Errorf("tampered: %v", body)
	}
	if n := len(s.Sent()); n != 1 {
		t.Errorf("%d messages recorded, want 1", n)
	}
}

func TestBusinessCodesAndReceipts(t *testing.T) {
	s := New(t)
	expect := func(name string, p url.Values, code string) map[string]any {
		t.Helper()
		status, body := call(t, s, http.MethodPost, p, DefaultAccessKeySecret)
		if status != 200 || body["Code"] != code {
			t.Errorf("%s: %d %v, want %s", name, status, body, code)
		}
		return body
	}
	s.ThrottleNext(1, "hour")
	if b := expect("throttled", sendSms("13812345678", goodParams), "isv.BUSINESS_LIMIT_CONTROL"); b["Message"] != "触发小时级流控Permits:5" {
		t.Errorf("throttle message %v", b["Message"])
	}
	expect("bad number", sendSms("12345", goodParams), "isv.MOBILE_NUMBER_ILLEGAL")
	s.IllegalNumbers("13800000000")
	expect("illegal number", sendSms("13800000000", goodParams), "isv.MOBILE_NUMBER_ILLEGAL")
	expect("missing param", sendSms("13812345678", `{"name":"张三"}`), "isv.TEMPLATE_MISSING_PARAMETERS")
	expect("number param", sendSms("13812345678", `{"name":"张三","points":1200}`), "isv.INVALID_JSON_PARAM")
	expect("long param", sendSms("13812345678", `{"name":"`+strings.Repeat("长", 36)+`","points":"1"}`), "isv.PARAM_LENGTH_LIMIT")
	tpl := sendSms("13812345678", goodParams)
	tpl.Set("TemplateCode", "SMS_000000001")
	expect("unknown template", tpl, "isv.SMS_TEMPLATE_ILLEGAL")
	sign := sendSms("13812345678", goodParams)
	sign.Set("SignName", "别人的签名")
	expect("unknown sign", sign, "isv.SMS_SIGNATURE_ILLEGAL")
	s.Error500Next(1)
	if status, body := call(t, s, http.MethodPost, sendSms("13812345678", goodParams), DefaultAccessKeySecret); status != 500 || body["Code"] != "InternalError" {
		t.Errorf("500: %d %v", status, body)
	}
	ok1 := expect("ok", sendSms("13812345678", goodParams), "OK")["BizId"].(string)
	ok2 := expect("ok intl", sendSms("85291234567", goodParams), "OK")["BizId"].(string)
	if len(s.Sent()) != 2 {
		t.Fatalf("sent %+v", s.Sent())
	}
	s.SetReceipt(ok2, StatusFailed, "MK:0001")
	query := func(phone, biz string) []any {
		p := base("QuerySendDetails")
		p.Set("PhoneNumber", phone)
		p.Set("SendDate", time.Now().In(China).Format("20060102"))
		p.Set("PageSize", "10")
		p.Set("CurrentPage", "1")
		p.Set("BizId", biz)
		status, body := call(t, s, http.MethodPost, p, DefaultAccessKeySecret)
		if status != 200 || body["Code"] != "OK" {
			t.Fatalf("query: %d %v", status, body)
		}
		return body["SmsSendDetailDTOs"].(map[string]any)["SmsSendDetailDTO"].([]any)
	}
	d := query("13812345678", ok1)
	if len(d) != 1 || d[0].(map[string]any)["SendStatus"] != 3.0 || d[0].(map[string]any)["ErrCode"] != "DELIVERED" ||
		d[0].(map[string]any)["Content"] != "【"+DefaultSignName+"】您好张三，您的会员积分1200即将过期。拒收请回复R" {
		t.Errorf("delivered: %v", d)
	}
	if d := query("85291234567", ok2); len(d) != 1 || d[0].(map[string]any)["SendStatus"] != 2.0 || d[0].(map[string]any)["ErrCode"] != "MK:0001" {
		t.Errorf("failed: %v", d)
	}
	if d := query("13812345678", ok2); len(d) != 0 {
		t.Errorf("another number's BizId: %v", d)
	}
	sq := base("QuerySmsSign")
	sq.Set("SignName", DefaultSignName)
	if _, b := call(t, s, http.MethodPost, sq, DefaultAccessKeySecret); b["Code"] != "OK" || b["SignStatus"] != 1.0 {
		t.Errorf("QuerySmsSign: %v", b)
	}
	tq := base("QuerySmsTemplate")
	tq.Set("TemplateCode", DefaultTemplateCode)
	if _, b := call(t, s, http.MethodPost, tq, DefaultAccessKeySecret); b["Code"] != "OK" || b["TemplateContent"] != DefaultTemplateText {
		t.Errorf("QuerySmsTemplate: %v", b)
	}
}
