package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/segment"
)

// cohortsView is the Cohorts tab: customers grouped by the month (or
// week) of their first purchase and followed, as a heatmap of retention
// or revenue per customer, for everyone or a segment, and two segments
// compared period by period.
type cohortsView struct {
	s *valueScreen

	tableSel   *widget.Select
	bySel      *widget.Select
	measureSel *widget.Select
	segSel     *widget.Select
	compareSel *widget.Select
	runBtn     *widget.Button
	info       *widget.Label
	summary    *widget.Label
	heat       *chartView
	heatRq     latest
	compare    *grid
	results    *container.AppTabs

	// A cohort of the report saved as a segment.
	cohortSel   *widget.Select
	segName     *widget.Entry
	autoName    string // the name last filled in, replaced when the cohort changes
	segBtn      *widget.Button
	campaignBtn *widget.Button

	rep     *core.CohortReport
	content fyne.CanvasObject
}

// cohortMeasures are core's measures, in the order of cohortMeasureNames.
var (
	cohortMeasures     = []string{"retention", "revenue", "cumulative"}
	cohortMeasureNames = []string{i18n.Mark("Retention"), i18n.Mark("Revenue per customer"), i18n.Mark("Cumulative revenue per customer")}
	cohortPeriods      = []string{"month", "week"}
)

