// Command wechat-template is Marketbench's WeChat channel: it sends
// template messages (模板消息) to the followers of a WeChat Official
// Account (a Service Account) through api.weixin.qq.com, addressed by the
// follower's openid. The variant's text gives the template's data, one
// "key: value" per line. It uses only the public SDK.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

func plugin() sdk.Plugin {
	// No sdk.CapIdempotencyKeys: WeChat drops a repeated client_msg_id
	// only for 10 minutes, and a resume after a crash may come later.
	return sdk.Plugin{ID: "marketbench.org/wechat-template", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

// logger writes to stderr, which the app shows as the plugin's log. It
// never gets a secret or a token.
var logger = log.New(os.Stderr, "wechat-template: ", 0)

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:  "wechat-template",
		Title: "WeChat template messages",
		Description: "Sends WeChat template messages (模板消息) to the followers of your Official Account. " +
			"The variant's text is the template data, one \"key: value\" per line (thing1: 会员积分即将过期); the subject is not used.",
		Config: []sdk.Field{
			{Name: "app_id", Type: sdk.String, Title: "AppID", Required: true, Help: "The Service Account's AppID, e.g. wx0123456789abcdef: WeChat Developer Platform (微信开发者平台) › My Business (我的业务) › Service Account (服务号) › Basic Info (基础信息)."},
			{Name: "app_secret", Type: sdk.Secret, Title: "AppSecret", Required: true, Help: "The AppSecret from the same page, under Developer Key (开发密钥); it is shown once when enabled or reset."},
			{Name: "template_id", Type: sdk.String, Title: "Template ID", Required: true, Help: "From My Templates (我的模板) of the Template Messages feature (模板消息) in the WeChat Official Accounts Platform (mp.weixin.qq.com)."},
			{Name: "template_keys", Type: sdk.String, Title: "Template parameters", Help: "Optional: the template's keys, comma-separated (thing1, time2), so the preview finds a missing or unknown one. \"Test connection\" reads them from WeChat."},
			{Name: "url", Type: sdk.URL, Title: "Link", Help: "Optional: the page a tap on the message opens."},
			{Name: "miniprogram_appid", Type: sdk.String, Title: "Mini Program AppID", Help: "Optional: open a Mini Program linked to the account instead of the link."},
			{Name: "miniprogram_pagepath", Type: sdk.String, Title: "Mini Program page", Help: "Optional: the page of that Mini Program, e.g. pages/index?from=wechat."},
			{Name: "concurrency", Type: sdk.Int, Title: "Parallel requests", Default: "4", Advanced: true, Help: "Messages in flight at once (1 to 16)."},
			{Name: "timeout", Type: sdk.Duration, Title: "Timeout", Default: "10s", Advanced: true, Help: "For each request to WeChat; a message whose request times out is tried again later."},
			{Name: "endpoint", Type: sdk.URL, Title: "API endpoint", Advanced: true, Help: "For tests only: a local server in place of https://api.weixin.qq.com."},
		},
		Fields: []string{"customer_id", "wechat_openid"},
	}
}

// localHost says whether an endpoint may replace the real one: only a
// server on this computer, so the manifest's host list stays true.
func localHost(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	if ep := strings.TrimSpace(cfg.String("endpoint")); ep != "" {
		if u, err := url.Parse(ep); err != nil || u.Host == "" || !localHost(u) {
			errs = append(errs, sdk.FieldError{Field: "endpoint", Message: "only a local test server may replace api.weixin.qq.com"})
		}
	}
	if strings.TrimSpace(cfg.String("miniprogram_pagepath")) != "" && strings.TrimSpace(cfg.String("miniprogram_appid")) == "" {
		errs = append(errs, sdk.FieldError{Field: "miniprogram_appid", Message: "is needed for the Mini Program page"})
	}
	for _, k := range templateKeys(cfg.String("template_keys")) {
		if !keyRE.MatchString(k) {
			errs = append(errs, sdk.FieldError{Field: "template_keys", Message: fmt.Sprintf("%q is not a template key like thing1", k)})
			break
		}
	}
	if n := cfg.Int("concurrency", 4); n < 1 || n > 16 {
		errs = append(errs, sdk.FieldError{Field: "concurrency", Message: "must be between 1 and 16"})
	}
	if d := cfg.Duration("timeout", 10*time.Second); d <= 0 {
		errs = append(errs, sdk.FieldError{Field: "timeout", Message: "must be longer than zero"})
	}
	return errs
}

