package ui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
	"gonum.org/v1/plot"
)

// resultsView is the Results tab: import responses, then compare the
// variants with the holdout.
type resultsView struct {
	s         *campaignsScreen
	importBtn *widget.Button
	tableBtn  *widget.Button
	days      *widget.Entry
	showBtn   *widget.Button
	metric    *widget.Select
	info      *widget.Label
	verdicts  *fyne.Container // one sentence per variant
	srm       *widget.Label
	table     *grid
	chart     *chartView
	chartReq  latest
	timeline  *chartView
	tlReq     latest
	req       latest
	name      string
	res       *core.Results
	content   fyne.CanvasObject
}

var resultsHint = i18n.Mark("No results yet. Send the campaign live, then import the responses file: a CSV with a customer_id (or idempotency_key) column, " +
	"an event column (open, click, conversion, unsubscribe, bounce) and optionally value (revenue) and at (when). " +
	"Or give attribution days to count the orders placed after the start as conversions.")

// eventWords are the response events (campaign.Events), which are also the
// metrics of the results, for people.
var eventWords = map[string]string{
	"open":        i18n.Mark("open"),
	"click":       i18n.Mark("click"),
	"conversion":  i18n.Mark("conversion"),
	"unsubscribe": i18n.Mark("unsubscribe"),
	"bounce":      i18n.Mark("bounce"),
}

// metricWords translates an event or metric name; another stays as it is.
func metricWords(m string) string {
	if w, ok := eventWords[m]; ok {
		return i18n.T(w)
	}
	return m
}

// groupLabel is a group of the results: the holdout's name translated, a
// variant's name as it is.
func groupLabel(g string) string {
	if g == campaign.Holdout {
		return i18n.T("holdout")
	}
	return g
}

func newResultsView(s *campaignsScreen) *resultsView {
	v := &resultsView{s: s, table: newGrid(), chart: newChartView(), timeline: newChartView()}
	v.importBtn = &widget.Button{Text: i18n.T("Import responses…"), Icon: theme.DownloadIcon(), OnTapped: v.chooseFile}
	v.tableBtn = &widget.Button{Text: i18n.T("From a table…"), Icon: theme.StorageIcon(), OnTapped: v.chooseTable}
	v.days = &widget.Entry{Text: "0"}
	v.days.ExtendBaseWidget(v.days)
	v.showBtn = &widget.Button{Text: i18n.T("Show results"), Icon: theme.ViewRefreshIcon(), OnTapped: func() { v.load(v.name) }}
	v.metric = widget.NewSelect(nil, func(string) { v.showMetric() })
	v.metric.PlaceHolder = i18n.T("Metric")
	v.info = &widget.Label{Text: i18n.T(resultsHint), Wrapping: fyne.TextWrapWord}
	v.verdicts = container.NewVBox()
	v.srm = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.srm.Hide()
	v.chart.message(i18n.T("The chart shows here once there are results."))
	small := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	// Two rows, so the tab fits a 1024-pixel window beside the list.
	bar := container.NewVBox(container.NewHBox(v.importBtn, v.tableBtn, v.showBtn, explainButton(s.p, core.ExplainCampaign, func() string { return v.name })),
		container.NewHBox(widget.NewLabel(i18n.T("Attribution (days of orders)")), small(v.days, 70), widget.NewLabel(i18n.T("Metric")), small(v.metric, 160)))
	v.timeline.message(i18n.T("Conversions over time show here once imported responses have dates\n(an \"at\" column) or attribution days are set."))
	charts := container.NewAppTabs(container.NewTabItem(i18n.T("Rates"), v.chart.content), container.NewTabItem(i18n.T("Over time"), v.timeline.content))
	split := container.NewVSplit(v.table.table, charts)
	split.Offset = 0.3
	v.content = container.NewBorder(container.NewVBox(bar, v.verdicts, v.info, v.srm), nil, nil, nil, split)
	v.importBtn.Disable()
	v.tableBtn.Disable()
	v.showBtn.Disable()
	return v
}

// load reads a campaign's results; "" clears the tab.
func (v *resultsView) load(name string) {
	v.name = name
	setEnabled(v.importBtn, name != "")
	setEnabled(v.tableBtn, name != "")
	setEnabled(v.showBtn, name != "")
	if name == "" {
		v.req.stop()
		v.setResults(nil)
		return
	}
	days, err := whole(v.days, field(i18n.Mark("Attribution days")), 0, 365)
	if err != nil {
		dialog.ShowInformation(i18n.T("Results"), i18n.Error(err), v.s.p.win)
		return
	}
	ctx := v.req.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) (*core.Results, error) {
		return v.s.p.ws.CampaignResults(ctx, name, days)
	}, func(res *core.Results, err error) {
		if ctx.Err() != nil || v.name != name {
			return
		}
		if err != nil {
			v.setResults(nil)
			v.s.p.showError(err)
			return
		}
		v.setResults(res)
		v.loadTimeline(name, days)
	})
}

