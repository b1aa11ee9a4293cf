package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) textCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "text", Short: "Sentiment, keywords and text classifiers for free-text columns (offline)"}
	cmd.AddCommand(e.textSentimentCmd(), e.textKeywordsCmd(), e.textThemesCmd(), e.textTrainCmd(), e.textClassifyCmd(), e.textModelsCmd())
	return cmd
}

func needTableColumn(tbl, col string) error {
	if tbl == "" || col == "" {
		return i18n.Errorf("give the text with --table T --column C")
	}
	return nil
}

func sortedCounts(m map[string]int) [][]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows [][]string
	for _, k := range keys {
		rows = append(rows, []string{"  " + k, strconv.Itoa(m[k])})
	}
	return rows
}

func (e *env) textSentimentCmd() *cobra.Command {
	var tbl, col, mdl string
	var bySeg bool
	cmd := &cobra.Command{
		Use:   "sentiment --table T --column C",
		Short: "Add a sentiment score and label to every text (built-in English and Chinese models, or --model NAME)",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if err := needTableColumn(tbl, col); err != nil {
				return err
			}
			prog, done := e.progress()
			res, err := w.Sentiment(ctx, tbl, col, mdl, prog)
			done()
			if err != nil {
				return err
			}
			out := map[string]any{"result": res}
			var segs []core.SegmentSentiment
			if bySeg {
				if segs, err = w.SentimentBySegment(ctx, tbl, col); err != nil {
					return err
				}
				out["segments"] = segs
			}
			return e.emit(out, func(o io.Writer) {
				fmt.Fprint(o, i18n.T("Scored %d texts of %s.%s with the %s; mean score %.3f\nAdded columns %s and %s", res.Rows, res.Table, res.Column, res.Model, res.Mean, res.ScoreColumn, res.LabelColumn)+"\n\n")
				table(o, []string{"  " + i18n.T("LABEL"), i18n.T("TEXTS")}, sortedCounts(res.Labels))
				if len(segs) > 0 {
					fmt.Fprintln(o)
					var rows [][]string
					for _, s := range segs {
						rows = append(rows, []string{s.Name(), strconv.Itoa(s.Rows), fmt.Sprintf("%.3f", s.Mean), fmt.Sprintf("%.1f%%", 100*s.Positive)})
					}
					table(o, []string{i18n.T("SEGMENT"), i18n.T("TEXTS"), i18n.T("MEAN SCORE"), i18n.T("POSITIVE")}, rows)
				}
			})
		}),
	}
	cmd.Flags().StringVar(&tbl, "table", "", "table with the text")
	cmd.Flags().StringVar(&col, "column", "", "text column")
	cmd.Flags().StringVar(&mdl, "model", "", "a text model trained with 'text train' instead of the built-in English and Chinese models")
	cmd.Flags().BoolVar(&bySeg, "by-segment", false, "also compare sentiment across segments (needs a customer id role)")
	return cmd
}

func (e *env) textKeywordsCmd() *cobra.Command {
	var r core.KeywordsRequest
	cmd := &cobra.Command{
		Use:   "keywords --table T --column C [--segment S | --where RULE]",
		Short: "Top words and phrases of a group's texts compared with the rest (all texts with no group)",
		Example: `  marketbench -p shop.mbproj text keywords --table reviews --column review_text --segment Champions
  marketbench -p shop.mbproj text keywords --table reviews --column review_text --where "review_text_sentiment_label = 'negative'"`,
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if err := needTableColumn(r.Table, r.Column); err != nil {
				return err
			}
			res, err := w.Keywords(ctx, r)
			if err != nil {
				return err
			}
			return e.emit(res, func(o io.Writer) {
				fmt.Fprint(o, i18n.T("%d texts in the group, %d others", res.InGroup, res.Others)+"\n\n")
				var rows [][]string
				for _, k := range res.Keywords {
					rows = append(rows, []string{k.Term, fmt.Sprintf("%.4f", k.Score)})
				}
				table(o, []string{i18n.T("KEYWORD"), i18n.T("WEIGHT")}, rows)
			})
		}),
	}
	cmd.Flags().StringVar(&r.Table, "table", "", "table with the text")
	cmd.Flags().StringVar(&r.Column, "column", "", "text column")
	cmd.Flags().StringVar(&r.Segment, "segment", "", "texts of this segment's customers")
	cmd.Flags().StringVar(&r.Where, "where", "", "texts of rows matching this rule")
	cmd.Flags().IntVar(&r.K, "k", 20, "number of keywords")
	e.require(cmd, intRange("k", 1, 0))
	return cmd
}

