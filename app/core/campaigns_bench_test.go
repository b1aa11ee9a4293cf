package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/bench/kit"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// BenchmarkWebhookSend measures a live send through the real webhook
// plugin to a local HTTP server, with every message marked sending and its
// outcome written in the durable delivery log, against the peer: the same
// requests posted straight from Go with as many connections, no plugin, no
// log. Cases:
//
//   - instant: the receiver answers at once; the channel's default
//     concurrency (8) and 32 (goal ≥ 2,000 msg/s);
//
//   - 50ms: the receiver answers after 50 ms, concurrency 32 (goal ≥ 500
//     msg/s; the ceiling is 32 / 50 ms = 640 msg/s).
//
//     go test -run '^$' -bench WebhookSend -benchtime 1x ./app/core
func BenchmarkWebhookSend(b *testing.B) {
	dir := b.TempDir()
	bundled := filepath.Join(dir, "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		b.Fatal(err)
	}
	os.Setenv(host.BundledEnv, bundled)
	defer os.Setenv(host.BundledEnv, filepath.Join(filepath.Dir(pluginsDir), "none"))
	fast := kit.Size("MB_BENCH_SEND_ROWS", 20_000)
	slow := kit.Size("MB_BENCH_SEND_SLOW_ROWS", 5_000)
	for _, c := range []struct {
		name    string
		n, conc int
		delay   time.Duration
		goal    float64
	}{
		{"instant/concurrency=8", fast, 8, 0, 2000},
		{"instant/concurrency=32", fast, 32, 0, 2000},
		{"50ms/concurrency=32", slow, 32, 50 * time.Millisecond, 500},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := range b.N {
				benchSend(b, filepath.Join(dir, fmt.Sprintf("%s-%d", strings.NewReplacer("/", "-", "=", "").Replace(c.name), i)), c.n, c.conc, c.delay, c.goal)
			}
		})
	}
}

func benchSend(b *testing.B, dir string, n, conc int, delay time.Duration, goal float64) {
	os.MkdirAll(dir, 0o755)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if delay > 0 {
			time.Sleep(delay)
		}
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	ctx := context.Background()
	w, err := Create(filepath.Join(dir, "p.mbproj"))
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("customer_id,first_name,email,email_consent\n")
	for k := range n {
		fmt.Fprintf(&sb, "C%07d,Ann,c%d@example.com,true\n", k, k)
	}
	csv := filepath.Join(dir, "c.csv")
	os.WriteFile(csv, []byte(sb.String()), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		b.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "All", "customers", "email IS NOT EMPTY"); err != nil {
		b.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		b.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Bench", Segment: "All", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": srv.URL, "concurrency": fmt.Sprint(conc)}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi {{.first_name}}", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		b.Fatal(err)
	}
	hits.Store(0)
	start := time.Now()
	rep, err := w.SendCampaign(ctx, "Bench", SendOptions{Mode: campaign.Live}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ours := time.Since(start).Seconds()
	if rep.Sent != n || hits.Load() != int64(n) {
		b.Fatalf("sent %d, server got %d, want %d", rep.Sent, hits.Load(), n)
	}
	w.Close()

	// The peer: the same bodies posted directly, conc at a time.
	start = time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := next.Add(1) - 1; k < int64(n); k = next.Add(1) - 1 {
				body, _ := json.Marshal(map[string]string{"id": fmt.Sprint(k), "to": fmt.Sprintf("c%d@example.com", k), "subject": "Hi Ann", "text": "Hello."})
				resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(body))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	peer := time.Since(start).Seconds()
	met := "met"
	if float64(n)/ours < goal {
		met = "NOT met"
	}
	b.ReportMetric(float64(n)/ours, "msg/s")
	b.ReportMetric(float64(n)/peer, "peer_msg/s")
	b.ReportMetric(ours/peer, "x_peer")
	b.Logf("live send of %d messages through the webhook plugin at concurrency %d with the delivery log: %.2f s = %.0f msg/s (goal ≥ %.0f: %s); direct HTTP posts, %d at a time, no plugin or log: %.2f s = %.0f msg/s; ratio %.2f×; load %s",
		n, conc, ours, float64(n)/ours, goal, met, conc, peer, float64(n)/peer, ours/peer, loadAvg())
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
