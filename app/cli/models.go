package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
)

func (e *env) modelCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "model", Short: "Train, evaluate, compare, score and explain predictive models; k-means clusters"}
	cmd.AddCommand(e.modelTrainCmd(), e.modelListCmd(), e.modelEvalCmd(), e.modelScoreCmd(), e.modelExplainCmd(),
		e.modelDeleteCmd(), e.modelClusterCmd(), e.modelTargetCmd(), e.modelFeaturesCmd(),
		e.modelRetrainCmd(), e.modelDriftCmd(), e.modelHistoryCmd(), e.modelScheduleCmd())
	return cmd
}

// targetFlags are the flags that build a churn or purchase table.
type targetFlags struct {
	t models.Target
}

func (f *targetFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.t.Kind, "outcome", "", "build the target from the orders: churn (no order within --days after --cutoff) or purchase (an order within them)")
	cmd.Flags().StringVar(&f.t.Cutoff, "cutoff", "", "as-of date YYYY-MM-DD for --outcome (default: --days before the last order)")
	cmd.Flags().IntVar(&f.t.Days, "days", 90, "outcome window in days for --outcome")
	cmd.Flags().StringVar(&f.t.Orders, "orders", "", "order table for --outcome (default: the one with order roles)")
	cmd.Flags().StringVar(&f.t.Customers, "customers", "", "customer table whose columns join in for --outcome (default: the only one)")
}

