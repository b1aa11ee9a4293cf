package host

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/bench/kit"
	"github.com/marketbench/marketbench/analytics/logistic"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// bundled builds the named first-party plugins into a temporary folder and
// returns a host over it and the plugins found there.
func bundled(b *testing.B, names ...string) (string, map[string]Found) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "bundled")
	if _, err := Bundle("..", dir, names...); err != nil {
		b.Fatal(err)
	}
	found := map[string]Found{}
	for _, f := range Discover("", dir) {
		if f.Err != nil {
			b.Fatal(f.Err)
		}
		found[filepath.Base(f.Dir)] = f
	}
	return dir, found
}

// benchRows returns n rows of k standard-normal features (deterministic) as
// Arrow record batches of at most batch rows, plus, when target is set, a
// 0/1 column "y" drawn from a known logistic model.
func benchRows(n, k, batch int, target bool, seed uint64) (*arrow.Schema, []arrow.RecordBatch) {
	fields := make([]arrow.Field, k)
	for j := range fields {
		fields[j] = arrow.Field{Name: fmt.Sprintf("x%02d", j), Type: arrow.PrimitiveTypes.Float64}
	}
	if target {
		fields = append(fields, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Float64})
	}
	schema := arrow.NewSchema(fields, nil)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	w := make([]float64, k)
	for j := range w {
		w[j] = float64(j%5-2) * 0.4 // a fixed true model
	}
	var out []arrow.RecordBatch
	for lo := 0; lo < n; lo += batch {
		m := min(batch, n-lo)
		cols := make([][]float64, len(fields))
		for j := range cols {
			cols[j] = make([]float64, m)
		}
		for i := range m {
			z := 0.3
			for j := range k {
				v := rng.NormFloat64()
				// A few missing values, so the imputer has work to do.
				if (lo+i)%997 == j {
					v = math.NaN()
				} else {
					z += w[j] * v
				}
				cols[j][i] = v
			}
			if target {
				if rng.Float64() < 1/(1+math.Exp(-z)) {
					cols[k][i] = 1
				}
			}
		}
		arrs := make([]arrow.Array, len(cols))
		for j, c := range cols {
			bld := array.NewFloat64Builder(memory.DefaultAllocator)
			valid := make([]bool, m)
			for i, v := range c {
				valid[i] = !math.IsNaN(v)
			}
			bld.AppendValues(c, valid)
			arrs[j] = bld.NewFloat64Array()
			bld.Release()
		}
		out = append(out, array.NewRecordBatch(schema, arrs, int64(m)))
		for _, a := range arrs {
			a.Release()
		}
	}
	return schema, out
}

// logregArtifact is the part of the logreg-model plugin's artifact that
// scoring needs.
type logregArtifact struct {
	Features  []string  `json:"features"`
	Median    []float64 `json:"median"`
	Mean      []float64 `json:"mean"`
	Scale     []float64 `json:"scale"`
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
}

// inProcessPredict is the peer of the plugin's Predict: the same model run
// in this process with the plugin's own per-batch work, starting from the
// same Arrow batches: per block of 512 rows, copy the columns into a
// row-major matrix (NaN for null), impute medians and standardise in place
// (analytics/prep), then logistic.PredictProba.
func inProcessPredict(art []byte, recs []arrow.RecordBatch) ([]float64, error) {
	var a logregArtifact
	if err := json.Unmarshal(art, &a); err != nil {
		return nil, err
	}
	const block = 512
	k := len(a.Features)
	pipe := prep.Pipeline{Steps: []prep.Step{
		{Impute: &prep.Imputer{Strategy: prep.Median, Stats: a.Median}},
		{Standard: &prep.StandardScaler{Mean: a.Mean, Scale: a.Scale}},
	}}
	m := logistic.Model{Intercept: a.Intercept, Coef: a.Coef}
	buf := make([]float64, block*k)
	var out []float64
	for _, rec := range recs {
		n := int(rec.NumRows())
		cols := make([]*array.Float64, k)
		for j, name := range a.Features {
			cols[j] = rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.Float64)
		}
		for lo := 0; lo < n; lo += block {
			b := min(block, n-lo)
			X := mat.NewDense(b, k, buf[:b*k])
			data := X.RawMatrix().Data
			for j, col := range cols {
				nulls := col.NullN() > 0
				for i, x := range col.Float64Values()[lo : lo+b] {
					if nulls && col.IsNull(lo+i) {
						x = math.NaN()
					} else if math.IsInf(x, 0) {
						return nil, fmt.Errorf("%s is infinite in row %d", a.Features[j], lo+i+1)
					}
					data[i*k+j] = x
				}
			}
			Xs, err := pipe.TransformOwned(X, nil)
			if err != nil {
				return nil, err
			}
			out = append(out, m.PredictProba(Xs)...)
		}
	}
	return out, nil
}

