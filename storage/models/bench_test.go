package models

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/bench/kit"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/bench"
)

const trainCols = 20

// trainProject makes (once, cached) a project with table t: n rows of 20
// standard normal features and a 0/1 target drawn from a logistic model.
func trainProject(b *testing.B, n int) string {
	b.Helper()
	dir, err := kit.CacheDir()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("train-%d%s", n, storage.Ext))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	p, err := storage.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	// Box-Muller normals from DuckDB's hash, so the table is the same on
	// every machine and run.
	var cols, z []string
	for j := range trainCols {
		u := func(k int) string {
			return fmt.Sprintf("((hash(i * %d + %d) %% 1000000007) + 0.5) / 1000000007.0", 2*trainCols, 2*j+k)
		}
		cols = append(cols, fmt.Sprintf("sqrt(-2 * ln(%s)) * cos(2 * pi() * %s) AS x%d", u(0), u(1), j))
		z = append(z, fmt.Sprintf("%.2f * x%d", float64(j%5)-2, j))
	}
	q := fmt.Sprintf(`CREATE TABLE t AS SELECT id, *, CASE WHEN (hash(id * 7 + 3) %% 1000000) / 1000000.0 < 1 / (1 + exp(-(%s))) THEN 'yes' ELSE 'no' END AS y
		FROM (SELECT i AS id, %s FROM range(%d) r(i))`, strings.Join(z, " + "), strings.Join(cols, ", "), n)
	if _, err := p.DB().Exec(q); err != nil {
		b.Fatal(err)
	}
	p.Close()
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkTrain1M measures the product path of training: reading 1M × 20
// from the project into Go and model.Train (logistic regression), in a child
// process so its peak memory is its own. The goal is a peak under 3× the
// size of the data (1M × 20 float64 = 160 MB).
//
//	go test -run '^$' -bench Train1M -benchtime 1x ./storage/models
func BenchmarkTrain1M(b *testing.B) {
	n := kit.Size("MB_BENCH_TRAIN_ROWS", 1_000_000)
	path := trainProject(b, n)
	for range b.N {
		peak, out, err := bench.PeakRSS("TestTrainChild", path)
		if err != nil {
			b.Fatal(err)
		}
		data := float64(n * trainCols * 8)
		var base, heap int64
		var load, fit float64
		for _, l := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(l, "train-child "); ok {
				fmt.Sscanf(rest, "base=%d heap=%d load=%f fit=%f", &base, &heap, &load, &fit)
			}
		}
		b.ReportMetric(load, "read_s")
		b.ReportMetric(fit, "train_s")
		b.ReportMetric(float64(peak-base)/1e6, "peak_rss_MB")
		b.ReportMetric(float64(peak-base)/data, "x_data_rss")
		b.ReportMetric(float64(heap)/1e6, "peak_heap_MB")
		b.ReportMetric(float64(heap)/data, "x_data_heap")
		b.Logf("train %d×%d (%.0f MB of float64): read %.2f s, train %.2f s; peak RSS %.0f MB above the opened project (%.2f× the data), peak live Go heap %.0f MB (%.2f×)",
			n, trainCols, data/1e6, load, fit, float64(peak-base)/1e6, float64(peak-base)/data, float64(heap)/1e6, float64(heap)/data)
	}
}

// TestTrainChild is BenchmarkTrain1M's child; it does nothing in normal runs.
func TestTrainChild(t *testing.T) {
	path := os.Getenv(bench.ChildEnv)
	if path == "" {
		t.Skip("only run by BenchmarkTrain1M")
	}
	p, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	runtime.GC()
	base := bench.VmRSS()
	var peakHeap atomic.Int64
	stop := make(chan bool)
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > peakHeap.Load() {
				peakHeap.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	spec := model.Spec{Algo: model.LogReg, Target: "y"}
	for j := range trainCols {
		spec.Numeric = append(spec.Numeric, "x"+strconv.Itoa(j))
	}
	start := time.Now()
	rows, err := Load(ctx, p, Source{Table: "t"}, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start).Seconds()
	start = time.Now()
	m, err := model.Train(ctx, rows.Data, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	fit := time.Since(start).Seconds()
	close(stop)
	fmt.Printf("train-child base=%d heap=%d load=%f fit=%f auc=%f\n", base, peakHeap.Load(), load, fit, m.Eval.AUC)
	bench.ChildDone()
}
