package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Defaults of the Ollama connection.
const (
	DefaultURL   = "http://localhost:11434"
	DefaultModel = "llama3.2"
	// DefaultTimeout bounds a whole generation.
	DefaultTimeout = 5 * time.Minute
	// DefaultIdle is how long Ollama may stay silent (loading a model,
	// then between chunks) before the request is given up.
	DefaultIdle = 90 * time.Second
)

// Config is how to reach Ollama.
type Config struct {
	// URL of the Ollama server; "" means $OLLAMA_HOST, else DefaultURL.
	URL string
	// Model to write with; "" means DefaultModel.
	Model string
	// Timeout bounds a whole generation, Idle a silence; 0 means the
	// defaults.
	Timeout, Idle time.Duration
	// HTTPClient is optional.
	HTTPClient *http.Client
}

// ResolveURL is the Ollama URL to use: the setting when given, else
// $OLLAMA_HOST (which Ollama itself reads, and may be "host:port" or
// "0.0.0.0"), else DefaultURL.
func ResolveURL(setting string) (string, error) {
	raw := strings.TrimSpace(setting)
	if raw == "" {
		raw = strings.TrimSpace(os.Getenv("OLLAMA_HOST"))
	}
	if raw == "" {
		return DefaultURL, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", i18n.Errorf("%q is not an Ollama URL; use one like %s", raw, DefaultURL)
	}
	host, port := u.Hostname(), u.Port()
	if host == "0.0.0.0" || host == "::" {
		host = "localhost" // Ollama listens on every interface; connect locally
	}
	if port == "" && u.Scheme == "http" && !strings.Contains(u.Host, ":") {
		port = "11434"
	}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else {
		u.Host = host
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// UnreachableError: nothing answers at the URL.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string { return english(e.Message()) }

// Message is the error as a format and its arguments, which i18n.Error
// translates.
func (e *UnreachableError) Message() (string, []any) {
	return i18n.Mark("Ollama is not running at %s (%s). Start it with: ollama serve   (install it from https://ollama.com), " +
		"or set the right URL in Settings, with --url or in OLLAMA_HOST"), []any{e.URL, shortNetError(e.Err)}
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Fix is the command that fixes it.
func (e *UnreachableError) Fix() string { return "ollama serve" }

// ModelMissingError: Ollama runs but does not have the model.
type ModelMissingError struct {
	Model string
	// Installed are the models Ollama has, when known.
	Installed []string
}

func (e *ModelMissingError) Error() string { return english(e.Message()) }

// Message is the error as a format and its arguments, which i18n.Error
// translates.
func (e *ModelMissingError) Message() (string, []any) {
	if len(e.Installed) > 0 {
		return i18n.Mark("the model %q is not installed in Ollama. Install it with: ollama pull %s   (installed: %s; choose one with --model or in Settings)"),
			[]any{e.Model, e.Model, strings.Join(e.Installed, ", ")}
	}
	return i18n.Mark("the model %q is not installed in Ollama. Install it with: ollama pull %s"), []any{e.Model, e.Model}
}

// Fix is the command that fixes it.
func (e *ModelMissingError) Fix() string { return "ollama pull " + e.Model }

// TimeoutError: Ollama took too long.
type TimeoutError struct {
	After time.Duration
	// Silent says it stopped answering, rather than taking too long in all.
	Silent bool
}

func (e *TimeoutError) Error() string { return english(e.Message()) }

// Message is the error as a format and its arguments, which i18n.Error
// translates.
func (e *TimeoutError) Message() (string, []any) {
	if e.Silent {
		return i18n.Mark("Ollama did not answer for %s and the request was given up; the model may still be loading or the computer is busy; try again, or choose a smaller model"), []any{e.After}
	}
	return i18n.Mark("Ollama took longer than %s and the request was given up; ask for fewer variants or choose a smaller model"), []any{e.After}
}

// ReplyError: Ollama answered with an error or something unreadable.
type ReplyError struct {
	Msg string
	Err error
}

func (e *ReplyError) Error() string { return english(e.Message()) }

// Message is the error as a format and its arguments, which i18n.Error
// translates (the detail is Ollama's, in English).
func (e *ReplyError) Message() (string, []any) { return i18n.Mark("Ollama failed: %s"), []any{e.Msg} }
func (e *ReplyError) Unwrap() error            { return e.Err }

// Fallback says whether an error means no model is available, so the
// offline templates should write the copy instead.
func Fallback(err error) bool {
	var u *UnreachableError
	var m *ModelMissingError
	return errors.As(err, &u) || errors.As(err, &m)
}

// Client talks to one Ollama server.
type Client struct {
	url, model    string
	timeout, idle time.Duration
	http          *http.Client
}

// NewClient checks the configuration; it does not connect.
func NewClient(cfg Config) (*Client, error) {
	u, err := ResolveURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	c := &Client{url: u, model: strings.TrimSpace(cfg.Model), timeout: cfg.Timeout, idle: cfg.Idle, http: cfg.HTTPClient}
	if c.model == "" {
		c.model = DefaultModel
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.idle <= 0 {
		c.idle = DefaultIdle
	}
	if c.http == nil {
		// No overall Timeout here: a generation streams for minutes; the
		// contexts bound it instead.
		c.http = &http.Client{Transport: &http.Transport{
			Proxy:                 nil, // Ollama is local; never send prompts through a proxy
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			ResponseHeaderTimeout: 0,
			MaxIdleConns:          4,
			IdleConnTimeout:       30 * time.Second,
		}}
	}
	return c, nil
}

// URL is the server's URL; Model the model it writes with.
func (c *Client) URL() string   { return c.url }
func (c *Client) Model() string { return c.model }

// ModelInfo is an installed model.
type ModelInfo struct {
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	ModifiedAt time.Time `json:"modified_at"`
	Family     string    `json:"family,omitempty"`
	Parameters string    `json:"parameters,omitempty"`
	Quant      string    `json:"quantization,omitempty"`
}

// Models lists the installed models (GET /api/tags): the connection test.
func (c *Client) Models(ctx context.Context) ([]ModelInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/api/tags", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.ctxError(ctx, err, 15*time.Second, false)
		}
		return nil, &UnreachableError{URL: c.url, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, &ReplyError{Msg: "the model list could not be read: " + err.Error(), Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &ReplyError{Msg: fmt.Sprintf("listing models: %s: %s", resp.Status, apiError(body))}
	}
	var tags struct {
		Models []struct {
			Name       string    `json:"name"`
			Model      string    `json:"model"`
			ModifiedAt time.Time `json:"modified_at"`
			Size       int64     `json:"size"`
			Details    struct {
				Family            string `json:"family"`
				ParameterSize     string `json:"parameter_size"`
				QuantizationLevel string `json:"quantization_level"`
			} `json:"details"`
		} `json:"models"`
	}
	if err := json.Unmarshal(body, &tags); err != nil {
		return nil, &ReplyError{Msg: "the model list is not what Ollama sends (is this an Ollama server?): " + err.Error(), Err: err}
	}
	var out []ModelInfo
	for _, m := range tags.Models {
		name := m.Name
		if name == "" {
			name = m.Model
		}
		out = append(out, ModelInfo{Name: name, Size: m.Size, ModifiedAt: m.ModifiedAt, Family: m.Details.Family,
			Parameters: m.Details.ParameterSize, Quant: m.Details.QuantizationLevel})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// apiError is the "error" of an Ollama error body, or the body itself.
func apiError(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "(no details)"
	}
	return s
}

// notFoundRE is Ollama's answer for a model it does not have:
// `model "x" not found, try pulling it first`.
var notFoundRE = regexp.MustCompile(`model ['"]?([^'"]*?)['"]? not found`)

// Generate writes copy with the model, streaming it to ev.
func (c *Client) Generate(ctx context.Context, r Request, ev Events) (*Result, error) {
	r, notes, err := r.prepare()
	if err != nil {
		return nil, err
	}
	system, user, err := r.prompts()
	if err != nil {
		return nil, err
	}
	model, err := ollama.New(ollama.WithServerURL(c.url), ollama.WithModel(c.model), ollama.WithHTTPClient(c.http))
	if err != nil {
		return nil, err
	}
	ctx, cancelAll := context.WithTimeoutCause(ctx, c.timeout, &TimeoutError{After: c.timeout})
	defer cancelAll()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// The idle watchdog: every chunk resets it.
	var mu sync.Mutex
	idle := time.AfterFunc(c.idle, func() { cancel(&TimeoutError{After: c.idle, Silent: true}) })
	defer idle.Stop()

	col := &collector{ch: r.Channel, fields: r.Profile.Fields, ev: ev}
	sp := newSplitter(r.Channel, r.N, ev.Chunk, col.done)
	var streamed strings.Builder
	resp, err := model.GenerateContent(ctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, system),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}, llms.WithTemperature(0.8), llms.WithStreamingFunc(func(ctx context.Context, chunk []byte) error {
		mu.Lock()
		defer mu.Unlock()
		idle.Reset(c.idle)
		streamed.Write(chunk)
		sp.Write(string(chunk))
		return nil
	}))
	idle.Stop()
	mu.Lock()
	defer mu.Unlock()
	// langchaingo's stream reader ends quietly when the context is
	// cancelled mid-reply, so the context is checked whatever it says.
	if ctx.Err() != nil {
		return nil, c.ctxError(ctx, err, 0, false)
	}
	if err != nil {
		return nil, c.classify(ctx, err)
	}
	content := ""
	if resp != nil && len(resp.Choices) > 0 {
		content = resp.Choices[0].Content
	}
	switch {
	case content == "" && streamed.Len() > 0:
		return nil, &ReplyError{Msg: "the reply stopped before it was complete (Ollama never said it was done); try again"}
	case strings.TrimSpace(content) == "":
		return nil, &ReplyError{Msg: "the model " + c.model + " returned an empty reply; try again or choose another model"}
	}
	sp.Close()
	res := &Result{Channel: r.Channel, Source: "ollama " + c.model, Model: c.model, URL: c.url,
		Variants: col.variants, System: system, Prompt: user}
	res.Notes = append(notes, fewer(len(col.variants), r.N)...)
	return res, nil
}

// ctxError explains why the context ended: our timeouts, or the user.
func (c *Client) ctxError(ctx context.Context, err error, after time.Duration, silent bool) error {
	var t *TimeoutError
	if cause := context.Cause(ctx); errors.As(cause, &t) {
		return t
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && after > 0 {
		return &TimeoutError{After: after, Silent: silent}
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return context.Canceled
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// classify turns what langchaingo returns into errors that say what to do.
func (c *Client) classify(ctx context.Context, err error) error {
	msg := err.Error()
	if m := notFoundRE.FindStringSubmatch(msg); m != nil {
		name := m[1]
		if name == "" {
			name = c.model
		}
		e := &ModelMissingError{Model: name}
		if ms, lerr := c.Models(context.WithoutCancel(ctx)); lerr == nil {
			for _, mi := range ms {
				e.Installed = append(e.Installed, mi.Name)
			}
		}
		return e
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return &UnreachableError{URL: c.url, Err: err}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || strings.Contains(msg, "invalid character") || strings.Contains(msg, "unexpected end of JSON") {
		return &ReplyError{Msg: "its reply was not the JSON lines Ollama sends (" + msg + "); is " + c.url + " an Ollama server?", Err: err}
	}
	return &ReplyError{Msg: msg, Err: err}
}

// shortNetError makes "dial tcp 127.0.0.1:1: connect: connection refused"
// into "connection refused".
func shortNetError(err error) string {
	if err == nil {
		return "no answer"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// english writes an error's Message in English, for Error().
func english(format string, args []any) string { return fmt.Sprintf(format, args...) }
