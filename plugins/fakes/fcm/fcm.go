// Package fcm is a strict fake of Firebase Cloud Messaging (HTTP v1) and of
// the Google OAuth 2.0 token endpoint that service accounts use, for tests.
//
// One httptest server (http, loopback) serves both:
//
//	POST {URL}/token                                  the OAuth token endpoint
//	POST {URL}/v1/projects/{project}/messages:send    FCM's send endpoint
//
// ServiceAccountJSON returns a key file like the one the Google Cloud
// console downloads, whose token_uri is {URL}/token, so a client under test
// needs only that file and the base URL.
//
// The token endpoint checks the signed JWT assertion as Google documents it
// ("Using OAuth 2.0 for Server to Server Applications"): RS256 over
// base64url(header).base64url(claims) with the public key of the key id,
// iss = the service account's e-mail, aud = the token URI, a scope, iat and
// exp at most one hour apart, not expired and not issued in the future. The
// send endpoint checks the bearer token, the project, the message's shape
// and FCM's rules, and answers with FCM's documented JSON (google.rpc.Status
// with a google.firebase.fcm.v1.FcmError detail). The verification code here
// is written from the documentation, not taken from the plugin.
package fcm

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Scope is the OAuth scope FCM's send endpoint requires (cloud-platform is
// accepted too, as by Google).
const Scope = "https://www.googleapis.com/auth/firebase.messaging"

const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// Error codes of FcmError details, as in FCM's ErrorCode reference.
const (
	Unregistered        = "UNREGISTERED"
	InvalidArgument     = "INVALID_ARGUMENT"
	SenderIDMismatch    = "SENDER_ID_MISMATCH"
	QuotaExceeded       = "QUOTA_EXCEEDED"
	Unavailable         = "UNAVAILABLE"
	Internal            = "INTERNAL"
	ThirdPartyAuthError = "THIRD_PARTY_AUTH_ERROR"
)

// AccessTokenLifetime is the expires_in the token endpoint answers.
const AccessTokenLifetime = 3599 * time.Second

// Skew is how far iat may lie in the future, and exp in the past, before
// an assertion is refused.
const Skew = 5 * time.Minute

// Sent is one message FCM accepted.
type Sent struct {
	Name  string // projects/{p}/messages/{id}, as answered
	Token string
	Title string
	Body  string
	Data  map[string]string
	// AndroidPriority and AndroidTTL are message.android.priority and .ttl
	// as sent ("" when absent); APNsHeaders and WebpushHeaders the headers.
	AndroidPriority string
	AndroidTTL      string
	APNsHeaders     map[string]string
	WebpushHeaders  map[string]string
	AnalyticsLabel  string
	At              time.Time
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of both endpoints (http://127.0.0.1:port).
	URL string
	// ProjectID, ClientEmail and KeyID describe the service account it
	// accepts.
	ProjectID   string
	ClientEmail string
	KeyID       string

	key *rsa.PrivateKey
	srv *httptest.Server
	now func() time.Time

	mu           sync.Mutex
	keys         map[string]*rsa.PublicKey // key id -> public key
	tokens       map[string]issued         // access token -> grant
	sent         []Sent
	tokenFaults  map[string]string // device token -> FcmError code
	quota        int               // next sends answered 429
	quotaAfter   time.Duration
	unavailable  int // next sends answered 503
	internal     int // next sends answered 500
	slow         time.Duration
	tokenCalls   int
	sendCalls    int
	lastAuthErrs []string
	seq          int
}

type issued struct {
	scopes  []string
	expires time.Time
}

// Option configures New.
type Option func(*Server)

// WithProject sets the Firebase project id ("marketbench-test" by default).
func WithProject(id string) Option { return func(s *Server) { s.ProjectID = id } }

// WithKey makes the service account's key pair key instead of a generated
// one (generating a 2048-bit key takes a moment; tests may share one).
func WithKey(key *rsa.PrivateKey) Option { return func(s *Server) { s.key = key } }

// WithClock replaces the server's clock (time.Now by default), for tests of
// expiry rules.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

var (
	defaultKeyOnce sync.Once
	defaultKey     *rsa.PrivateKey
)

// sharedKey is one generated key for every server without WithKey in this
// process; each server still has its own key id.
func sharedKey() *rsa.PrivateKey {
	defaultKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		defaultKey = k
	})
	return defaultKey
}

