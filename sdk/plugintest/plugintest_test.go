package plugintest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// sdkDir is the SDK module's root.
func sdkDir(t *testing.T) string {
	d, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The example is a module of its own that a third party can build outside
// this repository: without cgo, and without Fyne, DuckDB or any package of
// the app. Then it passes the conformance suite as a real process.
func TestExampleOutOfTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	dir := filepath.Join(t.TempDir(), "filechannel")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"main.go", "main_test.go", "go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join("..", "examples", "filechannel", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "go.mod" {
			b = bytes.Replace(b, []byte("=> ../.."), []byte("=> "+sdkDir(t)), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"fyne.io/", "github.com/duckdb/", "github.com/marketbench/marketbench/app", "github.com/marketbench/marketbench/storage", "github.com/marketbench/marketbench/analytics"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("the example depends on %s", dep)
			}
		}
	}
	// The example's own tests, as its README tells authors to write them.
	test := exec.Command("go", "test", "./...")
	test.Dir = dir
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("the example's tests: %v\n%s", err, out)
	}
	bin := Build(t, dir) // CGO_ENABLED=0
	Smoke(t, bin)
	conn := Launch(t, bin)
	outFile := filepath.Join(t.TempDir(), "sent.jsonl")
	res := Channel(t, conn, ChannelCase{Component: "file", Config: sdk.Config{"path": outFile}, To: "ada@example.com",
		Messages: 25, Bad: sdk.Config{"path": "relative.jsonl"}})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	// Two rounds of the same 25 messages, one line each: the resend was a no-op.
	b, _ := os.ReadFile(outFile)
	if n := bytes.Count(b, []byte("\n")); n != 25 {
		t.Errorf("%d lines written, want 25", n)
	}
}

func TestSmokeCatchesStdout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	bin := Build(t, "testdata/badstdout")
	err := CheckHandshake(bin)
	if err == nil || !strings.Contains(err.Error(), `"starting up!"`) {
		t.Fatalf("CheckHandshake: %v", err)
	}
	_, err = client.Launch(client.Config{Path: bin})
	if err == nil || !strings.Contains(err.Error(), "printed") {
		t.Fatalf("Launch: %v", err)
	}
}

func TestChecksumRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	bin := Build(t, filepath.Join("..", "examples", "filechannel"))
	_, err := client.Launch(client.Config{Path: bin, Checksum: bytes.Repeat([]byte{1}, 32)})
	if err == nil || !strings.Contains(err.Error(), "changed since it was installed") {
		t.Fatalf("Launch with a wrong checksum: %v", err)
	}
}

// flaky is an in-process channel with every kind of result.
type flaky struct{ sent atomic.Int64 }

func (f *flaky) Spec() sdk.Component {
	return sdk.Component{Name: "flaky", Config: []sdk.Field{
		{Name: "token", Type: sdk.Secret, Required: true},
		{Name: "rate", Type: sdk.Int, Default: "10"},
	}, Fields: []string{"email"}}
}
func (f *flaky) Validate(cfg sdk.Config) []sdk.FieldError {
	if cfg.Int("rate", 0) <= 0 {
		return []sdk.FieldError{{Field: "rate", Message: "must be positive"}}
	}
	return nil
}
func (f *flaky) Check(_ context.Context, _ sdk.Config, s sdk.Secrets) error {
	if s["token"] != "t0k" {
		return errors.New("the token was refused")
	}
	return nil
}
func (f *flaky) Open(_ context.Context, _ sdk.Config, s sdk.Secrets) (sdk.Session, error) {
	if s["token"] != "t0k" {
		return nil, errors.New("the token was refused")
	}
	return f, nil
}
func (f *flaky) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: 4} }
func (f *flaky) Send(_ context.Context, m sdk.Message) sdk.Result {
	f.sent.Add(1)
	switch {
	case strings.HasSuffix(m.ID, "7"):
		return sdk.RetryAfter(2*time.Second, "rate limited")
	case strings.HasSuffix(m.ID, "3"):
		return sdk.Rejected("mailbox does not exist")
	}
	return sdk.Delivered("p-" + m.IdempotencyKey)
}
func (f *flaky) Close() error { return nil }

