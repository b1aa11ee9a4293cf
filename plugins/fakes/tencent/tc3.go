package tencent

// The TC3-HMAC-SHA256 verifier, written from Tencent Cloud's "Signature v3"
// document (API 3.0), independently of the plugin's signer:
//
//	CanonicalRequest = Method \n "/" \n QueryString \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//	CanonicalHeaders = for each signed header, sorted: lower(key) ":" lower(trim(value)) \n
//	StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n hex(sha256(CanonicalRequest))
//	SecretDate       = HMAC("TC3"+SecretKey, Date); SecretService = HMAC(SecretDate, service)
//	SecretSigning    = HMAC(SecretService, "tc3_request"); Signature = hex(HMAC(SecretSigning, StringToSign))
//	Authorization    = "TC3-HMAC-SHA256 Credential=" SecretId "/" Date "/" service "/tc3_request, SignedHeaders=" ... ", Signature=" ...
//
// Date is the UTC date of X-TC-Timestamp, and the timestamp may differ from
// the server's clock by at most five minutes.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const algorithm = "TC3-HMAC-SHA256"

// maxSkew is the documented tolerance between X-TC-Timestamp and the
// server's clock.
const maxSkew = 5 * time.Minute

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// tc3Signature is step 3 of the document: the derived key and the
// signature of a string to sign.
func tc3Signature(secretKey, date, service, stringToSign string) string {
	secretDate := hmacSHA256([]byte("TC3"+secretKey), date)
	secretService := hmacSHA256(secretDate, service)
	secretSigning := hmacSHA256(secretService, "tc3_request")
	return hex.EncodeToString(hmacSHA256(secretSigning, stringToSign))
}

// credential is a parsed Authorization header.
type credential struct {
	secretID, date, service string
	signedHeaders           []string
	signature               string
}

// parseAuthorization reads "TC3-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…"; ok is false when it is not of that form.
func parseAuthorization(h string) (c credential, ok bool) {
	rest, found := strings.CutPrefix(h, algorithm+" ")
	if !found {
		return c, false
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found {
			return c, false
		}
		parts[k] = v
	}
	cred := strings.Split(parts["Credential"], "/")
	if len(parts) != 3 || len(cred) != 4 || cred[3] != "tc3_request" || cred[0] == "" || parts["SignedHeaders"] == "" || parts["Signature"] == "" {
		return c, false
	}
	return credential{secretID: cred[0], date: cred[1], service: cred[2],
		signedHeaders: strings.Split(parts["SignedHeaders"], ";"), signature: parts["Signature"]}, true
}

// headerValue is a request header's value as the client sent it; Go keeps
// Host apart from the other headers.
func headerValue(r *http.Request, name string) (string, bool) {
	if name == "host" {
		return r.Host, r.Host != ""
	}
	v, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// canonicalRequest is step 1 of the document for the request as received.
func canonicalRequest(r *http.Request, signed []string, body []byte) (string, bool) {
	if !sort.StringsAreSorted(signed) || !contains(signed, "content-type") || !contains(signed, "host") {
		return "", false
	}
	var hdrs strings.Builder
	for i, name := range signed {
		if name != strings.ToLower(name) || (i > 0 && signed[i-1] == name) {
			return "", false
		}
		v, ok := headerValue(r, name)
		if !ok {
			return "", false
		}
		hdrs.WriteString(name + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	query := ""
	if r.Method == http.MethodGet {
		query = r.URL.RawQuery
	}
	return r.Method + "\n/\n" + query + "\n" + hdrs.String() + "\n" + strings.Join(signed, ";") + "\n" + hexSHA256(body), true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// verify checks a request's TC3 signature for service at time now; keys
// finds a SecretKey by SecretId. It returns nil or the error Tencent Cloud
// answers with.
func verify(r *http.Request, body []byte, keys func(id string) (string, bool), service string, now time.Time) *apiError {
	c, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return &apiError{"AuthFailure.InvalidAuthorization", "Authorization in the request header is invalid."}
	}
	key, ok := keys(c.secretID)
	if !ok {
		return &apiError{"AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct."}
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		return &apiError{"MissingParameter", "The request is missing a required parameter `Timestamp`."}
	}
	when := time.Unix(ts, 0).UTC()
	if d := now.Sub(when); d > maxSkew || d < -maxSkew {
		return &apiError{"AuthFailure.SignatureExpire", "Signature expired. Timestamp and server time cannot differ by more than five minutes."}
	}
	if c.date != when.Format("2006-01-02") || c.service != service {
		return &apiError{"AuthFailure.SignatureFailure", "The provided credentials could not be validated because of a credential scope that does not match the request (date or service)."}
	}
	cr, ok := canonicalRequest(r, c.signedHeaders, body)
	if !ok {
		return &apiError{"AuthFailure.SignatureFailure", "The provided credentials could not be validated: SignedHeaders must list content-type and host, sorted, in lower case, each sent once."}
	}
	sts := algorithm + "\n" + strconv.FormatInt(ts, 10) + "\n" + c.date + "/" + c.service + "/tc3_request\n" + hexSHA256([]byte(cr))
	want := tc3Signature(key, c.date, c.service, sts)
	if !hmac.Equal([]byte(want), []byte(c.signature)) {
		return &apiError{"AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."}
	}
	return nil
}
