package core

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/storage/journey"
)

// bundledDemoPlugins makes the bundled plugins the headless demo uses the
// bundled ones for this test: the webhook (its campaign) and the outbox
// (its journeys).
func bundledDemoPlugins(t *testing.T) { bundledPlugins(t, "bundled-demo", "webhook", "outbox") }

var bundles sync.Map // folder name → *bundle

type bundle struct {
	once sync.Once
	dir  string
	err  error
}

// bundledPlugins builds the named first-party plugins into a folder of
// that name, once per test run, and makes them the bundled ones for t.
func bundledPlugins(t *testing.T, folder string, names ...string) {
	t.Helper()
	v, _ := bundles.LoadOrStore(folder, &bundle{})
	b := v.(*bundle)
	b.once.Do(func() {
		b.dir = filepath.Join(filepath.Dir(pluginsDir), folder)
		_, b.err = host.Bundle("../../plugins", b.dir, names...)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	t.Setenv(host.BundledEnv, b.dir)
}

// outboxLines reads the outbox: one JSON object per line.
func outboxLines(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("outbox line %q: %v", sc.Text(), err)
		}
		s := map[string]string{}
		for k, v := range m {
			if str, ok := v.(string); ok {
				s[k] = str
			}
		}
		out = append(out, s)
	}
	return out
}

// The headless demo creates the two journeys and runs the automation once:
// the win-back takes in the customers already "At Risk" and sends their
// offer to the outbox file, once each, as the delivery log records; the
// welcome series takes its baseline. The report says so.
func TestDemoJourneys(t *testing.T) {
	bundledDemoPlugins(t)
	ctx := context.Background()
	dir := t.TempDir()
	res, err := RunDemo(ctx, dir, DemoOptions{Customers: 2000, Orders: 16000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(res.Project)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	all, err := journey.List(ctx, w.Project)
	if err != nil || len(all) != 2 || all[0].Status != journey.Active || all[1].Status != journey.Active {
		t.Fatalf("journeys %+v, %v", all, err)
	}
	names := map[string]bool{all[0].Name: true, all[1].Name: true}
	if !names["Welcome new buyers"] || !names["Win back At Risk"] {
		t.Fatalf("journeys %v", names)
	}
	outbox := filepath.Join(dir, "demo-outbox", "outbox.jsonl")
	lines := outboxLines(t, outbox)
	var delivered, inSegment int
	w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE campaign = 'Win back At Risk › offer' AND status = 'delivered'`).Scan(&delivered)
	w.DB().QueryRow(`SELECT count(*) FROM rfm_scores WHERE rfm_segment = 'At Risk'`).Scan(&inSegment)
	if len(lines) == 0 || len(lines) != delivered {
		t.Fatalf("the outbox holds %d messages, the delivery log %d delivered", len(lines), delivered)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if l["campaign"] != "Win back At Risk › offer" || seen[l["id"]] || !strings.Contains(l["to"], "@") ||
			!(strings.HasPrefix(l["subject"], "We miss you, ") || l["subject"] == "What is new") {
			t.Fatalf("outbox line %v", l)
		}
		seen[l["id"]] = true
	}
	if inSegment == 0 || len(lines) >= inSegment {
		t.Errorf("%d sent of %d At Risk customers: the holdout and those without consent should get nothing", len(lines), inSegment)
	}
	for _, want := range []string{"## Journeys", `"Welcome new buyers" welcomes first-time buyers`, `"Win back At Risk" takes in the customers of the RFM segment At Risk`,
		"marketbench automate install -p " + res.Project, "0 customers entered \"Welcome new buyers\"", outbox} {
		if !strings.Contains(res.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.Summary)
		}
	}
	if !strings.Contains(res.Summary, fmt.Sprintf("%d entered \"Win back At Risk\"; %d messages sent", inSegment, len(lines))) || strings.Contains(res.Summary, "Problem:") {
		t.Errorf("summary, want %d entered the win-back and %d sent:\n%s", inSegment, len(lines), res.Summary)
	}

	// Later runs: first-time buyers get the welcome, and those who
	// consented their picks three days later; the win-back's customers get
	// the reminder a week after the offer (none of them ordered since).
	rows, err := w.DB().Query(`SELECT customer_id, email_consent FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders) ORDER BY customer_id LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	var more []string
	consenting := map[string]bool{}
	for rows.Next() {
		var id string
		var ok bool
		rows.Scan(&id, &ok)
		if ok {
			consenting[id] = true
		}
		more = append(more, fmt.Sprintf("NEW-%s,%s,%s,P0001,1,20,20,web", id, id, time.Now().Format("2006-01-02")))
	}
	rows.Close()
	appendDemoOrders(t, w, more)
	start := time.Now()
	mustRun(t, w, start.Add(time.Hour))
	mustRun(t, w, start.Add(4*24*time.Hour+2*time.Hour))
	mustRun(t, w, start.Add(8*24*time.Hour+2*time.Hour))
	got := map[string][]string{}
	for _, l := range outboxLines(t, outbox) {
		step := strings.TrimPrefix(l["campaign"], "Welcome new buyers › ")
		step = strings.TrimPrefix(step, "Win back At Risk › ")
		got[step] = append(got[step], l["id"])
	}
	slices.Sort(got["welcome"])
	slices.Sort(got["picks"])
	want := slices.Sorted(maps.Keys(consenting))
	if len(want) == 0 || !slices.Equal(got["welcome"], want) || !slices.Equal(got["picks"], want) {
		t.Errorf("welcomes to %v and picks to %v, want both to the new buyers with consent %v", got["welcome"], got["picks"], want)
	}
	offered := slices.Sorted(maps.Keys(seen))
	slices.Sort(got["reminder"])
	if !slices.Equal(got["reminder"], offered) {
		t.Errorf("reminders to %d customers, want the %d who got the first offer", len(got["reminder"]), len(offered))
	}
}
