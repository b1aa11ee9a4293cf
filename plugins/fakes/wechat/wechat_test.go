package wechat

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type answer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	MsgID       int64  `json:"msgid"`
}

func post(t *testing.T, url string, body any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

func tokenReq(appID, secret string) map[string]any {
	return map[string]any{"grant_type": "client_credential", "appid": appID, "secret": secret}
}

func TestStableToken(t *testing.T) {
	s := New(t)
	for _, c := range []struct {
		body map[string]any
		code int
	}{
		{tokenReq("wxnope", DefaultSecret), 40013},
		{tokenReq(DefaultAppID, "wrong"), 40125},
		{map[string]any{"grant_type": "password", "appid": DefaultAppID, "secret": DefaultSecret}, 40002},
		{tokenReq("", DefaultSecret), 41002},
		{tokenReq(DefaultAppID, ""), 41004},
		{map[string]any{"grant_type": "client_credential", "appid": DefaultAppID, "secret": DefaultSecret, "force_refresh": "yes"}, 47001},
	} {
		a := post(t, s.URL+"/cgi-bin/stable_token", c.body)
		if a.ErrCode != c.code || a.AccessToken != "" || !strings.Contains(a.ErrMsg, " rid: ") {
			t.Errorf("%v: %+v", c.body, a)
		}
	}
	// Form-encoded is refused: the endpoint takes POST JSON only.
	resp, _ := http.Post(s.URL+"/cgi-bin/stable_token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credential"))
	var a answer
	json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if a.ErrCode != 47001 {
		t.Errorf("form body: %+v", a)
	}
	// Normal mode: the same token while it lives, with what is left of it.
	a1 := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret))
	a2 := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret))
	if a1.AccessToken == "" || a1.AccessToken != a2.AccessToken || a1.ExpiresIn != 7200 || a2.ExpiresIn < 7199 {
		t.Errorf("normal mode: %+v %+v", a1, a2)
	}
	// Expired: a new token, and the old one answers 42001.
	s.ExpireTokens()
	if got := sendWith(t, s, a1.AccessToken, OpenID("x")); got.ErrCode != 42001 {
		t.Errorf("expired token: %+v", got)
	}
	a3 := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret))
	if a3.AccessToken == a1.AccessToken {
		t.Error("no new token after expiry")
	}
	// Forced refresh revokes the current token.
	a4 := post(t, s.URL+"/cgi-bin/stable_token", map[string]any{"grant_type": "client_credential", "appid": DefaultAppID, "secret": DefaultSecret, "force_refresh": true})
	if a4.AccessToken == a3.AccessToken {
		t.Error("force_refresh kept the token")
	}
	if got := sendWith(t, s, a3.AccessToken, OpenID("x")); got.ErrCode != 40001 {
		t.Errorf("revoked token: %+v", got)
	}
	if got := sendWith(t, s, "garbage", OpenID("x")); got.ErrCode != 40014 {
		t.Errorf("malformed token: %+v", got)
	}
	if got := sendWith(t, s, "", OpenID("x")); got.ErrCode != 41001 {
		t.Errorf("no token: %+v", got)
	}
	if s.TokenRequests() != 11 {
		t.Errorf("%d token requests", s.TokenRequests())
	}
}

func TestShortLifetimeRenewsEarly(t *testing.T) {
	s := New(t, WithTokenLifetime(2*time.Second))
	a1 := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret))
	if a1.ExpiresIn != 2 {
		t.Fatalf("%+v", a1)
	}
	time.Sleep(1950 * time.Millisecond) // inside the last 1/24
	a2 := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret))
	if a2.AccessToken == a1.AccessToken || a2.ExpiresIn != 2 {
		t.Errorf("no new token near the end: %+v", a2)
	}
	// The old one still works until it expires.
	s.Follow(OpenID("a"))
	if got := sendWith(t, s, a1.AccessToken, OpenID("a")); got.ErrCode != 0 {
		t.Errorf("old token in its last moments: %+v", got)
	}
}

