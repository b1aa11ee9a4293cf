package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk/client"
)

// Supervision under concurrent callers and the restart backoff, with real
// plugin processes. The test plugin is misbehave installed under a name
// ending in "-countstarts": every process it really starts appends its pid
// to <binary>.starts, so "one start" is counted by the operating system's
// processes, not by the host's own bookkeeping.

// countedPlugin installs the counting test plugin and returns its process
// and the file its starts are written to.
func countedPlugin(t *testing.T, h *Host) (*Proc, string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("kills plugins with SIGKILL")
	}
	bin := filepath.Join(t.TempDir(), "misbehave-countstarts")
	copyFile(t, bins.misbehave, bin)
	p, f := installed(t, h, bin, "test.org/counted")
	return p, f.Binary + ".starts"
}

// startedPids reads the pids the plugin wrote, one per process started.
func startedPids(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// callAll makes n calls at once (released together) and returns the pid
// of the process each call ran against and each call's error.
func callAll(p *Proc, n int) ([]int, []error) {
	pids := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = p.Call(context.Background(), func(ctx context.Context, c *client.Conn) error {
				pids[i] = c.ReattachConfig().Pid
				return c.Ping(ctx)
			})
		}()
	}
	close(gate)
	wg.Wait()
	return pids, errs
}

// killAndWait SIGKILLs the plugin's running process and waits until the
// host's connection has seen it exit, so the next call finds a crash.
func killAndWait(t *testing.T, p *Proc) int {
	t.Helper()
	conn, err := p.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pid := conn.ReattachConfig().Pid
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !conn.Exited() {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %d killed but not seen to exit", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return pid
}

// Many calls at once to a plugin not running yet: exactly one process is
// started and every call is answered by it.
//
// Proved to fail: with the single-start guard removed from Proc.Conn (its
// `for p.starting != nil` wait turned off), it failed with "24 calls
// started 24 processes (pids [9686 9693 …]), want 1".
func TestConcurrentCallsStartOnce(t *testing.T) {
	h := newHost(t, Options{PingEvery: -1})
	p, starts := countedPlugin(t, h)
	const n = 24
	pids, errs := callAll(p, n)
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if got := startedPids(t, starts); len(got) != 1 {
		t.Fatalf("%d calls started %d processes (pids %v), want 1", n, len(got), got)
	}
	for i, pid := range pids {
		if pid != pids[0] {
			t.Fatalf("call %d ran against pid %d, call 0 against %d", i, pid, pids[0])
		}
	}
	if len(p.starts) != 1 {
		t.Errorf("the host recorded %d starts", len(p.starts))
	}
}

// Many calls at once after the plugin crashed: they wait for one restart
// (after the 1 s backoff, measured in real time here) and are all answered
// by the new process; the crash is counted once.
//
// Proved to fail: with the single-start guard removed, every caller that
// found the dead process started its own ("24 calls after the crash
// started 24 processes (pids […]), want 1"); with the backoff wait
// skipped in launch, "restarted 74.748167ms after the previous start,
// want ≥ 1s".
func TestConcurrentCallsAfterCrashRestartOnce(t *testing.T) {
	h := newHost(t, Options{PingEvery: -1, LogDir: t.TempDir()})
	p, starts := countedPlugin(t, h)
	if err := p.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	dead := killAndWait(t, p)
	const n = 24
	begin := time.Now()
	pids, errs := callAll(p, n)
	took := time.Since(begin)
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	got := startedPids(t, starts)
	if len(got) != 2 {
		t.Fatalf("%d calls after the crash started %d processes (pids %v), want 1", n, len(got)-1, got[1:])
	}
	for i, pid := range pids {
		if pid == dead || pid != pids[0] {
			t.Fatalf("call %d ran against pid %d (call 0: %d, killed: %d)", i, pid, pids[0], dead)
		}
	}
	if len(p.starts) != 2 {
		t.Fatalf("the host recorded %d starts", len(p.starts))
	}
	// The first step of the schedule, in real time: the restart began no
	// earlier than 1 s after the previous start (p.starts are taken when a
	// start completes, so the gap also holds the new process's launch), and
	// the callers waited for one backoff, not one each.
	if gap := p.starts[1].Sub(p.starts[0]); gap < RestartDelay(1) {
		t.Errorf("restarted %v after the previous start, want ≥ %v", gap, RestartDelay(1))
	}
	if took > RestartDelay(1)+5*time.Second {
		t.Errorf("the calls took %v", took)
	}
	if c := strings.Count(strings.Join(p.Logs(), "\n"), "stopped unexpectedly"); c != 1 {
		t.Errorf("the crash was logged %d times, want once", c)
	}
}

// fakeClock stands in for the host's clock: sleeping advances it at once
// and records how long the host asked to wait.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (c *fakeClock) install(h *Host) {
	c.t = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h.now = func() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
	h.sleep = func(ctx context.Context, d time.Duration) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.waits = append(c.waits, d)
		c.t = c.t.Add(d)
		return ctx.Err()
	}
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) took() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

