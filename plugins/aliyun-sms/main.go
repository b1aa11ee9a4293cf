// Command aliyun-sms is Marketbench's Alibaba Cloud SMS channel (阿里云短信):
// it sends each message with Dysmsapi's SendSms (API version 2017-05-25)
// using an approved sign and template, the template parameters read from
// the variant's rendered text, and reads delivery receipts back with
// QuerySendDetails. Requests are signed with Alibaba Cloud's RPC signature
// method V2 (HMAC-SHA1). It uses only the public SDK.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
)

// host is the only host the plugin contacts (plugin.json says so).
const host = "dysmsapi.aliyuncs.com"

func plugin() sdk.Plugin {
	return sdk.Plugin{ID: "marketbench.org/aliyun-sms", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "aliyun-sms",
		Title:       "Alibaba Cloud SMS (阿里云短信)",
		Description: "Sends SMS through Alibaba Cloud Short Message Service with an approved sign and template; the variant's text gives the template parameters, one \"name: value\" per line.",
		Config: []sdk.Field{
			{Name: "access_key_id", Type: sdk.Secret, Title: "AccessKey ID", Required: true, Help: "Of a RAM user with the AliyunDysmsFullAccess policy (RAM console > Identities > Users > Create AccessKey)."},
			{Name: "access_key_secret", Type: sdk.Secret, Title: "AccessKey secret", Required: true, Help: "Shown once, when the AccessKey is created."},
			{Name: "sign_name", Type: sdk.String, Title: "Sign name (签名)", Required: true, Help: "An approved sign, exactly as in the SMS console; it appears as 【sign】 at the start of every SMS."},
			{Name: "template_code", Type: sdk.String, Title: "Template code", Required: true, Help: "An approved template's code, e.g. SMS_154950909."},
			{Name: "template_text", Type: sdk.Text, Title: "Template content", Help: "The approved template's text, e.g. 您好${name}，您的会员积分${points}即将过期。拒收请回复R. Optional: with it the preview checks every message's parameters and length."},
			{Name: "region", Type: sdk.String, Title: "Numbers without country code are in", Default: "CN", Help: "A country code such as CN, HK or SG, or a calling code such as +86."},
			{Name: "region_id", Type: sdk.String, Title: "Region ID", Default: "cn-hangzhou", Advanced: true, Help: "The RegionId sent with every request."},
			{Name: "param_max_length", Type: sdk.Int, Title: "Longest parameter", Default: "35", Advanced: true, Help: "The preview flags a parameter longer than this many characters (Alibaba Cloud's limit for variables of notification and promotional templates)."},
			{Name: "concurrency", Type: sdk.Int, Title: "Parallel requests", Default: "4", Advanced: true, Help: "How many messages are sent at once (1 to 32)."},
			{Name: "timeout", Type: sdk.Duration, Title: "Timeout", Default: "10s", Advanced: true, Help: "For each request; a message whose request takes longer is retried later."},
			{Name: "endpoint", Type: sdk.URL, Title: "Endpoint", Advanced: true, Help: "Only for tests: a local server that stands in for https://" + host + "/."},
		},
		Fields: []string{"customer_id", "phone"},
	}
}

