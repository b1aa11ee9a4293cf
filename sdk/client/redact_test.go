package client

import (
	"errors"
	"fmt"
	"testing"

	"github.com/marketbench/marketbench/sdk"
)

// Secret values given to a plugin are blanked out of errors (which still
// match what they wrap) and results; short values and other text are left.
func TestRedactor(t *testing.T) {
	var r Redactor
	if got := r.String("Bearer abc-123"); got != "Bearer abc-123" {
		t.Errorf("nothing added: %q", got)
	}
	r.Add(sdk.Secrets{"authorization": "Bearer abc-123", "secret": "abc-123", "pin": "42"})
	for in, want := range map[string]string{
		"HTTP 401: token Bearer abc-123 is revoked": "HTTP 401: token [secret] is revoked",
		"signed with abc-123, abc-123":              "signed with [secret], [secret]",
		"customer 42 has no e-mail":                 "customer 42 has no e-mail",
	} {
		if got := r.String(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
	err := r.Error(fmt.Errorf("%w: key abc-123 refused", ErrGone))
	if err.Error() != ErrGone.Error()+": key [secret] refused" || !errors.Is(err, ErrGone) {
		t.Errorf("error: %v (is ErrGone: %v)", err, errors.Is(err, ErrGone))
	}
	res := r.Result(sdk.Result{Outcome: sdk.OutcomeRejected, Reason: "bad key abc-123", ProviderID: "id-abc-123"})
	if res.Reason != "bad key [secret]" || res.ProviderID != "id-[secret]" || res.Outcome != sdk.OutcomeRejected {
		t.Errorf("result: %+v", res)
	}
	var nilR *Redactor
	if nilR.String("abc-123") != "abc-123" || nilR.Error(nil) != nil {
		t.Error("a nil redactor changes text")
	}
}
