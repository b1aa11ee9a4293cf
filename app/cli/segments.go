package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/segment"
)

func (e *env) segmentCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "segment", Short: "RFM scores and rule segments"}
	cmd.AddCommand(e.rfmCmd(), e.segCreateCmd(), e.segListCmd(), e.segCountCmd(), e.segEvalCmd(), e.segDeleteCmd(), e.segDescribeCmd())
	return cmd
}

func (e *env) rfmCmd() *cobra.Command {
	var tbl, scheme, asOf string
	cmd := &cobra.Command{
		Use:   "rfm",
		Short: "Score customers by recency, frequency and monetary value and assign RFM segments",
		Long: `Score customers by recency, frequency and monetary value and assign RFM segments.

Schemes (--scheme):
  rfm         the classic 10 segments over quintile scores
  rf-grid     a recency × frequency grid of 10 segments
  zh8         the 8 customer types of Chinese marketing (八类客户): R, F and M each
              high or low against the mean of all customers; a value equal to
              the mean is low
  zh8-median  the same 8 types against the median

The 8 types (high R = bought recently):
  重要价值客户  important value     R high, F high, M high
  重要发展客户  important develop   R high, F low,  M high
  重要保持客户  important retain    R low,  F high, M high
  重要挽留客户  important win-back  R low,  F low,  M high
  一般价值客户  general value       R high, F high, M low
  一般发展客户  general develop     R high, F low,  M low
  一般保持客户  general retain      R low,  F high, M low
  一般挽留客户  general win-back    R low,  F low,  M low

See docs/RFM.md for every cell of every scheme.`,
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			var at time.Time
			if asOf != "" {
				var err error
				if at, err = time.Parse("2006-01-02", asOf); err != nil {
					return i18n.Errorf("--as-of must be a date like 2011-12-10, got %q", asOf)
				}
			}
			run, err := w.RFM(ctx, tbl, scheme, at)
			if err != nil {
				return err
			}
			return e.emit(run, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Scored %d customers from %q as of %s (%s)", run.Customers, run.Table, run.AsOf.Format("2006-01-02"), run.Scheme.Title))
				if note := core.RFMThresholdsText(run); note != "" {
					fmt.Fprintln(o, note)
				}
				fmt.Fprintln(o)
				printSummaries(o, run.Segments)
			})
		}),
	}
	cmd.Flags().StringVar(&tbl, "table", "", "order table (default: the first with customer id, order date and amount roles)")
	cmd.Flags().StringVar(&scheme, "scheme", "rfm", "rfm (10 segments), rf-grid (recency × frequency grid), zh8 (8 customer types 八类客户, high/low vs the mean) or zh8-median (vs the median)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "reference date YYYY-MM-DD (default: the day after the last order)")
	return cmd
}

func printSummaries(o io.Writer, sums []segment.Summary) {
	var rows [][]string
	var damaged, lists []string
	for _, s := range sums {
		if s.Damaged != "" {
			rows = append(rows, []string{s.Name, i18n.T("damaged: %s", i18n.T(s.Damaged)), "-", "-", "-", "-", "-"})
			damaged = append(damaged, i18n.T("Segment %q is damaged (%s): delete it with 'segment delete %s' or create it again.", s.Name, i18n.T(s.Damaged), s.Name))
			continue
		}
		val := []string{"-", "-", "-"}
		if s.HasValue {
			val = []string{chart.Money("", 0)(s.Revenue), chart.Money("", 2)(s.AOV), strconv.FormatFloat(s.AvgRecency, 'f', 0, 64)}
		}
		rows = append(rows, append([]string{s.Name, core.SegmentKind(s.Kind), strconv.FormatInt(s.Size, 10), fmt.Sprintf("%.1f%%", 100*s.Share)}, val...))
		if s.Description != "" {
			// A list has no rule to read its meaning from: say what it is.
			lists = append(lists, i18n.T("%s: %s", s.Name, s.Description))
		}
	}
	table(o, []string{i18n.T("SEGMENT"), i18n.T("KIND"), i18n.T("CUSTOMERS"), i18n.T("SHARE"), i18n.T("REVENUE"), i18n.T("AOV"), i18n.T("RECENCY")}, rows)
	for _, l := range lists {
		fmt.Fprintln(o, l)
	}
	for _, d := range damaged {
		fmt.Fprintln(o, d)
	}
}

func defaultBase(ctx context.Context, w *core.Workspace, tbl string) (string, error) {
	if tbl != "" {
		return tbl, nil
	}
	return w.DefaultRuleTable(ctx)
}

func (e *env) segCreateCmd() *cobra.Command {
	var ruleText, tbl string
	cmd := &cobra.Command{
		Use:   "create NAME --rule EXPR",
		Short: "Save a rule segment, e.g. --rule \"country = 'United Kingdom' AND (frequency >= 3 OR rfm_segment = 'Champions')\"",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if ruleText == "" {
					return i18n.Errorf("give the rule with --rule")
				}
				base, err := defaultBase(ctx, w, tbl)
				if err != nil {
					return err
				}
				s, err := w.CreateSegment(ctx, args[0], base, ruleText)
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"name": s.Name, "table": s.Table, "rule": s.Rule.String(), "size": s.Size}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Segment %q: %d customers (%s, from %s)", s.Name, s.Size, s.Rule.String(), s.Table))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&ruleText, "rule", "", "the rule in text form")
	cmd.Flags().StringVar(&tbl, "table", "", "table the rule runs over (default: customers, or the first table with a customer id)")
	return cmd
}

