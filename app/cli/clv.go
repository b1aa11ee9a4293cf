package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) clvCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "clv", Short: "Customer lifetime value: buy-till-you-die models (BG/NBD, MBG/NBD) with Gamma-Gamma spend"}
	cmd.AddCommand(e.clvFitCmd(), e.clvScoreCmd())
	return cmd
}

func (e *env) clvFitCmd() *cobra.Command {
	var opt core.CLVOptions
	var end string
	cmd := &cobra.Command{
		Use:   "fit --orders T --calibration-end YYYY-MM-DD",
		Short: "Fit the purchase and spend models on the orders up to a date, check them on the orders after it, and keep the fit",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if end == "" {
				return i18n.Errorf("give the calibration end: --calibration-end YYYY-MM-DD (the model learns from the orders up to it)")
			}
			at, err := time.Parse("2006-01-02", end)
			if err != nil {
				return i18n.Errorf("--calibration-end %q is not a date like 1997-09-30", end)
			}
			opt.CalibrationEnd = at
			bar, done := e.progress()
			fit, err := w.FitCLV(ctx, opt, bar)
			done()
			if err != nil {
				return err
			}
			sp := fit.Spend
			holdout := []map[string]any{}
			for _, b := range fit.Holdout {
				holdout = append(holdout, map[string]any{"frequency": b.Frequency, "customers": b.Customers, "actual": b.Actual, "expected": b.Expected})
			}
			out := map[string]any{"model": fit.Model, "period": fit.Period, "calibration_end": fit.CalibrationEnd, "observation_end": fit.ObservationEnd,
				"r": fit.Params.R, "alpha": fit.Params.Alpha, "a": fit.Params.A, "b": fit.Params.B, "loglik": fit.LogLik,
				"p": sp.P, "q": sp.Q, "gamma": sp.Gamma, "spend_loglik": sp.LogLik, "customers": fit.Customers, "repeat_customers": fit.Repeaters,
				"rows_left_out": fit.Read.Skipped, "holdout_periods": fit.HoldoutPeriods, "holdout": holdout}
			return e.emit(out, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("%s on %s customers (%s bought again) up to %s, in %s:", fit.Model, i18n.Number(float64(fit.Customers)),
					i18n.Number(float64(fit.Repeaters)), i18n.Date(fit.CalibrationEnd), core.PeriodWord(fit.Period)))
				fmt.Fprintf(o, "  r = %.4g  alpha = %.4g  a = %.4g  b = %.4g  %s = %.2f\n", fit.Params.R, fit.Params.Alpha, fit.Params.A, fit.Params.B, i18n.T("log-likelihood"), fit.LogLik)
				fmt.Fprintln(o, i18n.T("Spend (Gamma-Gamma, %s repeat customers):", i18n.Number(float64(sp.Customers))))
				fmt.Fprintf(o, "  p = %.4g  q = %.4g  gamma = %.4g\n", sp.P, sp.Q, sp.Gamma)
				if len(fit.Holdout) > 0 {
					fmt.Fprintln(o, i18n.T("Check on the %.0f %s after the calibration end (mean repeat purchases per customer):", fit.HoldoutPeriods, core.PeriodWord(fit.Period)))
					var rows [][]string
					for i, b := range fit.Holdout {
						f := fmt.Sprint(b.Frequency)
						if i == len(fit.Holdout)-1 {
							f += "+"
						}
						rows = append(rows, []string{f, i18n.Number(float64(b.Customers)), fmt.Sprintf("%.2f", b.Actual), fmt.Sprintf("%.2f", b.Expected)})
					}
					table(o, []string{i18n.T("BOUGHT AGAIN"), i18n.T("CUSTOMERS"), i18n.T("ACTUAL"), i18n.T("EXPECTED")}, rows)
				} else {
					fmt.Fprintln(o, i18n.T("There are no orders after the calibration end, so the fit is not checked; choose an earlier date to check it."))
				}
				fmt.Fprintln(o, i18n.T("Next: marketbench clv score --horizon 52"))
			})
		}),
	}
	cmd.Flags().StringVar(&opt.Orders, "orders", "", "the order table (roles: customer id, order date, amount); empty for the only one")
	cmd.Flags().StringVar(&end, "calibration-end", "", "the model learns from orders up to this date and is checked on those after it (YYYY-MM-DD)")
	cmd.Flags().StringVar(&opt.Period, "period", "week", "the time unit: day, week or month")
	cmd.Flags().StringVar(&opt.Model, "model", "bgnbd", "bgnbd or mbgnbd (MBG/NBD: customers may drop out right after their first order)")
	return cmd
}

func (e *env) clvScoreCmd() *cobra.Command {
	var opt core.CLVScoreOptions
	cmd := &cobra.Command{
		Use:   "score --horizon N",
		Short: "Write clv_scores: each customer's P(alive), expected purchases and spend, and lifetime value over the horizon",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			bar, done := e.progress()
			rep, err := w.ScoreCLV(ctx, opt, bar)
			done()
			if err != nil {
				return err
			}
			sym := w.CurrencySymbol(ctx)
			return e.emit(map[string]any{"customers": rep.Customers, "table": rep.Table, "as_of": rep.AsOf, "total_clv": rep.Total,
				"mean_clv": rep.Mean, "mean_p_alive": rep.MeanPAlive, "expected_purchases": rep.ExpectedPurchases}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Scored %s customers as of %s into %s.", i18n.Number(float64(rep.Customers)), i18n.Date(rep.AsOf), rep.Table))
				fmt.Fprintln(o, i18n.T("Lifetime value: %s in all, %s per customer; %s expected purchases; on average %s of customers are still active.",
					i18n.Money(sym, 0, rep.Total), i18n.Money(sym, 2, rep.Mean), i18n.Number(rep.ExpectedPurchases), i18n.Percent(0, rep.MeanPAlive)))
				fmt.Fprintln(o, i18n.T("Use them in rules, e.g.: marketbench segment create Valuable --table clv_scores --rule \"clv > 100 AND p_alive > 0.5\""))
			})
		}),
	}
	cmd.Flags().Float64Var(&opt.Horizon, "horizon", 52, "how far ahead to count, in the fit's periods (52 weeks = a year)")
	cmd.Flags().Float64Var(&opt.Margin, "margin", 1, "share of spend that is profit (1 counts revenue)")
	cmd.Flags().Float64Var(&opt.Discount, "discount", 0.1, "yearly discount rate, applied monthly")
	return cmd
}
