package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/journey"
)

// TestJourneysFit walks the Journeys screen through what a user sees (the
// list, the editor with every trigger kind and every kind of step, a
// refused save, the JSON, the timeline, a run's report) in English and in
// Chinese, and fails when any of it needs a window larger than 1024×700.
func TestJourneysFit(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		t.Run(lang, func(t *testing.T) {
			i18n.Use(lang)
			defer i18n.Use(i18n.English)
			journeysFit(t)
		})
	}
}

func journeysFit(t *testing.T) {
	ws := demo(t)
	ctx := context.Background()
	// A stored journey with a long name and every step kind but send
	// (which needs a channel plugin), so the list and the counts show.
	j := &journey.Journey{Name: "Win back the lapsed big spenders before the spring sale", Table: "customers",
		Trigger: journey.Trigger{Kind: journey.AfterLastOrder, Days: 120, At: "09:30"},
		Reentry: journey.Reentry{Policy: journey.After, Days: 365}, DailyLimit: 500, Goal: &journey.Goal{},
		Steps: []journey.Step{
			{ID: "ab", Kind: journey.Split, Branches: []journey.Branch{{Name: "A", Percent: 45}, {Name: "B", Percent: 45},
				{Name: "holdout", Percent: 10, Holdout: true, Next: "out"}}},
			{ID: "pause", Kind: journey.Wait, Duration: "1w2d", Time: "09:00", Weekday: "monday"},
			{ID: "spender", Kind: journey.Condition, Rule: "monetary >= 500 AND frequency >= 3 AND email_consent = true", No: "out"},
			{ID: "tag", Kind: journey.Update, Field: "city", Value: "won back"},
			{ID: "out", Kind: journey.Exit},
		}}
	if err := ws.SaveJourney(ctx, j, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	w.win.Resize(minWindow)
	budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
	check := func(name string) {
		t.Helper()
		idle(t, p)
		if m := p.content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
			var out []string
			culprits(p.content, budget.Width-p.nav.MinSize().Width-theme.Padding(), budget.Height-100, "", &out)
			t.Errorf("%s: the window needs %.0f×%.0f, more than %.0f×%.0f; too wide or tall:\n%s", name, m.Width, m.Height,
				budget.Width, budget.Height, strings.Join(out, "\n"))
		}
		for _, o := range w.win.Canvas().Overlays().List() {
			if pu, ok := o.(*widget.PopUp); ok {
				if m := pu.Content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
					t.Errorf("%s: a dialog needs %.0f×%.0f", name, m.Width, m.Height)
				}
			}
		}
	}
	s := p.journeys
	p.goTo("Journeys")
	check("the list")
	s.edit(j.Name)
	idle(t, p)
	check("the editor")
	e := s.editor
	for i := range e.j.Steps {
		e.selectCard(i)
		check("step " + e.j.Steps[i].ID)
	}
	e.addStep(journey.Send)
	e.addStep(journey.Send)
	e.j.Steps[e.sel].Variants = append(e.j.Steps[e.sel].Variants, e.j.Steps[e.sel].Variants[0])
	e.showPanel()
	check("a send step with two variants")
	for _, k := range triggerKinds {
		e.selectCard(-1)
		selectWith(t, e.panel, i18n.T(k.label)).SetSelected(i18n.T(k.label))
		check("trigger " + k.kind)
	}
	e.j.Reentry.Policy = journey.After
	e.selectCard(-1)
	check("re-entry after days")
	e.save()
	idle(t, p)
	check("a refused save")
	e.toggleJSON()
	check("the JSON")
	e.toggleJSON()
	s.tabs.Select(s.timelineTab)
	check("the timeline")
	s.tabs.Select(s.listTab)
	s.dryRun()
	check("a dry run's report")
}
