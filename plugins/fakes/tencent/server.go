// Package tencent is a strict fake of Tencent Cloud SMS (API 3.0, version
// 2021-01-11) for tests: SendSms, PullSmsSendStatus and
// SmsPackagesStatistics over POST JSON, each request's TC3-HMAC-SHA256
// signature verified as Tencent documents it (see tc3.go), the documented
// parameters required and checked, and answers in Tencent's shapes:
//
//	{"Response": {"SendStatusSet": [...], "RequestId": "…"}}
//	{"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "…"}, "RequestId": "…"}}
//
// Start one with New; point a client at Server.URL and sign with
// Server.SecretID / Server.SecretKey. Faults are switched on per test:
// Throttle, ErrorNext, FailHTTP, Slow, NumberCode (invalid, blacklisted,
// rate-limited numbers), SetClock (an expired timestamp), and an unknown
// TemplateId or SignName is answered as not approved.
package tencent

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Version is the SMS API version the fake serves.
const Version = "2021-01-11"

// Documented per-number and request error codes the fake answers with.
const (
	CodeOk                    = "Ok"
	CodeIncorrectPhoneNumber  = "InvalidParameterValue.IncorrectPhoneNumber"
	CodeBlacklist             = "FailedOperation.PhoneNumberInBlacklist"
	CodeNumberDailyLimit      = "LimitExceeded.PhoneNumberDailyLimit"
	CodeNumberOneHourLimit    = "LimitExceeded.PhoneNumberOneHourLimit"
	CodeNumberThirtySecLimit  = "LimitExceeded.PhoneNumberThirtySecondLimit"
	CodeAppDailyLimit         = "LimitExceeded.AppDailyLimit"
	CodeTemplateUnapproved    = "FailedOperation.TemplateIncorrectOrUnapproved"
	CodeSignatureUnapproved   = "FailedOperation.SignatureIncorrectOrUnapproved"
	CodeParamFormat           = "InvalidParameterValue.TemplateParameterFormatError"
	CodeParamLength           = "InvalidParameterValue.TemplateParameterLengthLimit"
	CodeURLInParam            = "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter"
	CodeContentLength         = "InvalidParameterValue.ContentLengthLimit"
	CodeInsufficientBalance   = "FailedOperation.InsufficientBalanceInSmsPackage"
	CodeRequestLimitExceeded  = "RequestLimitExceeded"
	CodeInternalTimeout       = "InternalError.Timeout"
	CodeSdkAppIDVerifyFail    = "UnauthorizedOperation.SmsSdkAppIdVerifyFail"
	CodeMarketingSendTimeRule = "FailedOperation.MarketingSendTimeConstraint"
)

// messages are the fake's descriptions of the codes (Tencent's wording is
// not reproduced; the codes are what clients act on).
var messages = map[string]string{
	CodeOk:                    "send success",
	CodeIncorrectPhoneNumber:  "incorrect phone number",
	CodeBlacklist:             "the phone number is in the blacklist (unsubscribed or blocked by the carrier)",
	CodeNumberDailyLimit:      "the number of messages sent to this number today exceeds the limit",
	CodeNumberOneHourLimit:    "the number of messages sent to this number within one hour exceeds the limit",
	CodeNumberThirtySecLimit:  "the number of messages sent to this number within 30 seconds exceeds the limit",
	CodeAppDailyLimit:         "the number of messages the application sent today exceeds the limit",
	CodeTemplateUnapproved:    "the template is not approved or the request does not match the approved template",
	CodeSignatureUnapproved:   "the signature is not approved or its format is incorrect",
	CodeParamFormat:           "a verification code template parameter may only be 0 to 6 digits",
	CodeParamLength:           "a template parameter is longer than 12 characters",
	CodeURLInParam:            "template parameters must not contain URLs",
	CodeContentLength:         "the message is longer than 500 characters",
	CodeInsufficientBalance:   "insufficient balance in the SMS package",
	CodeRequestLimitExceeded:  "Your current request times equals to `3000` in a second, which exceeds the frequency limit `3000` for a second. Please reduce the frequency of calls.",
	CodeInternalTimeout:       "the request to deliver the message timed out",
	CodeSdkAppIDVerifyFail:    "the SmsSdkAppId does not belong to the account of the SecretId",
	CodeMarketingSendTimeRule: "marketing messages may only be sent between 8:00 and 22:00",
}

