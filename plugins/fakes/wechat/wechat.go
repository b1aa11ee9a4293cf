// Package wechat is a strict fake of the WeChat Official Account API
// (api.weixin.qq.com) for tests: the stable access token
// (POST /cgi-bin/stable_token), template messages
// (POST /cgi-bin/message/template/send) and the template list
// (GET /cgi-bin/template/get_all_private_template), written from WeChat's
// documentation, with switches to inject the failures WeChat documents.
//
// What it checks, as WeChat does: tokens are issued only for the right
// AppID and AppSecret (40013 invalid appid, 40125 invalid appsecret),
// expire (42001) and can be revoked (40001); every send carries a live
// access_token (41001 missing, 40014 malformed); the body is JSON of the
// documented shape (47001 otherwise — the fake also refuses fields the
// documentation does not list, to catch a client sending junk); the
// template is one of the account's (40037); the recipient is a well-formed
// openid (40003) that follows the account (43004 require subscribe); each
// of the template's keys has a value that meets the documented rule for
// its type (47003 argument invalid!); and client_msg_id de-duplicates a
// send to the same openid for 10 minutes, as documented. Errors carry
// WeChat's " rid: ..." suffix.
package wechat

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of New.
const (
	DefaultAppID  = "wx0123456789abcdef"
	DefaultSecret = "0123456789abcdef0123456789abcdef"
	// DefaultTemplate is a template the account has, with keys thing1,
	// time2 and character_string3.
	DefaultTemplate = "Tpl_member_points_expire_0000000000000001"
	// DedupWindow is how long client_msg_id de-duplicates (documented:
	// 10分钟有效).
	DedupWindow = 10 * time.Minute
)

// DefaultTemplateContent is DefaultTemplate's content.
const DefaultTemplateContent = "积分即将过期\n会员权益：{{thing1.DATA}}\n到期时间：{{time2.DATA}}\n会员编号：{{character_string3.DATA}}"

// Sent is one template message the fake accepted.
type Sent struct {
	MsgID       int64
	ToUser      string
	TemplateID  string
	URL         string
	MiniProgram *MiniProgram
	Data        map[string]string
	ClientMsgID string
}

// MiniProgram is the documented miniprogram object of a send.
type MiniProgram struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, to use in place of https://api.weixin.qq.com.
	URL string

	appID, secret string
	lifetime      time.Duration
	srv           *httptest.Server

	mu        sync.Mutex
	templates map[string]string // id -> content
	followers map[string]bool
	tokens    map[string]*token
	current   string // the stable token
	lastForce time.Time
	quota     int // accepted sends a day; 0 = none
	used      int
	nextID    int64
	sent      []Sent
	dedup     map[string]dedupEntry // touser + "\x00" + client_msg_id
	tokenReqs int
	sendReqs  int
	failSend  []int // errcodes for the next sends
	failToken []int // errcodes for the next token requests
	failHTTP  []httpFault
	delay     time.Duration
}

type token struct {
	appID   string
	expires time.Time
	revoked bool
}

type dedupEntry struct {
	at    time.Time
	msgID int64
}

type httpFault struct {
	status     int
	retryAfter string
}

// Option configures New.
type Option func(*Server)

// WithCredentials sets the AppID and AppSecret the fake accepts.
func WithCredentials(appID, secret string) Option {
	return func(s *Server) { s.appID, s.secret = appID, secret }
}

// WithTemplate adds a template to the account; content is as WeChat shows
// it, with a {{key.DATA}} placeholder per parameter.
func WithTemplate(id, content string) Option {
	return func(s *Server) { s.templates[id] = content }
}

// WithFollowers makes openids follow the account.
func WithFollowers(openids ...string) Option {
	return func(s *Server) { s.Follow(openids...) }
}

// WithTokenLifetime sets how long a token lives (WeChat: 7200 s); whole
// seconds, at least 1 s. In the last 1/24 of it (WeChat: the last 5
// minutes) the stable token endpoint hands out a new token.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *Server) { s.lifetime = max(time.Second, d.Truncate(time.Second)) }
}

// WithDailyQuota makes sends after the first n accepted ones of the day
// answer 45009 (WeChat: 100000 template messages a day).
func WithDailyQuota(n int) Option {
	return func(s *Server) { s.quota = n }
}

// New starts a fake on the loopback interface and stops it when the test
// ends. Without options it accepts DefaultAppID/DefaultSecret, has
// DefaultTemplate and no followers.
func New(t testing.TB, opts ...Option) *Server {
	s := &Server{appID: DefaultAppID, secret: DefaultSecret, lifetime: 7200 * time.Second,
		templates: map[string]string{DefaultTemplate: DefaultTemplateContent}, followers: map[string]bool{},
		tokens: map[string]*token{}, dedup: map[string]dedupEntry{}, nextID: 3147483648}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// OpenID makes a well-formed openid (28 characters of A-Z a-z 0-9 _ -,
// like WeChat's) from a seed, the same for the same seed.
func OpenID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return "o" + base64.RawURLEncoding.EncodeToString(sum[:])[:27]
}

var openIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{28}$`)

// Follow makes openids followers of the account.
func (s *Server) Follow(openids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range openids {
		s.followers[o] = true
	}
}

// Unfollow makes openids stop following: sends to them answer 43004.
func (s *Server) Unfollow(openids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range openids {
		delete(s.followers, o)
	}
}

// ExpireTokens makes every token issued so far expire now (42001 on use);
// the next token request gets a new one.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, tk := range s.tokens {
		tk.expires = now
	}
}

// RevokeTokens makes every token issued so far invalid (40001 "invalid
// credential, access_token is invalid or not latest"), as a forced refresh
// elsewhere would.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tk := range s.tokens {
		tk.revoked = true
	}
}

// FailSends answers the next len(errcodes) template sends (and template
// list requests) with these errcodes (e.g. -1 system error, 45009, 48001,
// 45047), in order, after the token and JSON checks and before the rest.
func (s *Server) FailSends(errcodes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failSend = append(s.failSend, errcodes...)
}

// FailTokens answers the next len(errcodes) token requests with these
// errcodes (e.g. 40164 IP not in the whitelist, -1).
func (s *Server) FailTokens(errcodes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failToken = append(s.failToken, errcodes...)
}

// FailHTTP answers the next n requests (any endpoint) with an HTTP status
// and a plain body, with a Retry-After header unless retryAfter is "".
func (s *Server) FailHTTP(n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failHTTP = append(s.failHTTP, httpFault{status, retryAfter})
	}
}

// SetDelay delays every answer by d (0: none), for timeouts.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetDailyQuota changes the daily quota and starts a new day.
func (s *Server) SetDailyQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota, s.used = n, 0
}

// Sent returns the accepted messages, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// TokenRequests is how many token requests arrived (good or bad).
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenReqs
}

// SendRequests is how many template send requests arrived.
func (s *Server) SendRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendReqs
}

// Documented errmsg of the codes the fake answers.
var errmsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40013: "invalid appid",
	40014: "invalid access_token",
	40037: "invalid template_id",
	40125: "invalid appsecret",
	40164: "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist",
	41001: "access_token missing",
	41002: "appid missing",
	41004: "appsecret missing",
	42001: "access_token expired",
	43002: "require POST method",
	43004: "require subscribe",
	44002: "empty post data",
	45009: "reach max api daily quota limit",
	45047: "out of response count limit",
	47001: "data format error",
	47003: "argument invalid!",
	48001: "api unauthorized",
}

func rid() string {
	b := make([]byte, 12)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:16] + "-" + h[16:]
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, detail string) {
	msg := errmsgs[code]
	if msg == "" {
		msg = "error " + strconv.Itoa(code)
	}
	if detail != "" {
		msg += " " + detail
	}
	reply(w, map[string]any{"errcode": code, "errmsg": msg + " rid: " + rid()})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.delay
	var hf *httpFault
	if len(s.failHTTP) > 0 {
		hf = &s.failHTTP[0]
		s.failHTTP = s.failHTTP[1:]
	}
	s.mu.Unlock()
	if d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if hf != nil {
		if hf.retryAfter != "" {
			w.Header().Set("Retry-After", hf.retryAfter)
		}
		http.Error(w, http.StatusText(hf.status), hf.status)
		return
	}
	switch r.URL.Path {
	case "/cgi-bin/stable_token":
		s.stableToken(w, r)
	case "/cgi-bin/message/template/send":
		s.send(w, r)
	case "/cgi-bin/template/get_all_private_template":
		s.templateList(w, r)
	default:
		fail(w, 40066, "invalid url")
	}
}

// readJSON decodes a POST body strictly into v; false after answering.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		fail(w, 43002, "")
		return false
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(bytes.TrimSpace(body)) == 0 {
		fail(w, 44002, "")
		return false
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		fail(w, 47001, "hint: Content-Type is "+strconv.Quote(ct)+", not application/json")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		fail(w, 47001, fmt.Sprintf("hint: %v", err))
		return false
	}
	return true
}

// stableToken is getStableAccessToken: in normal mode the current token
// while it has more than 1/24 of its life left (WeChat: 5 minutes), else
// a new one (the old one stays valid until it expires); force_refresh
// revokes the current token, at most once per 30 s.
func (s *Server) stableToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenReqs++
	var fault int
	if len(s.failToken) > 0 {
		fault, s.failToken = s.failToken[0], s.failToken[1:]
	}
	s.mu.Unlock()
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh *bool  `json:"force_refresh"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	switch {
	case fault != 0:
		fail(w, fault, "")
		return
	case req.GrantType != "client_credential":
		fail(w, 40002, "")
		return
	case req.AppID == "":
		fail(w, 41002, "")
		return
	case req.Secret == "":
		fail(w, 41004, "")
		return
	case req.AppID != s.appID:
		fail(w, 40013, "")
		return
	case req.Secret != s.secret:
		fail(w, 40125, "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	cur := s.tokens[s.current]
	force := req.ForceRefresh != nil && *req.ForceRefresh
	if force && cur != nil && now.Sub(s.lastForce) >= 30*time.Second {
		cur.revoked = true
		s.lastForce = now
	}
	if cur == nil || cur.revoked || cur.expires.Sub(now) <= s.lifetime/24 {
		b := make([]byte, 48)
		rand.Read(b)
		s.current = "FAKE_" + base64.RawURLEncoding.EncodeToString(b)
		cur = &token{appID: req.AppID, expires: now.Add(s.lifetime)}
		s.tokens[s.current] = cur
	}
	// Whole seconds, rounded up: a live token never says 0.
	left := int((cur.expires.Sub(now) + time.Second - 1) / time.Second)
	reply(w, map[string]any{"access_token": s.current, "expires_in": left})
}

// checkToken answers and returns false unless the request's access_token
// is live.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) bool {
	tk := r.URL.Query().Get("access_token")
	s.mu.Lock()
	info := s.tokens[tk]
	s.mu.Unlock()
	switch {
	case tk == "":
		fail(w, 41001, "")
	case info == nil && !strings.HasPrefix(tk, "FAKE_"):
		fail(w, 40014, "")
	case info == nil || info.revoked:
		fail(w, 40001, "")
	case !time.Now().Before(info.expires):
		fail(w, 42001, "")
	default:
		return true
	}
	return false
}

