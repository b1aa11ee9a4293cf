package core

import (
	"context"
	"time"

	"github.com/marketbench/marketbench/analytics/cohort"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/sales"
	"github.com/marketbench/marketbench/storage/segment"
)

// CohortOptions choose the cohorts.
type CohortOptions struct {
	Orders string // the order table; "" for the only one
	By     string // "month" (default) or "week"
	// Segment keeps only its customers ("" for all); Compare is a second
	// segment whose pooled curves are set against the first group's.
	Segment, Compare string
}

// CohortGroup is the cohorts of one group of customers.
type CohortGroup struct {
	Segment string // "" for every customer
	Read    sales.Read
	Cohorts []cohort.Cohort
	Pooled  cohort.Curve
}

// CohortReport is the cohort table, and the comparison when asked.
type CohortReport struct {
	By string
	CohortGroup
	// Last is the start of the last period with a purchase. Partial says
	// it was still running when the data end, so its figures are low.
	Last    time.Time
	Partial bool
	Other   *CohortGroup       // the compared segment
	Diff    *cohort.Comparison // Pooled of the first group − of the second
}

// Cohorts groups customers by their first purchase's month or week and
// follows them: retention, revenue per customer and its running total.
func (w *Workspace) Cohorts(ctx context.Context, opt CohortOptions) (*CohortReport, error) {
	if opt.By == "" {
		opt.By = "month"
	}
	by, err := cohortPeriod(opt.By)
	if err != nil {
		return nil, err
	}
	if opt.Compare != "" && opt.Compare == opt.Segment {
		return nil, i18n.Errorf("compare the segment with another one, not with itself")
	}
	// The data end at the table's last order, for every group: a segment
	// that stopped buying is followed to there, with nobody active.
	_, end, err := sales.Span(ctx, w.Project, opt.Orders)
	if err != nil {
		return nil, err
	}
	group := func(seg string) (*CohortGroup, *cohort.Table, error) {
		ps, rd, err := w.cohortPurchases(ctx, opt.Orders, seg)
		if err != nil {
			return nil, nil, err
		}
		t, err := cohort.BuildTo(ps, by, end)
		if err != nil {
			return nil, nil, err
		}
		return &CohortGroup{Segment: seg, Read: rd, Cohorts: t.Cohorts, Pooled: t.Pooled()}, t, nil
	}
	g, t, err := group(opt.Segment)
	if err != nil {
		return nil, err
	}
	r := &CohortReport{By: opt.By, CohortGroup: *g, Last: t.Last}
	r.Partial = dayOf(end).Before(sales.Next(opt.By, r.Last).AddDate(0, 0, -1))
	if opt.Compare != "" {
		o, _, err := group(opt.Compare)
		if err != nil {
			return nil, err
		}
		r.Other = o
		d := cohort.Compare(r.Pooled, o.Pooled)
		r.Diff = &d
	}
	return r, nil
}

// cohortPeriod reads "month" or "week".
func cohortPeriod(by string) (cohort.Period, error) {
	switch by {
	case "month":
		return cohort.Month, nil
	case "week":
		return cohort.Week, nil
	}
	return 0, i18n.Errorf("unknown period %q; choose month or week", by)
}

// cohortPurchases reads the purchases cohorts are built of: every
// customer's, or those of a segment's customers; none is an error.
func (w *Workspace) cohortPurchases(ctx context.Context, orders, seg string) ([]cohort.Purchase, sales.Read, error) {
	f := sales.Filter{}
	if seg != "" {
		ids, err := segment.IDsSQL(ctx, w.Project, seg)
		if err != nil {
			return nil, sales.Read{}, err
		}
		f.Customers = ids
	}
	ps, rd, err := sales.Purchases(ctx, w.Project, orders, f)
	if err != nil {
		return nil, rd, err
	}
	if len(ps) == 0 {
		if seg != "" {
			return nil, rd, i18n.Errorf("the customers of segment %q have no purchases in %s", seg, rd.Table)
		}
		return nil, rd, i18n.Errorf("%s has no purchases (rows with a customer, a date and an amount that is not negative)", rd.Table)
	}
	return ps, rd, nil
}

// CompareCohorts sets two cohorts of a report side by side (A − B), each
// named by a day in its first period.
func (r *CohortReport) CompareCohorts(a, b time.Time) (*cohort.Comparison, error) {
	t := &cohort.Table{By: cohort.Month, Cohorts: r.Cohorts}
	if r.By == "week" {
		t.By = cohort.Week
	}
	ca, cb := t.Find(a), t.Find(b)
	if ca == nil || cb == nil {
		missing := a
		if ca != nil {
			missing = b
		}
		return nil, i18n.Errorf("no cohort starts in the %s of %s", PeriodName(r.By), i18n.Date(missing))
	}
	d := cohort.Compare(cohort.CurveOf(*ca), cohort.CurveOf(*cb))
	return &d, nil
}
