package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/analytics/cohort"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) cohortsCmd() *cobra.Command {
	var opt core.CohortOptions
	var pair, saveName, cohortDay string
	cmd := &cobra.Command{
		Use:   "cohorts --orders T [--by month|week] [--segment S] [--compare S2] [--save-segment NAME --cohort YYYY-MM-DD]",
		Short: "Group customers by the month or week of their first purchase: retention, revenue per customer and its running total; compare two segments or two cohorts; save a cohort as a segment",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if saveName != "" || cohortDay != "" {
				return e.saveCohort(ctx, w, opt, saveName, cohortDay)
			}
			r, err := w.Cohorts(ctx, opt)
			if err != nil {
				return err
			}
			var pairDiff *cohort.Comparison
			if pair != "" {
				a, b, ok := strings.Cut(pair, ",")
				ta, errA := time.Parse("2006-01-02", strings.TrimSpace(a))
				tb, errB := time.Parse("2006-01-02", strings.TrimSpace(b))
				if !ok || errA != nil || errB != nil {
					return i18n.Errorf("--cohort-pair %q is not two dates like 2011-01-01,2011-03-01", pair)
				}
				if pairDiff, err = r.CompareCohorts(ta, tb); err != nil {
					return err
				}
			}
			out := map[string]any{"table": r.Read.Table, "by": r.By, "segment": r.Segment, "last_period": day(r.Last),
				"last_period_partial": r.Partial, "rows_left_out": r.Read.Skipped, "cohorts": cohortsJSON(r.Cohorts), "pooled": r.Pooled}
			if r.Other != nil {
				out["compare"] = map[string]any{"segment": r.Other.Segment, "cohorts": cohortsJSON(r.Other.Cohorts), "pooled": r.Other.Pooled}
				out["difference"] = map[string]any{"retention": r.Diff.Retention, "cumulative_revenue_per_customer": r.Diff.Cumulative}
			}
			if pairDiff != nil {
				out["cohort_pair"] = map[string]any{"retention": pairDiff.Retention, "cumulative_revenue_per_customer": pairDiff.Cumulative}
			}
			sym := w.CurrencySymbol(ctx)
			return e.emit(out, func(o io.Writer) {
				who := i18n.T("all customers")
				if r.Segment != "" {
					who = i18n.T("segment %s", r.Segment)
				}
				fmt.Fprintln(o, i18n.T("Cohorts by first purchase (%s) of %s in %s: retention by %s since the first purchase.", core.PeriodName(r.By), who, r.Read.Table, core.PeriodName(r.By)))
				cohortTable(o, r.Cohorts, func(c cohort.Cohort, k int) string { return i18n.Percent(0, c.Retention[k]) })
				fmt.Fprintln(o, i18n.T("Cumulative revenue per customer:"))
				cohortTable(o, r.Cohorts, func(c cohort.Cohort, k int) string { return i18n.Money(sym, 0, c.Cumulative[k]) })
				if r.Partial {
					fmt.Fprintln(o, i18n.T("The last %s (from %s) is not over in the data: its figures are low.", core.PeriodName(r.By), i18n.Date(r.Last)))
				}
				if r.Other != nil {
					fmt.Fprintln(o, i18n.T("A: %s against B: %s, all cohorts pooled:", who, i18n.T("segment %s", r.Other.Segment)))
					var rows [][]string
					for k := range r.Diff.Retention {
						rows = append(rows, []string{fmt.Sprint(k), i18n.Percent(1, r.Pooled.Retention[k]), i18n.Percent(1, r.Other.Pooled.Retention[k]),
							i18n.Money(sym, 0, r.Pooled.Cumulative[k]), i18n.Money(sym, 0, r.Other.Pooled.Cumulative[k])})
					}
					table(o, compareHeader(), rows)
				}
				if pairDiff != nil {
					a, b, _ := strings.Cut(pair, ",")
					fmt.Fprintln(o, i18n.T("A: cohort %s against B: cohort %s:", strings.TrimSpace(a), strings.TrimSpace(b)))
					var rows [][]string
					for k := range pairDiff.Retention {
						rows = append(rows, []string{fmt.Sprint(k), i18n.Percent(1, pairDiff.A.Retention[k]), i18n.Percent(1, pairDiff.B.Retention[k]),
							i18n.Money(sym, 0, pairDiff.A.Cumulative[k]), i18n.Money(sym, 0, pairDiff.B.Cumulative[k])})
					}
					table(o, compareHeader(), rows)
				}
			})
		}),
	}
	cmd.Flags().StringVar(&opt.Orders, "orders", "", "the order table (roles: customer id, order date, amount); empty for the only one")
	cmd.Flags().StringVar(&opt.By, "by", "month", "cohort and step length: month or week (from Monday)")
	cmd.Flags().StringVar(&opt.Segment, "segment", "", "only the customers of this segment")
	cmd.Flags().StringVar(&opt.Compare, "compare", "", "a second segment to compare with (the first being --segment or all customers)")
	cmd.Flags().StringVar(&pair, "cohort-pair", "", "two cohorts to compare, each by a day in its first period: 2011-01-01,2011-03-01")
	cmd.Flags().StringVar(&saveName, "save-segment", "", "save one cohort's customers as a segment of this name (with --cohort)")
	cmd.Flags().StringVar(&cohortDay, "cohort", "", "the cohort to save, by a day in its first period: 2011-03-01")
	e.require(cmd, choice("by", "month", "week"))
	return cmd
}

