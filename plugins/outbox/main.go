// Command outbox is a Marketbench channel that sends nothing over the
// network: it appends each message as one JSON line to a file in a folder
// the user chooses (outbox.jsonl by default). It is the demo's channel,
// which works offline and keeps working after the demo ends, and a way to
// try a journey or hand its messages to another tool. It uses only the
// public SDK.
//
// Exactly once: a line is written and synced to disk before the message is
// reported delivered, and a session starts by reading the idempotency keys
// already in the file, so a message the host sends again after a crash
// (same key) is answered without a second line. A line cut short by a
// crash is left as it is, ended by a newline; its message is written again
// whole.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

// DefaultFile is the outbox's file name in its folder.
const DefaultFile = "outbox.jsonl"

// Plugin is the plugin this binary serves.
var Plugin = sdk.Plugin{ID: "marketbench.org/outbox", Version: "1.0.0", Channels: []sdk.Channel{channel{}},
	Capabilities: []string{sdk.CapIdempotencyKeys}}

func main() { sdk.Serve(Plugin) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "outbox",
		Title:       "Outbox file",
		Description: "Appends each message as one JSON line to a file in a folder you choose. Nothing leaves this computer.",
		Config: []sdk.Field{
			{Name: "folder", Type: sdk.String, Title: "Folder", Required: true,
				Help: "Absolute path of the folder the outbox file is kept in; it is created if missing."},
			{Name: "file", Type: sdk.String, Title: "File name", Default: DefaultFile,
				Help: "The file in that folder the messages are appended to, one JSON object per line."},
		},
		Fields: []string{"customer_id", "email"},
	}
}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	if !filepath.IsAbs(cfg.String("folder")) {
		errs = append(errs, sdk.FieldError{Field: "folder", Message: "must be an absolute path"})
	}
	if f := cfg.String("file"); f != "" && (f != filepath.Base(f) || f == "." || f == ".." || strings.ContainsAny(f, `/\`)) {
		errs = append(errs, sdk.FieldError{Field: "file", Message: "must be a file name, without a folder"})
	}
	return errs
}

// path is the outbox file of a config.
func path(cfg sdk.Config) string {
	name := cfg.String("file")
	if name == "" {
		name = DefaultFile
	}
	return filepath.Join(cfg.String("folder"), name)
}

func (c channel) Check(_ context.Context, cfg sdk.Config, _ sdk.Secrets) error {
	if errs := c.Validate(cfg); len(errs) > 0 {
		return errs[0]
	}
	dir := cfg.String("folder")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the folder %s: %v", dir, err)
	}
	f, err := os.OpenFile(path(cfg), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	return f.Close()
}

func (c channel) Open(_ context.Context, cfg sdk.Config, _ sdk.Secrets) (sdk.Session, error) {
	if errs := c.Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	if err := os.MkdirAll(cfg.String("folder"), 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the folder %s: %v", cfg.String("folder"), err)
	}
	p := path(cfg)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open the outbox %s: %v", p, err)
	}
	s := &session{f: f, name: filepath.Base(p), keys: map[string]int{}}
	if err := s.load(); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot read the outbox %s: %v", p, err)
	}
	return s, nil
}

// line is one message in the outbox.
type line struct {
	Time           time.Time         `json:"time"`
	ID             string            `json:"id"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	Campaign       string            `json:"campaign"`
	Variant        string            `json:"variant"`
	To             string            `json:"to"`
	Subject        string            `json:"subject"`
	Text           string            `json:"text"`
	HTML           string            `json:"html,omitempty"`
	Fields         map[string]string `json:"fields,omitempty"`
}

type session struct {
	name string

	mu sync.Mutex
	f  *os.File
	// keys maps the idempotency keys in the file to their line numbers.
	keys map[string]int
	// lines counts the lines in the file; torn is set when its last line
	// was cut short, so the next line starts on a line of its own.
	lines int
	torn  bool

	// Group commit: one fsync covers every line written before it.
	syncMu sync.Mutex
	synced int
}

// load reads the keys already in the outbox.
func (s *session) load() error {
	r := bufio.NewReaderSize(s.f, 1<<16)
	for {
		b, err := r.ReadBytes('\n')
		if len(b) > 0 {
			s.lines++
			s.torn = b[len(b)-1] != '\n'
			var l struct {
				Key string `json:"idempotency_key"`
			}
			if !s.torn && json.Unmarshal(bytes.TrimSpace(b), &l) == nil && l.Key != "" {
				s.keys[l.Key] = s.lines
			}
		}
		if errors.Is(err, io.EOF) {
			s.synced = s.lines
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Limits lets the host keep several messages in flight, so that one fsync
// covers many lines.
func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: 64} }

func (s *session) Send(_ context.Context, m sdk.Message) sdk.Result {
	s.mu.Lock()
	if s.f == nil {
		s.mu.Unlock()
		return sdk.Rejected("the outbox session is closed")
	}
	if n, ok := s.keys[m.IdempotencyKey]; ok && m.IdempotencyKey != "" {
		s.mu.Unlock()
		// Already in the file; it is on disk once synced.
		if err := s.sync(n); err != nil {
			return sdk.RetryAfter(time.Second, err.Error())
		}
		return sdk.Delivered(s.providerID(n))
	}
	b, _ := json.Marshal(line{Time: time.Now().UTC().Truncate(time.Millisecond), ID: m.ID, IdempotencyKey: m.IdempotencyKey, Campaign: m.Campaign,
		Variant: m.Variant, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Fields: m.Fields})
	b = append(b, '\n')
	if s.torn {
		b = append([]byte{'\n'}, b...)
	}
	// One write per line: with O_APPEND it lands whole at the end.
	if _, err := s.f.Write(b); err != nil {
		s.mu.Unlock()
		return sdk.RetryAfter(time.Minute, "writing the outbox: "+err.Error())
	}
	s.torn = false
	s.lines++
	n := s.lines
	if m.IdempotencyKey != "" {
		s.keys[m.IdempotencyKey] = n
	}
	s.mu.Unlock()
	if err := s.sync(n); err != nil {
		return sdk.RetryAfter(time.Minute, err.Error())
	}
	return sdk.Delivered(s.providerID(n))
}

// sync makes sure line n is on disk: one fsync for all lines written so
// far, unless another Send's fsync already covered it.
func (s *session) sync(n int) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.synced >= n {
		return nil
	}
	s.mu.Lock()
	f, upto := s.f, s.lines
	s.mu.Unlock()
	if f == nil {
		return errors.New("the outbox session is closed")
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("saving the outbox to disk: %v", err)
	}
	s.synced = upto
	return nil
}

func (s *session) providerID(n int) string { return fmt.Sprintf("%s#%d", s.name, n) }

func (s *session) Close() error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := errors.Join(s.f.Sync(), s.f.Close())
	s.f = nil
	return err
}
