package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/contact"
	"github.com/marketbench/marketbench/storage/ingest"
)

// zoned makes a project of 12 consenting customers with a time zone
// column: C00-C03 in Shanghai, C04-C05 at +08:00, C06-C07 with a zone
// nobody knows, C08-C11 without one; a segment of them all; the channel
// enabled.
func zoned(t *testing.T) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var b strings.Builder
	b.WriteString("customer_id,first_name,email,email_consent,time_zone\n")
	for i := range 12 {
		zone := []string{"Asia/Shanghai", "Asia/Shanghai", "+08:00", "Mars/Base", "", ""}[i/2]
		fmt.Fprintf(&b, "C%02d,Ann%d,c%02d@example.com,true,%s\n", i, i, i, zone)
	}
	csv := filepath.Join(t.TempDir(), "customers.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	if col, _ := w.ColumnFor(ctx, "customers", storage.TimeZone); col != "time_zone" {
		t.Fatalf("the time_zone column has not the time zone role (%q has)", col)
	}
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	return w
}

type logRow struct {
	status, reason string
	attempts       int
	next           *time.Time
}

func deliveryLog(t *testing.T, w *Workspace, name string) map[string]logRow {
	t.Helper()
	rows, err := w.Q().QueryContext(context.Background(), `SELECT customer_id, status, coalesce(reason, ''), attempts, next_at FROM mb_deliveries WHERE campaign = ?`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]logRow{}
	for rows.Next() {
		var id string
		var r logRow
		rows.Scan(&id, &r.status, &r.reason, &r.attempts, &r.next)
		out[id] = r
	}
	return out
}

