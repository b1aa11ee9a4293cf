// Command tencent-sms is Marketbench's Tencent Cloud SMS channel: it sends
// each message with SendSms (API 3.0, 2021-01-11, signed with
// TC3-HMAC-SHA256) using an approved signature and template, the
// template's parameters taken from the variant's rendered text, and reads
// delivery receipts back with PullSmsSendStatus. It uses only the public
// SDK.
package main

import (
	"context"
	"errors"
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

func plugin() sdk.Plugin {
	return sdk.Plugin{ID: "marketbench.org/tencent-sms", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

type channel struct{}

// apiRegions are the API regions of Tencent Cloud SMS (X-TC-Region).
var apiRegions = []string{"ap-guangzhou", "ap-beijing", "ap-nanjing"}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "tencent-sms",
		Title:       "Tencent Cloud SMS",
		Description: "Sends SMS through Tencent Cloud (腾讯云短信) with an approved signature and template; the variant's text gives the template's parameters.",
		Config: []sdk.Field{
			{Name: "sdk_app_id", Type: sdk.String, Title: "SdkAppId", Required: true,
				Help: "The SMS application's SdkAppId, e.g. 1400006666 (SMS console > Application Management > Application List)."},
			{Name: "sign_name", Type: sdk.String, Title: "Signature (签名)",
				Help: "The approved signature's content, e.g. 腾讯云, without 【】. Required for numbers in mainland China."},
			{Name: "template_id", Type: sdk.String, Title: "Template ID", Required: true,
				Help: "The approved body template's ID. The variant's text gives its parameters, one \"1: value\" line per {1}, {2}…"},
			{Name: "template_text", Type: sdk.Text, Title: "Template content",
				Help: "Optional: the approved template as written in the console, e.g. 您好{1}，您的订单{2}已发货。 The preview then checks the parameters and the length."},
			{Name: "template_type", Type: sdk.Enum, Title: "Template type", Default: "notification", Enum: []string{"notification", "verification", "marketing"},
				Help: "Verification-code templates take 0 to 6 digits; marketing SMS go out only 8:00–22:00 China time."},
			{Name: "account_type", Type: sdk.Enum, Title: "Account verification", Default: "enterprise", Enum: []string{"enterprise", "individual"},
				Help: "Individual-verified accounts may put at most 12 characters in each parameter."},
			{Name: "region", Type: sdk.String, Title: "Default country", Default: "CN",
				Help: "Numbers without a country code are read in this country (a code like CN or HK, or +852)."},
			{Name: "secret_id", Type: sdk.Secret, Title: "SecretId", Required: true, Help: "From the CAM console > Access Key > API Keys."},
			{Name: "secret_key", Type: sdk.Secret, Title: "SecretKey", Required: true},
			{Name: "api_region", Type: sdk.Enum, Title: "API region", Default: "ap-guangzhou", Enum: apiRegions, Advanced: true},
			{Name: "timeout", Type: sdk.Duration, Title: "Timeout", Default: "10s", Advanced: true,
				Help: "For each request; a message whose request times out is retried later."},
			{Name: "endpoint", Type: sdk.URL, Title: "Endpoint", Advanced: true,
				Help: "Only for tests: a local server that stands in for " + apiHost + "."},
		},
		Fields: []string{"phone"},
	}
}

var (
	numericID = regexp.MustCompile(`^[0-9]{1,20}$`)
	signChars = regexp.MustCompile(`^[\p{Han}A-Za-z0-9]+$`)
)

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	add := func(field, msg string) { errs = append(errs, sdk.FieldError{Field: field, Message: msg}) }
	if v := strings.TrimSpace(cfg.String("sdk_app_id")); v != "" && !numericID.MatchString(v) {
		add("sdk_app_id", "must be the SMS application's numeric SdkAppId, e.g. 1400006666")
	}
	if v := strings.TrimSpace(cfg.String("template_id")); v != "" && !numericID.MatchString(v) {
		add("template_id", "must be the template's numeric ID")
	}
	code, ok := phone.CallingCode(cfg.String("region"))
	if !ok {
		add("region", "is not a country this plugin knows: use a code like CN or HK, or a calling code like +852")
	}
	sign := strings.TrimSpace(cfg.String("sign_name"))
	switch {
	case sign == "" && code == "86":
		add("sign_name", "is required to send to numbers in mainland China")
	case strings.ContainsAny(sign, "【】[]"):
		add("sign_name", "is the signature's content without the 【】 brackets")
	case sign != "" && (!signChars.MatchString(sign) || utf8.RuneCountInString(sign) < 2 || utf8.RuneCountInString(sign) > 12):
		add("sign_name", "must be 2 to 12 Chinese characters, letters or digits, as approved")
	}
	if t := cfg.String("template_text"); t != "" {
		if _, err := templateSlots(t); err != nil {
			add("template_text", err.Error())
		}
	}
	if d := cfg.Duration("timeout", 10*time.Second); d <= 0 {
		add("timeout", "must be longer than zero")
	}
	if e := cfg.String("endpoint"); e != "" {
		if err := localEndpoint(e); err != nil {
			add("endpoint", err.Error())
		}
	}
	return errs
}

