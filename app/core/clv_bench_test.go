package core

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/bench/kit"
	"github.com/marketbench/marketbench/analytics/clv"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/bench"
	"github.com/marketbench/marketbench/storage/value"
)

//go:embed testdata/clv_peer.py
var clvPeer []byte

var errNoSciPy = errors.New("numpy/scipy peer skipped")

// BenchmarkCLV500k fits BG/NBD and Gamma-Gamma on the summaries of the
// 10M-order benchmark data (500,000 customers, each lapsing after a random
// lifetime; calibration to 2023-12-31, in weeks) and scores every customer over 52 weeks in 12 monthly steps,
// against numpy/scipy doing the same the way the lifetimes package does
// (testdata/clv_peer.py) on the same summaries. Goals: fit ≤ 5 s, scoring
// ≤ 2 s. The benchmark fails if the two disagree on the estimates.
//
//	go test -run '^$' -bench CLV500k -benchtime 1x ./app/core
func BenchmarkCLV500k(b *testing.B) {
	ctx := context.Background()
	rows := kit.Size("MB_BENCH_ORDERS", 10_000_000)
	customers := max(rows/20, 1)
	w, err := Create(filepath.Join(b.TempDir(), "clv"+storage.Ext))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	// The generator's customers never lapse, which leaves a dropout model
	// nothing to estimate; each customer here stops buying after a
	// lifetime drawn from their id: exponential, with a mean of 60 to
	// 1,260 days that differs between customers.
	// The generator's amounts do not depend on the customer either, which
	// leaves the spend model nothing to estimate; each customer's amounts
	// here are scaled by a factor of their own, 0.25 to 2.25.
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE orders AS SELECT customer_id, order_date,
		amount * (0.25 + 2 * ((customer_id * 3266489917) % 4294967291) / 4294967291.0) AS amount FROM (
		SELECT *, min(order_date) OVER (PARTITION BY customer_id) AS first FROM (`+bench.OrdersSQL(rows, customers)+`))
		WHERE order_date <= first + CAST(-ln(((customer_id * 2654435761) % 4294967291 + 1) / 4294967292.0)
			* (60 + 1200 * pow(((customer_id * 2246822519) % 4294967279) / 4294967279.0, 2)) AS INTEGER)`); err != nil {
		b.Fatal(err)
	}
	if err := w.SetRoles(ctx, "orders", map[string]storage.Role{"customer_id": storage.CustomerID, "order_date": storage.OrderDate,
		"amount": storage.Amount}, true); err != nil {
		b.Fatal(err)
	}
	cal := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	tx, _, err := value.Transactions(ctx, w.Project, "orders")
	if err != nil {
		b.Fatal(err)
	}
	sum, err := clv.Summarize(tx, cal, time.Time{}, clv.Week)
	if err != nil {
		b.Fatal(err)
	}
	readS := time.Since(start).Seconds()
	path := filepath.Join(b.TempDir(), "summary.csv")
	writeSummaries(b, path, sum)

	var fit *clv.Fit
	var spend *clv.Spend
	var fitS, scoreS []float64
	vo := clv.ValueOptions{Horizon: 52, Steps: 12, Margin: 1}
	scores := make([]value.Score, len(sum))
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		d := clv.DataOf(sum)
		if fit, err = clv.FitModel(clv.BGNBD, d); err != nil {
			b.Fatal(err)
		}
		if spend, _, err = clv.FitSpend(d); err != nil {
			b.Fatal(err)
		}
		fitS = append(fitS, time.Since(t0).Seconds())
		t0 = time.Now()
		if err := scoreParallel(ctx, sum, scores, fit, spend, vo); err != nil {
			b.Fatal(err)
		}
		scoreS = append(scoreS, time.Since(t0).Seconds())
	}
	b.StopTimer()
	var meanV float64
	for _, s := range scores {
		meanV += s.CLV
	}
	meanV /= float64(len(scores))
	ours, oursScore := bench.Median(fitS), bench.Median(scoreS)
	line := fmt.Sprintf("CLV: %d orders, %d customers (%d distinct summaries), read and summarised in %.2f s; ours: fit %.2f s (goal ≤ 5), score %.2f s (goal ≤ 2)",
		rows, len(sum), len(clv.DataOf(sum).X), readS, ours, oursScore)
	var peer struct {
		FitSeconds   float64 `json:"fit_seconds"`
		ScoreSeconds float64 `json:"score_seconds"`
		R, Alpha, A  float64
		B, P, Q      float64
		Gamma        float64
		MeanValue    float64 `json:"mean_value"`
		GGLoglik     float64 `json:"gg_loglik"`
		Error        string
	}
	err = kit.RunPeer(ctx, clvPeer, errNoSciPy, &peer, "clv", path, "52", "12")
	switch {
	case errors.Is(err, errNoSciPy):
		line += "; " + err.Error()
	case err != nil:
		b.Fatal(err)
	default:
		// The purchase models must agree. Nelder-Mead may stop short on
		// the spend model: then ours must be the better fit, and the
		// comparison of values is left out.
		for _, c := range [][2]float64{{fit.R, peer.R}, {fit.Alpha, peer.Alpha}, {fit.A, peer.A}, {fit.B, peer.B}} {
			if math.Abs(c[0]-c[1]) > 2e-3*math.Abs(c[1]) {
				b.Fatalf("ours %+v, the scipy peer %+v: they disagree, so the comparison is void", fit.Params, peer)
			}
		}
		switch gap := spend.LogLik - peer.GGLoglik; {
		case gap < -1e-6*math.Abs(peer.GGLoglik):
			b.Fatalf("the peer's spend model fits better (log-likelihood %.4f against ours %.4f)", peer.GGLoglik, spend.LogLik)
		case gap > 1e-6*math.Abs(peer.GGLoglik):
			line += fmt.Sprintf("; the peer's Nelder-Mead stopped short on the spend model (log-likelihood %.2f below ours)", gap)
		default:
			for _, c := range [][2]float64{{spend.P, peer.P}, {spend.Q, peer.Q}, {spend.Gamma, peer.Gamma}, {meanV, peer.MeanValue}} {
				if math.Abs(c[0]-c[1]) > 2e-3*math.Abs(c[1]) {
					b.Fatalf("ours %+v mean value %.4f, the scipy peer %+v: they disagree, so the comparison is void", *spend, meanV, peer)
				}
			}
		}
		line += fmt.Sprintf("; numpy/scipy (lifetimes' method): fit %.2f s, score %.2f s; ratio fit %.1f×, score %.1f×",
			peer.FitSeconds, peer.ScoreSeconds, peer.FitSeconds/ours, peer.ScoreSeconds/oursScore)
	}
	b.ReportMetric(ours, "fit-s")
	b.ReportMetric(oursScore, "score-s")
	b.Log(line)
	fmt.Println(line)
}

func writeSummaries(b *testing.B, path string, sum []clv.Summary) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("x,tx,T,m\n")
	for _, s := range sum {
		w.WriteString(strconv.Itoa(s.Frequency) + "," + strconv.FormatFloat(s.Recency, 'g', -1, 64) + "," +
			strconv.FormatFloat(s.T, 'g', -1, 64) + "," + strconv.FormatFloat(s.Monetary, 'g', -1, 64) + "\n")
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}
