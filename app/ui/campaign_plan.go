package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage/campaign"
)

// planView is the Plan a test tab: how many customers a test needs.
type planView struct {
	s        *campaignsScreen
	baseline *widget.Entry
	mde      *widget.Entry
	relative *widget.Select
	power    *widget.Entry
	alpha    *widget.Entry
	result   *widget.Label
	audience *widget.Label
	pv       *core.Preview
	content  fyne.CanvasObject
}

const (
	mdePoints   = "percentage points"
	mdeRelative = "% of the baseline"
)

func newPlanView(s *campaignsScreen) *planView {
	v := &planView{s: s}
	entry := func(text string) *widget.Entry {
		e := &widget.Entry{Text: text}
		e.ExtendBaseWidget(e)
		e.OnChanged = func(string) { v.calculate() }
		return e
	}
	v.baseline = entry("5")
	v.mde = entry("1")
	v.relative = widget.NewSelect([]string{mdePoints, mdeRelative}, func(string) { v.calculate() })
	v.power = entry("80")
	v.alpha = entry("5")
	v.result = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	v.audience = &widget.Label{Wrapping: fyne.TextWrapWord}
	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	small := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(100, o.MinSize().Height), o)
	}
	form := container.New(layout.NewFormLayout(),
		lbl("Baseline rate (%)"), container.NewHBox(small(v.baseline), widget.NewLabel("what the control usually converts at")),
		lbl("Smallest effect worth finding"), container.NewHBox(small(v.mde), container.NewGridWrap(fyne.NewSize(220, v.relative.MinSize().Height), v.relative)),
		lbl("Power (%)"), container.NewHBox(small(v.power), widget.NewLabel("chance to find the effect if it is real; 80 is usual")),
		lbl("Significance (%)"), container.NewHBox(small(v.alpha), widget.NewLabel("chance of a false alarm; 5 is usual")),
	)
	intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: "Before sending, check that the groups are big enough to tell a real difference from chance. " +
		"The answer is customers per group: the holdout and each variant need that many."}
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(intro, form, v.result, v.audience)))
	v.relative.SetSelected(mdePoints)
	return v
}

// calculate answers as the user types; the formula is instant.
func (v *planView) calculate() {
	if v.relative == nil || v.relative.Selected == "" || v.alpha == nil {
		return
	}
	base, err1 := num(v.baseline, "The baseline rate", 0, 100)
	mde, err2 := strconv.ParseFloat(strings.TrimSpace(v.mde.Text), 64)
	power, err3 := num(v.power, "The power", 0, 100)
	alpha, err4 := num(v.alpha, "The significance", 0, 100)
	switch {
	case err1 != nil:
		v.show("", err1.Error())
		return
	case err2 != nil || mde == 0:
		v.show("", "The smallest effect must be a number other than 0, e.g. 1 (percentage point) or 10 (% of the baseline).")
		return
	case err3 != nil:
		v.show("", err3.Error())
		return
	case err4 != nil:
		v.show("", err4.Error())
		return
	}
	d := abtest.Design{Baseline: base / 100, MDE: mde / 100, Relative: v.relative.Selected == mdeRelative, Alpha: alpha / 100}
	plan, err := abtest.SampleSize(d, power/100)
	if err != nil {
		v.show("", "These numbers do not make a test: "+strings.TrimPrefix(err.Error(), "abtest: ")+".")
		return
	}
	res := fmt.Sprintf("%s customers per group, to tell %s from %s with %s power at %s significance.",
		chart.Number(float64(plan.PerGroup)), pct(plan.Control), pct(plan.Target), chart.Number(power)+"%", chart.Number(alpha)+"%")
	aud := ""
	if pv := v.pv; pv != nil && len(pv.Groups) > 0 {
		hold := pv.Groups[campaign.Holdout]
		smallest := -1
		for g, n := range pv.Groups {
			if g != campaign.Holdout && (smallest < 0 || n < smallest) {
				smallest = n
			}
		}
		smallest = max(smallest, 0)
		aud = fmt.Sprintf("The last preview has %s customers in the holdout and %s in the smallest variant.",
			chart.Number(float64(hold)), chart.Number(float64(smallest)))
		if int64(min(hold, smallest)) < plan.PerGroup {
			aud += " That is too few to find this effect reliably: raise the holdout, use fewer variants, widen the audience, or look for a bigger effect."
		} else {
			aud += " That is enough."
		}
	}
	v.show(res, aud)
}

func (v *planView) show(result, note string) {
	v.result.SetText(result)
	v.audience.SetText(note)
}

// audienceKnown compares the plan with the last previewed audience.
func (v *planView) audienceKnown(pv *core.Preview) {
	v.pv = pv
	v.calculate()
}
