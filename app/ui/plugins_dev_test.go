package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// A development build ('plugin dev') is badged on the Plugins screen, and
// a live send through it asks once more before anything goes out.
func TestDevBuildBadgeAndLiveConfirm(t *testing.T) {
	src := testChannel(t)
	ws := shop(t)
	ctx := context.Background()
	user, _ := host.UserDir()
	if _, _, err := host.DevInstall(src, user); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "provider.log")
	c := &campaign.Campaign{Name: "Dev", Segment: "Everyone", Plugin: "test.org/channel", Component: "bad",
		Config: sdk.Config{"mode": "ok", "log": logPath}, HoldoutPercent: 10,
		Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello {{.first_name}}"}}}
	if err := ws.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Plugins")
	idle(t, p)
	ps := p.plugins
	if len(ps.list) != 1 || ps.grid.rows[0][2] != "⚠ development build" {
		t.Fatalf("plugin rows %q", ps.grid.rows)
	}
	ps.grid.table.Select(widget.TableCellID{Row: 0})
	idle(t, p)
	if !strings.Contains(ps.title.Text, "development build") || !strings.Contains(ps.about.Text, "Development build from") {
		t.Errorf("detail %q / %q", ps.title.Text, ps.about.Text)
	}

	p.goTo("Campaigns")
	idle(t, p)
	s := p.campaigns
	s.grid.table.Select(widget.TableCellID{Row: 0})
	idle(t, p)
	v := s.send
	s.tabs.SelectIndex(2)
	v.mode.SetSelected(modeLive)
	test.Tap(v.sendBtn)
	idle(t, p)
	n := contacted(s.preview.last)
	tapDialogButton(t, w, fmt.Sprintf("Send to %d customers", n))
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, "development build") || !strings.Contains(msg, "Real customers") {
		t.Fatalf("no confirmation for the development build: %s", msg)
	}
	if got := len(providerLog(t, logPath)); got != 0 {
		t.Fatalf("%d messages went out before the confirmation", got)
	}
	tapDialogButton(t, w, "Send through the development build")
	idle(t, p)
	noDialog(t, w, "sending through the development build")
	if got := len(providerLog(t, logPath)); got != n {
		t.Fatalf("the provider got %d customers, want %d (%s)", got, n, v.stage.Text)
	}
}
