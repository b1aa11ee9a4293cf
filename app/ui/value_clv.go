package ui

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/value"
)

// clvView is the Lifetime value tab: fit BG/NBD (or MBG/NBD) and
// Gamma-Gamma on the orders up to a calibration end, check them on the
// orders after it, score every customer, and make a segment of the
// valuable ones.
type clvView struct {
	s *valueScreen

	tableSel *widget.Select
	calEnd   *widget.Entry
	period   *widget.Select
	model    *widget.Select
	fitBtn   *widget.Button
	horizon  *widget.Entry
	unit     *widget.Label
	margin   *widget.Entry
	discount *widget.Entry
	scoreBtn *widget.Button
	info     *widget.Label // what to do next, or why not

	summary                       *widget.Label
	check, track, values, alive   *chartView
	checkRq, trackRq, valRq, alRq latest
	charts                        *container.AppTabs

	minCLV, minAlive, segName *widget.Entry
	count                     *widget.Label
	segBtn, campaignBtn       *widget.Button
	countDeb                  debounce
	spanRq                    latest

	saved  *value.Saved // the project's fit, nil for none
	fit    *core.CLVFit // the fit made on this screen, with its checks
	scored *core.CLVScoreReport

	content fyne.CanvasObject
}

// clvPeriods are the period choices, in the order shown.
var clvPeriods = []string{"day", "week", "month"}

// clvModels name the purchase models.
var clvModels = []string{"BG/NBD", "MBG/NBD"} // i18n:keep (the models' names)

func newCLVView(s *valueScreen) *clvView {
	v := &clvView{s: s, summary: &widget.Label{Wrapping: fyne.TextWrapWord},
		check: newChartView(), track: newChartView(), values: newChartView(), alive: newChartView()}
	v.tableSel = widget.NewSelect(nil, func(string) { v.tableChanged() })
	v.tableSel.PlaceHolder = i18n.T("Choose the order table")
	v.calEnd = newEntry("", i18n.T("YYYY-MM-DD"))
	var periods []string
	for _, p := range clvPeriods {
		periods = append(periods, core.PeriodWord(p))
	}
	v.period = widget.NewSelect(periods, nil)
	v.period.SetSelectedIndex(1)
	v.model = widget.NewSelect(clvModels, nil)
	v.model.SetSelectedIndex(0)
	v.fitBtn = &widget.Button{Text: i18n.T("Fit"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.runFit}
	v.horizon = newEntry("52", "")
	v.unit = widget.NewLabel(core.PeriodWord("week")) // i18n:keep (a period name, said in words by PeriodWord)
	v.margin = newEntry("100", "")
	v.discount = newEntry("10", "")
	v.scoreBtn = &widget.Button{Text: i18n.T("Score"), Icon: theme.DocumentSaveIcon(), OnTapped: v.runScore}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.info.Hide()
	v.summary.SetText(i18n.T("Fit learns how often customers buy and when they stop from the orders up to the calibration end, " +
		"and checks itself on the orders after it. Score then gives every customer a lifetime value and the probability " +
		"of still being a customer (P(alive)) in the table clv_scores."))
	for _, c := range []*chartView{v.check, v.track} {
		c.message(i18n.T("Press Fit to see how well the model predicts the orders after the calibration end."))
	}
	for _, c := range []*chartView{v.values, v.alive} {
		c.message(i18n.T("Press Score to see the distribution."))
	}
	v.charts = container.NewAppTabs(
		container.NewTabItem(i18n.T("Summary"), container.NewVScroll(v.summary)),
		container.NewTabItem(i18n.T("Calibration check"), v.check.content),
		container.NewTabItem(i18n.T("Tracking"), v.track.content),
		container.NewTabItem(i18n.T("Lifetime value"), v.values.content),
		container.NewTabItem(i18n.T("P(alive)"), v.alive.content),
	)

	v.minCLV = newEntry("", i18n.T("any"))
	v.minAlive = newEntry("0.5", i18n.T("any"))
	v.segName = newEntry(i18n.T("Valuable customers"), "")
	v.count = widget.NewLabel("")
	v.countDeb.delay = 300 * time.Millisecond
	for _, e := range []*widget.Entry{v.minCLV, v.minAlive} {
		e.OnChanged = func(string) { v.recount() }
	}
	v.segBtn = &widget.Button{Text: i18n.T("Make a segment"), Icon: theme.AccountIcon(), OnTapped: func() { v.makeSegment(false) }}
	v.campaignBtn = &widget.Button{Text: i18n.T("Use in a campaign"), Icon: theme.MailSendIcon(), OnTapped: func() { v.makeSegment(true) }}
	v.segBtn.Disable()
	v.campaignBtn.Disable()

	top := container.NewVBox(
		newFlow(captioned(i18n.T("Orders"), fixedWidth(130, v.tableSel)),
			captioned(i18n.T("Calibration end"), fixedWidth(110, v.calEnd)),
			captioned(i18n.T("Period"), v.period), captioned(i18n.T("Model"), v.model), v.fitBtn),
		newFlow(captioned(i18n.T("Horizon"), fixedWidth(70, v.horizon)), v.unit,
			captioned(i18n.T("Margin %"), fixedWidth(60, v.margin)),
			captioned(i18n.T("Yearly discount %"), fixedWidth(60, v.discount)), v.scoreBtn),
		v.info)
	bottom := newFlow(
		captioned(i18n.T("Lifetime value above"), fixedWidth(90, v.minCLV)),
		captioned(i18n.T("P(alive) above"), fixedWidth(60, v.minAlive)),
		captioned(i18n.T("Segment name"), fixedWidth(170, v.segName)),
		v.count, v.segBtn, v.campaignBtn)
	v.content = container.NewBorder(top, bottom, nil, nil, v.charts)
	return v
}

// setTables offers the tables with customers and order dates.
func (v *clvView) setTables(ts []string) {
	v.tableSel.Options = ts
	if len(ts) == 0 {
		v.say(noOrderTable())
	} else if v.info.Text == noOrderTable() {
		v.info.Hide()
	}
	if !slices.Contains(ts, v.tableSel.Selected) {
		v.tableSel.Selected = ""
		if len(ts) > 0 {
			v.tableSel.Selected = ts[0]
		}
		v.tableChanged()
	}
	v.tableSel.Refresh()
}

func noOrderTable() string {
	return i18n.T("No order table yet. Lifetime value needs a table of orders whose columns have the roles %s, %s and %s "+
		"(or %s and %s): import your orders on the Data screen and set the roles on its Roles tab.",
		string(storage.CustomerID), string(storage.OrderDate), string(storage.Amount), string(storage.Quantity), string(storage.UnitPrice))
}

// say shows a short message above the charts.
func (v *clvView) say(s string) {
	v.info.SetText(s)
	v.info.Show()
}

// tableChanged proposes a calibration end a third of the history before
// the last order, so the check has enough orders after it.
func (v *clvView) tableChanged() {
	table := v.tableSel.Selected
	if table == "" {
		return
	}
	ctx := v.spanRq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) ([2]time.Time, error) {
		first, last, err := dateSpan(ctx, v.s, table)
		return [2]time.Time{first, last}, err
	}, func(span [2]time.Time, err error) {
		if ctx.Err() != nil || err != nil || span[1].IsZero() {
			return // the user types a date; fitting explains a bad one
		}
		days := int(span[1].Sub(span[0]).Hours() / 24)
		v.calEnd.SetText(span[1].AddDate(0, 0, -days/3).Format(time.DateOnly))
	})
}

