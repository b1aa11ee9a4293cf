// Command fcm-push is Marketbench's mobile push channel: it sends each
// message as a notification to one device through Firebase Cloud Messaging
// (the HTTP v1 API), authenticated with a Google service-account key. It
// uses only the public SDK and the Go standard library.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

const (
	component = "fcm-push"
	fcmBase   = "https://fcm.googleapis.com"
	// maxTTL is FCM's longest time to live: 28 days.
	maxTTL = 28 * 24 * time.Hour
)

func plugin() sdk.Plugin {
	return sdk.Plugin{ID: "marketbench.org/fcm-push", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        component,
		Title:       "Mobile push (Firebase Cloud Messaging)",
		Description: "Sends each message as a push notification to the customer's device through Firebase Cloud Messaging: the subject is the title, the text the body.",
		Config: []sdk.Field{
			{Name: "service_account_json", Type: sdk.Secret, Title: "Service account key (JSON)", Required: true,
				Help: "The whole .json key file of a service account of your Firebase project (Project settings → Service accounts → Generate new private key)."},
			{Name: "project_id", Type: sdk.String, Title: "Firebase project ID", Advanced: true,
				Help: "Empty: the project_id of the key file. Set it only when the service account belongs to another project."},
			{Name: "android_priority", Type: sdk.Enum, Title: "Android priority", Enum: []string{"high", "normal"}, Default: "high",
				Help: "high wakes a sleeping device at once (FCM's default for notifications); normal lets Android wait to save battery."},
			{Name: "ttl", Type: sdk.Duration, Title: "Time to live", Advanced: true,
				Help: "How long FCM keeps a message for a device that is offline (at most 672h, 28 days). Empty: FCM's default, 28 days. 0s: now or never."},
			{Name: "data", Type: sdk.Text, Title: "Data for the app", Advanced: true,
				Help: "One \"key: value\" per line, sent with every message of this channel in the data field (e.g. \"screen: offers\"); the same for every customer."},
			{Name: "concurrency", Type: sdk.Int, Title: "Parallel requests", Default: "8", Help: "How many messages are sent at once (1 to 32)."},
			{Name: "timeout", Type: sdk.Duration, Title: "Timeout", Default: "15s", Help: "For each request; a message whose request takes longer is retried later."},
			{Name: "endpoint", Type: sdk.URL, Title: "FCM address (tests only)", Advanced: true,
				Help: "Replaces https://fcm.googleapis.com; only a local test server is allowed."},
		},
		// The token is the address; the customer id keys the results.
		Fields: []string{"customer_id", "push_token"},
	}
}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	if n := cfg.Int("concurrency", 8); n < 1 || n > 32 {
		errs = append(errs, sdk.FieldError{Field: "concurrency", Message: "must be between 1 and 32"})
	}
	if d := cfg.Duration("timeout", 15*time.Second); d <= 0 {
		errs = append(errs, sdk.FieldError{Field: "timeout", Message: "must be longer than zero"})
	}
	if v := strings.TrimSpace(cfg.String("ttl")); v != "" {
		if d, err := time.ParseDuration(v); err == nil && (d < 0 || d > maxTTL) {
			errs = append(errs, sdk.FieldError{Field: "ttl", Message: "must be between 0s and 672h (28 days)"})
		}
	}
	if _, err := parseData(cfg.String("data")); err != nil {
		errs = append(errs, sdk.FieldError{Field: "data", Message: err.Error()})
	}
	if p := strings.TrimSpace(cfg.String("project_id")); p != "" && !validProjectID(p) {
		errs = append(errs, sdk.FieldError{Field: "project_id", Message: "is not a Firebase project ID (lower-case letters, digits and dashes)"})
	}
	if e := strings.TrimSpace(cfg.String("endpoint")); e != "" {
		if msg := checkEndpoint(e); msg != "" {
			errs = append(errs, sdk.FieldError{Field: "endpoint", Message: msg})
		}
	}
	return errs
}

// checkEndpoint keeps the manifest's hosts true: only a local test server
// may replace FCM.
func checkEndpoint(e string) string {
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http or https address"
	}
	if !isLoopback(u.Hostname()) {
		return "only a local test server may replace fcm.googleapis.com"
	}
	return ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validProjectID: Google Cloud project ids are 6 to 30 lower-case letters,
// digits and dashes, starting with a letter (older ones may hold a domain
// prefix "example.com:").
func validProjectID(p string) bool {
	if _, after, ok := strings.Cut(p, ":"); ok {
		p = after
	}
	if len(p) < 4 || len(p) > 63 || p[0] < 'a' || p[0] > 'z' {
		return false
	}
	return strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// parseData reads "key: value" (or "key=value") lines; blank lines are
// skipped. Keys FCM keeps for itself are refused.
func parseData(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cut := strings.IndexAny(line, ":=")
		if cut <= 0 {
			return nil, fmt.Errorf("line %d is not \"key: value\"", i+1)
		}
		k, v := strings.TrimSpace(line[:cut]), strings.TrimSpace(line[cut+1:])
		switch {
		case strings.ContainsAny(k, " \t"):
			return nil, fmt.Errorf("line %d: the key %q has a space in it", i+1, k)
		case k == "from" || k == "gcm" || strings.HasPrefix(strings.ToLower(k), "google"):
			return nil, fmt.Errorf("line %d: FCM keeps the key %q for itself (from, gcm and google…)", i+1, k)
		case out[k] != "":
			return nil, fmt.Errorf("line %d: the key %q is given twice", i+1, k)
		}
		out[k] = v
	}
	return out, nil
}

// Check fetches an access token with the key: it proves the key file is
// whole, the key is not deleted or disabled and the clock is right. It
// sends nothing. (Whether the account may send in the project shows at the
// first send.)
func (c channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	s, err := c.open(cfg, secrets)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.tokens.get(ctx); err != nil {
		return err
	}
	return nil
}

func (c channel) Open(_ context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	return c.open(cfg, secrets)
}

func (c channel) open(cfg sdk.Config, secrets sdk.Secrets) (*session, error) {
	cfg = c.Spec().WithDefaults(cfg)
	if errs := c.Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	creds, err := parseServiceAccount(secrets["service_account_json"])
	if err != nil {
		return nil, err
	}
	project := strings.TrimSpace(cfg.String("project_id"))
	if project == "" {
		project = creds.projectID
	}
	base := fcmBase
	if e := strings.TrimSpace(cfg.String("endpoint")); e != "" {
		base = strings.TrimRight(e, "/")
	}
	data, _ := parseData(cfg.String("data"))
	conc := cfg.Int("concurrency", 8)
	timeout := cfg.Duration("timeout", 15*time.Second)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conc
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // FCM does not redirect; never carry the token elsewhere
	}}
	s := &session{
		sendURL: base + "/v1/projects/" + url.PathEscape(project) + "/messages:send",
		project: project, client: client, timeout: timeout, conc: conc,
		tokens: newTokens(creds, client, timeout),
		opts:   options{priority: cfg.String("android_priority"), data: data},
	}
	if v := strings.TrimSpace(cfg.String("ttl")); v != "" {
		d, _ := time.ParseDuration(v)
		s.opts.ttl = &d
	}
	return s, nil
}

// unwrapURLError drops net/http's `Post "url": ` prefix.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.DeadlineExceeded) {
			return errors.New("timed out")
		}
		return ue.Err
	}
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ") }

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
