package host

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// bins holds the test plugins, built once for the whole run.
var bins struct{ misbehave, file, loud, mismatch string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mb-host-test-*")
	if err != nil {
		panic(err)
	}
	build := func(out, pkg string, wd string) string {
		p := filepath.Join(dir, out)
		cmd := exec.Command("go", "build", "-o", p, pkg)
		cmd.Dir = wd
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, b)
			os.Exit(1)
		}
		return p
	}
	bins.misbehave = build("misbehave", "./testdata/misbehave", ".")
	bins.file = build("filechannel", ".", "../../sdk/examples/filechannel")
	bins.loud = build("loud", "./testdata/loud", ".")
	bins.mismatch = build("mismatch", "./testdata/mismatch", ".")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pluginDir lays out a plugin folder: the binary copied in and a manifest
// with its real checksum.
func pluginDir(t *testing.T, parent, id, bin string, edit func(*sdk.Manifest)) string {
	t.Helper()
	dir := filepath.Join(parent, filepath.Base(bin))
	os.MkdirAll(dir, 0o755)
	name := filepath.Base(bin)
	copyFile(t, bin, filepath.Join(dir, name))
	sum, err := FileSHA256(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	m := sdk.Manifest{ID: id, Version: "1.0.0", Kinds: []string{"channel"}, ProtocolVersions: []int{1},
		Binaries: map[string]sdk.Binary{Platform(): {Path: name, SHA256: sum}}, Fields: []string{"email"}}
	if edit != nil {
		edit(&m)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, sdk.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestInstallAndDiscover(t *testing.T) {
	user := t.TempDir()
	src := pluginDir(t, t.TempDir(), "example.com/filechannel", bins.file, nil)
	f, err := Install(src, user)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(user, "example.com", "filechannel", "1.0.0")
	if f.Dir != want {
		t.Fatalf("installed in %s, want %s", f.Dir, want)
	}
	if _, err := Install(src, user); err != nil { // the same build again: fine
		t.Fatalf("reinstall: %v", err)
	}

	// From a .tar.gz holding a folder; a different build of the same
	// version is refused.
	other := pluginDir(t, t.TempDir(), "example.com/filechannel", bins.misbehave, nil)
	arc := filepath.Join(t.TempDir(), "p.tar.gz")
	writeTarGz(t, arc, other, "")
	if _, err := Install(arc, user); err == nil || !strings.Contains(err.Error(), "different build") {
		t.Fatalf("different build: %v", err)
	}
	// An archive entry escaping the folder is refused.
	evil := filepath.Join(t.TempDir(), "evil.tar.gz")
	writeTarGz(t, evil, other, "../../escape")
	if _, err := Install(evil, user); err == nil || !strings.Contains(err.Error(), "outside the plugin folder") {
		t.Fatalf("escaping archive: %v", err)
	}
	// A manifest whose checksum does not match its binary.
	bad := pluginDir(t, t.TempDir(), "test.org/badsum", bins.file, func(m *sdk.Manifest) {
		m.Binaries[Platform()] = sdk.Binary{Path: "filechannel", SHA256: strings.Repeat("0", 64)}
	})
	if _, err := Install(bad, user); !errors.Is(err, ErrChanged) {
		t.Fatalf("bad checksum: %v", err)
	}

	// Discovery lists the good one, explains the broken ones, refuses links.
	os.MkdirAll(filepath.Join(user, "test.org", "broken", "1.0.0"), 0o755)
	os.WriteFile(filepath.Join(user, "test.org", "broken", "1.0.0", "plugin.json"), []byte(`{"id": "Bad ID"}`), 0o644)
	if runtime.GOOS != "windows" {
		os.MkdirAll(filepath.Join(user, "test.org", "linked"), 0o755)
		os.Symlink(want, filepath.Join(user, "test.org", "linked", "1.0.0"))
	}
	found := Discover(user, "")
	byDir := map[string]Found{}
	for _, f := range found {
		byDir[f.Dir] = f
	}
	if f := byDir[want]; f.Err != nil || f.Manifest.ID != "example.com/filechannel" {
		t.Errorf("installed plugin: %+v", f)
	}
	if f := byDir[filepath.Join(user, "test.org", "broken", "1.0.0")]; f.Err == nil || !strings.Contains(f.Err.Error(), "plugin.json") {
		t.Errorf("broken manifest: %+v", f.Err)
	}
	if runtime.GOOS != "windows" {
		if f := byDir[filepath.Join(user, "test.org", "linked", "1.0.0")]; f.Err == nil || !strings.Contains(f.Err.Error(), "symbolic link") {
			t.Errorf("symlinked plugin: %+v", f.Err)
		}
	}
}

func writeTarGz(t *testing.T, path, dir, extra string) {
	t.Helper()
	out, _ := os.Create(path)
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		tw.WriteHeader(&tar.Header{Name: "plugin/" + e.Name(), Mode: 0o755, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	if extra != "" {
		tw.WriteHeader(&tar.Header{Name: extra, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
	}
	tw.Close()
	gz.Close()
	out.Close()
}

// installed installs a test plugin and returns its supervised process.
func installed(t *testing.T, h *Host, bin, id string) (*Proc, Found) {
	t.Helper()
	f, err := Install(pluginDir(t, t.TempDir(), id, bin, func(m *sdk.Manifest) { m.Kinds = []string{"channel", "model"} }), h.opt.UserDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Plugin(*f, f.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return p, *f
}

func msgs(n int) []sdk.Message {
	out := make([]sdk.Message, n)
	for i := range out {
		out[i] = sdk.Message{ID: fmt.Sprintf("m%d", i), IdempotencyKey: fmt.Sprintf("k%d", i), To: "a@example.com"}
	}
	return out
}

// send opens a session in mode and sends n messages, returning how many
// results arrived and the error.
func send(ctx context.Context, p *Proc, mode string, n int) (int, error) {
	got := 0
	err := p.Call(ctx, func(ctx context.Context, c *client.Conn) error {
		s, err := c.Open(ctx, "bad", sdk.Config{"mode": mode}, nil)
		if err != nil {
			return err
		}
		return s.Send(ctx, msgs(n), func(string, sdk.Result) error { got++; return nil })
	})
	return got, err
}

func newHost(t *testing.T, opt Options) *Host {
	t.Helper()
	opt.UserDir = t.TempDir()
	h := New(opt)
	t.Cleanup(h.Close)
	return h
}

// A plugin that crashes mid-stream: the app gets an error saying so, the
// results before the crash are kept, and the next call runs on a restarted
// plugin.
func TestCrashMidStream(t *testing.T) {
	h := newHost(t, Options{LogDir: t.TempDir()})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	ctx := context.Background()
	got, err := send(ctx, p, "crash", 10)
	if !errors.Is(err, client.ErrGone) || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("crash: %v", err)
	}
	if got != 3 {
		t.Errorf("%d results before the crash, want 3", got)
	}
	got, err = send(ctx, p, "ok", 5)
	if err != nil || got != 5 {
		t.Fatalf("after restart: %d results, %v", got, err)
	}
	if logs := strings.Join(p.Logs(), "\n"); !strings.Contains(logs, "stopped unexpectedly") {
		t.Errorf("crash not in the log:\n%s", logs)
	}
}

// A plugin that hangs is stopped after the call timeout; the app is told
// in words and the next call works.
func TestHang(t *testing.T) {
	h := newHost(t, Options{CallTimeout: time.Second})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	ctx := context.Background()
	start := time.Now()
	_, err := send(ctx, p, "hang", 3)
	if !errors.Is(err, client.ErrTimeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("hang: %v after %v", err, time.Since(start))
	}
	if p.Running() {
		t.Error("the hung plugin is still running")
	}
	if got, err := send(ctx, p, "ok", 2); err != nil || got != 2 {
		t.Fatalf("after the hang: %d %v", got, err)
	}
}

// A plugin that hangs on every call is given up after MaxTimeouts calls in
// a row instead of costing a full timeout per call for ever, and the
// per-call timeout comes from the caller's context. Without the count, the
// fourth call would start the plugin again and wait out another timeout;
// without WithCallTimeout, each call would take the host's minute.
func TestTimeoutsGiveUp(t *testing.T) {
	h := newHost(t, Options{CallTimeout: time.Minute, PingEvery: -1, MaxTimeouts: 3})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	ctx := WithCallTimeout(context.Background(), 300*time.Millisecond)
	for i := 1; i <= 3; i++ {
		start := time.Now()
		_, err := send(ctx, p, "hang", 2)
		if !errors.Is(err, ErrTimeout) || time.Since(start) > 10*time.Second {
			t.Fatalf("call %d: %v after %v", i, err, time.Since(start))
		}
		if crash := errors.Is(err, ErrCrashLoop); crash != (i == 3) {
			t.Fatalf("call %d: given up %v: %v", i, crash, err)
		}
		if i == 3 && !strings.Contains(err.Error(), "did not answer within 300ms on 3 calls in a row") {
			t.Errorf("message: %v", err)
		}
	}
	start := time.Now()
	_, err := send(ctx, p, "ok", 1)
	if !errors.Is(err, ErrCrashLoop) || time.Since(start) > 100*time.Millisecond || p.Running() {
		t.Fatalf("a fourth call: %v after %v (running %v)", err, time.Since(start), p.Running())
	}
	// A call that allows longer (the user raised the setting) may try again.
	if got, err := send(WithCallTimeout(context.Background(), 30*time.Second), p, "ok", 2); err != nil || got != 2 {
		t.Fatalf("with a longer timeout: %d %v", got, err)
	}
	// An answered call resets the count: one more hang is a plain timeout.
	if _, err := send(ctx, p, "hang", 1); !errors.Is(err, ErrTimeout) || errors.Is(err, ErrCrashLoop) {
		t.Fatalf("after an answered call: %v", err)
	}
}

// A plugin that prints a 1 MB line (no newline inside) on its original
// stdout, Serve's stdout and its stderr still answers every call: no line
// length stops the host reading its output. go-plugin reads stdout with a
// 64 KB line limit and stops reading at a longer line; the plugin then
// blocks in its write and the call times out.
func TestHugeOutputLine(t *testing.T) {
	h := newHost(t, Options{CallTimeout: 20 * time.Second, LogDir: t.TempDir()})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	for round := range 2 {
		start := time.Now()
		got, err := send(context.Background(), p, "bigline", 3)
		if err != nil || got != 3 {
			t.Fatalf("round %d: %d results, %v after %v", round, got, err, time.Since(start))
		}
	}
	if got, err := send(context.Background(), p, "ok", 2); err != nil || got != 2 {
		t.Fatalf("after the long lines: %d %v", got, err)
	}
	// What it printed on stdout after the handshake, on either stdout, is
	// kept in its log, cut short.
	stdout := 0
	for _, l := range p.Logs() {
		if strings.Contains(l, "stdout") && strings.Contains(l, "yyyyyyyy") {
			stdout++
		}
		if len(l) > 8192 {
			t.Errorf("a log line of %d bytes is kept", len(l))
		}
	}
	if stdout != 12 { // 3 messages × 2 rounds × (the first stdout and Serve's)
		t.Errorf("%d long stdout lines in the log, want 12", stdout)
	}
}

// 64 MB of log output costs neither memory nor an unbounded file.
func TestFlood(t *testing.T) {
	logDir := t.TempDir()
	h := newHost(t, Options{LogDir: logDir})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	got, err := send(context.Background(), p, "flood", 64)
	if err != nil || got != 64 {
		t.Fatalf("flood: %d %v", got, err)
	}
	if n := len(p.Logs()); n > 1000 {
		t.Errorf("%d log lines in memory", n)
	}
	st, err := os.Stat(filepath.Join(logDir, "test.org_misbehave.log"))
	if err != nil || st.Size() > maxLogFile+1024 {
		t.Errorf("log file: %v %v", st, err)
	}
}

// Results that do not match the messages sent are refused with a reason.
func TestMalformedResults(t *testing.T) {
	h := newHost(t, Options{})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	for mode, want := range map[string]string{
		"unknown-id": "was not sent",
		"no-outcome": "no outcome",
		"twice":      "already answered",
	} {
		_, err := send(context.Background(), p, mode, 3)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", mode, err, want)
		}
	}
}

// A model that declares scores but sends another schema, too few rows or
// garbage is refused with a reason.
func TestLyingModel(t *testing.T) {
	h := newHost(t, Options{})
	p, _ := installed(t, h, bins.misbehave, "test.org/misbehave")
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	rows := func() array.RecordReader {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range 10 {
			b.Field(0).(*array.Float64Builder).Append(float64(i))
		}
		rr, _ := array.NewRecordReader(schema, []arrow.RecordBatch{b.NewRecordBatch()})
		return rr
	}
	for how, want := range map[string]string{
		"strings": "not one float64 column",
		"short":   "returned 9 scores for 10 rows",
		"garbage": "sent no scores",
	} {
		err := p.Call(context.Background(), func(ctx context.Context, c *client.Conn) error {
			return c.Predict(ctx, "liar", []byte(how), rows(), func([]float64) error { return nil })
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", how, err, want)
		}
	}
}

// A binary replaced after install is refused at start.
func TestChangedBinaryRefused(t *testing.T) {
	h := newHost(t, Options{})
	p, f := installed(t, h, bins.file, "example.com/filechannel")
	if err := p.Health(context.Background()); err != nil {
		t.Fatalf("first start: %v", err)
	}
	h.Close()
	copyFile(t, bins.misbehave, f.Binary) // tampered with
	h2 := New(Options{UserDir: h.opt.UserDir})
	defer h2.Close()
	p2, err := h2.Plugin(f, f.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	err = p2.Health(context.Background())
	if err == nil || !strings.Contains(err.Error(), "changed since it was installed") {
		t.Fatalf("tampered binary: %v", err)
	}
}

// A plugin that dies at every start is given up on after MaxRestarts.
func TestCrashLoop(t *testing.T) {
	h := newHost(t, Options{MaxRestarts: 2})
	crashy := filepath.Join(t.TempDir(), "misbehave-crashstart")
	copyFile(t, bins.misbehave, crashy)
	p, _ := installed(t, h, crashy, "test.org/crashy")
	var err error
	for range 6 {
		if err = p.Health(context.Background()); errors.Is(err, ErrCrashLoop) {
			break
		}
	}
	if !errors.Is(err, ErrCrashLoop) {
		t.Fatalf("crash loop: %v", err)
	}
}

// Closing the host leaves no plugin process behind.
func TestCloseKills(t *testing.T) {
	h := New(Options{UserDir: t.TempDir()})
	p, _ := installed(t, h, bins.file, "example.com/filechannel")
	if err := p.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn, _ := p.Conn(context.Background())
	pid := conn.ReattachConfig().Pid
	h.Close()
	time.Sleep(200 * time.Millisecond)
	if runtime.GOOS == "linux" {
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(st), ") Z ") {
			t.Fatalf("plugin %d still running after Close", pid)
		}
	}
	_ = io.Discard
}

// A plugin frozen between calls (SIGSTOP) fails its health check and is
// stopped without any call waiting on it; the next call starts a new one.
func TestHealthPing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGSTOP")
	}
	h := newHost(t, Options{PingEvery: 200 * time.Millisecond})
	p, _ := installed(t, h, bins.file, "example.com/filechannel")
	if err := p.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn, _ := p.Conn(context.Background())
	pid := conn.ReattachConfig().Pid
	proc, _ := os.FindProcess(pid)
	proc.Signal(syscall.SIGSTOP)
	deadline := time.Now().Add(10 * time.Second)
	for p.Running() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if p.Running() {
		t.Fatal("the frozen plugin is still considered running")
	}
	if logs := strings.Join(p.Logs(), "\n"); !strings.Contains(logs, "health check failed") {
		t.Errorf("log:\n%s", logs)
	}
	if err := p.Health(context.Background()); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}
