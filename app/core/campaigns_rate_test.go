package core

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage/campaign"
)

// TestLiveSendRateLimit: with a cap of 600 messages a minute (one per
// 100 ms) the receiver never gets message k+1 sooner than k steps after the
// first, at concurrency 32 through the real webhook plugin. Only lower
// bounds on time are asserted, so a slow machine cannot fail it. It failed
// on the cap as first written, which counted from the start of the run:
// the plugin's start-up time became a burst (message 3 arrived 66 ms after
// the first).
func TestLiveSendRateLimit(t *testing.T) {
	bundledWebhook(t)
	var mu sync.Mutex
	var at []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "rate.mbproj")
	killProject(t, path, srv.URL, false)
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	info, err := campaign.Get(ctx, w.Project, "Kill")
	if err != nil {
		t.Fatal(err)
	}
	c := &info.Campaign
	const perMinute, n = 600, 60
	c.RatePerMinute = perMinute
	if err := campaign.Save(ctx, w.Project, c, true); err != nil {
		t.Fatal(err)
	}
	sendCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := w.SendCampaign(sendCtx, "Kill", SendOptions{Mode: campaign.Live}, nil)
		done <- err
	}()
	for {
		mu.Lock()
		got := len(at)
		mu.Unlock()
		if got >= n {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the send ended after %d messages: %v", got, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	step := time.Minute / perMinute
	for k := 1; k < len(at); k++ {
		// 40 ms of slack for the receiver's own scheduling (the first
		// arrival can be late on a loaded machine); a burst, as in the
		// bug above (66 ms where 200 were due), is far outside it.
		if min := time.Duration(k)*step - 40*time.Millisecond; at[k].Sub(at[0]) < min {
			t.Fatalf("message %d arrived %v after the first; the cap allows it no sooner than %v", k+1, at[k].Sub(at[0]), min)
		}
	}
}
