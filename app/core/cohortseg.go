package core

import (
	"context"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/cohort"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/segment"
)

// SaveCohortSegment saves the customers of one cohort (those whose first
// purchase fell in the month or week holding cohortStart, among opt's
// segment when it names one) as a fixed-list segment of the order table,
// so a campaign can take them. The members are the customers the cohort
// report counts: the same purchases, grouped the same way. opt.Compare is
// not used.
func (w *Workspace) SaveCohortSegment(ctx context.Context, opt CohortOptions, cohortStart time.Time, name string) (*segment.Segment, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, i18n.Errorf("give the segment a name")
	}
	if opt.By == "" {
		opt.By = "month"
	}
	by, err := cohortPeriod(opt.By)
	if err != nil {
		return nil, err
	}
	if cohortStart.IsZero() {
		return nil, i18n.Errorf("choose the cohort: a day in the %s of the first purchase", PeriodName(opt.By))
	}
	ps, rd, err := w.cohortPurchases(ctx, opt.Orders, opt.Segment)
	if err != nil {
		return nil, err
	}
	start := by.Start(cohortStart)
	ids := cohort.Members(ps, by, start)
	if len(ids) == 0 {
		// Say which cohorts there are, so the next try can hit one.
		t, err := cohort.Build(ps, by)
		if err != nil {
			return nil, err
		}
		first, last := t.Cohorts[0].Start, t.Cohorts[len(t.Cohorts)-1].Start
		return nil, i18n.Errorf("no cohort starts in the %s of %s; the %s cohorts run from %s to %s",
			PeriodName(opt.By), i18n.Date(cohortStart), i18n.Number(float64(len(t.Cohorts))), CohortLabel(opt.By, first), CohortLabel(opt.By, last))
	}
	desc := i18n.T("customers whose first purchase was in %s (%s, by %s)", CohortLabel(opt.By, start), rd.Table, PeriodName(opt.By))
	if opt.Segment != "" {
		desc = i18n.T("customers of segment %s whose first purchase was in %s (%s, by %s)", opt.Segment, CohortLabel(opt.By, start), rd.Table, PeriodName(opt.By))
	}
	return segment.CreateList(ctx, w.Project, name, rd.Table, desc, ids)
}

// CohortLabel names the cohort that starts on start: "March 2011", or
// "the week of 7 Mar 2011".
func CohortLabel(by string, start time.Time) string {
	if by == "week" {
		return i18n.T("the week of %s", i18n.Date(start))
	}
	if i18n.IsChinese() {
		return start.Format("2006年1月")
	}
	return start.Format("January 2006")
}
