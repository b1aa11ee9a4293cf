// Package twilio is a strict fake of Twilio's Programmable Messaging REST
// API (api.twilio.com/2010-04-01) for tests: the Messages resource (create
// and fetch) and the Account resource, behind HTTP Basic authentication
// checked exactly as Twilio documents it.
//
// Written from Twilio's documentation, not from any client:
//
//   - Authentication (docs: "Twilio API requests"; error 20003): HTTP Basic
//     with the Account SID as user name and the Auth Token as password, or
//     an API key SID (SK…) and its secret. The Account SID in the path must
//     be the account the credentials belong to. Anything else is 401 with
//     code 20003 "Authenticate".
//   - POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form encoded:
//     To (E.164, else 21211), Body (required here: 21602, or 21619 with a
//     Messaging Service; at most 1,600
//     characters, 21617), From or MessagingServiceSid (21603 when neither;
//     both are allowed, as error 21603's page says), optional
//     StatusCallback. Success is 201 with the Message resource: sid SM…,
//     status "queued" ("accepted" with a Messaging Service).
//   - GET …/Messages/{Sid}.json: the Message resource, with the status and
//     error_code a test set (SetStatus); 404 code 20404 for an unknown sid.
//   - GET /2010-04-01/Accounts/{AccountSid}.json: the Account resource.
//   - GET …/Messages.json: one page of the account's messages (PageSize).
//   - Errors are JSON {code, message, more_info, status} (docs: "Debugging
//     calls to the REST API").
//
// Faults a test can inject: the next N requests throttled (429, code 20429,
// optionally with Retry-After), the next N answered 500 (code 20500),
// numbers refused with a documented code (21211 invalid, 21610
// unsubscribed, 21614 not a mobile, 21408 region not enabled, 21612 not
// routable, 21608 unverified on a trial account), a slow answer, and a
// rotated Auth Token.
package twilio

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// Test credentials the server accepts unless options change them. They
// have Twilio's shapes (AC/SK/MG and 32 hex digits).
const (
	AccountSID          = "AC0123456789abcdef0123456789abcdef"
	AuthToken           = "f4k3-auth-token-0123456789abcdef"
	APIKeySID           = "SKfedcba9876543210fedcba9876543210"
	APIKeySecret        = "f4k3-api-key-secret-0123456789ab"
	MessagingServiceSID = "MG00112233445566778899aabbccddeeff"
	// Sender is the phone number the account owns by default.
	Sender = "+15005550006"
)

// Sent is one message the server accepted.
type Sent struct {
	SID                 string
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	StatusCallback      string
	// Auth is the user name the request authenticated with (the Account
	// SID or the API key SID).
	Auth string
	At   time.Time
}

// Server is a running fake. Its methods are safe to call from any
// goroutine.
type Server struct {
	// URL is the base address to use instead of https://api.twilio.com.
	URL string

	mu         sync.Mutex
	account    string
	token      string
	keySID     string
	keySecret  string
	services   []string
	senders    []string
	refused    map[string]int // To number -> error code
	throttle   int
	retryAfter time.Duration
	fail500    int
	slow       time.Duration
	sent       []Sent
	msgs       map[string]*message
	requests   int
}

// Option changes what a new server accepts.
type Option func(*Server)

// WithAccount sets the account's SID and Auth Token.
func WithAccount(sid, token string) Option {
	return func(s *Server) { s.account, s.token = sid, token }
}

// WithAPIKey sets the account's API key; an empty sid means no key.
func WithAPIKey(sid, secret string) Option {
	return func(s *Server) { s.keySID, s.keySecret = sid, secret }
}

// WithSenders sets the phone numbers, short codes and alphanumeric sender
// IDs the account may send From (default: Sender).
func WithSenders(from ...string) Option {
	return func(s *Server) { s.senders = from }
}

// New starts a fake on a loopback port; it stops when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	s := &Server{account: AccountSID, token: AuthToken, keySID: APIKeySID, keySecret: APIKeySecret,
		services: []string{MessagingServiceSID}, senders: []string{Sender},
		refused: map[string]int{}, msgs: map[string]*message{}}
	for _, o := range opts {
		o(s)
	}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Sent returns the messages accepted so far, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Requests is how many HTTP requests the server has answered.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Throttle answers the next n requests with 429 and code 20429; a
// retryAfter above zero is sent as a Retry-After header in seconds.
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, retryAfter
}

// Fail answers the next n requests with 500 and code 20500.
func (s *Server) Fail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail500 = n
}

// Slow delays every answer by d (0 turns it off).
func (s *Server) Slow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow = d
}

