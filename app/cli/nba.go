package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) nbaCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "nba", Short: "Next best action: each customer's best offer (or none) by expected value, within a budget"}
	var r core.NBARequest
	var actions []string
	plan := &cobra.Command{
		Use:   "plan --action NAME:UPLIFT_COLUMN:VALUE:COST ...",
		Short: "Choose each customer's action by uplift × value − cost; writes nba_plan and, with --save, one segment per action",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			r.Actions = nil
			for _, s := range actions {
				a, err := parseNBAAction(s)
				if err != nil {
					return err
				}
				r.Actions = append(r.Actions, a)
			}
			rep, err := w.PlanNBA(ctx, r)
			if err != nil {
				return err
			}
			sym := w.CurrencySymbol(ctx)
			var list []map[string]any
			var rows [][]string
			for _, a := range rep.Actions {
				list = append(list, map[string]any{"name": a.Name, "customers": a.Customers, "cost": a.Cost, "expected_value": a.EV,
					"expected_conversions": a.Conversion, "segment": a.Segment})
				rows = append(rows, []string{a.Name, i18n.Number(float64(a.Customers)), i18n.Number(a.Conversion), i18n.Money(sym, 0, a.Cost),
					i18n.Money(sym, 0, a.EV), a.Segment})
			}
			return e.emit(map[string]any{"customers": rep.Customers, "contacted": rep.Contacted, "cost": rep.Cost, "expected_value": rep.EV,
				"not_worth_it": rep.NotWorthIt, "over_budget": rep.OverBudget, "over_contact_limit": rep.OverContact, "table": rep.Table,
				"actions": list}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Contact %s of %s customers for %s; expected value %s after costs.", i18n.Number(float64(rep.Contacted)),
					i18n.Number(float64(rep.Customers)), i18n.Money(sym, 0, rep.Cost), i18n.Money(sym, 0, rep.EV)))
				table(o, []string{i18n.T("ACTION"), i18n.T("CUSTOMERS"), i18n.T("EXTRA CONVERSIONS"), i18n.T("COST"), i18n.T("EXPECTED VALUE"), i18n.T("SEGMENT")}, rows)
				fmt.Fprintln(o, i18n.T("Left alone: %s not worth any action, %s over the budget, %s over the contact limit. Each customer's reason is in %s.",
					i18n.Number(float64(rep.NotWorthIt)), i18n.Number(float64(rep.OverBudget)), i18n.Number(float64(rep.OverContact)), rep.Table))
			})
		}),
	}
	f := plan.Flags()
	f.StringArrayVar(&actions, "action", nil, "NAME:UPLIFT_COLUMN:VALUE:COST — VALUE is what a conversion is worth, a number or a column such as clv (repeat for each action)")
	f.Float64Var(&r.Budget, "budget", 0, "the most to spend on contacts (0: no limit)")
	f.IntVar(&r.MaxContacts, "max-contacts", 0, "the most customers to contact (0: no limit)")
	f.StringVar(&r.Segment, "segment", "", "plan only for this segment's customers")
	f.StringVar(&r.SegmentPrefix, "save", "", "save one segment per action named PREFIX ACTION, for campaigns")
	cmd.AddCommand(plan)
	return cmd
}

// parseNBAAction reads NAME:UPLIFT_COLUMN:VALUE:COST.
func parseNBAAction(s string) (core.NBAAction, error) {
	p := strings.Split(s, ":")
	if len(p) != 4 {
		return core.NBAAction{}, i18n.Errorf("--action %q: write NAME:UPLIFT_COLUMN:VALUE:COST, e.g. Coupon:uplift_coupon:40:2.5", s)
	}
	a := core.NBAAction{Name: strings.TrimSpace(p[0]), Uplift: strings.TrimSpace(p[1])}
	if v, err := strconv.ParseFloat(strings.TrimSpace(p[2]), 64); err == nil {
		a.Value = v
	} else {
		a.ValueColumn = strings.TrimSpace(p[2])
	}
	c, err := strconv.ParseFloat(strings.TrimSpace(p[3]), 64)
	if err != nil {
		return a, i18n.Errorf("--action %q: the cost %q is not a number", s, p[3])
	}
	a.Cost = c
	return a, nil
}
