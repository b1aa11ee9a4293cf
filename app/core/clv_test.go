package core

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// cdnowWorkspace imports the CDNOW sample's event log as an order table
// (customer, date, amount) the way a user would from a CSV.
func cdnowWorkspace(t *testing.T) *Workspace {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	in, err := os.Open("../../testdata/real/cdnow/CDNOW_sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var b strings.Builder
	b.WriteString("customer,date,cds,sales\n")
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		fmt.Fprintf(&b, "%s,%s-%s-%s,%s,%s\n", f[1], f[2][:4], f[2][4:6], f[2][6:], f[3], f[4])
	}
	csvPath := filepath.Join(dir, "cdnow.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Create(filepath.Join(dir, "cdnow"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.Import(ctx, csvPath, ingest.Options{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "orders", map[string]storage.Role{"customer": storage.CustomerID, "date": storage.OrderDate,
		"sales": storage.Amount, "cds": storage.Quantity}, true); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestCLVOnCDNOW fits through the project as a user would and gets the
// published estimates (FHL 2005; analytics/clv checks them to three
// significant figures), keeps the fit, and scores every customer.
func TestCLVOnCDNOW(t *testing.T) {
	ctx := context.Background()
	w := cdnowWorkspace(t)
	if _, err := w.ScoreCLV(ctx, CLVScoreOptions{Horizon: 52}, nil); err == nil || !strings.Contains(err.Error(), "clv fit") {
		t.Errorf("scoring before fitting: %v", err)
	}
	fit, err := w.FitCLV(ctx, CLVOptions{Orders: "orders", CalibrationEnd: time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.LogLik+9582.43) > 0.01 || math.Abs(fit.Params.R-0.243) > 0.0005 || math.Abs(fit.Params.B-2.426) > 0.0005 ||
		fit.Customers != 2357 || fit.Repeaters != 946 || math.Abs(fit.Spend.P-6.25) > 0.005 {
		t.Errorf("fit %+v, spend %+v", fit.Saved, *fit.Spend)
	}
	if math.Abs(fit.HoldoutPeriods-39) > 0.01 || len(fit.Holdout) != 8 || len(fit.Tracking) < 70 {
		t.Errorf("holdout %.2f periods, %d bins, %d tracking points", fit.HoldoutPeriods, len(fit.Holdout), len(fit.Tracking))
	}
	saved, err := w.CLVModel(ctx)
	if err != nil || saved == nil || saved.Params != fit.Params {
		t.Fatalf("saved fit %+v, %v", saved, err)
	}
	rep, err := w.ScoreCLV(ctx, CLVScoreOptions{Horizon: 52, Margin: 0.3, Discount: 0.1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Customers != 2357 || !(rep.Mean > 0) || rep.AsOf.Format("2006-01-02") != "1998-06-30" {
		t.Errorf("report %+v", rep)
	}
	// Customer 1's row against the model computed directly.
	var x int
	var tx, T, pa, ey, v float64
	if err := w.Q().QueryRowContext(ctx, `SELECT frequency, recency, t, p_alive, expected_purchases, clv FROM clv_scores ORDER BY customer_id LIMIT 1`).
		Scan(&x, &tx, &T, &pa, &ey, &v); err != nil {
		t.Fatal(err)
	}
	f := saved.Fit()
	if want := f.ConditionalExpected(52, x, tx, T); math.Abs(ey-want) > 1e-9 || math.Abs(pa-f.PAlive(x, tx, T)) > 1e-12 {
		t.Errorf("customer 1: expected %.6f (want %.6f), P(alive) %.6f", ey, want, pa)
	}
	if !(v > 0 && v < ey*saved.Spend.ExpectedSpend(x, 1e9)) {
		t.Errorf("customer 1: value %.2f", v)
	}
	var n, want int64
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM clv_scores WHERE p_alive < 0 OR p_alive > 1 OR clv < 0 OR clv IS NULL`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows out of range", n)
	}
	// A value segment by rule on the scores.
	seg, err := w.CreateSegment(ctx, "Valuable", "clv_scores", "clv > 20 AND p_alive > 0.5")
	if err != nil {
		t.Fatal(err)
	}
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM clv_scores WHERE clv > 20 AND p_alive > 0.5`).Scan(&want)
	if seg.Size != want || want == 0 {
		t.Errorf("segment clv > 20 AND p_alive > 0.5 has %d customers, the table %d", seg.Size, want)
	}
}

// TestCLVBadInput: each bad case is refused with words that say what is
// needed, and a failed fit keeps the previous one.
func TestCLVBadInput(t *testing.T) {
	ctx := context.Background()
	w := cdnowWorkspace(t)
	cal := time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		opt  CLVOptions
		want string
	}{
		{CLVOptions{Orders: "orders"}, "choose the calibration end"},
		{CLVOptions{Orders: "orders", CalibrationEnd: cal, Period: "fortnight"}, "unknown period"},
		{CLVOptions{Orders: "orders", CalibrationEnd: cal, Model: "pareto"}, "unknown model"},
		{CLVOptions{Orders: "orders", CalibrationEnd: time.Date(1996, 1, 1, 0, 0, 0, 0, time.UTC)}, "before the first order"},
		{CLVOptions{Orders: "orders", CalibrationEnd: time.Date(1997, 1, 3, 0, 0, 0, 0, time.UTC)}, "bought again"},
		{CLVOptions{Orders: "nosuch", CalibrationEnd: cal}, "nosuch"},
	} {
		if _, err := w.FitCLV(ctx, c.opt, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.opt, err, c.want)
		}
	}
	if s, err := w.CLVModel(ctx); s != nil || err != nil {
		t.Errorf("failed fits kept %+v (%v)", s, err)
	}
	// A project from someone else with a broken saved model.
	for _, bad := range []string{`{`, `{"table":"orders","model":"bgnbd","period":"week","params":{"R":-1,"Alpha":1,"A":1,"B":1}}`,
		`{"table":"orders","model":"x","period":"week","params":{"R":1,"Alpha":1,"A":1,"B":1}}`} {
		if err := w.SetSetting(ctx, "clv.fit", bad); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ScoreCLV(ctx, CLVScoreOptions{Horizon: 52}, nil); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("saved %s: %v", bad, err)
		}
	}
	if _, err := w.FitCLV(ctx, CLVOptions{Orders: "orders", CalibrationEnd: cal}, nil); err != nil {
		t.Fatal(err)
	}
	for _, o := range []CLVScoreOptions{{Horizon: 0}, {Horizon: 52, Margin: 2}, {Horizon: 52, Discount: -0.1}, {Horizon: math.Inf(1)}} {
		if _, err := w.ScoreCLV(ctx, o, nil); err == nil || !strings.Contains(err.Error(), "horizon must be positive") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
