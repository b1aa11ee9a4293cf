package segment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/rfm"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/bench"
	"github.com/marketbench/marketbench/storage/segment"
)

// The RFM benchmark. Sizes: MB_BENCH_ORDERS (default 10M orders from
// bench.OrdersSQL, one customer per 10 orders on average). See
// docs/BENCHMARKS.md.
//
//	go test -run '^$' -bench RFM -benchtime 3x ./storage/segment

const goalVsPandas = 5.0 // ours ≥ 5 × faster than the pandas groupby

// BenchmarkRFM10M times segment.RFM over generated orders in a project
// against the same RFM in pandas (groupby, ranks, quintile scores, cell,
// segment, ordered result) over the same rows, loaded beforehand. Loading
// is timed by neither side. ns/op is ours.
func BenchmarkRFM10M(b *testing.B) {
	ctx := context.Background()
	rows := bench.Size("MB_BENCH_ORDERS", 10_000_000)
	customers := max(rows/10, 1)
	csvPath, err := bench.OrdersCSV(rows, customers)
	if err != nil {
		b.Fatal(err)
	}
	p, err := storage.Create(filepath.Join(b.TempDir(), "rfm"+storage.Ext))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if _, err := p.DB().ExecContext(ctx, `CREATE TABLE orders AS `+bench.OrdersSQL(rows, customers)); err != nil {
		b.Fatal(err)
	}
	if err := p.SetRoles(ctx, "orders", map[string]storage.Role{
		"customer_id": storage.CustomerID, "order_date": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		b.Fatal(err)
	}
	asOf := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

	var ours []float64
	var run *segment.RFMRun
	load := bench.StartLoad()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		run, err = segment.RFM(ctx, p, segment.RFMOptions{Table: "orders", AsOf: asOf})
		ours = append(ours, time.Since(start).Seconds())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	oursS := bench.Median(ours)
	line := fmt.Sprintf("RFM over %d orders, %d customers, median of %d: ours %.2f s %.2f", rows, run.Customers, b.N, oursS, ours)

	scheme, _ := json.Marshal(schemeJSON(rfm.Classic))
	peer, err := bench.Pandas(ctx, "rfm", csvPath, asOf.Format(time.DateOnly), fmt.Sprint(b.N), string(scheme))
	switch {
	case errors.Is(err, bench.ErrNoPandas):
		line += "; " + err.Error()
	case err != nil:
		b.Fatal(err)
	default:
		if err := sameResult(ctx, p, peer.Check); err != nil {
			b.Fatalf("pandas and Marketbench disagree, so the comparison is void: %v", err)
		}
		pandasS := bench.Median(peer.Seconds)
		faster := pandasS / oursS
		b.ReportMetric(pandasS, "pandas_s/op")
		b.ReportMetric(faster, "x_faster_than_pandas")
		status := "MISSED"
		if faster >= goalVsPandas {
			status = "met"
		}
		line += fmt.Sprintf("; pandas %s %.2f s %.2f (after a %.1f s load, not timed) → ours %.2f× faster (goal ≥ %.0f×: %s); results identical",
			peer.Pandas, pandasS, peer.Seconds, peer.LoadSeconds, faster, goalVsPandas, status)
	}
	others := load.Others()
	b.ReportMetric(others, "other_cores")
	b.Logf("%s; other processes kept %.2f of %d cores busy", line, others, runtime.NumCPU())
}

type ruleJSON struct {
	Segment string `json:"segment"`
	R       [2]int `json:"r"`
	F       [2]int `json:"f"`
	M       [2]int `json:"m"`
}

// schemeJSON is the scheme as peers.py takes it, so pandas assigns
// segments by exactly our rules.
func schemeJSON(s rfm.Scheme) map[string]any {
	var rules []ruleJSON
	for _, u := range s.Rules {
		rules = append(rules, ruleJSON{u.Segment, [2]int{u.R.Lo, u.R.Hi}, [2]int{u.F.Lo, u.F.Hi}, [2]int{u.M.Lo, u.M.Hi}})
	}
	return map[string]any{"rules": rules, "other": s.Other}
}

// sameResult compares rfm_scores with the checksum pandas printed: number
// of customers, sums of the three scores and of frequency, segment sizes.
func sameResult(ctx context.Context, p *storage.Project, check map[string]any) error {
	var n, r, f, m, freq float64
	if err := p.DB().QueryRowContext(ctx, `SELECT count(*), sum(r_score), sum(f_score), sum(m_score), sum(frequency) FROM `+
		storage.Quote(segment.ScoresTable)).Scan(&n, &r, &f, &m, &freq); err != nil {
		return err
	}
	for k, v := range map[string]float64{"customers": n, "r": r, "f": f, "m": m, "frequency": freq} {
		if check[k] != v {
			return fmt.Errorf("%s: ours %v, pandas %v", k, v, check[k])
		}
	}
	segs, _ := check["segments"].(map[string]any)
	rows, err := p.DB().QueryContext(ctx, `SELECT rfm_segment, count(*) FROM `+storage.Quote(segment.ScoresTable)+` GROUP BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name string
		var c float64
		if err := rows.Scan(&name, &c); err != nil {
			return err
		}
		if segs[name] != c {
			return fmt.Errorf("segment %q: ours %v customers, pandas %v", name, c, segs[name])
		}
		seen++
	}
	if seen != len(segs) {
		return fmt.Errorf("ours has %d segments, pandas %d", seen, len(segs))
	}
	return rows.Err()
}