// loadTimeline draws cumulative conversions per group by day.
func (v *resultsView) loadTimeline(name string, days int) {
	ctx := v.tlReq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) (map[string][]campaign.Point, error) {
		return v.s.p.ws.CampaignTimeline(ctx, name, days)
	}, func(tl map[string][]campaign.Point, err error) {
		if ctx.Err() != nil || v.name != name {
			return
		}
		if err != nil {
			v.timeline.message(i18n.Error(err))
			return
		}
		if len(tl) == 0 {
			v.timeline.message(i18n.T("No conversion has a date yet: import responses with an \"at\" column,\nor set attribution days."))
			return
		}
		var series []chart.DaySeries
		names := make([]string, 0, len(tl))
		for g := range tl {
			names = append(names, g)
		}
		sort.Strings(names)
		for _, g := range names {
			ds := chart.DaySeries{Name: groupLabel(g)}
			for _, pt := range tl[g] {
				ds.Days = append(ds.Days, pt.Day)
				ds.Values = append(ds.Values, pt.Value)
			}
			series = append(series, ds)
		}
		showPlot(v.s.p, v.timeline, &v.tlReq, safeFileName(name)+"-over-time", func() (*plot.Plot, error) {
			return chart.Cumulative(i18n.T("Customers converted over time"), series)
		})
	})
}

func (v *resultsView) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		if r == nil {
			return
		}
		r.Close()
		v.importFile(r.URI().Path())
	}, v.s.p.win)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".csv"}))
	v.s.p.w.prepare(d)
	d.Show()
}

// importFile adds a responses file to the campaign's events.
// chooseTable imports responses from a project table, e.g. one a source
// plugin fills from the channel's exports (Plugins screen, Import tab).
func (v *resultsView) chooseTable() {
	var names []string
	for _, t := range v.s.p.tables {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		dialog.ShowInformation(i18n.T("Responses from a table"), i18n.T("The project has no table yet."), v.s.p.win)
		return
	}
	sel := widget.NewSelect(names, nil)
	dialog.ShowForm(i18n.T("Responses from a table"), i18n.T("Import"), i18n.T("Cancel"), []*widget.FormItem{
		widget.NewFormItem(i18n.T("Table"), sel),
	}, func(ok bool) {
		if ok && sel.Selected != "" {
			v.importFile("table:" + sel.Selected)
		}
	}, v.s.p.win)
}

func (v *resultsView) importFile(path string) {
	name := v.name
	var ir *campaign.ImportResult
	v.s.p.run(i18n.T("Importing responses…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Matching the responses to the delivery log"), -1)
		var err error
		ir, err = v.s.p.ws.ImportCampaignResults(ctx, name, path)
		return err
	}, func(err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		var ev []string
		for _, k := range sortedKeys(ir.ByEvent) {
			ev = append(ev, i18n.Number(float64(ir.ByEvent[k]))+" "+metricWords(k))
		}
		rows, matched, events := i18n.Number(float64(ir.Rows)), i18n.Number(float64(ir.Matched)), strings.Join(ev, ", ")
		msg := i18n.T("Imported %s rows; %s matched a customer of this campaign (%s).", rows, matched, events)
		if ir.Unmatched > 0 {
			msg = i18n.T("Imported %s rows; %s matched a customer of this campaign (%s) and %s matched nobody in its delivery log and were skipped.",
				rows, matched, events, i18n.Number(float64(ir.Unmatched)))
		}
		if ir.Suppressed > 0 {
			msg += i18n.T(" %s customers who unsubscribed or bounced are now on the suppression list.", i18n.Number(float64(ir.Suppressed)))
		}
		v.s.p.setStatus(msg)
		v.load(name)
	})
}

func (v *resultsView) setResults(res *core.Results) {
	v.res = res
	var metrics, shown []string
	if res != nil {
		metrics = sortedKeys(res.Reports)
	}
	for _, m := range metrics {
		shown = append(shown, metricWords(m))
	}
	v.metric.Options = shown
	v.metric.Selected = ""
	v.metric.Refresh()
	v.verdicts.RemoveAll()
	if len(metrics) == 0 {
		v.info.SetText(i18n.T(resultsHint))
		if res != nil && len(res.Groups) > 0 {
			v.info.SetText(i18n.T("Nothing to compare yet: a readout needs the holdout and at least one variant with delivered messages. %s", i18n.T(resultsHint)))
		}
		v.srm.Hide()
		v.table.clear()
		v.chart.message(i18n.T("The chart shows here once there are results."))
		return
	}
	if slices.Contains(metrics, "conversion") {
		v.metric.SetSelected(metricWords("conversion"))
	} else {
		v.metric.SetSelected(shown[0])
	}
}

// selectedMetric is the metric chosen, by its name in the results.
func (v *resultsView) selectedMetric() string {
	if v.res != nil {
		for m := range v.res.Reports {
			if metricWords(m) == v.metric.Selected {
				return m
			}
		}
	}
	return v.metric.Selected
}

