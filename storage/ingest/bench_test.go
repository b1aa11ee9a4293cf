package ingest_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/bench"
	"github.com/marketbench/marketbench/storage/ingest"
)

// The import benchmarks. Sizes: MB_BENCH_ROWS (default 1M rows of the
// 20-column customer export from bench.CustomersCSV). See docs/BENCHMARKS.md.
//
//	go test -run '^$' -bench Import -benchtime 3x ./storage/ingest

const (
	goalVsDuckDB   = 1.25 // ours ≤ 1.25 × DuckDB's bare CREATE TABLE AS read_csv
	goalVsPandas   = 3.0  // ours ≥ 3 × faster than pandas.read_csv
	goalPeakMB     = 500  // peak RSS of the app process during the import
	defaultRows    = 1_000_000
	childCSVEnv    = "MB_BENCH_CSV"
	childTableName = "customers"
)

func customersCSV(b *testing.B) (string, int) {
	rows := bench.Size("MB_BENCH_ROWS", defaultRows)
	path, err := bench.CustomersCSV(rows)
	if err != nil {
		b.Fatal(err)
	}
	return path, rows
}

// importOurs imports path into a fresh project in dir and returns how long
// Import took (creating the project is not timed), the time spent in each
// progress stage, and the size of the project file after closing it.
func importOurs(b *testing.B, dir, path string, rows int) (time.Duration, map[string]time.Duration, int64) {
	p, err := storage.Create(filepath.Join(dir, "ours"+storage.Ext))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	stages := map[string]time.Duration{}
	stage, since := "", time.Time{}
	progress := func(s string, _ float64) {
		now := time.Now()
		if s != stage {
			if stage != "" {
				stages[stage] += now.Sub(since)
			}
			stage, since = s, now
		}
	}
	b.StartTimer()
	start := time.Now()
	res, err := ingest.Import(context.Background(), p, path, ingest.Options{Table: childTableName, Progress: progress})
	took := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if res.Rows != int64(rows) || len(res.Columns) != len(bench.CustomersHeader) {
		b.Fatalf("imported %d rows × %d columns, want %d × %d", res.Rows, len(res.Columns), rows, len(bench.CustomersHeader))
	}
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
	return took, stages, fileSize(b, p.Path)
}

