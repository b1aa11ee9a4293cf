package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// googleTokenURL is where service accounts exchange a signed JWT for an
	// access token, and the JWT's audience.
	googleTokenURL = "https://oauth2.googleapis.com/token"
	// legacyTokenURL is the token_uri of older key files; Google documents
	// the audience as always googleTokenURL, so such files use that.
	legacyTokenURL = "https://accounts.google.com/o/oauth2/token"
	// fcmScope is the OAuth scope for sending with FCM.
	fcmScope = "https://www.googleapis.com/auth/firebase.messaging"
	// jwtBearer is the grant type of the exchange (RFC 7523).
	jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// refreshMargin: a cached access token is replaced this long before
	// it expires, so no send starts with one about to lapse.
	refreshMargin = 5 * time.Minute
	// authRetry is the wait asked for when Google refuses the key: the
	// user has to fix the credentials.
	authRetry = 5 * time.Minute
)

// serviceAccount is the part of a Google service-account key file the
// plugin reads.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// credentials is a parsed key file.
type credentials struct {
	projectID string
	email     string
	keyID     string
	key       *rsa.PrivateKey
	tokenURL  string
}

// parseServiceAccount reads a key file. Its errors never quote the key.
func parseServiceAccount(text string) (*credentials, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("the service account key is empty: paste the whole .json key file")
	}
	var sa serviceAccount
	if err := json.Unmarshal([]byte(text), &sa); err != nil {
		return nil, errors.New("the service account key is not JSON: paste the whole .json key file Google downloaded")
	}
	if sa.Type != "service_account" {
		return nil, errors.New(`the key file is not a service account key (its "type" is not "service_account")`)
	}
	switch {
	case sa.ProjectID == "":
		return nil, errors.New("the key file has no project_id")
	case sa.ClientEmail == "":
		return nil, errors.New("the key file has no client_email")
	case sa.PrivateKey == "":
		return nil, errors.New("the key file has no private_key")
	}
	tokenURL, err := checkTokenURI(sa.TokenURI)
	if err != nil {
		return nil, err
	}
	key, err := parseRSAKey(sa.PrivateKey)
	if err != nil {
		return nil, err
	}
	return &credentials{projectID: sa.ProjectID, email: sa.ClientEmail, keyID: sa.PrivateKeyID, key: key, tokenURL: tokenURL}, nil
}

// checkTokenURI allows only Google's token endpoint (or a local test
// server), so a key file cannot send the signed JWT elsewhere.
func checkTokenURI(uri string) (string, error) {
	switch uri {
	case "", googleTokenURL, legacyTokenURL:
		return googleTokenURL, nil
	}
	if u, err := url.Parse(uri); err == nil && (u.Scheme == "http" || u.Scheme == "https") && isLoopback(u.Hostname()) {
		return uri, nil
	}
	return "", fmt.Errorf("the key file's token_uri %q is not Google's token endpoint (%s)", clip(uri, 80), googleTokenURL)
}

func parseRSAKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("the key file's private_key is not a PEM key")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, errors.New("the key file's private_key is not a private key")
	}
	if err != nil {
		return nil, errors.New("the key file's private_key cannot be read (is the file complete?)")
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the key file's private_key is not an RSA key")
	}
	return rk, nil
}

// assertion is the signed JWT of Google's server-to-server flow: header
// {alg: RS256, typ: JWT, kid}, claims {iss, scope, aud, iat, exp = iat+1h}.
func (c *credentials) assertion(now time.Time) (string, error) {
	hdr := map[string]string{"alg": "RS256", "typ": "JWT"}
	if c.keyID != "" {
		hdr["kid"] = c.keyID
	}
	h, _ := json.Marshal(hdr)
	claims, _ := json.Marshal(map[string]any{
		"iss": c.email, "scope": fcmScope, "aud": c.tokenURL,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(claims)
	sig, err := signRS256(input, c.key)
	if err != nil {
		return "", err
	}
	return input + "." + sig, nil
}

// signRS256 is the base64url RSASSA-PKCS1-v1_5 SHA-256 signature of input.
func signRS256(input string, key *rsa.PrivateKey) (string, error) {
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", errors.New("cannot sign with the service account key")
	}
	return base64.RawURLEncoding.EncodeToString(sig), nil
}

// authError is a failed token exchange: a result for Send, an error for
// Check.
type authError struct {
	after  time.Duration
	reason string
}

func (e *authError) Error() string { return e.reason }

// tokens caches the access token, shared by concurrent sends: one
// exchange at a time, the others wait for it.
type tokens struct {
	creds   *credentials
	client  *http.Client
	timeout time.Duration
	now     func() time.Time

	lock    chan struct{} // a mutex a waiting send can give up on
	token   string
	expires time.Time
}

func newTokens(c *credentials, client *http.Client, timeout time.Duration) *tokens {
	return &tokens{creds: c, client: client, timeout: timeout, now: time.Now, lock: make(chan struct{}, 1)}
}

// get returns a valid access token, fetching one when there is none or it
// expires within refreshMargin.
func (t *tokens) get(ctx context.Context) (string, error) {
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return "", &authError{defaultRetry, "gave up waiting for an access token"}
	}
	defer func() { <-t.lock }()
	if t.token != "" && t.now().Add(refreshMargin).Before(t.expires) {
		return t.token, nil
	}
	tok, exp, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	t.token, t.expires = tok, exp
	return tok, nil
}

// invalidate drops the cached token if it is still bad (FCM answered 401
// to it), so the next get fetches a new one.
func (t *tokens) invalidate(bad string) {
	t.lock <- struct{}{}
	if t.token == bad {
		t.token = ""
	}
	<-t.lock
}

func (t *tokens) fetch(ctx context.Context) (string, time.Time, error) {
	now := t.now()
	jwt, err := t.creds.assertion(now)
	if err != nil {
		return "", time.Time{}, &authError{authRetry, err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	form := url.Values{"grant_type": {jwtBearer}, "assertion": {jwt}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.creds.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, &authError{authRetry, "cannot build the token request"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := t.client.Do(req)
	if err != nil {
		return "", time.Time{}, &authError{defaultRetry, "Google's token endpoint did not answer: " + unwrapURLError(err).Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var v struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		TokenType   string `json:"token_type"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.Unmarshal(body, &v)
	switch {
	case resp.StatusCode == http.StatusOK && v.AccessToken != "" && strings.EqualFold(v.TokenType, "Bearer"):
		exp := now.Add(time.Duration(max(v.ExpiresIn, 60)) * time.Second)
		return v.AccessToken, exp, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", time.Time{}, &authError{retryAfter(resp.Header.Get("Retry-After"), time.Now()),
			fmt.Sprintf("Google's token endpoint is unavailable (HTTP %d)", resp.StatusCode)}
	case v.Error != "":
		// invalid_grant and the like: a deleted key, a disabled account,
		// a clock far off. The user must act; the host pauses.
		return "", time.Time{}, &authError{authRetry, "Google refused the service account key: " + v.Error + ": " + clip(oneLine(v.Description), 200)}
	default:
		return "", time.Time{}, &authError{authRetry, fmt.Sprintf("Google's token endpoint answered HTTP %d without a token", resp.StatusCode)}
	}
}
