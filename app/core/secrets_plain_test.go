package core

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// A secret setting given as a plain one is refused when channel settings
// or a campaign are saved, and the value is nowhere in the project file.
func TestSecretRefusedAsPlainSetting(t *testing.T) {
	ctx := context.Background()
	w := journeyProject(t, 3)
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	const value = "Bearer plain-3f9e27-refused"
	cfg := sdk.Config{"url": "https://example.com/hook", "authorization": value}
	err := w.SaveChannelSettings(ctx, "marketbench.org/webhook", "webhook", cfg)
	if err == nil || !strings.Contains(err.Error(), "authorization") || !strings.Contains(err.Error(), "secret") {
		t.Errorf("channel settings with a secret: %v", err)
	}
	c := &campaign.Campaign{Name: "Leaky", Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: cfg, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err == nil || !strings.Contains(err.Error(), "authorization") {
		t.Errorf("a campaign with a secret in its settings: %v", err)
	}
	if cs, _ := w.Campaigns(ctx); len(cs) != 0 {
		t.Errorf("a campaign was saved: %+v", cs)
	}
	if saved, _ := w.ChannelSettings(ctx, "marketbench.org/webhook", "webhook"); saved != nil {
		t.Errorf("settings were saved: %v", saved)
	}
	path := w.Path
	w.Close()
	for _, f := range []string{path, path + ".wal"} {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), "plain-3f9e27") {
			t.Errorf("%s holds the value", f)
		}
	}
}