// importDuckDB is the peer: DuckDB's bare CREATE TABLE AS read_csv of the
// same file into a fresh database file (opening it is not timed).
func importDuckDB(b *testing.B, dir, path string, rows int) (time.Duration, int64) {
	file := filepath.Join(dir, "peer.duckdb")
	db, err := sql.Open("duckdb", file)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := db.Exec(`CREATE TABLE t AS SELECT * FROM read_csv(` + storage.Literal(path) + `)`); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != rows {
		b.Fatalf("peer read %d rows (%v), want %d", n, err, rows)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	return took, fileSize(b, file)
}

func fileSize(b *testing.B, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// BenchmarkImport1M times ingest.Import of the customer export against
// DuckDB's bare read and pandas.read_csv of the same file, all three in
// every iteration (in rotating order, so a noisy neighbour hurts all
// alike). ns/op is ours; the ratios are of the medians.
func BenchmarkImport1M(b *testing.B) {
	ctx := context.Background()
	path, rows := customersCSV(b)
	size := fileSize(b, path)
	b.SetBytes(size)
	b.StopTimer()
	var ours, duck, pandas []float64
	var oursFile, duckFile int64
	stages := map[string]time.Duration{}
	var pandasErr error
	version := ""
	load := bench.StartLoad()
	for i := 0; i < b.N; i++ {
		dir, err := os.MkdirTemp("", "mb-bench-import-")
		if err != nil {
			b.Fatal(err)
		}
		for k := range 3 {
			switch (i + k) % 3 {
			case 0:
				took, st, fs := importOurs(b, dir, path, rows)
				ours = append(ours, took.Seconds())
				oursFile = fs
				for k, v := range st {
					stages[k] += v
				}
			case 1:
				took, fs := importDuckDB(b, dir, path, rows)
				duck = append(duck, took.Seconds())
				duckFile = fs
			case 2:
				if pandasErr != nil {
					continue
				}
				peer, err := bench.Pandas(ctx, "read_csv", path, "1")
				if err != nil {
					if !errors.Is(err, bench.ErrNoPandas) {
						b.Fatal(err)
					}
					pandasErr = err
					continue
				}
				if peer.Rows != int64(rows) || peer.Columns != len(bench.CustomersHeader) {
					b.Fatalf("pandas read %d × %d, want %d × %d", peer.Rows, peer.Columns, rows, len(bench.CustomersHeader))
				}
				pandas = append(pandas, peer.Seconds...)
				version = peer.Pandas
			}
		}
		os.RemoveAll(dir)
	}
	others := load.Others()
	oursS, duckS := bench.Median(ours), bench.Median(duck)
	ratio := oursS / duckS
	b.ReportMetric(duckS, "duckdb_s/op")
	b.ReportMetric(ratio, "x_vs_duckdb")
	b.ReportMetric(bench.MB(oursFile), "ours_file_MB")
	b.ReportMetric(bench.MB(duckFile), "duckdb_file_MB")
	b.ReportMetric(others, "other_cores")
	line := fmt.Sprintf("import %d rows × %d cols (%.0f MB CSV), median of %d: ours %.2f s, DuckDB CTAS read_csv %.2f s → %.2f× (goal ≤ %.2f×: %s)",
		rows, len(bench.CustomersHeader), bench.MB(size), b.N, oursS, duckS, ratio, goalVsDuckDB, met(ratio <= goalVsDuckDB))
	if pandasErr != nil {
		line += "; " + pandasErr.Error()
	} else {
		pandasS := bench.Median(pandas)
		faster := pandasS / oursS
		b.ReportMetric(pandasS, "pandas_s/op")
		b.ReportMetric(faster, "x_faster_than_pandas")
		line += fmt.Sprintf("; pandas %s read_csv %.2f s → ours %.2f× faster (goal ≥ %.0f×: %s)", version, pandasS, faster, goalVsPandas, met(faster >= goalVsPandas))
	}
	b.Log(line)
	b.Logf("ours by stage (mean s): %s; all runs s: ours %.2f, duckdb %.2f, pandas %.2f; file: ours %.0f MB, duckdb %.0f MB; other processes kept %.2f of %d cores busy",
		stageLine(stages, float64(b.N)), ours, duck, pandas, bench.MB(oursFile), bench.MB(duckFile), others, runtime.NumCPU())
}

func stageLine(stages map[string]time.Duration, n float64) string {
	type kv struct {
		k string
		v time.Duration
	}
	var all []kv
	for k, v := range stages {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
	var parts []string
	for _, e := range all {
		parts = append(parts, fmt.Sprintf("%s %.3f", e.k, e.v.Seconds()/n))
	}
	return strings.Join(parts, ", ")
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// BenchmarkImport1MPeakRSS measures the peak resident memory of a process
// that imports the customer export (the test binary run again as a child,
// see TestImportPeakRSSChild), next to one doing DuckDB's bare read and one
// that only creates a project, for scale.
func BenchmarkImport1MPeakRSS(b *testing.B) {
	path, rows := customersCSV(b)
	peak := map[string]int64{}
	for i := 0; i < b.N; i++ {
		for _, what := range []string{"ours", "duckdb", "idle"} {
			dir, err := os.MkdirTemp("", "mb-bench-rss-")
			if err != nil {
				b.Fatal(err)
			}
			rss, _, err := bench.PeakRSS("TestImportPeakRSSChild", what, childCSVEnv+"="+path, "TMPDIR="+dir)
			os.RemoveAll(dir)
			if err != nil {
				b.Fatal(err)
			}
			peak[what] = max(peak[what], rss)
		}
	}
	mb := bench.MB(peak["ours"])
	b.ReportMetric(mb, "peak_MB")
	b.ReportMetric(bench.MB(peak["duckdb"]), "duckdb_peak_MB")
	b.ReportMetric(bench.MB(peak["idle"]), "idle_peak_MB")
	b.Logf("peak RSS importing %d rows: ours %.0f MB (goal < %d MB: %s); DuckDB bare read %.0f MB; process that only creates a project %.0f MB",
		rows, mb, goalPeakMB, met(mb < goalPeakMB), bench.MB(peak["duckdb"]), bench.MB(peak["idle"]))
}

// TestImportPeakRSSChild is the child process of BenchmarkImport1MPeakRSS;
// it does nothing unless bench.ChildEnv is set.
func TestImportPeakRSSChild(t *testing.T) {
	what := os.Getenv(bench.ChildEnv)
	if what == "" {
		t.Skip("runs only as the child of BenchmarkImport1MPeakRSS")
	}
	path := os.Getenv(childCSVEnv)
	dir := t.TempDir()
	switch what {
	case "ours":
		p, err := storage.Create(filepath.Join(dir, "ours"+storage.Ext))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Import(context.Background(), p, path, ingest.Options{Table: childTableName}); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	case "duckdb":
		db, err := sql.Open("duckdb", filepath.Join(dir, "peer.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE t AS SELECT * FROM read_csv(` + storage.Literal(path) + `)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
	case "idle":
		p, err := storage.Create(filepath.Join(dir, "idle"+storage.Ext))
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
	default:
		t.Fatalf("unknown child mode %q", what)
	}
	bench.ChildDone()
}
