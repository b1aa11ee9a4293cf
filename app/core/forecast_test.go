package core

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// TestForecastOnlineRetail reads the weekly revenue of Online Retail
// through the project and gets the series of the statsmodels fixture
// (analytics/forecast/testdata) exactly, with its partial first and last
// weeks left out, and a model at least as likely as statsmodels' best.
func TestForecastOnlineRetail(t *testing.T) {
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
		"Quantity": storage.Quantity, "UnitPrice": storage.UnitPrice, "InvoiceDate": storage.OrderDate, "CustomerID": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Series []struct {
			Name   string
			Dates  []string
			Y      []float64
			Models []struct {
				Name string
				LLF  float64
				AICc float64
			}
		}
	}
	b, err := os.ReadFile("../../analytics/forecast/testdata/statsmodels.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	ref := fx.Series[0]
	r, err := w.Forecast(ctx, ForecastOptions{Orders: "orders", By: "week", Horizon: 8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.History) != len(ref.Y) || len(r.Notes) != 3 {
		t.Fatalf("%d weeks, fixture %d; notes %q", len(r.History), len(ref.Y), r.Notes)
	}
	for i, p := range r.History {
		if p.Start.Format("2006-01-02") != ref.Dates[i] || math.Abs(p.Value-ref.Y[i]) > 0.006 {
			t.Fatalf("week %d: %s %.2f, fixture %s %.2f", i, p.Start.Format("2006-01-02"), p.Value, ref.Dates[i], ref.Y[i])
		}
	}
	best := ref.Models[0]
	for _, m := range ref.Models {
		if m.AICc < best.AICc {
			best = m
		}
	}
	t.Logf("chose %s (loglik %.3f, AICc %.3f); statsmodels' best %s (%.3f, %.3f); notes %q", r.Model.Spec.Name(), r.Model.LogLik, r.Model.AICc, best.Name, best.LLF, best.AICc, r.Notes)
	if r.Model.AICc > best.AICc+0.02 || len(r.Steps) != 8 || r.Steps[0].Start.Format("2006-01-02") != "2011-12-05" {
		t.Fatalf("model %s AICc %.3f, steps %d from %v", r.Model.Spec.Name(), r.Model.AICc, len(r.Steps), r.Steps[0].Start)
	}
	if r.Backtest == nil || r.Backtest.Holdout != 8 {
		t.Fatalf("backtest %+v (%v)", r.Backtest, r.BacktestErr)
	}
	t.Logf("backtest: MAPE %.1f%% sMAPE %.1f%%; naive %.1f%% %.1f%%", r.Backtest.MAPE, r.Backtest.SMAPE, r.Backtest.NaiveMAPE, r.Backtest.NaiveSMAPE)
	// The figures docs/VALUE.md shows.
	if r.Model.Spec.Name() != "ANN" || math.Abs(r.Backtest.MAPE-21.0) > 0.05 || math.Abs(r.Backtest.NaiveMAPE-14.8) > 0.05 {
		t.Fatalf("Online Retail backtest differs from docs/VALUE.md")
	}
	// Thirteen months cannot show a yearly season.
	m, err := w.Forecast(ctx, ForecastOptions{Orders: "orders", Horizon: 3, Metric: "orders"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(m.Notes, " "), "needs at least 24 values (two full seasons), and the series has 12") {
		t.Fatalf("monthly notes %q", m.Notes)
	}
	if _, err := w.Forecast(ctx, ForecastOptions{Orders: "orders", Horizon: 3, Category: "x"}, nil); err == nil || !strings.Contains(err.Error(), "category role") {
		t.Fatalf("category without a category role: %v", err)
	}
	if p, err := w.Forecast(ctx, ForecastOptions{Orders: "orders", By: "week", Horizon: 4, Product: "85123A", Metric: "orders"}, nil); err != nil || p.History[0].Value <= 0 {
		t.Fatalf("one product: %v", err)
	}
}

// TestForecastDemo forecasts one category of the demo (category in the
// product table) and checks what bad requests say.
func TestForecastDemo(t *testing.T) {
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Customers: 2000, Orders: 20000, Products: 60}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var cat string
	if err := w.Q().QueryRowContext(ctx, `SELECT category FROM products GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&cat); err != nil {
		t.Fatal(err)
	}
	all, err := w.Forecast(ctx, ForecastOptions{Horizon: 6}, nil)
	if err != nil {
		t.Fatal(err)
	}
	one, err := w.Forecast(ctx, ForecastOptions{Horizon: 6, Category: cat}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	if err := w.Q().QueryRowContext(ctx, `SELECT sum(o.amount) FROM orders o JOIN products p USING (product_id)
		WHERE p.category = ? AND date_trunc('month', o.order_date) = ?`, cat, one.History[0].Start).Scan(&want); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d months; all: %s, %s: %s; notes %q", len(all.History), all.Model.Spec.Name(), cat, one.Model.Spec.Name(), one.Notes)
	if math.Abs(one.History[0].Value-want) > 1e-6 || one.History[0].Value >= all.History[0].Value {
		t.Fatalf("category %q first month %.2f, SQL %.2f, all %.2f", cat, one.History[0].Value, want, all.History[0].Value)
	}
	for _, s := range one.Steps {
		if !(s.Lower <= s.Mean && s.Mean <= s.Upper) {
			t.Fatalf("step %+v", s)
		}
	}
	for name, c := range map[string]struct {
		opt  ForecastOptions
		want string
	}{
		"no horizon":   {ForecastOptions{}, "horizon"},
		"far":          {ForecastOptions{Horizon: 100}, "from 1 to 24 months"},
		"both":         {ForecastOptions{Horizon: 2, Category: cat, Product: "1"}, "not both"},
		"metric":       {ForecastOptions{Horizon: 2, Metric: "profit"}, "orders or revenue"},
		"by":           {ForecastOptions{Horizon: 2, By: "day"}, "week or month"},
		"no such cat":  {ForecastOptions{Horizon: 2, Category: "no such category"}, "have the category"},
		"no such prod": {ForecastOptions{Horizon: 2, Product: "no such product"}, "have the product"},
		"quoted":       {ForecastOptions{Horizon: 2, Category: `x' OR '1'='1`}, "have the category"},
	} {
		if _, err := w.Forecast(ctx, c.opt, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
