package fcm

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The grant type of the JWT bearer flow (RFC 7523), as Google requires it.
const jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Google's answers for refused assertions.
const (
	errSignature = "Invalid JWT Signature."
	errTimeframe = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
)

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenCalls++
	s.mu.Unlock()
	fail := func(status int, code, desc string) {
		s.mu.Lock()
		s.lastAuthErrs = append(s.lastAuthErrs, desc)
		s.mu.Unlock()
		writeJSON(w, status, oauthError{code, desc})
	}
	if r.Method != http.MethodPost {
		fail(http.StatusMethodNotAllowed, "invalid_request", "The token endpoint takes POST requests only.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		fail(http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "The request body is not a form.")
		return
	}
	switch gt := r.PostForm.Get("grant_type"); {
	case gt == "":
		fail(http.StatusBadRequest, "invalid_request", "Missing required parameter: grant_type")
		return
	case gt != jwtBearer:
		fail(http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+gt)
		return
	}
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		fail(http.StatusBadRequest, "invalid_request", "Missing required parameter: assertion")
		return
	}
	s.mu.Lock()
	keys := make(map[string]*rsa.PublicKey, len(s.keys))
	for k, v := range s.keys {
		keys[k] = v
	}
	s.mu.Unlock()
	claims, code, desc := s.checkAssertion(assertion, keys, s.now())
	if code != "" {
		fail(http.StatusBadRequest, code, desc)
		return
	}
	tok := "ya29.fake-" + randomHex(32)
	s.mu.Lock()
	s.tokens[tok] = issued{scopes: strings.Fields(claims.Scope), expires: s.now().Add(AccessTokenLifetime)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": int(AccessTokenLifetime / time.Second), "token_type": "Bearer"})
}

// jwtHeader and jwtClaims are the parts of the assertion Google reads.
type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

type jwtClaims struct {
	Iss   string   `json:"iss"`
	Scope string   `json:"scope"`
	Aud   string   `json:"aud"`
	Sub   string   `json:"sub"`
	Iat   *float64 `json:"iat"`
	Exp   *float64 `json:"exp"`
}

// checkAssertion verifies a JWT assertion against the service account's
// keys and Google's claim rules; it returns the claims, or an OAuth error
// code and description.
func (s *Server) checkAssertion(assertion string, keys map[string]*rsa.PublicKey, now time.Time) (jwtClaims, string, string) {
	var c jwtClaims
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return c, "invalid_grant", "Invalid JWT: the assertion is not header.claims.signature."
	}
	var h jwtHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return c, "invalid_grant", "Invalid JWT: the header is not base64url JSON."
	}
	if h.Alg != "RS256" {
		return c, "invalid_grant", "Invalid JWT: the algorithm must be RS256."
	}
	if err := decodeSegment(parts[1], &c); err != nil {
		return c, "invalid_grant", "Invalid JWT: the claim set is not base64url JSON."
	}
	if c.Iss != s.ClientEmail {
		return c, "invalid_grant", "Invalid grant: account not found"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, "invalid_grant", errSignature
	}
	// With a key id the signature must verify with that key; without one,
	// with any of the account's keys.
	var candidates []*rsa.PublicKey
	if h.Kid != "" {
		if k := keys[h.Kid]; k != nil {
			candidates = append(candidates, k)
		}
	} else {
		for _, k := range keys {
			candidates = append(candidates, k)
		}
	}
	if !slices.ContainsFunc(candidates, func(k *rsa.PublicKey) bool { return VerifyRS256(parts[0]+"."+parts[1], sig, k) == nil }) {
		return c, "invalid_grant", errSignature
	}
	if c.Aud != s.TokenURI() {
		return c, "invalid_grant", "Invalid JWT: Failed audience check. The right audience is " + s.TokenURI()
	}
	if c.Iat == nil || c.Exp == nil || *c.Iat != math.Trunc(*c.Iat) || *c.Exp != math.Trunc(*c.Exp) {
		return c, "invalid_grant", errTimeframe
	}
	iat, exp := time.Unix(int64(*c.Iat), 0), time.Unix(int64(*c.Exp), 0)
	if !exp.After(iat) || exp.Sub(iat) > time.Hour || iat.After(now.Add(Skew)) || !exp.After(now.Add(-Skew)) {
		return c, "invalid_grant", errTimeframe
	}
	if strings.TrimSpace(c.Scope) == "" {
		return c, "invalid_scope", "Invalid oauth scope or ID token audience provided."
	}
	if c.Sub != "" && c.Sub != c.Iss {
		// Impersonating a user needs domain-wide delegation, which this
		// account does not have.
		return c, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."
	}
	return c, "", ""
}

// VerifyRS256 checks an RS256 JWS signature (RSASSA-PKCS1-v1_5 with
// SHA-256, RFC 7518 section 3.3) over the signing input
// base64url(header) "." base64url(payload).
func VerifyRS256(signingInput string, sig []byte, pub *rsa.PublicKey) error {
	if pub == nil {
		return errors.New("no key")
	}
	sum := sha256.Sum256([]byte(signingInput))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
