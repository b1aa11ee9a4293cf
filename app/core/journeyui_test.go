package core

import (
	"context"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage/journey"
)

// A journey with a holdout reads its conversion against the holdout (the
// goal's orders within the attribution days), and HasActiveJourneys
// follows pause and resume.
func TestJourneyHoldoutAndActive(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 40)
	ctx := context.Background()
	if ok, err := w.HasActiveJourneys(ctx); err != nil || ok {
		t.Fatalf("HasActiveJourneys before any journey: %v, %v", ok, err)
	}
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	j := welcomeJourney(in.URL)
	j.Steps = append([]journey.Step{{ID: "ab", Kind: journey.Split, Branches: []journey.Branch{
		{Name: "A", Percent: 50}, {Name: "control", Percent: 50, Next: "end", Holdout: true}}}}, j.Steps...)
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	if ok, err := w.HasActiveJourneys(ctx); err != nil || !ok {
		t.Fatalf("HasActiveJourneys with an active journey: %v, %v", ok, err)
	}
	mustRun(t, w, t0)
	var rows []string
	for i := range 40 {
		rows = append(rows, "N"+string(rune('A'+i%26))+string(rune('a'+i/26))+",C0"+twoDigits(i)+",2026-10-01,5")
	}
	appendOrders(t, w, rows...)
	mustRun(t, w, t0.Add(time.Hour))
	appendOrders(t, w, "M1,C000,2026-10-03,5", "M2,C003,2026-10-03,5", "M3,C006,2026-10-03,5")
	mustRun(t, w, t0.Add(50*time.Hour))
	st, err := w.JourneyStats(ctx, j.Name)
	if err != nil {
		t.Fatal(err)
	}
	if st.Holdout == nil {
		t.Fatal("no comparison with the holdout")
	}
	n := st.Holdout.Control.N + st.Holdout.Variants[0].Variant.N
	conv := st.Holdout.Control.Conversions + st.Holdout.Variants[0].Variant.Conversions
	if n != st.Summary.Entered || conv != 3 {
		t.Fatalf("holdout comparison over %d customers with %d conversions; want the %d who entered and 3", n, conv, st.Summary.Entered)
	}
	if err := w.PauseJourney(ctx, j.Name); err != nil {
		t.Fatal(err)
	}
	if ok, _ := w.HasActiveJourneys(ctx); ok {
		t.Fatal("HasActiveJourneys with the only journey paused")
	}
}

func twoDigits(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
