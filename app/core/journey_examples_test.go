package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/ingest"
)

// The example journeys of docs/JOURNEYS.md are valid on the demo project,
// and a first run takes the win-back's "At Risk" customers in only when
// they enter it later (not those already there).
func TestJourneyExamplesOnDemo(t *testing.T) {
	bundledWebhook(t)
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Customers: 800, Orders: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	in := newInbox(t)
	if _, err := w.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveChannelSettings(ctx, "marketbench.org/webhook", "webhook", sdk.Config{"url": in.URL}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.Local)
	for _, f := range []string{"journey-welcome.json", "journey-winback.json"} {
		j, err := ReadJourneyFile(filepath.Join("..", "..", "docs", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.SaveJourney(ctx, j, false, now); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	rep := mustRun(t, w, now)
	if len(rep.Ticks) != 2 || rep.Sent != 0 {
		t.Fatalf("first run: %d journeys, %d sent; want 2 journeys taking their baseline and sending nothing", len(rep.Ticks), rep.Sent)
	}
	var seen int
	w.DB().QueryRow(`SELECT count(*) FROM mb_journey_seen WHERE journey = 'Win back'`).Scan(&seen)
	var atRisk int
	w.DB().QueryRow(`SELECT count(*) FROM rfm_scores WHERE rfm_segment = 'At Risk'`).Scan(&atRisk)
	if seen != atRisk || atRisk == 0 {
		t.Fatalf("the win-back's first run saw %d customers, want the %d already At Risk (who do not enter)", seen, atRisk)
	}
	// November: customers who had never ordered buy; they, and only they,
	// enter the welcome series, and those with consent get the welcome.
	rows, err := w.DB().Query(`SELECT customer_id, email_consent FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders) ORDER BY customer_id LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	var more []string
	consenting := 0
	for rows.Next() {
		var id string
		var ok bool
		rows.Scan(&id, &ok)
		if ok {
			consenting++
		}
		more = append(more, fmt.Sprintf("NOV-%s,%s,2026-11-20,P0001,1,20,20,web", id, id))
	}
	rows.Close()
	if len(more) == 0 {
		t.Fatal("the demo has no customer without orders")
	}
	appendDemoOrders(t, w, more)
	rep = mustRun(t, w, now.AddDate(0, 0, 20).Add(3*time.Hour))
	if rep.Ticks[0].Journey != "Welcome series" || rep.Ticks[0].Entered != int64(len(more)) {
		t.Fatalf("welcome series: %+v, want %d entered", rep.Ticks[0], len(more))
	}
	var welcomed int
	w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE campaign = 'Welcome series › welcome' AND status = 'delivered'`).Scan(&welcomed)
	if welcomed != consenting {
		t.Fatalf("sent %d welcomes, want %d (the new buyers with e-mail consent)", welcomed, consenting)
	}
}

// appendDemoOrders appends rows (in the demo's order columns) to orders.
func appendDemoOrders(t *testing.T, w *Workspace, rows []string) {
	t.Helper()
	var cols []string
	r, err := w.DB().Query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var c string
		r.Scan(&c)
		cols = append(cols, c)
	}
	r.Close()
	f := filepath.Join(t.TempDir(), "nov.csv")
	os.WriteFile(f, []byte(strings.Join(cols, ",")+"\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	if _, err := w.Import(context.Background(), f, ingest.Options{Table: "orders", Mode: ingest.Append}); err != nil {
		t.Fatal(err)
	}
}
