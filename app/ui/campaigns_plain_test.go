package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// Issue 10's campaign findings, each as a flow on the screen.

// labels is the text of every label under o, and of every cell of the
// grids given.
func labels(o fyne.CanvasObject, grids ...*grid) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *fyne.Container:
			for _, k := range x.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(x).Objects() {
				walk(k)
			}
		}
	}
	walk(o)
	for _, g := range grids {
		out = append(out, g.cols...)
		for _, r := range g.rows {
			out = append(out, r...)
		}
	}
	return out
}

// rawNumber is what must never reach the screen: NaN, infinities and
// floats in exponent notation or with a dozen digits.
var rawNumber = regexp.MustCompile(`NaN|Inf|\de[-+]\d|\d\.\d{6,}`)

// liveShop is the shop with the test channel enabled and a campaign sent
// live through core: customers have it, nobody has responded yet.
func liveShop(t *testing.T, holdout float64) *core.Workspace {
	t.Helper()
	src := testChannel(t)
	ws := shop(t)
	ctx := context.Background()
	if _, err := ws.InstallPlugin(src); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Sent", Segment: "Everyone", Plugin: "test.org/channel", Component: "bad",
		Config: sdk.Config{"mode": "ok", "log": filepath.Join(t.TempDir(), "provider.log")}, HoldoutPercent: holdout,
		Variants: []campaign.Variant{{Name: "A", Percent: 50, Subject: "Hi", Text: "Hello {{.first_name}}"}, {Name: "B", Percent: 50, Subject: "Yo", Text: "Hey"}}}
	if err := ws.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	return ws
}

