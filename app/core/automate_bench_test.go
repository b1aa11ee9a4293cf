package core

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/bench/kit"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/bench"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
)

// BenchmarkAutomateTick1M measures one automation run (RunAutomation, what
// `automate run` does) over 1,000,000 customers and ~3M orders with five
// active journeys, one per trigger kind, after their first runs: 100,000
// customers wait 30 days in the segment journey and a few thousand in the
// date and win-back journeys.
//
//   - nothing due (ns/op; tick_s, the median of at least three runs a
//     minute apart): nobody enters, nobody's step is due; goal ≤ 5 s on 2
//     cores. The peer is bare DuckDB doing the least a tick
//     must do on the same database: the segment's new members against
//     those seen, the order count that tells whether rows arrived, and the
//     scan for due entries (x_vs_duckdb = ours / the peer's).
//
//   - something due: N first-time buyers arrive (MB_BENCH_JOURNEY_DUE,
//     default 3,000) and the next run enters them and sends the welcome
//     through the real webhook plugin to a local receiver, at a channel
//     rate of 12,000 a minute (200/s): msg/s is N over the whole run,
//     receiver_msg/s is what the receiver saw from the first message to
//     the last; goal: the channel's rate (rate_x = msg/s ÷ 200).
//
//     go test -run '^$' -bench AutomateTick1M -benchtime 1x -timeout 60m ./app/core
//
// MB_BENCH_JOURNEY_CUSTOMERS (default 1M) scales the data for a smoke run;
// MB_BENCH_JOURNEY_RATE (default 12k) is the channel's rate a minute.
func BenchmarkAutomateTick1M(b *testing.B) {
	ctx := context.Background()
	n := kit.Size("MB_BENCH_JOURNEY_CUSTOMERS", 1_000_000)
	due := kit.Size("MB_BENCH_JOURNEY_DUE", 3_000)
	perMinute := kit.Size("MB_BENCH_JOURNEY_RATE", 12_000)
	dir := b.TempDir()
	bundled := filepath.Join(dir, "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		b.Fatal(err)
	}
	os.Setenv(host.BundledEnv, bundled)
	defer os.Setenv(host.BundledEnv, filepath.Join(filepath.Dir(pluginsDir), "none"))

	var mu sync.Mutex
	var got []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		got = append(got, time.Now())
		mu.Unlock()
		rw.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	setup := time.Now()
	w, err := Create(filepath.Join(dir, "tick"+storage.Ext))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	buyers := n * 9 / 10 // the last tenth never ordered: the first-time buyers to come
	for _, q := range []string{
		fmt.Sprintf(`CREATE TABLE customers AS SELECT 'C' || lpad(CAST(i AS VARCHAR), 7, '0') AS customer_id,
			'Ann' AS first_name, 'c' || i || '@example.com' AS email, i %% 5 <> 4 AS email_consent,
			DATE '2018-01-01' + CAST((i * 2654435761) %% 3000 AS INTEGER) AS signup_date,
			DATE '1950-01-01' + CAST((i * 2246822519) %% 20000 AS INTEGER) AS birthday,
			CASE WHEN i %% 10 = 0 THEN 'gold' WHEN i %% 10 < 4 THEN 'silver' ELSE 'bronze' END AS tier
			FROM range(%d) t(i)`, n),
		// ~3.3 orders per buyer, dated 2024-01-01 to 2026-09-26.
		fmt.Sprintf(`CREATE TABLE orders AS SELECT 'O' || i AS order_id,
			'C' || lpad(CAST((i * 40503) %% %d AS VARCHAR), 7, '0') AS customer_id,
			DATE '2024-01-01' + CAST((i * 3266489917) %% 1000 AS INTEGER) AS order_date,
			10 + (i %% 90) AS amount FROM range(%d) t(i)`, buyers, buyers*10/3),
	} {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.SetRoles(ctx, "customers", map[string]storage.Role{"customer_id": storage.CustomerID, "first_name": storage.FirstName,
		"email": storage.Email, "email_consent": storage.EmailConsent}, true); err != nil {
		b.Fatal(err)
	}
	if err := w.SetRoles(ctx, "orders", map[string]storage.Role{"order_id": storage.OrderID, "customer_id": storage.CustomerID,
		"order_date": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		b.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		b.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Gold", "customers", "tier = 'gold'"); err != nil {
		b.Fatal(err)
	}
	// A Tuesday at 10:00: the date triggers (09:00) have fired today, the
	// Monday schedule is six days away.
	t0 := time.Date(2026, 10, 6, 10, 0, 0, 0, time.Local)
	for _, j := range tickJourneys(srv.URL, perMinute) {
		if err := w.SaveJourney(ctx, j, false, t0); err != nil {
			b.Fatalf("%s: %v", j.Name, err)
		}
	}
	base, err := w.RunAutomation(ctx, AutomateOptions{Now: t0}, nil)
	if err != nil || len(base.Problems) > 0 {
		b.Fatalf("first run: %v %v", err, base.Problems)
	}
	var waiting int64
	w.DB().QueryRowContext(ctx, `SELECT count(*) FROM mb_journey_entries WHERE status = 'active'`).Scan(&waiting)
	baseSent := len(got)
	setupS := time.Since(setup).Seconds()

	// Nothing due: a minute later, then a minute after that…
	var ours []float64
	now := t0
	tick := func() {
		now = now.Add(time.Minute)
		start := time.Now()
		rep, err := w.RunAutomation(ctx, AutomateOptions{Now: now}, nil)
		ours = append(ours, time.Since(start).Seconds())
		if err != nil || len(rep.Problems) > 0 {
			b.Fatalf("tick: %v %v", err, rep.Problems)
		}
		for _, t := range rep.Ticks {
			if t.Entered+t.Converted > 0 || len(t.Moved) > 0 {
				b.Fatalf("nothing was due, yet %s: %+v", t.Journey, t)
			}
		}
	}
	b.ResetTimer()
	for range b.N {
		tick()
	}
	b.StopTimer()
	for len(ours) < 3 { // tick_s is a median of at least three, as the peer's
		tick()
	}

	// The peer: the same questions in bare SQL on the same database.
	nowLit := storage.Literal(now.UTC().Format(time.DateTime)) + `::TIMESTAMP`
	var peer []float64
	for range len(ours) {
		start := time.Now()
		var a, o, d int64
		if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE tier = 'gold'
			AND customer_id NOT IN (SELECT key FROM mb_journey_seen WHERE journey = 'Gold')`).Scan(&a); err != nil {
			b.Fatal(err)
		}
		if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&o); err != nil {
			b.Fatal(err)
		}
		if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM mb_journey_entries WHERE status = 'active' AND due_at <= `+nowLit).Scan(&d); err != nil {
			b.Fatal(err)
		}
		peer = append(peer, time.Since(start).Seconds())
		if a+d != 0 {
			b.Fatalf("the peer finds %d new members and %d due entries, the engine none", a, d)
		}
	}

	// Something due: first-time buyers arrive; the next run enters them and
	// sends the welcome at the channel's rate.
	if _, err := w.DB().ExecContext(ctx, fmt.Sprintf(`INSERT INTO orders SELECT 'N' || i, 'C' || lpad(CAST(%d + i * 5 AS VARCHAR), 7, '0'),
		DATE '2026-10-06', 20 FROM range(%d) t(i)`, buyers, due)); err != nil { // i*5 never ≡ 4 (mod 5): all consented
		b.Fatal(err)
	}
	mu.Lock()
	got = got[:0]
	mu.Unlock()
	now = now.Add(time.Minute)
	start := time.Now()
	rep, err := w.RunAutomation(ctx, AutomateOptions{Now: now}, nil)
	sendS := time.Since(start).Seconds()
	if err != nil || len(rep.Problems) > 0 {
		b.Fatalf("send run: %v %v", err, rep.Problems)
	}
	mu.Lock()
	recv := append([]time.Time(nil), got...)
	mu.Unlock()
	if rep.Sent != due || len(recv) != due {
		b.Fatalf("sent %d, the receiver got %d, want %d", rep.Sent, len(recv), due)
	}
	rate := float64(due) / sendS
	recvRate := float64(len(recv)-1) / recv[len(recv)-1].Sub(recv[0]).Seconds()
	configured := float64(perMinute) / 60

	med, bare := bench.Median(ours), bench.Median(peer)
	b.ReportMetric(med, "tick_s")
	b.ReportMetric(bare, "duckdb_s")
	b.ReportMetric(med/bare, "x_vs_duckdb")
	b.ReportMetric(rate, "msg/s")
	b.ReportMetric(recvRate, "receiver_msg/s")
	b.ReportMetric(rate/configured, "rate_x")
	b.Logf("automate tick: %d customers, %d orders, 5 journeys, %d customers in them (%d messages in the first run; set-up %.0f s); "+
		"nothing due: ours %.2f s (goal ≤ 5), bare DuckDB %.3f s, %.1f× its time; "+
		"%d first-time buyers due: run %.2f s, %.0f msg/s over the run, %.0f msg/s at the receiver, channel rate %.0f/s (%.2f×)",
		n, buyers*10/3, waiting, baseSent, setupS, med, bare, med/bare, due, sendS, rate, recvRate, configured, rate/configured)
}

// tickJourneys are the benchmark's five journeys, one per trigger kind,
// each with wait, condition and send steps.
func tickJourneys(url string, perMinute int) []*journey.Journey {
	send := func(id, subject string) journey.Step {
		return journey.Step{ID: id, Kind: journey.Send, Plugin: "marketbench.org/webhook", Component: "webhook",
			Config: sdk.Config{"url": url}, RatePerMinute: perMinute,
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: subject, Text: "Hello {{.first_name}}"}}}
	}
	wait := func(id, d string) journey.Step { return journey.Step{ID: id, Kind: journey.Wait, Duration: d} }
	cond := func(id, r, yes, no string) journey.Step {
		return journey.Step{ID: id, Kind: journey.Condition, Rule: r, Yes: yes, No: no}
	}
	exit := journey.Step{ID: "end", Kind: journey.Exit}
	return []*journey.Journey{
		{Name: "Gold", Table: "customers", Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Gold", IncludeExisting: true},
			Steps: []journey.Step{wait("settle", "30d"), cond("consented", "email_consent = true", "thanks", "end"), send("thanks", "Thank you"), exit}},
		{Name: "Welcome", Table: "customers", Trigger: journey.Trigger{Kind: journey.NewRow, Table: "orders", FirstOnly: true}, Goal: &journey.Goal{},
			Steps: []journey.Step{send("hello", "Welcome"), wait("pause", "3d"), cond("gold", "tier = 'gold'", "end", "nudge"), send("nudge", "Ten percent off"), exit}},
		{Name: "Birthday", Table: "customers", Trigger: journey.Trigger{Kind: journey.DateColumn, Column: "birthday", Yearly: true, At: "09:00"},
			Steps: []journey.Step{wait("next-day", "1d"), cond("consented", "email_consent = true", "wish", "end"), send("wish", "Happy birthday"), exit}},
		{Name: "Win back", Table: "customers", Trigger: journey.Trigger{Kind: journey.AfterLastOrder, Days: 60, At: "09:00"}, Goal: &journey.Goal{},
			Steps: []journey.Step{wait("week", "7d"), cond("not-gold", "tier <> 'gold'", "offer", "end"), send("offer", "We miss you"), exit}},
		{Name: "Monday news", Table: "customers", Trigger: journey.Trigger{Kind: journey.Schedule, Cron: "0 9 * * MON", Rule: "email_consent = true"},
			Steps: []journey.Step{send("news", "This week"), wait("later", "2d"), cond("silver", "tier = 'silver'", "extra", "end"), send("extra", "More news"), exit}},
	}
}
