package plugintest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// DefaultTimeout bounds each call of the conformance suite when the case
// does not say otherwise: a plugin that hangs fails the test with a
// message instead of hanging `go test`.
const DefaultTimeout = 30 * time.Second

// call runs one plugin call under a timeout and reports a hang or a plugin
// failure (a panic the SDK recovered) as the test's failure, in words.
// It returns err for the caller's own checks when neither happened.
func call(t testing.TB, timeout time.Duration, what string, fn func(ctx context.Context) error) error {
	t.Helper()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := fn(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, client.ErrTimeout):
		t.Fatalf("%s did not answer within %v: the plugin hangs (a call that never returns, or ignores its context); if the service behind it is this slow, raise the case's Timeout", what, timeout)
	case errors.Is(err, client.ErrInternal):
		t.Fatalf("%s failed inside the plugin: %v", what, err)
	}
	return err
}

// Metadata checks what every plugin must answer: an id, a version, the
// kinds it declares matching its components, and config specs that are
// well formed. Each call is bounded by DefaultTimeout.
func Metadata(t testing.TB, conn *client.Conn) {
	t.Helper()
	var md *pb.Metadata
	if err := call(t, 0, "GetMetadata", func(ctx context.Context) (err error) {
		md, err = conn.Metadata(ctx)
		return err
	}); err != nil {
		t.Fatalf("GetMetadata: %v", err)
	}
	p := sdk.Plugin{ID: md.GetId(), Version: md.GetVersion()}
	if err := call(t, 0, "Ping", conn.Ping); err != nil {
		t.Errorf("Ping: %v", err)
	}
	kinds := map[string]bool{}
	for _, c := range md.GetComponents() {
		kinds[c.GetKind()] = true
		comp := sdk.ComponentFromProto(c)
		if err := (sdk.Plugin{ID: "x.org/check", Version: "0", Channels: []sdk.Channel{specOnly{comp}}}).Validate(); err != nil {
			t.Errorf("%s %q: %v", c.GetKind(), c.GetName(), err)
		}
	}
	for _, k := range md.GetKinds() {
		if !kinds[k] {
			t.Errorf("kind %q is declared but no component has it", k)
		}
		delete(kinds, k)
	}
	for k := range kinds {
		t.Errorf("a component has kind %q, which the plugin does not declare", k)
	}
	if p.ID == "" || p.Version == "" || md.GetSdkVersion() == "" {
		t.Errorf("metadata lacks id, version or SDK version: %v", md)
	}
}

// specOnly lets Metadata reuse the SDK's own checks of a component.
type specOnly struct{ c sdk.Component }

func (s specOnly) Spec() sdk.Component                { return s.c }
func (specOnly) Validate(sdk.Config) []sdk.FieldError { return nil }
func (specOnly) Check(context.Context, sdk.Config, sdk.Secrets) error {
	return nil
}
func (specOnly) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) {
	return nil, nil
}

// ChannelCase is a channel conformance run.
type ChannelCase struct {
	Component string
	Config    sdk.Config
	Secrets   sdk.Secrets
	// To is the recipient of the test messages (an address the test's
	// server accepts).
	To string
	// Messages is how many messages to send; 0 means 20.
	Messages int
	// Bad is a config the plugin must refuse (ValidateConfig returns at
	// least one error); nil skips that check.
	Bad sdk.Config
	// Timeout bounds each call (a send round is one call); 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Subject and Text are the messages' content; empty means a greeting.
	// A channel whose provider takes template parameters passes text in
	// the form it reads them in.
	Subject, Text string
	// Fields are the customer fields each message carries; nil means
	// {"first_name": "Ada"}.
	Fields map[string]string
}