// regions are the API regions the fake accepts in X-TC-Region.
var regions = map[string]bool{"ap-guangzhou": true, "ap-beijing": true, "ap-nanjing": true}

// Sent is one message the fake accepted.
type Sent struct {
	Phone          string   // E.164, as sent
	SignName       string   // "" when none was sent
	TemplateID     string   // TemplateId
	Params         []string // TemplateParamSet, in order
	SessionContext string
	SerialNo       string
	// Text is the approved template's content with the parameters put in,
	// after the signature as 【sign】; "" when the template was registered
	// without content.
	Text string
	Fee  int
	At   time.Time
}

// Report is one delivery receipt waiting to be pulled.
type Report struct {
	SerialNo    string
	Phone       string
	Delivered   bool
	Description string // e.g. DELIVRD, or the carrier's failure code
	At          time.Time
	Session     string
}

type template struct {
	content      string
	verification bool
}

type apiError struct{ Code, Message string }

// Server is a running fake. Its exported fields are what a client needs.
type Server struct {
	URL       string // http://127.0.0.1:port, no trailing slash
	SecretID  string
	SecretKey string
	SdkAppID  string

	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	keys       map[string]string
	signs      map[string]bool
	templates  map[string]template
	individual bool
	autoReport bool
	now        func() time.Time
	numberCode map[string]string // E.164 → per-number code
	errorNext  []string          // request-level codes for the next requests
	failHTTP   int
	slow       time.Duration
	slowLeft   int
	sent       []Sent
	reports    []Report
	serial     int
	serialBase uint64 // keeps serial numbers apart across fakes in one test run
	requests   map[string]int
}

// Option configures New.
type Option func(*Server)

// WithCredentials sets the SecretId and SecretKey the fake accepts.
func WithCredentials(id, key string) Option {
	return func(s *Server) { s.SecretID, s.SecretKey = id, key }
}

// WithApp sets the SmsSdkAppId of the account.
func WithApp(sdkAppID string) Option { return func(s *Server) { s.SdkAppID = sdkAppID } }

// WithSign adds an approved signature (its content, e.g. 腾讯云).
func WithSign(name string) Option { return func(s *Server) { s.signs[name] = true } }

// WithTemplate adds an approved template: its content uses {1}, {2}…, and a
// request must give exactly as many parameters.
func WithTemplate(id, content string) Option {
	return func(s *Server) { s.templates[id] = template{content: content} }
}

// WithVerificationTemplate adds an approved verification-code template:
// its parameters may only be 0 to 6 digits.
func WithVerificationTemplate(id, content string) Option {
	return func(s *Server) { s.templates[id] = template{content: content, verification: true} }
}

// IndividualAccount makes the account individual-verified: a parameter may
// hold at most 12 characters.
func IndividualAccount() Option { return func(s *Server) { s.individual = true } }

// AutoReport queues a SUCCESS receipt (DELIVRD) for every accepted message.
func AutoReport() Option { return func(s *Server) { s.autoReport = true } }

// Default account, used unless options say otherwise.
const (
	DefaultSecretID   = "AKIDfakeTencentSms0000000000000000000"
	DefaultSecretKey  = "fakeTencentSmsSecretKey0000000000"
	DefaultSdkAppID   = "1400006666"
	DefaultSign       = "Marketbench"
	DefaultTemplateID = "100001"
	// DefaultTemplate is DefaultTemplateID's content.
	DefaultTemplate = "Hello {1}, {2}"
)