// newAPI builds the client from validated settings.
func (c channel) newAPI(cfg sdk.Config, secrets sdk.Secrets) (*api, error) {
	if errs := c.Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	appID, secret := strings.TrimSpace(cfg.String("app_id")), strings.TrimSpace(secrets["app_secret"])
	switch {
	case appID == "":
		return nil, errors.New("app_id: is required")
	case secret == "":
		return nil, errors.New("app_secret: is required")
	case strings.TrimSpace(cfg.String("template_id")) == "":
		return nil, errors.New("template_id: is required")
	}
	base := realEndpoint
	if ep := strings.TrimSpace(cfg.String("endpoint")); ep != "" {
		base = strings.TrimRight(ep, "/")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return &api{base: base, appID: appID, secret: secret, timeout: cfg.Duration("timeout", 10*time.Second),
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// openError turns a failed token fetch into an error for Check or Open.
func openError(err error) error {
	var we *wxError
	if errors.As(err, &we) {
		if p := credentialProblem(we); p != "" {
			return errors.New(p)
		}
		return fmt.Errorf("getting an access token: %s", we.Error())
	}
	return fmt.Errorf("getting an access token: %v", err)
}

// Check fetches an access token (which proves the AppID, the AppSecret
// and the IP whitelist) and reads the account's templates: the template
// must be one of them, with the keys template_keys names.
func (c channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	a, err := c.newAPI(cfg, secrets)
	if err != nil {
		return err
	}
	defer a.client.CloseIdleConnections()
	tok, _, err := a.fetchToken(ctx)
	if err != nil {
		return openError(err)
	}
	var out struct {
		TemplateList []struct {
			TemplateID string `json:"template_id"`
			Title      string `json:"title"`
			Content    string `json:"content"`
		} `json:"template_list"`
	}
	if err := a.call(ctx, http.MethodGet, "/cgi-bin/template/get_all_private_template", url.Values{"access_token": {tok}}, nil, &out); err != nil {
		var we *wxError
		if errors.As(err, &we) && we.Code == 48001 {
			return errors.New("this account may not use template messages (48001 api unauthorized): it must be a verified Service Account with the Template Messages feature added")
		}
		return fmt.Errorf("reading the account's templates: %v", err)
	}
	id := strings.TrimSpace(cfg.String("template_id"))
	for _, t := range out.TemplateList {
		if t.TemplateID != id {
			continue
		}
		keys := contentKeys(t.Content)
		if want := templateKeys(cfg.String("template_keys")); len(want) > 0 && !sameKeys(want, keys) {
			return fmt.Errorf("template_keys says %s, but the template %q has %s", strings.Join(want, ", "), t.Title, strings.Join(keys, ", "))
		}
		return nil
	}
	return fmt.Errorf("the template %s is not one of the account's %d templates (My Templates of the Template Messages feature)", id, len(out.TemplateList))
}

var contentKeyRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.DATA\s*\}\}`)

// contentKeys lists the {{key.DATA}} placeholders of a template.
func contentKeys(content string) []string {
	var keys []string
	for _, m := range contentKeyRE.FindAllStringSubmatch(strings.ReplaceAll(strings.ReplaceAll(content, "{ {", "{{"), "} }", "}}"), -1) {
		if !slices.Contains(keys, m[1]) {
			keys = append(keys, m[1])
		}
	}
	return keys
}

func sameKeys(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Open fetches the first access token, so wrong credentials stop the run
// before any message; a network failure is left to Send, which retries.
func (c channel) Open(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	a, err := c.newAPI(cfg, secrets)
	if err != nil {
		return nil, err
	}
	s := &session{api: a, tokens: newTokenSource(a), templateID: strings.TrimSpace(cfg.String("template_id")),
		link: strings.TrimSpace(cfg.String("url")), conc: cfg.Int("concurrency", 4)}
	if app := strings.TrimSpace(cfg.String("miniprogram_appid")); app != "" {
		s.mini = &miniProgram{AppID: app, PagePath: strings.TrimSpace(cfg.String("miniprogram_pagepath"))}
	}
	if _, err := s.tokens.get(ctx); err != nil {
		var we *wxError
		if errors.As(err, &we) && credentialProblem(we) != "" {
			return nil, openError(err)
		}
		logger.Printf("no access token yet (%v); sending will try again", err)
	}
	return s, nil
}

type miniProgram struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath,omitempty"`
}

