package contact

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// logRows writes n deliveries of campaign on channel with a status, for
// customers C<from>..C<from+n-1>, planned at planned (and sent at sent
// when not zero), in one statement.
func logRows(t testing.TB, p *storage.Project, campaign, channel, status string, from, n int, planned, sent time.Time) {
	t.Helper()
	var s any
	if !sent.IsZero() {
		s = sent.UTC()
	}
	_, err := p.Q().ExecContext(context.Background(), `INSERT INTO mb_deliveries (campaign, customer_id, variant, idempotency_key, status, channel, planned_at, sent_at)
		SELECT ?, 'C' || i, 'A', ? || i, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP FROM range(?, ?) t(i)`, campaign, campaign, status, channel, planned.UTC(), s, from, from+n)
	if err != nil {
		t.Fatal(err)
	}
}

func ids(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("C%d", from+i)
	}
	return out
}

// Which states count, and the window's edge.
func TestCappedCounts(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	const ch = "a.org/mail/smtp"
	// One row per customer, C0..C9, each in another state.
	for i, st := range []string{"planned", "sending", "delivered", "retry", "unknown", "holdout", "excluded", "rejected"} {
		logRows(t, p, "K", ch, st, i, 1, now.Add(-time.Hour), time.Time{})
	}
	logRows(t, p, "K", ch, "delivered", 8, 1, now.Add(-30*time.Hour), now.Add(-24*time.Hour)) // sent just outside the window
	logRows(t, p, "K", ch, "delivered", 9, 1, now.Add(-30*time.Hour), now.Add(-23*time.Hour)) // planned outside, sent inside
	// An id holding the separator the ids are passed with.
	odd := "C\x1fodd"
	if _, err := p.Q().ExecContext(ctx, `INSERT INTO mb_deliveries (campaign, customer_id, variant, idempotency_key, status, channel, planned_at)
		VALUES ('K', ?, 'A', 'odd', 'delivered', ?, ?)`, odd, ch, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	pol := &Policy{Caps: []Cap{{Channel: ch, Max: 1, Hours: 24}}}
	if got, err := pol.Capped(ctx, p, ch, []string{odd, "C0", "C7"}, now); err != nil || len(got) != 2 || got[odd] == "" || got["C0"] == "" {
		t.Errorf("with an odd id: %q, %v", got, err)
	}
	got, err := pol.Capped(ctx, p, ch, ids(0, 10), now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"C0": true, "C1": true, "C2": true, "C3": true, "C4": true, "C9": true}
	for _, id := range ids(0, 10) {
		if (got[id] != "") != want[id] {
			t.Errorf("%s capped: %q, want %v", id, got[id], want[id])
		}
	}
	// Another channel's cap does not count this channel's messages; the
	// campaign itself can be left out.
	if got, _ := pol.Capped(ctx, p, "a.org/sms/sms", ids(0, 10), now); len(got) != 0 {
		t.Errorf("capped on another channel: %v", got)
	}
	if got, _ := pol.CappedExcept(ctx, p, "K", ch, ids(0, 10), now); len(got) != 0 {
		t.Errorf("capped by its own campaign: %v", got)
	}
	if got, _ := (&Policy{}).Capped(ctx, p, ch, ids(0, 10), now); len(got) != 0 {
		t.Errorf("capped without caps: %v", got)
	}
}

// A hundred thousand customers are checked in one query.
func TestCappedManyCustomers(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	logRows(t, p, "Big", "a.org/mail/smtp", "delivered", 0, 50_000, now.Add(-2*time.Hour), now.Add(-time.Hour))
	pol := &Policy{Caps: []Cap{{Max: 1, Hours: 24}}}
	got, err := pol.Capped(ctx, p, "a.org/sms/sms", ids(0, 100_000), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50_000 || got["C49999"] != "frequency cap: at most 1 message per 24 h overall" || got["C50000"] != "" {
		t.Errorf("%d capped (C49999: %q)", len(got), got["C49999"])
	}
}

// BenchmarkCapped100k: the caps of 100,000 customers over a log of
// 300,000 deliveries on three channels.
func BenchmarkCapped100k(b *testing.B) {
	ctx := context.Background()
	p, err := storage.Create(b.TempDir() + "/b.mbproj")
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, ch := range []string{"a.org/mail/smtp", "a.org/sms/sms", "a.org/hook/hook"} {
		logRows(b, p, fmt.Sprint("K", i), ch, "delivered", i*10_000, 100_000, now.Add(-time.Duration(i*20)*time.Hour), now.Add(-time.Duration(i*20)*time.Hour))
	}
	pol := &Policy{Caps: []Cap{{Max: 2, Hours: 24}, {Channel: "a.org/mail/smtp", Max: 1, Hours: 24}, {Max: 5, Hours: 24 * 7}}}
	list := ids(0, 100_000)
	b.ResetTimer()
	for range b.N {
		if _, err := pol.Capped(ctx, p, "a.org/mail/smtp", list, now); err != nil {
			b.Fatal(err)
		}
	}
}