// SetAuthToken replaces the account's Auth Token, as rotating it in the
// Console does: the old one stops working at once.
func (s *Server) SetAuthToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Refuse makes messages to the E.164 numbers fail with a documented error
// code: 21211, 21408, 21608, 21610, 21612 or 21614.
func (s *Server) Refuse(code int, numbers ...string) {
	if _, ok := numberErrors[code]; !ok {
		panic(fmt.Sprintf("twilio fake: no refusal with code %d", code))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range numbers {
		s.refused[n] = code
	}
}

// InvalidNumbers refuses the numbers with 21211 (not a valid phone number).
func (s *Server) InvalidNumbers(numbers ...string) { s.Refuse(21211, numbers...) }

// Unsubscribed refuses the numbers with 21610 (the recipient replied STOP).
func (s *Server) Unsubscribed(numbers ...string) { s.Refuse(21610, numbers...) }

// SetStatus sets what fetching message sid answers: a status (queued,
// sent, delivered, undelivered, failed…) and, for failures, an error code
// (0 for none) and message. It reports whether the message exists.
func (s *Server) SetStatus(sid, status string, errorCode int, errorMessage string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgs[sid]
	if ok {
		m.Status, m.ErrorCode, m.ErrorMessage, m.updated = status, errorCode, errorMessage, time.Now().UTC()
	}
	return ok
}

// numberErrors are the refusals of a To number, with the HTTP status and
// message Twilio's error pages give.
var numberErrors = map[int]string{
	21211: "The 'To' number %s is not a valid phone number.",
	21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: %s.",
	21608: "The number %s is unverified. Trial accounts cannot send messages to unverified numbers; verify %[1]s at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers.",
	21610: "Attempt to send to unsubscribed recipient",
	21612: "The 'To' phone number: %s, is not currently reachable using the 'From' phone number via SMS.",
	21614: "'To' number %s is not a valid mobile number",
}

type message struct {
	Sid          string
	AccountSid   string
	To           string
	From         string
	Service      string
	Body         string
	Status       string
	ErrorCode    int
	ErrorMessage string
	created      time.Time
	updated      time.Time
}

var (
	accountRE = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)\.json$`)
	listRE    = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)
	fetchRE   = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$`)
	e164RE    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	serviceRE = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

// apiError writes Twilio's error shape.
func apiError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": msg, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ParseBasic reads an Authorization header of the Basic scheme (RFC 7617):
// "Basic " and the base64 of user-id ":" password. The user id cannot
// contain a colon; the password may.
func ParseBasic(header string) (user, pass string, ok bool) {
	scheme, cred, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", false
	}
	user, pass, found = strings.Cut(string(raw), ":")
	return user, pass, found
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// authenticate says who the request is (the user name) when its
// credentials are the account's and it addresses that account.
func (s *Server) authenticate(r *http.Request, pathAccount string) (string, bool) {
	user, pass, ok := ParseBasic(r.Header.Get("Authorization"))
	if !ok || pathAccount != s.account {
		return "", false
	}
	switch {
	case user == s.account && same(pass, s.token):
		return user, true
	case s.keySID != "" && user == s.keySID && same(pass, s.keySecret):
		return user, true
	}
	return "", false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	slow := s.slow
	s.mu.Unlock()
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
	}
	var pathAccount string
	route := ""
	var sid string
	switch p := r.URL.Path; {
	case accountRE.MatchString(p):
		pathAccount, route = accountRE.FindStringSubmatch(p)[1], "account"
	case listRE.MatchString(p):
		pathAccount, route = listRE.FindStringSubmatch(p)[1], "messages"
	case fetchRE.MatchString(p):
		m := fetchRE.FindStringSubmatch(p)
		pathAccount, sid, route = m[1], m[2], "message"
	default:
		apiError(w, http.StatusNotFound, 20404, fmt.Sprintf("The requested resource %s was not found", p))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user, ok := s.authenticate(r, pathAccount)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		apiError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if s.throttle > 0 {
		s.throttle--
		if s.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.retryAfter/time.Second)))
		}
		apiError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	}
	if s.fail500 > 0 {
		s.fail500--
		apiError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
		return
	}
	switch {
	case route == "account" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.accountJSON())
	case route == "messages" && r.Method == http.MethodPost:
		s.create(w, r, user)
	case route == "messages" && r.Method == http.MethodGet:
		s.list(w, r)
	case route == "message" && r.Method == http.MethodGet:
		m, ok := s.msgs[sid]
		if !ok {
			apiError(w, http.StatusNotFound, 20404, fmt.Sprintf("The requested resource %s was not found", r.URL.Path))
			return
		}
		writeJSON(w, http.StatusOK, m.json())
	default:
		apiError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
	}
}

func (s *Server) accountJSON() map[string]any {
	base := "/2010-04-01/Accounts/" + s.account
	return map[string]any{
		"sid": s.account, "owner_account_sid": s.account, "friendly_name": "Marketbench test account",
		"status": "active", "type": "Full", "date_created": "Tue, 01 Sep 2020 10:00:00 +0000",
		"date_updated": "Tue, 01 Sep 2020 10:00:00 +0000", "uri": base + ".json",
		"subresource_uris": map[string]string{"messages": base + "/Messages.json"},
	}
}