// saveCohort saves one cohort's customers as a list segment.
func (e *env) saveCohort(ctx context.Context, w *core.Workspace, opt core.CohortOptions, name, at string) error {
	if at == "" {
		return i18n.Errorf("--save-segment needs --cohort, a day in the cohort's first period like 2011-03-01")
	}
	if name == "" {
		return i18n.Errorf("--cohort saves a cohort as a segment: give its name with --save-segment")
	}
	d, err := time.Parse("2006-01-02", strings.TrimSpace(at))
	if err != nil {
		return i18n.Errorf("--cohort %q is not a date like 2011-03-01", at)
	}
	if opt.By == "" {
		opt.By = "month"
	}
	opt.Compare = ""
	sg, err := w.SaveCohortSegment(ctx, opt, d, name)
	if err != nil {
		return err
	}
	out := map[string]any{"segment": sg.Name, "table": sg.Table, "by": opt.By, "cohort": day(cohortStart(opt.By, d)), "within_segment": opt.Segment,
		"customers": sg.Size, "description": sg.Description}
	return e.emit(out, func(o io.Writer) {
		fmt.Fprintln(o, i18n.T("Saved segment %q: %s customers", sg.Name, i18n.Number(float64(sg.Size)))+" — "+sg.Description)
	})
}

// cohortsJSON writes cohorts with plain dates.
func cohortsJSON(cs []cohort.Cohort) []map[string]any {
	out := []map[string]any{}
	for _, c := range cs {
		out = append(out, map[string]any{"start": day(c.Start), "customers": c.Customers, "active": c.Active, "retention": c.Retention,
			"revenue": c.Revenue, "revenue_per_customer": c.RevenuePerCustomer, "cumulative_revenue_per_customer": c.Cumulative})
	}
	return out
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// cohortTable prints one row per cohort and a column per period, the
// first twelve periods (the JSON has them all).
func cohortTable(o io.Writer, cs []cohort.Cohort, cell func(cohort.Cohort, int) string) {
	const cols = 12
	n := 0
	for _, c := range cs {
		n = max(n, min(cols, len(c.Active)))
	}
	header := []string{i18n.T("COHORT"), i18n.T("CUSTOMERS")}
	for k := range n {
		header = append(header, fmt.Sprint(k))
	}
	var rows [][]string
	for _, c := range cs {
		row := []string{day(c.Start), i18n.Number(float64(c.Customers))}
		for k := range n {
			if k < len(c.Active) {
				row = append(row, cell(c, k))
			} else {
				row = append(row, "")
			}
		}
		rows = append(rows, row)
	}
	table(o, header, rows)
}

func compareHeader() []string {
	return []string{i18n.T("PERIOD"), i18n.T("RETENTION A"), i18n.T("RETENTION B"), i18n.T("REVENUE PER CUSTOMER TO DATE A"), i18n.T("REVENUE PER CUSTOMER TO DATE B")}
}

// cohortStart is the first day of the cohort holding d.
func cohortStart(by string, d time.Time) time.Time {
	if by == "week" {
		return cohort.Week.Start(d)
	}
	return cohort.Month.Start(d)
}
