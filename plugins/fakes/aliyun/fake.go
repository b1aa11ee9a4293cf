// Package aliyun is a strict fake of Alibaba Cloud SMS (Dysmsapi, API
// version 2017-05-25) for tests: an httptest server that checks each
// request's signature exactly as Alibaba Cloud documents it (RPC signature
// method V2, HMAC-SHA1; see sign.go), its timestamp (at most 15 minutes
// off) and nonce (never reused), the required parameters, and answers in
// the documented JSON shapes: SendSms, QuerySendDetails, QuerySmsSign and
// QuerySmsTemplate.
//
// Faults can be injected: throttling (isv.BUSINESS_LIMIT_CONTROL), any
// business error code, illegal numbers, HTTP 500s, slow answers, a skewed
// clock. Accepted messages are recorded (Sent) and have a delivery receipt
// each (delivered unless SetReceipt says otherwise).
package aliyun

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults the server accepts unless options say otherwise.
const (
	DefaultAccessKeyID     = "LTAI5tFakeAccessKeyId"
	DefaultAccessKeySecret = "fake-access-key-secret"
	DefaultSignName        = "阿里云短信测试"
	DefaultTemplateCode    = "SMS_154950909"
	DefaultTemplateText    = "您好${name}，您的会员积分${points}即将过期。拒收请回复R"
)

// China is Alibaba Cloud's clock for send dates (UTC+8).
var China = time.FixedZone("CST", 8*3600)

// Sent is one message the fake accepted.
type Sent struct {
	// Phone is PhoneNumbers as sent (one number; a list is recorded as one
	// Sent per number).
	Phone        string
	SignName     string
	TemplateCode string
	Params       map[string]string
	OutID        string
	BizID        string
	At           time.Time
}

// Receipt statuses (SendStatus) of QuerySendDetails.
const (
	StatusWaiting   = 1
	StatusFailed    = 2
	StatusDelivered = 3
)

type receipt struct {
	status  int
	errCode string
}

// Server is the fake. Its fields are fixed once New returns; use the
// methods to change its behaviour while a test runs.
type Server struct {
	URL             string // http://127.0.0.1:port/
	AccessKeyID     string
	AccessKeySecret string

	mu        sync.Mutex
	srv       *httptest.Server
	signs     []string
	templates map[string]string // code → content
	now       func() time.Time
	nonces    map[string]time.Time
	sent      []Sent
	receipts  map[string]receipt
	illegal   map[string]bool
	failNext  []bizError
	http500   int
	delay     time.Duration
	delayN    int
	requests  map[string]int
	seq       int
}

type bizError struct{ code, message string }

// Option configures New.
type Option func(*Server)

// WithCredentials sets the AccessKey pair the fake accepts.
func WithCredentials(id, secret string) Option {
	return func(s *Server) { s.AccessKeyID, s.AccessKeySecret = id, secret }
}

// WithSigns sets the approved sign names (replacing DefaultSignName).
func WithSigns(names ...string) Option {
	return func(s *Server) { s.signs = names }
}

// WithTemplate adds an approved template; content uses ${name} variables.
// DefaultTemplateCode is approved unless WithoutDefaultTemplate is given.
func WithTemplate(code, content string) Option {
	return func(s *Server) { s.templates[code] = content }
}

// WithoutDefaultTemplate removes DefaultTemplateCode.
func WithoutDefaultTemplate() Option {
	return func(s *Server) { delete(s.templates, DefaultTemplateCode) }
}

// New starts a fake on loopback; it stops when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	s := &Server{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret,
		signs: []string{DefaultSignName}, templates: map[string]string{DefaultTemplateCode: DefaultTemplateText},
		now: time.Now, nonces: map[string]time.Time{}, receipts: map[string]receipt{}, illegal: map[string]bool{},
		requests: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/"
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server early (to test an unreachable endpoint).
func (s *Server) Close() { s.srv.Close() }

// Sent returns the accepted messages, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Requests says how many requests of an Action arrived (signed or not).
func (s *Server) Requests(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[action]
}

// ThrottleNext answers the next n SendSms calls that pass authentication
// with isv.BUSINESS_LIMIT_CONTROL; level is "minute", "hour" or "day" (the
// documented messages 触发分钟级流控Permits:1, 触发小时级流控Permits:5,
// 触发天级流控Permits:10).
func (s *Server) ThrottleNext(n int, level string) {
	msg := map[string]string{"minute": "触发分钟级流控Permits:1", "hour": "触发小时级流控Permits:5", "day": "触发天级流控Permits:10"}[level]
	if msg == "" {
		msg = "触发业务流控"
	}
	s.FailNext(n, "isv.BUSINESS_LIMIT_CONTROL", msg)
}

// FailNext answers the next n SendSms calls that pass authentication with
// a business error: HTTP 200 and {"Code": code, "Message": message}.
func (s *Server) FailNext(n int, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, bizError{code, message})
	}
}

// IllegalNumbers makes SendSms answer isv.MOBILE_NUMBER_ILLEGAL for these
// numbers (as sent in PhoneNumbers), on top of the format check.
func (s *Server) IllegalNumbers(numbers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range numbers {
		s.illegal[n] = true
	}
}