// loadSaved shows the project's saved fit and scores, if any.
func (v *clvView) loadSaved() {
	async(v.s.p, v.s.p.ctx, func(ctx context.Context) (*value.Saved, error) {
		return v.s.p.ws.CLVModel(ctx)
	}, func(saved *value.Saved, err error) {
		if err != nil || saved == nil || v.saved != nil {
			return // a damaged fit says so when scoring
		}
		v.setSaved(saved)
		v.summary.SetText(describeFit(v.s.p, saved))
		v.showScores()
	})
}

func (v *clvView) setSaved(saved *value.Saved) {
	v.saved = saved
	v.unit.SetText(core.PeriodWord(saved.Period))
	switch saved.Period {
	case "day":
		v.horizon.SetText("365")
	case "month":
		v.horizon.SetText("12")
	default:
		v.horizon.SetText("52")
	}
}

// runFit fits the model on the chosen table.
func (v *clvView) runFit() {
	table := v.tableSel.Selected
	if table == "" {
		if len(v.tableSel.Options) == 0 {
			v.say(noOrderTable())
		} else {
			v.say(i18n.T("Choose the order table first."))
		}
		return
	}
	end, err := time.Parse(time.DateOnly, strings.TrimSpace(v.calEnd.Text))
	if err != nil {
		v.say(i18n.T("%q is not a date. Write the calibration end as YYYY-MM-DD: the model learns from the orders up to it and is checked on those after it.", v.calEnd.Text))
		return
	}
	v.info.Hide()
	opt := core.CLVOptions{Orders: table, CalibrationEnd: end, Period: clvPeriods[v.period.SelectedIndex()],
		Model: strings.ToLower(strings.ReplaceAll(v.model.Selected, "/", ""))}
	var fit *core.CLVFit
	v.fitBtn.Disable()
	v.s.p.run(i18n.T("Fitting lifetime value…"), func(ctx context.Context, progress core.Progress) error {
		fit, err = v.s.p.ws.FitCLV(ctx, opt, progress)
		return err
	}, func(err error) {
		v.fitBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.showFit(fit)
	})
}

