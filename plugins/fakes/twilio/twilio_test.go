package twilio

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RFC 7617's worked example: user "Aladdin", password "open sesame" is
// sent as "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==". The fake's reader must
// reproduce it, so a plugin that passes the fake sends what Twilio reads.
func TestParseBasicRFC7617Example(t *testing.T) {
	u, p, ok := ParseBasic("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
	if !ok || u != "Aladdin" || p != "open sesame" {
		t.Fatalf("got %q %q %v", u, p, ok)
	}
	// The scheme is case-insensitive; a password may hold colons.
	if u, p, ok := ParseBasic("basic dXNlcjpwYTpzcw=="); !ok || u != "user" || p != "pa:ss" {
		t.Errorf("got %q %q %v", u, p, ok)
	}
	for _, h := range []string{"", "Bearer abc", "Basic !!!", "Basic dXNlcg=="} { // the last has no colon
		if _, _, ok := ParseBasic(h); ok {
			t.Errorf("%q accepted", h)
		}
	}
}

type answer struct {
	status int
	body   map[string]any
	header http.Header
}

func do(t *testing.T, method, u, user, pass string, form url.Values) answer {
	t.Helper()
	var req *http.Request
	if form != nil {
		req, _ = http.NewRequest(method, u, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, u, nil)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return answer{resp.StatusCode, body, resp.Header}
}

func (a answer) code() int {
	c, _ := a.body["code"].(float64)
	return int(c)
}

func messagesURL(s *Server, account string) string {
	return s.URL + "/2010-04-01/Accounts/" + account + "/Messages.json"
}

func sms(to string) url.Values {
	return url.Values{"To": {to}, "From": {Sender}, "Body": {"Hello"}}
}

func TestAuthentication(t *testing.T) {
	s := New(t)
	other := "AC" + strings.Repeat("1", 32)
	for _, c := range []struct {
		name, account, user, pass string
		status                    int
	}{
		{"account and token", AccountSID, AccountSID, AuthToken, 201},
		{"API key", AccountSID, APIKeySID, APIKeySecret, 201},
		{"wrong token", AccountSID, AccountSID, AuthToken + "x", 401},
		{"API key with the auth token", AccountSID, APIKeySID, AuthToken, 401},
		{"token as key secret", AccountSID, AccountSID, APIKeySecret, 401},
		{"no credentials", AccountSID, "", "", 401},
		{"another account in the path", other, AccountSID, AuthToken, 401},
		{"key for another account's path", other, APIKeySID, APIKeySecret, 401},
	} {
		a := do(t, "POST", messagesURL(s, c.account), c.user, c.pass, sms("+14155552671"))
		if a.status != c.status {
			t.Errorf("%s: HTTP %d, want %d (%v)", c.name, a.status, c.status, a.body)
		}
		if c.status == 401 && (a.code() != 20003 || a.body["message"] != "Authenticate" || a.body["more_info"] != "https://www.twilio.com/docs/errors/20003" ||
			a.body["status"] != float64(401) || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic")) {
			t.Errorf("%s: error shape %v", c.name, a.body)
		}
	}
	if got := s.Sent(); len(got) != 2 || got[0].Auth != AccountSID || got[1].Auth != APIKeySID {
		t.Errorf("sent %+v", got)
	}
	s.SetAuthToken("rotated")
	if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, sms("+14155552671")); a.status != 401 {
		t.Errorf("the old token still works: %d", a.status)
	}
	if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, "rotated", sms("+14155552671")); a.status != 201 {
		t.Errorf("the new token: %d", a.status)
	}
}

func TestCreateAndFetch(t *testing.T) {
	s := New(t)
	a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken,
		url.Values{"To": {"+14155552671"}, "From": {Sender}, "Body": {"Hi there"}, "StatusCallback": {"https://example.com/cb"}})
	if a.status != 201 || a.body["status"] != "queued" || a.body["to"] != "+14155552671" || a.body["from"] != Sender ||
		a.body["body"] != "Hi there" || a.body["error_code"] != nil || a.body["direction"] != "outbound-api" {
		t.Fatalf("create: %d %v", a.status, a.body)
	}
	sid, _ := a.body["sid"].(string)
	if len(sid) != 34 || !strings.HasPrefix(sid, "SM") {
		t.Fatalf("sid %q", sid)
	}
	if _, err := time.Parse(time.RFC1123Z, a.body["date_created"].(string)); err != nil {
		t.Errorf("date_created: %v", err)
	}
	if got := s.Sent(); len(got) != 1 || got[0].StatusCallback != "https://example.com/cb" || got[0].SID != sid {
		t.Errorf("sent %+v", got)
	}
	msgURL := s.URL + "/2010-04-01/Accounts/" + AccountSID + "/Messages/" + sid + ".json"
	if a := do(t, "GET", msgURL, AccountSID, AuthToken, nil); a.status != 200 || a.body["status"] != "queued" {
		t.Errorf("fetch: %d %v", a.status, a.body)
	}
	if !s.SetStatus(sid, "undelivered", 30007, "Message filtered") || s.SetStatus("SMnope", "delivered", 0, "") {
		t.Fatal("SetStatus")
	}
	if a := do(t, "GET", msgURL, APIKeySID, APIKeySecret, nil); a.body["status"] != "undelivered" || a.body["error_code"] != float64(30007) || a.body["error_message"] != "Message filtered" {
		t.Errorf("fetch after SetStatus: %v", a.body)
	}
	if a := do(t, "GET", strings.Replace(msgURL, sid, "SM"+strings.Repeat("0", 32), 1), AccountSID, AuthToken, nil); a.status != 404 || a.code() != 20404 {
		t.Errorf("unknown sid: %d %v", a.status, a.body)
	}
	// With a Messaging Service the message starts "accepted".
	a = do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, url.Values{"To": {"+14155552671"}, "MessagingServiceSid": {MessagingServiceSID}, "Body": {"x"}})
	if a.status != 201 || a.body["status"] != "accepted" || a.body["messaging_service_sid"] != MessagingServiceSID || a.body["from"] != nil {
		t.Errorf("service: %d %v", a.status, a.body)
	}
	acct := do(t, "GET", s.URL+"/2010-04-01/Accounts/"+AccountSID+".json", AccountSID, AuthToken, nil)
	if acct.status != 200 || acct.body["sid"] != AccountSID || acct.body["status"] != "active" {
		t.Errorf("account: %d %v", acct.status, acct.body)
	}
	list := do(t, "GET", messagesURL(s, AccountSID)+"?PageSize=1", APIKeySID, APIKeySecret, nil)
	if msgs, _ := list.body["messages"].([]any); list.status != 200 || len(msgs) != 1 {
		t.Errorf("list: %d %v", list.status, list.body)
	}
}

