package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

// TestValueScreenFitsAfterWork walks the Value screen through what a user
// does (the screenshot steps: fit, score, charts, cohorts, forecast,
// uplift trained, a plan) and fails when any state needs a window wider
// or taller than 1024×700: results, charts and long sentences included.
func TestValueScreenFitsAfterWork(t *testing.T) {
	if testing.Short() {
		t.Skip("fits models and imports Hillstrom")
	}
	w, p := open(t, demo(t))
	w.win.Resize(minWindow)
	budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
	step := func(name string, f func()) {
		f()
		idle(t, p)
		if m := p.content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
			var out []string
			culprits(p.content, budget.Width-p.nav.MinSize().Width-theme.Padding(), budget.Height-100, "", &out)
			t.Errorf("%s: the window needs %.0f×%.0f, more than %.0f×%.0f; too wide or tall:\n%s", name, m.Width, m.Height,
				budget.Width, budget.Height, strings.Join(out, "\n"))
		}
	}
	closeDialogs := func() {
		for _, o := range append([]fyne.CanvasObject(nil), w.win.Canvas().Overlays().List()...) {
			if pu, ok := o.(*widget.PopUp); ok {
				pu.Hide()
			}
			w.win.Canvas().Overlays().Remove(o)
		}
	}
	valueShots(p, step, closeDialogs)
}

// TestModelsTrainFits: the Train tab with a table and a target chosen
// (its feature list and the algorithms' advanced options) fits 1024×700.
func TestModelsTrainFits(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		t.Run(lang, func(t *testing.T) {
			i18n.Use(lang)
			defer i18n.Use(i18n.English)
			modelsTrainFits(t)
		})
	}
}

func modelsTrainFits(t *testing.T) {
	w, p := open(t, demo(t))
	w.win.Resize(minWindow)
	budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
	p.goTo("Models")
	idle(t, p)
	p.models.tabs.SelectIndex(1)
	p.models.train.source.SetSelected("customers")
	p.models.train.target.SetSelected("email_consent")
	idle(t, p)
	if m := p.content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
		var out []string
		culprits(p.content, budget.Width-p.nav.MinSize().Width-theme.Padding(), budget.Height-100, "", &out)
		t.Errorf("the Train tab needs %.0f×%.0f, more than %.0f×%.0f:\n%s", m.Width, m.Height, budget.Width, budget.Height, strings.Join(out, "\n"))
	}
}