func (e *env) modelTrainCmd() *cobra.Command {
	var r core.TrainRequest
	var features string
	var tf targetFlags
	var curves bool
	var hidden string
	cmd := &cobra.Command{
		Use:   "train --table T --target COLUMN --algo logreg|tree|forest|mlp|linreg|mlpreg",
		Short: "Train a model on a table (or a churn/purchase outcome built from the orders) and print its test-split metrics",
		Example: `  marketbench -p shop.mbproj model train --table telco --target Churn --algo logreg
  marketbench -p shop.mbproj model train --outcome churn --days 90 --algo forest --name churn90
  marketbench -p shop.mbproj model train --outcome churn --algo mlp --hidden 64,32 --balanced`,
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if tf.t.Kind != "" {
				t := tf.t
				r.Target = &t
			} else if r.Table == "" || r.Spec.Target == "" {
				return i18n.Errorf("give --table and --target, or --outcome churn|purchase to build the target from the orders")
			}
			r.Features = splitList(features)
			for _, h := range splitList(hidden) {
				n, err := strconv.Atoi(h)
				if err != nil {
					return i18n.Errorf("--hidden takes layer sizes separated by commas, such as 64,32; %q is not a whole number", h)
				}
				r.Spec.Hidden = append(r.Spec.Hidden, n)
			}
			prog, done := e.progress()
			info, err := w.Train(ctx, r, prog)
			done()
			if err != nil {
				return err
			}
			return e.emit(modelJSON(info, curves), func(o io.Writer) {
				if b := info.Built; b != nil {
					fmt.Fprintln(o, i18n.T("Built %q: %d customers as of %s, %d (%.1f%%) %s within %d days", b.Table, b.Customers, b.Target.Cutoff, b.Positives, 100*float64(b.Positives)/math.Max(1, float64(b.Customers)), b.Target.Column(), b.Target.Days))
				}
				fmt.Fprint(o, i18n.T("Model %q: %s predicting %s from %d features, %d training and %d test rows (%.1f s)", info.Name, info.Algo, info.Target, len(info.Spec.Features()), info.Eval.TrainRows, info.Eval.TestRows, info.Seconds)+"\n\n")
				printEval(o, &info.Eval, 5)
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&r.Table, "table", "", "table to train on (with --outcome: the name of the table to build, default OUTCOME_training)")
	f.StringVar(&r.Segment, "segment", "", "train only on the rows of this segment's customers")
	f.StringVar(&r.Spec.Target, "target", "", "column to predict (two values for logreg/tree/forest/mlp, a number for linreg/mlpreg)")
	f.StringVar(&features, "features", "", "comma-separated feature columns (default: every usable column)")
	f.StringVar(&r.Spec.Algo, "algo", model.LogReg, "logreg, tree, forest, mlp (neural network), linreg or mlpreg (neural network for amounts)")
	f.Float64Var(&r.Spec.TestSize, "test-size", 0.2, "share of rows held out for the metrics")
	f.Uint64Var(&r.Spec.Seed, "seed", 42, "seed of the split, the forest and the neural network")
	f.StringVar(&r.Name, "name", "", "model name (default: TARGET_ALGO)")
	f.BoolVar(&r.Replace, "replace", false, "replace a model of the same name")
	f.Float64Var(&r.Spec.C, "c", 1, "logreg: inverse penalty strength")
	f.BoolVar(&r.Spec.L1, "l1", false, "logreg: L1 penalty (sparse coefficients) instead of L2")
	f.BoolVar(&r.Spec.Balanced, "balanced", false, "logreg/mlp: weight the two outcomes equally (rare outcomes)")
	f.Float64Var(&r.Spec.Alpha, "alpha", 0, "linreg: ridge penalty (0 = ordinary least squares); mlp/mlpreg: L2 weight decay (0 = 0.0001)")
	f.IntVar(&r.Spec.MaxDepth, "max-depth", 0, "tree/forest: depth limit, 1 to 50 (default 4 for a tree, 12 for a forest)")
	f.IntVar(&r.Spec.MinLeaf, "min-leaf", 0, "tree/forest: fewest training rows per leaf (default 20)")
	f.IntVar(&r.Spec.Trees, "trees", 0, "forest: number of trees, 1 to 5000 (default 100)")
	f.StringVar(&r.Spec.Criterion, "criterion", "", "tree: gini (default) or entropy")
	f.StringVar(&hidden, "hidden", "", "mlp/mlpreg: hidden layer sizes, comma-separated (default 64,32)")
	f.IntVar(&r.Spec.Epochs, "epochs", 0, "mlp/mlpreg: most passes over the training rows (default 200)")
	f.Float64Var(&r.Spec.LearningRate, "learning-rate", 0, "mlp/mlpreg: Adam's step size (default 0.001)")
	f.BoolVar(&r.Spec.NoEarlyStopping, "no-early-stopping", false, "mlp/mlpreg: train on all rows until the training loss stops improving, instead of stopping on a held-out tenth")
	f.BoolVar(&curves, "curves", false, "with --json: include the ROC curve's points (hundreds of them)")
	tf.add(cmd)
	e.require(cmd, share("test-size"), positive("c"), notNegative("alpha"), intRange("max-depth", 1, 50),
		intRange("min-leaf", 1, 0), intRange("trees", 1, 5000), intRange("days", 1, 0),
		intRange("epochs", 1, model.MaxEpochs), positive("learning-rate"))
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// modelJSON flattens the headline metrics for scripts next to the full
// evaluation.
func modelJSON(info *core.ModelInfo, curves bool) map[string]any {
	out := map[string]any{"name": info.Name, "algo": info.Algo, "target": info.Target, "table": info.Source.Table,
		"features": info.Spec.Features(), "seconds": info.Seconds, "trained_at": info.TrainedAt, "evaluation": evalJSON(&info.Eval, curves)}
	for k, v := range headline(&info.Eval) {
		out[k] = v
	}
	if info.Built != nil {
		out["built"] = info.Built
	}
	return out
}

// evalJSON leaves out the ROC curve (one point per distinct score, often
// over a thousand) unless --curves asks for it.
func evalJSON(ev *model.Evaluation, curves bool) model.Evaluation {
	c := *ev
	if !curves {
		c.ROC = nil
	}
	return c
}

func headline(ev *model.Evaluation) map[string]any {
	if ev.Regression {
		return map[string]any{"rmse": ev.RMSE, "mae": ev.MAE, "r2": ev.R2}
	}
	return map[string]any{"auc": ev.AUC, "accuracy": ev.Accuracy, "logloss": ev.LogLoss, "pr_auc": ev.PRAUC,
		"brier": ev.Brier, "precision": ev.Precision, "recall": ev.Recall, "f1": ev.F1}
}

func f4(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

// printEval prints metrics, then the top importances, coefficients or rules.
func printEval(o io.Writer, ev *model.Evaluation, top int) {
	if ev.Regression {
		table(o, []string{i18n.T("METRIC"), i18n.T("TEST")}, [][]string{{"RMSE", f4(ev.RMSE)}, {"MAE", f4(ev.MAE)}, {"R²", f4(ev.R2)}})
	} else {
		table(o, []string{i18n.T("METRIC"), i18n.T("TEST")}, [][]string{
			{"ROC AUC", f4(ev.AUC)}, {"PR AUC", f4(ev.PRAUC)}, {"accuracy (cut-off 0.5)", f4(ev.Accuracy)},
			{"log loss", f4(ev.LogLoss)}, {"Brier score", f4(ev.Brier)}, {"precision", f4(ev.Precision)},
			{"recall", f4(ev.Recall)}, {"F1", f4(ev.F1)}, {"base rate (training)", f4(ev.BaseRate)}})
		c := ev.Confusion
		fmt.Fprint(o, "\n"+i18n.T("Confusion (rows actual, columns predicted): no/no %d  no/yes %d  yes/no %d  yes/yes %d", c[0][0], c[0][1], c[1][0], c[1][1])+"\n")
		if len(ev.Gains) > 0 {
			fmt.Fprintln(o, i18n.T("Top 10%% by score holds %.0f%% of the positives (lift %.2f)", 100*ev.Gains[0].CumGains, ev.Gains[0].Lift))
		}
	}
	if len(ev.Importance) > 0 {
		fmt.Fprint(o, "\n"+i18n.T("Most important features (drop in test %s when shuffled):", map[bool]string{true: "RMSE", false: "AUC"}[ev.Regression])+"\n")
		var rows [][]string
		for i, im := range ev.Importance {
			if i == top {
				break
			}
			rows = append(rows, []string{"  " + im.Feature, fmt.Sprintf("%.4f ± %.4f", im.Mean, im.Std)})
		}
		table(o, []string{"  " + i18n.T("FEATURE"), i18n.T("IMPORTANCE")}, rows)
	}
	if len(ev.Coefs) > 0 {
		fmt.Fprint(o, "\n"+i18n.T("Odds ratios per standard deviation (per yes for a category), %d%% interval:", 95)+"\n")
		var rows [][]string
		for _, c := range ev.Coefs {
			ci, p := fmt.Sprintf("%.3f–%.3f", c.OddsLo, c.OddsHi), pval(c.P)
			if c.P < 0 {
				ci, p = "n/a (L1)", "-"
			}
			rows = append(rows, []string{"  " + c.Feature, fmt.Sprintf("%.3f", c.OddsRatio), ci, p})
		}
		table(o, []string{"  " + i18n.T("FEATURE"), i18n.T("ODDS RATIO"), i18n.T("%d%% CI", 95), "P"}, rows)
	}
	if len(ev.Rules) > 0 {
		fmt.Fprint(o, "\n"+i18n.T("Rules:")+"\n")
		for _, r := range ev.Rules {
			fmt.Fprintln(o, "  "+r)
		}
	}
}

func pval(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

func (e *env) modelListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the stored models side by side with their test metrics",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			ms, err := w.Models(ctx)
			if err != nil {
				return err
			}
			out := make([]map[string]any, len(ms))
			for i := range ms {
				out[i] = modelJSON(&ms[i], false)
				delete(out[i], "evaluation")
			}
			return e.emit(out, func(o io.Writer) {
				if len(ms) == 0 {
					fmt.Fprintln(o, i18n.T("No models yet: run 'model train'."))
					return
				}
				var rows [][]string
				for _, m := range ms {
					ev := m.Eval
					metrics := []string{f4(ev.AUC), f4(ev.Accuracy), f4(ev.LogLoss), "-", "-"}
					if ev.Regression {
						metrics = []string{"-", "-", "-", f4(ev.RMSE), f4(ev.R2)}
					}
					rows = append(rows, append([]string{m.Name, m.Algo, m.Target, m.Source.Table, strconv.Itoa(ev.TrainRows + ev.TestRows)},
						append(metrics, m.TrainedAt.Local().Format("2006-01-02 15:04"))...))
				}
				table(o, []string{i18n.T("NAME"), i18n.T("ALGO"), i18n.T("TARGET"), i18n.T("TABLE"), i18n.T("ROWS"), "AUC", i18n.T("ACCURACY"), "LOGLOSS", "RMSE", "R²", i18n.T("TRAINED")}, rows)
			})
		}),
	}
}

func (e *env) modelEvalCmd() *cobra.Command {
	var tbl string
	var curves bool
	cmd := &cobra.Command{
		Use:   "evaluate NAME [--table T]",
		Short: "Show a model's test metrics, importances and coefficients or rules; with --table, measure it on other rows",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				ev, err := w.EvaluateModel(ctx, args[0], tbl)
				if err != nil {
					return err
				}
				out := headline(ev)
				out["name"], out["evaluation"] = args[0], evalJSON(ev, curves)
				if tbl != "" {
					out["table"] = tbl
				}
				return e.emit(out, func(o io.Writer) {
					if tbl != "" {
						fmt.Fprint(o, i18n.T("Model %q on %d rows of %q:", args[0], ev.TestRows, tbl)+"\n\n")
					}
					printEval(o, ev, 10)
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&tbl, "table", "", "measure on every row of this table (it needs the target column)")
	cmd.Flags().BoolVar(&curves, "curves", false, "with --json: include the ROC curve's points (hundreds of them)")
	return cmd
}

func (e *env) modelScoreCmd() *cobra.Command {
	var tbl string
	cmd := &cobra.Command{
		Use:   "score NAME [--table T]",
		Short: "Score customers into model_scores.score_NAME, usable in segment rules (score_NAME > 0.7)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				prog, done := e.progress()
				res, err := w.Score(ctx, args[0], tbl, prog)
				done()
				if err != nil {
					return err
				}
				return e.emit(res, func(o io.Writer) {
					from := "table " + strconv.Quote(res.Table)
					if res.AsOf != "" {
						from = "features as of " + res.AsOf
					}
					fmt.Fprintln(o, i18n.T("Scored %d customers with %q (%s); mean score %.4f\nStored in model_scores.%s; use it in rules, e.g. %s > 0.5", res.Customers, res.Model, from, res.Mean, res.Column, res.Column))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&tbl, "table", "", "table of customers to score (default: today's features for churn/purchase models, else the training table)")
	return cmd
}

func (e *env) modelExplainCmd() *cobra.Command {
	var tbl, customer string
	var top int
	cmd := &cobra.Command{
		Use:   "explain NAME --customer ID",
		Short: "Explain one customer's score in plain words",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if customer == "" {
				return i18n.Errorf("give the customer with --customer ID")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				ex, err := w.Explain(ctx, args[0], customer, tbl, top)
				if err != nil {
					return err
				}
				return e.emit(ex, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Customer %s: score %.4f", ex.Customer, ex.Score))
					if ex.Text == "" {
						fmt.Fprintln(o, i18n.T("No feature moves this customer's score away from the average."))
						return
					}
					fmt.Fprintln(o, i18n.Say(ex.Msg))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "customer id")
	cmd.Flags().StringVar(&tbl, "table", "", "table holding the customer (default: where 'model score' reads)")
	cmd.Flags().IntVar(&top, "top", 3, "number of reasons")
	e.require(cmd, intRange("top", 1, 0))
	return cmd
}

func (e *env) modelDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a model and its scores",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := w.DeleteModel(ctx, args[0]); err != nil {
					return err
				}
				return e.emit(map[string]any{"deleted": args[0]}, func(o io.Writer) { fmt.Fprintln(o, i18n.T("Deleted model %q", args[0])) })
			})(cmd, args)
		},
	}
}

func (e *env) modelClusterCmd() *cobra.Command {
	var r core.ClusterRequest
	var features string
	cmd := &cobra.Command{
		Use:   "cluster --table T --k K [--features a,b]",
		Short: "Group customers with k-means on standardised numeric features; prints inertia, sizes and profiles",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if r.Table == "" {
				return i18n.Errorf("give the table with --table")
			}
			r.Features = splitList(features)
			prog, done := e.progress()
			res, err := w.Cluster(ctx, r, prog)
			done()
			if err != nil {
				return err
			}
			out := map[string]any{"k": res.K, "rows": res.Rows, "features": res.Features, "inertia": res.Inertia,
				"sizes": res.Sizes, "means": res.Means}
			if !math.IsNaN(res.Silhouette) {
				out["silhouette"] = res.Silhouette
			}
			if res.Elbow != nil {
				out["elbow"] = res.Elbow
			}
			if res.Column != "" {
				out["column"] = res.Column
			}
			return e.emit(out, func(o io.Writer) {
				fmt.Fprint(o, i18n.T("k-means, k = %d, on %d rows of %q (standardised %s)\nInertia %.2f", res.K, res.Rows, r.Table, strings.Join(res.Features, ", "), res.Inertia))
				if !math.IsNaN(res.Silhouette) {
					fmt.Fprint(o, i18n.T(", silhouette %.3f", res.Silhouette))
				}
				fmt.Fprint(o, "\n\n")
				header := append([]string{i18n.T("CLUSTER"), i18n.T("SIZE"), i18n.T("SHARE")}, res.Features...)
				var rows [][]string
				for c, size := range res.Sizes {
					row := []string{strconv.Itoa(c + 1), strconv.Itoa(size), fmt.Sprintf("%.1f%%", 100*float64(size)/float64(res.Rows))}
					for _, v := range res.Means[c] {
						row = append(row, strconv.FormatFloat(v, 'f', 2, 64))
					}
					rows = append(rows, row)
				}
				table(o, header, rows)
				if res.Elbow != nil {
					fmt.Fprint(o, "\n"+i18n.T("Elbow (inertia by k):")+"\n")
					for i, v := range res.Elbow {
						fmt.Fprintf(o, "  k = %d: %.2f\n", i+2, v)
					}
				}
				if res.Column != "" {
					fmt.Fprint(o, "\n"+i18n.T("Saved as model_scores.%s (1..%d); use it in rules, e.g. %s = 1", res.Column, res.K, res.Column)+"\n")
				}
			})
		}),
	}
	cmd.Flags().StringVar(&r.Table, "table", "", "table to cluster (one row per customer, e.g. rfm_scores or a customer table)")
	cmd.Flags().StringVar(&features, "features", "", "comma-separated numeric columns (default: every numeric column)")
	cmd.Flags().IntVar(&r.K, "k", 4, "number of clusters, 2 to 100")
	cmd.Flags().IntVar(&r.Elbow, "elbow", 0, "also print the inertia for k = 2..N to choose k (N up to 50)")
	cmd.Flags().Uint64Var(&r.Seed, "seed", 42, "seed of the k-means++ starts")
	cmd.Flags().StringVar(&r.Name, "name", "", "save each customer's cluster as model_scores.cluster_NAME")
	return cmd
}