// New starts a fake on loopback, closed when the test ends. Without
// options it accepts DefaultSecretID/DefaultSecretKey, app
// DefaultSdkAppID, sign DefaultSign and template DefaultTemplateID; a
// WithSign or WithTemplate replaces the default sign or template.
func New(t testing.TB, opts ...Option) *Server {
	s := &Server{t: t, SecretID: DefaultSecretID, SecretKey: DefaultSecretKey, SdkAppID: DefaultSdkAppID,
		signs: map[string]bool{}, templates: map[string]template{}, now: time.Now,
		numberCode: map[string]string{}, requests: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	if len(s.signs) == 0 {
		s.signs[DefaultSign] = true
	}
	if len(s.templates) == 0 {
		s.templates[DefaultTemplateID] = template{content: DefaultTemplate}
	}
	s.keys = map[string]string{s.SecretID: s.SecretKey}
	var b [8]byte
	rand.Read(b[:])
	s.serialBase = binary.BigEndian.Uint64(b[:]) % 1e10
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Host is the server's host:port, as a client signs it.
func (s *Server) Host() string { return strings.TrimPrefix(s.URL, "http://") }

// Sent returns the accepted messages, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Requests says how many requests of an action arrived (signed or not).
func (s *Server) Requests(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[action]
}

// Throttle answers the next n requests with RequestLimitExceeded.
func (s *Server) Throttle(n int) { s.ErrorNext(n, CodeRequestLimitExceeded) }

// ErrorNext answers the next n correctly signed requests with a
// request-level error code (e.g. InternalError.Timeout,
// FailedOperation.InsufficientBalanceInSmsPackage).
func (s *Server) ErrorNext(n int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.errorNext = append(s.errorNext, code)
	}
}

// NumberCode makes every SendSms to phone (E.164) answer with code for
// that number, e.g. CodeIncorrectPhoneNumber, CodeBlacklist,
// CodeNumberDailyLimit; CodeOk clears it.
func (s *Server) NumberCode(phone, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == CodeOk {
		delete(s.numberCode, phone)
		return
	}
	s.numberCode[phone] = code
}

// FailHTTP answers the next n requests with HTTP 500 and no JSON.
func (s *Server) FailHTTP(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failHTTP += n
}

// Slow delays the answers to the next n requests by d (the request is
// still carried out: a client that gives up does not know its fate).
func (s *Server) Slow(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow, s.slowLeft = d, n
}

// SetClock replaces the server's clock (e.g. ten minutes ahead, so every
// request's timestamp has expired).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Report queues a delivery receipt for a SerialNo the fake returned;
// PullSmsSendStatus hands each receipt out once.
func (s *Server) Report(serialNo string, delivered bool, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent {
		if m.SerialNo == serialNo {
			s.reports = append(s.reports, Report{SerialNo: serialNo, Phone: m.Phone, Delivered: delivered,
				Description: description, At: s.now(), Session: m.SessionContext})
			return
		}
	}
	s.t.Errorf("tencent fake: Report of unknown SerialNo %q", serialNo)
}

// Pending is how many receipts wait to be pulled.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reports)
}

