package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	abench "github.com/marketbench/marketbench/analytics/bench"
	"github.com/marketbench/marketbench/analytics/recommend"
)

// BenchmarkFPGrowthRetail mines the frequent itemsets of Online Retail's
// baskets at 0.5 % support with recommend.FPGrowth (no length cap) and,
// as the peer on the same baskets, with plain DuckDB SQL: level-wise
// (Apriori) counting over the (basket, product) table kept to frequent
// products, each level joining every basket's frequent itemsets of the
// level before with one more product of the basket, grouped and kept at the
// same minimum count, until a level is empty (see sqlLevels). Both must find exactly the same itemsets with the same
// counts. The benchmark lives here, not in analytics/bench, because the
// peer needs DuckDB (cgo); the baskets are extracted by analytics/bench.
//
//	go test -run '^$' -bench FPGrowth -benchtime 3x ./storage/bench
func BenchmarkFPGrowthRetail(b *testing.B) {
	const support, goalSeconds = 0.005, 5.0
	bs, err := abench.RetailBaskets("../../testdata/real/OnlineRetail.csv.gz")
	if err != nil {
		b.Fatal(err)
	}
	lists := bs.Lists()
	minCount := recommend.FPMinCount(support, bs.Baskets)
	db := basketDB(b, bs)
	load := StartLoad()
	runtime.GC()
	b.ResetTimer()
	var ours, rules, theirs []float64
	var fp *recommend.FPResult
	var levels []int
	for range b.N {
		start := time.Now()
		fp, err = recommend.FPGrowth(lists, recommend.FPOptions{MinSupport: support})
		if err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(start).Seconds())
		b.StopTimer()
		// What `basket rules` does next, with its defaults; reported apart.
		start = time.Now()
		if _, err := recommend.Rules(fp, recommend.RuleFilter{MinSupport: support, MinConfidence: 0.3, MinLift: 1, MaxLen: 3}); err != nil {
			b.Fatal(err)
		}
		rules = append(rules, time.Since(start).Seconds())
		start = time.Now()
		levels = sqlLevels(b, db, minCount)
		theirs = append(theirs, time.Since(start).Seconds())
		b.StartTimer()
	}
	b.StopTimer()
	others := load.Others()
	if fp.MinCount != minCount {
		b.Fatalf("FPGrowth's minimum count %d, the peer's %d", fp.MinCount, minCount)
	}
	if diff := compareItemsets(b, db, fp, len(levels)); diff != "" {
		b.Fatal(diff)
	}
	oursS, theirS := Median(ours), Median(theirs)
	b.ReportMetric(float64(len(fp.Itemsets)), "itemsets")
	b.ReportMetric(Median(rules), "rules_s")
	b.ReportMetric(theirS, "duckdb_sql_s")
	b.ReportMetric(oursS/theirS, "x_vs_duckdb_sql")
	b.ReportMetric(others, "other_cores")
	b.Logf("FP-growth, Online Retail: %d baskets (invoices, customer or not; returns and cancellations out), %d products, support %.1f %% (%d baskets): "+
		"ours %.3f s for %d itemsets of lengths 1–%d %v (goal ≤ %.0f s: %s), rules from them %.3f s; DuckDB level-wise SQL %.3f s, the same itemsets and counts; "+
		"ours/DuckDB %.3f; other processes kept %.2f cores busy",
		bs.Baskets, bs.Products, 100*support, minCount, oursS, len(fp.Itemsets), len(levels), levels, goalSeconds, abench.Met(oursS <= goalSeconds),
		Median(rules), theirS, oursS/theirS, others)
}

// basketDB loads the baskets into an in-memory DuckDB table bi(basket,
// item), not timed.
func basketDB(b *testing.B, bs *abench.Baskets) *sql.Conn {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE bi (basket INTEGER, item INTEGER)`); err != nil {
		b.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "bi")
		if err != nil {
			return err
		}
		for i, k := range bs.Basket {
			if err := a.AppendRow(k, bs.Item[i]); err != nil {
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		b.Fatal(err)
	}
	return conn
}

// sqlLevels is the peer: tables f1, f2, … of the frequent itemsets of each
// length (columns i1 < i2 < … and n, the number of baskets), built until
// one is empty. It returns each level's number of itemsets. Level k extends
// each basket's frequent (k−1)-itemsets (table inst, one row per basket and
// itemset) by a larger product of the same basket, counts, keeps those at
// the minimum count, and keeps their basket rows as the next inst.
func sqlLevels(b *testing.B, c *sql.Conn, minCount int) []int {
	ctx := context.Background()
	exec := func(q string) {
		if _, err := c.ExecContext(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	exec(fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE f1 AS SELECT item AS i1, count(*) AS n FROM bi GROUP BY item HAVING count(*) >= %d`, minCount))
	exec(`CREATE OR REPLACE TEMP TABLE fb AS SELECT basket, item FROM bi SEMI JOIN f1 ON bi.item = f1.i1`)
	exec(`CREATE OR REPLACE TEMP TABLE inst AS SELECT basket, item AS i1 FROM fb`)
	var levels []int
	for k := 1; ; k++ {
		if k > 1 {
			var cols []string
			for i := 1; i <= k; i++ {
				cols = append(cols, fmt.Sprintf("i%d", i))
			}
			prev, all := strings.Join(cols[:k-1], ", "), strings.Join(cols, ", ")
			exec(fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE cand AS
SELECT p.basket, %[1]s, t.item AS i%[2]d FROM inst p JOIN fb t ON t.basket = p.basket AND t.item > p.i%[3]d`, prev, k, k-1))
			exec(fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE f%[1]d AS SELECT %[2]s, count(*) AS n FROM cand GROUP BY ALL HAVING count(*) >= %[3]d`, k, all, minCount))
			exec(fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE inst AS SELECT * FROM cand SEMI JOIN f%[1]d USING (%[2]s)`, k, all))
		}
		var n int
		if err := c.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM f%d`, k)).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return levels
		}
		levels = append(levels, n)
	}
}

// compareItemsets says how the peer's itemsets differ from ours, or "".
func compareItemsets(b *testing.B, c *sql.Conn, fp *recommend.FPResult, levels int) string {
	ours := map[string]int{}
	for _, s := range fp.Itemsets {
		ours[fmt.Sprint(s.Items)] = s.Count
	}
	theirs := 0
	for k := 1; k <= levels; k++ {
		rows, err := c.QueryContext(context.Background(), fmt.Sprintf(`SELECT * FROM f%d`, k))
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]any, k+1)
		ints := make([]int64, k+1)
		for i := range vals {
			vals[i] = &ints[i]
		}
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				b.Fatal(err)
			}
			items := make([]int32, k)
			for i := range items {
				items[i] = int32(ints[i])
			}
			slices.Sort(items)
			key := fmt.Sprint(items)
			if got, ok := ours[key]; !ok || got != int(ints[k]) {
				rows.Close()
				return fmt.Sprintf("itemset %s: DuckDB counts %d baskets, FPGrowth %d (0: not found)", key, ints[k], got)
			}
			theirs++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	if theirs != len(ours) {
		return fmt.Sprintf("DuckDB finds %d itemsets, FPGrowth %d", theirs, len(ours))
	}
	return ""
}
