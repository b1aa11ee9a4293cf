package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// zoo is a project whose campaign "Spring sale" goes through a fault-zoo
// plugin, with the provider's log and the plugin's "received" file in
// dir. idempotent says whether the campaign treats the channel as
// honouring idempotency keys.
type zoo struct {
	w             *Workspace
	c             *campaign.Campaign
	log, received string
}

func newZoo(t *testing.T, plugin, component string, cfg sdk.Config, idempotent bool) *zoo {
	t.Helper()
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	t.Cleanup(func() { w.Close() })
	if _, err := w.EnablePlugin(ctx, plugin); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	z := &zoo{w: w, log: filepath.Join(dir, "provider.log"), received: filepath.Join(dir, "received.log")}
	cfg["log"] = z.log
	if plugin == "test.org/zoo" {
		cfg["received"] = z.received
	}
	c := spring(cfg)
	c.Plugin, c.Component, c.HoldoutPercent = plugin, component, 0
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	c.Idempotent = idempotent
	if err := campaign.Save(ctx, w.Project, c, true); err != nil {
		t.Fatal(err)
	}
	z.c = c
	return z
}

// ids reads the customer ids (last field) or keys (first) of a log file.
func fileKeys(path string) []string {
	b, _ := os.ReadFile(path)
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, _, ok := strings.Cut(l, " "); ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// byStatus returns the idempotency keys of the deliveries in a status.
func (z *zoo) byStatus(t *testing.T, status string) []string {
	t.Helper()
	rows, err := z.w.DB().Query(`SELECT idempotency_key FROM mb_deliveries WHERE campaign = ? AND status = ? ORDER BY 1`, z.c.Name, status)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		out = append(out, k)
	}
	return out
}

// check asserts the delivery log against what the plugin really got:
// every delivered message is at the provider; every message at the
// provider is delivered or unknown (or, with keys, may be sent again: the
// provider drops the duplicate); unknown only messages the plugin
// received; nothing left sending, nothing rejected for the plugin's fault.
func (z *zoo) check(t *testing.T, wantUnknown int) {
	t.Helper()
	delivered, unknown := z.byStatus(t, campaign.Delivered), z.byStatus(t, campaign.Unknown)
	provider := fileKeys(z.log)
	for _, k := range delivered {
		if !slices.Contains(provider, k) {
			t.Errorf("%s is logged delivered but the provider does not have it", k)
		}
	}
	for _, k := range provider {
		if !slices.Contains(delivered, k) && !slices.Contains(unknown, k) && !z.c.Idempotent {
			t.Errorf("%s reached the provider but is neither delivered nor unknown: it would be sent twice", k)
		}
	}
	if z.c.Plugin != "test.org/wire" {
		received := fileKeys(z.received)
		for _, k := range unknown {
			if !slices.Contains(received, k) {
				t.Errorf("%s is unknown but the plugin never received it", k)
			}
		}
	}
	if len(unknown) != wantUnknown {
		t.Errorf("%d unknown %v, want %d", len(unknown), unknown, wantUnknown)
	}
	if n := len(z.byStatus(t, campaign.Sending)) + len(z.byStatus(t, campaign.Rejected)); n > 0 {
		t.Errorf("%d deliveries left sending or rejected", n)
	}
}

func oneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("the send did not stop")
	}
	if !errors.Is(err, ErrPaused) {
		t.Errorf("not a pause: %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || len(msg) > 400 {
		t.Errorf("the message is not one short line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
}

func (z *zoo) send(t *testing.T, opt SendOptions) (*SendReport, error, []string) {
	t.Helper()
	var warnings []string
	opt.Mode = campaign.Live
	opt.Warn = func(m string) { warnings = append(warnings, m) }
	rep, err := z.w.SendCampaign(context.Background(), z.c.Name, opt, nil)
	return rep, err, warnings
}

// A plugin that exits before the handshake received nothing: the run
// pauses after three tries, saying so, and every customer is still to
// send with no attempt counted.
func TestFaultExitBeforeHandshake(t *testing.T) {
	z := newZoo(t, "test.org/zoo-exit", "zoo", sdk.Config{"mode": "ok"}, false)
	// It worked when enabled; now it dies before its handshake.
	marker := filepath.Join(pluginsDir, "test.org", "zoo-exit", "1.0.0", "exit-now")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(marker)
	path := z.w.Path
	z.w.Close()
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	z.w = w
	_, err, warnings := z.send(t, SendOptions{})
	oneLine(t, err, "could not be started", "3 times in a row", "plugin logs test.org/zoo-exit")
	if len(warnings) != 2 {
		t.Errorf("warnings %q", warnings)
	}
	z.check(t, 0)
	var attempts int
	z.w.DB().QueryRow(`SELECT sum(attempts) FROM mb_deliveries`).Scan(&attempts)
	if attempts != 0 {
		t.Errorf("%d attempts counted for messages never handed over", attempts)
	}
}

// A plugin that crashes opening its session, again and again, received
// nothing: no customer becomes unknown, not on the first run nor on a
// resume.
func TestFaultCrashLoopBeforeAccepting(t *testing.T) {
	z := newZoo(t, "test.org/zoo", "zoo", sdk.Config{"mode": "crash-open"}, false)
	_, err, _ := z.send(t, SendOptions{})
	oneLine(t, err, "stopped while opening a sending session", "3 times in a row")
	z.check(t, 0)
	// Resumed later (the project opened again): still nobody unknown.
	path := z.w.Path
	z.w.Close()
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	z.w = w
	_, err, _ = z.send(t, SendOptions{})
	oneLine(t, err, "3 times in a row")
	z.check(t, 0)
	if planned := z.byStatus(t, campaign.Planned); len(planned) != 39 {
		t.Errorf("%d planned after two runs, want all 39", len(planned))
	}
}

// A plugin that hangs on every message: each call is given up after the
// send's timeout (shortened here from the default) and counts like a
// crash; three in a row pause the run with a message naming the timeout
// and the setting. Messages the plugin held are unknown (it may have sent
// them) with a channel without keys, and go back to planned with one.
func TestFaultHang(t *testing.T) {
	for _, idem := range []bool{false, true} {
		t.Run(map[bool]string{false: "no keys", true: "keys"}[idem], func(t *testing.T) {
			z := newZoo(t, "test.org/zoo", "zoo", sdk.Config{"mode": "hang", "concurrency": "4"}, idem)
			start := time.Now()
			_, err, warnings := z.send(t, SendOptions{Timeout: 300 * time.Millisecond})
			oneLine(t, err, "did not answer within 300ms, 3 times in a row", "--timeout 600ms")
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %v", d)
			}
			if len(warnings) != 2 || !strings.Contains(warnings[0], "did not answer within 300ms") {
				t.Errorf("warnings %q", warnings)
			}
			received := fileKeys(z.received)
			// 4 in flight at the first timeout, then one at a time.
			if len(received) != 6 {
				t.Errorf("the plugin received %d messages, want 4 + 1 + 1", len(received))
			}
			if idem {
				z.check(t, 0)
			} else {
				z.check(t, len(received))
			}
		})
	}
}

// A panic in Send (recovered by the SDK) is the plugin's bug: the run
// pauses with the panic's first line, the customer is not rejected, and
// the full text goes to the plugin's log.
func TestFaultPanicInSend(t *testing.T) {
	for _, idem := range []bool{false, true} {
		t.Run(map[bool]string{false: "no keys", true: "keys"}[idem], func(t *testing.T) {
			z := newZoo(t, "test.org/zoo", "zoo", sdk.Config{"mode": "panic"}, idem)
			_, err, _ := z.send(t, SendOptions{})
			oneLine(t, err, "test.org/zoo has a bug", "assignment to entry in nil map")
			want := 0
			if !idem {
				want = len(fileKeys(z.received))
				if want != 1 {
					t.Errorf("the plugin received %d messages before the pause, want 1", want)
				}
			}
			z.check(t, want)
			logs, _ := z.w.PluginLogs(context.Background(), "test.org/zoo")
			if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "goroutine") }) {
				t.Errorf("the panic's stack is not in the plugin's log (%d lines)", len(logs))
			}
			var reason string
			z.w.DB().QueryRow(`SELECT coalesce(max(reason), '') FROM mb_deliveries`).Scan(&reason)
			if strings.Contains(reason, "\n") || len(reason) > 210 {
				t.Errorf("stored reason %q", reason)
			}
		})
	}
}

// A plugin that prints one 1 MB line on stdout must not block: every
// message is delivered.
func TestFaultLongStdoutLine(t *testing.T) {
	z := newZoo(t, "test.org/zoo", "zoo", sdk.Config{"mode": "stdout"}, false)
	_, err, _ := z.send(t, SendOptions{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	z.check(t, 0)
	if n := len(z.byStatus(t, campaign.Delivered)); n != 39 {
		t.Errorf("%d delivered, want 39", n)
	}
}

// A channel without idempotency keys that answers a message twice, or for
// a message it was never sent, is refused: the run pauses and says so;
// what was really delivered is logged as such, and only a message the
// plugin got and never answered for is unknown.
func TestFaultLyingResults(t *testing.T) {
	for _, c := range []struct {
		mode, want string
		unknown    int
	}{
		{"extra", "after every message had its result (an extra result)", 0},
		{"unknown-id", `answered for message "not-`, 1},
	} {
		t.Run(c.mode, func(t *testing.T) {
			z := newZoo(t, "test.org/wire", "wire", sdk.Config{"mode": c.mode}, false)
			_, err, _ := z.send(t, SendOptions{})
			oneLine(t, err, "test.org/wire failed while sending", c.want)
			z.check(t, c.unknown)
			if n := len(fileKeys(z.log)); n == 0 || n > 20 {
				t.Errorf("the plugin got %d messages; the run should stop soon after the first lie", n)
			}
		})
	}
}