func goodData() map[string]any {
	return map[string]any{"thing1": map[string]string{"value": "会员积分即将过期"}, "time2": map[string]string{"value": "2026-12-31 23:59"},
		"character_string3": map[string]string{"value": "VIP-000123"}}
}

func sendWith(t *testing.T, s *Server, tok, to string) answer {
	return post(t, s.URL+"/cgi-bin/message/template/send?access_token="+tok, map[string]any{"touser": to, "template_id": DefaultTemplate, "data": goodData()})
}

func TestSend(t *testing.T) {
	fan, gone := OpenID("fan"), OpenID("gone")
	s := New(t, WithFollowers(fan, gone), WithDailyQuota(3))
	s.Unfollow(gone)
	tok := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret)).AccessToken
	url := s.URL + "/cgi-bin/message/template/send?access_token=" + tok
	body := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"touser": fan, "template_id": DefaultTemplate, "data": goodData(), "url": "https://shop.example.cn/points",
			"miniprogram": map[string]string{"appid": "wxmini0000000001", "pagepath": "pages/points?from=tpl"}, "client_msg_id": "k1"}
		if mod != nil {
			mod(m)
		}
		return m
	}
	ok := post(t, url, body(nil))
	if ok.ErrCode != 0 || ok.ErrMsg != "ok" || ok.MsgID == 0 {
		t.Fatalf("%+v", ok)
	}
	// The same client_msg_id to the same openid: one message.
	if again := post(t, url, body(nil)); again.ErrCode != 0 || again.MsgID != ok.MsgID {
		t.Errorf("dedup: %+v", again)
	}
	sent := s.Sent()
	if len(sent) != 1 || sent[0].Data["thing1"] != "会员积分即将过期" || sent[0].MiniProgram.PagePath != "pages/points?from=tpl" || sent[0].ClientMsgID != "k1" || sent[0].URL != "https://shop.example.cn/points" {
		t.Errorf("%+v", sent)
	}
	for _, c := range []struct {
		name string
		mod  func(m map[string]any)
		code int
	}{
		{"malformed openid", func(m map[string]any) { m["touser"] = "not-an-openid" }, 40003},
		{"unfollowed", func(m map[string]any) { m["touser"] = gone }, 43004},
		{"never followed", func(m map[string]any) { m["touser"] = OpenID("stranger") }, 43004},
		{"unknown template", func(m map[string]any) { m["template_id"] = "nope" }, 40037},
		{"thing too long", func(m map[string]any) {
			m["data"].(map[string]any)["thing1"] = map[string]string{"value": strings.Repeat("积", 21)}
		}, 47003},
		{"missing key", func(m map[string]any) { delete(m["data"].(map[string]any), "time2") }, 47003},
		{"chinese in character_string", func(m map[string]any) {
			m["data"].(map[string]any)["character_string3"] = map[string]string{"value": "会员123"}
		}, 47003},
		{"data item shape", func(m map[string]any) { m["data"].(map[string]any)["thing1"] = "bare string" }, 47001},
		{"color is not documented any more", func(m map[string]any) { m["topcolor"] = "#FF0000" }, 47001},
		{"no data", func(m map[string]any) { delete(m, "data") }, 47003},
	} {
		a := post(t, url, body(c.mod))
		if a.ErrCode != c.code {
			t.Errorf("%s: %+v", c.name, a)
		}
	}
	if a := post(t, url, body(func(m map[string]any) { m["client_msg_id"] = "k2" })); a.ErrCode != 0 {
		t.Errorf("second message: %+v", a)
	}
	post(t, url, body(func(m map[string]any) { m["client_msg_id"] = "k3" }))
	if a := post(t, url, body(func(m map[string]any) { m["client_msg_id"] = "k4" })); a.ErrCode != 45009 {
		t.Errorf("over the daily quota: %+v", a)
	}
	s.FailSends(-1, 48001)
	if a := post(t, url, body(nil)); a.ErrCode != -1 || !strings.HasPrefix(a.ErrMsg, "system error rid: ") {
		t.Errorf("injected -1: %+v", a)
	}
	if a := post(t, url, body(nil)); a.ErrCode != 48001 {
		t.Errorf("injected 48001: %+v", a)
	}
	s.FailHTTP(1, 503, "7")
	resp, _ := http.Post(url, "application/json", strings.NewReader("{}"))
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("HTTP fault: %v", resp.Status)
	}
	// GET on the send endpoint.
	resp, _ = http.Get(url)
	var a answer
	json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if a.ErrCode != 43002 {
		t.Errorf("GET: %+v", a)
	}
}