var (
	templateCodeRE = regexp.MustCompile(`^SMS_[0-9]+$`)
	regionIDRE     = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+$`)
)

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	add := func(field, msg string) { errs = append(errs, sdk.FieldError{Field: field, Message: msg}) }
	if s := cfg.String("sign_name"); strings.ContainsAny(s, "【】[]") {
		add("sign_name", "give the sign without brackets: Alibaba Cloud adds 【】")
	} else if n := utf8.RuneCountInString(strings.TrimSpace(s)); s != "" && (n < 2 || n > 12) {
		add("sign_name", "a sign has 2 to 12 characters")
	}
	if c := strings.TrimSpace(cfg.String("template_code")); c != "" && !templateCodeRE.MatchString(c) {
		add("template_code", "a template code looks like SMS_154950909")
	}
	if t := cfg.String("template_text"); t != "" {
		if utf8.RuneCountInString(t) > maxContent {
			add("template_text", fmt.Sprintf("a template has at most %d characters", maxContent))
		}
		for _, v := range templateVars(t) {
			if v == "" || strings.ContainsAny(v, " \t${") {
				add("template_text", fmt.Sprintf("${%s} is not a variable name", v))
				break
			}
		}
	}
	if _, ok := phone.CallingCode(cfg.String("region")); cfg.String("region") != "" && !ok {
		add("region", "must be a country code such as CN or a calling code such as +86")
	}
	if r := cfg.String("region_id"); r != "" && !regionIDRE.MatchString(r) {
		add("region_id", "must be a region ID such as cn-hangzhou")
	}
	if n := cfg.Int("param_max_length", 35); n < 1 || n > 500 {
		add("param_max_length", "must be between 1 and 500")
	}
	if n := cfg.Int("concurrency", 4); n < 1 || n > 32 {
		add("concurrency", "must be between 1 and 32")
	}
	if d := cfg.Duration("timeout", 10*time.Second); d < time.Second {
		add("timeout", "must be at least 1s (Alibaba Cloud recommends no less)")
	}
	if e := cfg.String("endpoint"); e != "" {
		if u, err := url.Parse(e); err != nil || !isLocal(u.Hostname()) {
			add("endpoint", "only a local test server may replace "+host)
		}
	}
	return errs
}

func isLocal(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// newClient builds the API client from validated settings.
func (c channel) newClient(cfg sdk.Config, secrets sdk.Secrets) (*apiClient, error) {
	cfg = c.Spec().WithDefaults(cfg)
	if errs := c.Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	id, secret := strings.TrimSpace(secrets["access_key_id"]), strings.TrimSpace(secrets["access_key_secret"])
	if id == "" || secret == "" {
		return nil, fmt.Errorf("the AccessKey ID and secret are required")
	}
	endpoint := "https://" + host + "/"
	if e := cfg.String("endpoint"); e != "" {
		endpoint = e
	}
	conc := cfg.Int("concurrency", 4)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conc
	return &apiClient{endpoint: endpoint, keyID: id, secret: secret, regionID: cfg.String("region_id"),
		timeout: cfg.Duration("timeout", 10*time.Second), now: time.Now,
		http: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Check proves the keys, the sign and the template with two read-only
// calls (QuerySmsSign, QuerySmsTemplate); nothing is sent.
func (c channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	cl, err := c.newClient(cfg, secrets)
	if err != nil {
		return err
	}
	defer cl.http.CloseIdleConnections()
	cfg = c.Spec().WithDefaults(cfg)
	sign, code := strings.TrimSpace(cfg.String("sign_name")), strings.TrimSpace(cfg.String("template_code"))
	r, err := cl.call(ctx, "QuerySmsSign", map[string]string{"SignName": sign})
	if err != nil {
		return err
	}
	if err := checkReply(r, "the sign "+sign); err != nil {
		return err
	}
	if r.SignStatus == nil || *r.SignStatus != 1 {
		return fmt.Errorf("the sign %s is not approved (%s)", sign, status(r.SignStatus))
	}
	r, err = cl.call(ctx, "QuerySmsTemplate", map[string]string{"TemplateCode": code})
	if err != nil {
		return err
	}
	if err := checkReply(r, "the template "+code); err != nil {
		return err
	}
	if r.TemplateStatus == nil || *r.TemplateStatus != 1 {
		return fmt.Errorf("the template %s is not approved (%s)", code, status(r.TemplateStatus))
	}
	if t := strings.TrimSpace(cfg.String("template_text")); t != "" && r.TemplateContent != "" && t != strings.TrimSpace(r.TemplateContent) {
		return fmt.Errorf("the template content differs from the approved template %s: %s", code, r.TemplateContent)
	}
	return nil
}

func status(p *int) string {
	switch {
	case p == nil:
		return "unknown"
	case *p == 0:
		return "under review"
	case *p == 2:
		return "rejected"
	}
	return fmt.Sprint(*p)
}

// checkReply turns an answer that is not OK into an error in words.
func checkReply(r *reply, what string) error {
	switch {
	case r.Code == "OK":
		return nil
	case r.Code == "isv.SMS_SIGNATURE_ILLEGAL" || r.Code == "isv.SMS_TEMPLATE_ILLEGAL" || r.Code == "isv.SMS_SIGN_ILLEGAL":
		return fmt.Errorf("%s is not an approved one of this account (%s)", what, r.Code)
	}
	if words, ok := credentials[r.Code]; ok {
		return fmt.Errorf("Alibaba Cloud: %s (%s)", words, r.Code)
	}
	return fmt.Errorf("Alibaba Cloud answered %s: %s", r.Code, excerpt(r.Message))
}

func (c channel) Open(_ context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	cl, err := c.newClient(cfg, secrets)
	if err != nil {
		return nil, err
	}
	cfg = c.Spec().WithDefaults(cfg)
	return &session{cl: cl, cfg: cfg, conc: cfg.Int("concurrency", 4)}, nil
}

type session struct {
	cl   *apiClient
	cfg  sdk.Config
	conc int
}

func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: s.conc} }

func (s *session) Close() error {
	s.cl.http.CloseIdleConnections()
	return nil
}

// Send sends one message with SendSms: one number per call, so each
// message has its own outcome and BizId.
func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	to, err := number(m.To, s.cfg.String("region"))
	if err != nil {
		return sdk.Undeliverable(numberProblem(err))
	}
	ps, err := parseParams(m.Text)
	if err != nil {
		return sdk.Rejected(err.Error())
	}
	params, err := paramMap(ps)
	if err != nil {
		return sdk.Rejected(err.Error())
	}
	args := map[string]string{"PhoneNumbers": to, "SignName": strings.TrimSpace(s.cfg.String("sign_name")),
		"TemplateCode": strings.TrimSpace(s.cfg.String("template_code"))}
	if len(params) > 0 {
		b, _ := json.Marshal(params)
		args["TemplateParam"] = string(b)
	}
	// OutId comes back with receipts; Alibaba Cloud does not de-duplicate
	// on it.
	if m.IdempotencyKey != "" {
		args["OutId"] = m.IdempotencyKey
	}
	r, err := s.cl.call(ctx, "SendSms", args)
	if err != nil {
		ce := err.(*callError)
		d := waitSystem
		if ce.retryAfter > 0 {
			d = ce.retryAfter
		}
		return sdk.RetryAfter(d, ce.msg)
	}
	res := outcome(r, s.cl.now())
	if res.Outcome == sdk.OutcomeRetry && r.retryAfter > 0 {
		res.After = r.retryAfter
	}
	return res
}
