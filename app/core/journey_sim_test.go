package core

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/contact"
	"github.com/marketbench/marketbench/storage/journey"
)

// simInbox records each message with the simulated time of the run that
// sent it.
type simInbox struct {
	*httptest.Server
	mu   sync.Mutex
	now  time.Time
	got  map[string][]simMsg // by customer
	keys map[string]int
}

type simMsg struct {
	Campaign string
	At       time.Time
}

func newSimInbox(t *testing.T) *simInbox {
	in := &simInbox{got: map[string][]simMsg{}, keys: map[string]int{}}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m struct{ ID, Campaign string }
		json.Unmarshal(b, &m)
		in.mu.Lock()
		in.got[m.ID] = append(in.got[m.ID], simMsg{m.Campaign, in.now})
		in.keys[r.Header.Get("Idempotency-Key")]++
		in.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(in.Close)
	return in
}

func (in *simInbox) at(t time.Time) {
	in.mu.Lock()
	in.now = t
	in.mu.Unlock()
}

// Sixty days of the demo shop, simulated with the runner's clock every
// four hours: three overlapping journeys (45 days after the last order,
// a weekly newsletter, a sign-up anniversary) and a campaign, under a cap
// of one message per customer per 24 h and quiet hours from 21:00 to
// 08:00. Every customer gets exactly what the journeys define, each
// message once, none in quiet hours, never two within 24 hours, with the
// waits kept; what the cap or consent stopped is in the log with its
// reason.
func TestJourneysSixtyDays(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of simulated runs")
	}
	bundledWebhook(t)
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "sim.mbproj"), DemoOptions{Customers: 1200, Orders: 5000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	in := newSimInbox(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if err := w.SetContactPolicy(ctx, &contact.Policy{Caps: []contact.Cap{{Max: 1, Hours: 24}},
		Quiet: &contact.Quiet{Start: "21:00", End: "08:00"}, TimeZone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	const hook = "marketbench.org/webhook"
	if _, err := w.EnablePlugin(ctx, hook); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveChannelSettings(ctx, hook, "webhook", sdk.Config{"url": in.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Consenting", "customers", "email_consent = true"); err != nil {
		t.Fatal(err)
	}
	// The simulation starts on a Monday at 10:00 in Berlin, after the
	// demo's data ends, with the campaign.
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, berlin)
	days := 60
	end := start.AddDate(0, 0, days)
	send := func(id string) journey.Step {
		return journey.Step{ID: id, Kind: journey.Send, Plugin: hook, Component: "webhook",
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: id, Text: "Hello {{.first_name}}"}}}
	}
	journeys := []*journey.Journey{
		{Name: "Miss you", Table: "customers", Trigger: journey.Trigger{Kind: journey.AfterLastOrder, Days: 45, At: "22:30"},
			Steps: []journey.Step{send("missyou"), {ID: "ten-days", Kind: journey.Wait, Duration: "10d"}, send("reminder")}},
		{Name: "Newsletter", Table: "customers", Reentry: journey.Reentry{Policy: journey.Every},
			Trigger: journey.Trigger{Kind: journey.Schedule, Cron: "0 10 * * MON", Segment: "Consenting"},
			Steps:   []journey.Step{send("news")}},
		{Name: "Anniversary", Table: "customers", Reentry: journey.Reentry{Policy: journey.Every},
			Trigger: journey.Trigger{Kind: journey.DateColumn, Column: "signup_date", Yearly: true, At: "09:00"},
			Steps:   []journey.Step{send("anniv")}},
	}
	created := start.Add(-time.Hour)
	for _, j := range journeys {
		if err := w.SaveJourney(ctx, j, false, created); err != nil {
			t.Fatal(err)
		}
	}
	kick := &campaign.Campaign{Name: "Kickoff", Segment: "Champions", Table: "customers", Plugin: hook, Component: "webhook",
		Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Kickoff", Text: "Hi"}}}
	if err := w.SaveCampaign(ctx, kick, false); err != nil {
		t.Fatal(err)
	}
	shift := start.Sub(time.Now())
	in.at(start)
	if _, err := w.SendCampaign(ctx, "Kickoff", SendOptions{Mode: campaign.Live, Now: func() time.Time { return time.Now().Add(shift) }}, nil); err != nil {
		t.Fatal(err)
	}
	for now := start; !now.After(end); now = now.Add(4 * time.Hour) {
		in.at(now)
		mustRun(t, w, now)
	}

	// Each message once.
	for k, n := range in.keys {
		if n > 1 {
			t.Errorf("message %s arrived %d times", k, n)
		}
	}
	var delivered int
	w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE status = 'delivered'`).Scan(&delivered)
	total := 0
	for id, msgs := range in.got {
		total += len(msgs)
		sort.Slice(msgs, func(i, j int) bool { return msgs[i].At.Before(msgs[j].At) })
		for i, m := range msgs {
			if h := m.At.In(berlin).Hour(); h >= 21 || h < 8 {
				t.Errorf("%s got %q at %s, in quiet hours", id, m.Campaign, m.At.In(berlin))
			}
			if i > 0 && m.At.Sub(msgs[i-1].At) < 24*time.Hour {
				t.Errorf("%s got %q at %s, %s after %q: over the cap of 1 per 24 h", id, m.Campaign, m.At.In(berlin), m.At.Sub(msgs[i-1].At), msgs[i-1].Campaign)
			}
		}
	}
	if total != delivered || total == 0 {
		t.Fatalf("the receiver got %d messages, the log says %d delivered", total, delivered)
	}

	// Who entered each journey is what its trigger defines, from the data.
	enteredWant := func(q string, args ...any) map[string]bool {
		rows, err := w.DB().Query(q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			out[id] = true
		}
		return out
	}
	entered := func(j string) map[string]bool {
		return enteredWant(`SELECT DISTINCT customer_id FROM mb_journey_entries WHERE journey = ?`, j)
	}
	day := func(t time.Time) string { return t.In(berlin).Format(time.DateOnly) }
	// 45 days after the last order, fired at 22:30 on each simulated day.
	firstFire, lastFire := start, end
	if lastFire.In(berlin).Hour() < 22 {
		lastFire = lastFire.AddDate(0, 0, -1)
	}
	miss := enteredWant(`SELECT CAST(customer_id AS VARCHAR) FROM orders GROUP BY 1 HAVING max(order_date)::DATE + 45 BETWEEN ?::DATE AND ?::DATE`, day(firstFire), day(lastFire))
	if got := entered("Miss you"); len(miss) == 0 || len(got) != len(miss) || !sameKeys(got, miss) {
		t.Errorf("Miss you: %d entered, want %d (last order 45 days before a simulated day)", len(got), len(miss))
	}
	var consenting int
	w.DB().QueryRow(`SELECT count(*) FROM mb_segment_members WHERE segment = 'Consenting'`).Scan(&consenting)
	mondays := 0
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday && !d.Add(time.Duration(10-d.Hour())*time.Hour).After(end) {
			mondays++
		}
	}
	var news int
	w.DB().QueryRow(`SELECT count(*) FROM mb_journey_entries WHERE journey = 'Newsletter'`).Scan(&news)
	if news != mondays*consenting {
		t.Errorf("Newsletter: %d entries, want %d Mondays × %d consenting customers", news, mondays, consenting)
	}
	anniv := enteredWant(`SELECT CAST(customer_id AS VARCHAR) FROM customers WHERE strftime(signup_date::DATE, '%m-%d') IN (SELECT strftime(d, '%m-%d') FROM range(?::DATE, ?::DATE + 1, INTERVAL 1 DAY) r(d)) AND signup_date::DATE < ?::DATE`,
		day(start), day(end.Add(-9*time.Hour)), day(start))
	if got := entered("Anniversary"); len(anniv) == 0 || !sameKeys(got, anniv) {
		t.Errorf("Anniversary: %d entered, want %d (sign-up day in the simulated days)", len(got), len(anniv))
	}

	// Every planned message went or was stopped with a reason; none of the
	// journeys' messages is left behind except the last day's.
	var stuck int
	w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE status NOT IN ('delivered', 'excluded') AND planned_at < ?`, end.Add(-24*time.Hour).UTC()).Scan(&stuck)
	if stuck != 0 {
		t.Errorf("%d messages neither delivered nor excluded", stuck)
	}
	var capped, noReason int
	w.DB().QueryRow(`SELECT count(*) FILTER (WHERE reason LIKE 'frequency cap%'), count(*) FILTER (WHERE reason IS NULL) FROM mb_deliveries WHERE status = 'excluded'`).Scan(&capped, &noReason)
	if capped == 0 || noReason != 0 {
		t.Errorf("excluded: %d by the cap (want some: the journeys overlap), %d without a reason (want 0)", capped, noReason)
	}
	// The wait: the reminder's step is reached ten days after the first
	// message's, to the minute, for everyone who got that far.
	var badWait, waited int
	w.DB().QueryRow(`SELECT count(*) FILTER (WHERE r.logged_at - m.logged_at <> INTERVAL 10 DAY), count(*) FROM mb_journey_log m JOIN mb_journey_log r
		ON r.journey = m.journey AND r.customer_id = m.customer_id AND r.entry = m.entry AND r.step = 'reminder' AND r.event = 'send'
		WHERE m.journey = 'Miss you' AND m.step = 'missyou' AND m.event = 'send'`).Scan(&badWait, &waited)
	if waited == 0 || badWait != 0 {
		t.Errorf("reminders: %d reached, %d not ten days after the first message", waited, badWait)
	}
	t.Logf("%d messages delivered, %d stopped by the cap; Miss you %d, Newsletter %d entries, Anniversary %d", delivered, capped, len(miss), news, len(anniv))
}

func sameKeys(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
