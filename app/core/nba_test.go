package core

import (
	"context"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage/segment"
)

// TestNBAHillstrom plans between the two Hillstrom e-mails from their
// uplift models: each contacted customer gets the e-mail worth more to
// them, the plan keeps to the budget, and each action's audience is a
// segment a campaign can use.
func TestNBAHillstrom(t *testing.T) {
	ctx := context.Background()
	w := hillstromWorkspace(t)
	if _, err := w.PlanNBA(ctx, NBARequest{Actions: []NBAAction{{Name: "W", Uplift: "uplift_w", Value: 10}}}); err == nil ||
		!strings.Contains(err.Error(), "uplift train") {
		t.Errorf("before any uplift model: %v", err)
	}
	for _, e := range []string{"Womens E-Mail", "Mens E-Mail"} {
		if _, err := w.TrainUplift(ctx, UpliftRequest{Table: "experiment", Treatment: "segment", Treated: e, Control: "No E-Mail",
			Outcome: "visit", Features: hillstromFeatures, Seed: 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	actions := []NBAAction{{Name: "Womens", Uplift: "uplift_womens_e_mail", Value: 20, Cost: 0.5}, {Name: "Mens", Uplift: "uplift_mens_e_mail", Value: 20, Cost: 0.6}}
	rep, err := w.PlanNBA(ctx, NBARequest{Actions: actions, Budget: 10000, SegmentPrefix: "NBA"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *rep)
	if rep.Customers != 64000 || rep.Cost > 10000 || rep.Contacted == 0 || rep.Contacted > 20000 || rep.OverBudget == 0 {
		t.Errorf("plan: %+v", *rep)
	}
	// Each chosen action is the better one for that customer (or the
	// cheaper one, chosen to keep within the budget, and then said so).
	var wrong int64
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM nba_plan p JOIN model_scores s USING (customer_id)
		WHERE (p.action = 'Womens' AND s.uplift_womens_e_mail*20 - 0.5 < s.uplift_mens_e_mail*20 - 0.6 AND p.reason NOT LIKE '%budget%')
		   OR (p.action = 'Mens' AND s.uplift_mens_e_mail*20 - 0.6 < s.uplift_womens_e_mail*20 - 0.5)
		   OR (p.action <> '' AND p.expected_value <= 0)`).Scan(&wrong)
	if wrong != 0 {
		t.Errorf("%d customers got an action worth less than the other or nothing", wrong)
	}
	for _, a := range rep.Actions {
		s, err := segment.Get(ctx, w.Project, a.Segment)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		w.Q().QueryRowContext(ctx, `SELECT count(*) FROM nba_plan WHERE action = ?`, a.Name).Scan(&n)
		if s.Size != n || int64(a.Customers) != n {
			t.Errorf("segment %s has %d customers, the plan %d (%d)", a.Segment, s.Size, n, a.Customers)
		}
	}
	var reason string
	w.Q().QueryRowContext(ctx, `SELECT reason FROM nba_plan WHERE action = 'Womens' LIMIT 1`).Scan(&reason)
	if !strings.Contains(reason, "Womens:") || !strings.Contains(reason, "expected") {
		t.Errorf("reason %q", reason)
	}
	// A contact limit.
	rep, err = w.PlanNBA(ctx, NBARequest{Actions: actions, MaxContacts: 500})
	if err != nil || rep.Contacted != 500 || rep.OverContact == 0 {
		t.Errorf("contact limit 500: %+v, %v", rep, err)
	}
	for _, c := range []struct {
		r    NBARequest
		want string
	}{
		{NBARequest{}, "at least one action"},
		{NBARequest{Actions: []NBAAction{{Name: "X", Uplift: "nosuch", Value: 1}}}, `no numeric column "nosuch"`},
		{NBARequest{Actions: []NBAAction{{Name: "X", Uplift: "uplift_mens_e_mail"}}}, "positive number or a column"},
		{NBARequest{Actions: []NBAAction{{Name: "X", Uplift: "uplift_mens_e_mail", ValueColumn: "clv"}}}, `no numeric column "clv"`},
		{NBARequest{Actions: actions, Budget: -5}, "cannot be negative"},
		{NBARequest{Actions: []NBAAction{actions[0], actions[0]}}, "name of its own"},
	} {
		if _, err := w.PlanNBA(ctx, c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
}