// Channel runs the channel conformance suite: settings are validated, a
// good config passes, N messages with stable idempotency keys each get
// exactly one well-formed result, a second send of the same messages (a
// resume) is answered too, and the session closes. It returns the results
// of the first send by message id so the caller can check side effects
// (e.g. that N e-mails arrived).
//
// Every call is bounded by c.Timeout: a hanging plugin fails the test
// saying so. A panic in the plugin's Send (which the SDK recovers and
// reports as an Internal error) fails it too: a plugin must answer every
// message with a result, never with a crash.
func Channel(t testing.TB, conn *client.Conn, c ChannelCase) map[string]sdk.Result {
	t.Helper()
	Metadata(t, conn)
	validate := func(what string, cfg sdk.Config) (errs []sdk.FieldError, err error) {
		err = call(t, c.Timeout, what, func(ctx context.Context) (err error) {
			errs, err = conn.ValidateConfig(ctx, c.Component, cfg)
			return err
		})
		return errs, err
	}
	if errs, err := validate("ValidateConfig", c.Config); err != nil || len(errs) > 0 {
		t.Fatalf("ValidateConfig of the good config: %v %v", errs, err)
	}
	if c.Bad != nil {
		if errs, err := validate("ValidateConfig", c.Bad); err != nil || len(errs) == 0 {
			t.Errorf("ValidateConfig accepted the bad config %v (%v)", c.Bad, err)
		}
	}
	bad := sdk.Config{"no_such_setting_xyz": "1"}
	if errs, _ := validate("ValidateConfig", bad); !slices.ContainsFunc(errs, func(e sdk.FieldError) bool { return e.Field == "no_such_setting_xyz" }) {
		t.Errorf("an unknown setting was not reported: %v", errs)
	}
	var s *client.Session
	if err := call(t, c.Timeout, "Open", func(ctx context.Context) (err error) {
		s, err = conn.Open(ctx, c.Component, c.Config, c.Secrets)
		return err
	}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	n := c.Messages
	if n == 0 {
		n = 20
	}
	msgs := make([]sdk.Message, n)
	text, fields := cmp.Or(c.Text, "Hello from the conformance suite."), c.Fields
	if fields == nil {
		fields = map[string]string{"first_name": "Ada"}
	}
	for i := range msgs {
		msgs[i] = sdk.Message{ID: fmt.Sprintf("m%03d", i), IdempotencyKey: fmt.Sprintf("conformance-%03d", i), To: c.To,
			Subject: cmp.Or(c.Subject, fmt.Sprintf("Conformance %d", i)), Text: text, HTML: "<p>" + html.EscapeString(text) + "</p>",
			Campaign: "conformance", Variant: "A", Fields: fields}
	}
	checkMessages(t, conn, c, msgs)
	first := map[string]sdk.Result{}
	for round := range 2 {
		got := map[string]sdk.Result{}
		err := call(t, c.Timeout, fmt.Sprintf("Send (round %d of %d messages)", round+1, n), func(ctx context.Context) error {
			return s.Send(ctx, msgs, func(id string, r sdk.Result) error {
				if _, dup := got[id]; dup {
					return fmt.Errorf("two results for %s", id)
				}
				switch r.Outcome {
				case sdk.OutcomeDelivered:
				case sdk.OutcomeRetry:
					if r.After < 0 || r.After > 24*time.Hour {
						return fmt.Errorf("%s: retry after %v", id, r.After)
					}
				case sdk.OutcomeRejected:
					if r.Reason == "" {
						return fmt.Errorf("%s: rejected without a reason", id)
					}
				default:
					return fmt.Errorf("%s: no outcome", id)
				}
				got[id] = r
				return nil
			})
		})
		if err != nil {
			t.Fatalf("send round %d: %v", round+1, err)
		}
		if len(got) != n {
			t.Fatalf("send round %d: %d results for %d messages", round+1, len(got), n)
		}
		if round == 0 {
			first = got
		}
	}
	if err := call(t, c.Timeout, "Close", s.Close); err != nil {
		t.Errorf("Close: %v", err)
	}
	return first
}

// ModelCase is a model conformance run.
type ModelCase struct {
	Component string
	Config    sdk.Config
	Target    string
	// Rows returns a fresh reader over the training rows (features and
	// target) each time it is called.
	Rows func() array.RecordReader
	// Features returns a fresh reader over the same rows without the target.
	Features func() array.RecordReader
	// Timeout bounds each call (training is one call); 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Model trains on the rows, scores them with the artifact, and checks one
// finite score per row (in 0..1 for classification). It returns the
// artifact, metrics and scores. Every call is bounded by c.Timeout, and a
// panic in the plugin fails the test.
func Model(t testing.TB, conn *client.Conn, c ModelCase) ([]byte, map[string]float64, []float64) {
	t.Helper()
	Metadata(t, conn)
	var task string
	err := call(t, c.Timeout, "Describe", func(ctx context.Context) (err error) {
		task, err = conn.Describe(ctx, c.Component)
		return err
	})
	if err != nil || (task != sdk.Classification && task != sdk.Regression) {
		t.Fatalf("Describe: %q %v", task, err)
	}
	rows := c.Rows()
	defer rows.Release()
	var art []byte
	var metrics map[string]float64
	if err := call(t, c.Timeout, "Train", func(ctx context.Context) (err error) {
		art, metrics, err = conn.Train(ctx, c.Component, c.Config, c.Target, rows)
		return err
	}); err != nil {
		t.Fatalf("Train: %v", err)
	}
	if len(art) == 0 {
		t.Fatal("Train returned an empty artifact")
	}
	feats := c.Features()
	defer feats.Release()
	var scores []float64
	if err := call(t, c.Timeout, "Predict", func(ctx context.Context) error {
		return conn.Predict(ctx, c.Component, art, feats, func(s []float64) error {
			scores = append(scores, s...)
			return nil
		})
	}); err != nil {
		t.Fatalf("Predict: %v", err)
	}
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) || (task == sdk.Classification && (s < 0 || s > 1)) {
			t.Fatalf("score %d is %v", i, s)
		}
	}
	return art, metrics, scores
}

// checkMessages calls CheckMessages when the plugin announces it: one
// check per message, and the good messages of the suite pass.
func checkMessages(t testing.TB, conn *client.Conn, c ChannelCase, msgs []sdk.Message) {
	t.Helper()
	md, err := conn.Metadata(context.Background())
	if err != nil || !slices.Contains(md.GetCapabilities(), sdk.CapCheckMessages) {
		return
	}
	var checks []sdk.MessageCheck
	if err := call(t, c.Timeout, "CheckMessages", func(ctx context.Context) (err error) {
		checks, err = conn.CheckMessages(ctx, c.Component, c.Config, msgs)
		return err
	}); err != nil {
		t.Fatalf("CheckMessages: %v", err)
	}
	for i, chk := range checks {
		if len(chk.Problems) > 0 {
			t.Errorf("CheckMessages found problems with the suite's message %s: %v", msgs[i].ID, chk.Problems)
		}
	}
}