func TestChannelInProcess(t *testing.T) {
	ch := &flaky{}
	conn := InProcess(t, sdk.Plugin{ID: "test.org/flaky", Version: "1.0.0", Channels: []sdk.Channel{ch}})
	res := Channel(t, conn, ChannelCase{Component: "flaky", Config: sdk.Config{"rate": "5"}, Secrets: sdk.Secrets{"token": "t0k"},
		To: "x@example.com", Messages: 30, Bad: sdk.Config{"rate": "-1"}})
	var retry, rejected, delivered int
	for id, r := range res {
		switch r.Outcome {
		case sdk.OutcomeRetry:
			retry++
			if r.After != 2*time.Second || !r.ServiceFault {
				t.Errorf("%s: %+v", id, r)
			}
		case sdk.OutcomeRejected:
			rejected++
		case sdk.OutcomeDelivered:
			delivered++
			if r.ProviderID != "p-conformance-"+strings.TrimPrefix(id, "m") {
				t.Errorf("%s: provider id %q", id, r.ProviderID)
			}
		}
	}
	if retry != 3 || rejected != 3 || delivered != 24 || ch.sent.Load() != 60 {
		t.Errorf("retry %d rejected %d delivered %d, plugin saw %d sends", retry, rejected, delivered, ch.sent.Load())
	}
	ctx := context.Background()
	if err := conn.Check(ctx, "flaky", nil, sdk.Secrets{"token": "wrong"}); err == nil || !strings.Contains(err.Error(), "token was refused") {
		t.Errorf("Check with a wrong token: %v", err)
	}
	if _, err := conn.Open(ctx, "flaky", nil, nil); err == nil || !strings.Contains(err.Error(), "token: is required") {
		t.Errorf("Open without the secret: %v", err)
	}
	if _, err := conn.Open(ctx, "flaky", sdk.Config{"token": "t0k"}, sdk.Secrets{"token": "t0k"}); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Errorf("a secret in plain config was accepted: %v", err)
	}
	if _, err := conn.Open(ctx, "nope", nil, nil); err == nil || !strings.Contains(err.Error(), `no channel "nope"`) {
		t.Errorf("unknown component: %v", err)
	}
	if _, err := conn.Describe(ctx, "flaky"); err == nil {
		t.Error("a channel-only plugin described a model")
	}
}

// fakeT stands in for the test given to the conformance suite, so a test
// can see the suite fail. Fatal ends the calling goroutine, as testing.T's
// does; everything else (Cleanup, TempDir, Logf) is the real test's.
type fakeT struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	msgs   []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fail() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
}
func (f *fakeT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
func (f *fakeT) Errorf(format string, a ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.msgs = append(f.msgs, fmt.Sprintf(format, a...))
}
func (f *fakeT) Error(a ...any)                 { f.Errorf("%s", fmt.Sprint(a...)) }
func (f *fakeT) Fatalf(format string, a ...any) { f.Errorf(format, a...); runtime.Goexit() }
func (f *fakeT) Fatal(a ...any)                 { f.Error(a...); runtime.Goexit() }
func (f *fakeT) FailNow()                       { f.Fail(); runtime.Goexit() }

// suite runs fn against a fakeT and returns it once fn has ended (or
// failed the real test if it did not end within limit).
func suite(t *testing.T, limit time.Duration, fn func(tb testing.TB)) *fakeT {
	t.Helper()
	f := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("the conformance suite did not end within %v", limit)
	}
	return f
}

// A channel whose Send panics on every message.
type panicky struct{ flaky }

func (p *panicky) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) { return p, nil }
func (p *panicky) Send(context.Context, sdk.Message) sdk.Result {
	panic("boom: nil map\nwith a second line")
}

// A channel whose Send never returns, and ignores its context.
type hanging struct {
	flaky
	release chan struct{}
}

func (h *hanging) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) { return h, nil }
func (h *hanging) Send(context.Context, sdk.Message) sdk.Result {
	<-h.release
	return sdk.Delivered("late")
}

// The conformance suite fails a plugin whose Send panics, saying so in one
// line. Before, the SDK turned the panic into a rejection with a reason,
// which the suite took as a valid answer, and the plugin passed.
func TestConformanceFailsPanic(t *testing.T) {
	conn := InProcess(t, sdk.Plugin{ID: "test.org/panicky", Version: "1.0.0", Channels: []sdk.Channel{&panicky{}}})
	f := suite(t, time.Minute, func(tb testing.TB) {
		Channel(tb, conn, ChannelCase{Component: "flaky", Config: sdk.Config{"rate": "5"}, Secrets: sdk.Secrets{"token": "t0k"}, To: "x@example.com", Messages: 5})
	})
	msgs := strings.Join(f.msgs, "\n")
	if !f.Failed() || !strings.Contains(msgs, "failed inside the plugin") || !strings.Contains(msgs, "boom: nil map with a second line") {
		t.Fatalf("the suite passed a plugin that panics in Send, or did not say so: failed %v\n%s", f.Failed(), msgs)
	}
	if strings.Contains(msgs, "goroutine ") || strings.Count(msgs, "\n") > 0 {
		t.Errorf("the failure should be one line, without the stack:\n%s", msgs)
	}
	// The same suite passes a sound plugin: the fake is not what fails.
	good := InProcess(t, sdk.Plugin{ID: "test.org/flaky", Version: "1.0.0", Channels: []sdk.Channel{&flaky{}}})
	f = suite(t, time.Minute, func(tb testing.TB) {
		Channel(tb, good, ChannelCase{Component: "flaky", Config: sdk.Config{"rate": "5"}, Secrets: sdk.Secrets{"token": "t0k"}, To: "x@example.com", Messages: 5})
	})
	if f.Failed() {
		t.Fatalf("a sound plugin failed: %v", f.msgs)
	}
}

