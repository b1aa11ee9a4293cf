package host

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// Options configures a Host.
type Options struct {
	UserDir, BundledDir string
	// LogDir keeps one log file per plugin; "" keeps logs in memory only.
	LogDir string
	// CallTimeout bounds one call (a check, a batch of sends, a training);
	// 0 means 2 minutes. WithCallTimeout overrides it for one call.
	CallTimeout time.Duration
	// MaxRestarts is how many crashes within RestartWindow are restarted;
	// 0 means 5 in 10 minutes.
	MaxRestarts   int
	RestartWindow time.Duration
	// MaxTimeouts is how many calls in a row may time out before the
	// plugin is given up like one that keeps crashing (ErrCrashLoop); 0
	// means 3. A timed-out call spends its whole timeout, so counting
	// timeouts within RestartWindow alone would let a plugin that hangs
	// on every call cost minutes per call for ever.
	MaxTimeouts int
	// PingEvery is how often a running plugin is health-checked; a plugin
	// that does not answer within 5 s is stopped (the next call starts a
	// fresh one). 0 means 30 s; a negative value turns pinging off.
	PingEvery time.Duration
}

// Host runs plugins: at most one process per plugin, started when first
// needed, restarted with backoff after a crash, killed on Close.
type Host struct {
	opt   Options
	mu    sync.Mutex
	procs map[string]*Proc
	// now and sleep are the clock of the restart backoff: time.Now and a
	// timer, replaced by the tests so that the schedule can be checked
	// without waiting it out.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// MaxRestartDelay caps the wait before a restart (RestartDelay).
//
// 16 s, not more: the wait happens inside the call that needs the plugin
// (a user's action, a campaign's next batch), so it is time someone
// watches a progress bar. With the default limit (5 restarts in 10
// minutes, then ErrCrashLoop) the fifth restart is the last one anyway,
// and its 16 s is the longest wait a user can meet; a plugin that still
// crashes after 1+2+4+8+16 = 31 s of waiting is broken, not busy, and is
// better reported than retried later. A higher cap would only apply to
// hosts configured with more restarts and would make each of those calls
// hang for longer without making the plugin any less broken.
const MaxRestartDelay = 16 * time.Second

// RestartDelay is how long after the previous start a restart waits, when
// n starts (the previous one included) happened within RestartWindow: 1 s
// after one, then doubling, 2 s, 4 s, 8 s, up to MaxRestartDelay.
func RestartDelay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	if n > 5 { // 1 s << 4 = 16 s already; avoids overflowing the shift
		return MaxRestartDelay
	}
	return min(MaxRestartDelay, time.Second<<(n-1))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// New returns a host; nothing starts until a plugin is used.
func New(opt Options) *Host {
	if opt.CallTimeout == 0 {
		opt.CallTimeout = 2 * time.Minute
	}
	if opt.MaxRestarts == 0 {
		opt.MaxRestarts = 5
	}
	if opt.RestartWindow == 0 {
		opt.RestartWindow = 10 * time.Minute
	}
	if opt.MaxTimeouts == 0 {
		opt.MaxTimeouts = 3
	}
	if opt.PingEvery == 0 {
		opt.PingEvery = 30 * time.Second
	}
	return &Host{opt: opt, procs: map[string]*Proc{}, now: time.Now, sleep: sleepCtx}
}

// Discover lists installed and bundled plugins.
func (h *Host) Discover() []Found { return Discover(h.opt.UserDir, h.opt.BundledDir) }

// Close stops every plugin process.
func (h *Host) Close() {
	h.mu.Lock()
	procs := h.procs
	h.procs = map[string]*Proc{}
	h.mu.Unlock()
	for _, p := range procs {
		p.stop()
	}
	goplugin.CleanupClients()
}

// Stop stops the running processes of plugin id, if any (its approval was
// withdrawn); a later call may start it again.
func (h *Host) Stop(id string) { h.StopFor(id, "its approval was withdrawn") }

// StopFor stops the running processes of plugin id, if any, giving why in
// its log; a later call may start it again (a new build, after 'plugin
// dev').
func (h *Host) StopFor(id, why string) {
	h.mu.Lock()
	var procs []*Proc
	for _, p := range h.procs {
		if p.Found.Manifest.ID == id {
			procs = append(procs, p)
		}
	}
	h.mu.Unlock()
	for _, p := range procs {
		p.kill(why)
	}
}

// Proc is one supervised plugin.
type Proc struct {
	h     *Host
	Found Found
	pin   []byte
	logs  *ringLog
	// redact keeps the secrets the plugin was given out of its log and
	// of what its calls return, across restarts.
	redact *client.Redactor

	mu       sync.Mutex
	conn     *client.Conn
	starts   []time.Time
	crashes  int
	stopping bool
	// hangs counts the calls in a row that timed out (an answered call
	// resets it); hangLimit is the longest timeout among them and
	// lastHang when the last one happened.
	hangs     int
	hangLimit time.Duration
	lastHang  time.Time
	// starting is closed when a start in progress ends.
	starting chan struct{}
}

// Plugin returns the supervised process for f, checked against pinned (the
// hex SHA-256 recorded when the user enabled the plugin in the project) on
// every start. The process starts on first use.
func (h *Host) Plugin(f Found, pinned string) (*Proc, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	pin, err := hex.DecodeString(pinned)
	if err != nil || len(pin) != 32 {
		return nil, i18n.Errorf("%s has no valid pinned checksum; enable it again", f.Manifest.ID)
	}
	key := f.Manifest.ID + "@" + f.Manifest.Version
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.procs[key]; ok && p.Found.Binary == f.Binary && hex.EncodeToString(p.pin) == pinned {
		return p, nil
	}
	redact := &client.Redactor{}
	p := &Proc{h: h, Found: f, pin: pin, redact: redact, logs: newRingLog(1000, h.logFile(f), redact)}
	h.procs[key] = p
	return p, nil
}

// LogFile is the file where plugin id's log lines are kept ("" when the
// host keeps logs in memory only). Every process that runs the plugin
// appends to it, so it can be followed from another one.
func (h *Host) LogFile(id string) string {
	return h.logFile(Found{Manifest: &sdk.Manifest{ID: id}})
}

func (h *Host) logFile(f Found) string {
	if h.opt.LogDir == "" {
		return ""
	}
	return filepath.Join(h.opt.LogDir, strings.ReplaceAll(f.Manifest.ID, "/", "_")+".log")
}

// envAllow are the only variables a plugin inherits: what TLS, temp files
// and locale need. Everything else of the user's environment (tokens,
// keys) stays out.
var envAllow = []string{"HOME", "USERPROFILE", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "SYSTEMROOT", "APPDATA", "LOCALAPPDATA"}

func pluginEnv() []string {
	var env []string
	for _, k := range envAllow {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// ErrCrashLoop means a plugin crashed (or timed out) too often to be
// restarted again for now.
var ErrCrashLoop = errors.New("the plugin keeps crashing")

// ErrTimeout matches (errors.Is) the error of a call that took longer than
// its timeout: the plugin was stopped and the call's outcome is unknown.
// It is client.ErrTimeout, so either name matches. The error that gives a
// plugin up after Options.MaxTimeouts timeouts in a row matches both
// ErrTimeout and ErrCrashLoop.
var ErrTimeout = client.ErrTimeout

// The SDK's errors reach people through the host: their English texts
// (the SDK speaks English) are in the catalogue, so i18n.Error tells them.
var _ = []string{
	i18n.Mark("the plugin does not support this"),
	i18n.Mark("the plugin stopped"),
	i18n.Mark("the plugin did not answer in time"),
	i18n.Mark("the plugin failed (a bug in the plugin)"),
}

type callTimeoutKey struct{}

// WithCallTimeout returns a context under which Proc.Call allows each call
// d instead of the host's Options.CallTimeout (d <= 0 keeps the host's).
// This is how a caller with its own setting (a campaign's per-call
// timeout) applies it:
//
//	err := proc.Call(host.WithCallTimeout(ctx, 30*time.Second), fn)
//
// A call that exceeds it is stopped with an error matching ErrTimeout, and
// the plugin process is killed (the next call starts a fresh one). After
// Options.MaxTimeouts timed-out calls in a row the plugin is not started
// again, and calls fail at once with an error matching ErrCrashLoop (and
// ErrTimeout), until RestartWindow has passed since the last timeout or a
// call allows longer than the calls that timed out.
func WithCallTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, callTimeoutKey{}, d)
}

// callTimeout is the timeout a call under ctx gets.
func (h *Host) callTimeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(callTimeoutKey{}).(time.Duration); ok && d > 0 {
		return d
	}
	return h.opt.CallTimeout
}

