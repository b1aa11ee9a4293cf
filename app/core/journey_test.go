package core

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/contact"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/journey"
)

// inbox is a local webhook endpoint that records every message it gets:
// customer, delivery-log campaign and idempotency key.
type inbox struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []inboxMsg
}

type inboxMsg struct {
	ID, Campaign, Key, Subject string
}

func newInbox(t *testing.T) *inbox {
	in := &inbox{}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m struct {
			ID, Campaign, Subject string
			IdempotencyKey        string `json:"idempotency_key"`
		}
		json.Unmarshal(b, &m)
		in.mu.Lock()
		in.msgs = append(in.msgs, inboxMsg{m.ID, m.Campaign, m.IdempotencyKey, m.Subject})
		in.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(in.Close)
	return in
}

// byCustomer is each customer's messages, as "campaign" strings in order.
func (in *inbox) byCustomer() map[string][]string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := map[string][]string{}
	for _, m := range in.msgs {
		out[m.ID] = append(out[m.ID], m.Campaign)
	}
	return out
}

// journeyProject is a project of n customers (C000…; every fifth, from C004, has
// no e-mail consent) and their orders (customer i has i%3 orders in
// September 2026), with the webhook plugin enabled.
func journeyProject(t *testing.T, n int) *Workspace {
	t.Helper()
	bundledWebhook(t)
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "j.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var c, o strings.Builder
	c.WriteString("customer_id,first_name,email,email_consent,vip\n")
	o.WriteString("order_id,customer_id,order_date,amount\n")
	for i := range n {
		fmt.Fprintf(&c, "C%03d,Ann,c%d@example.com,%v,regular\n", i, i, i%5 != 4)
		for k := range i % 3 {
			fmt.Fprintf(&o, "O%03d-%d,C%03d,2026-09-%02d,%d\n", i, k, i, 1+k*10, 10+i)
		}
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"customers": c.String(), "orders": o.String()} {
		f := filepath.Join(dir, name+".csv")
		os.WriteFile(f, []byte(body), 0o644)
		if _, err := w.Import(ctx, f, ingest.Options{Table: name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		t.Fatal(err)
	}
	return w
}

func appendOrders(t *testing.T, w *Workspace, rows ...string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(f, []byte("order_id,customer_id,order_date,amount\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	if _, err := w.Import(context.Background(), f, ingest.Options{Table: "orders", Mode: ingest.Append}); err != nil {
		t.Fatal(err)
	}
}

func welcomeJourney(url string) *journey.Journey {
	send := func(id, subject string) journey.Step {
		return journey.Step{ID: id, Kind: journey.Send, Plugin: "marketbench.org/webhook", Component: "webhook",
			Config:   sdk.Config{"url": url},
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: subject, Text: "Hello {{.first_name}}"}}}
	}
	return &journey.Journey{
		Name: "Welcome", Table: "customers",
		Trigger: journey.Trigger{Kind: journey.NewRow, Table: "orders", FirstOnly: true},
		Goal:    &journey.Goal{},
		Steps: []journey.Step{
			send("hello", "Welcome"),
			{ID: "pause", Kind: journey.Wait, Duration: "3d"},
			{ID: "vip", Kind: journey.Condition, Rule: "vip = 'gold'", Yes: "end", No: "nudge"},
			send("nudge", "Ten percent off your second order"),
			{ID: "tag", Kind: journey.Update, Field: "vip", Value: "nudged"},
			{ID: "end", Kind: journey.Exit},
		},
	}
}

func mustRun(t *testing.T, w *Workspace, now time.Time) *AutomateReport {
	t.Helper()
	rep, err := w.RunAutomation(context.Background(), AutomateOptions{Now: now}, nil)
	if err != nil {
		t.Fatalf("%T %#v", err, err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("problems at %s: %v", now, rep.Problems)
	}
	return rep
}

// New first-time buyers enter the welcome journey, get the welcome at
// once and the nudge three days later unless they ordered again (the goal)
// or are VIPs; customers without consent are excluded with the reason.
func TestWelcomeJourneyFirstTimeBuyers(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 30)
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, welcomeJourney(in.URL), false, t0); err != nil {
		t.Fatal(err)
	}
	rep := mustRun(t, w, t0) // the baseline: September's buyers are not new
	if rep.Ticks[0].Entered != 0 || rep.Sent != 0 {
		t.Fatalf("first run entered %d and sent %d; want nothing", rep.Ticks[0].Entered, rep.Sent)
	}
	// C000, C003 (never bought) buy; C001 (a buyer already) buys again;
	// C009 (no consent) buys; C006 buys twice, the second time on day 2.
	appendOrders(t, w, "N1,C000,2026-10-01,5", "N2,C003,2026-10-01,5", "N3,C001,2026-10-01,5", "N4,C009,2026-10-01,5", "N5,C006,2026-10-01,5")
	w.DB().Exec(`UPDATE customers SET vip = 'gold' WHERE customer_id = 'C003'`)
	rep = mustRun(t, w, t0.Add(time.Hour))
	if got := rep.Ticks[0].Entered; got != 4 {
		t.Fatalf("entered %d, want 4 (C000, C003, C006, C009)", got)
	}
	if rep.Sent != 3 {
		t.Fatalf("sent %d welcome messages, want 3 (C009 has no consent)", rep.Sent)
	}
	appendOrders(t, w, "N6,C006,2026-10-02,5")
	for h := 2; h <= 24*5; h++ {
		mustRun(t, w, t0.Add(time.Duration(h)*time.Hour))
	}
	got := in.byCustomer()
	want := map[string][]string{
		"C000": {"Welcome › hello", "Welcome › nudge"},
		"C003": {"Welcome › hello"}, // a VIP: no nudge
		"C006": {"Welcome › hello"}, // ordered again: converted
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("messages:\n got %v\nwant %v", got, want)
	}
	st, err := w.JourneyStats(ctx, "Welcome")
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary.Converted != 1 || st.Summary.Exited != 3 || st.Summary.Entered != 4 {
		t.Fatalf("summary %+v: want 4 entered, 1 converted, 3 exited (C009 goes through without messages)", st.Summary)
	}
	var vip string
	if err := w.DB().QueryRow(`SELECT vip FROM customers WHERE customer_id = 'C000'`).Scan(&vip); err != nil {
		t.Fatal(err)
	}
	if vip != "nudged" {
		t.Fatalf("C000's vip is %q after the update step, want nudged", vip)
	}
	var reason string
	w.DB().QueryRow(`SELECT reason FROM mb_deliveries WHERE customer_id = 'C009'`).Scan(&reason)
	if !strings.Contains(reason, "consent") {
		t.Fatalf("C009's delivery reason %q, want the missing consent", reason)
	}
	// The nudge went three days after the welcome: the wait, in the
	// runner's clock.
	var planned time.Time
	w.DB().QueryRow(`SELECT planned_at FROM mb_deliveries WHERE campaign = 'Welcome › nudge' AND customer_id = 'C000'`).Scan(&planned)
	if d := planned.Sub(t0.Add(time.Hour).UTC()); d < 72*time.Hour || d > 73*time.Hour {
		t.Fatalf("nudge planned %v after the welcome, want 3 days", d)
	}
}