// BenchmarkModelPluginPredict scores 1M rows × 20 float64 features through
// the bundled logreg-model plugin (a separate process, Arrow IPC over gRPC,
// through the host's supervised Proc and the SDK client), end to end:
// batches in, scores back in the caller's slice. Goal: ≥ 1M rows/s and at
// most 2 × the peer, the same model scored in process from the same Arrow
// batches. Training (100k rows) is not timed.
//
//	go test -run '^$' -bench ModelPluginPredict -benchtime 3x ./plugins/host
func BenchmarkModelPluginPredict(b *testing.B) {
	n := kit.Size("MB_BENCH_PREDICT_ROWS", 1_000_000)
	nTrain := kit.Size("MB_BENCH_TRAIN_ROWS", 100_000)
	batch := kit.Size("MB_BENCH_BATCH_ROWS", 64<<10)
	const k = 20
	dir, found := bundled(b, "logreg-model")
	f := found["logreg-model"]
	h := New(Options{BundledDir: dir})
	defer h.Close()
	p, err := h.Plugin(f, f.SHA256)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	trainSchema, train := benchRows(nTrain, k, batch, true, 1)
	var art []byte
	err = p.Call(ctx, func(ctx context.Context, c *client.Conn) error {
		rr, err := array.NewRecordReader(trainSchema, train)
		if err != nil {
			return err
		}
		defer rr.Release()
		var metrics map[string]float64
		art, metrics, err = c.Train(ctx, "logreg", sdk.Config{}, "y", rr)
		if err == nil {
			b.Logf("trained on %d rows: auc %.4f, %v iterations", nTrain, metrics["auc"], metrics["iterations"])
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range train {
		r.Release()
	}
	schema, recs := benchRows(n, k, batch, false, 2)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()

	conn, err := p.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	pid := conn.ReattachConfig().Pid
	ours := make([]float64, 0, n)
	var oursT, peerT, oursCPU, peerCPU []float64
	var peer []float64
	b.ResetTimer()
	for i := range b.N {
		run := func(first bool) {
			if first != (i%2 == 0) { // alternate which side goes first
				return
			}
			ours = ours[:0]
			cpu0, pcpu0 := selfCPU(), procCPU(pid)
			start := time.Now()
			err := p.Call(ctx, func(ctx context.Context, c *client.Conn) error {
				rr, err := array.NewRecordReader(schema, recs)
				if err != nil {
					return err
				}
				defer rr.Release()
				return c.Predict(ctx, "logreg", art, rr, func(s []float64) error {
					ours = append(ours, s...)
					return nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
			oursT = append(oursT, time.Since(start).Seconds())
			oursCPU = append(oursCPU, selfCPU()-cpu0+procCPU(pid)-pcpu0)
		}
		run(true)
		cpu0 := selfCPU()
		start := time.Now()
		peer, err = inProcessPredict(art, recs)
		if err != nil {
			b.Fatal(err)
		}
		peerT = append(peerT, time.Since(start).Seconds())
		peerCPU = append(peerCPU, selfCPU()-cpu0)
		run(false)
	}
	b.StopTimer()
	if len(ours) != n || len(peer) != n {
		b.Fatalf("%d scores from the plugin, %d in process, want %d", len(ours), len(peer), n)
	}
	maxDiff := 0.0
	for i := range ours {
		maxDiff = max(maxDiff, math.Abs(ours[i]-peer[i]))
	}
	if maxDiff > 1e-12 {
		b.Fatalf("plugin and in-process scores differ by up to %g", maxDiff)
	}
	o, q := median(oursT), median(peerT)
	ob, qb := slices.Min(oursT), slices.Min(peerT)
	b.ReportMetric(float64(n)/o, "rows/s")
	b.ReportMetric(o/q, "x_in_process")
	b.Logf("predict %d rows × %d features, batches of %d rows, median of %d runs (best): plugin %.3f s (%.3f) = %.2fM rows/s (%.2fM; goal ≥ 1M rows/s); in process %.3f s (%.3f) = %.2fM rows/s; ratio %.2f× (best to best %.2f×; goal ≤ 2×); max |Δscore| %.1e",
		n, k, batch, len(oursT), o, ob, float64(n)/o/1e6, float64(n)/ob/1e6, q, qb, float64(n)/q/1e6, o/q, ob/qb, maxDiff)
	b.Logf("CPU time, median: host + plugin processes %.3f s, in process %.3f s (%.2f×); load average %s", median(oursCPU), median(peerCPU), median(oursCPU)/median(peerCPU), loadavg())
}

// BenchmarkPluginColdStart measures a plugin's cold start through the real
// host path: a new Host over the bundled plugins, its supervised Proc, and
// the answer to the first call (GetMetadata), which launches the process
// (checksum check, exec, handshake, mTLS, gRPC dial). Repeated with a new
// process each time; goal: median ≤ 200 ms. The peer starts the same binary
// by hand to the point where it prints its handshake line (exec + first
// line on stdout, no TLS), which isolates the protocol's own overhead.
//
//	go test -run '^$' -bench PluginColdStart -benchtime 1x ./plugins/host
func BenchmarkPluginColdStart(b *testing.B) {
	reps := kit.Size("MB_BENCH_COLD_STARTS", 20)
	name := os.Getenv("MB_BENCH_COLD_PLUGIN")
	if name == "" {
		name = "logreg-model"
	}
	dir, found := bundled(b, name)
	f := found[name]
	ctx := context.Background()
	ours := func() float64 {
		start := time.Now()
		h := New(Options{BundledDir: dir})
		p, err := h.Plugin(f, f.SHA256)
		if err != nil {
			b.Fatal(err)
		}
		var md string
		err = p.Call(ctx, func(ctx context.Context, c *client.Conn) error {
			m, err := c.Metadata(ctx)
			md = m.GetId()
			return err
		})
		t := time.Since(start).Seconds()
		if err != nil || md != f.Manifest.ID {
			b.Fatalf("metadata %q: %v", md, err)
		}
		h.Close()
		return t
	}
	peer := func() float64 {
		start := time.Now()
		cmd := exec.Command(f.Binary)
		cmd.Env = append(pluginEnv(), sdk.Handshake.MagicCookieKey+"="+sdk.Handshake.MagicCookieValue,
			fmt.Sprintf("PLUGIN_PROTOCOL_VERSIONS=%d", sdk.ProtocolVersion))
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		t := time.Since(start).Seconds()
		if err != nil || line == "" {
			b.Fatalf("no handshake line: %v", err)
		}
		cmd.Process.Kill()
		cmd.Wait()
		return t
	}
	ours() // warm the page cache and the checksum's file read
	peer()
	var oursT, peerT []float64
	b.ResetTimer()
	for range b.N {
		for i := range reps {
			if i%2 == 0 {
				oursT = append(oursT, ours())
				peerT = append(peerT, peer())
			} else {
				peerT = append(peerT, peer())
				oursT = append(oursT, ours())
			}
		}
	}
	b.StopTimer()
	om, op := median(oursT), quantile(oursT, 0.9)
	pm, pp := median(peerT), quantile(peerT, 0.9)
	b.ReportMetric(om*1e3, "median_ms")
	b.ReportMetric(op*1e3, "p90_ms")
	b.ReportMetric(pm*1e3, "peer_median_ms")
	b.ReportMetric(om/pm, "x_peer")
	b.Logf("cold start of %s to its first answer (GetMetadata), %d starts: median %.1f ms, p90 %.1f ms (goal median ≤ 200 ms); exec to handshake line: median %.1f ms, p90 %.1f ms; ratio of medians %.2f×",
		name, len(oursT), om*1e3, op*1e3, pm*1e3, pp*1e3, om/pm)
}

func median(v []float64) float64 { return quantile(v, 0.5) }

// selfCPU is this process's user + system CPU time in seconds (0 where
// there is no /proc).
func selfCPU() float64 { return procCPU(os.Getpid()) }

// procCPU is the user + system CPU time of process pid in seconds (Linux
// /proc, in clock ticks of 1/100 s; 0 where there is no /proc).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}

// loadavg is the 1-minute load average, from /proc/loadavg.
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// quantile is the nearest-rank quantile of v.
func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(len(s)-1, i))]
}
