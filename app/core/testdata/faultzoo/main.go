// Command faultzoo is a channel plugin built with the public SDK only
// (sdk.Serve) that misbehaves on request, for app/core's send tests. Its
// "mode" setting picks the fault:
//
//	ok          deliver every message (the "provider" is the log file)
//	crash-open  exit while opening the session, before any message
//	hang        never answer a message
//	panic       panic in Send (the SDK recovers it)
//	stdout      print a single 1 MB line on stdout (descriptor 1), then deliver
//
// Started under a name ending in "-exit" it exits before the handshake
// when a file named "exit-now" is next to it (so it can be enabled first).
// The log ("key to variant" lines) honours idempotency keys: a key
// already there is not delivered again. The "received" file gets each
// message's key as soon as Send is called, whatever happens next.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/marketbench/marketbench/sdk"
)

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{Name: "zoo", Title: "Fault zoo", Description: "Misbehaves on request.", Fields: []string{"email"},
		Config: []sdk.Field{{Name: "mode", Type: sdk.String, Default: "ok"}, {Name: "log", Type: sdk.String}, {Name: "received", Type: sdk.String},
			{Name: "concurrency", Type: sdk.Int, Default: "1"}}}
}

func (channel) Validate(sdk.Config) []sdk.FieldError                 { return nil }
func (channel) Check(context.Context, sdk.Config, sdk.Secrets) error { return nil }

func (channel) Open(_ context.Context, cfg sdk.Config, _ sdk.Secrets) (sdk.Session, error) {
	if cfg.String("mode") == "crash-open" {
		os.Exit(3)
	}
	s := &session{mode: cfg.String("mode"), log: cfg.String("log"), received: cfg.String("received"), conc: cfg.Int("concurrency", 1), seen: map[string]bool{}}
	if b, err := os.ReadFile(s.log); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, _, ok := strings.Cut(l, " "); ok {
				s.seen[k] = true
			}
		}
	}
	return s, nil
}

// fd1 is descriptor 1 as a file, made once: a *os.File that the garbage
// collector finalises closes its descriptor, and a later open would then
// reuse 1, so the next 1 MB line would land in the delivery log.
var fd1 = os.NewFile(1, "stdout")

type session struct {
	mode, log, received string
	conc                int
	mu                  sync.Mutex
	seen                map[string]bool
}

func (s *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: s.conc} }
func (s *session) Close() error       { return nil }

func (s *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	if s.received != "" {
		s.mu.Lock()
		if f, err := os.OpenFile(s.received, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s %s\n", m.IdempotencyKey, m.ID)
			f.Close()
		}
		s.mu.Unlock()
	}
	switch s.mode {
	case "hang":
		select {}
	case "panic":
		var counts map[string]int
		counts[m.To]++ // a nil map: the kind of bug a plugin ships with
	case "stdout":
		// Straight to file descriptor 1, as a C library or a child
		// process would: go-plugin's Serve redirects os.Stdout only.
		fd1.WriteString(strings.Repeat("x", 1<<20) + "\n")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log != "" && !s.seen[m.IdempotencyKey] {
		f, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return sdk.RetryAfter(0, err.Error())
		}
		fmt.Fprintf(f, "%s %s %s\n", m.IdempotencyKey, m.To, m.Variant)
		f.Close()
		s.seen[m.IdempotencyKey] = true
	}
	return sdk.Delivered("zoo-" + m.ID)
}

func main() {
	id := "test.org/zoo"
	if strings.HasSuffix(filepath.Base(os.Args[0]), "-exit") {
		if _, err := os.Stat(filepath.Join(filepath.Dir(os.Args[0]), "exit-now")); err == nil {
			os.Exit(4) // before the handshake
		}
	}
	sdk.Serve(sdk.Plugin{ID: id, Version: "1.0.0", Channels: []sdk.Channel{channel{}}, Capabilities: []string{sdk.CapIdempotencyKeys}})
}
