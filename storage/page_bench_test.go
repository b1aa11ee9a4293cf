package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPage1M measures the first page of a 1M-row, 20-column table
// (goal: well under 200 ms) and compares it with the bare DuckDB query the
// page runs, on the same table in the same run.
func BenchmarkPage1M(b *testing.B) {
	p := newProject(b)
	ctx := context.Background()
	q := `CREATE TABLE big AS SELECT range AS id, 'customer ' || range AS name, 'c' || range || '@example.com' AS email,
		(range * 7919) % 100000 / 100.0 AS amount, DATE '2020-01-01' + (range % 2000)::INT AS day,
		['UK', 'France', 'Germany', 'Spain'][range % 4 + 1] AS country`
	for i := 0; i < 14; i++ {
		q += fmt.Sprintf(`, md5((range + %d)::VARCHAR) AS f%d`, i, i)
	}
	if _, err := p.DB().Exec(q + ` FROM range(1000000)`); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		req  PageRequest
		bare string
	}{
		{"first", PageRequest{Table: "big", Limit: 200}, `SELECT * FROM big LIMIT 200`},
		{"sorted", PageRequest{Table: "big", Sort: "amount", Desc: true, Limit: 200}, `SELECT * FROM big ORDER BY amount DESC LIMIT 200`},
		{"filtered", PageRequest{Table: "big", Sort: "day", Where: `"country" = ?`, Args: []any{"France"}, Limit: 200, Offset: 1000},
			`SELECT * FROM big WHERE country = 'France' ORDER BY day LIMIT 200 OFFSET 1000`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var ours, bare time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				pg, err := p.Page(ctx, c.req)
				if err != nil || len(pg.Rows) != 200 {
					b.Fatal(err)
				}
				ours += time.Since(t0)
				t0 = time.Now()
				rows, err := p.DB().Query(c.bare)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Collect(rows, 0); err != nil {
					b.Fatal(err)
				}
				bare += time.Since(t0)
			}
			b.ReportMetric(float64(ours)/1e6/float64(b.N), "ms/page")
			b.ReportMetric(float64(ours)/float64(bare), "x_vs_bare_duckdb")
		})
	}
}
