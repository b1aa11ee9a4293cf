// Command twilio-sms is Marketbench's SMS channel through Twilio
// Programmable Messaging: each message is one POST to the Messages
// resource (From a Twilio number or through a Messaging Service), numbers
// are put in E.164 first, Twilio's error codes become delivered / retry
// later / rejected / undeliverable, and delivery receipts are read back
// from the Message resource. It uses only the public SDK.
//
// Twilio's Messages API takes no idempotency key for creating a message
// (its error 20500 page: sending an SMS "is not idempotent"), so the
// plugin does not announce sdk.CapIdempotencyKeys: after a crash the host
// sets aside messages whose fate is unknown instead of sending them twice.
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

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
)

// apiHost is the only host the plugin contacts (plugin.json says so).
const apiHost = "api.twilio.com"

func plugin() sdk.Plugin {
	return sdk.Plugin{ID: "marketbench.org/twilio-sms", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "twilio-sms",
		Title:       "SMS (Twilio)",
		Description: "Sends each message's text as an SMS through Twilio Programmable Messaging, from your Twilio number or a Messaging Service.",
		Config: []sdk.Field{
			{Name: "account_sid", Type: sdk.String, Title: "Account SID", Required: true,
				Help: "AC followed by 32 characters: Account Info on the Twilio Console's home page."},
			{Name: "auth_token", Type: sdk.Secret, Title: "Auth Token",
				Help: "Next to the Account SID in the Console. Leave it empty when you use an API key."},
			{Name: "api_key_sid", Type: sdk.String, Title: "API key SID",
				Help: "SK followed by 32 characters, instead of the Auth Token (Twilio recommends API keys). Needs the key's secret."},
			{Name: "api_key_secret", Type: sdk.Secret, Title: "API key secret",
				Help: "Shown once, when the API key is created."},
			{Name: "from", Type: sdk.String, Title: "From",
				Help: "Your Twilio phone number (+15017122661), short code or alphanumeric sender ID. Set this or a Messaging Service SID, not both."},
			{Name: "messaging_service_sid", Type: sdk.String, Title: "Messaging Service SID",
				Help: "MG followed by 32 characters: Twilio picks the sender from the service's pool. Set this or From, not both."},
			{Name: "region", Type: sdk.String, Title: "Default country", Default: "US",
				Help: "How to read numbers written without a country code: a code such as US, GB or CN, or a calling code such as +44."},
			{Name: "status_callback", Type: sdk.URL, Title: "Status callback URL", Advanced: true,
				Help: "Twilio POSTs each message's status changes here (optional; receipts are also read back without it)."},
			{Name: "concurrency", Type: sdk.Int, Title: "Parallel requests", Default: "4", Advanced: true,
				Help: "Messages sent to Twilio at once (1 to 16). Twilio answers 429 when an account sends too many at once."},
			{Name: "messages_per_second", Type: sdk.Float, Title: "Messages per second", Default: "0", Advanced: true,
				Help: "Hand Twilio at most this many messages a second (0: no limit here). Twilio queues what a sender cannot send at once."},
			{Name: "timeout", Type: sdk.Duration, Title: "Timeout", Default: "15s", Advanced: true,
				Help: "For each request; a message whose request times out is retried later."},
			{Name: "endpoint", Type: sdk.URL, Title: "API address", Advanced: true,
				Help: "For tests only: a local server to use instead of https://api.twilio.com."},
		},
		Fields: []string{"phone"},
	}
}

var (
	accountRE = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	keyRE     = regexp.MustCompile(`^SK[0-9a-fA-F]{32}$`)
	serviceRE = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	alphaRE   = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
)

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	add := func(field, msg string) { errs = append(errs, sdk.FieldError{Field: field, Message: msg}) }
	if v := strings.TrimSpace(cfg.String("account_sid")); v != "" && !accountRE.MatchString(v) {
		add("account_sid", "must be AC followed by 32 letters and digits, as the Twilio Console shows it")
	}
	if v := strings.TrimSpace(cfg.String("api_key_sid")); v != "" && !keyRE.MatchString(v) {
		add("api_key_sid", "must be SK followed by 32 letters and digits")
	}
	region := regionOf(cfg)
	if _, ok := phone.CallingCode(region); !ok {
		add("region", "must be a country code such as US, GB or CN, or a calling code such as +44")
	}
	from, service := strings.TrimSpace(cfg.String("from")), strings.TrimSpace(cfg.String("messaging_service_sid"))
	switch {
	case from == "" && service == "":
		add("from", "set a From number or a Messaging Service SID")
	case from != "" && service != "":
		add("messaging_service_sid", "set either From or a Messaging Service SID, not both")
	case service != "" && !serviceRE.MatchString(service):
		add("messaging_service_sid", "must be MG followed by 32 letters and digits")
	case from != "":
		if _, err := sender(from, region); err != nil {
			add("from", err.Error())
		}
	}
	if n := cfg.Int("concurrency", 4); n < 1 || n > 16 {
		add("concurrency", "must be between 1 and 16")
	}
	if r := cfg.Float("messages_per_second", 0); r < 0 || r > 1000 {
		add("messages_per_second", "must be between 0 (no limit) and 1000")
	}
	if d := cfg.Duration("timeout", 15*time.Second); d <= 0 {
		add("timeout", "must be longer than zero")
	}
	if e := cfg.String("endpoint"); e != "" {
		if u, err := url.Parse(e); err != nil || !isLoopback(u.Hostname()) {
			add("endpoint", "only a local test server may replace "+apiHost)
		}
	}
	return errs
}