// create is POST …/Messages.json.
func (s *Server) create(w http.ResponseWriter, r *http.Request, user string) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		// Twilio reads parameters from a form body only; anything else
		// arrives without a To.
		apiError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	}
	if err := r.ParseForm(); err != nil {
		apiError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
		return
	}
	f := r.PostForm
	to, from, service, body := f.Get("To"), f.Get("From"), f.Get("MessagingServiceSid"), f.Get("Body")
	switch {
	case to == "":
		apiError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case !e164RE.MatchString(to):
		apiError(w, http.StatusBadRequest, 21211, fmt.Sprintf(numberErrors[21211], to))
		return
	case from == "" && service == "":
		apiError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
		return
	case service != "" && (!serviceRE.MatchString(service) || !slices.Contains(s.services, service)):
		apiError(w, http.StatusBadRequest, 21705, "The Messaging Service is invalid")
		return
	case from != "" && !slices.Contains(s.senders, from):
		apiError(w, http.StatusBadRequest, 21606, fmt.Sprintf("The From phone number %s is not a valid, SMS-capable inbound phone number or short code for your account.", from))
		return
	case body == "" && service != "":
		apiError(w, http.StatusBadRequest, 21619, "A Message Body, Media URL or Content SID is required")
		return
	case body == "":
		apiError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case len(utf16.Encode([]rune(body))) > 1600:
		apiError(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	}
	if cb := f.Get("StatusCallback"); cb != "" && !strings.HasPrefix(cb, "http://") && !strings.HasPrefix(cb, "https://") {
		apiError(w, http.StatusBadRequest, 21609, "Invalid StatusCallback URL")
		return
	}
	if code, ok := s.refused[to]; ok {
		msg := numberErrors[code]
		if strings.Contains(msg, "%") {
			msg = fmt.Sprintf(msg, to)
		}
		apiError(w, http.StatusBadRequest, code, msg)
		return
	}
	now := time.Now().UTC()
	m := &message{Sid: fmt.Sprintf("SM%032x", len(s.msgs)+1), AccountSid: s.account, To: to, From: from, Service: service,
		Body: body, Status: "queued", created: now, updated: now}
	if service != "" {
		m.Status = "accepted"
	}
	s.msgs[m.Sid] = m
	s.sent = append(s.sent, Sent{SID: m.Sid, To: to, From: from, MessagingServiceSID: service, Body: body,
		StatusCallback: f.Get("StatusCallback"), Auth: user, At: now})
	writeJSON(w, http.StatusCreated, m.json())
}

// list is GET …/Messages.json: the newest PageSize messages.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	size := 50
	if n, err := strconv.Atoi(r.URL.Query().Get("PageSize")); err == nil && n > 0 && n <= 1000 {
		size = n
	}
	out := []map[string]any{}
	for i := len(s.sent) - 1; i >= 0 && len(out) < size; i-- {
		out = append(out, s.msgs[s.sent[i].SID].json())
	}
	uri := r.URL.Path + "?PageSize=" + strconv.Itoa(size) + "&Page=0"
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "page": 0, "page_size": size, "start": 0, "end": max(0, len(out)-1),
		"uri": uri, "first_page_uri": uri, "next_page_uri": nil, "previous_page_uri": nil})
}

func (m *message) json() map[string]any {
	uri := "/2010-04-01/Accounts/" + m.AccountSid + "/Messages/" + m.Sid
	var from, service, code, errMsg any
	if m.From != "" {
		from = m.From
	}
	if m.Service != "" {
		service = m.Service
	}
	if m.ErrorCode != 0 {
		code = m.ErrorCode
	}
	if m.ErrorMessage != "" {
		errMsg = m.ErrorMessage
	}
	var sent any
	if m.Status == "sent" || m.Status == "delivered" || m.Status == "undelivered" {
		sent = m.updated.Format(time.RFC1123Z)
	}
	units := len(utf16.Encode([]rune(m.Body)))
	segs := 1
	if units > 160 {
		segs = (units + 152) / 153
	}
	return map[string]any{
		"sid": m.Sid, "account_sid": m.AccountSid, "api_version": "2010-04-01", "body": m.Body,
		"date_created": m.created.Format(time.RFC1123Z), "date_updated": m.updated.Format(time.RFC1123Z), "date_sent": sent,
		"direction": "outbound-api", "error_code": code, "error_message": errMsg, "from": from, "to": m.To,
		"messaging_service_sid": service, "num_media": "0", "num_segments": strconv.Itoa(segs), "price": nil, "price_unit": "USD",
		"status": m.Status, "uri": uri + ".json", "subresource_uris": map[string]string{"media": uri + "/Media.json"},
	}
}