func newCohortsView(s *valueScreen) *cohortsView {
	v := &cohortsView{s: s, heat: newChartView(), compare: newGrid(), summary: &widget.Label{Wrapping: fyne.TextWrapWord}}
	v.tableSel = widget.NewSelect(nil, nil)
	v.tableSel.PlaceHolder = i18n.T("Choose the order table")
	v.bySel = widget.NewSelect([]string{core.PeriodName("month"), core.PeriodName("week")}, nil) // i18n:keep (period names, said by PeriodName)
	v.bySel.SetSelectedIndex(0)
	var names []string
	for _, m := range cohortMeasureNames {
		names = append(names, i18n.T(m))
	}
	v.measureSel = widget.NewSelect(names, func(string) {
		if v.rep != nil {
			v.draw()
		}
	})
	v.measureSel.SetSelectedIndex(0)
	v.segSel = widget.NewSelect(nil, nil)
	v.compareSel = widget.NewSelect(nil, nil)
	v.runBtn = &widget.Button{Text: i18n.T("Show"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.info.Hide()
	v.summary.SetText(i18n.T("Customers are grouped by the month (or week) of their first purchase and followed: the share who buy again " +
		"in each later period, and what they spend. Choose a segment to see only its customers, and a second one to compare them."))
	v.heat.message(i18n.T("Press Show to see the cohorts."))
	v.results = container.NewAppTabs(
		container.NewTabItem(i18n.T("Summary"), container.NewVScroll(v.summary)),
		container.NewTabItem(i18n.T("Heatmap"), v.heat.content),
		container.NewTabItem(i18n.T("Comparison"), v.compare.table),
	)
	top := container.NewVBox(newFlow(
		captioned(i18n.T("Orders"), fixedWidth(130, v.tableSel)),
		captioned(i18n.T("By"), v.bySel),
		captioned(i18n.T("Measure"), v.measureSel),
		captioned(i18n.T("Customers"), fixedWidth(170, v.segSel)),
		captioned(i18n.T("Compare with"), fixedWidth(170, v.compareSel)), v.runBtn), v.info)
	v.cohortSel = widget.NewSelect(nil, func(string) { v.nameCohort() })
	v.cohortSel.PlaceHolder = i18n.T("Press Show first")
	v.segName = newEntry("", i18n.T("Segment name"))
	v.segBtn = &widget.Button{Text: i18n.T("Make a segment"), Icon: theme.AccountIcon(), OnTapped: func() { v.makeSegment(false) }}
	v.campaignBtn = &widget.Button{Text: i18n.T("Use in a campaign"), Icon: theme.MailSendIcon(), OnTapped: func() { v.makeSegment(true) }}
	v.segBtn.Disable()
	v.campaignBtn.Disable()
	bottom := newFlow(captioned(i18n.T("Cohort"), fixedWidth(170, v.cohortSel)),
		captioned(i18n.T("Segment name"), fixedWidth(200, v.segName)), v.segBtn, v.campaignBtn)
	v.content = container.NewBorder(top, bottom, nil, nil, v.results)
	return v
}

// offerCohorts lists the report's cohorts to save as a segment.
func (v *cohortsView) offerCohorts() {
	var labels []string
	for _, c := range v.rep.Cohorts {
		labels = append(labels, core.CohortLabel(v.rep.By, c.Start))
	}
	v.cohortSel.Options = labels
	v.cohortSel.ClearSelected()
	if len(labels) > 0 {
		v.cohortSel.SetSelectedIndex(0)
		v.segBtn.Enable()
		v.campaignBtn.Enable()
	}
	v.cohortSel.Refresh()
}

// nameCohort names the segment after the chosen cohort, unless a name
// was typed.
func (v *cohortsView) nameCohort() {
	i := v.cohortSel.SelectedIndex()
	if v.rep == nil || i < 0 || i >= len(v.rep.Cohorts) {
		return
	}
	if t := strings.TrimSpace(v.segName.Text); t == "" || t == v.autoName {
		v.autoName = i18n.T("First bought in %s", v.cohortSel.Selected)
		if v.rep.Segment != "" {
			v.autoName = i18n.T("%s, first bought in %s", v.rep.Segment, v.cohortSel.Selected)
		}
		v.segName.SetText(v.autoName)
	}
}

// makeSegment saves the chosen cohort's customers as a segment, and
// offers or starts a campaign with it.
func (v *cohortsView) makeSegment(campaign bool) {
	i, name := v.cohortSel.SelectedIndex(), strings.TrimSpace(v.segName.Text)
	switch {
	case v.rep == nil || i < 0 || i >= len(v.rep.Cohorts):
		v.say(i18n.T("Press Show, then choose the cohort to save."))
		return
	case name == "":
		v.say(i18n.T("Give the segment a name."))
		return
	}
	v.info.Hide()
	rep := v.rep
	opt, start := core.CohortOptions{Orders: rep.Read.Table, By: rep.By, Segment: rep.Segment}, rep.Cohorts[i].Start
	var sg *segment.Segment
	v.s.p.run(i18n.T("Saving the segment %q…", name), func(ctx context.Context, _ core.Progress) error {
		var err error
		sg, err = v.s.p.ws.SaveCohortSegment(ctx, opt, start, name)
		return err
	}, func(err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.s.segmentSaved(sg, sg.Description, campaign)
	})
}

// setTables offers the purchase tables and the segments.
func (v *cohortsView) setTables(tables []string) {
	v.tableSel.Options = tables
	if v.tableSel.Selected == "" && len(tables) > 0 {
		v.tableSel.Selected = tables[0]
	}
	v.tableSel.Refresh()
	async(v.s.p, v.s.p.ctx, func(ctx context.Context) ([]segment.Summary, error) {
		return v.s.p.ws.Segments(ctx)
	}, func(sums []segment.Summary, err error) {
		if err != nil {
			return
		}
		segs := []string{i18n.T("(all customers)")}
		for _, s := range sums {
			segs = append(segs, core.SegmentName(s))
		}
		v.segSel.Options = segs
		v.compareSel.Options = append([]string{i18n.T("(none)")}, segs[1:]...)
		if v.segSel.SelectedIndex() < 0 {
			v.segSel.SetSelectedIndex(0)
		}
		if v.compareSel.SelectedIndex() < 0 {
			v.compareSel.SetSelectedIndex(0)
		}
		v.segSel.Refresh()
		v.compareSel.Refresh()
	})
}

func (v *cohortsView) say(s string) {
	v.info.SetText(s)
	v.info.Show()
}

// run builds the cohorts off the UI goroutine.
func (v *cohortsView) run() {
	if v.tableSel.Selected == "" {
		v.say(noOrderTable())
		return
	}
	opt := core.CohortOptions{Orders: v.tableSel.Selected, By: cohortPeriods[max(0, v.bySel.SelectedIndex())]}
	if v.segSel.SelectedIndex() > 0 {
		opt.Segment = v.segSel.Selected
	}
	if v.compareSel.SelectedIndex() > 0 {
		opt.Compare = v.compareSel.Selected
	}
	if opt.Compare != "" && opt.Compare == opt.Segment {
		v.say(i18n.T("Compare the segment with another one, not with itself."))
		return
	}
	v.info.Hide()
	var rep *core.CohortReport
	v.runBtn.Disable()
	v.s.p.run(i18n.T("Building cohorts…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Following each cohort"), -1)
		var err error
		rep, err = v.s.p.ws.Cohorts(ctx, opt)
		return err
	}, func(err error) {
		v.runBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.show(rep)
	})
}

