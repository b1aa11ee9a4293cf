// Command webhook is Marketbench's webhook channel: it POSTs every message
// as JSON to a URL the user configures, signed with HMAC-SHA256, one
// message per request or several in a batch. It uses only the public SDK.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/marketbench/marketbench/sdk"
)

const (
	// defaultRetry is the wait a 429/5xx without Retry-After, or a network
	// failure, asks for.
	defaultRetry = 30 * time.Second
	// maxRetry caps a server's Retry-After: the host refuses longer waits.
	maxRetry = 24 * time.Hour
	// batchWait is how long a batch waits to fill before it goes out part
	// full, so the last messages of a run are not held back.
	batchWait = 200 * time.Millisecond
)

// Header names the receiver sees.
const (
	hdrSignature = "X-Marketbench-Signature"
	hdrTimestamp = "X-Marketbench-Timestamp"
	hdrKey       = "Idempotency-Key"
)

func plugin() sdk.Plugin {
	return sdk.Plugin{ID: "marketbench.org/webhook", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "webhook",
		Title:       "Webhook",
		Description: "POSTs each message as signed JSON to your URL (one request per message, or batches).",
		Config: []sdk.Field{
			{Name: "url", Type: sdk.URL, Title: "URL", Required: true, Help: "Where the messages are POSTed."},
			{Name: "secret", Type: sdk.Secret, Title: "Signing secret", Help: "Signs each body: X-Marketbench-Signature: sha256=<hex HMAC-SHA256 of the body>. Without it requests are unsigned."},
			{Name: "authorization", Type: sdk.Secret, Title: "Authorization header", Advanced: true, Help: "Sent as the Authorization header, e.g. \"Bearer abc123\"."},
			{Name: "batch_size", Type: sdk.Int, Title: "Messages per request", Default: "1", Help: "Above 1, messages go as {\"messages\": [...]} in one request; every message gets the request's outcome."},
			{Name: "concurrency", Type: sdk.Int, Title: "Parallel requests", Default: "8", Help: "How many messages are in flight at once (1 to 64); after a crash of the app at most this many (times the batch size) may have an unknown fate."},
			{Name: "timeout", Type: sdk.Duration, Title: "Timeout", Default: "10s", Help: "For each request; a request that takes longer is retried later."},
			{Name: "headers", Type: sdk.Text, Title: "Extra headers", Advanced: true, Help: "One \"Name: value\" per line. Put credentials in the Authorization header setting, which is kept secret."},
		},
		// The receiver keys its records by customer and usually mails or
		// matches them by address; it gets nothing else about a customer.
		Fields: []string{"customer_id", "email"},
	}
}

// reserved headers are set by the plugin and cannot be overridden.
var reserved = []string{"content-type", "content-length", "host", "idempotency-key", "authorization", "x-marketbench-signature", "x-marketbench-timestamp"}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	if n := cfg.Int("batch_size", 1); n < 1 || n > 1000 {
		errs = append(errs, sdk.FieldError{Field: "batch_size", Message: "must be between 1 and 1000"})
	}
	if n := cfg.Int("concurrency", 8); n < 1 || n > 64 {
		errs = append(errs, sdk.FieldError{Field: "concurrency", Message: "must be between 1 and 64"})
	}
	if d := cfg.Duration("timeout", 10*time.Second); d <= 0 {
		errs = append(errs, sdk.FieldError{Field: "timeout", Message: "must be longer than zero"})
	}
	if _, err := parseHeaders(cfg.String("headers")); err != nil {
		errs = append(errs, sdk.FieldError{Field: "headers", Message: err.Error()})
	}
	return errs
}

