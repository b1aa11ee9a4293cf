package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// recommenderJSON is a trained recommender as --json shows it.
func recommenderJSON(r core.RecommenderInfo) map[string]any {
	out := map[string]any{"name": r.Name, "method": r.Method, "orders": r.Orders, "customers": r.Customers,
		"products": r.Products, "purchases": r.Purchases, "trained_at": nil}
	if !r.TrainedAt.IsZero() {
		out["trained_at"] = r.TrainedAt
	}
	return out
}

func (e *env) recommendTrainCmd() *cobra.Command {
	var orders, method, name string
	cmd := &cobra.Command{
		Use:   "train --orders T [--method item-knn|als] [--name N]",
		Short: "Train a recommender on the order table's purchases and keep it in the project",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if orders == "" {
				return i18n.Errorf("give the order table: --orders T")
			}
			prog, done := e.progress()
			info, err := w.TrainRecommender(ctx, orders, method, name, prog)
			done()
			if err != nil {
				return err
			}
			return e.emit(recommenderJSON(*info), func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Recommender %q (%s) trained on %s: %s customers, %s products, %s purchases.", info.Name, info.Method, info.Orders,
					i18n.Number(float64(info.Customers)), i18n.Number(float64(info.Products)), i18n.Number(float64(info.Purchases))))
				fmt.Fprintln(o, i18n.T("Next: marketbench recommend score --name %s", info.Name))
			})
		}),
	}
	cmd.Flags().StringVar(&orders, "orders", "", "the order table (roles: customer id, product, order date; order id and quantity if there are any)")
	cmd.Flags().StringVar(&method, "method", core.MethodItemKNN, "item-knn (the evaluation's best) or als")
	cmd.Flags().StringVar(&name, "name", core.DefaultRecommender, "the recommender's name; an existing one of that name is replaced")
	return cmd
}

// scoreFlags are the filters of score and show.
func scoreFlags(cmd *cobra.Command, o *core.ScoreOptions, withLink bool) {
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", core.DefaultRecommender, "the recommender")
	f.IntVar(&o.Top, "top", 10, "products per customer")
	f.BoolVar(&o.KeepBought, "keep-bought", false, "also offer products the customer already bought (consumables)")
	f.StringSliceVar(&o.DoNotRecommend, "exclude", nil, "product ids never to recommend (comma-separated)")
	f.StringSliceVar(&o.OutOfStock, "out-of-stock", nil, "product ids out of stock (comma-separated)")
	f.StringArrayVar(&o.Categories, "category", nil, "only products of this category (repeat for several)")
	if withLink {
		f.StringVar(&o.Link, "link", "", "link pattern for the link column, e.g. https://shop.example/p/{product_id}")
	}
}

func (e *env) recommendScoreCmd() *cobra.Command {
	var opt core.ScoreOptions
	cmd := &cobra.Command{
		Use:   "score [--name N] [--top 10]",
		Short: "Write each customer's top products with reasons to the recommendations table",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			prog, done := e.progress()
			rep, err := w.ScoreRecommendations(ctx, opt, prog)
			done()
			if err != nil {
				return err
			}
			return e.emit(map[string]any{"table": rep.Table, "customers": rep.Customers, "rows": rep.Rows, "filled": rep.Filled, "only_returns": rep.OnlyReturns},
				func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Wrote %s rows for %s customers to the table %s.", i18n.Number(float64(rep.Rows)), i18n.Number(float64(rep.Customers)), rep.Table))
					if rep.Filled > 0 {
						fmt.Fprintln(o, i18n.T("%s customers with too little history were topped up with best sellers.", i18n.Number(float64(rep.Filled))))
					}
					if rep.OnlyReturns > 0 {
						fmt.Fprintln(o, i18n.T("%s customers have only returns or cancelled orders and get no recommendations.", i18n.Number(float64(rep.OnlyReturns))))
					}
				})
		}),
	}
	scoreFlags(cmd, &opt, true)
	e.require(cmd, intRange("top", 1, 1000))
	return cmd
}