// New starts a fake that stops when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{ProjectID: "marketbench-test", now: time.Now, tokens: map[string]issued{}, tokenFaults: map[string]string{}}
	for _, o := range opts {
		o(s)
	}
	if s.key == nil {
		s.key = sharedKey()
	}
	s.KeyID = randomHex(20)
	s.ClientEmail = "marketbench-sender@" + s.ProjectID + ".iam.gserviceaccount.com"
	s.keys = map[string]*rsa.PublicKey{s.KeyID: &s.key.PublicKey}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", s.serveToken)
	mux.HandleFunc("/v1/", s.serveSend)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// TokenURI is the token endpoint, the key file's token_uri.
func (s *Server) TokenURI() string { return s.URL + "/token" }

// ServiceAccountJSON is a service-account key file for this server: type,
// project_id, private_key_id, private_key (PKCS#8 PEM), client_email,
// client_id, auth_uri, token_uri and the certificate URLs, as Google
// writes them.
func (s *Server) ServiceAccountJSON() string {
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		panic(err)
	}
	b, _ := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  s.ProjectID,
		"private_key_id":              s.KeyID,
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                s.ClientEmail,
		"client_id":                   "104729104729104729104",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   s.TokenURI(),
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"client_x509_cert_url":        "https://www.googleapis.com/robot/v1/metadata/x509/" + strings.ReplaceAll(s.ClientEmail, "@", "%40"),
		"universe_domain":             "googleapis.com",
	}, "", "  ")
	return string(b)
}

// Sent returns the messages accepted so far (validate_only sends are not
// recorded).
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Unregister makes sends to these device tokens fail with UNREGISTERED
// (404), as for an uninstalled app.
func (s *Server) Unregister(tokens ...string) {
	for _, t := range tokens {
		s.FailToken(t, Unregistered)
	}
}

// FailToken makes sends to token fail with an FCM error code:
// Unregistered, InvalidArgument (an invalid registration token),
// SenderIDMismatch or ThirdPartyAuthError.
func (s *Server) FailToken(token, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenFaults[token] = code
}

// QuotaExceeded answers the next n sends with 429 QUOTA_EXCEEDED, with a
// Retry-After header of retryAfter (none when 0).
func (s *Server) QuotaExceeded(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota, s.quotaAfter = n, retryAfter
}

// Unavailable answers the next n sends with 503 UNAVAILABLE.
func (s *Server) Unavailable(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unavailable = n
}

// InternalError answers the next n sends with 500 INTERNAL.
func (s *Server) InternalError(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.internal = n
}

// ExpireTokens makes every access token issued so far invalid now, as if
// an hour had passed: the next send with one is answered 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// RevokeKey deletes the service account's key: token requests signed with
// it are refused (invalid_grant) from now on. Access tokens already issued
// stay valid until they expire, as at Google.
func (s *Server) RevokeKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, s.KeyID)
}

// Slow delays every send answer by d (0 restores).
func (s *Server) Slow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow = d
}

// TokenRequests is how many requests reached the token endpoint.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

// SendRequests is how many requests reached the send endpoint.
func (s *Server) SendRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendCalls
}

// TokenErrors lists the error_description of every refused token request,
// oldest first (for tests that check why).
func (s *Server) TokenErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lastAuthErrs...)
}

// DeviceToken returns a registration token of the shape FCM issues (an
// instance id, a colon, "APA91b" and about 140 base64url characters),
// derived from seed so tests can name their devices.
func DeviceToken(seed string) string {
	var b strings.Builder
	sum := sha256.Sum256([]byte(seed))
	for b.Len() < 22+134 {
		b.WriteString(base64.RawURLEncoding.EncodeToString(sum[:]))
		sum = sha256.Sum256(sum[:])
	}
	s := b.String()
	return s[:22] + ":APA91b" + s[22:22+134]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