// A journey on an RFM segment has RFM re-scored once a day as of that
// day, so customers slip into "At Risk" as time passes.
func TestAutomationRefreshesRFM(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 30)
	ctx := context.Background()
	run, err := w.RFM(ctx, "orders", "", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	seg := run.Segments
	if len(seg) == 0 {
		sum, _ := w.LastRFM(ctx)
		seg = sum.Segments
	}
	j := welcomeJourney(in.URL)
	j.Name, j.Trigger = "Win back", journey.Trigger{Kind: journey.SegmentEnter, Segment: seg[0].Name}
	if err := w.SaveJourney(ctx, j, false, time.Date(2026, 10, 1, 9, 0, 0, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, time.Date(2026, 11, 15, 9, 0, 0, 0, time.Local))
	last, err := w.LastRFM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := last.AsOf.Format(time.DateOnly); got != "2026-11-15" {
		t.Fatalf("RFM as of %s after the run, want 2026-11-15", got)
	}
}

// A frequency cap counts campaigns and journeys together: a customer who
// got a campaign today is not sent the journey's welcome, with the cap as
// the reason, and the others are.
func TestJourneyHonoursFrequencyCap(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 12)
	ctx := context.Background()
	if err := w.SetContactPolicy(ctx, &contact.Policy{Caps: []contact.Cap{{Max: 1, Hours: 24}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Zero", "customers", "customer_id = 'C000'"); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "News", Segment: "Zero", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": in.URL}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "News", Text: "Hi"}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendCampaign(ctx, "News", SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := w.SaveJourney(ctx, welcomeJourney(in.URL), false, now); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, now)
	appendOrders(t, w, "N1,C000,2026-10-01,5", "N2,C003,2026-10-01,5")
	rep := mustRun(t, w, now.Add(time.Minute))
	if rep.Ticks[0].Entered != 2 || rep.Sent != 1 {
		t.Fatalf("entered %d, sent %d; want 2 entered and 1 sent (C000 is at the cap)", rep.Ticks[0].Entered, rep.Sent)
	}
	var reason string
	w.DB().QueryRow(`SELECT reason FROM mb_deliveries WHERE campaign = 'Welcome › hello' AND customer_id = 'C000'`).Scan(&reason)
	if !strings.Contains(reason, "frequency cap") {
		t.Fatalf("C000's welcome: reason %q, want the frequency cap", reason)
	}
	if got := in.byCustomer(); len(got["C000"]) != 1 || len(got["C003"]) != 1 {
		t.Fatalf("messages %v: want C000 only the campaign, C003 the welcome", got)
	}
}

// A journey with a holdout: the split keeps its share back, and journey
// stats compare the conversion (an order within 30 days of entering) of
// the customers sent with the holdout's, and attribute orders to the send
// step they followed.
func TestJourneyHoldoutAndAttribution(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 200)
	ctx := context.Background()
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	j := welcomeJourney(in.URL)
	j.Name, j.Goal = "Test", nil
	j.Trigger = journey.Trigger{Kind: journey.SegmentEnter, Segment: "Everyone", IncludeExisting: true}
	j.Steps = append([]journey.Step{{ID: "ab", Kind: journey.Split, Branches: []journey.Branch{
		{Name: "sent", Percent: 50, Next: "hello"}, {Name: "holdout", Percent: 50, Next: "end", Holdout: true}}}}, j.Steps...)
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, t0)
	// Everyone the message reached orders a week later, and every fourth
	// holdout customer does.
	var rows []string
	var sent, held int64
	r, _ := w.DB().Query(`SELECT customer_id, branch FROM mb_journey_entries WHERE journey = 'Test' ORDER BY customer_id`)
	for r.Next() {
		var id, branch string
		r.Scan(&id, &branch)
		if branch == "sent" {
			sent++
			if d, _ := strconv.Atoi(id[1:]); d%5 != 4 { // C004, C009… have no consent: no message
				rows = append(rows, fmt.Sprintf("J%s,%s,2026-10-08,9", id, id))
			}
		} else {
			if held%4 == 0 {
				rows = append(rows, fmt.Sprintf("J%s,%s,2026-10-08,9", id, id))
			}
			held++
		}
	}
	r.Close()
	if sent < 70 || held < 70 {
		t.Fatalf("split 50/50 of 200 gave %d sent and %d held out", sent, held)
	}
	appendOrders(t, w, rows...)
	st, err := w.JourneyStats(ctx, "Test")
	if err != nil {
		t.Fatal(err)
	}
	h := st.Holdout
	if h == nil || h.Control.N != held || h.Variants[0].Variant.N != sent {
		t.Fatalf("holdout report %+v: want %d held out and %d sent", h, held, sent)
	}
	if h.Variants[0].Variant.Rate < 0.7 || h.Control.Rate > 0.3 || h.Variants[0].ZTest.P > 0.001 {
		t.Fatalf("conversion: journey %.2f, holdout %.2f, p %.4f", h.Variants[0].Variant.Rate, h.Control.Rate, h.Variants[0].ZTest.P)
	}
	for _, s := range st.Steps {
		if s.ID == "hello" && (s.Ordered == 0 || s.Ordered != s.Delivered) {
			t.Fatalf("step hello: %d delivered, %d ordered after it; want all", s.Delivered, s.Ordered)
		}
	}
}

