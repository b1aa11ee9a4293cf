// Command filechannel is a complete Marketbench channel plugin: it "sends"
// each message by appending it as one JSON line to a file, which makes it
// useful for rehearsing a campaign without contacting anyone. It is also
// the example the SDK README walks through; it builds as its own module.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/marketbench/marketbench/sdk"
)

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "file",
		Title:       "File (rehearsal)",
		Description: "Writes every message as a JSON line to a file instead of sending it.",
		Config: []sdk.Field{
			{Name: "path", Type: sdk.String, Title: "Output file", Required: true, Help: "The file the messages are appended to."},
			{Name: "fail_domain", Type: sdk.String, Title: "Reject addresses at", Advanced: true, Help: "Messages to this domain are rejected, to rehearse bounces."},
		},
		Fields: []string{"email"},
	}
}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	if !filepath.IsAbs(cfg.String("path")) {
		return []sdk.FieldError{{Field: "path", Message: "must be an absolute path"}}
	}
	return nil
}

func (channel) Check(_ context.Context, cfg sdk.Config, _ sdk.Secrets) error {
	dir := filepath.Dir(cfg.String("path"))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("the folder %s does not exist", dir)
	}
	return nil
}

func (channel) Open(_ context.Context, cfg sdk.Config, _ sdk.Secrets) (sdk.Session, error) {
	f, err := os.OpenFile(cfg.String("path"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &session{f: f, fail: cfg.String("fail_domain"), seen: map[string]bool{}}, nil
}

type session struct {
	mu   sync.Mutex
	f    *os.File
	fail string
	// seen makes a resend with the same idempotency key a no-op, as a
	// provider that honours idempotency keys would.
	seen map[string]bool
}

func (s *session) Send(_ context.Context, m sdk.Message) sdk.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != "" && len(m.To) > len(s.fail) && m.To[len(m.To)-len(s.fail):] == s.fail {
		return sdk.Rejected("the address " + m.To + " does not exist")
	}
	if !s.seen[m.IdempotencyKey] {
		line, _ := json.Marshal(map[string]string{"id": m.ID, "key": m.IdempotencyKey, "to": m.To, "subject": m.Subject, "text": m.Text, "variant": m.Variant})
		if _, err := s.f.Write(append(line, '\n')); err != nil {
			return sdk.RetryAfter(0, err.Error())
		}
		s.seen[m.IdempotencyKey] = true
	}
	return sdk.Delivered("file:" + m.IdempotencyKey)
}

func (s *session) Close() error { return s.f.Close() }

func main() {
	sdk.Serve(sdk.Plugin{ID: "example.com/filechannel", Version: "1.0.0", Channels: []sdk.Channel{channel{}}})
}