func (e *env) recommendShowCmd() *cobra.Command {
	var opt core.ScoreOptions
	cmd := &cobra.Command{
		Use:   "show CUSTOMER [--name N]",
		Short: "One customer's recommendations with reasons, computed now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				recs, err := w.CustomerRecommendations(ctx, opt, args[0])
				if err != nil {
					return err
				}
				list := []map[string]any{}
				var rows [][]string
				for _, r := range recs {
					because := r.Because
					if because == nil {
						because = []string{}
					}
					list = append(list, map[string]any{"rank": r.Rank, "product_id": r.ProductID, "product_name": r.Name, "category": r.Category,
						"score": r.Score, "reason": r.Reason, "because": because})
					rows = append(rows, []string{fmt.Sprint(r.Rank), r.ProductID, r.Name, r.Category, fmt.Sprintf("%.3f", r.Score), r.Reason})
				}
				return e.emit(map[string]any{"customer_id": args[0], "recommendations": list}, func(o io.Writer) {
					table(o, []string{"#", i18n.T("PRODUCT"), i18n.T("NAME"), i18n.T("CATEGORY"), i18n.T("SCORE"), i18n.T("REASON")}, rows)
				})
			})(cmd, args)
		},
	}
	scoreFlags(cmd, &opt, false)
	e.require(cmd, intRange("top", 1, 1000))
	return cmd
}

func (e *env) recommendSimilarCmd() *cobra.Command {
	var name string
	var top int
	var co bool
	cmd := &cobra.Command{
		Use:   "similar PRODUCT [--name N] [--top 10]",
		Short: "Products like PRODUCT (an id or exact name): bought by the same customers",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				find := w.SimilarProducts
				if co {
					find = w.CoPurchased
				}
				list, err := find(ctx, name, args[0], top)
				if err != nil {
					return err
				}
				out := []map[string]any{}
				var rows [][]string
				for _, s := range list {
					out = append(out, map[string]any{"product_id": s.ProductID, "product_name": s.Name, "category": s.Category, "score": s.Score, "co_buyers": s.CoBuyers})
					rows = append(rows, []string{s.ProductID, s.Name, s.Category, fmt.Sprintf("%.3f", s.Score), i18n.Number(float64(s.CoBuyers))})
				}
				return e.emit(out, func(o io.Writer) {
					score := i18n.T("SIMILARITY")
					if co {
						score = i18n.T("CO-BUYERS")
					}
					table(o, []string{i18n.T("PRODUCT"), i18n.T("NAME"), i18n.T("CATEGORY"), score, i18n.T("BOUGHT BOTH")}, rows)
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&name, "name", core.DefaultRecommender, "the recommender")
	cmd.Flags().IntVar(&top, "top", 10, "products to list (an item-knn recommender keeps 20 per product)")
	cmd.Flags().BoolVar(&co, "co-purchased", false, "rank by the number of customers who bought both, not by similarity")
	e.require(cmd, intRange("top", 1, 1000))
	return cmd
}

func (e *env) recommendBuyersCmd() *cobra.Command {
	var name, seg string
	var top int
	cmd := &cobra.Command{
		Use:   "buyers PRODUCT --top N [--name N] [--segment NAME]",
		Short: "The customers most likely to buy PRODUCT who have not bought it yet",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				buyers, err := w.LikelyBuyers(ctx, name, args[0], top)
				if err != nil {
					return err
				}
				out := []map[string]any{}
				var rows [][]string
				for _, b := range buyers {
					out = append(out, map[string]any{"customer_id": b.CustomerID, "score": b.Score})
					rows = append(rows, []string{b.CustomerID, fmt.Sprintf("%.3f", b.Score)})
				}
				res := map[string]any{"product": args[0], "customers": out, "segment": nil}
				var saved string
				if seg != "" {
					s, err := w.SaveBuyersSegment(ctx, name, args[0], top, seg)
					if err != nil {
						return err
					}
					res["segment"] = map[string]any{"name": s.Name, "size": s.Size, "description": s.Description}
					saved = i18n.T("Saved the segment %q: %s.", s.Name, s.Description)
				}
				return e.emit(res, func(o io.Writer) {
					table(o, []string{i18n.T("CUSTOMER"), i18n.T("SCORE")}, rows)
					if saved != "" {
						fmt.Fprintln(o, saved)
					}
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&name, "name", core.DefaultRecommender, "the recommender")
	cmd.Flags().IntVar(&top, "top", 0, "how many customers (required)")
	cmd.Flags().StringVar(&seg, "segment", "", "also save them as a fixed-list segment of this name (replacing one of that name)")
	e.require(cmd, intRange("top", 1, 0))
	return cmd
}

func (e *env) recommendListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "The trained recommenders",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			list, err := w.Recommenders(ctx)
			if err != nil {
				return err
			}
			out := []map[string]any{}
			var rows [][]string
			for _, r := range list {
				out = append(out, recommenderJSON(r))
				when := ""
				if !r.TrainedAt.IsZero() {
					when = i18n.Date(r.TrainedAt)
				}
				rows = append(rows, []string{r.Name, r.Method, r.Orders, i18n.Number(float64(r.Customers)), i18n.Number(float64(r.Products)), when})
			}
			return e.emit(out, func(o io.Writer) {
				if len(rows) == 0 {
					fmt.Fprintln(o, i18n.T("No recommenders yet; train one: marketbench recommend train --orders TABLE"))
					return
				}
				table(o, []string{i18n.T("NAME"), i18n.T("METHOD"), i18n.T("ORDERS"), i18n.T("CUSTOMERS"), i18n.T("PRODUCTS"), i18n.T("TRAINED")}, rows)
			})
		}),
	}
}