// showFit says what the fit found and draws its checks.
func (v *clvView) showFit(fit *core.CLVFit) {
	v.fit = fit
	v.setSaved(&fit.Saved)
	first, rest, _ := strings.Cut(describeFit(v.s.p, &fit.Saved), "\n")
	text := first + "\n" + i18n.T("%s of %s customers bought again before the calibration end.",
		i18n.Number(float64(fit.Repeaters)), i18n.Number(float64(fit.Customers))) + "\n" + rest
	if len(fit.Holdout) > 0 {
		var act, exp float64
		for _, b := range fit.Holdout {
			act += b.Actual * float64(b.Customers)
			exp += b.Expected * float64(b.Customers)
		}
		text += "\n" + i18n.T("Check: in the %s %s after the calibration end these customers made %s repeat purchases; the model expected %s.",
			i18n.Number(fit.HoldoutPeriods), core.PeriodWord(fit.Period), i18n.Number(act), i18n.Number(math.Round(exp)))
	}
	v.summary.SetText(text + "\n" + i18n.T("Press Score to value every customer."))
	v.charts.SelectIndex(1)
	labels := make([]string, len(fit.Holdout))
	act, exp := make([]float64, len(fit.Holdout)), make([]float64, len(fit.Holdout))
	for i, b := range fit.Holdout {
		labels[i] = strconv.Itoa(b.Frequency)
		if i == len(fit.Holdout)-1 {
			labels[i] += "+"
		}
		act[i], exp[i] = b.Actual, b.Expected
	}
	showPlot(v.s.p, v.check, &v.checkRq, fit.Table+"-clv-check", func() (*plot.Plot, error) {
		return chart.HoldoutCheck(i18n.T("Expected and actual purchases after the calibration end"),
			i18n.T("Repeat purchases in the calibration period"), labels, act, exp)
	})
	at := make([]time.Time, len(fit.Tracking))
	ta, te := make([]float64, len(fit.Tracking)), make([]float64, len(fit.Tracking))
	for i, pt := range fit.Tracking {
		at[i], ta[i], te[i] = pt.At, pt.Actual, pt.Expected
	}
	calEnd := fit.CalibrationEnd
	showPlot(v.s.p, v.track, &v.trackRq, fit.Table+"-clv-tracking", func() (*plot.Plot, error) {
		return chart.Tracking(i18n.T("Repeat purchases over time"), at, ta, te, calEnd)
	})
}

// describeFit says a fit's parameters in words, then in figures.
func describeFit(p *project, s *value.Saved) string {
	name := clvModels[0]
	if s.Model == "mbgnbd" {
		name = clvModels[1]
	}
	pr := s.Params
	g := func(x float64) string { return i18n.Group(x, 4, true) }
	lines := []string{i18n.T("%s fitted on %s up to %s (%s customers).", name, s.Table, i18n.Date(s.CalibrationEnd), i18n.Number(float64(s.Customers)))}
	if pr.R > 0 && pr.A+pr.B > 0 {
		lines = append(lines, i18n.T("While active, a typical customer buys about once every %s %s; after each repeat purchase, %s of customers stop buying.",
			i18n.Number(pr.Alpha/pr.R), core.PeriodWord(s.Period), i18n.Percent(0, pr.A/(pr.A+pr.B))))
	}
	if sp := s.Spend; sp != nil && sp.Q > 1 {
		lines = append(lines, i18n.T("A repeat purchase is worth %s on average.", p.money(2, sp.P*sp.Gamma/(sp.Q-1))))
	}
	lines = append(lines, i18n.T("Parameters: r %s, α %s, a %s, b %s; log-likelihood %s.", g(pr.R), g(pr.Alpha), g(pr.A), g(pr.B), i18n.Group(s.LogLik, 2, false)))
	if sp := s.Spend; sp != nil {
		lines = append(lines, i18n.T("Spend (Gamma-Gamma): p %s, q %s, γ %s.", g(sp.P), g(sp.Q), g(sp.Gamma)))
	}
	return strings.Join(lines, "\n")
}