func durations(ds ...float64) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d * float64(time.Second))
	}
	return out
}

func sameDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The restart backoff after repeated crashes, on the host's injectable
// clock (no real waiting): 1 s, 2 s, 4 s, 8 s, then 16 s for every later
// restart, counted from the previous start; and, with the default limit,
// the sixth crash within the window gives the plugin up at once
// (ErrCrashLoop) instead of waiting again. The real-time check of the
// first step is in TestConcurrentCallsAfterCrashRestartOnce.
//
// Proved to fail: with the cap at 30 s, as the old comment said
// (RestartDelay = min(30 s, 1 s << (n-1))), "RestartDelay(6) = 30s, want
// 16s" and "waits [1s 2s 4s 5s 16s 30s 30s 30s], want [1s 2s 4s 5s 16s
// 16s 16s 16s]"; with the delay counted from the crash instead of from the
// previous start (`- now.Sub(...)` dropped), "waits [1s 2s 4s 8s 16s …]";
// with the wait skipped in launch, "waits [], want [1s 2s 4s 8s 16s]".
func TestRestartBackoffSchedule(t *testing.T) {
	t.Run("RestartDelay", func(t *testing.T) {
		want := durations(0, 1, 2, 4, 8, 16, 16, 16)
		for n, w := range want {
			if got := RestartDelay(n); got != w {
				t.Errorf("RestartDelay(%d) = %v, want %v", n, got, w)
			}
		}
		if got := RestartDelay(1 << 20); got != MaxRestartDelay || MaxRestartDelay != 16*time.Second {
			t.Errorf("RestartDelay(large) = %v, cap %v", got, MaxRestartDelay)
		}
	})

	// Crashes of a running plugin (SIGKILL), 8 restarts allowed, so the
	// schedule runs past the cap. Before the fifth restart 3 s pass on the
	// clock after the fourth start: that restart waits 8 s − 3 s.
	t.Run("crashes", func(t *testing.T) {
		h := newHost(t, Options{PingEvery: -1, MaxRestarts: 8})
		var clock fakeClock
		clock.install(h)
		p, starts := countedPlugin(t, h)
		for i := 0; i <= 8; i++ {
			if err := p.Health(context.Background()); err != nil {
				t.Fatalf("start %d: %v", i+1, err)
			}
			if i == 3 {
				clock.advance(3 * time.Second)
			}
			killAndWait(t, p)
		}
		err := p.Health(context.Background())
		if !errors.Is(err, ErrCrashLoop) {
			t.Fatalf("after 9 starts: %v, want ErrCrashLoop", err)
		}
		if want := durations(1, 2, 4, 5, 16, 16, 16, 16); !sameDurations(clock.took(), want) {
			t.Errorf("waits %v, want %v", clock.took(), want)
		}
		if n := len(startedPids(t, starts)); n != 9 {
			t.Errorf("%d processes started, want 9", n)
		}
	})

	// A plugin that dies at every start, default limits (5 restarts in 10
	// minutes): a failed start backs off like a crash, the fifth restart
	// waits the cap, and the next crash gives up without waiting.
	t.Run("failed_starts", func(t *testing.T) {
		h := newHost(t, Options{PingEvery: -1})
		var clock fakeClock
		clock.install(h)
		crashy := filepath.Join(t.TempDir(), "misbehave-crashstart")
		copyFile(t, bins.misbehave, crashy)
		p, _ := installed(t, h, crashy, "test.org/crashy")
		var err error
		for i := 0; i < 6; i++ {
			if err = p.Health(context.Background()); err == nil || errors.Is(err, ErrCrashLoop) {
				t.Fatalf("start %d: %v, want a failed start", i+1, err)
			}
		}
		if err = p.Health(context.Background()); !errors.Is(err, ErrCrashLoop) {
			t.Fatalf("seventh call: %v, want ErrCrashLoop", err)
		}
		if want := durations(1, 2, 4, 8, 16); !sameDurations(clock.took(), want) {
			t.Errorf("waits %v, want %v", clock.took(), want)
		}
		// Ten minutes on, the window has passed: it is tried again, at once.
		clock.advance(10 * time.Minute)
		n := len(clock.took())
		if err = p.Health(context.Background()); err == nil || errors.Is(err, ErrCrashLoop) {
			t.Fatalf("after the window: %v, want a failed start", err)
		}
		if w := clock.took()[n:]; len(w) != 0 {
			t.Errorf("after the window it waited %v", w)
		}
	})
}
