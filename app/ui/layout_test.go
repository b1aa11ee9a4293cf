package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

// culprits lists the deepest objects under o wider than maxW or taller
// than maxH, so a failing layout test says what to fix.
func culprits(o fyne.CanvasObject, maxW, maxH float32, path string, out *[]string) bool {
	if !o.Visible() {
		return false
	}
	m := o.MinSize()
	if m.Width <= maxW && m.Height <= maxH {
		return false
	}
	name := reflect.TypeOf(o).String()
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case *container.AppTabs: // every tab counts, not only the one shown
		for _, it := range x.Items {
			kids = append(kids, it.Content)
		}
		kids = append(kids, test.WidgetRenderer(x).Objects()...)
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	deeper := false
	for _, k := range kids {
		if culprits(k, maxW, maxH, path+"/"+name, out) {
			deeper = true
		}
	}
	if !deeper {
		*out = append(*out, fmt.Sprintf("%s/%s %.0fx%.0f %s", path, name, m.Width, m.Height, label(o)))
	}
	return true
}

func label(o fyne.CanvasObject) string {
	v := reflect.ValueOf(o)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("Text"); f.IsValid() && f.Kind() == reflect.String {
			return fmt.Sprintf("%q", f.String())
		}
	}
	return ""
}

// The smallest window every screen must fit: a 1024×768 laptop screen
// less a title bar and the menu. A screen with a larger minimum size makes
// the window grow past the screen.
var (
	minWindow = fyne.NewSize(1024, 700)
	menuBar   = float32(40)
)

// notYet lists screens allowed to be too wide for now: reported, not
// failed. Every screen fits today, so it is empty.
var notYet = map[string]bool{}

// TestScreensFitSmallWindow visits every screen and every tab, in English
// and in Chinese, and fails when a screen would need a window larger than
// 1024×700, or when switching screens changes the window's size.
func TestScreensFitSmallWindow(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		t.Run(lang, func(t *testing.T) {
			i18n.Use(lang)
			defer i18n.Use(i18n.English)
			w, p := open(t, demo(t)) // closed with its window at the end
			w.win.Resize(minWindow)
			size := w.win.Canvas().Size()
			budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
			check := func(where string) {
				t.Helper()
				m := p.content.MinSize()
				if m.Width <= budget.Width && m.Height <= budget.Height {
					return
				}
				var out []string
				culprits(p.content, budget.Width-p.nav.MinSize().Width-theme.Padding(), budget.Height-100, "", &out)
				msg := fmt.Sprintf("%s: the window needs %.0f×%.0f, more than %.0f×%.0f; too wide or tall:\n%s",
					where, m.Width, m.Height, budget.Width, budget.Height, strings.Join(out, "\n"))
				if notYet[strings.SplitN(where, "/", 2)[0]] {
					t.Log(msg)
					return
				}
				t.Error(msg)
			}
			for i, s := range p.screens {
				p.nav.Select(i)
				idle(t, p)
				check(s.name)
				if tabs, ok := s.obj.(*container.AppTabs); ok {
					for k := range tabs.Items {
						tabs.SelectIndex(k)
						idle(t, p)
						check(fmt.Sprintf("%s/tab %d", s.name, k))
					}
				}
				if got := w.win.Canvas().Size(); got != size {
					t.Errorf("after %s the window is %v, was %v", s.name, got, size)
				}
			}
			// The Data screen's tabs with a table loaded.
			p.goTo("Data")
			p.data.selectTable("orders")
			for k := range p.data.tabs.Items {
				p.data.tabs.SelectIndex(k)
				idle(t, p)
				check(fmt.Sprintf("Data/tab %d", k))
			}
			p.data.profile.colSel.SetSelected("amount")
			idle(t, p)
			check("Data/profile of amount")

			// A rule with several conditions in the rule builder.
			p.goTo("Segments")
			p.segments.tabs.SelectIndex(1)
			p.segments.rules.text.SetText("country = 'France' AND (monetary > 1000 OR frequency >= 5) AND email_consent = true")
			p.segments.rules.parseText()
			idle(t, p)
			check("Rule builder/with a rule")
			// An unknown column: the message lists the columns there are.
			p.segments.rules.text.SetText("province = 'Hubei'")
			p.segments.rules.parseText()
			idle(t, p)
			check("Rule builder/with an unknown column")
			p.goTo("Data")

			// The Value screen with its messages shown and the most actions.
			p.goTo("Customer value")
			vs := p.value
			vs.clv.say(noOrderTable())
			idle(t, p)
			check("Value/lifetime value with a message")
			vs.tabs.Select(vs.upliftTab)
			vs.uplift.say(oneGroup("segment", []string{"Womens E-Mail"}))
			vs.uplift.gain.SetText(i18n.T("The share to treat is a percentage above 0 and at most 100."))
			idle(t, p)
			check("Value/uplift with a message")
			vs.tabs.Select(vs.nbaTab)
			idle(t, p)
			for range maxActions {
				vs.nba.addRow("")
			}
			vs.nba.say(noUplift())
			idle(t, p)
			check("Value/next best action with every action")
			p.goTo("Data")

			// Dialogs: one larger than the window would grow it too.
			csv := filepath.Join(t.TempDir(), "wide.csv")
			os.WriteFile(csv, []byte("customer_id;order_date;amount;a_rather_long_column_name\nC1;2024-01-02;1,5;x\n"), 0o644)
			d := p.showImport(csv)
			idle(t, p)
			p.chooseImport()
			w.showWelcome()
			w.showShortcuts()
			for _, o := range append([]fyne.CanvasObject(nil), w.win.Canvas().Overlays().List()...) {
				if m := o.(*widget.PopUp).Content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
					t.Errorf("a dialog needs %.0f×%.0f: %v", m.Width, m.Height, labels(o)[:min(3, len(labels(o)))])
				}
				o.Hide()
			}
			d.req.stop()
		})
	}
}
