package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) recommendCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "recommend", Short: "Product recommendations from the order table (offline)"}
	cmd.AddCommand(e.recommendEvaluateCmd(), e.recommendTrainCmd(), e.recommendScoreCmd(), e.recommendShowCmd(), e.recommendSimilarCmd(),
		e.recommendBuyersCmd(), e.recommendListCmd(), e.recommendDeleteCmd(), e.recommendBestSellersCmd())
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

func (e *env) basketCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "basket", Short: "Market-basket analysis: products bought together in one order"}
	var orders string
	var opt core.BasketOptions
	var top int
	rules := &cobra.Command{
		Use:   "rules --orders T",
		Short: "Association rules (FP-growth) with support, confidence, lift, leverage and conviction",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if orders == "" {
				return i18n.Errorf("give the order table: --orders T")
			}
			if top < 1 {
				return i18n.Errorf("--top must be at least 1")
			}
			res, err := w.BasketRules(ctx, orders, opt)
			if err != nil {
				return err
			}
			list := []map[string]any{}
			var rows [][]string
			for i, r := range res.Rules {
				list = append(list, map[string]any{"if": r.If, "then": r.Then, "orders": r.Orders, "support": r.Support,
					"confidence": r.Confidence, "lift": r.Lift, "leverage": r.Leverage, "conviction": r.Conviction})
				if i < top {
					conv := fmt.Sprintf("%.2f", r.Conviction)
					if math.IsInf(r.Conviction, 1) {
						conv = "∞"
					}
					rows = append(rows, []string{strings.Join(r.If, " + "), strings.Join(r.Then, " + "), i18n.Number(float64(r.Orders)),
						fmt.Sprintf("%.4f", r.Support), fmt.Sprintf("%.2f", r.Confidence), fmt.Sprintf("%.1f", r.Lift), conv})
				}
			}
			return e.emit(map[string]any{"baskets": res.Baskets, "products": res.Products, "rules": list}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("%s rules from %s orders of %s products (the first %d, by lift):", i18n.Number(float64(len(res.Rules))),
					i18n.Number(float64(res.Baskets)), i18n.Number(float64(res.Products)), min(top, len(res.Rules))))
				table(o, []string{i18n.T("IF BOUGHT"), i18n.T("ALSO BOUGHT"), i18n.T("ORDERS"), i18n.T("SUPPORT"), i18n.T("CONFIDENCE"), i18n.T("LIFT"), i18n.T("CONVICTION")}, rows)
			})
		}),
	}
	rules.Flags().StringVar(&orders, "orders", "", "the order table (roles: order id, product, order date, customer id)")
	rules.Flags().Float64Var(&opt.MinSupport, "min-support", 0.005, "share of orders a rule's products appear in together")
	rules.Flags().Float64Var(&opt.MinConfidence, "min-confidence", 0.3, "share of orders with the IF products that also have the others")
	rules.Flags().Float64Var(&opt.MinLift, "min-lift", 1, "how many times likelier than by chance")
	rules.Flags().IntVar(&opt.MaxLen, "max-len", 3, "products in a rule, both sides")
	rules.Flags().IntVar(&top, "top", 20, "rules to print (--json has them all)")
	cmd.AddCommand(rules)
	return cmd
}