// localEndpoint allows only a local test server in place of the real API,
// so the manifest's network hosts stay true.
func localEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http or https address")
	}
	switch u.Hostname() {
	case "127.0.0.1", "::1", "localhost":
		return nil
	}
	return errors.New("only a local test server may replace " + apiHost)
}

// newClient checks the settings and builds an API client.
func (c channel) newClient(cfg sdk.Config, secrets sdk.Secrets) (*apiClient, error) {
	cfg = c.Spec().WithDefaults(cfg)
	if errs := c.Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	id, key := strings.TrimSpace(secrets["secret_id"]), strings.TrimSpace(secrets["secret_key"])
	if id == "" || key == "" {
		return nil, errors.New("the SecretId and SecretKey are required")
	}
	endpoint, host := "https://"+apiHost+"/", apiHost
	if e := cfg.String("endpoint"); e != "" {
		u, _ := url.Parse(e)
		endpoint, host = u.Scheme+"://"+u.Host+"/", u.Host
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = maxInFlight
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	return &apiClient{url: endpoint, host: host, region: cfg.String("api_region"), secretID: id, secretKey: key, now: time.Now,
		http: &http.Client{Transport: tr, Timeout: cfg.Duration("timeout", 10*time.Second),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Check proves the credentials and the SdkAppId with SmsPackagesStatistics,
// a read-only query that sends nothing.
func (c channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	cl, err := c.newClient(cfg, secrets)
	if err != nil {
		return err
	}
	defer cl.http.CloseIdleConnections()
	end := cl.now().In(chinaTime).Truncate(time.Hour)
	req := map[string]any{"SmsSdkAppId": strings.TrimSpace(cfg["sdk_app_id"]), "Limit": 1, "Offset": 0,
		"BeginTime": end.AddDate(0, 0, -30).Format("2006010215"), "EndTime": end.Format("2006010215")}
	var out struct{ SmsPackagesStatisticsSet []struct{} }
	if err := cl.call(ctx, "SmsPackagesStatistics", req, &out); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return fmt.Errorf("%s (%s)", outcome(ae.Code, ae.Message, cl.now()).Reason, oneLine(ae.Message, 160))
		}
		return err
	}
	return nil
}

// maxInFlight is how many SendSms requests run at once; Tencent documents
// 3000 SendSms requests a second, far above what this needs.
const maxInFlight = 8

func (c channel) Open(_ context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	cl, err := c.newClient(cfg, secrets)
	if err != nil {
		return nil, err
	}
	return &session{cfg: c.Spec().WithDefaults(cfg), client: cl}, nil
}

// CheckMessage runs at preview: number, parameters, template and length.
func (channel) CheckMessage(cfg sdk.Config, m sdk.Message) sdk.MessageCheck {
	_, _, problems, notes := messageProblems(cfg, m)
	return sdk.MessageCheck{Problems: problems, Notes: notes}
}

type session struct {
	cfg    sdk.Config
	client *apiClient
}

func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: maxInFlight} }

func (s *session) Close() error {
	s.client.http.CloseIdleConnections()
	return nil
}

type sendStatus struct {
	SerialNo, PhoneNumber, SessionContext, Code, Message, IsoCode string
	Fee                                                           int
}

func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	to, params, problems, _ := messageProblems(s.cfg, m)
	if to == "" && len(problems) > 0 {
		return sdk.Undeliverable(problems[0])
	}
	if len(problems) > 0 {
		return sdk.Rejected(problems[0])
	}
	req := map[string]any{"PhoneNumberSet": []string{to}, "SmsSdkAppId": strings.TrimSpace(s.cfg.String("sdk_app_id")),
		"TemplateId": strings.TrimSpace(s.cfg.String("template_id")), "SessionContext": m.IdempotencyKey}
	if sign := strings.TrimSpace(s.cfg.String("sign_name")); sign != "" {
		req["SignName"] = sign
	}
	if len(params) > 0 {
		req["TemplateParamSet"] = params
	}
	var out struct{ SendStatusSet []sendStatus }
	if err := s.client.call(ctx, "SendSms", req, &out); err != nil {
		return errorOutcome(err, s.client.now())
	}
	if len(out.SendStatusSet) != 1 {
		// Accepted, but the answer does not say for this number: its fate
		// is unknown, and the host sets it aside rather than lose or
		// duplicate it.
		return sdk.RetryAfter(retryNetwork, fmt.Sprintf("Tencent Cloud answered with %d statuses for one number", len(out.SendStatusSet)))
	}
	st := out.SendStatusSet[0]
	if !strings.EqualFold(st.Code, "Ok") {
		return outcome(st.Code, st.Message, s.client.now())
	}
	if st.SerialNo == "" {
		return sdk.Delivered("tencent:" + m.IdempotencyKey)
	}
	return sdk.Delivered(st.SerialNo)
}
