package core

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// On UCI Online Retail, trained before 2011-09-01 and tested after (truth:
// products a customer buys after the date that they had not bought before;
// already-bought products never recommended), the default method reaches
// hit rate@10 ≥ 0.46 and beats best sellers by at least 35 %
// (docs/RECOMMEND.md records every method's figures).
func TestRecommendOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 541,909 rows")
	}
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "retail"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Import(ctx, "../../testdata/real/OnlineRetail.csv.gz", ingest.Options{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "orders", map[string]storage.Role{"InvoiceNo": storage.OrderID, "StockCode": storage.ProductID,
		"Quantity": storage.Quantity, "InvoiceDate": storage.OrderDate, "CustomerID": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	res, err := w.EvaluateRecommendations(ctx, "orders", time.Date(2011, 9, 1, 0, 0, 0, 0, time.UTC), 10, RecommendMethods)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]RecommendEval{}
	for _, r := range res.Results {
		by[r.Method] = r
		t.Logf("%-10s customers %d  hit@10 %.4f  precision %.4f  recall %.4f  ndcg %.4f  coverage %.4f",
			r.Method, r.Customers, r.HitRate, r.Precision, r.Recall, r.NDCG, r.Coverage)
	}
	t.Logf("train purchases %d, customers %d (with truth %d), products %d, skipped %+v",
		res.TrainPurchases, res.Customers, res.CustomersWithTruth, res.Products, res.Skipped)
	// Basket rules on the same orders: one basket per invoice, cancelled
	// invoices left out; FP-growth at 0.5 % support (goal: ≤ 5 s, measured
	// here only as a sanity bound; the figure is in docs/RECOMMEND.md).
	br, err := w.BasketRules(ctx, "orders", BasketOptions{MinSupport: 0.005, MinConfidence: 0.5, MinLift: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("basket rules: %d baskets, %d rules in %v; top: %v → %v lift %.1f", br.Baskets, len(br.Rules), br.Took, br.Rules[0].If, br.Rules[0].Then, br.Rules[0].Lift)
	if len(br.Rules) == 0 || br.Rules[0].Lift < 10 || br.Rules[0].Confidence < 0.5 {
		t.Errorf("basket rules: %d, first %+v", len(br.Rules), br.Rules[0])
	}
	def, pop := by[MethodItemKNN], by[MethodPopularity]
	if def.HitRate < 0.46 || def.HitRate < 1.35*pop.HitRate {
		t.Errorf("item-knn hit@10 %.4f, popularity %.4f: the goal is ≥ 0.46 and ≥ 1.35× popularity", def.HitRate, pop.HitRate)
	}
}