func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func writeJSON(w http.ResponseWriter, resp map[string]any) {
	resp["RequestId"] = requestID()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"Response": resp})
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, map[string]any{"Error": map[string]string{"Code": e.Code, "Message": e.Message}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	action := r.Header.Get("X-TC-Action")
	s.mu.Lock()
	s.requests[action]++
	failHTTP := s.failHTTP > 0
	if failHTTP {
		s.failHTTP--
	}
	var delay time.Duration
	if s.slowLeft > 0 {
		s.slowLeft--
		delay = s.slow
	}
	now := s.now()
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	if failHTTP {
		http.Error(w, "<html><body>500 Internal Server Error</body></html>", http.StatusInternalServerError)
		return
	}
	if e := s.check(r, body, action, now); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	var injected string
	if len(s.errorNext) > 0 {
		injected, s.errorNext = s.errorNext[0], s.errorNext[1:]
	}
	s.mu.Unlock()
	if injected != "" {
		writeError(w, &apiError{injected, cmpOr(messages[injected], "injected error")})
		return
	}
	params, e := parseBody(body, action)
	if e != nil {
		writeError(w, e)
		return
	}
	switch action {
	case "SendSms":
		s.sendSms(w, params, now)
	case "PullSmsSendStatus":
		s.pullSendStatus(w, params)
	case "SmsPackagesStatistics":
		s.packagesStatistics(w, params, now)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// check verifies the common parameters (headers) and the signature.
func (s *Server) check(r *http.Request, body []byte, action string, now time.Time) *apiError {
	if r.Method != http.MethodPost {
		return &apiError{"UnsupportedProtocol", "The fake only serves POST requests with a JSON body."}
	}
	if r.URL.Path != "/" {
		return &apiError{"InvalidRequest", "The request path must be /."}
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=utf-8" {
		return &apiError{"InvalidRequest", "Content-Type must be application/json for signature v3 requests."}
	}
	for _, h := range []string{"X-TC-Action", "X-TC-Version", "X-TC-Timestamp", "X-TC-Region"} {
		if r.Header.Get(h) == "" {
			return &apiError{"MissingParameter", fmt.Sprintf("The request is missing a required parameter `%s`.", strings.TrimPrefix(h, "X-TC-"))}
		}
	}
	switch action {
	case "SendSms", "PullSmsSendStatus", "SmsPackagesStatistics":
	default:
		return &apiError{"InvalidAction", fmt.Sprintf("The action `%s` is not found.", action)}
	}
	if v := r.Header.Get("X-TC-Version"); v != Version {
		return &apiError{"NoSuchVersion", fmt.Sprintf("The requested version `%s` of API `%s` does not exist.", v, action)}
	}
	if !regions[r.Header.Get("X-TC-Region")] {
		return &apiError{"UnsupportedRegion", fmt.Sprintf("The region `%s` is not supported by this API.", r.Header.Get("X-TC-Region"))}
	}
	s.mu.Lock()
	keys := s.keys
	s.mu.Unlock()
	return verify(r, body, func(id string) (string, bool) { k, ok := keys[id]; return k, ok }, "sms", now)
}

// fields are each action's documented parameters: name → required.
var fields = map[string]map[string]bool{
	"SendSms": {"PhoneNumberSet": true, "SmsSdkAppId": true, "TemplateId": true, "SignName": false,
		"TemplateParamSet": false, "ExtendCode": false, "SessionContext": false, "SenderId": false},
	"PullSmsSendStatus":     {"Limit": true, "SmsSdkAppId": true},
	"SmsPackagesStatistics": {"SmsSdkAppId": true, "Limit": true, "Offset": true, "BeginTime": true, "EndTime": true},
}

// body holds a request's parameters, each checked for its documented type.
type body struct {
	strs  map[string]string
	lists map[string][]string
	ints  map[string]int64
}

var listParams = map[string]bool{"PhoneNumberSet": true, "TemplateParamSet": true}
var intParams = map[string]bool{"Limit": true, "Offset": true}

func parseBody(b []byte, action string) (body, *apiError) {
	out := body{strs: map[string]string{}, lists: map[string][]string{}, ints: map[string]int64{}}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return out, &apiError{"InvalidParameter", "The request body is not a JSON object."}
	}
	known := fields[action]
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := raw[k]
		if _, ok := known[k]; !ok {
			return out, &apiError{"UnknownParameter", fmt.Sprintf("The parameter `%s` is not recognized.", k)}
		}
		var err error
		switch {
		case listParams[k]:
			var l []string
			err = json.Unmarshal(v, &l)
			out.lists[k] = l
		case intParams[k]:
			var n int64
			err = json.Unmarshal(v, &n)
			out.ints[k] = n
		default:
			var s string
			err = json.Unmarshal(v, &s)
			out.strs[k] = s
		}
		if err != nil {
			return out, &apiError{"InvalidParameter", fmt.Sprintf("The parameter `%s` has the wrong type.", k)}
		}
	}
	for k, req := range known {
		if _, has := raw[k]; req && !has {
			return out, &apiError{"MissingParameter", fmt.Sprintf("The request is missing a required parameter `%s`.", k)}
		}
	}
	return out, nil
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	cnMobile  = regexp.MustCompile(`^\+861[3-9][0-9]{9}$`)
	digits06  = regexp.MustCompile(`^[0-9]{0,6}$`)
	urlLike   = regexp.MustCompile(`(?i)(https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|org|io|me|cc|top)\b)`)
	placehold = regexp.MustCompile(`\{([0-9]+)\}`)
)

// normalise reads a number as SendSms documents it: E.164, or for
// mainland China also 0086…, 86… or 11 digits.
func normalise(p string) string {
	switch {
	case strings.HasPrefix(p, "+"):
		return p
	case strings.HasPrefix(p, "0086"):
		return "+" + p[2:]
	case len(p) == 13 && strings.HasPrefix(p, "86"):
		return "+" + p
	case len(p) == 11 && strings.HasPrefix(p, "1"):
		return "+86" + p
	}
	return p
}

