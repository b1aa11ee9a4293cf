package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage/journey"
)

// Segment and new-row triggers over a series of runs: who joins the
// segment enters, who leaves it enters the leave journey, a customer who
// comes back enters again (re-entry "every"), every new row counts, and a
// run in which nothing changed enters nobody.
func TestJourneyTriggersOverRuns(t *testing.T) {
	w := journeyProject(t, 12)
	ctx := context.Background()
	if _, err := w.CreateSegment(ctx, "Gold", "customers", "vip = 'gold'"); err != nil {
		t.Fatal(err)
	}
	vip := func(id, v string) {
		if _, err := w.DB().Exec(`UPDATE customers SET vip = ? WHERE customer_id = ?`, v, id); err != nil {
			t.Fatal(err)
		}
	}
	vip("C001", "gold")
	wait := []journey.Step{{ID: "hour", Kind: journey.Wait, Duration: "1h"}}
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	for _, j := range []*journey.Journey{
		{Name: "Joined", Table: "customers", Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Gold"}, Reentry: journey.Reentry{Policy: journey.Every}, Steps: wait},
		{Name: "Left", Table: "customers", Trigger: journey.Trigger{Kind: journey.SegmentLeave, Segment: "Gold"}, Reentry: journey.Reentry{Policy: journey.Every}, Steps: wait},
		{Name: "Orders", Table: "customers", Trigger: journey.Trigger{Kind: journey.NewRow, Table: "orders"}, Reentry: journey.Reentry{Policy: journey.Every}, Steps: wait},
	} {
		if err := w.SaveJourney(ctx, j, false, t0); err != nil {
			t.Fatal(err)
		}
	}
	entered := func(at time.Time, want string) {
		t.Helper()
		rep := mustRun(t, w, at)
		got := ""
		for _, tk := range rep.Ticks {
			got += fmt.Sprintf("%s %d; ", tk.Journey, tk.Entered)
		}
		if got != want {
			t.Fatalf("at %s entered: %s, want %s", at.Format("15:04"), got, want)
		}
	}
	entered(t0, "Joined 0; Left 0; Orders 0; ") // the baseline: C001 was gold already
	vip("C002", "gold")
	appendOrders(t, w, "N1,C000,2026-10-01,5", "N2,C001,2026-10-01,5")
	entered(t0.Add(time.Minute), "Joined 1; Left 0; Orders 2; ")
	vip("C001", "regular")
	entered(t0.Add(2*time.Minute), "Joined 0; Left 1; Orders 0; ")
	entered(t0.Add(3*time.Minute), "Joined 0; Left 0; Orders 0; ")
	entered(t0.Add(90*time.Minute), "Joined 0; Left 0; Orders 0; ") // the waits end
	appendOrders(t, w, "N3,C000,2026-10-01,7")
	vip("C002", "regular")
	vip("C001", "gold")
	entered(t0.Add(2*time.Hour), "Joined 1; Left 1; Orders 1; ")
	vip("C002", "gold")
	entered(t0.Add(3*time.Hour), "Joined 1; Left 0; Orders 0; ")
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM mb_journey_entries WHERE journey = 'Joined' AND customer_id = 'C002'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("C002 entered Joined %d times, want 2 (joined, left, came back)", n)
	}
}