func (e *env) textTrainCmd() *cobra.Command {
	var r core.TextTrainRequest
	cmd := &cobra.Command{
		Use:   "train --table T --column C --label L",
		Short: "Train a classifier of texts into your own labels and print its held-out accuracy",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if err := needTableColumn(r.Table, r.Column); err != nil {
				return err
			}
			if r.Label == "" {
				return i18n.Errorf("give the column with the labels with --label")
			}
			prog, done := e.progress()
			info, err := w.TrainText(ctx, r, prog)
			done()
			if err != nil {
				return err
			}
			return e.emit(info, func(o io.Writer) {
				ev := info.Eval
				fmt.Fprint(o, i18n.T("Text model %q (%s): %d training and %d test texts\nAccuracy %.4f, macro F1 %.4f", info.Name, info.Algo, ev.TrainRows, ev.TestRows, ev.Accuracy, ev.MacroF1)+"\n\n")
				var rows [][]string
				for i, l := range ev.Labels {
					if i < len(ev.F1) {
						rows = append(rows, []string{l, f4(ev.Precision[i]), f4(ev.Recall[i]), f4(ev.F1[i]), strconv.FormatInt(ev.Support[i], 10)})
					}
				}
				table(o, []string{i18n.T("LABEL"), i18n.T("PRECISION"), i18n.T("RECALL"), "F1", i18n.T("TEST TEXTS")}, rows)
				fmt.Fprint(o, "\n"+i18n.T("Use it: text classify %s --table T --column C", info.Name)+"\n")
			})
		}),
	}
	cmd.Flags().StringVar(&r.Table, "table", "", "table with the texts and labels")
	cmd.Flags().StringVar(&r.Column, "column", "", "text column")
	cmd.Flags().StringVar(&r.Label, "label", "", "column with the labels (rows without one are skipped)")
	cmd.Flags().StringVar(&r.Algo, "algo", "nb", "nb (naive Bayes) or logreg (logistic regression)")
	cmd.Flags().StringVar(&r.Name, "name", "", "model name (default COLUMN_LABEL)")
	cmd.Flags().Float64Var(&r.TestSize, "test-size", 0.2, "share of labelled texts held out")
	e.require(cmd, share("test-size"))
	cmd.Flags().Uint64Var(&r.Seed, "seed", 42, "seed of the split")
	cmd.Flags().BoolVar(&r.Replace, "replace", false, "replace a model of the same name")
	return cmd
}

func (e *env) textClassifyCmd() *cobra.Command {
	var tbl, col string
	cmd := &cobra.Command{
		Use:   "classify NAME --table T --column C",
		Short: "Label every text with a trained text model (adds COLUMN_NAME and COLUMN_NAME_p)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := needTableColumn(tbl, col); err != nil {
					return err
				}
				prog, done := e.progress()
				res, err := w.ClassifyText(ctx, args[0], tbl, col, prog)
				done()
				if err != nil {
					return err
				}
				return e.emit(res, func(o io.Writer) {
					fmt.Fprint(o, i18n.T("Labelled %d texts with %q into %s (probability in %s)", res.Rows, res.Model, res.LabelColumn, res.ScoreColumn)+"\n\n")
					table(o, []string{"  " + i18n.T("LABEL"), i18n.T("TEXTS")}, sortedCounts(res.Labels))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&tbl, "table", "", "table with the text")
	cmd.Flags().StringVar(&col, "column", "", "text column")
	return cmd
}

func (e *env) textModelsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "List the trained text models",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			ms, err := w.TextModels(ctx)
			if err != nil {
				return err
			}
			return e.emit(ms, func(o io.Writer) {
				if len(ms) == 0 {
					fmt.Fprintln(o, i18n.T("No text models yet: run 'text train'. 'text sentiment' works without one."))
					return
				}
				var rows [][]string
				for _, m := range ms {
					rows = append(rows, []string{m.Name, m.Algo, m.Table + "." + m.Column, m.Label, f4(m.Eval.Accuracy), f4(m.Eval.MacroF1)})
				}
				table(o, []string{i18n.T("NAME"), i18n.T("ALGO"), i18n.T("TEXT"), i18n.T("LABELS"), i18n.T("ACCURACY"), i18n.T("MACRO F1")}, rows)
			})
		}),
	}
}
