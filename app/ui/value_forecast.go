package ui

import (
	"context"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// forecastView is the Forecast tab: orders or revenue per week or month,
// overall or for one category or product, forecast with an interval by
// the exponential smoothing model that fits best, and backtested against
// the naive forecast.
type forecastView struct {
	s *valueScreen

	tableSel  *widget.Select
	bySel     *widget.Select
	metricSel *widget.Select
	category  *widget.SelectEntry
	product   *widget.Entry
	horizon   *widget.Entry
	runBtn    *widget.Button
	info      *widget.Label
	summary   *widget.Label
	chart     *chartView
	chartRq   latest
	steps     *grid
	results   *container.AppTabs
	catRq     latest

	rep     *core.ForecastReport
	content fyne.CanvasObject
}

var (
	forecastMetrics     = []string{"revenue", "orders"}
	forecastMetricNames = []string{i18n.Mark("Revenue"), i18n.Mark("Orders")}
)

func newForecastView(s *valueScreen) *forecastView {
	v := &forecastView{s: s, chart: newChartView(), steps: newGrid(), summary: &widget.Label{Wrapping: fyne.TextWrapWord}}
	v.tableSel = widget.NewSelect(nil, func(string) { v.loadCategories() })
	v.tableSel.PlaceHolder = i18n.T("Choose the order table")
	v.bySel = widget.NewSelect([]string{core.PeriodName("month"), core.PeriodName("week")}, func(string) { // i18n:keep (period names, said by PeriodName)
		v.horizon.SetText(strconv.Itoa(core.Season(v.by())))
	})
	v.metricSel = widget.NewSelect([]string{i18n.T(forecastMetricNames[0]), i18n.T(forecastMetricNames[1])}, nil)
	v.metricSel.SetSelectedIndex(0)
	v.category = widget.NewSelectEntry(nil)
	v.category.PlaceHolder = i18n.T("all")
	v.product = newEntry("", i18n.T("all"))
	v.horizon = newEntry("12", "")
	v.bySel.SetSelectedIndex(0)
	v.runBtn = &widget.Button{Text: i18n.T("Forecast"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.info.Hide()
	v.summary.SetText(i18n.T("The forecast tries exponential smoothing models with and without trend and seasonality, keeps the one " +
		"with the best AICc, draws its prediction interval and checks it on the last year it did not see, against the naive forecast."))
	v.chart.message(i18n.T("Press Forecast to see the forecast."))
	v.results = container.NewAppTabs(
		container.NewTabItem(i18n.T("Summary"), container.NewVScroll(v.summary)),
		container.NewTabItem(i18n.T("Chart"), v.chart.content),
		container.NewTabItem(i18n.T("Periods ahead"), v.steps.table),
	)
	top := container.NewVBox(newFlow(
		captioned(i18n.T("Orders"), fixedWidth(130, v.tableSel)),
		captioned(i18n.T("By"), v.bySel),
		captioned(i18n.T("Measure"), v.metricSel),
		captioned(i18n.T("Category"), fixedWidth(150, v.category)),
		captioned(i18n.T("Product"), fixedWidth(110, v.product)),
		captioned(i18n.T("Horizon"), fixedWidth(60, v.horizon)), v.runBtn), v.info)
	v.content = container.NewBorder(top, nil, nil, nil, v.results)
	return v
}

func (v *forecastView) by() string { return cohortPeriods[max(0, v.bySel.SelectedIndex())] }

func (v *forecastView) setTables(tables []string) {
	v.tableSel.Options = tables
	if v.tableSel.Selected == "" && len(tables) > 0 {
		v.tableSel.SetSelected(tables[0])
	}
	v.tableSel.Refresh()
}

// loadCategories offers the order table's categories, when it has them.
func (v *forecastView) loadCategories() {
	table := v.tableSel.Selected
	ctx := v.catRq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) ([]string, error) {
		col, err := v.s.p.ws.ColumnFor(ctx, table, storage.Category)
		if err != nil || col == "" {
			return nil, err
		}
		vals, _, err := v.s.p.ws.DistinctValues(ctx, table, col, 50)
		return vals, err
	}, func(vals []string, err error) {
		if ctx.Err() == nil && err == nil {
			v.category.SetOptions(vals)
		}
	})
}

func (v *forecastView) say(s string) {
	v.info.SetText(s)
	v.info.Show()
}

// run forecasts off the UI goroutine, with progress and cancel.
func (v *forecastView) run() {
	if v.tableSel.Selected == "" {
		v.say(noOrderTable())
		return
	}
	opt := core.ForecastOptions{Orders: v.tableSel.Selected, By: v.by(), Metric: forecastMetrics[max(0, v.metricSel.SelectedIndex())],
		Category: strings.TrimSpace(v.category.Text), Product: strings.TrimSpace(v.product.Text)}
	h, err := strconv.Atoi(strings.TrimSpace(v.horizon.Text))
	if err != nil || h < 1 || h > core.MaxHorizon(opt.By) {
		v.say(i18n.T("The horizon is a whole number of %s from 1 to %d.", core.PeriodWord(opt.By), core.MaxHorizon(opt.By)))
		return
	}
	if opt.Category != "" && opt.Product != "" {
		v.say(i18n.T("Choose a category or a product, not both."))
		return
	}
	opt.Horizon = h
	v.info.Hide()
	var rep *core.ForecastReport
	v.runBtn.Disable()
	v.s.p.run(i18n.T("Forecasting…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		rep, err = v.s.p.ws.Forecast(ctx, opt, progress)
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

// show says the model and its backtest in words, draws the forecast with
// its interval and lists the periods ahead.
func (v *forecastView) show(rep *core.ForecastReport) {
	v.rep = rep
	val := func(x float64) string {
		if rep.Metric == "orders" {
			return i18n.Number(math.Round(x))
		}
		return v.s.p.money(0, x)
	}
	m := rep.Model
	lines := []string{
		i18n.T("%s per %s in %s: %d %s of history.", i18n.T(forecastMetricNames[max(0, indexOf(forecastMetrics, rep.Metric))]), core.PeriodName(rep.By), rep.Table, len(rep.History), core.PeriodWord(rep.By)),
		i18n.T("Model %s, chosen by AICc (%s); α = %.3f, β = %.3f, γ = %.3f, φ = %.3f.", m.Spec.Name(), i18n.Number(m.AICc), m.Params.Alpha, m.Params.Beta, m.Params.Gamma, m.Params.Phi),
	}
	lines = append(lines, rep.Notes...)
	var total float64
	var rows [][]string
	for _, s := range rep.Steps {
		total += s.Mean
		rows = append(rows, []string{i18n.Date(s.Start), val(s.Mean), val(math.Max(s.Lower, 0)), val(s.Upper)})
	}
	if n := len(rep.Steps); n > 0 {
		lines = append(lines, i18n.T("Next %d %s: %s in all, with the %s prediction interval on the chart.", n, core.PeriodWord(rep.By), val(total),
			i18n.Percent(0, rep.Level)))
	}
	pct := func(x float64) string {
		if x != x {
			return "–"
		}
		return i18n.Percent(1, x/100)
	}
	if b := rep.Backtest; b != nil && b.Season > 0 {
		lines = append(lines, i18n.T("Backtest on the last %d %s: MAPE %s, sMAPE %s; the seasonal naive forecast (the same period a year before): MAPE %s, sMAPE %s.",
			b.Holdout, core.PeriodWord(rep.By), pct(b.MAPE), pct(b.SMAPE), pct(b.NaiveMAPE), pct(b.NaiveSMAPE)))
	} else if b != nil {
		lines = append(lines, i18n.T("Backtest on the last %d %s: MAPE %s, sMAPE %s; the naive forecast (the last value): MAPE %s, sMAPE %s.",
			b.Holdout, core.PeriodWord(rep.By), pct(b.MAPE), pct(b.SMAPE), pct(b.NaiveMAPE), pct(b.NaiveSMAPE)))
	} else if rep.BacktestErr != nil {
		lines = append(lines, i18n.T("No backtest: %s", i18n.Error(rep.BacktestErr)))
	}
	v.summary.SetText(strings.Join(lines, "\n"))
	v.steps.set([]string{i18n.T("Period"), i18n.T("Forecast"), i18n.T("Lower"), i18n.T("Upper")}, []string{"", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
	v.results.SelectIndex(1)
	cur := i18n.Symbol(v.s.p.currency)
	showPlot(v.s.p, v.chart, &v.chartRq, rep.Table+"-forecast", func() (*plot.Plot, error) {
		return core.ForecastChart(rep, cur)
	})
}