func (e *env) modelTargetCmd() *cobra.Command {
	var tf targetFlags
	var out string
	cmd := &cobra.Command{
		Use:   "target --outcome churn|purchase --out TABLE",
		Short: "Build a training table from the orders: behaviour as of a cut-off date and the outcome in the days after",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if tf.t.Kind == "" {
				return i18n.Errorf("give --outcome churn or --outcome purchase")
			}
			if out == "" {
				out = tf.t.Kind + "_training"
			}
			b, err := w.BuildTarget(ctx, tf.t, out)
			if err != nil {
				return err
			}
			return e.emit(b, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Built %q: %d customers as of %s, %d (%.1f%%) %s within %d days\nFeatures: %s", b.Table, b.Customers, b.Target.Cutoff, b.Positives, 100*float64(b.Positives)/math.Max(1, float64(b.Customers)), b.Target.Column(), b.Target.Days, strings.Join(b.Features, ", ")))
			})
		}),
	}
	tf.add(cmd)
	cmd.Flags().StringVar(&out, "out", "", "name of the table to build (default OUTCOME_training)")
	e.require(cmd, intRange("days", 1, 0))
	return cmd
}

func (e *env) modelFeaturesCmd() *cobra.Command {
	var tbl, target, features string
	cmd := &cobra.Command{
		Use:   "features --table T --target COLUMN [--features a,b]",
		Short: "Rank columns by how much they say about a yes/no target: mutual information, correlation, chi-square",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if tbl == "" || target == "" {
				return i18n.Errorf("give --table and --target")
			}
			ranks, err := w.RankFeatures(ctx, tbl, target, splitList(features))
			if err != nil {
				return err
			}
			out := make([]map[string]any, len(ranks))
			for i, r := range ranks {
				out[i] = map[string]any{"feature": r.Feature, "kind": r.Kind, "mutual_info": jnum(r.MI), "correlation": jnum(r.Correlation),
					"correlation_p": jnum(r.CorrelationP), "chi_square": jnum(r.ChiSquare), "chi_square_p": jnum(r.ChiSquareP)}
			}
			return e.emit(out, func(o io.Writer) {
				var rows [][]string
				for _, r := range ranks {
					corr := "-"
					if !math.IsNaN(r.Correlation) {
						corr = fmt.Sprintf("%+.3f (p %s)", r.Correlation, pval(r.CorrelationP))
					}
					rows = append(rows, []string{r.Feature, r.Kind, fmt.Sprintf("%.4f", r.MI), corr, fmt.Sprintf("%.1f (p %s)", r.ChiSquare, pval(r.ChiSquareP))})
				}
				table(o, []string{i18n.T("FEATURE"), i18n.T("KIND"), i18n.T("MUTUAL INFO"), i18n.T("CORRELATION"), i18n.T("CHI-SQUARE")}, rows)
			})
		}),
	}
	cmd.Flags().StringVar(&tbl, "table", "", "table")
	cmd.Flags().StringVar(&target, "target", "", "yes/no column")
	cmd.Flags().StringVar(&features, "features", "", "comma-separated columns (default: every usable column)")
	return cmd
}
