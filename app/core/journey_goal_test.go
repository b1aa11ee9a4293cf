package core

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A goal with a rule ends the journey only for an order that matches it:
// C003's big second order converts, C000's small one does not, so only
// C000 gets the nudge.
func TestJourneyGoalRule(t *testing.T) {
	in := newInbox(t)
	w := journeyProject(t, 12)
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	j := welcomeJourney(in.URL)
	j.Goal.Rule = "amount >= 50"
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, t0)
	appendOrders(t, w, "N1,C000,2026-10-01,5", "N2,C003,2026-10-01,5")
	mustRun(t, w, t0.Add(time.Hour))
	appendOrders(t, w, "N3,C000,2026-10-02,10", "N4,C003,2026-10-02,60")
	for h := 2; h <= 24*5; h += 6 {
		mustRun(t, w, t0.Add(time.Duration(h)*time.Hour))
	}
	want := map[string][]string{
		"C000": {"Welcome › hello", "Welcome › nudge"},
		"C003": {"Welcome › hello"},
	}
	if got := in.byCustomer(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("messages:\n got %v\nwant %v", got, want)
	}
	st, err := w.JourneyStats(ctx, "Welcome")
	if err != nil {
		t.Fatal(err)
	}
	if st.Summary.Converted != 1 {
		t.Fatalf("converted %d, want 1 (C003's order of 60)", st.Summary.Converted)
	}
}