func TestTemplateList(t *testing.T) {
	s := New(t, WithTemplate("T2", "订单\n商品：{{thing4.DATA}}\n金额：{{ amount5.DATA }}"))
	tok := post(t, s.URL+"/cgi-bin/stable_token", tokenReq(DefaultAppID, DefaultSecret)).AccessToken
	resp, err := http.Get(s.URL + "/cgi-bin/template/get_all_private_template?access_token=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw map[string][]map[string]string
	json.NewDecoder(resp.Body).Decode(&raw)
	if len(raw["template_list"]) != 2 || raw["template_list"][0]["template_id"] != "T2" || raw["template_list"][0]["title"] != "订单" {
		t.Errorf("%v", raw)
	}
	if got := TemplateKeys(raw["template_list"][0]["content"]); strings.Join(got, ",") != "thing4,amount5" {
		t.Errorf("keys %v", got)
	}
}

// The examples of WeChat's value table pass, and values past its limits
// fail.
func TestValueRules(t *testing.T) {
	good := map[string][]string{
		"thing1":            {"巧克力", "会员积分即将过期", strings.Repeat("字", 20), "Order 42 shipped!"},
		"number2":           {"339208499", "39.8"},
		"letter3":           {"ABCdef"},
		"symbol4":           {"%", "-+*"},
		"character_string5": {"2023112317007198141923812", "VIP-000123"},
		"time6":             {"15:01", "2019年10月1日 15:01", "2023-11-23 14:10:29", "15:01~16:30"},
		"date7":             {"2019年10月1日", "2019年10月1日 15:01", "2018-01-01", "2018/01/01", "2018.01.01", "2018-01", "01-01", "10月1日", "2026-12-31~2027-01-31"},
		"amount8":           {"¥100", "￥39.80", "39.8元", "$12.5"},
		"phone_number9":     {"+86-0766-66888866", "13812345678"},
		"car_number10":      {"粤A8Z888挂", "京A12345"},
		"name11":            {"某某", "张三丰", "Ada Lovelace"},
		"phrase12":          {"配送中", "待审核"},
		"keyword1":          {"anything at all, any length, 任何内容"},
	}
	bad := map[string][]string{
		"thing1":            {strings.Repeat("字", 21), "", "tab\there"},
		"number2":           {"12a", "1.2.3", strings.Repeat("9", 33)},
		"letter3":           {"abc1"},
		"symbol4":           {"abc", "%%%%%%"},
		"character_string5": {"测试单号", strings.Repeat("x", 33)},
		"time6":             {"2019年10月1日", "25:00", "soon"},
		"date7":             {"yesterday", "15:01"},
		"amount8":           {"abc", "¥12345678901", "100 dollars"},
		"phone_number9":     {"call me", strings.Repeat("1", 18)},
		"car_number10":      {"粤A8Z888挂12", "A粤1"},
		"name11":            {"诸葛亮诸葛亮诸葛亮诸葛", strings.Repeat("a", 21), "Ada3"},
		"phrase12":          {"配送中配送中", "ok", "配送1"},
	}
	for k, vs := range good {
		for _, v := range vs {
			if !validValue(k, v) {
				t.Errorf("%s %q refused", k, v)
			}
		}
	}
	for k, vs := range bad {
		for _, v := range vs {
			if validValue(k, v) {
				t.Errorf("%s %q accepted", k, v)
			}
		}
	}
	if o := OpenID("a"); len(o) != 28 || !openIDRE.MatchString(o) || o != OpenID("a") || o == OpenID("b") {
		t.Errorf("OpenID %q", o)
	}
}
