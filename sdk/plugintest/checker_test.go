package plugintest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// sms is a channel that checks its messages and rejects dead numbers for
// good.
type sms struct{ flaky }

func (s *sms) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) { return s, nil }
func (s *sms) Send(_ context.Context, m sdk.Message) sdk.Result {
	if m.To == "+10000000000" {
		return sdk.Undeliverable("the number does not exist")
	}
	return sdk.Delivered("ok")
}
func (s *sms) Receipts(_ context.Context, _ sdk.Config, sec sdk.Secrets, qs []sdk.ReceiptQuery) ([]sdk.Receipt, error) {
	if sec["token"] != "t0k" {
		return nil, errors.New("the token was refused")
	}
	var out []sdk.Receipt
	for _, q := range qs {
		st := sdk.ReceiptDelivered
		if q.To == "+10000000001" {
			st = sdk.ReceiptFailed
		}
		out = append(out, sdk.Receipt{ProviderID: q.ProviderID, To: q.To, Status: st, Reason: "x", At: q.SentAt.Add(time.Minute)})
	}
	return append(out, sdk.Receipt{ProviderID: "queued-1", Status: "queued"}), nil
}
func (s *sms) CheckMessage(cfg sdk.Config, m sdk.Message) sdk.MessageCheck {
	var c sdk.MessageCheck
	if len(m.Text) > cfg.Int("rate", 0)*10 {
		c.Problems = append(c.Problems, "too long for rate "+cfg.String("rate"))
	}
	if strings.Contains(m.Text, "€") {
		c.Notes = append(c.Notes, "sent as UCS-2")
	}
	return c
}

// CheckMessages reaches the plugin with the defaults filled in, answers one
// check per message in order, and is announced by Serve itself; a channel
// without a checker answers "unsupported". An undeliverable rejection
// keeps its flag across the wire.
func TestCheckMessagesAndUndeliverable(t *testing.T) {
	conn := InProcess(t, sdk.Plugin{ID: "test.org/sms", Version: "1.0.0", Channels: []sdk.Channel{&sms{}}})
	ctx := context.Background()
	md, err := conn.Metadata(ctx)
	if err != nil || !slices.Contains(md.GetCapabilities(), sdk.CapCheckMessages) {
		t.Fatalf("capabilities %v (%v)", md.GetCapabilities(), err)
	}
	msgs := []sdk.Message{{ID: "a", Text: "short"}, {ID: "b", Text: strings.Repeat("x", 150)}, {ID: "c", Text: "price 5 €"}}
	checks, err := conn.CheckMessages(ctx, "flaky", nil, msgs) // rate defaults to 10: 100 characters
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 3 || len(checks[0].Problems)+len(checks[0].Notes) != 0 ||
		!slices.Equal(checks[1].Problems, []string{"too long for rate 10"}) || !slices.Equal(checks[2].Notes, []string{"sent as UCS-2"}) {
		t.Fatalf("checks %+v", checks)
	}
	s, err := conn.Open(ctx, "flaky", nil, sdk.Secrets{"token": "t0k"})
	if err != nil {
		t.Fatal(err)
	}
	var got sdk.Result
	if err := s.Send(ctx, []sdk.Message{{ID: "x", To: "+10000000000"}}, func(_ string, r sdk.Result) error { got = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if got.Outcome != sdk.OutcomeRejected || !got.Undeliverable || got.Reason != "the number does not exist" {
		t.Fatalf("result %+v", got)
	}

	if md, _ := conn.Metadata(ctx); !slices.Contains(md.GetCapabilities(), sdk.CapReceipts) {
		t.Errorf("receipts not announced: %v", md.GetCapabilities())
	}
	sent := time.UnixMilli(1_700_000_000_000)
	recs, err := conn.Receipts(ctx, "flaky", nil, sdk.Secrets{"token": "t0k"}, []sdk.ReceiptQuery{{ProviderID: "p1", To: "+10000000001", SentAt: sent}, {ProviderID: "p2", To: "+12", SentAt: sent}})
	if err != nil || len(recs) != 2 || recs[0].Status != sdk.ReceiptFailed || recs[1].Status != sdk.ReceiptDelivered || !recs[1].At.Equal(sent.Add(time.Minute)) {
		t.Fatalf("receipts %+v (%v); the queued one must be dropped", recs, err)
	}
	if _, err := conn.Receipts(ctx, "flaky", nil, sdk.Secrets{"token": "no"}, nil); err == nil || !strings.Contains(err.Error(), "token was refused") {
		t.Errorf("receipts with a bad token: %v", err)
	}

	plain := InProcess(t, sdk.Plugin{ID: "test.org/flaky", Version: "1.0.0", Channels: []sdk.Channel{&flaky{}}})
	if md, _ := plain.Metadata(ctx); slices.Contains(md.GetCapabilities(), sdk.CapCheckMessages) {
		t.Error("a channel without a checker announced check-messages")
	}
	if _, err := plain.CheckMessages(ctx, "flaky", nil, msgs); !errors.Is(err, client.ErrUnsupported) {
		t.Errorf("CheckMessages on a channel without a checker: %v", err)
	}
	if _, err := plain.Receipts(ctx, "flaky", nil, nil, nil); !errors.Is(err, client.ErrUnsupported) {
		t.Errorf("Receipts on a channel without receipts: %v", err)
	}
}
