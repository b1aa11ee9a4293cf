package client

import (
	"slices"
	"strings"
	"sync"

	"github.com/marketbench/marketbench/sdk"
)

// Redacted replaces a secret value in what a plugin says back.
const Redacted = "[secret]"

// minRedact is the shortest value redacted: shorter ones would blank out
// ordinary words and numbers, and are no credential anyway.
const minRedact = 4

// Redactor remembers the secret values a host gave a plugin (in Open and
// Check) and takes them out of everything that comes back from it: its
// errors, its results' reasons and provider ids, and its log lines. A
// provider that echoes a rejected API key in its error body would
// otherwise put the key into delivery records, command output and logs.
// Its zero value is ready; it is safe for concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values []string // longest first, so a value containing another goes whole
}

// Add remembers the values of secrets.
func (r *Redactor) Add(secrets sdk.Secrets) {
	if r == nil || len(secrets) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range secrets {
		if len(v) >= minRedact && !slices.Contains(r.values, v) {
			r.values = append(r.values, v)
		}
	}
	slices.SortFunc(r.values, func(a, b string) int { return len(b) - len(a) })
}

// String returns s with every remembered value replaced by Redacted.
func (r *Redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// Error returns err with its text redacted; errors.Is and errors.As still
// see what it wraps.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	if msg := r.String(err.Error()); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
}

// Result returns res with its reason and provider id redacted.
func (r *Redactor) Result(res sdk.Result) sdk.Result {
	res.Reason, res.ProviderID = r.String(res.Reason), r.String(res.ProviderID)
	return res
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