// Error500Next answers the next n requests with HTTP 500 (after
// authentication, so nothing is sent).
func (s *Server) Error500Next(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.http500 += n
}

// SlowNext delays the next n answers by d. A SendSms that is slow is still
// accepted: the client's timeout leaves its fate unknown, as in life.
func (s *Server) SlowNext(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay, s.delayN = d, n
}

// SetClock replaces the server's clock (to make the client's timestamps
// look expired, or to move receipts' dates).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetReceipt sets the delivery receipt of a BizId: StatusWaiting,
// StatusFailed (with an error code such as "MK:0001") or StatusDelivered.
func (s *Server) SetReceipt(bizID string, status int, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.receipts[bizID] = receipt{status, errCode}
}

// answer writes Alibaba Cloud's JSON.
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// gatewayError is the documented shape of a request the API gateway
// refuses (signature, timestamp, nonce, key, missing parameter).
func (s *Server) gatewayError(w http.ResponseWriter, status int, code, message string) {
	answer(w, status, map[string]string{"RequestId": s.requestID(), "Code": code, "Message": message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code + "&product=Dysmsapi", "HostId": "dysmsapi.aliyuncs.com"})
}

func (s *Server) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("F655A8D5-B967-440B-8683-%012X", s.seq)
}

// params collects the request's parameters: the query, and for a POST the
// form body too (the documentation signs all of them together).
func params(r *http.Request) (url.Values, error) {
	v := r.URL.Query()
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "" && ct != "application/x-www-form-urlencoded" {
			return nil, fmt.Errorf("content type %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, vs := range r.PostForm {
			v[k] = append(v[k], vs...)
		}
	}
	return v, nil
}

var common = []string{"AccessKeyId", "Action", "Signature", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version"}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		s.gatewayError(w, http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "This http method is not supported.")
		return
	}
	p, err := params(r)
	if err != nil {
		s.gatewayError(w, http.StatusBadRequest, "InvalidParameter", "The request body cannot be read: "+err.Error())
		return
	}
	s.mu.Lock()
	s.requests[p.Get("Action")]++
	delay := time.Duration(0)
	if s.delayN > 0 {
		s.delayN--
		delay = s.delay
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	for _, name := range common {
		if p.Get(name) == "" {
			s.gatewayError(w, http.StatusBadRequest, "MissingParameter", fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name))
			return
		}
	}
	for name, vs := range p {
		if len(vs) > 1 {
			s.gatewayError(w, http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("The parameter %q is given %d times.", name, len(vs)))
			return
		}
	}
	switch {
	case p.Get("SignatureMethod") != "HMAC-SHA1":
		s.gatewayError(w, http.StatusBadRequest, "InvalidSignatureMethod", "Specified signature method is not valid.")
		return
	case p.Get("SignatureVersion") != "1.0":
		s.gatewayError(w, http.StatusBadRequest, "UnsupportedSignatureVersion", "Specified signature version is not supported.")
		return
	case p.Get("Version") != "2017-05-25":
		s.gatewayError(w, http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
		return
	case p.Get("Format") != "" && !strings.EqualFold(p.Get("Format"), "JSON"):
		s.gatewayError(w, http.StatusBadRequest, "InvalidParameter", "This fake answers only Format=JSON.")
		return
	case p.Get("AccessKeyId") != s.AccessKeyID:
		s.gatewayError(w, http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp"))
	if err != nil {
		s.gatewayError(w, http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
		return
	}
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	if d := now.Sub(ts); d > 15*time.Minute || d < -15*time.Minute {
		s.gatewayError(w, http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		return
	}
	sts := StringToSign(r.Method, p)
	if want := Sign(s.AccessKeySecret, sts); !hmac.Equal([]byte(want), []byte(p.Get("Signature"))) {
		s.gatewayError(w, http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:"+sts)
		return
	}
	s.mu.Lock()
	for n, at := range s.nonces {
		if now.Sub(at) > 15*time.Minute {
			delete(s.nonces, n)
		}
	}
	_, used := s.nonces[p.Get("SignatureNonce")]
	s.nonces[p.Get("SignatureNonce")] = now
	fail500 := s.http500 > 0
	if fail500 {
		s.http500--
	}
	s.mu.Unlock()
	if used {
		s.gatewayError(w, http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return
	}
	if fail500 {
		s.gatewayError(w, http.StatusInternalServerError, "InternalError", "The request processing has failed due to some unknown error, exception or failure.")
		return
	}
	switch p.Get("RegionId") {
	case "", "cn-hangzhou", "ap-southeast-1", "cn-beijing", "cn-shanghai", "cn-shenzhen", "cn-qingdao", "cn-zhangjiakou", "cn-huhehaote", "cn-chengdu", "cn-hongkong":
	default:
		s.gatewayError(w, http.StatusBadRequest, "InvalidRegionId", "The specified region does not exist.")
		return
	}
	switch p.Get("Action") {
	case "SendSms":
		s.sendSms(w, p, now)
	case "QuerySendDetails":
		s.querySendDetails(w, p, now)
	case "QuerySmsSign":
		s.querySmsSign(w, p)
	case "QuerySmsTemplate":
		s.querySmsTemplate(w, p)
	default:
		s.gatewayError(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
}