func (s *Server) templateList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		fail(w, 40066, "invalid url")
		return
	}
	if !s.checkToken(w, r) {
		return
	}
	s.mu.Lock()
	var fault int
	if len(s.failSend) > 0 {
		fault, s.failSend = s.failSend[0], s.failSend[1:]
	}
	type tpl struct {
		TemplateID      string `json:"template_id"`
		Title           string `json:"title"`
		PrimaryIndustry string `json:"primary_industry"`
		DeputyIndustry  string `json:"deputy_industry"`
		Content         string `json:"content"`
		Example         string `json:"example"`
	}
	list := []tpl{}
	for id, c := range s.templates {
		title, _, _ := strings.Cut(c, "\n")
		list = append(list, tpl{TemplateID: id, Title: title, PrimaryIndustry: "IT科技", DeputyIndustry: "互联网|电子商务", Content: c})
	}
	s.mu.Unlock()
	if fault != 0 {
		fail(w, fault, "")
		return
	}
	slices.SortFunc(list, func(a, b tpl) int { return strings.Compare(a.TemplateID, b.TemplateID) })
	reply(w, map[string]any{"template_list": list})
}

var keyRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.DATA\s*\}\}`)

// TemplateKeys lists the parameter keys of a template's content.
func TemplateKeys(content string) []string {
	var keys []string
	for _, m := range keyRE.FindAllStringSubmatch(content, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.sendReqs++
	s.mu.Unlock()
	if !s.checkToken(w, r) {
		return
	}
	var req struct {
		ToUser      string                     `json:"touser"`
		TemplateID  string                     `json:"template_id"`
		URL         string                     `json:"url"`
		MiniProgram *MiniProgram               `json:"miniprogram"`
		Data        map[string]json.RawMessage `json:"data"`
		ClientMsgID string                     `json:"client_msg_id"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	data := map[string]string{}
	for k, raw := range req.Data {
		var item struct {
			Value *string `json:"value"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&item); err != nil || item.Value == nil {
			fail(w, 47001, "hint: data."+k+" is not {\"value\": \"...\"}")
			return
		}
		data[k] = *item.Value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failSend) > 0 {
		code := s.failSend[0]
		s.failSend = s.failSend[1:]
		fail(w, code, "")
		return
	}
	content, known := s.templates[req.TemplateID]
	switch {
	case !openIDRE.MatchString(req.ToUser):
		fail(w, 40003, "")
		return
	case !known:
		fail(w, 40037, "")
		return
	case !s.followers[req.ToUser]:
		fail(w, 43004, "")
		return
	case len(req.Data) == 0:
		fail(w, 47003, "data is empty")
		return
	case req.MiniProgram != nil && req.MiniProgram.AppID == "":
		fail(w, 47003, "miniprogram.appid is empty")
		return
	}
	for _, k := range TemplateKeys(content) {
		if !validValue(k, data[k]) {
			fail(w, 47003, "data."+k+".value invalid")
			return
		}
	}
	now := time.Now()
	key := req.ToUser + "\x00" + req.ClientMsgID
	if req.ClientMsgID != "" {
		if e, ok := s.dedup[key]; ok && now.Sub(e.at) < DedupWindow {
			// Documented: one message per openid + client_msg_id.
			reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": e.msgID})
			return
		}
	}
	if s.quota > 0 && s.used >= s.quota {
		fail(w, 45009, "")
		return
	}
	s.used++
	s.nextID++
	id := s.nextID
	if req.ClientMsgID != "" {
		s.dedup[key] = dedupEntry{at: now, msgID: id}
	}
	s.sent = append(s.sent, Sent{MsgID: id, ToUser: req.ToUser, TemplateID: req.TemplateID, URL: req.URL,
		MiniProgram: req.MiniProgram, Data: data, ClientMsgID: req.ClientMsgID})
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": id})
}
