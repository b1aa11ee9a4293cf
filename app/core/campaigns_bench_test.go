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

// BenchmarkWebhookSend measures a live send of N customers through the real
// webhook plugin to a local HTTP server, with every outcome written to the
// delivery log (goal: ≥ 2,000 messages/s), against the peer: the same
// requests posted straight from Go, 8 at a time, no plugin, no log.
//
//	go test -run '^$' -bench WebhookSend -benchtime 1x ./app/core
func BenchmarkWebhookSend(b *testing.B) {
	n := kit.Size("MB_BENCH_SEND_ROWS", 20_000)
	dir := b.TempDir()
	bundled := filepath.Join(dir, "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		b.Fatal(err)
	}
	os.Setenv(host.BundledEnv, bundled)
	defer os.Setenv(host.BundledEnv, filepath.Join(filepath.Dir(pluginsDir), "none"))
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	ctx := context.Background()
	for i := range b.N {
		w, err := Create(filepath.Join(dir, fmt.Sprintf("p%d.mbproj", i)))
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
			Config: sdk.Config{"url": srv.URL, "concurrency": "8"}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi {{.first_name}}", Text: "Hello."}}}
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

		// The peer: the same bodies posted directly, 8 at a time.
		start = time.Now()
		var wg sync.WaitGroup
		next := atomic.Int64{}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
		for range 8 {
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
		b.Logf("live send of %d messages through the webhook plugin with the delivery log: %.2f s = %.0f msg/s (goal ≥ 2,000); direct HTTP posts, no plugin or log: %.2f s = %.0f msg/s; ratio %.2f×",
			n, ours, float64(n)/ours, peer, float64(n)/peer, ours/peer)
	}
}