// regionOf is the region setting, or its default when a caller left the
// defaults out.
func regionOf(cfg sdk.Config) string {
	if r := strings.TrimSpace(cfg.String("region")); r != "" {
		return r
	}
	return "US"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// sender puts the From setting in the form Twilio takes: a phone number in
// E.164, a short code (up to 8 digits) or an alphanumeric sender ID (at
// most 11 letters, digits and spaces, at least one letter).
func sender(from, region string) (string, error) {
	digits := strings.Trim(from, "0123456789 -()+.")
	switch {
	case digits == "" && !strings.HasPrefix(from, "+") && len(from) <= 8:
		return from, nil // a short code
	case digits == "":
		n, err := phone.E164(from, region)
		if err != nil {
			return "", fmt.Errorf("is not a phone number in E.164: %v", reason(err))
		}
		return n, nil
	case alphaRE.MatchString(from) && strings.ContainsAny(strings.ToLower(from), "abcdefghijklmnopqrstuvwxyz"):
		return from, nil
	}
	return "", errors.New("must be a phone number such as +15017122661, a short code, or a sender ID of at most 11 letters, digits and spaces")
}

// reason is a phone error without the number it repeats.
func reason(err error) string {
	var pe *phone.Error
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return err.Error()
}

// api is what Check, Open and Receipts share: where and how to call.
type api struct {
	base    string // https://api.twilio.com/2010-04-01/Accounts/AC…
	user    string
	pass    string
	byKey   bool
	timeout time.Duration
	http    *http.Client
}

func newClient(cfg sdk.Config, secrets sdk.Secrets, conns int) (*api, error) {
	if errs := (channel{}).Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	account := strings.TrimSpace(cfg.String("account_sid"))
	if account == "" {
		return nil, errors.New("account_sid: is required")
	}
	c := &api{timeout: cfg.Duration("timeout", 15*time.Second)}
	key, keySecret, token := strings.TrimSpace(cfg.String("api_key_sid")), secrets["api_key_secret"], secrets["auth_token"]
	switch {
	case key != "" && keySecret == "":
		return nil, errors.New("the API key secret is missing: enter the secret shown when the key was created")
	case key != "":
		c.user, c.pass, c.byKey = key, keySecret, true
	case keySecret != "":
		return nil, errors.New("an API key secret needs its API key SID (SK…)")
	case token == "":
		return nil, errors.New("enter the Auth Token, or an API key SID and its secret")
	default:
		c.user, c.pass = account, token
	}
	base := "https://" + apiHost
	if e := cfg.String("endpoint"); e != "" {
		base = strings.TrimRight(e, "/")
	}
	c.base = base + "/2010-04-01/Accounts/" + account
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(2, conns)
	c.http = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // Twilio does not redirect; never resend credentials elsewhere
	}}
	return c, nil
}

// refusedCredentials is what every call says when Twilio answers 401/403.
const refusedCredentials = "Twilio refused the credentials (error 20003): check the Account SID and the Auth Token, or the API key SID and secret"

// Check fetches the account (Auth Token) or lists one message (API key:
// a Standard key may not read the Account resource): both send nothing.
func (channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	c, err := newClient(cfg, secrets, 1)
	if err != nil {
		return err
	}
	defer c.http.CloseIdleConnections()
	path := ".json"
	if c.byKey {
		path = "/Messages.json?PageSize=1"
	}
	var acct struct {
		Status string `json:"status"`
	}
	ans, err := c.get(ctx, path, &acct)
	switch {
	case err != nil:
		return fmt.Errorf("cannot reach Twilio: %v", err)
	case ans.status == http.StatusUnauthorized || ans.status == http.StatusForbidden:
		return errors.New(refusedCredentials)
	case ans.status == http.StatusNotFound:
		return fmt.Errorf("Twilio does not know the account %s", strings.TrimSpace(cfg.String("account_sid")))
	case ans.status != http.StatusOK:
		return fmt.Errorf("Twilio answered %s", ans.describe())
	case !c.byKey && acct.Status != "active":
		return fmt.Errorf("the Twilio account is %s, not active", acct.Status)
	}
	return nil
}