// hangError gives a plugin up after timeouts in a row: it is both a
// timeout and a crash loop, so callers that pause on either pause on it.
type hangError struct{ msg string }

func (e *hangError) Error() string { return e.msg }

func (e *hangError) Is(target error) bool { return target == ErrCrashLoop || target == ErrTimeout }

// givenUp refuses a call while the plugin has timed out MaxTimeouts times
// in a row, unless the window has passed or this call allows longer.
func (p *Proc) givenUp(timeout time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hangs < p.h.opt.MaxTimeouts || timeout > p.hangLimit || time.Since(p.lastHang) >= p.h.opt.RestartWindow {
		return nil
	}
	return p.hangErr()
}

func (p *Proc) hangErr() error {
	return &hangError{fmt.Sprintf("%s did not answer within %v on %d calls in a row, so it is not started again for %v; allow it longer if it is only slow, or see its log",
		p.Found.Manifest.ID, p.hangLimit, p.hangs, p.h.opt.RestartWindow.Round(time.Minute))}
}

// Conn returns a running connection, starting or restarting the plugin
// when needed. A restart after a crash waits out a backoff (RestartDelay:
// 1 s after the previous start, doubling to MaxRestartDelay, 16 s) and
// stops after MaxRestarts crashes within RestartWindow.
func (p *Proc) Conn(ctx context.Context) (*client.Conn, error) {
	p.mu.Lock()
	for p.starting != nil { // another caller is starting it: wait for that
		ch := p.starting
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		p.mu.Lock()
	}
	if p.stopping {
		p.mu.Unlock()
		return nil, i18n.Errorf("the plugin host is shutting down")
	}
	if p.conn != nil && !p.conn.Exited() {
		conn := p.conn
		p.mu.Unlock()
		return conn, nil
	}
	if p.conn != nil { // it died
		p.conn.Close()
		p.conn = nil
		p.crashes++
		p.logs.Write([]byte(fmt.Sprintf("[host] %s stopped unexpectedly\n", p.Found.Manifest.ID)))
	}
	now := p.h.now()
	recent := p.starts[:0]
	for _, t := range p.starts {
		if now.Sub(t) < p.h.opt.RestartWindow {
			recent = append(recent, t)
		}
	}
	p.starts = recent
	var wait time.Duration
	if p.crashes > 0 {
		if len(recent) > p.h.opt.MaxRestarts {
			p.mu.Unlock()
			return nil, i18n.Errorf("%w: %s stopped %d times in %v; see its log, and update or remove it", ErrCrashLoop, p.Found.Manifest.ID, len(recent), p.h.opt.RestartWindow)
		}
		if len(recent) > 0 {
			wait = RestartDelay(len(recent)) - now.Sub(recent[len(recent)-1])
		}
	}
	// The backoff and the start happen without the lock, so Running,
	// kill and Close are never held up by them; other callers wait on
	// starting instead of starting a second process.
	done := make(chan struct{})
	p.starting = done
	p.mu.Unlock()
	conn, err := p.launch(ctx, wait)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting = nil
	close(done)
	if err != nil {
		return nil, err
	}
	if p.stopping {
		conn.Abort()
		return nil, i18n.Errorf("the plugin host is shutting down")
	}
	p.conn = conn
	if p.h.opt.PingEvery > 0 {
		go p.watch(conn)
	}
	return conn, nil
}