// The daily limit lets at most N customers in per day, the rest turned
// away with the reason; re-entry "after N days" lets a customer in again
// only N days after their last entry.
func TestJourneyDailyLimitAndReentry(t *testing.T) {
	w := journeyProject(t, 20)
	ctx := context.Background()
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	j := &journey.Journey{Name: "Daily", Table: "customers", DailyLimit: 8, Reentry: journey.Reentry{Policy: journey.After, Days: 3},
		Trigger: journey.Trigger{Kind: journey.Schedule, Cron: "0 9 * * *", Segment: "Everyone"},
		Steps:   []journey.Step{{ID: "tag", Kind: journey.Update, Field: "vip", Value: "seen"}}}
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	var perDay []int64
	for d := range 6 {
		rep := mustRun(t, w, t0.AddDate(0, 0, d).Add(2*time.Hour))
		perDay = append(perDay, rep.Ticks[0].Entered)
	}
	// Day 1: 8 of 20; day 2: the next 8; day 3: the last 4 (the first 8
	// entered under 3 days ago); day 4: the first 8 again…
	if fmt.Sprint(perDay) != "[8 8 4 8 8 4]" {
		t.Fatalf("entered per day %v, want [8 8 4 8 8 4]", perDay)
	}
	var limited, recent int
	w.DB().QueryRow(`SELECT count(*) FILTER (WHERE detail LIKE '%daily limit%'), count(*) FILTER (WHERE detail LIKE '%re-entry period%')
		FROM mb_journey_log WHERE journey = 'Daily' AND event = 'skipped'`).Scan(&limited, &recent)
	if limited == 0 || recent == 0 {
		t.Fatalf("skips logged: %d for the daily limit, %d for the re-entry period; want both", limited, recent)
	}
}