// show says the cohorts in words, draws them and fills the comparison.
func (v *cohortsView) show(rep *core.CohortReport) {
	v.rep = rep
	customers := 0
	for _, c := range rep.Cohorts {
		customers += c.Customers
	}
	who := i18n.T("all customers")
	if rep.Segment != "" {
		who = rep.Segment
	}
	per := core.PeriodName(rep.By)
	lines := []string{i18n.T("%s cohorts of %s (%s customers) by the %s of their first purchase.", i18n.Number(float64(len(rep.Cohorts))), who, i18n.Number(float64(customers)), per)}
	lines = append(lines, curveWords(rep.Pooled.Retention, rep.Pooled.Cumulative, per, v.s.p)...)
	if rep.Partial {
		lines = append(lines, i18n.T("The last %s (from %s) was still running when the data end, so its figures are low.", per, i18n.Date(rep.Last)))
	}
	if rep.Other != nil && rep.Diff != nil {
		lines = append(lines, i18n.T("Compared with %s:", rep.Other.Segment))
		lines = append(lines, curveWords(rep.Other.Pooled.Retention, rep.Other.Pooled.Cumulative, per, v.s.p)...)
		var rows [][]string
		d := rep.Diff
		for k := range d.Retention {
			rows = append(rows, []string{strconv.Itoa(k), i18n.Percent(1, d.A.Retention[k]), i18n.Percent(1, d.B.Retention[k]), signedPercent(d.Retention[k]),
				v.s.p.money(2, d.A.Cumulative[k]), v.s.p.money(2, d.B.Cumulative[k]), v.s.p.money(2, d.Cumulative[k])})
		}
		a, b := firstNonEmpty(rep.Segment, i18n.T("all customers")), rep.Other.Segment
		v.compare.set([]string{i18n.T("Periods since the first purchase"), i18n.T("Retention: %s", a), i18n.T("Retention: %s", b), i18n.T("Difference"),
			i18n.T("Cumulative revenue: %s", a), i18n.T("Cumulative revenue: %s", b), i18n.T("Difference")},
			[]string{"BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
	} else {
		v.compare.clear()
	}
	v.summary.SetText(strings.Join(lines, "\n"))
	v.results.SelectIndex(1)
	v.offerCohorts()
	v.draw()
}

// curveWords say a pooled curve: who comes back after 1, 3 and 12
// periods, and what a customer has spent by then.
func curveWords(retention, cumulative []float64, per string, p *project) []string {
	var out []string
	for _, k := range []int{1, 3, 12} {
		if k < len(retention) && k < len(cumulative) {
			out = append(out, i18n.T("In %s %d after the first purchase, %s of customers buy; %s spent per customer by then.", per, k, i18n.Percent(0, retention[k]), p.money(2, cumulative[k])))
		}
	}
	return out
}

// draw shows the heatmap of the chosen measure.
func (v *cohortsView) draw() {
	rep, metric, cur := v.rep, cohortMeasures[max(0, v.measureSel.SelectedIndex())], v.s.p.currency
	showPlot(v.s.p, v.heat, &v.heatRq, v.tableSel.Selected+"-cohorts-"+metric, func() (*plot.Plot, error) {
		return core.CohortHeatmap(rep, metric, i18n.Symbol(cur))
	})
}