// launch waits out the backoff, then starts the plugin process.
func (p *Proc) launch(ctx context.Context, wait time.Duration) (*client.Conn, error) {
	if wait > 0 {
		if err := p.h.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	conn, err := client.Launch(client.Config{Path: p.Found.Binary, Checksum: p.pin, Env: pluginEnv(), Redact: p.redact,
		Logger: hclog.New(&hclog.LoggerOptions{Name: p.Found.Manifest.ID, Output: p.logs, Level: hclog.Debug})})
	p.mu.Lock()
	p.starts = append(p.starts, p.h.now())
	if err != nil {
		// A failed start counts as a crash, so a plugin that dies at once
		// gets the same backoff and the same limit.
		p.crashes++
	}
	p.mu.Unlock()
	if err != nil {
		p.logs.Write([]byte("[host] start failed: " + err.Error() + "\n"))
		return nil, i18n.Errorf("%s: %w", p.Found.Manifest.ID, err)
	}
	// The process id, for an author attaching a debugger (dlv attach).
	fmt.Fprintf(p.logs, "[host] started %s %s (%s), process %d\n", p.Found.Manifest.ID, p.Found.Manifest.Version, p.Found.Binary, conn.Pid())
	return conn, nil
}

// watch pings a running plugin until it stops: a plugin that stops
// answering between calls is noticed and stopped, instead of failing the
// next real call after its full timeout.
func (p *Proc) watch(conn *client.Conn) {
	t := time.NewTicker(p.h.opt.PingEvery)
	defer t.Stop()
	for range t.C {
		p.mu.Lock()
		current := p.conn == conn && !p.stopping
		p.mu.Unlock()
		if !current || conn.Exited() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := conn.Ping(ctx)
		cancel()
		if err != nil && !conn.Exited() {
			p.mu.Lock()
			mine := p.conn == conn
			if mine {
				p.conn = nil
			}
			p.mu.Unlock()
			if mine {
				p.logs.Write([]byte("[host] health check failed (" + err.Error() + "); stopping the plugin\n"))
				conn.Abort()
			}
			return
		}
	}
}

// Call runs fn against the plugin with the host's per-call timeout. When
// the call times out the plugin is presumed stuck and killed, so the next
// call starts a fresh one.
//
// The timeout is Options.CallTimeout, or what WithCallTimeout put in ctx.
// A timed-out call counts as a crash (restarts back off), and
// Options.MaxTimeouts of them in a row give the plugin up (see
// WithCallTimeout); a call the plugin answers, even with an error, resets
// that count.
func (p *Proc) Call(ctx context.Context, fn func(ctx context.Context, c *client.Conn) error) error {
	timeout := p.h.callTimeout(ctx)
	if err := p.givenUp(timeout); err != nil {
		return err
	}
	conn, err := p.Conn(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = fn(cctx, conn)
	switch {
	case err == nil:
		p.answered()
		return nil
	// gRPC's own deadline timer may fire a moment before the context's,
	// so a timeout is recognised by either.
	case (errors.Is(cctx.Err(), context.DeadlineExceeded) || errors.Is(err, client.ErrTimeout)) && ctx.Err() == nil:
		p.killConn(conn, "did not answer within "+timeout.String())
		// A hang counts as a crash: restarts back off, and a plugin that
		// keeps hanging is given up like one that keeps crashing.
		p.mu.Lock()
		defer p.mu.Unlock()
		p.crashes++
		p.hangs++
		p.hangLimit = max(p.hangLimit, timeout)
		p.lastHang = time.Now()
		if p.hangs >= p.h.opt.MaxTimeouts {
			p.logs.Write([]byte(fmt.Sprintf("[host] %d calls in a row timed out; the plugin is given up for now\n", p.hangs)))
			return p.hangErr()
		}
		return i18n.Errorf("%w: %s did not answer within %v and was stopped", client.ErrTimeout, p.Found.Manifest.ID, timeout)
	case errors.Is(err, client.ErrGone) || conn.Exited():
		// The process may still be exiting when its stream breaks.
		for i := 0; i < 20 && !conn.Exited(); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if conn.Exited() {
			return i18n.Errorf("%w: %s crashed (%v); see its log", client.ErrGone, p.Found.Manifest.ID, err)
		}
	}
	if ctx.Err() == nil {
		p.answered() // it answered, if with an error
	}
	return err
}

// answered notes that the plugin answered a call: timeouts are counted in
// a row.
func (p *Proc) answered() {
	p.mu.Lock()
	p.hangs, p.hangLimit = 0, 0
	p.mu.Unlock()
}

// Health pings the plugin (starting it if needed).
func (p *Proc) Health(ctx context.Context) error {
	return p.Call(ctx, func(ctx context.Context, c *client.Conn) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return c.Ping(ctx)
	})
}

// killConn stops conn if it is still the plugin's process (a restart by
// another caller may already have replaced it).
func (p *Proc) killConn(conn *client.Conn, why string) {
	p.mu.Lock()
	mine := p.conn == conn
	if mine {
		p.conn = nil
	}
	p.mu.Unlock()
	if mine {
		p.logs.Write([]byte("[host] stopping the plugin: " + why + "\n"))
		conn.Abort()
	}
}

// kill stops the plugin at once (it is stuck, or the app is closing). The
// lock is not held while the process dies, so nothing waits on it.
func (p *Proc) kill(why string) {
	p.mu.Lock()
	conn := p.conn
	p.conn = nil
	p.mu.Unlock()
	if conn != nil {
		p.logs.Write([]byte("[host] stopping the plugin: " + why + "\n"))
		conn.Abort()
	}
}

func (p *Proc) stop() {
	p.mu.Lock()
	p.stopping = true
	p.mu.Unlock()
	p.kill("the app is closing")
	p.logs.close()
}

// Running reports whether the plugin process is up.
func (p *Proc) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn != nil && !p.conn.Exited()
}