// Before any response the Results tab says "not enough data yet", and no
// NaN or raw float shows anywhere: labels, the table or the chart.
func TestCampaignResultsBeforeResponses(t *testing.T) {
	ws := liveShop(t, 20)
	if _, err := ws.SendCampaign(context.Background(), "Sent", core.SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Campaigns")
	idle(t, p)
	s := p.campaigns
	s.grid.table.Select(widget.TableCellID{Row: 0})
	idle(t, p)
	s.tabs.SelectIndex(3)
	r := s.results
	test.Tap(r.showBtn)
	idle(t, p)
	noDialog(t, w, "the results")
	if !strings.HasPrefix(r.info.Text, "Not enough data yet: no conversion is recorded among the") {
		t.Errorf("info %q", r.info.Text)
	}
	if len(r.verdicts.Objects) != 0 || r.chart.img.Image != nil || !strings.HasPrefix(r.chart.msg.Text, "Not enough data yet") {
		t.Errorf("%d verdicts; chart message %q", len(r.verdicts.Objects), r.chart.msg.Text)
	}
	if len(r.table.rows) != 3 || r.table.rows[0][0] != "holdout (control)" {
		t.Errorf("groups %v", r.table.rows)
	}
	for _, l := range labels(w.win.Content(), r.table) {
		if rawNumber.MatchString(l) {
			t.Errorf("on screen: %q", l)
		}
	}
}

// One plain sentence per variant: a likely-real win, chance, and too few.
func TestCampaignVerdictSentences(t *testing.T) {
	_, p := open(t, shop(t))
	p.goTo("Campaigns")
	idle(t, p)
	r := p.campaigns.results
	rep, err := abtest.Analyze(abtest.Group{Name: campaign.Holdout, N: 5000, Conversions: 250},
		[]abtest.Group{{Name: "A", N: 5000, Conversions: 355}, {Name: "B", N: 5000, Conversions: 262}, {Name: "C", N: 40, Conversions: 2}},
		abtest.Options{Adjust: abtest.AdjustHolm})
	if err != nil {
		t.Fatal(err)
	}
	r.name = "Fabricated"
	r.setResults(&core.Results{Reports: map[string]*abtest.Report{"conversion": rep}})
	idle(t, p)
	var got []string
	for _, o := range r.verdicts.Objects {
		got = append(got, o.(*widget.Label).Text)
	}
	want := []string{
		"Variant A: conversion rate 2.1 points better than the holdout (7.1% against 5.0%); that is likely real (over 99.9% chance it is better).",
		"Variant B: conversion rate 0.2 points better than the holdout (5.2% against 5.0%), but that could be chance (70.7% chance it is really better): too early to tell.",
		"Variant C: too early to tell. So far 2 customers with a conversion in it and 250 in the holdout; the difference can still go either way.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("verdicts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.chart.img.Image == nil {
		t.Errorf("no chart: %q", r.chart.msg.Text)
	}
}

// The split is explained on the Preview tab (hashing, expected against
// actual counts) and again, with the "too few customers" warning, in the
// dialog that confirms a live send. The status lines follow what happened:
// a dry run, then a send in progress.
func TestCampaignSplitAndStatus(t *testing.T) {
	ws := liveShop(t, 10)
	w, p := open(t, ws)
	p.goTo("Campaigns")
	idle(t, p)
	s := p.campaigns
	s.grid.table.Select(widget.TableCellID{Row: 0})
	idle(t, p)
	s.tabs.SelectIndex(1)
	test.Tap(s.preview.btn)
	idle(t, p)
	noDialog(t, w, "the preview")
	pv := s.preview.last
	hold := pv.Groups[campaign.Holdout]
	n := sum(pv.Groups)
	if !strings.Contains(s.preview.split.Text, "decided by a hash of the campaign name and the customer id") ||
		!strings.Contains(s.preview.split.Text, fmt.Sprintf("of %d customers, 10%% planned for the holdout means about 4", n)) ||
		!strings.Contains(s.preview.split.Text, fmt.Sprintf("(it got %d)", hold)) || !s.preview.split.Visible() {
		t.Errorf("split %q", s.preview.split.Text)
	}
	g := s.preview.groups
	if len(g.cols) != 6 || g.cols[4] != "Expected" || g.rows[2][0] != "holdout (gets nothing)" || g.rows[2][4] != "4" {
		t.Errorf("groups %v %v", g.cols, g.rows)
	}
	if !s.preview.warn.Visible() || !strings.Contains(s.preview.warn.Text, "Too few customers to tell a real difference: the holdout gets") {
		t.Errorf("warning %q", s.preview.warn.Text)
	}

	// The status before and after a dry run.
	s.tabs.SelectIndex(2)
	v := s.send
	if !strings.Contains(v.status.Text, "try a dry run") {
		t.Errorf("status before %q", v.status.Text)
	}
	test.Tap(v.sendBtn)
	idle(t, p)
	if strings.Contains(v.status.Text, "try a dry run") || !strings.Contains(v.status.Text, "The dry run found everything in order. Nothing has gone to customers yet") {
		t.Errorf("status after the dry run %q", v.status.Text)
	}

	// The confirmation explains the split and warns.
	v.mode.SetSelected(modeLive)
	test.Tap(v.sendBtn)
	idle(t, p)
	msg := topText(t, w)
	if !strings.Contains(msg, "decided by a hash") || !strings.Contains(msg, "Too few customers") {
		t.Fatalf("confirmation: %s", msg)
	}
	// Slow sends, so the run can be watched: the status never says that
	// nothing was sent while the bar counts messages.
	cfg := sdk.Config{"mode": "slow", "log": filepath.Join(t.TempDir(), "slow.log")}
	in, _ := campaign.Get(context.Background(), ws.Project, "Sent")
	in.Config = cfg
	if err := campaign.Save(context.Background(), ws.Project, &in.Campaign, true); err != nil {
		t.Fatal(err)
	}
	tapDialogButton(t, w, fmt.Sprintf("Send to %d customers", contacted(pv)))
	end := time.Now().Add(30 * time.Second)
	for !strings.HasPrefix(v.stage.Text, "Sent ") {
		if time.Now().After(end) {
			t.Fatalf("no progress within 30s: %q", v.stage.Text)
		}
		drain()
		time.Sleep(10 * time.Millisecond)
	}
	s.refresh("") // a list refresh while sending reloads the tab
	for range 20 {
		drain()
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(v.status.Text, "Nothing has") || !strings.HasPrefix(v.status.Text, "Status: sending now") {
		t.Errorf("status while %q: %q", v.stage.Text, v.status.Text)
	}
	idle(t, p)
	if !strings.HasPrefix(v.status.Text, fmt.Sprintf("Status: sent. %d of 60 customers delivered", contacted(pv))) {
		t.Errorf("status after the send %q", v.status.Text)
	}
}

// The field picker inserts {{.field}} at the cursor of the entry last
// focused, and a typo is flagged while typing, not at Preview.
func TestCampaignMergeFields(t *testing.T) {
	w, p := open(t, shop(t))
	p.goTo("Campaigns")
	idle(t, p)
	e := p.campaigns.editor
	ve := e.variants[0]
	want := []string{"first_name", "email", "customer_id", "email_consent"}
	if strings.Join(ve.picker.Options, ",") != strings.Join(want, ",") {
		t.Fatalf("picker offers %v", ve.picker.Options)
	}
	ve.text.SetText("Hello , welcome back")
	w.win.Canvas().Focus(ve.text)
	ve.text.CursorRow, ve.text.CursorColumn = 0, len("Hello ")
	ve.picker.SetSelected("first_name")
	if ve.text.Text != "Hello {{.first_name}}, welcome back" || ve.picker.Selected != "" {
		t.Errorf("after inserting: %q (picker %q)", ve.text.Text, ve.picker.Selected)
	}
	if w.win.Canvas().Focused() != ve.text {
		t.Error("the text lost the focus")
	}
	// The subject, once focused, is where the next field goes.
	w.win.Canvas().Focus(ve.subject)
	ve.picker.SetSelected("email")
	if ve.subject.Text != "{{.email}}" {
		t.Errorf("subject %q", ve.subject.Text)
	}

	// A typo shows at once, with the field meant; fixing it clears it.
	if ve.problems.Visible() {
		t.Fatalf("problems before the typo: %q", ve.problems.Text)
	}
	w.win.Canvas().Focus(ve.text)
	ve.text.CursorColumn = len(ve.text.Text)
	test.Type(ve.text, " {{.frist_name}}")
	if !ve.problems.Visible() || ve.problems.Text != "Text: {{.frist_name}} is not a field of the customer table; did you mean {{.first_name}}?" {
		t.Errorf("after typing the typo: %q", ve.problems.Text)
	}
	ve.text.SetText("Hello {{.first_name}")
	if !strings.Contains(ve.problems.Text, "variant A, text:") {
		t.Errorf("unclosed action: %q", ve.problems.Text)
	}
	ve.text.SetText("Hello {{.first_name}}")
	if ve.problems.Visible() {
		t.Errorf("still flagged: %q", ve.problems.Text)
	}
}

// Save, Add variant and Write with AI stay on screen in a 1024×700 window,
// however long the form is, and the window keeps that size.
func TestCampaignEditorFits(t *testing.T) {
	w, p := open(t, shop(t))
	p.goTo("Campaigns")
	idle(t, p)
	e := p.campaigns.editor
	for range 3 {
		test.Tap(button(t, e.content, "Add variant"))
	}
	w.win.Resize(fyne.NewSize(1024, 700))
	size := w.win.Canvas().Size()
	if size.Width > 1024 || size.Height > 700 {
		t.Errorf("the window grew to %v", size)
	}
	// No tab makes the window wider or taller than the screen.
	for i, it := range p.campaigns.tabs.Items {
		p.campaigns.tabs.SelectIndex(i)
		if m := w.win.Content().MinSize(); m.Width > 1024 || m.Height > 700 {
			t.Errorf("with the %s tab the window needs %v", it.Text, m)
		}
	}
	p.campaigns.tabs.SelectIndex(0)
	d := fyne.CurrentApp().Driver()
	for _, name := range []string{"Save", "Add variant", "Write with AI…"} {
		b := button(t, w.win.Content(), name)
		pos := d.AbsolutePositionForObject(b)
		if !b.Visible() || pos.X < 0 || pos.Y < 0 || pos.X+b.Size().Width > size.Width || pos.Y+b.Size().Height > size.Height || b.Size().Height == 0 {
			t.Errorf("%s at %v, %v in a %v window", name, pos, b.Size(), size)
		}
	}
}

// The URL typed on the Plugins screen, tested or not, is the new
// campaign's, even when the Campaigns screen was opened before.
func TestCampaignSettingsFromPlugins(t *testing.T) {
	withBundled(t, "webhook")
	w, p := open(t, shop(t))
	p.goTo("Plugins")
	idle(t, p)
	ps := p.plugins
	i := -1
	for k, pi := range ps.list {
		if pi.Manifest != nil && pi.Manifest.ID == "marketbench.org/webhook" {
			i = k
		}
	}
	if i < 0 {
		t.Fatalf("no webhook: %v", ps.grid.rows)
	}
	ps.grid.table.Select(widget.TableCellID{Row: i})
	test.Tap(ps.enableBtn)
	tapDialogButton(t, w, "Enable")
	idle(t, p)
	noDialog(t, w, "enabling")

	p.goTo("Campaigns")
	idle(t, p)
	e := p.campaigns.editor
	if e.settings == nil {
		t.Fatalf("no settings form on %q", e.chanSel.Selected)
	}
	if cfg, _ := e.settings.values(); cfg["url"] != "" {
		t.Fatalf("url before typing it: %q", cfg["url"])
	}
	p.goTo("Plugins")
	idle(t, p)
	ps.form.setValue("url", "http://127.0.0.1:9/typed")
	p.goTo("Campaigns")
	idle(t, p)
	if cfg, _ := e.settings.values(); cfg["url"] != "http://127.0.0.1:9/typed" {
		t.Errorf("campaign url %q, want the one typed on the Plugins screen", cfg["url"])
	}
	// A URL changed here is the user's: the Plugins screen no longer
	// replaces it.
	e.settings.setValue("url", "http://127.0.0.1:9/mine")
	p.goTo("Plugins")
	idle(t, p)
	ps.form.setValue("url", "http://127.0.0.1:9/other")
	p.goTo("Campaigns")
	idle(t, p)
	if cfg, _ := e.settings.values(); cfg["url"] != "http://127.0.0.1:9/mine" {
		t.Errorf("campaign url %q after editing it here", cfg["url"])
	}
}