// A Send that never returns fails the suite after the case's timeout with
// a message that says it hangs, instead of hanging go test.
func TestConformanceFailsHang(t *testing.T) {
	h := &hanging{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	conn := InProcess(t, sdk.Plugin{ID: "test.org/hanging", Version: "1.0.0", Channels: []sdk.Channel{h}})
	start := time.Now()
	f := suite(t, 30*time.Second, func(tb testing.TB) {
		Channel(tb, conn, ChannelCase{Component: "flaky", Config: sdk.Config{"rate": "5"}, Secrets: sdk.Secrets{"token": "t0k"}, To: "x@example.com", Messages: 3, Timeout: time.Second})
	})
	msgs := strings.Join(f.msgs, "\n")
	if !f.Failed() || !strings.Contains(msgs, "Send (round 1 of 3 messages) did not answer within 1s: the plugin hangs") {
		t.Fatalf("failed %v after %v:\n%s", f.Failed(), time.Since(start), msgs)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("the suite took %v to notice a hang with a 1 s timeout", time.Since(start))
	}
}

// meanModel predicts the training mean of the target for every row: the
// smallest real model, enough to prove Arrow goes both ways intact.
type meanModel struct{}

func (meanModel) Spec() sdk.Component { return sdk.Component{Name: "mean"} }
func (meanModel) Task() string        { return sdk.Regression }
func (meanModel) Train(_ context.Context, _ sdk.Config, target string, rows array.RecordReader) ([]byte, map[string]float64, error) {
	var sum float64
	var n int64
	for rows.Next() {
		rec := rows.RecordBatch()
		idx := rec.Schema().FieldIndices(target)
		if len(idx) == 0 {
			return nil, nil, fmt.Errorf("no column %q", target)
		}
		for _, v := range rec.Column(idx[0]).(*array.Float64).Float64Values() {
			sum += v
		}
		n += rec.NumRows()
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(sum/float64(n))), map[string]float64{"rows": float64(n)}, nil
}
func (meanModel) Predict(_ context.Context, art []byte, rows array.RecordReader, out sdk.RecordWriter) error {
	mean := math.Float64frombits(binary.LittleEndian.Uint64(art))
	for rows.Next() {
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		for range rows.RecordBatch().NumRows() {
			b.Append(mean)
		}
		col := b.NewArray()
		rec := array.NewRecordBatch(sdk.ScoreSchema, []arrow.Array{col}, int64(col.Len()))
		err := out.Write(rec)
		rec.Release()
		col.Release()
		if err != nil {
			return err
		}
	}
	return rows.Err()
}

func table(t *testing.T, n, batches int, withTarget bool) array.RecordReader {
	t.Helper()
	fields := []arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}
	if withTarget {
		fields = append(fields, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Float64})
	}
	schema := arrow.NewSchema(fields, nil)
	var recs []arrow.RecordBatch
	for b := range batches {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range n {
			bld.Field(0).(*array.Float64Builder).Append(float64(i))
			if withTarget {
				bld.Field(1).(*array.Float64Builder).Append(float64(b*n + i))
			}
		}
		recs = append(recs, bld.NewRecordBatch())
		bld.Release()
	}
	rr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func TestModelRoundTrip(t *testing.T) {
	conn := InProcess(t, sdk.Plugin{ID: "test.org/mean", Version: "1.0.0", Models: []sdk.Model{meanModel{}}})
	// 3 batches of 100k rows: several MB each way.
	_, metrics, scores := Model(t, conn, ModelCase{Component: "mean", Target: "y",
		Rows:     func() array.RecordReader { return table(t, 100_000, 3, true) },
		Features: func() array.RecordReader { return table(t, 100_000, 3, false) }})
	if metrics["rows"] != 300_000 || len(scores) != 300_000 {
		t.Fatalf("metrics %v, %d scores", metrics, len(scores))
	}
	if want := (300_000.0 - 1) / 2; scores[0] != want || scores[len(scores)-1] != want {
		t.Errorf("score %v, want %v", scores[0], want)
	}
	_, _, err := conn.Train(context.Background(), "mean", nil, "nope", table(t, 10, 1, true))
	if err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("train on a missing target: %v", err)
	}
}