// Quiet hours in a live send: at 22:00 in Shanghai (14:00 in London, the
// project's zone) the Shanghai customers' messages wait as retries until
// 08:00 their time, without using an attempt, and the run pauses saying
// when; the others go now. Sent again after 08:00 Shanghai time, the
// waiting ones go, each exactly once.
func TestLiveQuietHoursDeferWithoutAttempts(t *testing.T) {
	ctx := context.Background()
	w := zoned(t)
	if err := w.SetContactPolicy(ctx, &contact.Policy{Quiet: &contact.Quiet{Start: "21:00", End: "08:00"}, TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "provider.log")
	c := &campaign.Campaign{Name: "Night", Segment: "Everyone", Table: "customers", Plugin: "test.org/channel", Component: "bad",
		Config: sdk.Config{"mode": "ok", "log": logPath}, MaxAttempts: 1,
		Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi {{.first_name}}", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	clock := func(at time.Time) func() time.Time {
		offset := time.Until(at)
		return func() time.Time { return time.Now().Add(offset) }
	}
	evening := time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC) // 22:00 in Shanghai
	morning := time.Date(2025, 3, 2, 0, 30, 0, 0, time.UTC) // 08:30 in Shanghai, 00:30 in London

	rep, err := w.SendCampaign(ctx, "Night", SendOptions{Mode: campaign.Live, Now: clock(evening)}, nil)
	if !errors.Is(err, ErrPaused) {
		t.Fatalf("the first run ended with %v, want paused for quiet hours", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "6 messages wait for quiet hours") ||
		!strings.Contains(msg, `marketbench campaign resume "Night"`) {
		t.Errorf("pause message: %s", msg)
	}
	until := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
	if rep.Sent != 6 || rep.Deferred != 6 || rep.Waiting != 6 || !rep.NextAt.Equal(until) || rep.Done {
		t.Errorf("first run: sent %d, deferred %d, waiting %d until %v, done %v", rep.Sent, rep.Deferred, rep.Waiting, rep.NextAt, rep.Done)
	}
	log := deliveryLog(t, w, "Night")
	for i := range 12 {
		id := fmt.Sprintf("C%02d", i)
		r := log[id]
		switch {
		case i < 6:
			zone := map[bool]string{true: "Asia/Shanghai", false: "UTC+08:00"}[i < 4]
			if r.status != campaign.Retry || r.attempts != 0 || r.next == nil || !r.next.Equal(until) ||
				r.reason != "quiet hours until 08:00 ("+zone+")" {
				t.Errorf("%s: %+v, want a retry at %v, no attempt used, for quiet hours in %s", id, r, until, zone)
			}
		default: // London's 14:00: sent
			if r.status != campaign.Delivered || r.attempts != 1 {
				t.Errorf("%s: %+v, want delivered", id, r)
			}
		}
	}
	// Sending again before 08:00 sends nothing and pauses again.
	rep, err = w.SendCampaign(ctx, "Night", SendOptions{Mode: campaign.Live, Now: clock(evening.Add(time.Hour))}, nil)
	if !errors.Is(err, ErrPaused) || rep.Sent != 0 || rep.Waiting != 6 {
		t.Fatalf("a run during quiet hours: %v, %+v", err, rep)
	}
	// After 08:00 in Shanghai they go, though London is now in its quiet
	// hours (its customers are done) and each had one attempt only.
	rep, err = w.SendCampaign(ctx, "Night", SendOptions{Mode: campaign.Live, Now: clock(morning)}, nil)
	if err != nil || rep.Sent != 6 || !rep.Done {
		t.Fatalf("the morning run: %v, %+v", err, rep)
	}
	for id, r := range deliveryLog(t, w, "Night") {
		if r.status != campaign.Delivered || r.attempts != 1 {
			t.Errorf("%s: %+v, want delivered at the first attempt", id, r)
		}
	}
	keys := logKeys(t, logPath)
	if len(keys) != 12 {
		t.Errorf("the provider got %d customers, want 12", len(keys))
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

// Frequency caps across two campaigns on the live path: the second
// campaign's preview and send leave out whoever the first reached, with
// the cap's reason, and the log names each delivery's channel.
func TestLiveFrequencyCapAcrossCampaigns(t *testing.T) {
	ctx := context.Background()
	w := zoned(t)
	channel := contact.ChannelKey("test.org/channel", "bad")
	if err := w.SetContactPolicy(ctx, &contact.Policy{Caps: []contact.Cap{{Channel: channel, Max: 1, Hours: 24}}}); err != nil {
		t.Fatal(err)
	}
	mk := func(name, rule string) {
		c := &campaign.Campaign{Name: name, Segment: "Everyone", Rule: rule, Table: "customers", Plugin: "test.org/channel", Component: "bad",
			Config: sdk.Config{"mode": "ok"}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}
		if err := w.SaveCampaign(ctx, c, false); err != nil {
			t.Fatal(err)
		}
	}
	mk("First", "time_zone = 'Asia/Shanghai'")
	mk("Second", "")
	if rep, err := w.SendCampaign(ctx, "First", SendOptions{Mode: campaign.Live}, nil); err != nil || rep.Sent != 4 {
		t.Fatalf("first: %v, %+v", err, rep)
	}
	reason := "frequency cap: at most 1 message per 24 h on this channel"
	pv, err := w.PreviewCampaign(ctx, "Second", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Excluded[reason] != 4 || pv.Groups["A"] != 8 {
		t.Errorf("second's preview: excluded %v, groups %v", pv.Excluded, pv.Groups)
	}
	rep, err := w.SendCampaign(ctx, "Second", SendOptions{Mode: campaign.Live}, nil)
	if err != nil || rep.Sent != 8 || rep.Counts.Reasons[reason] != 4 {
		t.Fatalf("second: %v, %+v", err, rep)
	}
	var n int
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries WHERE channel = ?`, channel).Scan(&n)
	if n != 16 {
		t.Errorf("%d deliveries name the channel, want 16", n)
	}
	// A customer is never sent two messages inside the window.
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT customer_id FROM mb_deliveries WHERE status = 'delivered' GROUP BY 1 HAVING count(*) > 1)`).Scan(&n)
	if n != 0 {
		t.Errorf("%d customers got two messages", n)
	}
}
