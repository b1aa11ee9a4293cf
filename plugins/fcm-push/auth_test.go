package main

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/fakes/fcm"
)

// RFC 7515, Appendix A.2: an RSA key and the RS256 signature of the
// example's signing input. RSASSA-PKCS1-v1_5 is deterministic, so the
// plugin's signer must reproduce it exactly.
func TestSignRS256_RFC7515Example(t *testing.T) {
	b64 := func(s string) *big.Int {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(b)
	}
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: b64("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"), E: 65537},
		D:         b64("Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"),
		Primes: []*big.Int{
			b64("4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"),
			b64("uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"),
		},
	}
	key.Precompute()
	input := "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
	want := "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
	got, err := signRS256(input, key)
	if err != nil || got != want {
		t.Errorf("signature\n got %s\nwant %s (%v)", got, want, err)
	}
}

// The assertion carries exactly the header and claims Google documents.
func TestAssertion(t *testing.T) {
	s := fcm.New(t)
	c, err := parseServiceAccount(s.ServiceAccountJSON())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	jwt, err := c.assertion(now)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	var hdr, claims map[string]any
	for i, v := range []*map[string]any{&hdr, &claims} {
		b, _ := base64.RawURLEncoding.DecodeString(parts[i])
		json.Unmarshal(b, v)
	}
	if len(hdr) != 3 || hdr["alg"] != "RS256" || hdr["typ"] != "JWT" || hdr["kid"] != s.KeyID {
		t.Errorf("header %v", hdr)
	}
	if len(claims) != 5 || claims["iss"] != s.ClientEmail || claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging" ||
		claims["aud"] != s.TokenURI() || claims["iat"] != 1_700_000_000.0 || claims["exp"] != 1_700_003_600.0 {
		t.Errorf("claims %v", claims)
	}
}

func TestParseServiceAccount(t *testing.T) {
	s := fcm.New(t)
	good := s.ServiceAccountJSON()
	var kf map[string]any
	json.Unmarshal([]byte(good), &kf)
	pemKey := kf["private_key"].(string)
	with := func(k string, v any) string {
		m := map[string]any{}
		for k, v := range kf {
			m[k] = v
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for text, want := range map[string]string{
		"":                              "the service account key is empty: paste the whole .json key file",
		"-----BEGIN PRIVATE KEY-----":   "the service account key is not JSON: paste the whole .json key file Google downloaded",
		with("type", "authorized_user"): `the key file is not a service account key (its "type" is not "service_account")`,
		with("project_id", nil):         "the key file has no project_id",
		with("client_email", nil):       "the key file has no client_email",
		with("private_key", nil):        "the key file has no private_key",
		with("private_key", "abc"):      "the key file's private_key is not a PEM key",
		with("private_key", strings.Replace(pemKey, "MII", "MIX", 1)): "the key file's private_key cannot be read (is the file complete?)",
		with("token_uri", "https://evil.example/token"):               `the key file's token_uri "https://evil.example/token" is not Google's token endpoint (https://oauth2.googleapis.com/token)`,
		with("token_uri", "http://10.0.0.1/token"):                    `the key file's token_uri "http://10.0.0.1/token" is not Google's token endpoint (https://oauth2.googleapis.com/token)`,
	} {
		_, err := parseServiceAccount(text)
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", clip(text, 40), err, want)
		}
		if err != nil && strings.Contains(err.Error(), "MII") {
			t.Errorf("an error quotes the key: %v", err)
		}
	}
	// Google's own token endpoints; older key files name the legacy one.
	for uri, want := range map[string]string{"https://oauth2.googleapis.com/token": googleTokenURL, "https://accounts.google.com/o/oauth2/token": googleTokenURL, "": googleTokenURL, s.TokenURI(): s.TokenURI()} {
		c, err := parseServiceAccount(with("token_uri", uri))
		if uri == "" {
			c, err = parseServiceAccount(with("token_uri", nil))
		}
		if err != nil || c.tokenURL != want {
			t.Errorf("token_uri %q: %v %v", uri, c, err)
		}
	}
}