type session struct {
	api        *api
	tokens     *tokenSource
	templateID string
	link       string
	mini       *miniProgram
	conc       int
}

func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: s.conc} }

func (s *session) Close() error {
	s.api.client.CloseIdleConnections()
	return nil
}

var (
	openIDChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	plainKey    = regexp.MustCompile(`^[\x21-\x7e]+$`)
)

// item is one entry of the data object.
type item struct {
	Value string `json:"value"`
}

// sendBody is the documented body of message/template/send.
type sendBody struct {
	ToUser      string          `json:"touser"`
	TemplateID  string          `json:"template_id"`
	URL         string          `json:"url,omitempty"`
	MiniProgram *miniProgram    `json:"miniprogram,omitempty"`
	Data        map[string]item `json:"data"`
	ClientMsgID string          `json:"client_msg_id,omitempty"`
}

// clientMsgID is the idempotency key as WeChat's client_msg_id: as it is
// when short and plain, else a digest of it.
func clientMsgID(key string) string {
	if key == "" {
		return ""
	}
	if len(key) <= 64 && plainKey.MatchString(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "mb-" + hex.EncodeToString(sum[:20])
}

func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	to := strings.TrimSpace(m.To)
	if to == "" {
		return sdk.Rejected("the customer has no WeChat openid")
	}
	if !openIDChars.MatchString(to) {
		return sdk.Undeliverable("the address is not a WeChat openid")
	}
	ps, err := parseParams(m.Text)
	if err != nil {
		return sdk.Rejected("the template data: " + err.Error())
	}
	body := sendBody{ToUser: to, TemplateID: s.templateID, URL: s.link, MiniProgram: s.mini, Data: map[string]item{}, ClientMsgID: clientMsgID(m.IdempotencyKey)}
	for _, p := range ps {
		body.Data[p.key] = item{p.value}
	}
	for attempt := 0; ; attempt++ {
		tok, err := s.tokens.get(ctx)
		if err != nil {
			return tokenResult(err)
		}
		var out struct {
			MsgID json.RawMessage `json:"msgid"`
		}
		err = s.api.call(ctx, http.MethodPost, "/cgi-bin/message/template/send", url.Values{"access_token": {tok}}, body, &out)
		var we *wxError
		var te *transportError
		switch {
		case err == nil:
			if id := strings.Trim(string(out.MsgID), `"`); id != "" && id != "null" {
				return sdk.Delivered(id)
			}
			return sdk.Delivered(body.ClientMsgID)
		case errors.As(err, &we) && tokenRefused(we.Code):
			if attempt == 0 {
				// Expired or replaced: a new token, and this message once more.
				s.tokens.refused(tok)
				continue
			}
			return sdk.RetryAfter(time.Minute, fmt.Sprintf("WeChat refuses a fresh access token too (%d %s)", we.Code, we.Msg))
		case errors.As(err, &we):
			return errcodeResult(we, time.Now())
		case errors.As(err, &te):
			// Sent or not, its fate is unknown: never rejected.
			return sdk.RetryAfter(te.after, te.msg)
		default:
			return sdk.RetryAfter(defaultRetry, err.Error())
		}
	}
}

// CheckMessage checks a rendered message as WeChat would, without
// sending: the openid, every line a "key: value", the keys against
// template_keys, and each value against the rule for its type.
func (channel) CheckMessage(cfg sdk.Config, m sdk.Message) sdk.MessageCheck {
	var chk sdk.MessageCheck
	switch to := strings.TrimSpace(m.To); {
	case to == "":
		chk.Problems = append(chk.Problems, "the customer has no WeChat openid")
	case !openIDChars.MatchString(to):
		chk.Problems = append(chk.Problems, "the address is not a WeChat openid")
	}
	ps, err := parseParams(m.Text)
	if err != nil {
		chk.Problems = append(chk.Problems, err.Error())
		return chk
	}
	got := map[string]bool{}
	for _, p := range ps {
		got[p.key] = true
		if msg := valueProblem(p.key, p.value); msg != "" {
			chk.Problems = append(chk.Problems, msg)
		}
	}
	if want := templateKeys(cfg.String("template_keys")); len(want) > 0 {
		for _, k := range want {
			if !got[k] {
				chk.Problems = append(chk.Problems, "the template's parameter "+k+" is missing")
			}
		}
		for _, p := range ps {
			if !slices.Contains(want, p.key) {
				chk.Problems = append(chk.Problems, p.key+" is not a parameter of the template")
			}
		}
	}
	return chk
}
