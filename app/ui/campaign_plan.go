package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
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

// The units of the smallest effect, as the plan offers them (shown
// translated by mdeUnit).
const (
	mdePoints   = "percentage points"
	mdeRelative = "% of the baseline"
)

// mdeUnit says a unit of the smallest effect for people.
func mdeUnit(unit string) string {
	if unit == mdeRelative {
		return i18n.T("%s of the baseline", "%")
	}
	return i18n.T("percentage points")
}

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
	v.relative = widget.NewSelect([]string{mdeUnit(mdePoints), mdeUnit(mdeRelative)}, func(string) { v.calculate() })
	v.power = entry("80")
	v.alpha = entry("5")
	v.result = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	v.audience = &widget.Label{Wrapping: fyne.TextWrapWord}
	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	small := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(100, o.MinSize().Height), o)
	}
	form := container.New(layout.NewFormLayout(),
		lbl(i18n.T("Baseline rate (%)")), container.NewHBox(small(v.baseline), widget.NewLabel(i18n.T("what the control usually converts at"))),
		lbl(i18n.T("Smallest effect worth finding")), container.NewHBox(small(v.mde), container.NewGridWrap(fyne.NewSize(220, v.relative.MinSize().Height), v.relative)),
		lbl(i18n.T("Power (%)")), container.NewHBox(small(v.power), widget.NewLabel(i18n.T("chance to find the effect if it is real; 80 is usual"))),
		lbl(i18n.T("Significance (%)")), container.NewHBox(small(v.alpha), widget.NewLabel(i18n.T("chance of a false alarm; 5 is usual"))),
	)
	intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Before sending, check that the groups are big enough to tell a real difference from chance. " +
		"The answer is customers per group: the holdout and each variant need that many.")}
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(intro, form, v.result, v.audience)))
	v.relative.SetSelected(mdeUnit(mdePoints))
	return v
}

// calculate answers as the user types; the formula is instant.
func (v *planView) calculate() {
	if v.relative == nil || v.relative.Selected == "" || v.alpha == nil {
		return
	}
	base, err1 := num(v.baseline, field(i18n.Mark("The baseline rate")), 0, 100)
	mde, err2 := strconv.ParseFloat(strings.TrimSpace(v.mde.Text), 64)
	power, err3 := num(v.power, field(i18n.Mark("The power")), 0, 100)
	alpha, err4 := num(v.alpha, field(i18n.Mark("The significance")), 0, 100)
	switch {
	case err1 != nil:
		v.show("", i18n.Error(err1))
		return
	case err2 != nil || mde == 0:
		v.show("", i18n.T("The smallest effect must be a number other than 0, e.g. 1 (percentage point) or 10 (%s of the baseline).", "%"))
		return
	case err3 != nil:
		v.show("", i18n.Error(err3))
		return
	case err4 != nil:
		v.show("", i18n.Error(err4))
		return
	}
	d := abtest.Design{Baseline: base / 100, MDE: mde / 100, Relative: v.relative.Selected == mdeUnit(mdeRelative), Alpha: alpha / 100}
	plan, err := abtest.SampleSize(d, power/100)
	if err != nil {
		v.show("", i18n.T("These numbers do not make a test: %s.", strings.TrimPrefix(i18n.Error(err), "abtest: ")))
		return
	}
	res := i18n.T("%s customers per group, to tell %s from %s with %s power at %s significance.",
		i18n.Number(float64(plan.PerGroup)), pct(plan.Control), pct(plan.Target), i18n.Number(power)+"%", i18n.Number(alpha)+"%")
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
		aud = i18n.T("The last preview has %s customers in the holdout and %s in the smallest variant.",
			i18n.Number(float64(hold)), i18n.Number(float64(smallest)))
		if int64(min(hold, smallest)) < plan.PerGroup {
			aud += i18n.T(" That is too few to find this effect reliably: raise the holdout, use fewer variants, widen the audience, or look for a bigger effect.")
		} else {
			aud += i18n.T(" That is enough.")
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

// needed is the group size the plan's inputs call for; inputs that are
// not numbers fall back to the usual 5% baseline, 1 point, 80% power and
// 5% significance.
func (v *planView) needed() (abtest.Plan, bool) {
	read := func(e *widget.Entry, def float64) float64 {
		if x, err := strconv.ParseFloat(strings.TrimSpace(e.Text), 64); err == nil && x > 0 && x < 100 {
			return x
		}
		return def
	}
	d := abtest.Design{Baseline: read(v.baseline, 5) / 100, MDE: read(v.mde, 1) / 100, Relative: v.relative.Selected == mdeUnit(mdeRelative),
		Alpha: read(v.alpha, 5) / 100}
	plan, err := abtest.SampleSize(d, read(v.power, 80)/100)
	return plan, err == nil
}

// tooFew warns, before a send, when the smallest group is too small for
// the plan's effect: its results would stay "too early to tell".
func (v *planView) tooFew(pv *core.Preview) string {
	plan, ok := v.needed()
	if !ok || pv == nil {
		return ""
	}
	g, n := pv.Smallest()
	if g == "" || int64(n) >= plan.PerGroup {
		return ""
	}
	who := i18n.T("the holdout")
	if g != campaign.Holdout {
		who = i18n.T("variant %s", g)
	}
	return i18n.T("⚠ Too few customers to tell a real difference: %s gets %s customers, but telling %s from %s needs %s in every group (see Plan a test). "+
		"The results will likely stay \"too early to tell\". Raise the holdout, use fewer variants or widen the audience, or send anyway to learn what you can.",
		who, i18n.Number(float64(n)), pct(plan.Control), pct(plan.Target), i18n.Number(float64(plan.PerGroup)))
}