// parseHeaders reads "Name: value" lines.
func parseHeaders(text string) (http.Header, error) {
	h := http.Header{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		switch {
		case !ok || !isToken(name):
			return nil, fmt.Errorf("line %d is not \"Name: value\"", i+1)
		case strings.EqualFold(name, "authorization"):
			return nil, errors.New("put the Authorization header in its own (secret) setting")
		case slices.Contains(reserved, strings.ToLower(name)):
			return nil, fmt.Errorf("%s is set by the plugin", name)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

func isToken(s string) bool {
	return s != "" && strings.Trim(s, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == ""
}

func (c channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	s, err := c.open(cfg, secrets)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, s.url, nil)
	if err != nil {
		return err
	}
	s.addHeaders(req)
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %v", s.url, unwrapURLError(err))
	}
	resp.Body.Close()
	return nil // any HTTP answer, even 404 or 405 to a HEAD, means it is reachable
}

func (c channel) Open(_ context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	return c.open(cfg, secrets)
}

func (c channel) open(cfg sdk.Config, secrets sdk.Secrets) (*session, error) {
	// The host checks the declared types before Open, but not Validate.
	if errs := c.Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	u, err := url.Parse(cfg.String("url"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the URL %q is not an http or https address", cfg.String("url"))
	}
	hdr, err := parseHeaders(cfg.String("headers"))
	if err != nil {
		return nil, fmt.Errorf("headers: %v", err)
	}
	conc := max(1, cfg.Int("concurrency", 8))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conc // keep a connection per parallel request alive
	ctx, cancel := context.WithCancel(context.Background())
	return &session{
		url: u.String(), secret: []byte(secrets["secret"]), auth: secrets["authorization"], headers: hdr,
		batch: max(1, cfg.Int("batch_size", 1)), conc: conc, timeout: cfg.Duration("timeout", 10*time.Second),
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			// Following a redirect would turn the POST into a GET and drop
			// the body; the 3xx is reported instead.
			return http.ErrUseLastResponse
		}},
		ctx: ctx, cancel: cancel,
	}, nil
}

type session struct {
	url     string
	secret  []byte
	auth    string
	headers http.Header
	batch   int
	conc    int
	timeout time.Duration
	client  *http.Client
	// ctx outlives any one Send: a batch carries several callers' messages.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	pending []*waiter
	gen     int // which batch a batchWait timer belongs to
}

// Limits lets `concurrency` requests run at once; with batches, enough
// messages are in flight to fill that many batches.
func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: s.conc * s.batch} }

func (s *session) Close() error {
	s.cancel()
	s.client.CloseIdleConnections()
	return nil
}

// payload is one message as the receiver sees it.
type payload struct {
	ID             string            `json:"id"`
	IdempotencyKey string            `json:"idempotency_key"`
	To             string            `json:"to"`
	Subject        string            `json:"subject"`
	Text           string            `json:"text"`
	HTML           string            `json:"html"`
	Campaign       string            `json:"campaign"`
	Variant        string            `json:"variant"`
	Fields         map[string]string `json:"fields"`
}

func toPayload(m sdk.Message) payload {
	return payload{ID: m.ID, IdempotencyKey: m.IdempotencyKey, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		Campaign: m.Campaign, Variant: m.Variant, Fields: m.Fields}
}

func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	if s.batch == 1 {
		body, _ := json.Marshal(toPayload(m))
		return s.post(ctx, body, m.IdempotencyKey, m.IdempotencyKey)
	}
	return s.enqueue(m)
}

// Batching. Send calls arrive concurrently (MaxInFlight); each adds its
// message to the open batch and waits. The call that fills the batch, or
// a timer batchWait after its first message, POSTs it and hands the one
// outcome to every waiter, so each message gets exactly one result.

type waiter struct {
	m   sdk.Message
	res chan sdk.Result
}

func (s *session) enqueue(m sdk.Message) sdk.Result {
	w := &waiter{m: m, res: make(chan sdk.Result, 1)}
	s.mu.Lock()
	s.pending = append(s.pending, w)
	var full []*waiter
	switch {
	case len(s.pending) >= s.batch:
		full = s.take()
	case len(s.pending) == 1:
		gen := s.gen
		time.AfterFunc(batchWait, func() {
			s.mu.Lock()
			var due []*waiter
			if s.gen == gen { // else that batch already went out full
				due = s.take()
			}
			s.mu.Unlock()
			s.flush(due)
		})
	}
	s.mu.Unlock()
	s.flush(full)
	// The batch is sent whatever this caller's context does (it carries
	// other messages) and is bounded by the timeout, so this returns.
	return <-w.res
}

