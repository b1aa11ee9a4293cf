package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

const (
	// maxPayload is FCM's documented limit for a message's payload, keys
	// and values included: 4096 bytes.
	maxPayload = 4096
	// defaultRetry is the wait for a 5xx or a network failure without
	// Retry-After.
	defaultRetry = 30 * time.Second
	// quotaRetry: FCM asks for "exponential backoff with a minimum initial
	// delay of 1 minute" after QUOTA_EXCEEDED without Retry-After.
	quotaRetry = time.Minute
	// maxRetry caps a Retry-After: the host refuses longer waits.
	maxRetry = 24 * time.Hour
	// Token lengths outside these bounds cannot be FCM registration
	// tokens (they are about 150 to 200 characters).
	minTokenLen, maxTokenLen = 32, 4096
)

type options struct {
	priority string
	ttl      *time.Duration
	data     map[string]string
}

type session struct {
	sendURL string
	project string
	client  *http.Client
	timeout time.Duration
	conc    int
	tokens  *tokens
	opts    options
	now     func() time.Time // for apns-expiration; nil is time.Now
}

func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: s.conc} }

func (s *session) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// The v1 request body, with the snake_case names of FCM's documentation.
type sendRequest struct {
	Message fcmMessage `json:"message"`
}

type fcmMessage struct {
	Token        string            `json:"token"`
	Notification *notification     `json:"notification,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	Android      *androidConfig    `json:"android,omitempty"`
	APNs         *headersConfig    `json:"apns,omitempty"`
	Webpush      *headersConfig    `json:"webpush,omitempty"`
	FCMOptions   *fcmOptions       `json:"fcm_options,omitempty"`
}

type notification struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

type androidConfig struct {
	Priority string `json:"priority,omitempty"`
	TTL      string `json:"ttl,omitempty"`
}

type headersConfig struct {
	Headers map[string]string `json:"headers"`
}

type fcmOptions struct {
	AnalyticsLabel string `json:"analytics_label"`
}

// build turns a message into FCM's request body: the subject is the
// notification's title, the text its body, the channel's data setting the
// data, the campaign the analytics label (so the Firebase console's
// delivery reports are per campaign).
func (o options) build(m sdk.Message, now time.Time) sendRequest {
	msg := fcmMessage{Token: strings.TrimSpace(m.To), Data: o.data}
	if m.Subject != "" || m.Text != "" {
		msg.Notification = &notification{Title: m.Subject, Body: m.Text}
	}
	if len(msg.Data) == 0 {
		msg.Data = nil
	}
	if o.priority != "" || o.ttl != nil {
		msg.Android = &androidConfig{Priority: o.priority}
	}
	if o.ttl != nil {
		secs := int64(*o.ttl / time.Second)
		msg.Android.TTL = strconv.FormatInt(secs, 10) + "s"
		// Apple takes an expiry date (0: deliver now or never); web push a
		// TTL header in seconds.
		exp := "0"
		if secs > 0 {
			exp = strconv.FormatInt(now.Unix()+secs, 10)
		}
		msg.APNs = &headersConfig{Headers: map[string]string{"apns-expiration": exp}}
		msg.Webpush = &headersConfig{Headers: map[string]string{"TTL": strconv.FormatInt(secs, 10)}}
	}
	if l := analyticsLabel(m.Campaign); l != "" {
		msg.FCMOptions = &fcmOptions{AnalyticsLabel: l}
	}
	return sendRequest{Message: msg}
}

// analyticsLabel makes FCM's analytics label (^[a-zA-Z0-9-_.~%]{1,50}$)
// from a campaign name: other bytes are percent-encoded, and the label is
// cut to 50 characters without splitting an escape.
func analyticsLabel(campaign string) string {
	var b strings.Builder
	for i := 0; i < len(campaign); i++ {
		c := campaign[i]
		var part string
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~':
			part = string(c)
		default:
			part = fmt.Sprintf("%%%02X", c)
		}
		if b.Len()+len(part) > 50 {
			break
		}
		b.WriteString(part)
	}
	return b.String()
}

// payloadSize is what counts against FCM's 4096 bytes: the JSON of the
// notification and the data. It is a little more than FCM counts (keys and
// values), so a message that passes here passes there.
func payloadSize(r sendRequest) int {
	b, _ := json.Marshal(struct {
		N *notification     `json:"notification,omitempty"`
		D map[string]string `json:"data,omitempty"`
	}{r.Message.Notification, r.Message.Data})
	return len(b)
}

// tokenProblem says what is wrong with a device token, in the user's words.
func tokenProblem(tok string) string {
	switch {
	case tok == "":
		return "no push token"
	case strings.ContainsAny(tok, " \t\r\n"):
		return "the push token has spaces or line breaks in it"
	case len(tok) < minTokenLen:
		return "the push token is too short to be an FCM registration token"
	case len(tok) > maxTokenLen:
		return "the push token is too long to be an FCM registration token"
	}
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return "the push token has characters an FCM registration token cannot have"
		}
	}
	return ""
}

// CheckMessage checks a rendered message at preview, offline.
func (c channel) CheckMessage(cfg sdk.Config, m sdk.Message) sdk.MessageCheck {
	var chk sdk.MessageCheck
	if p := tokenProblem(strings.TrimSpace(m.To)); p != "" {
		chk.Problems = append(chk.Problems, p)
	}
	cfg = c.Spec().WithDefaults(cfg)
	data, err := parseData(cfg.String("data"))
	if err != nil {
		chk.Problems = append(chk.Problems, "the channel's data setting: "+err.Error())
	}
	switch {
	case m.Subject == "" && m.Text == "":
		chk.Problems = append(chk.Problems, "the push has neither a title (subject) nor a text")
	case m.Subject == "":
		chk.Notes = append(chk.Notes, "no title: phones show the app's name instead")
	case m.Text == "":
		chk.Notes = append(chk.Notes, "no text: only the title is shown")
	}
	if n := payloadSize(options{data: data}.build(m, time.Now())); n > maxPayload {
		chk.Problems = append(chk.Problems, fmt.Sprintf("the push is %d bytes, over FCM's limit of %d: shorten the text", n, maxPayload))
	}
	return chk
}

func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	tok := strings.TrimSpace(m.To)
	if p := tokenProblem(tok); p != "" {
		return sdk.Rejected(p)
	}
	if m.Subject == "" && m.Text == "" {
		return sdk.Rejected("the push has neither a title (subject) nor a text")
	}
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	req := s.opts.build(m, now())
	if n := payloadSize(req); n > maxPayload {
		return sdk.Rejected(fmt.Sprintf("the push is %d bytes, over FCM's limit of %d", n, maxPayload))
	}
	body, _ := json.Marshal(req)
	for attempt := 0; ; attempt++ {
		access, err := s.tokens.get(ctx)
		if err != nil {
			return authResult(err)
		}
		r, unauthenticated := s.post(ctx, access, body)
		if !unauthenticated {
			return r
		}
		// FCM refused the access token (expired early, revoked): fetch a
		// new one and try once more.
		s.tokens.invalidate(access)
		if attempt == 1 {
			return sdk.RetryAfter(authRetry, "FCM refused the service account's access token twice: check that the key is valid and belongs to project "+s.project)
		}
	}
}

func authResult(err error) sdk.Result {
	var ae *authError
	if errors.As(err, &ae) {
		return sdk.RetryAfter(ae.after, ae.reason)
	}
	return sdk.RetryAfter(defaultRetry, err.Error())
}

// googleStatus is FCM's error body (google.rpc.Status).
type googleStatus struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"`
			FieldViolations []struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			} `json:"fieldViolations"`
		} `json:"details"`
	} `json:"error"`
}

const fcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

// post sends one request and maps the answer; unauthenticated reports a
// 401 for the access token itself (not THIRD_PARTY_AUTH_ERROR).
func (s *session) post(ctx context.Context, access string, body []byte) (sdk.Result, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.sendURL, bytes.NewReader(body))
	if err != nil {
		return sdk.Rejected("cannot build the request: " + err.Error()), false
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		// The request may have reached FCM: its fate is unknown, so retry.
		return sdk.RetryAfter(defaultRetry, "FCM did not answer: "+unwrapURLError(err).Error()), false
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 256<<10))
	if resp.StatusCode == http.StatusOK {
		var v struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(rb, &v) != nil || v.Name == "" {
			// Accepted, but the answer is not FCM's: do not send again.
			return sdk.Delivered(""), false
		}
		return sdk.Delivered(v.Name), false
	}
	var st googleStatus
	json.Unmarshal(rb, &st)
	code, tokenField := "", false
	for _, d := range st.Error.Details {
		if d.Type == fcmErrorType && d.ErrorCode != "" {
			code = d.ErrorCode
		}
		for _, fv := range d.FieldViolations {
			if fv.Field == "message.token" {
				tokenField = true
			}
		}
	}
	msg := clip(oneLine(st.Error.Message), 200)
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	after := func(def time.Duration) time.Duration {
		if h := resp.Header.Get("Retry-After"); h != "" {
			return retryAfter(h, time.Now())
		}
		return def
	}
	switch {
	case code == "UNREGISTERED":
		return sdk.Undeliverable("the device token is no longer registered with FCM (app uninstalled or token expired)"), false
	case code == "SENDER_ID_MISMATCH":
		return sdk.Rejected("the device token belongs to another Firebase project than " + s.project + " (SENDER_ID_MISMATCH)"), false
	case code == "THIRD_PARTY_AUTH_ERROR":
		return sdk.Rejected("FCM could not pass the message on to Apple or web push: the APNs key or certificate (or web push key) of project " + s.project + " is missing or invalid (THIRD_PARTY_AUTH_ERROR)"), false
	case code == "QUOTA_EXCEEDED" || resp.StatusCode == http.StatusTooManyRequests:
		return sdk.RetryAfter(after(quotaRetry), "FCM's sending quota is exceeded: "+msg), false
	case code == "UNAVAILABLE" || code == "INTERNAL" || resp.StatusCode >= 500:
		r := sdk.RetryAfter(after(defaultRetry), fmt.Sprintf("FCM is unavailable (HTTP %d): %s", resp.StatusCode, msg))
		return r, false
	case resp.StatusCode == http.StatusUnauthorized:
		return sdk.Result{}, true
	case code == "INVALID_ARGUMENT" || resp.StatusCode == http.StatusBadRequest:
		// FCM uses INVALID_ARGUMENT for a bad token and for a bad message;
		// only the first makes the address dead.
		if tokenField || strings.Contains(strings.ToLower(st.Error.Message), "registration token") {
			return sdk.Undeliverable("the device token is not a valid FCM registration token"), false
		}
		return sdk.Rejected("FCM refused the message: " + msg), false
	case resp.StatusCode == http.StatusForbidden:
		return sdk.RetryAfter(authRetry, "the service account may not send messages in project "+s.project+
			" (give it the Firebase Cloud Messaging API Admin role, and enable the FCM API): "+msg), false
	case resp.StatusCode == http.StatusNotFound:
		return sdk.RetryAfter(authRetry, "FCM does not know project "+s.project+": "+msg), false
	default:
		return sdk.Rejected(fmt.Sprintf("FCM refused the message (HTTP %d): %s", resp.StatusCode, msg)), false
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return defaultRetry
		}
		return time.Duration(min(n, int64(maxRetry/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(0, t.Sub(now).Round(time.Second)), maxRetry)
	}
	return defaultRetry
}
