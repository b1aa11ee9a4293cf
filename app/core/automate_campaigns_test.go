package core

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/contact"
)

// A campaign paused by quiet hours is finished by a later automation run,
// as its pause message promises: a run while the quiet hours last sends
// nothing and says the messages wait; the first run after them sends each
// waiting message once and the campaign is done. A dry run resumes nothing,
// and a campaign stopped with messages never tried is left to the user.
func TestAutomateResumesPausedCampaign(t *testing.T) {
	ctx := context.Background()
	w := zoned(t)
	if err := w.SetContactPolicy(ctx, &contact.Policy{Quiet: &contact.Quiet{Start: "21:00", End: "08:00"}, TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "provider.log")
	newCampaign := func(name string) *campaign.Campaign {
		c := &campaign.Campaign{Name: name, Segment: "Everyone", Table: "customers", Plugin: "test.org/channel", Component: "bad",
			Config: sdk.Config{"mode": "ok", "log": logPath}, MaxAttempts: 1,
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi {{.first_name}}", Text: "Hello."}}}
		if err := w.SaveCampaign(ctx, c, false); err != nil {
			t.Fatal(err)
		}
		return c
	}
	newCampaign("Night")
	evening := time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC) // 22:00 in Shanghai: its 6 customers wait until 08:00
	morning := time.Date(2025, 3, 2, 0, 30, 0, 0, time.UTC) // 08:30 in Shanghai
	offset := time.Until(evening)
	rep, err := w.SendCampaign(ctx, "Night", SendOptions{Mode: campaign.Live, Now: func() time.Time { return time.Now().Add(offset) }}, nil)
	if !errors.Is(err, ErrPaused) || rep.Waiting != 6 || rep.Sent != 6 {
		t.Fatalf("the evening send: %v, %+v; want 6 sent and 6 waiting for quiet hours", err, rep)
	}
	// Stopped by the user before anything went: all its messages planned.
	stopped := newCampaign("Stopped")
	rs, err := campaign.Audience(ctx, w.Project, stopped)
	if err != nil {
		t.Fatal(err)
	}
	if err := campaign.PlanAt(ctx, w.Project, stopped, rs, evening); err != nil {
		t.Fatal(err)
	}
	campaign.SetStatus(ctx, w.Project, "Stopped", "paused")

	status := func(name string) string {
		in, err := campaign.Get(ctx, w.Project, name)
		if err != nil {
			t.Fatal(err)
		}
		return in.Status
	}
	// Still in the quiet hours: nothing goes, the messages wait.
	auto := mustRun(t, w, evening.Add(time.Hour))
	if auto.Sent != 0 || auto.Pending != 6 || !slices.Equal(auto.Campaigns, []CampaignRun{{Campaign: "Night", Waiting: 6}}) || status("Night") != "paused" {
		t.Fatalf("a run in the quiet hours: sent %d, pending %d, campaigns %+v, status %s", auto.Sent, auto.Pending, auto.Campaigns, status("Night"))
	}
	if dry, err := w.RunAutomation(ctx, AutomateOptions{Now: morning, DryRun: true}, nil); err != nil || dry.Sent != 0 || status("Night") != "paused" {
		t.Fatalf("a dry run sent %v (%v) or changed the campaign (%s)", dry, err, status("Night"))
	}
	auto = mustRun(t, w, morning)
	if auto.Sent != 6 || auto.Pending != 0 || !slices.Equal(auto.Campaigns, []CampaignRun{{Campaign: "Night", Sent: 6, Done: true}}) || status("Night") != "done" {
		t.Fatalf("the morning run: sent %d, pending %d, campaigns %+v, status %s", auto.Sent, auto.Pending, auto.Campaigns, status("Night"))
	}
	for id, r := range deliveryLog(t, w, "Night") {
		if r.status != campaign.Delivered || r.attempts != 1 {
			t.Errorf("%s: %+v, want delivered at the first attempt", id, r)
		}
	}
	keys := logKeys(t, logPath)
	if len(keys) != 12 {
		t.Errorf("the provider got %d messages, want Night's 12 (Stopped's are the user's to resume)", len(keys))
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	if auto = mustRun(t, w, morning.Add(time.Hour)); auto.Sent != 0 || len(auto.Campaigns) != 0 {
		t.Errorf("a run after the campaign was done: %+v", auto)
	}
	for id, r := range deliveryLog(t, w, "Stopped") {
		if r.status != campaign.Planned {
			t.Errorf("Stopped, %s: %+v, want still planned", id, r)
		}
	}
	if status("Stopped") != "paused" {
		t.Errorf("Stopped is %s", status("Stopped"))
	}
}

// An unattended run resumes a campaign with the channel's secrets from
// MARKETBENCH_SECRET_<NAME> (the project never stores them): the webhook's
// Authorization header reaches the receiver.
func TestAutomateResumeReadsSecrets(t *testing.T) {
	bundledWebhook(t)
	ctx := context.Background()
	w := zoned(t)
	var mu sync.Mutex
	auth := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth[r.Header.Get("Authorization")]++
		mu.Unlock()
	}))
	defer srv.Close()
	if _, err := w.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		t.Fatal(err)
	}
	if err := w.SetContactPolicy(ctx, &contact.Policy{Quiet: &contact.Quiet{Start: "21:00", End: "08:00"}, TimeZone: "Asia/Shanghai"}); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Hook", Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": srv.URL}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	// 22:00 in Shanghai, the project's zone: everyone waits.
	evening := time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC)
	offset := time.Until(evening)
	if _, err := w.SendCampaign(ctx, "Hook", SendOptions{Mode: campaign.Live, Now: func() time.Time { return time.Now().Add(offset) }}, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("the evening send: %v, want paused", err)
	}
	t.Setenv("MARKETBENCH_SECRET_AUTHORIZATION", "Bearer from-the-environment")
	auto := mustRun(t, w, time.Date(2025, 3, 2, 1, 0, 0, 0, time.UTC))
	if auto.Sent != 12 || auth["Bearer from-the-environment"] != 12 || len(auth) != 1 {
		t.Errorf("sent %d; the receiver saw Authorization headers %v", auto.Sent, auth)
	}
}