// runScore values every customer with the saved fit.
func (v *clvView) runScore() {
	if v.saved == nil {
		v.say(i18n.T("Fit a model first: choose the order table and the calibration end, and press Fit. Scoring uses that fit."))
		return
	}
	h, ok1 := number(v.horizon, 0)
	m, ok2 := number(v.margin, 100)
	d, ok3 := number(v.discount, 0)
	if !ok1 || !ok2 || !ok3 || !(h > 0) || !(m > 0 && m <= 100) || !(d >= 0 && d < 1000) {
		v.say(i18n.T("The horizon is a number of %s above 0, the margin a percentage above 0 and at most 100, and the yearly discount a percentage of at least 0.",
			core.PeriodWord(v.saved.Period)))
		return
	}
	v.info.Hide()
	opt := core.CLVScoreOptions{Horizon: h, Margin: m / 100, Discount: d / 100}
	var rep *core.CLVScoreReport
	v.scoreBtn.Disable()
	v.s.p.run(i18n.T("Scoring lifetime value…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		rep, err = v.s.p.ws.ScoreCLV(ctx, opt, progress)
		return err
	}, func(err error) {
		v.scoreBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.scored = rep
		v.summary.SetText(i18n.T("Lifetime value over %s %s (margin %s, yearly discount %s) for %s customers as of %s: %s in all, %s per customer on average. "+
			"On average a customer is still active with a probability of %s; %s purchases are expected in all.",
			i18n.Number(h), core.PeriodWord(v.saved.Period), i18n.Percent(0, opt.Margin), i18n.Percent(1, opt.Discount),
			i18n.Number(float64(rep.Customers)), i18n.Date(rep.AsOf), v.s.p.money(0, rep.Total), v.s.p.money(2, rep.Mean),
			i18n.Percent(0, rep.MeanPAlive), i18n.Number(rep.ExpectedPurchases)) + "\n\n" + describeFit(v.s.p, v.saved))
		if v.minCLV.Text == "" && rep.Mean > 0 {
			v.minCLV.SetText(ruleNumber(roundNice(rep.Mean)))
		}
		v.charts.SelectIndex(3)
		v.s.p.refreshTables("")
		v.showScores()
	})
}

// roundNice rounds to two significant digits, a threshold people type.
func roundNice(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x))-1)
	return math.Round(x/p) * p
}

// showScores draws the distributions of clv_scores, if it exists, and
// lets segments be made of it.
func (v *clvView) showScores() {
	async(v.s.p, v.s.p.ctx, func(ctx context.Context) (bool, error) {
		return v.s.p.ws.TableExists(ctx, value.ScoresTable)
	}, func(ok bool, err error) {
		if err != nil || !ok {
			return
		}
		v.values.load(v.s.p, &v.valRq, core.ChartSpec{Kind: core.ChartHistogram, Table: value.ScoresTable, Column: "clv", Bins: 30})
		v.alive.load(v.s.p, &v.alRq, core.ChartSpec{Kind: core.ChartHistogram, Table: value.ScoresTable, Column: "p_alive", Bins: 20})
		v.segBtn.Enable()
		v.campaignBtn.Enable()
		v.recount()
	})
}

// rule is the segment's rule from the thresholds, or why there is none.
func (v *clvView) rule() (string, string) {
	var parts []string
	if t := strings.TrimSpace(v.minCLV.Text); t != "" {
		x, ok := parseNumber(t)
		if !ok {
			return "", i18n.T("Lifetime value above is a number, e.g. 500.")
		}
		parts = append(parts, "clv > "+ruleNumber(x))
	}
	if t := strings.TrimSpace(v.minAlive.Text); t != "" {
		x, ok := parseNumber(t)
		if !ok || x < 0 || x > 1 {
			return "", i18n.T("P(alive) above is a probability from 0 to 1, e.g. 0.5.")
		}
		parts = append(parts, "p_alive > "+ruleNumber(x))
	}
	if len(parts) == 0 {
		return "", i18n.T("Give a lifetime value or a P(alive) to be above.")
	}
	return strings.Join(parts, " AND "), ""
}

// recount shows how many customers the thresholds keep, as they are typed.
func (v *clvView) recount() {
	if v.segBtn.Disabled() {
		return // no scores yet
	}
	r, why := v.rule()
	if why != "" {
		v.count.SetText(why)
		return
	}
	v.countDeb.call(v.s.p, func(ctx context.Context) {
		n, err := v.s.p.ws.CountRule(ctx, value.ScoresTable, r)
		do(func() {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				v.count.SetText(sentence(i18n.Error(err)))
				return
			}
			v.count.SetText(i18n.T("%s: %s customers", r, i18n.Number(float64(n))))
		})
	})
}

// makeSegment saves the thresholds as a rule segment on clv_scores.
func (v *clvView) makeSegment(campaign bool) {
	r, why := v.rule()
	name := strings.TrimSpace(v.segName.Text)
	switch {
	case why != "":
		v.count.SetText(why)
		return
	case name == "":
		v.count.SetText(i18n.T("Give the segment a name."))
		return
	}
	v.s.saveRuleSegment(name, value.ScoresTable, r, i18n.T("the customers with %s", r), campaign)
}
