package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
)

const (
	// defaultRetry is the wait a 429/5xx without Retry-After, or a network
	// failure, asks for.
	defaultRetry = 30 * time.Second
	// settingsRetry is the wait when Twilio refuses the credentials or the
	// sender: nothing will go out until the user fixes the settings, and
	// the host pauses the send after repeated failures.
	settingsRetry = 10 * time.Minute
	// maxRetry caps a Retry-After: the host refuses longer waits.
	maxRetry = 24 * time.Hour
	// maxBody is the longest Body Twilio takes (error 21617), in UTF-16
	// code units.
	maxBody = 1600
)

// answer is one HTTP response from Twilio, read.
type answer struct {
	status     int
	retryAfter string
	code       int    // Twilio's error code, 0 if none
	message    string // Twilio's error message
	body       []byte
}

func (a answer) describe() string {
	s := fmt.Sprintf("HTTP %d", a.status)
	if a.code != 0 {
		s += fmt.Sprintf(", error %d", a.code)
	}
	if a.message != "" {
		s += ": " + oneLine(a.message)
	}
	return s
}

// do sends one request with the credentials and reads the answer; into,
// if not nil, receives a 2xx JSON body.
func (c *api) do(ctx context.Context, method, path string, form url.Values, into any) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return answer{}, err
	}
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Marketbench-Twilio-SMS/1.0")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, unwrapURLError(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: b}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if into != nil {
			if err := json.Unmarshal(b, into); err != nil {
				return a, fmt.Errorf("Twilio's answer is not the JSON expected: %v", err)
			}
		}
		return a, nil
	}
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil {
		a.code, a.message = e.Code, e.Message
	}
	return a, nil
}

func (c *api) get(ctx context.Context, path string, into any) (answer, error) {
	return c.do(ctx, http.MethodGet, path, nil, into)
}

// unwrapURLError drops net/http's `Get "url": ` prefix.
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

func (channel) Open(_ context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	conc := max(1, cfg.Int("concurrency", 4))
	c, err := newClient(cfg, secrets, conc)
	if err != nil {
		return nil, err
	}
	s := &session{c: c, conc: conc, region: regionOf(cfg), service: strings.TrimSpace(cfg.String("messaging_service_sid")),
		callback: strings.TrimSpace(cfg.String("status_callback"))}
	if f := strings.TrimSpace(cfg.String("from")); f != "" {
		s.from, _ = sender(f, s.region) // Validate accepted it
	}
	if r := cfg.Float("messages_per_second", 0); r > 0 {
		s.interval = time.Duration(float64(time.Second) / r)
	}
	return s, nil
}

type session struct {
	c        *api
	conc     int
	region   string
	from     string
	service  string
	callback string

	interval time.Duration // between messages; 0 = no limit
	mu       sync.Mutex
	next     time.Time // when the next message may go
}

func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: s.conc} }

func (s *session) Close() error {
	s.c.http.CloseIdleConnections()
	return nil
}

// wait holds a message until its turn under messages_per_second.
func (s *session) wait(ctx context.Context) error {
	if s.interval == 0 {
		return nil
	}
	s.mu.Lock()
	now := time.Now()
	at := s.next
	if at.Before(now) {
		at = now
	}
	s.next = at.Add(s.interval)
	s.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	to, err := phone.E164(m.To, s.region)
	switch {
	case errors.Is(err, phone.ErrEmpty):
		return sdk.Rejected("the customer has no phone number")
	case err != nil:
		return sdk.Undeliverable(fmt.Sprintf("%q is not a phone number: %s", m.To, reason(err)))
	case strings.TrimSpace(m.Text) == "":
		return sdk.Rejected("the message has no text")
	case utf16Len(m.Text) > maxBody:
		return sdk.Rejected(fmt.Sprintf("the text is %d characters long; Twilio takes at most 1,600", utf16Len(m.Text)))
	}
	if err := s.wait(ctx); err != nil {
		return sdk.RetryAfter(0, "the send was stopped before this message went out")
	}
	form := url.Values{"To": {to}, "Body": {m.Text}}
	if s.service != "" {
		form.Set("MessagingServiceSid", s.service)
	} else {
		form.Set("From", s.from)
	}
	if s.callback != "" {
		form.Set("StatusCallback", s.callback)
	}
	var created struct {
		Sid string `json:"sid"`
	}
	a, err := s.c.do(ctx, http.MethodPost, "/Messages.json", form, &created)
	if err != nil {
		// The request may have reached Twilio: its fate is unknown, so it
		// is never a rejection.
		return sdk.RetryAfter(defaultRetry, "Twilio did not answer: "+err.Error())
	}
	if a.status == http.StatusCreated || a.status == http.StatusOK {
		if created.Sid == "" {
			return sdk.RetryAfter(defaultRetry, "Twilio accepted the message but named no message SID")
		}
		return sdk.Delivered(created.Sid)
	}
	return outcome(a, time.Now())
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// outcome maps a refusal to a result. The table is in the docs
// (docs/channels/twilio-sms.md); keep them together.
func outcome(a answer, now time.Time) sdk.Result {
	why := a.describe()
	switch a.code {
	case 21211:
		return sdk.Undeliverable("not a valid phone number (" + why + ")")
	case 21614:
		return sdk.Undeliverable("not a mobile number (" + why + ")")
	case 21610:
		return sdk.Undeliverable("the recipient replied STOP and is unsubscribed (" + why + ")")
	case 21408:
		return sdk.Rejected("SMS to this country is not enabled in the Twilio account's geographic permissions (" + why + ")")
	case 21612:
		return sdk.Rejected("Twilio cannot route SMS to this number from this sender (" + why + ")")
	case 21608:
		return sdk.Rejected("a trial account sends only to verified numbers (" + why + ")")
	case 21617:
		return sdk.Rejected("the text is too long for Twilio (" + why + ")")
	case 21602, 21619:
		return sdk.Rejected("the message has no text (" + why + ")")
	case 21603, 21606, 21705:
		// The sender is wrong for every message: the settings need fixing.
		return sdk.RetryAfter(settingsRetry, "Twilio refused the sender: check From or the Messaging Service SID ("+why+")")
	case 20003:
		return sdk.RetryAfter(settingsRetry, refusedCredentials)
	case 20429:
		return sdk.RetryAfter(retryAfter(a.retryAfter, now), "Twilio is throttling the account ("+why+")")
	}
	switch code := a.status; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return sdk.RetryAfter(settingsRetry, refusedCredentials)
	case code == http.StatusNotFound:
		return sdk.RetryAfter(settingsRetry, "Twilio does not know this account ("+why+")")
	case code == http.StatusTooManyRequests:
		return sdk.RetryAfter(retryAfter(a.retryAfter, now), "Twilio is throttling the account ("+why+")")
	case code >= 500 || code == http.StatusRequestTimeout:
		return sdk.RetryAfter(retryAfter(a.retryAfter, now), "Twilio had a server error ("+why+")")
	case code >= 300 && code < 400:
		return sdk.RetryAfter(settingsRetry, "Twilio answered with a redirect ("+why+")")
	}
	return sdk.Rejected("Twilio refused the message (" + why + ")")
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return defaultRetry
	}
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

// oneLine makes a provider message safe for a reason: one line, at most
// 200 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
