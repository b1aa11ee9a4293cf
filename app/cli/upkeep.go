package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// The model upkeep commands: champion/challenger retraining, its history
// and schedule, and drift.

func (e *env) modelRetrainCmd() *cobra.Command {
	var minGain float64
	cmd := &cobra.Command{
		Use:   "retrain NAME [--min-gain 0.005]",
		Short: "Train a challenger on the current data and replace the model only if it does better on a recent holdout",
		Example: `  marketbench -p shop.mbproj model retrain churn_forest
  marketbench -p shop.mbproj model retrain churn_forest --min-gain 0.01 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				prog, done := e.progress()
				res, err := w.Retrain(ctx, args[0], core.RetrainOptions{MinGain: minGain}, prog)
				done()
				if err != nil {
					return err
				}
				return e.emit(res, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Champion %s %s, challenger %s, on a %s holdout of %d rows (the challenger learned from %d)",
						metricName(res.Metric), f4(res.Champion), f4(res.Challenger), holdoutWords(res.Holdout), res.HoldoutRows, res.TrainRows))
					if res.Promoted {
						fmt.Fprintln(o, i18n.T("Promoted: the challenger is now %q (%s).", res.Model, i18n.T(res.Reason)))
					} else {
						fmt.Fprintln(o, i18n.T("Kept the champion: %s (minimum gain %s).", i18n.T(res.Reason), f4(res.MinGain)))
					}
				})
			})(cmd, args)
		},
	}
	cmd.Flags().Float64Var(&minGain, "min-gain", core.DefaultMinGain, "least improvement that promotes the challenger: in AUC, or as a share of the RMSE for amounts")
	e.require(cmd, notNegative("min-gain"))
	return cmd
}

func metricName(m string) string {
	if m == "rmse" {
		return "RMSE"
	}
	return "AUC"
}

func holdoutWords(h string) string {
	if h == "recent" {
		return i18n.T("recent")
	}
	return i18n.T("random")
}

func (e *env) modelDriftCmd() *cobra.Command {
	var tbl string
	cmd := &cobra.Command{
		Use:   "drift NAME [--table T]",
		Short: "Compare the customers a model scores today with its training data: population stability index per feature and for the score",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				rep, err := w.Drift(ctx, args[0], tbl)
				if err != nil {
					return err
				}
				return e.emit(rep, func(o io.Writer) {
					from := i18n.T("table %q", rep.Table)
					if rep.Table == "" {
						from = i18n.T("today's features (as of %s)", rep.AsOf)
					}
					fmt.Fprint(o, i18n.T("Drift of %q: %d rows of %s against its %d training rows", rep.Model, rep.Rows, from, rep.ReferenceRows)+"\n\n")
					rows := [][]string{{i18n.T("(score)"), i18n.T("score"), f4(rep.Score.PSI), rep.Score.Words}}
					for _, f := range rep.Features {
						kind := i18n.T("number")
						if f.Kind == "categorical" {
							kind = i18n.T("category")
						}
						rows = append(rows, []string{f.Feature, kind, f4(f.PSI), f.Words})
					}
					table(o, []string{i18n.T("FEATURE"), i18n.T("KIND"), "PSI", i18n.T("READING")}, rows)
					alerts := rep.Alerts()
					if len(alerts) > 0 {
						fmt.Fprintln(o)
					}
					for _, a := range alerts {
						fmt.Fprintln(o, i18n.T("Alert: %s", a.Message()))
					}
					fmt.Fprintln(o, "\n"+i18n.T("PSI below 0.1 is stable, 0.1 to 0.25 some shift, above 0.25 a major shift."))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&tbl, "table", "", "rows to compare (default: where 'model score' reads them)")
	return cmd
}

func (e *env) modelHistoryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "history NAME",
		Short: "List a model's champion/challenger comparisons, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				hs, err := w.ModelHistory(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(hs, func(o io.Writer) {
					if len(hs) == 0 {
						fmt.Fprintln(o, i18n.T("No comparisons yet: run 'model retrain %s' or set a schedule.", args[0]))
						return
					}
					var rows [][]string
					for _, h := range hs {
						verdict := i18n.T("kept")
						if h.Promoted {
							verdict = i18n.T("promoted")
						}
						rows = append(rows, []string{h.At.Local().Format("2006-01-02 15:04"), causeWords(h.Cause), metricName(h.Metric),
							orDash(h.Champion), orDash(h.Challenger), holdoutWords(h.Holdout) + " " + strconv.FormatInt(h.HoldoutRows, 10), verdict, h.Reason})
					}
					table(o, []string{i18n.T("WHEN"), i18n.T("CAUSE"), i18n.T("METRIC"), i18n.T("CHAMPION"), i18n.T("CHALLENGER"), i18n.T("HOLDOUT"), i18n.T("RESULT"), i18n.T("WHY")}, rows)
				})
			})(cmd, args)
		},
	}
}

func orDash(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return f4(v)
}

func causeWords(c string) string {
	if c == core.CauseSchedule {
		return i18n.T("schedule")
	}
	return i18n.T("by hand")
}

func (e *env) modelScheduleCmd() *cobra.Command {
	var expr string
	var off bool
	cmd := &cobra.Command{
		Use:   `schedule NAME [--retrain "0 3 * * SUN" | --off]`,
		Short: "Show or set when a model is retrained by 'automate run' (a cron expression)",
		Example: `  marketbench -p shop.mbproj model schedule churn_forest --retrain "0 3 * * SUN"
  marketbench -p shop.mbproj model schedule churn_forest --off`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if off && expr != "" {
				return i18n.Errorf("give either --retrain or --off, not both")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				now := time.Now()
				var s *core.Schedule
				var err error
				switch {
				case off:
					s, err = w.SetRetrainSchedule(ctx, args[0], "", now)
				case expr != "":
					s, err = w.SetRetrainSchedule(ctx, args[0], expr, now)
				default:
					s, err = w.RetrainSchedule(ctx, args[0], now)
				}
				if err != nil {
					return err
				}
				return e.emit(s, func(o io.Writer) {
					if s.Retrain == "" {
						fmt.Fprintln(o, i18n.T("Model %q has no retraining schedule.", s.Model))
						return
					}
					fmt.Fprintln(o, i18n.T("Model %q is retrained on the schedule %q; next run %s.", s.Model, s.Retrain, s.Next.Local().Format("2006-01-02 15:04")))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&expr, "retrain", "", `cron expression: minute hour day-of-month month day-of-week, e.g. "0 3 * * SUN"`)
	cmd.Flags().BoolVar(&off, "off", false, "turn the schedule off")
	return cmd
}