func (e *env) segCountCmd() *cobra.Command {
	var ruleText, tbl string
	cmd := &cobra.Command{
		Use:   "count --rule EXPR",
		Short: "Count the customers a rule selects, without saving it",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			base, err := defaultBase(ctx, w, tbl)
			if err != nil {
				return err
			}
			n, err := w.CountRule(ctx, base, ruleText)
			if err != nil {
				return err
			}
			return e.emit(map[string]any{"count": n, "table": base}, func(o io.Writer) { fmt.Fprintln(o, n) })
		}),
	}
	cmd.Flags().StringVar(&ruleText, "rule", "", "the rule in text form")
	cmd.Flags().StringVar(&tbl, "table", "", "table the rule runs over")
	return cmd
}

func (e *env) segListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List RFM segments and saved rule segments with size, share, revenue, AOV and recency",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			sums, err := w.Segments(ctx)
			if err != nil {
				return err
			}
			return e.emit(sums, func(o io.Writer) {
				if len(sums) == 0 {
					fmt.Fprintln(o, i18n.T("No segments yet: run 'segment rfm' or 'segment create'."))
					return
				}
				printSummaries(o, sums)
			})
		}),
	}
}

func (e *env) segEvalCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "evaluate NAME",
		Short: "Recompute a saved segment from the current data",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				s, err := w.EvaluateSegment(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"name": s.Name, "size": s.Size}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Segment %q: %d customers", s.Name, s.Size))
				})
			})(cmd, args)
		},
	}
}

func (e *env) segDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a saved segment",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := w.DeleteSegment(ctx, args[0]); err != nil {
					return err
				}
				return e.emit(map[string]any{"deleted": args[0]}, func(o io.Writer) { fmt.Fprintln(o, i18n.T("Deleted %q", args[0])) })
			})(cmd, args)
		},
	}
}

func (e *env) chartCmd() *cobra.Command {
	var spec core.ChartSpec
	var out, orders string
	var width, height float64
	cmd := &cobra.Command{
		Use:   "chart segments|segments-revenue|rule-segments|rfm-heatmap|histogram|cohorts|forecast --out FILE.png|svg|pdf",
		Short: "Draw a chart to PNG, SVG or PDF",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Kind = args[0]
			if orders != "" {
				spec.Table = orders
			}
			if out == "" {
				return i18n.Errorf("give the output file with --out FILE.png|svg|pdf")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				p, err := w.Chart(ctx, spec)
				if err != nil {
					return err
				}
				if err := chart.Save(p, out, vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch); err != nil {
					return err
				}
				abs, _ := filepath.Abs(out)
				return e.emit(map[string]any{"file": abs}, func(o io.Writer) { fmt.Fprintln(o, i18n.T("Wrote %s", abs)) })
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output file; the extension picks PNG, SVG or PDF")
	cmd.Flags().StringVar(&spec.Table, "table", "", "table (histogram)")
	cmd.Flags().StringVar(&spec.Column, "column", "", "numeric or date column (histogram)")
	cmd.Flags().IntVar(&spec.Bins, "bins", 20, "bins (histogram)")
	cmd.Flags().StringVar(&orders, "orders", "", "order table (cohorts, forecast); empty for the only one")
	cmd.Flags().StringVar(&spec.By, "by", "month", "month or week (cohorts, forecast)")
	cmd.Flags().StringVar(&spec.Metric, "metric", "", "cohorts: retention, revenue or cumulative; forecast: orders or revenue")
	cmd.Flags().StringVar(&spec.Segment, "segment", "", "only this segment's customers (cohorts)")
	cmd.Flags().StringVar(&spec.Category, "category", "", "only this category (forecast)")
	cmd.Flags().StringVar(&spec.Product, "product", "", "only this product id (forecast)")
	cmd.Flags().IntVar(&spec.Horizon, "horizon", 0, "periods ahead (forecast; 0: 12 months or 13 weeks)")
	cmd.Flags().Float64Var(&width, "width", 8, "width in inches")
	cmd.Flags().Float64Var(&height, "height", 5, "height in inches")
	e.require(cmd, intRange("bins", 1, 0), positive("width"), positive("height"), choice("by", "month", "week"), intRange("horizon", 0, 104))
	return cmd
}

func (e *env) demoCmd() *cobra.Command {
	var dir, locale string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create the demo project and run the whole flow headless: import, RFM, segments, charts, exports, summary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			abs, err := filepath.Abs(dir)
			if err != nil {
				return err
			}
			prog, done := e.progress()
			res, err := core.RunDemo(cmd.Context(), abs, core.DemoOptions{Locale: locale}, prog)
			done()
			if err != nil {
				return err
			}
			return e.emit(res, func(o io.Writer) {
				fmt.Fprint(o, res.Summary)
				fmt.Fprintf(o, "\n%s\n%s\n", i18n.T("Demo project: %s", res.Project), i18n.T("Outputs:"))
				for _, f := range res.Files {
					fmt.Fprintf(o, "  %s\n", f)
				}
				fmt.Fprintf(o, "\n%s\n", i18n.T("Explore it: %s", "marketbench -p "+res.Project+" segment list"))
			})
		},
	}
	cwd, _ := os.Getwd()
	cmd.Flags().StringVar(&dir, "out", filepath.Join(cwd, "demo-output"), "folder for the demo project and its outputs")
	cmd.Flags().StringVar(&locale, "locale", "en", "language of the demo data: en or zh-CN (Chinese names, provinces, products, reviews, yuan)")
	return cmd
}
