package campaign

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/contact"
)

// planned plans campaign name on channel plugin/component for customers
// C1..Cn at now and returns each customer's status and reason.
func planFor(t *testing.T, p *storage.Project, name, plugin, component string, n int, now time.Time) map[string][2]string {
	t.Helper()
	c := &Campaign{Name: name, Plugin: plugin, Component: component, Variants: []Variant{{Name: "A", Percent: 100, Text: "hi"}}}
	var rs []Recipient
	for i := 1; i <= n; i++ {
		rs = append(rs, Recipient{CustomerID: fmt.Sprintf("C%d", i), Group: "A"})
	}
	if err := PlanAt(context.Background(), p, c, rs, now); err != nil {
		t.Fatal(err)
	}
	out := map[string][2]string{}
	rows, err := p.Q().QueryContext(context.Background(), `SELECT customer_id, status, coalesce(reason, ''), channel FROM mb_deliveries WHERE campaign = ?`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, st, why, ch string
		rows.Scan(&id, &st, &why, &ch)
		out[id] = [2]string{st, why}
		if ch != contact.ChannelKey(plugin, component) {
			t.Errorf("%s %s: channel %q, want %q", name, id, ch, contact.ChannelKey(plugin, component))
		}
	}
	for i, r := range rs { // Plan marks the capped recipients too
		if got := out[r.CustomerID]; (got[0] == Excluded) != (rs[i].Excluded != "") || got[1] != rs[i].Excluded && got[0] == Excluded {
			t.Errorf("%s %s: logged %v, recipient says %q", name, r.CustomerID, got, rs[i].Excluded)
		}
	}
	return out
}

// Frequency caps across campaigns: per channel and over all channels, in
// a sliding window, counting what was sent or is about to go.
func TestPlanAppliesFrequencyCaps(t *testing.T) {
	ctx := context.Background()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const mail, sms = "a.org/mail", "a.org/sms"
	pol := &contact.Policy{Caps: []contact.Cap{{Max: 2, Hours: 24}, {Channel: contact.ChannelKey(mail, "smtp"), Max: 1, Hours: 24}}}
	if err := contact.Save(ctx, p, pol); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	onMail := "frequency cap: at most 1 message per 24 h on this channel"
	overall := "frequency cap: at most 2 messages per 24 h overall"
	expect := func(name string, got map[string][2]string, want map[string]string) {
		t.Helper()
		for id, w := range want {
			if w == "" && got[id][0] != Planned || w != "" && got[id] != [2]string{Excluded, w} {
				t.Errorf("%s %s: %v, want %q", name, id, got[id], w)
			}
		}
	}

	// C1..C4 get a mail; C4's is a holdout and C3's was rejected: neither
	// went, so neither counts.
	expect("Mail 1", planFor(t, p, "Mail 1", mail, "smtp", 4, t0), map[string]string{"C1": "", "C2": "", "C3": "", "C4": ""})
	p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = 'delivered', sent_at = ? WHERE campaign = 'Mail 1' AND customer_id IN ('C1', 'C2')`, t0.Add(10*time.Minute))
	p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = 'rejected' WHERE campaign = 'Mail 1' AND customer_id = 'C3'`)
	p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = 'holdout' WHERE campaign = 'Mail 1' AND customer_id = 'C4'`)

	// A second mail an hour later: the mail cap stops C1 and C2.
	expect("Mail 2", planFor(t, p, "Mail 2", mail, "smtp", 6, t0.Add(time.Hour)),
		map[string]string{"C1": onMail, "C2": onMail, "C3": "", "C4": "", "C5": "", "C6": ""})
	// An SMS: no cap of its own, and nobody has 2 messages yet.
	expect("SMS 1", planFor(t, p, "SMS 1", sms, "sms", 6, t0.Add(2*time.Hour)),
		map[string]string{"C1": "", "C2": "", "C3": "", "C4": "", "C5": "", "C6": ""})
	// A second SMS: now everyone has a mail (sent, or planned and about to
	// go) and an SMS in the last 24 h: the overall cap.
	expect("SMS 2", planFor(t, p, "SMS 2", sms, "sms", 7, t0.Add(3*time.Hour)),
		map[string]string{"C1": overall, "C6": overall, "C7": ""})
	// A day after the first mail, Mail 1 is out of the window, Mail 2 (planned at 10:00) is not.
	expect("Mail 3", planFor(t, p, "Mail 3", mail, "smtp", 7, t0.Add(24*time.Hour+30*time.Minute)),
		map[string]string{"C1": "", "C2": "", "C3": onMail, "C7": ""})

	// The holdout is capped like the variants: C7 got Mail 3; C3's Mail 2
	// has just left the window.
	c := &Campaign{Name: "Mail 4", Plugin: mail, Component: "smtp"}
	rs := []Recipient{{CustomerID: "C3", Group: Holdout}, {CustomerID: "C7", Group: Holdout}}
	if n, err := Cap(ctx, p, c, rs, t0.Add(24*time.Hour+time.Hour)); err != nil || n != 1 || rs[1].Excluded != onMail || rs[1].Group != "" || rs[0].Excluded != "" || rs[0].Group != Holdout {
		t.Errorf("holdout capped: %d, %v, %+v", n, err, rs)
	}

	// The exclusion reasons stay whole in the tallies.
	counts, err := Count(ctx, p, "SMS 2")
	if err != nil {
		t.Fatal(err)
	}
	if counts.Reasons[overall] != 6 {
		t.Errorf("SMS 2 reasons %v, want 6 × %q", counts.Reasons, overall)
	}
	if ReasonWords(onMail) != onMail {
		t.Errorf("ReasonWords(%q) = %q", onMail, ReasonWords(onMail))
	}
}
