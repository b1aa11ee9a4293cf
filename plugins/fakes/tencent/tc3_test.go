package tencent

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The worked example of Tencent Cloud's "Signature v3" document: a CVM
// DescribeInstances POST at 1551113065 (2019-02-25 UTC) with this body.
const (
	docPayload   = `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	docTimestamp = 1551113065
)

// docRequest builds the example request as the document shows it.
func docRequest(auth string) (*http.Request, []byte) {
	r := httptest.NewRequest(http.MethodPost, "https://cvm.tencentcloudapi.com/", strings.NewReader(docPayload))
	r.Host = "cvm.tencentcloudapi.com"
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Set("X-TC-Action", "DescribeInstances")
	r.Header.Set("X-TC-Timestamp", "1551113065")
	r.Header.Set("X-TC-Version", "2017-03-12")
	r.Header.Set("X-TC-Region", "ap-guangzhou")
	r.Header.Set("Authorization", auth)
	return r, []byte(docPayload)
}

// TestDocumentExamples checks the verifier against the signatures the
// document publishes. The English revision read for this work gives the
// SecretKey in full (Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, signed headers
// content-type;host, Signature 72e494ea…). Later revisions mask the keys
// as AKIDz8krbsJ5yKBZQpn74WFkmLPx3******* / Gu5t9xGARNpq86cd98joQYCN3*******;
// their published signatures (2230eefd… for content-type;host, and
// be4f67d3… for content-type;host;x-tc-action) are those of the masked
// strings taken literally, so they reproduce too.
func TestDocumentExamples(t *testing.T) {
	now := time.Unix(docTimestamp, 0)
	for _, c := range []struct {
		name, id, key, signed, sig string
	}{
		{"full key", "AKID**********************0123456789EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "content-type;host",
			"72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"},
		{"masked key", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******", "content-type;host",
			"2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"},
		{"masked key, x-tc-action signed", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******", "content-type;host;x-tc-action",
			"be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"},
	} {
		auth := "TC3-HMAC-SHA256 Credential=" + c.id + "/2019-02-25/cvm/tc3_request, SignedHeaders=" + c.signed + ", Signature=" + c.sig
		keys := func(id string) (string, bool) { return c.key, id == c.id }
		r, body := docRequest(auth)
		if e := verify(r, body, keys, "cvm", now); e != nil {
			t.Errorf("%s: the document's example is refused: %+v", c.name, e)
		}
		// Each part matters: another key, a changed body, a later time, a
		// changed action (when signed), another service.
		bad := func(what string, e *apiError, code string) {
			if e == nil || e.Code != code {
				t.Errorf("%s: %s: %+v, want %s", c.name, what, e, code)
			}
		}
		bad("wrong key", verify(r, body, func(string) (string, bool) { return c.key + "x", true }, "cvm", now), "AuthFailure.SignatureFailure")
		r2, _ := docRequest(auth)
		bad("tampered body", verify(r2, []byte(strings.Replace(docPayload, "1", "2", 1)), keys, "cvm", now), "AuthFailure.SignatureFailure")
		bad("six minutes later", verify(r, body, keys, "cvm", now.Add(6*time.Minute)), "AuthFailure.SignatureExpire")
		bad("six minutes earlier", verify(r, body, keys, "cvm", now.Add(-6*time.Minute)), "AuthFailure.SignatureExpire")
		if e := verify(r, body, keys, "cvm", now.Add(4*time.Minute)); e != nil {
			t.Errorf("%s: four minutes of skew are tolerated: %+v", c.name, e)
		}
		bad("other service", verify(r, body, keys, "sms", now), "AuthFailure.SignatureFailure")
		bad("unknown id", verify(r, body, func(string) (string, bool) { return "", false }, "cvm", now), "AuthFailure.SecretIdNotFound")
		r3, _ := docRequest(auth)
		r3.Header.Set("X-TC-Action", "RunInstances")
		e := verify(r3, body, keys, "cvm", now)
		if strings.Contains(c.signed, "x-tc-action") {
			bad("other action", e, "AuthFailure.SignatureFailure")
		} else if e != nil {
			t.Errorf("%s: the action is not signed, yet changing it fails: %+v", c.name, e)
		}
	}
}

// The intermediate values the document prints.
func TestDocumentIntermediates(t *testing.T) {
	if got := hexSHA256([]byte(docPayload)); got != "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064" {
		t.Errorf("HashedRequestPayload %s", got)
	}
	r, body := docRequest("")
	cr, ok := canonicalRequest(r, []string{"content-type", "host"}, body)
	want := "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n" +
		"35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
	if !ok || cr != want {
		t.Errorf("CanonicalRequest\n%s\nwant\n%s", cr, want)
	}
	if got := hexSHA256([]byte(cr)); got != "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031" {
		t.Errorf("HashedCanonicalRequest %s", got)
	}
	cr, _ = canonicalRequest(r, []string{"content-type", "host", "x-tc-action"}, body)
	if got := hexSHA256([]byte(cr)); got != "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84" {
		t.Errorf("HashedCanonicalRequest with x-tc-action %s", got)
	}
	sts := "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
	if got := tc3Signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "2019-02-25", "cvm", sts); got != "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168" {
		t.Errorf("Signature %s", got)
	}
}

func TestAuthorizationForms(t *testing.T) {
	for _, h := range []string{
		"",
		"TC3-HMAC-SHA1 Credential=a/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=00",
		"TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm, SignedHeaders=content-type;host, Signature=00",
		"TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request, Signature=00",
		"TC3-HMAC-SHA256 Credential=/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=00",
	} {
		if _, ok := parseAuthorization(h); ok {
			t.Errorf("accepted %q", h)
		}
	}
	r, body := docRequest("")
	for _, signed := range [][]string{{"host", "content-type"}, {"host"}, {"content-type", "host", "x-tc-nonce"}, {"Content-Type", "host"}} {
		if _, ok := canonicalRequest(r, signed, body); ok {
			t.Errorf("signed headers %v accepted", signed)
		}
	}
}
