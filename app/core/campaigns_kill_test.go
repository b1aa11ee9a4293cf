package core

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

var (
	webhookOnce sync.Once
	webhookDir  string
	webhookErr  error
)

// bundledWebhook builds the webhook plugin once per test run.
func bundledWebhook(t *testing.T) string {
	t.Helper()
	webhookOnce.Do(func() {
		webhookDir = filepath.Join(filepath.Dir(pluginsDir), "bundled-webhook")
		_, webhookErr = host.Bundle("../../plugins", webhookDir, "webhook")
	})
	if webhookErr != nil {
		t.Fatal(webhookErr)
	}
	t.Setenv(host.BundledEnv, webhookDir)
	return webhookDir
}

// receiver is a local webhook endpoint that answers after a delay and
// counts what it processed per idempotency key. An idempotent one
// processes a key once and answers a repeat without processing it.
type receiver struct {
	*httptest.Server
	idempotent bool
	mu         sync.Mutex
	processed  map[string]int
	requests   int
	active     int // requests being answered now
}

func newReceiver(t *testing.T, idempotent bool, delay time.Duration) *receiver {
	r := &receiver{idempotent: idempotent, processed: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.active++
		r.mu.Unlock()
		time.Sleep(delay)
		key := req.Header.Get("Idempotency-Key")
		r.mu.Lock()
		r.active--
		r.requests++
		if !r.idempotent || r.processed[key] == 0 {
			r.processed[key]++
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) count() (requests, keys, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.processed {
		if n > 1 {
			duplicates += n - 1
		}
	}
	return r.requests, len(r.processed), duplicates
}

// waitBusy waits until at least n requests have been answered and at
// least 16 are being answered now: a kill then lands with messages in
// flight.
func (r *receiver) waitBusy(n int) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		ok := r.requests >= n && r.active >= 16
		r.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *receiver) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.processed[key] > 0
}

const killCustomers = 1500

// killProject makes a project of killCustomers consenting customers and a
// campaign "Kill" through the webhook at concurrency 32.
func killProject(t *testing.T, path, url string, idempotent bool) {
	t.Helper()
	ctx := context.Background()
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var b strings.Builder
	b.WriteString("customer_id,first_name,email,email_consent\n")
	for i := range killCustomers {
		fmt.Fprintf(&b, "K%05d,Ann,k%d@example.com,true\n", i, i)
	}
	csv := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "All", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Kill", Segment: "All", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": url, "concurrency": "32"}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	// Whether the receiver honours the key is the user's knowledge of it.
	c.Idempotent = idempotent
	if err := campaign.Save(ctx, w.Project, c, true); err != nil {
		t.Fatal(err)
	}
}