// take removes the open batch; s.mu is held.
func (s *session) take() []*waiter {
	b := s.pending
	s.pending = nil
	s.gen++
	return b
}

func (s *session) flush(ws []*waiter) {
	if len(ws) == 0 {
		return
	}
	msgs := make([]payload, len(ws))
	keys := make([]string, len(ws))
	for i, w := range ws {
		msgs[i] = toPayload(w.m)
		keys[i] = w.m.IdempotencyKey
	}
	body, _ := json.Marshal(map[string][]payload{"messages": msgs})
	r := s.post(s.ctx, body, batchKey(keys), "")
	for _, w := range ws {
		wr := r
		if r.Outcome == sdk.OutcomeDelivered && wr.ProviderID == "" {
			wr.ProviderID = w.m.IdempotencyKey
		}
		w.res <- wr
	}
}

// batchKey is the batch's Idempotency-Key: a hash of its messages' keys, so
// a resend of the same batch carries the same key. Batches are formed by
// arrival, so a retry may group messages differently: receivers should
// deduplicate on each message's idempotency_key in the body.
func batchKey(keys []string) string {
	keys = slices.Clone(keys)
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return "batch-" + hex.EncodeToString(sum[:16])
}

func (s *session) addHeaders(req *http.Request) {
	for k, v := range s.headers {
		req.Header[k] = v
	}
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	req.Header.Set("User-Agent", "Marketbench-Webhook/1.0")
}

// post sends one request and turns the answer into a result. fallbackID
// is the provider id when the response names none ("" in batch mode,
// where each message's own key is used).
func (s *session) post(ctx context.Context, body []byte, key, fallbackID string) sdk.Result {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return sdk.Rejected("cannot build the request: " + err.Error())
	}
	s.addHeaders(req)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(hdrTimestamp, strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set(hdrKey, key)
	if len(s.secret) > 0 {
		req.Header.Set(hdrSignature, "sha256="+sign(s.secret, body))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return sdk.RetryAfter(defaultRetry, "the webhook did not answer: "+unwrapURLError(err).Error())
	}
	defer resp.Body.Close()
	// Read a bounded amount, and drain a little more so the connection
	// can be reused.
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 256<<10))
	status := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		if id := responseID(rb); id != "" {
			return sdk.Delivered(id)
		}
		return sdk.Delivered(fallbackID)
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		return sdk.RetryAfter(retryAfter(resp.Header.Get("Retry-After"), time.Now()), withExcerpt(status, rb))
	case code >= 300 && code < 400:
		return sdk.Rejected(status + ": the webhook redirects to " + resp.Header.Get("Location") + "; configure that URL instead")
	default:
		return sdk.Rejected(withExcerpt(status, rb))
	}
}

// sign is the hex HMAC-SHA256 of body with secret.
func sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// responseID is a 2xx body's "id" field, if it is JSON and has one.
func responseID(b []byte) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(b, &v) != nil || len(v.ID) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v.ID, &s) == nil {
		return s
	}
	if n := strings.TrimSpace(string(v.ID)); n != "null" && !strings.ContainsAny(n, "{[\"") {
		return n // a number
	}
	return ""
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return defaultRetry
	}
	var d time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return defaultRetry
		}
		d = time.Duration(min(n, int64(maxRetry/time.Second))) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = max(0, t.Sub(now).Round(time.Second))
	} else {
		return defaultRetry
	}
	return min(d, maxRetry)
}

// withExcerpt adds the start of a response body, on one line, to status.
func withExcerpt(status string, body []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "")), " ")
	if s == "" {
		return status
	}
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return status + ": " + s
}

// unwrapURLError drops net/http's `Post "url": ` prefix, which repeats
// what the user configured.
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
