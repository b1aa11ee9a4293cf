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

func (e *env) recommendCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "recommend", Short: "Product recommendations from the order table (offline)"}
	cmd.AddCommand(e.recommendEvaluateCmd())
	return cmd
}

func (e *env) recommendEvaluateCmd() *cobra.Command {
	var orders, split, method string
	var k int
	cmd := &cobra.Command{
		Use:   "evaluate --orders T --split-date YYYY-MM-DD",
		Short: "Train on the orders before a date, test on what customers bought after it, and compare each method with best sellers",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if orders == "" || split == "" {
				return i18n.Errorf("give the order table and the split date: --orders T --split-date YYYY-MM-DD")
			}
			at, err := time.Parse("2006-01-02", split)
			if err != nil {
				return i18n.Errorf("--split-date %q is not a date like 2011-09-01", split)
			}
			if k < 1 {
				return i18n.Errorf("--k must be at least 1")
			}
			methods := core.RecommendMethods
			if method != "all" {
				methods = []string{method}
			}
			res, err := w.EvaluateRecommendations(ctx, orders, at, k, methods)
			if err != nil {
				return err
			}
			var list []map[string]any
			var rows [][]string
			for _, r := range res.Results {
				list = append(list, map[string]any{"method": r.Method, "k": r.K, "hit_rate": r.HitRate, "precision": r.Precision,
					"recall": r.Recall, "ndcg": r.NDCG, "coverage": r.Coverage, "customers": r.Customers})
				rows = append(rows, []string{r.Method, fmt.Sprintf("%.4f", r.HitRate), fmt.Sprintf("%.4f", r.Precision),
					fmt.Sprintf("%.4f", r.Recall), fmt.Sprintf("%.4f", r.NDCG), fmt.Sprintf("%.4f", r.Coverage), i18n.Number(float64(r.Customers))})
			}
			return e.emit(list, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Trained on %s purchases before %s; measured on %s customers who bought something new after it (cancelled orders left out: %s; rows without a customer: %s).",
					i18n.Number(float64(res.TrainPurchases)), split, i18n.Number(float64(res.CustomersWithTruth)),
					i18n.Number(float64(res.Skipped.Cancelled+res.Skipped.Returns)), i18n.Number(float64(res.Skipped.NoCustomer))))
				table(o, []string{i18n.T("METHOD"), i18n.T("HIT RATE@%d", k), i18n.T("PRECISION"), i18n.T("RECALL"), i18n.T("NDCG"), i18n.T("COVERAGE"), i18n.T("CUSTOMERS")}, rows)
			})
		}),
	}
	cmd.Flags().StringVar(&orders, "orders", "", "the order table (roles: customer id, product, order date; order id and quantity if there are any)")
	cmd.Flags().StringVar(&split, "split-date", "", "train before this date, test on or after it (YYYY-MM-DD)")
	cmd.Flags().IntVar(&k, "k", 10, "how many products each customer is offered")
	cmd.Flags().StringVar(&method, "method", "all", "popularity, item-knn, als or all")
	return cmd
}
