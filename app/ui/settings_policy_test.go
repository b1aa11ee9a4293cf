package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/storage/contact"
)

// The contact policy is edited on the Settings screen: caps, quiet hours
// and the project's time zone are saved to the project; a cap of 0 is
// refused with the reason, and the screen still fits 1024×700 with caps.
func TestSettingsContactPolicy(t *testing.T) {
	ctx := context.Background()
	w, p := open(t, demo(t))
	w.win.Resize(minWindow)
	p.goTo("Settings")
	idle(t, p)
	pp := p.settings.policy
	if !strings.Contains(pp.status.Text, "No caps and no quiet hours") {
		t.Errorf("a new project's policy: %q", pp.status.Text)
	}
	test.Tap(button(t, p.content, "Add a cap"))
	test.Tap(button(t, p.content, "Add a cap"))
	if len(pp.rows) != 2 {
		t.Fatalf("%d cap rows, want 2", len(pp.rows))
	}
	pp.rows[1].channel.SetText("marketbench.org/webhook/webhook")
	pp.rows[1].max.SetText("2")
	pp.rows[1].window.SetText("7d")
	test.Tap(pp.quietOn)
	test.Type(pp.start, "21:00")
	test.Type(pp.end, "08:00")
	pp.zone.SetText("Asia/Shanghai")
	test.Tap(button(t, p.content, "Save the policy"))
	idle(t, p)
	if !strings.Contains(pp.status.Text, "Saved") {
		t.Fatalf("after saving: %q", pp.status.Text)
	}
	pol, err := p.ws.ContactPolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []contact.Cap{{Max: 1, Hours: 24}, {Channel: "marketbench.org/webhook/webhook", Max: 2, Hours: 168}}
	if len(pol.Caps) != 2 || pol.Caps[0] != want[0] || pol.Caps[1] != want[1] || pol.Quiet == nil ||
		*pol.Quiet != (contact.Quiet{Start: "21:00", End: "08:00"}) || pol.TimeZone != "Asia/Shanghai" {
		t.Errorf("saved %+v (quiet %+v)", pol, pol.Quiet)
	}
	// With two caps the screen still fits the smallest window.
	budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
	if m := p.content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
		t.Errorf("the Settings screen needs %v, more than %v", m, budget)
	}

	// A cap of 0 is refused with the reason; the saved policy stays.
	pp.rows[0].max.SetText("0")
	test.Tap(button(t, p.content, "Save the policy"))
	idle(t, p)
	if !strings.Contains(pp.status.Text, "cap 1: a frequency cap of 0 messages lets nothing through") {
		t.Errorf("a cap of 0: %q", pp.status.Text)
	}
	pp.rows[0].max.SetText("1")
	pp.start.SetText("25:00")
	test.Tap(button(t, p.content, "Save the policy"))
	idle(t, p)
	if !strings.Contains(pp.status.Text, `"25:00" is not a time of day`) {
		t.Errorf("25:00: %q", pp.status.Text)
	}
	if again, _ := p.ws.ContactPolicy(ctx); len(again.Caps) != 2 || again.Caps[0].Max != 1 || again.Quiet.Start != "21:00" {
		t.Errorf("a refused edit changed the policy: %+v", again)
	}

	// Removing a cap, and the editor shows what is saved on the next visit.
	test.Tap(must(t, pp.caps, "remove button", func(b *widget.Button) bool { return b.Icon == theme.DeleteIcon() }))
	pp.start.SetText("22:00")
	test.Tap(button(t, p.content, "Save the policy"))
	idle(t, p)
	p.goTo("Data")
	p.goTo("Settings")
	idle(t, p)
	if len(pp.rows) != 1 || pp.rows[0].max.Text != "2" || pp.start.Text != "22:00" || pp.zone.Text != "Asia/Shanghai" {
		t.Errorf("reloaded: %d caps, quiet from %q, zone %q", len(pp.rows), pp.start.Text, pp.zone.Text)
	}
}