func (s *Server) sendSms(w http.ResponseWriter, p body, now time.Time) {
	resp, e := s.accept(p, now)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, resp)
}

// accept carries out a SendSms: request-level errors, or one status per
// number (accepted messages are recorded).
func (s *Server) accept(p body, now time.Time) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	phones := p.lists["PhoneNumberSet"]
	switch {
	case len(phones) == 0:
		return nil, &apiError{"MissingParameter.EmptyPhoneNumberSet", "The phone number set is empty."}
	case len(phones) > 200:
		return nil, &apiError{"LimitExceeded.PhoneNumberCountLimit", "At most 200 phone numbers may be given in one request."}
	case p.strs["SmsSdkAppId"] != s.SdkAppID:
		return nil, &apiError{CodeSdkAppIDVerifyFail, messages[CodeSdkAppIDVerifyFail]}
	case len(p.strs["SessionContext"]) >= 512:
		return nil, &apiError{"InvalidParameterValue", "SessionContext must be shorter than 512 bytes."}
	}
	domestic, foreign := 0, 0
	for _, ph := range phones {
		if strings.HasPrefix(normalise(ph), "+86") {
			domestic++
		} else {
			foreign++
		}
	}
	if domestic > 0 && foreign > 0 {
		return nil, &apiError{"UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber", "The request mixes mainland China and international numbers."}
	}
	sign, tplID, params, session := p.strs["SignName"], p.strs["TemplateId"], p.lists["TemplateParamSet"], p.strs["SessionContext"]
	// Codes that apply to the whole request, reported for each number.
	common := s.contentCode(sign, tplID, params, domestic > 0)
	statuses := make([]map[string]any, 0, len(phones))
	for _, raw := range phones {
		ph := normalise(raw)
		code := common
		switch {
		case !e164.MatchString(ph) || (strings.HasPrefix(ph, "+86") && !cnMobile.MatchString(ph)):
			code = CodeIncorrectPhoneNumber
		case s.numberCode[ph] != "" && code == CodeOk:
			code = s.numberCode[ph]
		}
		st := map[string]any{"SerialNo": "", "PhoneNumber": ph, "Fee": 0, "SessionContext": session,
			"Code": code, "Message": messages[code], "IsoCode": isoCode(ph)}
		if code == CodeOk {
			s.serial++
			serial := fmt.Sprintf("2433:%010d%018d", s.serialBase, s.serial)
			text := render(s.templates[tplID].content, sign, params)
			fee := fee(text)
			st["SerialNo"], st["Fee"] = serial, fee
			s.sent = append(s.sent, Sent{Phone: ph, SignName: sign, TemplateID: tplID, Params: append([]string(nil), params...),
				SessionContext: session, SerialNo: serial, Text: text, Fee: fee, At: now})
			if s.autoReport {
				s.reports = append(s.reports, Report{SerialNo: serial, Phone: ph, Delivered: true, Description: "DELIVRD", At: now, Session: session})
			}
		}
		statuses = append(statuses, st)
	}
	return map[string]any{"SendStatusSet": statuses}, nil
}

// contentCode checks the sign, template and parameters; s.mu is held.
func (s *Server) contentCode(sign, tplID string, params []string, domestic bool) string {
	if (domestic && sign == "") || (sign != "" && !s.signs[sign]) {
		return CodeSignatureUnapproved
	}
	tpl, ok := s.templates[tplID]
	if !ok || (tpl.content != "" && len(placehold.FindAllString(tpl.content, -1)) != len(params)) {
		return CodeTemplateUnapproved
	}
	for _, v := range params {
		switch {
		case tpl.verification && !digits06.MatchString(v):
			return CodeParamFormat
		case s.individual && utf8.RuneCountInString(v) > 12:
			return CodeParamLength
		case urlLike.MatchString(v):
			return CodeURLInParam
		}
	}
	if utf8.RuneCountInString(render(tpl.content, sign, params)) > 500 {
		return CodeContentLength
	}
	return CodeOk
}