func statusCount(t *testing.T, w *Workspace, status string) int {
	t.Helper()
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE campaign = 'Kill' AND status = ?`, status).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// finish resumes the send, settles unknowns the way a user would (checking
// the receiver), and asserts exactly once: every customer processed once,
// none missing, none twice.
func finish(t *testing.T, w *Workspace, r *receiver, idempotent bool) {
	t.Helper()
	ctx := context.Background()
	rep, err := w.SendCampaign(ctx, "Kill", SendOptions{Mode: campaign.Live}, nil)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	unknown, err := w.UnknownDeliveries(ctx, "Kill")
	if err != nil {
		t.Fatal(err)
	}
	if idempotent && len(unknown) > 0 {
		t.Errorf("%d unknown with a receiver that honours keys: they should have been sent again", len(unknown))
	}
	if len(unknown) > 32 {
		t.Errorf("%d unknown before resolution, want at most 32 (the concurrency)", len(unknown))
	}
	t.Logf("after the resume: %+v; %d unknown", rep.Counts.ByStatus, len(unknown))
	var sent, resend []string
	for _, u := range unknown {
		if r.has(u.Key) {
			sent = append(sent, u.CustomerID)
		} else {
			resend = append(resend, u.CustomerID)
		}
	}
	if len(sent) > 0 {
		if _, err := w.ResolveUnknown(ctx, "Kill", campaign.ResolveSent, sent); err != nil {
			t.Fatal(err)
		}
	}
	if len(resend) > 0 {
		if _, err := w.ResolveUnknown(ctx, "Kill", campaign.ResolveResend, resend); err != nil {
			t.Fatal(err)
		}
		if _, err := w.SendCampaign(ctx, "Kill", SendOptions{Mode: campaign.Live}, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, keys, dups := r.count()
	if keys != killCustomers || dups != 0 {
		t.Errorf("the receiver processed %d customers (want %d), %d twice (want 0)", keys, killCustomers, dups)
	}
	if n := statusCount(t, w, campaign.Delivered); n != killCustomers {
		t.Errorf("%d logged delivered, want %d", n, killCustomers)
	}
}

// The app is killed (SIGKILL) in the middle of a live send at concurrency
// 32: at most 32 deliveries are unknown before anything is settled; a
// receiver that honours keys gets each customer once after the resume,
// and one that does not gets nobody twice (unknowns are settled by the
// user after checking the receiver) and nobody is missing.
func TestCampaignAppKilledAtConcurrency32(t *testing.T) {
	if os.Getenv("MB_KILL_CHILD") != "" {
		t.Skip("parent only")
	}
	bundledWebhook(t)
	for _, idem := range []bool{true, false} {
		t.Run(map[bool]string{true: "idempotent receiver", false: "plain receiver"}[idem], func(t *testing.T) {
			// 50 ms a request: the 1,100 messages after the first 400 take over
			// a second, time enough to find and kill the plugin on a loaded machine.
			r := newReceiver(t, idem, 50*time.Millisecond)
			// Retry the timing until the kill lands with messages in
			// flight (almost always the first time at concurrency 32).
			for try := 1; ; try++ {
				proj := filepath.Join(t.TempDir(), "p.mbproj")
				killProject(t, proj, r.URL, idem)
				cmd := exec.Command(os.Args[0], "-test.run=^TestCampaignKillChild$")
				cmd.Env = append(os.Environ(), "MB_KILL_CHILD="+proj)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				r.waitBusy(300 + 100*try)
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				time.Sleep(500 * time.Millisecond) // the orphaned plugin notices and exits
				w, err := Open(proj)
				if err != nil {
					t.Fatalf("reopening after the kill: %v", err)
				}
				inFlight := statusCount(t, w, campaign.Sending)
				if inFlight > 32 {
					t.Errorf("%d deliveries were marked sending at the kill, more than the concurrency 32", inFlight)
				}
				if inFlight == 0 && try < 5 {
					w.Close()
					t.Logf("try %d: no message in flight at the kill; again", try)
					r.mu.Lock()
					r.processed, r.requests = map[string]int{}, 0
					r.mu.Unlock()
					continue
				}
				if inFlight == 0 {
					t.Fatal("no kill landed with messages in flight")
				}
				if left := statusCount(t, w, campaign.Planned); left == 0 {
					t.Fatal("the send had finished before the kill")
				}
				finish(t, w, r, idem)
				w.Close()
				return
			}
		})
	}
}

// TestCampaignKillChild is the app process the test above kills.
func TestCampaignKillChild(t *testing.T) {
	proj := os.Getenv("MB_KILL_CHILD")
	if proj == "" {
		t.Skip("run by TestCampaignAppKilledAtConcurrency32")
	}
	w, err := Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	w.SendCampaign(context.Background(), "Kill", SendOptions{Mode: campaign.Live}, nil)
	t.Fatal("the send finished before the parent killed it")
}

// pluginPID finds this process's child running the program at bin.
func pluginPID(t *testing.T, bin string) int {
	t.Helper()
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			pid, _ := strconv.Atoi(s)
			if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == bin {
				return pid
			}
		}
	}
	return 0
}

// The plugin is killed (SIGKILL) mid-send at concurrency 32: the send
// restarts it and carries on; at most 32 messages were in flight, which
// are sent again under their keys to a receiver that honours them, or
// left unknown for the user otherwise; nobody twice, nobody missing.
func TestCampaignPluginKilledAtConcurrency32(t *testing.T) {
	dir := bundledWebhook(t)
	bins, _ := filepath.Glob(filepath.Join(dir, "webhook", "webhook*"))
	if len(bins) != 1 {
		t.Fatalf("webhook binary: %v", bins)
	}
	bin, _ := filepath.EvalSymlinks(bins[0])
	for _, idem := range []bool{true, false} {
		t.Run(map[bool]string{true: "idempotent receiver", false: "plain receiver"}[idem], func(t *testing.T) {
			// 50 ms a request: the 1,100 messages after the first 400 take over
			// a second, time enough to find and kill the plugin on a loaded machine.
			r := newReceiver(t, idem, 50*time.Millisecond)
			proj := filepath.Join(t.TempDir(), "p.mbproj")
			killProject(t, proj, r.URL, idem)
			w, err := Open(proj)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			var warnings []string
			var mu sync.Mutex
			done := make(chan error, 1)
			go func() {
				_, err := w.SendCampaign(context.Background(), "Kill", SendOptions{Mode: campaign.Live, Warn: func(m string) {
					mu.Lock()
					warnings = append(warnings, m)
					mu.Unlock()
				}}, nil)
				done <- err
			}()
			r.waitBusy(400)
			pid := pluginPID(t, bin)
			if pid == 0 {
				t.Fatal("the webhook plugin process was not found")
			}
			syscall.Kill(pid, syscall.SIGKILL)
			if err := <-done; err != nil {
				t.Fatalf("the send did not carry on after the plugin was killed: %v", err)
			}
			mu.Lock()
			w0 := strings.Join(warnings, "\n")
			mu.Unlock()
			if !strings.Contains(w0, "stopped while sending") {
				t.Errorf("no warning about the crash: %q", w0)
			}
			unknown := statusCount(t, w, campaign.Unknown)
			if !idem && unknown == 0 {
				t.Error("no message was in flight at the kill (want 1 to 32 unknown)")
			}
			finish(t, w, r, idem)
		})
	}
}
