package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestDemoCampaignRecommendations: the demo project comes with each
// customer's recommended products, so a campaign written on the Campaigns
// screen with {{.recommendations}} shows them by name in the preview's
// messages.
func TestDemoCampaignRecommendations(t *testing.T) {
	src := testChannel(t)
	ws := demo(t)
	if _, err := ws.InstallPlugin(src); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	enableOnScreen(t, w, p, filepath.Join(t.TempDir(), "provider.log"))
	p.goTo("Campaigns")
	idle(t, p)
	e := p.campaigns.editor
	e.name.SetText("Picked for you")
	e.segSel.SetSelected("Consenting champions")
	e.holdout.SetText("0")
	v := e.variants[0]
	v.subject.SetText("For you, {{.first_name}}")
	v.text.SetText("We picked {{.recommendations}} for you.")
	if v.problems.Visible() {
		t.Fatalf("template problems: %q", v.problems.Text)
	}
	test.Tap(e.saveBtn)
	idle(t, p)
	noDialog(t, w, "saving")
	p.campaigns.tabs.SelectIndex(1)
	test.Tap(p.campaigns.preview.btn)
	idle(t, p)
	noDialog(t, w, "the preview")
	pv := p.campaigns.preview.last
	if pv == nil || len(pv.Samples) == 0 {
		t.Fatalf("preview %+v", pv)
	}
	sm := pv.Samples[0]
	var first string
	if err := ws.Q().QueryRowContext(context.Background(), `SELECT product_name FROM recommendations WHERE customer_id = ? AND rank = 1`, sm.CustomerID).Scan(&first); err != nil {
		t.Fatal(err)
	}
	card := p.campaigns.preview.samples.Objects[0].(*widget.Card)
	shown := strings.Join(labels(card), " ")
	if !strings.Contains(shown, "We picked "+first+", ") || !strings.Contains(shown, " and ") {
		t.Errorf("the message of customer %s does not list their picks (first %q): %q", sm.CustomerID, first, shown)
	}
}