// showMetric shows the readout of the chosen metric.
func (v *resultsView) showMetric() {
	if v.res == nil {
		return
	}
	metric := v.selectedMetric()
	rep := v.res.Reports[metric]
	if rep == nil {
		return
	}
	level := i18n.Number(100*rep.Confidence) + "%"
	ctl := rep.Control
	v.verdicts.RemoveAll()
	if rep.SRM != nil && rep.SRM.Mismatch {
		v.srm.SetText(i18n.T("⚠ Sample ratio mismatch: %s Read these results with suspicion: the groups are not the sizes the split planned, "+
			"so something other than chance decided who got what.", rep.SRM.Message))
		v.srm.Show()
	} else {
		v.srm.Hide()
	}
	if !core.HasData(rep) {
		v.notEnoughData(metric, rep)
		return
	}
	rows := [][]string{{i18n.T("%s (control)", groupLabel(ctl.Name)), i18n.Number(float64(ctl.N)), i18n.Number(float64(ctl.Conversions)),
		pct(ctl.Rate), ci(ctl.Wilson), "—", "—", "—", "—", revenueText(i18n.Symbol(v.s.p.currency), ctl.Revenue)}}
	for _, c := range rep.Variants {
		g := c.Variant
		lift := "—"
		if !math.IsNaN(c.AbsLift) {
			lift = i18n.T("%s (%s to %s)", points(c.AbsLift), points(c.AbsLiftCI.Lo), points(c.AbsLiftCI.Hi))
		}
		rows = append(rows, []string{g.Name, i18n.Number(float64(g.N)), i18n.Number(float64(g.Conversions)), pct(g.Rate), ci(g.Wilson),
			lift, relText(c.RelLift, c.RelLiftCI), pvalue(c.ZTest.PAdjusted), chance(c.Bayes.ProbBeatControl), revenueText(i18n.Symbol(v.s.p.currency), g.Revenue)})
	}
	v.table.set([]string{i18n.T("Group"), i18n.T("Customers"), i18n.T("With a %s", metricWords(metric)), i18n.T("Rate"), i18n.T("%s interval", level),
		i18n.T("Lift (points)"), i18n.T("Relative lift"), i18n.T("p-value (%s)", rep.Adjust.Words()), i18n.T("Chance to beat control"), i18n.T("Revenue / customer")},
		[]string{"", "BIGINT", "BIGINT", "DOUBLE", "", "", "", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
	for _, vd := range core.Verdicts(rep) {
		l := &widget.Label{Text: verdictWords(vd, metric), Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: vd.Kind == core.Better || vd.Kind == core.Worse}}
		v.verdicts.Add(l)
	}
	var words []string
	for _, n := range rep.Notes {
		words = append(words, i18n.T("%s.", sentence(i18n.Say(n))))
	}
	v.info.SetText(strings.Join(words, " "))
	// Bounds are clamped around the rate: rounding (a Wilson bound of
	// 1e-17 for a rate of 0) must not stop the chart.
	rate := func(label string, g abtest.GroupResult, control bool) chart.Rate {
		return chart.Rate{Label: label, Rate: g.Rate, Lo: min(max(0, g.Wilson.Lo), g.Rate), Hi: max(min(1, g.Wilson.Hi), g.Rate), Control: control}
	}
	rates := []chart.Rate{rate(groupLabel(ctl.Name), ctl, true)}
	for _, c := range rep.Variants {
		rates = append(rates, rate(i18n.T("variant %s", c.Variant.Name), c.Variant, false))
	}
	title := i18n.T("%s rate per variant — %s", sentence(metricWords(metric)), v.name)
	showPlot(v.s.p, v.chart, &v.chartReq, safeFileName(v.name)+"-"+metric, func() (*plot.Plot, error) {
		return chart.RateIntervals(title, level, rates)
	})
}

// chance shows a probability without claiming certainty: 0.99996 is
// "over 99.9%", not "100.0%".
func chance(p float64) string {
	switch {
	case math.IsNaN(p):
		return "—"
	case p > 0.999:
		return i18n.T("over 99.9%")
	case p < 0.001:
		return i18n.T("under 0.1%")
	}
	return pct(p)
}

func ci(iv abtest.Interval) string {
	if math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi) {
		return "—"
	}
	// A Wilson bound of 1e-17 is 0: shown as 0.0%, never as the float.
	return pct(max(0, iv.Lo)) + "–" + pct(min(1, iv.Hi))
}

// points shows a difference of rates in percentage points.
func points(d float64) string {
	if math.IsNaN(d) {
		return "—"
	}
	return fmt.Sprintf("%+.1f", 100*d)
}

func relText(v float64, iv abtest.Interval) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := fmt.Sprintf("%+.0f%%", 100*v)
	if !math.IsNaN(iv.Lo) && !math.IsNaN(iv.Hi) && !math.IsInf(iv.Hi, 0) {
		s += i18n.T(" (%+.0f%% to %+.0f%%)", 100*iv.Lo, 100*iv.Hi)
	}
	return s
}

func revenueText(currency string, r *abtest.RevenueResult) string {
	if r == nil {
		return "—"
	}
	return i18n.Money(currency, 2, r.Mean)
}