func TestRequiredParameters(t *testing.T) {
	s := New(t)
	long := strings.Repeat("a", 1601)
	for _, c := range []struct {
		form url.Values
		code int
	}{
		{url.Values{"From": {Sender}, "Body": {"x"}}, 21604},
		{url.Values{"To": {"4155552671"}, "From": {Sender}, "Body": {"x"}}, 21211},
		{url.Values{"To": {"+1 415 555 2671"}, "From": {Sender}, "Body": {"x"}}, 21211},
		{url.Values{"To": {"+14155552671"}, "Body": {"x"}}, 21603},
		{url.Values{"To": {"+14155552671"}, "From": {"+15550001111"}, "Body": {"x"}}, 21606},
		{url.Values{"To": {"+14155552671"}, "MessagingServiceSid": {"MG123"}, "Body": {"x"}}, 21705},
		{url.Values{"To": {"+14155552671"}, "From": {Sender}}, 21602},
		{url.Values{"To": {"+14155552671"}, "MessagingServiceSid": {MessagingServiceSID}}, 21619},
		{url.Values{"To": {"+14155552671"}, "From": {Sender}, "Body": {long}}, 21617},
		{url.Values{"To": {"+14155552671"}, "From": {Sender}, "Body": {strings.Repeat("😀", 801)}}, 21617}, // 1,602 UTF-16 units
	} {
		a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, c.form)
		if a.status != 400 || a.code() != c.code || a.body["status"] != float64(400) {
			t.Errorf("%v: %d %v, want code %d", c.form, a.status, a.body, c.code)
		}
	}
	// A JSON body is not read.
	req, _ := http.NewRequest("POST", messagesURL(s, AccountSID), strings.NewReader(`{"To":"+14155552671","From":"`+Sender+`","Body":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(AccountSID, AuthToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("JSON body: %d", resp.StatusCode)
	}
	if len(s.Sent()) != 0 {
		t.Errorf("refused messages were recorded: %+v", s.Sent())
	}
	if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, url.Values{"To": {"+14155552671"}, "From": {Sender}, "Body": {strings.Repeat("a", 1600)}}); a.status != 201 {
		t.Errorf("1,600 characters: %d %v", a.status, a.body)
	}
}

func TestFaults(t *testing.T) {
	s := New(t)
	s.InvalidNumbers("+14155550100")
	s.Unsubscribed("+14155550101")
	s.Refuse(21408, "+8613812345678")
	for to, code := range map[string]int{"+14155550100": 21211, "+14155550101": 21610, "+8613812345678": 21408} {
		if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, sms(to)); a.status != 400 || a.code() != code {
			t.Errorf("%s: %d %v", to, a.status, a.body)
		}
	}
	s.Throttle(2, 7*time.Second)
	for range 2 {
		if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, sms("+14155552671")); a.status != 429 || a.code() != 20429 || a.header.Get("Retry-After") != "7" {
			t.Errorf("throttled: %d %v %v", a.status, a.body, a.header)
		}
	}
	s.Throttle(1, 0)
	if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, sms("+14155552671")); a.status != 429 || a.header.Get("Retry-After") != "" {
		t.Errorf("throttled without Retry-After: %d %v", a.status, a.header)
	}
	s.Fail(1)
	if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, sms("+14155552671")); a.status != 500 || a.code() != 20500 {
		t.Errorf("500: %d %v", a.status, a.body)
	}
	if a := do(t, "POST", messagesURL(s, AccountSID), AccountSID, AuthToken, sms("+14155552671")); a.status != 201 {
		t.Errorf("after the faults: %d %v", a.status, a.body)
	}
	s.Slow(300 * time.Millisecond)
	start := time.Now()
	do(t, "GET", s.URL+"/2010-04-01/Accounts/"+AccountSID+".json", AccountSID, AuthToken, nil)
	if time.Since(start) < 300*time.Millisecond {
		t.Error("Slow did not delay the answer")
	}
	if len(s.Sent()) != 1 || s.Requests() != 9 {
		t.Errorf("sent %d, requests %d", len(s.Sent()), s.Requests())
	}
}
