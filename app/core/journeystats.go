package core

import (
	"context"
	"time"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/journey"
)

// JourneySummary is one journey in the list, with live counts of its
// customers by state.
type JourneySummary struct {
	Name, Status, Trigger string
	// Entered counts entries ever; Active are in it now (waiting or due);
	// Done went through to the end; Exited left at an exit step;
	// Converted reached the goal.
	Entered, Active, Done, Exited, Converted int64
	// Sent counts its messages delivered.
	Sent int64
}

// StepStats is one step's live counts.
type StepStats struct {
	ID, Kind, Title string
	// Waiting stand at the step now; Passed went through it.
	Waiting, Passed int64
	// Send steps: the delivery log's tallies.
	Planned, Delivered, Excluded, Failed int64
	// Conditions: yes and no; splits: customers per branch.
	Yes, No  int64
	Branches map[string]int64
}

// JourneyStats is a journey with its counts and, when it has a holdout,
// conversion against it.
type JourneyStats struct {
	journey.Info
	Summary JourneySummary
	Steps   []StepStats
	// Holdout compares the goal's conversion within AttributionDays of
	// entering between the holdout and the other branches of the split
	// that has one; nil without a holdout or a goal table.
	Holdout         *abtest.Report
	AttributionDays int
}

// Journeys lists the journeys with their counts.
func (w *Workspace) Journeys(ctx context.Context) ([]JourneySummary, error) {
	all, err := journey.List(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	out := make([]JourneySummary, 0, len(all))
	for _, in := range all {
		s, err := w.journeySummary(ctx, &in)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (w *Workspace) journeySummary(ctx context.Context, in *journey.Info) (JourneySummary, error) {
	s := JourneySummary{Name: in.Name, Status: in.Status, Trigger: in.Trigger.Kind}
	err := w.Q().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'done'),
		count(*) FILTER (WHERE status = 'exited'), count(*) FILTER (WHERE status = 'converted') FROM mb_journey_entries WHERE journey = ?`, in.Name).
		Scan(&s.Entered, &s.Active, &s.Done, &s.Exited, &s.Converted)
	if err != nil {
		return s, err
	}
	err = w.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries WHERE starts_with(campaign, ?) AND status = 'delivered'`,
		journey.DeliveryPrefix(in.Name)).Scan(&s.Sent)
	return s, err
}

// JourneyStats returns a journey's definition with live counts per step
// and its conversion against the holdout.
func (w *Workspace) JourneyStats(ctx context.Context, name string) (*JourneyStats, error) {
	in, err := journey.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	st := &JourneyStats{Info: *in, AttributionDays: 30}
	if st.Summary, err = w.journeySummary(ctx, in); err != nil {
		return nil, err
	}
	byID := map[string]*StepStats{}
	for _, s := range in.Steps {
		st.Steps = append(st.Steps, StepStats{ID: s.ID, Kind: s.Kind, Title: s.Title, Branches: map[string]int64{}})
	}
	for i := range st.Steps {
		byID[st.Steps[i].ID] = &st.Steps[i]
	}
	q := w.Q()
	rows, err := q.QueryContext(ctx, `SELECT step, count(*) FROM mb_journey_entries WHERE journey = ? AND status = 'active' GROUP BY step`, name)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var n int64
		rows.Scan(&id, &n)
		if s := byID[id]; s != nil {
			s.Waiting = n
		}
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT step, event, coalesce(detail, ''), count(*) FROM mb_journey_log
		WHERE journey = ? AND event IN ('wait', 'yes', 'no', 'branch', 'send', 'update', 'exit') GROUP BY ALL`, name)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, ev, detail string
		var n int64
		rows.Scan(&id, &ev, &detail, &n)
		s := byID[id]
		if s == nil {
			continue
		}
		if ev != "send" || detail != "" {
			s.Passed += n
		}
		switch ev {
		case "yes":
			s.Yes += n
		case "no":
			s.No += n
		case "branch":
			s.Branches[detail] += n
		}
	}
	rows.Close()
	prefix := journey.DeliveryPrefix(name)
	rows, err = q.QueryContext(ctx, `SELECT campaign, status, count(*) FROM mb_deliveries WHERE starts_with(campaign, ?) GROUP BY ALL`, prefix)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c, status string
		var n int64
		rows.Scan(&c, &status, &n)
		s := byID[stepOf(c, prefix)]
		if s == nil {
			continue
		}
		switch status {
		case "delivered":
			s.Delivered += n
		case "excluded":
			s.Excluded += n
		case "rejected", "unknown":
			s.Failed += n
		default:
			s.Planned += n
		}
	}
	rows.Close()
	st.Holdout, err = w.holdoutReport(ctx, in, st.AttributionDays)
	return st, err
}

// holdoutReport compares conversion (a goal row within days of entering)
// of the customers the holdout branch kept from the journey's messages
// with those of the other branches of the same split.
func (w *Workspace) holdoutReport(ctx context.Context, in *journey.Info, days int) (*abtest.Report, error) {
	var split *journey.Step
	var holdout string
	for i, s := range in.Steps {
		for _, b := range s.Branches {
			if b.Holdout {
				split, holdout = &in.Steps[i], b.Name
			}
		}
	}
	if split == nil {
		return nil, nil
	}
	table := ""
	if in.Goal != nil {
		table = in.Goal.Table
	}
	if table == "" {
		ts, _ := w.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate)
		if len(ts) == 0 {
			return nil, nil
		}
		table = ts[0]
	}
	cust, _ := w.ColumnFor(ctx, table, storage.CustomerID)
	date, _ := w.ColumnFor(ctx, table, storage.OrderDate)
	if cust == "" || date == "" {
		return nil, nil
	}
	rows, err := w.Q().QueryContext(ctx, `SELECT e.branch = ?, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM `+storage.Quote(table)+` g
		WHERE CAST(g.`+storage.Quote(cust)+` AS VARCHAR) = e.customer_id AND TRY_CAST(g.`+storage.Quote(date)+` AS DATE) > CAST(e.entered_at AS DATE)
		AND TRY_CAST(g.`+storage.Quote(date)+` AS DATE) <= CAST(e.entered_at AS DATE) + CAST(? AS INTEGER)))
		FROM mb_journey_entries e WHERE e.journey = ? AND e.branch IS NOT NULL GROUP BY 1`, holdout, days, in.Name)
	if err != nil {
		return nil, err
	}
	var control, treated abtest.Group
	control.Name, treated.Name = holdout, "journey"
	for rows.Next() {
		var isHoldout bool
		var n, k int64
		rows.Scan(&isHoldout, &n, &k)
		if isHoldout {
			control.N, control.Conversions = n, k
		} else {
			treated.N, treated.Conversions = n, k
		}
	}
	rows.Close()
	if control.N == 0 || treated.N == 0 {
		return nil, nil
	}
	return abtest.Analyze(control, []abtest.Group{treated}, abtest.Options{})
}

// Upcoming is what a journey has scheduled for one day: customers whose
// next step falls due then.
type Upcoming struct {
	Day       time.Time
	Journey   string
	Step      string
	Customers int64
}

// JourneyTimeline lists what is scheduled from `from` for the next days:
// customers waiting, by the day (project time) their next step is due.
func (w *Workspace) JourneyTimeline(ctx context.Context, from time.Time, days int) ([]Upcoming, error) {
	loc := w.ProjectLocation(ctx)
	rows, err := w.Q().QueryContext(ctx, `SELECT journey, step, due_at, count(*) FROM mb_journey_entries e
		WHERE status = 'active' AND due_at < ? AND journey IN (SELECT name FROM mb_journeys WHERE status = 'active')
		GROUP BY ALL ORDER BY due_at, journey, step`, from.Add(time.Duration(days)*24*time.Hour).UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Upcoming
	idx := map[[3]string]int{}
	for rows.Next() {
		var j, s string
		var at time.Time
		var n int64
		if err := rows.Scan(&j, &s, &at, &n); err != nil {
			return nil, err
		}
		if at.Before(from) {
			at = from // overdue: the next run
		}
		lt := at.In(loc)
		day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
		k := [3]string{day.Format(time.DateOnly), j, s}
		if i, ok := idx[k]; ok {
			out[i].Customers += n
			continue
		}
		idx[k] = len(out)
		out = append(out, Upcoming{Day: day, Journey: j, Step: s, Customers: n})
	}
	return out, rows.Err()
}
