package fcm

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// RFC 7515 (JSON Web Signature), Appendix A.2: the worked RS256 example —
// the RSA public key (JWK n, e) and the complete signed JWS. The fake's
// verifier must accept it, and must refuse it with one bit changed.
const (
	rfcN   = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
	rfcE   = "AQAB"
	rfcJWS = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
)

func rfcKey(t *testing.T) *rsa.PublicKey {
	n, err := base64.RawURLEncoding.DecodeString(rfcN)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := base64.RawURLEncoding.DecodeString(rfcE)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

func TestVerifyRS256_RFC7515Example(t *testing.T) {
	pub := rfcKey(t)
	i := strings.LastIndex(rfcJWS, ".")
	sig, err := base64.RawURLEncoding.DecodeString(rfcJWS[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyRS256(rfcJWS[:i], sig, pub); err != nil {
		t.Fatalf("the RFC 7515 A.2 example does not verify: %v", err)
	}
	// The payload is the RFC's, with its CRLFs.
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(rfcJWS, ".")[1])
	if string(b) != "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}" {
		t.Errorf("payload %q", b)
	}
	sig[10] ^= 1
	if VerifyRS256(rfcJWS[:i], sig, pub) == nil {
		t.Error("a changed signature verified")
	}
	sig[10] ^= 1
	if VerifyRS256(strings.Replace(rfcJWS[:i], "eyJpc3Mi", "eyJpc3Ni", 1), sig, pub) == nil {
		t.Error("a changed payload verified")
	}
}

// jwt builds an assertion the way Google's documentation describes it,
// independently of any client.
func jwt(key *rsa.PrivateKey, header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func goodClaims(s *Server, now time.Time) map[string]any {
	return map[string]any{"iss": s.ClientEmail, "scope": Scope, "aud": s.TokenURI(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

func postToken(t *testing.T, s *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.TokenURI(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

func grant(assertion string) url.Values {
	return url.Values{"grant_type": {jwtBearer}, "assertion": {assertion}}
}

func TestTokenEndpoint(t *testing.T) {
	s := New(t, WithKey(sharedKey()))
	now := time.Now()
	hdr := map[string]any{"alg": "RS256", "typ": "JWT", "kid": s.KeyID}
	code, v := postToken(t, s, grant(jwt(s.key, hdr, goodClaims(s, now))))
	if code != 200 || v["token_type"] != "Bearer" || v["expires_in"] != 3599.0 || !strings.HasPrefix(v["access_token"].(string), "ya29.") {
		t.Fatalf("good assertion: %d %v", code, v)
	}
	// Without a kid the account's keys are tried.
	if code, v := postToken(t, s, grant(jwt(s.key, map[string]any{"alg": "RS256", "typ": "JWT"}, goodClaims(s, now)))); code != 200 {
		t.Errorf("no kid: %d %v", code, v)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	with := func(k string, val any) map[string]any {
		c := goodClaims(s, now)
		if val == nil {
			delete(c, k)
		} else {
			c[k] = val
		}
		return c
	}
	cases := []struct {
		name  string
		form  url.Values
		error string
		desc  string
	}{
		{"wrong key", grant(jwt(other, hdr, goodClaims(s, now))), "invalid_grant", errSignature},
		{"unknown kid", grant(jwt(s.key, map[string]any{"alg": "RS256", "kid": "nope"}, goodClaims(s, now))), "invalid_grant", errSignature},
		{"HS256", grant(jwt(s.key, map[string]any{"alg": "HS256", "kid": s.KeyID}, goodClaims(s, now))), "invalid_grant", "Invalid JWT: the algorithm must be RS256."},
		{"other account", grant(jwt(s.key, hdr, with("iss", "x@y.iam.gserviceaccount.com"))), "invalid_grant", "Invalid grant: account not found"},
		{"wrong audience", grant(jwt(s.key, hdr, with("aud", "https://example.com/token"))), "invalid_grant", "Invalid JWT: Failed audience check. The right audience is " + s.TokenURI()},
		{"longer than an hour", grant(jwt(s.key, hdr, with("exp", now.Add(time.Hour+time.Second).Unix()))), "invalid_grant", errTimeframe},
		{"expired", grant(jwt(s.key, hdr, map[string]any{"iss": s.ClientEmail, "scope": Scope, "aud": s.TokenURI(), "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()})), "invalid_grant", errTimeframe},
		{"from the future", grant(jwt(s.key, hdr, map[string]any{"iss": s.ClientEmail, "scope": Scope, "aud": s.TokenURI(), "iat": now.Add(10 * time.Minute).Unix(), "exp": now.Add(70 * time.Minute).Unix()})), "invalid_grant", errTimeframe},
		{"no iat", grant(jwt(s.key, hdr, with("iat", nil))), "invalid_grant", errTimeframe},
		{"no scope", grant(jwt(s.key, hdr, with("scope", nil))), "invalid_scope", "Invalid oauth scope or ID token audience provided."},
		{"grant type", url.Values{"grant_type": {"client_credentials"}, "assertion": {"x"}}, "unsupported_grant_type", "Invalid grant_type: client_credentials"},
		{"no assertion", url.Values{"grant_type": {jwtBearer}}, "invalid_request", "Missing required parameter: assertion"},
		{"garbage", grant("a.b"), "invalid_grant", "Invalid JWT: the assertion is not header.claims.signature."},
	}
	for _, c := range cases {
		code, v := postToken(t, s, c.form)
		if code != 400 || v["error"] != c.error || v["error_description"] != c.desc {
			t.Errorf("%s: %d %v", c.name, code, v)
		}
	}
	// A tampered claim set fails the signature.
	good := jwt(s.key, hdr, goodClaims(s, now))
	parts := strings.Split(good, ".")
	evil, _ := json.Marshal(with("scope", Scope+" https://www.googleapis.com/auth/cloud-platform"))
	parts[1] = base64.RawURLEncoding.EncodeToString(evil)
	if code, v := postToken(t, s, grant(strings.Join(parts, "."))); code != 400 || v["error_description"] != errSignature {
		t.Errorf("tampered claims: %d %v", code, v)
	}
	s.RevokeKey()
	if code, v := postToken(t, s, grant(good)); code != 400 || v["error_description"] != errSignature {
		t.Errorf("revoked key: %d %v", code, v)
	}
}

func accessToken(t *testing.T, s *Server) string {
	t.Helper()
	code, v := postToken(t, s, grant(jwt(s.key, map[string]any{"alg": "RS256", "typ": "JWT", "kid": s.KeyID}, goodClaims(s, time.Now()))))
	if code != 200 {
		t.Fatalf("token: %d %v", code, v)
	}
	return v["access_token"].(string)
}

type answer struct {
	code  int
	retry string
	body  googleError
	name  string
}

func send(t *testing.T, s *Server, project, token, body string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/v1/projects/"+project+"/messages:send", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{code: resp.StatusCode, retry: resp.Header.Get("Retry-After")}
	if resp.StatusCode == 200 {
		var v struct{ Name string }
		json.Unmarshal(b, &v)
		a.name = v.Name
	} else if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("error body is not JSON: %s", b)
	}
	return a
}

func msgJSON(token string, extra string) string {
	return fmt.Sprintf(`{"message":{"token":%q,"notification":{"title":"Hi","body":"Spring sale"}%s}}`, token, extra)
}

func fcmCode(a answer) string {
	for _, d := range a.body.Error.Details {
		if d["@type"] == "type.googleapis.com/google.firebase.fcm.v1.FcmError" {
			return d["errorCode"].(string)
		}
	}
	return ""
}

func TestSend(t *testing.T) {
	s := New(t, WithKey(sharedKey()), WithProject("shop-123"))
	tok := accessToken(t, s)
	dev := DeviceToken("ada")
	a := send(t, s, "shop-123", tok, msgJSON(dev, `,"data":{"k":"v"},"android":{"priority":"high","ttl":"3600s"},"fcm_options":{"analytics_label":"spring"}`))
	if a.code != 200 || !strings.HasPrefix(a.name, "projects/shop-123/messages/0:") {
		t.Fatalf("send: %+v", a)
	}
	got := s.Sent()
	if len(got) != 1 || got[0].Token != dev || got[0].Title != "Hi" || got[0].Body != "Spring sale" || got[0].Data["k"] != "v" ||
		got[0].AndroidPriority != "high" || got[0].AndroidTTL != "3600s" || got[0].AnalyticsLabel != "spring" || got[0].Name != a.name {
		t.Errorf("recorded %+v", got)
	}
	if a := send(t, s, "shop-123", tok, `{"validate_only":true,"message":{"token":"`+dev+`"}}`); a.code != 200 || a.name != "projects/shop-123/messages/fake_message_id" || len(s.Sent()) != 1 {
		t.Errorf("validate_only: %+v", a)
	}

	bad := []struct {
		name, project, token, body string
		code                       int
		status, fcm                string
	}{
		{"no token", "shop-123", "", msgJSON(dev, ""), 401, "UNAUTHENTICATED", ""},
		{"unknown token", "shop-123", "ya29.nope", msgJSON(dev, ""), 401, "UNAUTHENTICATED", ""},
		{"other project", "shop-999", tok, msgJSON(dev, ""), 403, "PERMISSION_DENIED", ""},
		{"two targets", "shop-123", tok, `{"message":{"token":"` + dev + `","topic":"news"}}`, 400, "INVALID_ARGUMENT", ""},
		{"no target", "shop-123", tok, `{"message":{"notification":{"title":"x"}}}`, 400, "INVALID_ARGUMENT", ""},
		{"unknown field", "shop-123", tok, `{"message":{"token":"` + dev + `","to":"x"}}`, 400, "INVALID_ARGUMENT", ""},
		{"number in data", "shop-123", tok, `{"message":{"token":"` + dev + `","data":{"a":12}}}`, 400, "INVALID_ARGUMENT", ""},
		{"reserved key", "shop-123", tok, msgJSON(dev, `,"data":{"google.x":"1"}`), 400, "INVALID_ARGUMENT", ""},
		{"bad priority", "shop-123", tok, msgJSON(dev, `,"android":{"priority":"urgent"}`), 400, "INVALID_ARGUMENT", ""},
		{"ttl too long", "shop-123", tok, msgJSON(dev, `,"android":{"ttl":"2419201s"}`), 400, "INVALID_ARGUMENT", ""},
		{"bad label", "shop-123", tok, msgJSON(dev, `,"fcm_options":{"analytics_label":"a b"}`), 400, "INVALID_ARGUMENT", ""},
		{"too big", "shop-123", tok, msgJSON(dev, `,"data":{"x":"`+strings.Repeat("y", 4090)+`"}`), 400, "INVALID_ARGUMENT", ""},
		{"bad device token", "shop-123", tok, msgJSON("not a token", ""), 400, "INVALID_ARGUMENT", InvalidArgument},
	}
	for _, c := range bad {
		a := send(t, s, c.project, c.token, c.body)
		if a.code != c.code || a.body.Error.Status != c.status || a.body.Error.Code != c.code || fcmCode(a) != c.fcm {
			t.Errorf("%s: %+v", c.name, a)
		}
	}

	s.Unregister(DeviceToken("gone"))
	s.FailToken(DeviceToken("foreign"), SenderIDMismatch)
	s.FailToken(DeviceToken("iphone"), ThirdPartyAuthError)
	for _, c := range []struct {
		dev    string
		code   int
		status string
		fcm    string
	}{
		{DeviceToken("gone"), 404, "NOT_FOUND", Unregistered},
		{DeviceToken("foreign"), 403, "PERMISSION_DENIED", SenderIDMismatch},
		{DeviceToken("iphone"), 401, "UNAUTHENTICATED", ThirdPartyAuthError},
	} {
		if a := send(t, s, "shop-123", tok, msgJSON(c.dev, "")); a.code != c.code || a.body.Error.Status != c.status || fcmCode(a) != c.fcm {
			t.Errorf("%s: %+v", c.fcm, a)
		}
	}

	s.QuotaExceeded(2, 7*time.Second)
	for range 2 {
		if a := send(t, s, "shop-123", tok, msgJSON(dev, "")); a.code != 429 || a.retry != "7" || fcmCode(a) != QuotaExceeded || a.body.Error.Status != "RESOURCE_EXHAUSTED" {
			t.Errorf("quota: %+v", a)
		}
	}
	s.Unavailable(1)
	if a := send(t, s, "shop-123", tok, msgJSON(dev, "")); a.code != 503 || fcmCode(a) != Unavailable {
		t.Errorf("unavailable: %+v", a)
	}
	s.InternalError(1)
	if a := send(t, s, "shop-123", tok, msgJSON(dev, "")); a.code != 500 || fcmCode(a) != Internal {
		t.Errorf("internal: %+v", a)
	}
	if a := send(t, s, "shop-123", tok, msgJSON(dev, "")); a.code != 200 {
		t.Errorf("after the faults: %+v", a)
	}
	s.ExpireTokens()
	if a := send(t, s, "shop-123", tok, msgJSON(dev, "")); a.code != 401 || a.body.Error.Status != "UNAUTHENTICATED" {
		t.Errorf("expired token: %+v", a)
	}
}

func TestExpiryByClock(t *testing.T) {
	var offset atomic.Int64
	s := New(t, WithKey(sharedKey()), WithClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	tok := accessToken(t, s)
	if a := send(t, s, s.ProjectID, tok, msgJSON(DeviceToken("a"), "")); a.code != 200 {
		t.Fatalf("%+v", a)
	}
	offset.Store(int64(AccessTokenLifetime))
	if a := send(t, s, s.ProjectID, tok, msgJSON(DeviceToken("a"), "")); a.code != 401 {
		t.Errorf("a token an hour old still works: %+v", a)
	}
}

func TestServiceAccountJSON(t *testing.T) {
	s := New(t, WithKey(sharedKey()))
	var v map[string]string
	if err := json.Unmarshal([]byte(s.ServiceAccountJSON()), &v); err != nil {
		t.Fatal(err)
	}
	if v["type"] != "service_account" || v["project_id"] != s.ProjectID || v["private_key_id"] != s.KeyID || v["client_email"] != s.ClientEmail ||
		v["token_uri"] != s.URL+"/token" || !strings.HasPrefix(v["private_key"], "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("%v", v)
	}
	if a, b := DeviceToken("x"), DeviceToken("y"); a == b || !tokenShapeRE.MatchString(a) || len(a) < 150 {
		t.Errorf("device tokens %q %q", a, b)
	}
}