// Log adds a line to the plugin's log from the app's side, such as the
// full text of a failure that is stored shortened per customer.
func (p *Proc) Log(line string) {
	p.logs.Write([]byte("[host] " + strings.TrimRight(line, "\n") + "\n"))
}

// Logs returns the plugin's most recent log lines, oldest first: those of
// this run, or when it has not run yet, the end of its log file.
func (p *Proc) Logs() []string {
	if l := p.logs.Lines(); len(l) > 0 {
		return l
	}
	if path := p.h.logFile(p.Found); path != "" {
		if b, err := os.ReadFile(path); err == nil {
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			return lines[max(0, len(lines)-1000):]
		}
	}
	return nil
}

// ringLog keeps the last n lines in memory and appends to a file capped at
// maxLogFile bytes, so a plugin that floods its log costs neither memory
// nor the disk. Lines are kept whole and redacted (the secrets the plugin
// was given never reach the log), so a line reaches the file once it ends.
type ringLog struct {
	mu      sync.Mutex
	lines   []string
	n       int
	partial []byte
	file    *os.File
	written int64
	dropped bool
	redact  *client.Redactor
}

const maxLogFile = 10 << 20

func newRingLog(n int, path string, redact *client.Redactor) *ringLog {
	r := &ringLog{n: n, redact: redact}
	if path != "" {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
			r.file = f
			if st, err := f.Stat(); err == nil {
				r.written = st.Size()
			}
		}
	}
	return r
}

func (r *ringLog) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data := append(r.partial, b...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		r.add(string(data[:i]))
		data = data[i+1:]
	}
	if len(data) > 4096 { // a line without end: keep its start only
		data = data[:4096]
	}
	r.partial = append([]byte(nil), data...)
	return len(b), nil
}

// add keeps one whole line, redacted.
func (r *ringLog) add(line string) {
	line = r.redact.String(line)
	if r.file != nil {
		if r.written+int64(len(line))+1 <= maxLogFile {
			n, _ := io.WriteString(r.file, line+"\n")
			r.written += int64(n)
		} else if !r.dropped {
			r.dropped = true
			io.WriteString(r.file, "[host] log file limit reached; further lines are kept in memory only\n")
		}
	}
	if len(line) > 4096 {
		line = line[:4096] + "…"
	}
	r.lines = append(r.lines, line)
	if len(r.lines) > r.n {
		r.lines = r.lines[len(r.lines)-r.n:]
	}
}

func (r *ringLog) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

func (r *ringLog) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.partial) > 0 { // the unfinished last line
		r.add(string(r.partial))
		r.partial = nil
	}
	if r.file != nil {
		r.file.Close()
		r.file = nil
	}
}