// counter is a source of numbered rows that resumes from its state.
type counter struct{}

func (counter) Spec() sdk.Component { return sdk.Component{Name: "counter"} }
func (counter) Discover(context.Context, sdk.Config) ([]sdk.Stream, error) {
	return []sdk.Stream{{Name: "numbers", Description: "1, 2, 3, ..."}}, nil
}
func (counter) Read(_ context.Context, _ sdk.Config, stream string, state []byte, out sdk.SourceWriter) error {
	start := 0
	if len(state) > 0 {
		fmt.Sscan(string(state), &start)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	for b := range 3 {
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		for i := range 10 {
			bld.Append(int64(start + b*10 + i))
		}
		col := bld.NewArray()
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, 10)
		if err := out.Write(rec); err != nil {
			return err
		}
		rec.Release()
		if err := out.Checkpoint([]byte(fmt.Sprint(start + (b+1)*10))); err != nil {
			return err
		}
	}
	return nil
}

func TestSourceCheckpoints(t *testing.T) {
	conn := InProcess(t, sdk.Plugin{ID: "test.org/counter", Version: "1.0.0", Sources: []sdk.Source{counter{}}})
	ctx := context.Background()
	streams, err := conn.Discover(ctx, "counter", nil)
	if err != nil || len(streams) != 1 {
		t.Fatalf("discover %v %v", streams, err)
	}
	var log []string
	read := func(state []byte) []byte {
		var last []byte
		err := conn.Read(ctx, "counter", nil, "numbers", state, func(rec arrow.RecordBatch) error {
			v := rec.Column(0).(*array.Int64).Int64Values()
			log = append(log, fmt.Sprintf("rows %d-%d", v[0], v[len(v)-1]))
			return nil
		}, func(s []byte) error {
			log = append(log, "state "+string(s))
			last = s
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return last
	}
	st := read(nil)
	read(st)
	want := "rows 0-9,state 10,rows 10-19,state 20,rows 20-29,state 30,rows 30-39,state 40,rows 40-49,state 50,rows 50-59,state 60"
	if got := strings.Join(log, ","); got != want {
		t.Errorf("read order\n%s\nwant\n%s", got, want)
	}
}

func TestConfigCheck(t *testing.T) {
	c := sdk.Component{Config: []sdk.Field{
		{Name: "url", Type: sdk.URL, Required: true}, {Name: "from", Type: sdk.Email}, {Name: "n", Type: sdk.Int},
		{Name: "mode", Type: sdk.Enum, Enum: []string{"a", "b"}}, {Name: "wait", Type: sdk.Duration}, {Name: "key", Type: sdk.Secret, Required: true},
	}}
	errs := c.Check(sdk.Config{"url": "ftp://x", "from": "not-an-address", "n": "1.5", "mode": "c", "wait": "soon", "extra": "1"}, nil)
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
	}
	if strings.Join(got, ",") != "extra,from,key,mode,n,url,wait" {
		t.Errorf("errors on %v: %v", got, errs)
	}
	if errs := c.Check(sdk.Config{"url": "https://example.com/hook", "from": "a@b.co", "n": "3", "mode": "a", "wait": "5s"}, sdk.Secrets{"key": "k"}); len(errs) != 0 {
		t.Errorf("good config refused: %v", errs)
	}
}

// The plugin process exits on its own when its parent dies: start a shell
// that starts the plugin, kill the shell with SIGKILL, and the plugin must
// be gone within a few seconds.
func TestWatchdog(t *testing.T) {
	if testing.Short() || os.PathSeparator != '/' {
		t.Skip("Unix process test")
	}
	bin := Build(t, filepath.Join("..", "examples", "filechannel"))
	pidFile := filepath.Join(t.TempDir(), "pid")
	sh := exec.Command("sh", "-c", fmt.Sprintf(`%q & echo $! > %q; wait`, bin, pidFile))
	sh.Env = []string{sdk.Handshake.MagicCookieKey + "=" + sdk.Handshake.MagicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=1"}
	stdout, _ := sh.StdoutPipe()
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	bufio.NewReader(stdout).ReadString('\n') // the handshake: the plugin is serving
	b, _ := os.ReadFile(pidFile)
	var pid int
	fmt.Sscan(string(b), &pid)
	if pid == 0 {
		t.Fatal("no plugin pid")
	}
	sh.Process.Kill()
	sh.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			return
		}
		if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); bytes.Contains(st, []byte(") Z ")) {
			return // exited, waiting to be reaped by init
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("plugin %d still running 5 s after its parent died", pid)
}