func (e *env) recommendDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a trained recommender (the recommendations table stays)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := w.DeleteRecommender(ctx, args[0]); err != nil {
					return err
				}
				return e.emit(map[string]any{"deleted": args[0]}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Deleted the recommender %q.", args[0]))
				})
			})(cmd, args)
		},
	}
}

// best-sellers lives under recommend, not a products group: it is the
// popularity baseline every recommender is measured against, and takes the
// same --orders as the other recommend commands.
func (e *env) recommendBestSellersCmd() *cobra.Command {
	var orders, seg string
	var top int
	cmd := &cobra.Command{
		Use:   "best-sellers --orders T [--segment S] [--top 20]",
		Short: "Products ranked by the number of customers who bought them (optionally within a segment)",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if orders == "" {
				return i18n.Errorf("give the order table: --orders T")
			}
			if top < 1 {
				return i18n.Errorf("--top must be at least 1")
			}
			list, err := w.BestSellers(ctx, orders, top, seg)
			if err != nil {
				return err
			}
			sym := w.CurrencySymbol(ctx)
			out := []map[string]any{}
			var rows [][]string
			for i, b := range list {
				out = append(out, map[string]any{"rank": i + 1, "product_id": b.ProductID, "product_name": b.Name, "category": b.Category,
					"customers": b.Customers, "orders": b.Orders, "quantity": b.Quantity, "revenue": b.Revenue})
				rows = append(rows, []string{fmt.Sprint(i + 1), b.ProductID, b.Name, b.Category, i18n.Number(float64(b.Customers)),
					i18n.Number(float64(b.Orders)), i18n.Number(b.Quantity), i18n.Money(sym, 0, b.Revenue)})
			}
			return e.emit(out, func(o io.Writer) {
				table(o, []string{"#", i18n.T("PRODUCT"), i18n.T("NAME"), i18n.T("CATEGORY"), i18n.T("CUSTOMERS"), i18n.T("ORDERS"), i18n.T("QUANTITY"), i18n.T("REVENUE")}, rows)
			})
		}),
	}
	cmd.Flags().StringVar(&orders, "orders", "", "the order table")
	cmd.Flags().StringVar(&seg, "segment", "", "count only this segment's customers")
	cmd.Flags().IntVar(&top, "top", 20, "products to list")
	e.require(cmd, intRange("top", 1, 0))
	return cmd
}