// A send step through a channel that is not enabled is refused when the
// journey is saved, with the step named.
func TestJourneyDisabledChannelRefused(t *testing.T) {
	w := journeyProject(t, 3)
	ctx := context.Background()
	if err := w.DisablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		t.Fatal(err)
	}
	err := w.SaveJourney(ctx, welcomeJourney("http://127.0.0.1:1"), false, time.Now())
	if err == nil || !strings.Contains(err.Error(), `step "hello"`) || !strings.Contains(err.Error(), "not enabled") {
		t.Fatalf("saving with a disabled channel: %v", err)
	}
	if all, _ := w.Journeys(ctx); len(all) != 0 {
		t.Fatalf("the refused journey was stored: %v", all)
	}
}

// Responses imported for a send step (by idempotency key, as a channel
// reports them) are counted per step, and an unsubscribe suppresses.
func TestJourneyImportResults(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 10)
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, welcomeJourney(in.URL), false, t0); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, t0)
	appendOrders(t, w, "N1,C000,2026-10-01,5", "N2,C003,2026-10-01,5")
	mustRun(t, w, t0.Add(time.Hour))
	in.mu.Lock()
	var b strings.Builder
	b.WriteString("idempotency_key,event\n")
	for _, m := range in.msgs {
		b.WriteString(m.Key + ",open\n")
		if m.ID == "C003" {
			b.WriteString(m.Key + ",unsubscribe\n")
		}
	}
	in.mu.Unlock()
	f := filepath.Join(t.TempDir(), "responses.csv")
	os.WriteFile(f, []byte(b.String()), 0o644)
	r, err := w.ImportJourneyResults(ctx, "Welcome", "hello", f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Matched != 3 || r.ByEvent["open"] != 2 || r.Suppressed != 1 {
		t.Fatalf("import: %+v; want 3 matched, 2 opens, 1 suppressed", r)
	}
	st, err := w.JourneyStats(ctx, "Welcome")
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Steps[0].Responses; got["open"] != 2 || got["unsubscribe"] != 1 {
		t.Fatalf("step responses %v", got)
	}
	if _, err := w.ImportJourneyResults(ctx, "Welcome", "pause", f); err == nil || !strings.Contains(err.Error(), "no send step") {
		t.Fatalf("a wait step's results: %v", err)
	}
}

// An update step can give a tag, which rules then read as "tags".
func TestJourneyTagStep(t *testing.T) {
	w := journeyProject(t, 10)
	ctx := context.Background()
	if _, err := w.CreateSegment(ctx, "Some", "customers", "customer_id IN ('C001', 'C002', 'C003')"); err != nil {
		t.Fatal(err)
	}
	j := &journey.Journey{Name: "Tagger", Table: "customers",
		Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Some", IncludeExisting: true},
		Steps:   []journey.Step{{ID: "tag", Kind: journey.Update, Tag: "welcomed"}}}
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, t0)
	n, err := w.CountRule(ctx, "customers", "tags CONTAINS 'welcomed'")
	if err != nil || n != 3 {
		t.Fatalf("customers tagged welcomed: %d (%v), want 3", n, err)
	}
	if n, _ := w.CountRule(ctx, "customers", "NOT tags CONTAINS 'welcomed'"); n != 7 {
		t.Fatalf("customers not tagged: %d, want 7", n)
	}
	j.Steps[0].Tag, j.Steps[0].Field = "x", "vip"
	if err := w.SaveJourney(ctx, j, true, t0); err == nil || !strings.Contains(err.Error(), "one of them") {
		t.Fatalf("a field and a tag in one step: %v", err)
	}
}