// render puts the parameters into a template's {n} and prefixes 【sign】.
func render(content, sign string, params []string) string {
	if content == "" {
		return ""
	}
	text := placehold.ReplaceAllStringFunc(content, func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		if n >= 1 && n <= len(params) {
			return params[n-1]
		}
		return m
	})
	if sign != "" {
		text = "【" + sign + "】" + text
	}
	return text
}

// fee counts billed parts as Tencent documents for mainland China: up to
// 70 characters (signature included) is one, longer messages 67 each.
func fee(text string) int {
	n := utf8.RuneCountInString(text)
	if n <= 70 {
		return 1
	}
	return (n + 66) / 67
}

func isoCode(ph string) string {
	switch {
	case strings.HasPrefix(ph, "+86"):
		return "CN"
	case strings.HasPrefix(ph, "+852"):
		return "HK"
	case strings.HasPrefix(ph, "+1"):
		return "US"
	case strings.HasPrefix(ph, "+44"):
		return "GB"
	}
	return "DEF"
}

func (s *Server) pullSendStatus(w http.ResponseWriter, p body) {
	limit := p.ints["Limit"]
	if limit < 1 || limit > 100 {
		writeError(w, &apiError{"InvalidParameterValue.LimitVerifyFail", "Limit must be between 1 and 100."})
		return
	}
	if p.strs["SmsSdkAppId"] != s.SdkAppID {
		writeError(w, &apiError{CodeSdkAppIDVerifyFail, messages[CodeSdkAppIDVerifyFail]})
		return
	}
	s.mu.Lock()
	n := min(int(limit), len(s.reports))
	batch := s.reports[:n]
	s.reports = append([]Report(nil), s.reports[n:]...)
	s.mu.Unlock()
	set := make([]map[string]any, 0, n)
	for _, rp := range batch {
		status := "FAIL"
		if rp.Delivered {
			status = "SUCCESS"
		}
		cc, sub := "86", strings.TrimPrefix(rp.Phone, "+86")
		if !strings.HasPrefix(rp.Phone, "+86") {
			cc, sub = "", strings.TrimPrefix(rp.Phone, "+")
		}
		set = append(set, map[string]any{"UserReceiveTime": rp.At.Unix(), "CountryCode": cc, "SubscriberNumber": sub,
			"PhoneNumber": rp.Phone, "SerialNo": rp.SerialNo, "ReportStatus": status, "Description": rp.Description,
			"SessionContext": rp.Session})
	}
	writeJSON(w, map[string]any{"PullSmsSendStatusSet": set})
}

// packagesStatistics answers with one gift package; BeginTime and EndTime
// are yyyymmddhh (China time), EndTime after BeginTime and before now.
func (s *Server) packagesStatistics(w http.ResponseWriter, p body, now time.Time) {
	cst := time.FixedZone("CST", 8*3600)
	begin, err1 := time.ParseInLocation("2006010215", p.strs["BeginTime"], cst)
	end, err2 := time.ParseInLocation("2006010215", p.strs["EndTime"], cst)
	switch {
	case p.strs["SmsSdkAppId"] != s.SdkAppID:
		writeError(w, &apiError{CodeSdkAppIDVerifyFail, messages[CodeSdkAppIDVerifyFail]})
	case err1 != nil:
		writeError(w, &apiError{"InvalidParameterValue.BeginTimeVerifyFail", "BeginTime must be yyyymmddhh."})
	case err2 != nil || !end.After(begin) || end.After(now):
		writeError(w, &apiError{"InvalidParameterValue.EndTimeVerifyFail", "EndTime must be yyyymmddhh, after BeginTime and before now."})
	case p.ints["Limit"] < 0 || p.ints["Offset"] < 0:
		writeError(w, &apiError{"InvalidParameterValue.LimitVerifyFail", "Limit and Offset must not be negative."})
	default:
		set := []map[string]any{}
		if p.ints["Limit"] > 0 && p.ints["Offset"] == 0 {
			set = append(set, map[string]any{"PackageCreateTime": begin.Unix(), "PackageEffectiveTime": begin.Unix(),
				"PackageExpiredTime": begin.AddDate(1, 0, 0).Unix(), "PackageAmount": 100, "PackageType": 0, "PackageId": 1001,
				"CurrentUsage": len(s.Sent())})
		}
		writeJSON(w, map[string]any{"SmsPackagesStatisticsSet": set})
	}
}
