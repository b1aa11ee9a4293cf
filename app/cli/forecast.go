package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) forecastCmd() *cobra.Command {
	var opt core.ForecastOptions
	cmd := &cobra.Command{
		Use:   "forecast --orders T [--by week|month] [--category C | --product P] [--metric orders|revenue] --horizon N",
		Short: "Forecast orders or revenue per week or month with exponential smoothing chosen by AICc, a prediction interval and a backtest",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			bar, done := e.progress()
			r, err := w.Forecast(ctx, opt, bar)
			done()
			if err != nil {
				return err
			}
			m := r.Model
			var history, steps, cands []map[string]any
			for _, p := range r.History {
				history = append(history, map[string]any{"start": day(p.Start), "value": p.Value, "fitted": p.Fitted})
			}
			for _, s := range r.Steps {
				steps = append(steps, map[string]any{"start": day(s.Start), "step": s.Step, "mean": s.Mean, "lower": s.Lower, "upper": s.Upper,
					"sd": s.SD, "simulated": s.Simulated})
			}
			for _, c := range r.Candidates {
				row := map[string]any{"model": c.Name, "loglik": c.LogLik, "aic": c.AIC, "aicc": c.AICc}
				if c.Err != nil {
					row["error"] = i18n.Error(c.Err)
				}
				cands = append(cands, row)
			}
			out := map[string]any{"table": r.Table, "by": r.By, "metric": r.Metric, "category": r.Category, "product": r.Product,
				"model": m.Spec.Name(), "params": m.Params, "loglik": m.LogLik, "aic": m.AIC, "aicc": m.AICc, "sigma2": m.Sigma2,
				"level": r.Level, "candidates": cands, "history": history, "forecast": steps, "notes": r.Notes, "rows_left_out": r.Read.Skipped}
			if b := r.Backtest; b != nil {
				out["backtest"] = map[string]any{"model": b.Model, "holdout": b.Holdout, "mape": b.MAPE, "smape": b.SMAPE,
					"naive_mape": b.NaiveMAPE, "naive_smape": b.NaiveSMAPE, "naive_season": b.Season, "zero_actuals": b.Zeros}
			} else if r.BacktestErr != nil {
				out["backtest_error"] = i18n.Error(r.BacktestErr)
			}
			sym := w.CurrencySymbol(ctx)
			val := func(v float64) string {
				if r.Metric == "orders" {
					return i18n.Number(v)
				}
				return i18n.Money(sym, 0, v)
			}
			return e.emit(out, func(o io.Writer) {
				what := i18n.T("Revenue")
				if r.Metric == "orders" {
					what = i18n.T("Orders")
				}
				if r.Category != "" {
					what = i18n.T("%s of category %s", what, r.Category)
				} else if r.Product != "" {
					what = i18n.T("%s of product %s", what, r.Product)
				}
				fmt.Fprintln(o, i18n.T("%s per %s in %s: %d %s of history.", what, core.PeriodName(r.By), r.Table, len(r.History), core.PeriodWord(r.By)))
				fmt.Fprintln(o, i18n.T("Model %s, chosen by AICc (%s); α = %.3f, β = %.3f, γ = %.3f, φ = %.3f.", m.Spec.Name(), i18n.Number(m.AICc),
					m.Params.Alpha, m.Params.Beta, m.Params.Gamma, m.Params.Phi))
				for _, n := range r.Notes {
					fmt.Fprintln(o, n)
				}
				var rows [][]string
				for _, s := range r.Steps {
					rows = append(rows, []string{i18n.Date(s.Start), val(s.Mean), val(s.Lower), val(s.Upper)})
				}
				table(o, []string{i18n.T("PERIOD"), i18n.T("FORECAST"), i18n.T("LOWER"), i18n.T("UPPER")}, rows)
				fmt.Fprintln(o, i18n.T("Prediction interval: %s.", i18n.Percent(0, r.Level)))
				if b := r.Backtest; b != nil && b.Season > 0 {
					fmt.Fprintln(o, i18n.T("Backtest on the last %d %s: MAPE %s, sMAPE %s; the seasonal naive forecast (the same period a year before): MAPE %s, sMAPE %s.", b.Holdout,
						core.PeriodWord(r.By), errPct(b.MAPE), errPct(b.SMAPE), errPct(b.NaiveMAPE), errPct(b.NaiveSMAPE)))
				} else if b != nil {
					fmt.Fprintln(o, i18n.T("Backtest on the last %d %s: MAPE %s, sMAPE %s; the naive forecast (the last value): MAPE %s, sMAPE %s.", b.Holdout,
						core.PeriodWord(r.By), errPct(b.MAPE), errPct(b.SMAPE), errPct(b.NaiveMAPE), errPct(b.NaiveSMAPE)))
				} else if r.BacktestErr != nil {
					fmt.Fprintln(o, i18n.T("No backtest: %s", i18n.Error(r.BacktestErr)))
				}
			})
		}),
	}
	cmd.Flags().StringVar(&opt.Orders, "orders", "", "the order table (roles: order date, amount); empty for the only one")
	cmd.Flags().StringVar(&opt.By, "by", "month", "the period: week (from Monday) or month")
	cmd.Flags().StringVar(&opt.Category, "category", "", "only this category (category role in the order table or a product table)")
	cmd.Flags().StringVar(&opt.Product, "product", "", "only this product id")
	cmd.Flags().StringVar(&opt.Metric, "metric", "revenue", "orders or revenue")
	cmd.Flags().IntVar(&opt.Horizon, "horizon", 0, "periods ahead to forecast (required)")
	cmd.Flags().Float64Var(&opt.Level, "level", 0.95, "the prediction interval's level, between 0 and 1")
	e.require(cmd, choice("by", "week", "month"), choice("metric", "orders", "revenue"), intRange("horizon", 1, 104), share("level"))
	return cmd
}

// choice: one of the values a flag takes.
func choice(name string, values ...string) flagRule {
	return func(fs *pflag.FlagSet) error {
		v, _ := fs.GetString(name)
		if !fs.Changed(name) || slices.Contains(values, v) {
			return nil
		}
		return i18n.Errorf("--%s must be %s (got %q)", name, strings.Join(values, " | "), v)
	}
}

// errPct writes an error already in percent; "–" when undefined.
func errPct(v float64) string {
	if v != v {
		return "–"
	}
	return i18n.Percent(1, v/100)
}
