package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) upliftCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "uplift", Short: "Uplift models: who changes their behaviour because of a message, from an experiment"}
	var r core.UpliftRequest
	var features string
	train := &cobra.Command{
		Use:   "train --table T --treatment COL --treated V --control V --outcome COL",
		Short: "Train on half of an experiment, check on the other half (Qini, uplift by decile), and score every customer",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if features != "" {
				r.Features = strings.Split(features, ",")
			}
			bar, done := e.progress()
			rep, err := w.TrainUplift(ctx, r, bar)
			done()
			if err != nil {
				return err
			}
			var dec []map[string]any
			var rows [][]string
			for _, d := range rep.Deciles {
				m := map[string]any{"decile": d.Decile, "customers": d.Customers, "treated": d.Treated, "control": d.Control,
					"rate_treated": d.RateTreated, "rate_control": d.RateControl, "predicted_uplift": d.PredictedUplift, "uplift": nil}
				up := "–"
				if d.HasBoth {
					m["uplift"] = d.Uplift
					up = i18n.Percent(1, d.Uplift)
				}
				dec = append(dec, m)
				rows = append(rows, []string{fmt.Sprint(d.Decile), i18n.Number(float64(d.Customers)), i18n.Percent(1, d.RateTreated),
					i18n.Percent(1, d.RateControl), up, i18n.Percent(1, d.PredictedUplift)})
			}
			top := rep.Top
			out := map[string]any{"name": rep.Name, "method": rep.Method, "algo": rep.Algo, "features": rep.Features,
				"customers": rep.Customers, "treated": rep.Treated, "control": rep.Control, "ate": rep.ATE, "qini": rep.Qini,
				"uplift_by_decile": dec, "top": map[string]any{"share": top.Share, "customers": top.Customers, "uplift": top.Uplift,
					"gain": top.Gain, "incremental_conversions": top.Incremental, "revenue_uplift": top.RevenueUplift,
					"incremental_revenue": top.IncrementalRevenue}, "column": rep.Column, "scored": rep.Scored}
			return e.emit(out, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Checked on %s held-out customers (%s treated, %s control): the message raises the outcome rate by %.1f percentage points on average.",
					i18n.Number(float64(rep.Customers)), i18n.Number(float64(rep.Treated)), i18n.Number(float64(rep.Control)), 100*rep.ATE))
				table(o, []string{i18n.T("DECILE"), i18n.T("CUSTOMERS"), i18n.T("RATE TREATED"), i18n.T("RATE CONTROL"), i18n.T("UPLIFT"), i18n.T("PREDICTED")}, rows)
				fmt.Fprintln(o, i18n.T("Treating the top %s by predicted uplift: %.1f percentage points, %.1f× the average effect (Qini %.3f).",
					i18n.Percent(0, top.Share), 100*top.Uplift, top.Gain, rep.Qini))
				if rep.Column != "" {
					fmt.Fprintln(o, i18n.T("Every customer's predicted uplift is in model_scores.%s; use it in rules, e.g. %s > 0.05.", rep.Column, rep.Column))
				} else {
					fmt.Fprintln(o, i18n.T("The table has no customer id column, so the uplift of each customer was not stored; set the role to store it."))
				}
			})
		}),
	}
	f := train.Flags()
	f.StringVar(&r.Table, "table", "", "the experiment table")
	f.StringVar(&r.Treatment, "treatment", "", "the column naming each customer's group")
	f.StringVar(&r.Treated, "treated", "", "the group that got the message")
	f.StringVar(&r.Control, "control", "", "the group that did not")
	f.StringVar(&r.Outcome, "outcome", "", "what the message should cause: 0/1, yes/no, or a number (above 0 counts)")
	f.StringVar(&r.Revenue, "revenue", "", "a spend column, to report the revenue the message caused")
	f.StringVar(&features, "features", "", "comma-separated columns known before the experiment (default: every usable column)")
	f.StringVar(&r.Method, "method", "two-model", "two-model, class-transform or x-learner")
	f.StringVar(&r.Algo, "algo", "logreg", "logreg or forest")
	f.StringVar(&r.Name, "name", "", "the model's name (default: the treated value); scores go to model_scores.uplift_NAME")
	f.Float64Var(&r.TopShare, "top", 0.3, "the share of customers to treat that the report measures")
	f.Uint64Var(&r.Seed, "seed", 1, "seed of the held-out split")
	cmd.AddCommand(train)
	return cmd
}
