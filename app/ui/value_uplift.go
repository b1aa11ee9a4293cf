package ui

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/uplift"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// upliftView is the Uplift tab: an experiment already in a table (who got
// the message, who was held out, what they did) trains a model of whom the
// message changes; the Qini and uplift curves show how much better than
// random its ranking is, and the top share becomes a segment.
type upliftView struct {
	s *valueScreen

	tableSel, treatSel, treatedSel, controlSel *widget.Select
	outcomeSel, revenueSel, methodSel, algoSel *widget.Select
	name                                       *widget.Entry
	featBtn, trainBtn                          *widget.Button
	info                                       *widget.Label

	cols     []storage.Column
	idCol    string          // the table's customer id column, not a feature
	off      map[string]bool // columns unticked as features
	values   []string        // the treatment column's values
	distinct int64
	colsRq   latest
	valuesRq latest

	summary            *widget.Label
	qini, curve        *chartView
	qiniRq, curveRq    latest
	deciles            *grid
	results            *container.AppTabs
	share              *widget.Slider
	shareIn            *widget.Entry
	gain               *widget.Label
	segName            *widget.Entry
	segBtn, campaignBt *widget.Button

	rep     *core.UpliftReport
	content fyne.CanvasObject
}

// methodNames and algoNames are the choices as people read them.
var (
	upliftMethods = []string{i18n.Mark("two models"), i18n.Mark("class transformation"), i18n.Mark("X-learner")}
	upliftAlgos   = []string{i18n.Mark("Logistic regression"), i18n.Mark("Random forest")}
)

func newUpliftView(s *valueScreen) *upliftView {
	v := &upliftView{s: s, off: map[string]bool{}, qini: newChartView(), curve: newChartView(), deciles: newGrid(),
		summary: &widget.Label{Wrapping: fyne.TextWrapWord}}
	v.tableSel = widget.NewSelect(nil, func(string) { v.tableChanged() })
	v.tableSel.PlaceHolder = i18n.T("Choose the experiment table")
	v.treatSel = widget.NewSelect(nil, func(string) { v.treatmentChanged() })
	v.treatedSel = widget.NewSelect(nil, func(t string) {
		if t != "" {
			v.name.SetText(t)
		}
	})
	v.controlSel = widget.NewSelect(nil, nil)
	v.outcomeSel = widget.NewSelect(nil, nil)
	v.revenueSel = widget.NewSelect(nil, nil)
	v.revenueSel.PlaceHolder = i18n.T("(none)")
	tr := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = i18n.T(s)
		}
		return out
	}
	v.methodSel = widget.NewSelect(tr(upliftMethods), nil)
	v.methodSel.SetSelectedIndex(0)
	v.algoSel = widget.NewSelect(tr(upliftAlgos), nil)
	v.algoSel.SetSelectedIndex(0)
	v.name = newEntry("", i18n.T("name"))
	v.featBtn = &widget.Button{Text: i18n.T("Features…"), Icon: theme.ListIcon(), OnTapped: v.chooseFeatures}
	v.trainBtn = &widget.Button{Text: i18n.T("Train"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.train}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.info.Hide()
	v.summary.SetText(i18n.T("An uplift model learns from an experiment already in a table (a column that says who got the message " +
		"and who was held out, and an outcome) whom the message changes. It is checked on half of the customers, held out, " +
		"and every customer's predicted uplift goes to model_scores, where rules, plans and campaigns use it."))
	v.qini.message(i18n.T("Press Train to see how the model ranks customers."))
	v.curve.message(i18n.T("Press Train to see how the model ranks customers."))
	v.results = container.NewAppTabs(
		container.NewTabItem(i18n.T("Summary"), container.NewVScroll(v.summary)),
		container.NewTabItem(i18n.T("Qini curve"), v.qini.content),
		container.NewTabItem(i18n.T("Uplift curve"), v.curve.content),
		container.NewTabItem(i18n.T("By decile"), v.deciles.table),
	)
	v.share = widget.NewSlider(1, 100)
	v.share.Step = 1
	v.share.Value = 30
	v.shareIn = newEntry("30", "")
	v.share.OnChanged = func(x float64) {
		if t := strconv.Itoa(int(x)); v.shareIn.Text != t {
			v.shareIn.SetText(t)
		}
	}
	v.share.OnChangeEnded = func(float64) { v.drawCurves() }
	v.shareIn.OnChanged = func(string) { v.targetChanged() }
	v.shareIn.OnSubmitted = func(string) { v.drawCurves() }
	v.gain = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.segName = newEntry("", "")
	v.segBtn = &widget.Button{Text: i18n.T("Make a segment of the top"), Icon: theme.AccountIcon(), OnTapped: func() { v.makeSegment(false) }}
	v.campaignBt = &widget.Button{Text: i18n.T("Use in a campaign"), Icon: theme.MailSendIcon(), OnTapped: func() { v.makeSegment(true) }}
	v.segBtn.Disable()
	v.campaignBt.Disable()

	top := container.NewVBox(newFlow(
		captioned(i18n.T("Experiment"), fixedWidth(150, v.tableSel)),
		captioned(i18n.T("Treatment"), fixedWidth(130, v.treatSel)),
		captioned(i18n.T("Treated"), fixedWidth(130, v.treatedSel)),
		captioned(i18n.T("Control"), fixedWidth(130, v.controlSel)),
		captioned(i18n.T("Outcome"), fixedWidth(130, v.outcomeSel)),
		captioned(i18n.T("Revenue"), fixedWidth(130, v.revenueSel)),
		captioned(i18n.T("Method"), v.methodSel), captioned(i18n.T("Algorithm"), v.algoSel),
		captioned(i18n.T("Name"), fixedWidth(130, v.name)), v.featBtn, v.trainBtn), v.info)
	bottom := container.NewVBox(v.gain, newFlow(
		captioned(i18n.T("Treat the top"), fixedWidth(140, v.share)), fixedWidth(50, v.shareIn), widget.NewLabel("%"),
		captioned(i18n.T("Segment name"), fixedWidth(200, v.segName)), v.segBtn, v.campaignBt))
	v.content = container.NewBorder(top, bottom, nil, nil, v.results)
	return v
}

// setTables offers every table; an experiment can be in any of them.
func (v *upliftView) setTables(ts []storage.Table) {
	var names []string
	for _, t := range ts {
		if !strings.EqualFold(t.Name, storage.ModelScoresTable) && !strings.EqualFold(t.Name, core.NBATable) {
			names = append(names, t.Name)
		}
	}
	v.tableSel.Options = names
	if !slices.Contains(names, v.tableSel.Selected) {
		v.tableSel.Selected = ""
		v.tableSel.Refresh()
		v.tableChanged()
	}
	v.tableSel.Refresh()
}

var (
	// The usual names first, whole; then any name that contains one.
	treatmentIs   = regexp.MustCompile(`(?i)^(treatment|treated|segment|group|variant|arm|test_group|campaign)$`)
	treatmentLike = regexp.MustCompile(`(?i)treat|segment|group|variant|arm`)
	outcomeIs     = regexp.MustCompile(`(?i)^(conversion|converted|outcome|response|responded|visit|target)$`)
	outcomeLike   = regexp.MustCompile(`(?i)conver|visit|outcome|respon|bought|purchase`)
	controlLike   = regexp.MustCompile(`(?i)control|^no\b|^no[ _-]|none|holdout|hold out`)
)

// tableChanged lists the table's columns and guesses the experiment's.
func (v *upliftView) tableChanged() {
	table := v.tableSel.Selected
	v.cols, v.idCol, v.off = nil, "", map[string]bool{}
	for _, s := range []*widget.Select{v.treatSel, v.outcomeSel, v.revenueSel, v.treatedSel, v.controlSel} {
		s.Options, s.Selected = nil, ""
		s.Refresh()
	}
	if table == "" {
		return
	}
	ctx := v.colsRq.start(v.s.p.ctx)
	type colsRoles struct {
		cols  []storage.Column
		roles map[string]storage.Role
	}
	async(v.s.p, ctx, func(ctx context.Context) (colsRoles, error) {
		cols, err := v.s.p.ws.Columns(ctx, table)
		if err != nil {
			return colsRoles{}, err
		}
		roles, err := v.s.p.ws.ColumnRoles(ctx, table)
		return colsRoles{cols, roles}, err
	}, func(cr colsRoles, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.cols = cr.cols
		var names, numeric []string
		for _, c := range cr.cols {
			names = append(names, c.Name)
			if c.IsNumeric() {
				numeric = append(numeric, c.Name)
			}
			if cr.roles[c.Name] == storage.CustomerID {
				v.idCol = c.Name
			}
		}
		v.treatSel.Options, v.outcomeSel.Options = names, names
		v.revenueSel.Options = append([]string{i18n.T("(none)")}, numeric...)
		v.revenueSel.Refresh()
		v.outcomeSel.Refresh()
		// Other outcomes happened after the experiment: not features
		// unless ticked.
		for _, c := range names {
			if outcomeLike.MatchString(c) {
				v.off[c] = true
			}
		}
		if c := firstNonEmpty(firstMatch(names, outcomeIs), firstMatch(names, outcomeLike)); c != "" {
			v.outcomeSel.SetSelected(c)
		}
		for _, c := range numeric {
			if strings.Contains(strings.ToLower(c), "spend") || strings.Contains(strings.ToLower(c), "revenue") {
				v.revenueSel.SetSelected(c)
				break
			}
		}
		if c := firstNonEmpty(firstMatch(names, treatmentIs), firstMatch(names, treatmentLike)); c != "" {
			v.treatSel.SetSelected(c)
		} else {
			v.treatSel.Refresh()
		}
	})
}

func firstMatch(names []string, re *regexp.Regexp) string {
	for _, n := range names {
		if re.MatchString(n) {
			return n
		}
	}
	return ""
}

// treatmentChanged offers the treatment column's values as the groups.
func (v *upliftView) treatmentChanged() {
	table, col := v.tableSel.Selected, v.treatSel.Selected
	v.values, v.distinct = nil, 0
	if table == "" || col == "" {
		return
	}
	ctx := v.valuesRq.start(v.s.p.ctx)
	type vals struct {
		list []string
		n    int64
	}
	async(v.s.p, ctx, func(ctx context.Context) (vals, error) {
		list, n, err := v.s.p.ws.DistinctValues(ctx, table, col, 50)
		return vals{list, n}, err
	}, func(x vals, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.values, v.distinct = x.list, x.n
		v.treatedSel.Options, v.controlSel.Options = x.list, x.list
		control := firstMatch(x.list, controlLike)
		treated := ""
		for _, s := range x.list {
			if s != control {
				treated = s
				break
			}
		}
		if control == "" && len(x.list) > 1 {
			control = x.list[1]
			if control == treated {
				control = x.list[0]
			}
		}
		v.controlSel.SetSelected(control)
		v.treatedSel.SetSelected(treated)
		v.treatedSel.Refresh()
		v.controlSel.Refresh()
		if x.n < 2 {
			v.say(oneGroup(col, x.list))
		} else {
			v.info.Hide()
		}
	})
}

func oneGroup(col string, values []string) string {
	if len(values) == 0 {
		return i18n.T("%s has no values: an experiment needs a column that says who got the message and who was held out.", col)
	}
	return i18n.T("Everyone in %s is in one group (%s): an experiment needs customers who got the message and customers who were held out, to compare.", col, values[0])
}

func (v *upliftView) say(s string) {
	v.info.SetText(s)
	v.info.Show()
}

// excluded are the columns that are never features: the experiment's
// own and the customer id.
func (v *upliftView) excluded(c string) bool {
	rev := v.revenueSel.Selected
	return c == v.treatSel.Selected || c == v.outcomeSel.Selected || c == rev || c == v.idCol
}

// features are the ticked columns.
func (v *upliftView) features() []string {
	var out []string
	for _, c := range v.cols {
		if !v.excluded(c.Name) && !v.off[c.Name] {
			out = append(out, c.Name)
		}
	}
	return out
}

// chooseFeatures ticks the columns to learn from, warning that only what
// was known before the experiment belongs there.
func (v *upliftView) chooseFeatures() {
	if len(v.cols) == 0 {
		v.say(i18n.T("Choose the experiment table first."))
		return
	}
	box := container.NewGridWithColumns(3)
	for _, c := range v.cols {
		if v.excluded(c.Name) {
			continue
		}
		name := c.Name
		ch := widget.NewCheck(name, func(on bool) { v.off[name] = !on })
		ch.Checked = !v.off[name]
		box.Add(ch)
	}
	warn := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance,
		Text: i18n.T("Tick only what was known before the experiment. A column recorded after it, such as another outcome, " +
			"makes the model look better than it is and its uplift meaningless.")}
	d := dialog.NewCustom(i18n.T("Features"), i18n.T("Close"), container.NewBorder(warn, nil, nil, nil, container.NewVScroll(box)), v.s.p.win)
	d.Resize(fyne.NewSize(620, 420))
	d.Show()
}

// request is the experiment as chosen, or why it cannot be trained.
func (v *upliftView) request() (core.UpliftRequest, string) {
	r := core.UpliftRequest{Table: v.tableSel.Selected, Treatment: v.treatSel.Selected, Treated: v.treatedSel.Selected,
		Control: v.controlSel.Selected, Outcome: v.outcomeSel.Selected, Name: strings.TrimSpace(v.name.Text),
		Method: uplift.Methods[max(0, v.methodSel.SelectedIndex())], Algo: model.LogReg}
	if v.algoSel.SelectedIndex() == 1 {
		r.Algo = model.Forest
	}
	if rev := v.revenueSel.Selected; rev != "" && v.revenueSel.SelectedIndex() > 0 {
		r.Revenue = rev
	}
	switch {
	case r.Table == "":
		return r, i18n.T("Choose the experiment table first.")
	case r.Treatment == "":
		return r, i18n.T("Choose the treatment column: the one that says who got the message and who was held out.")
	case v.values != nil && v.distinct < 2:
		return r, oneGroup(r.Treatment, v.values)
	case r.Treated == "" || r.Control == "":
		return r, i18n.T("Choose the treated value (who got the message) and the control value (who was held out).")
	case r.Treated == r.Control:
		return r, i18n.T("The treated and control groups are the same value (%s); choose two different ones.", r.Treated)
	case r.Outcome == "":
		return r, i18n.T("Choose the outcome column: what the customers did (bought, visited), as yes/no or a number.")
	case r.Outcome == r.Treatment:
		return r, i18n.T("The outcome cannot be the treatment column.")
	}
	r.Features = v.features()
	if len(r.Features) == 0 {
		return r, i18n.T("Tick at least one feature to learn from (Features…).")
	}
	return r, ""
}

// train trains and evaluates the model, then shows it.
func (v *upliftView) train() {
	r, why := v.request()
	if why != "" {
		v.say(why)
		return
	}
	v.info.Hide()
	share, ok := percentShare(v.shareIn.Text)
	if ok {
		r.TopShare = share
	}
	var rep *core.UpliftReport
	v.trainBtn.Disable()
	v.s.p.run(i18n.T("Training the uplift model…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		rep, err = v.s.p.ws.TrainUplift(ctx, r, progress)
		return err
	}, func(err error) {
		v.trainBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.show(rep, r)
	})
}

// show fills the summary, the curves and the deciles.
func (v *upliftView) show(rep *core.UpliftReport, r core.UpliftRequest) {
	v.rep = rep
	res := rep.Result
	lines := []string{
		i18n.T("%s against %s on %s: checked on %s held-out customers (%s treated, %s control).", r.Treated, r.Control, r.Outcome,
			i18n.Number(float64(res.Customers)), i18n.Number(float64(res.Treated)), i18n.Number(float64(res.Control))),
		i18n.T("On average the message changes the outcome rate by %s percentage points (the rate of the treated minus that of the control group).", signedPoints(res.ATE)),
		i18n.T("Qini coefficient %s: 1 is a perfect ranking, 0 no better than random.", i18n.Group(res.Qini, 3, false)),
		i18n.T("Learned from: %s.", strings.Join(rep.Features, ", ")),
	}
	if rep.Column != "" {
		lines = append(lines, i18n.T("Every customer's predicted uplift is in model_scores.%s (%s customers), for rules, plans and campaigns.",
			rep.Column, i18n.Number(float64(rep.Scored))))
	} else {
		lines = append(lines, i18n.T("The table has no customer id role, so no customer was scored and no segment can be made. Give its customer column that role on the Data screen's Roles tab."))
	}
	v.summary.SetText(strings.Join(lines, "\n"))
	var rows [][]string
	for _, d := range res.Deciles {
		up := "–"
		if d.HasBoth {
			up = signedPercent(d.Uplift)
		}
		rows = append(rows, []string{strconv.Itoa(d.Decile), i18n.Number(float64(d.Customers)), i18n.Number(float64(d.Treated)), i18n.Number(float64(d.Control)),
			i18n.Percent(1, d.RateTreated), i18n.Percent(1, d.RateControl), up, signedPercent(d.PredictedUplift)})
	}
	v.deciles.set([]string{i18n.T("Decile"), i18n.T("Customers"), i18n.T("Treated"), i18n.T("Control"), i18n.T("Rate treated"),
		i18n.T("Rate control"), i18n.T("Uplift"), i18n.T("Predicted uplift")},
		[]string{"BIGINT", "BIGINT", "BIGINT", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
	showIf(v.segBtn, true)
	enable(v.segBtn, rep.Column != "")
	enable(v.campaignBt, rep.Column != "")
	v.results.SelectIndex(1)
	v.targetChanged()
	v.drawCurves()
}

// signedPercent is a change in percentage points: +4.5%.
func signedPercent(x float64) string {
	if x > 0 {
		return "+" + i18n.Percent(1, x)
	}
	return i18n.Percent(1, x)
}

// signedPoints is a difference of two rates in percentage points, signed.
func signedPoints(x float64) string {
	if x > 0 {
		return "+" + i18n.Group(100*x, 1, false)
	}
	return i18n.Group(100*x, 1, false)
}

// targetChanged says, live, what treating the top share would gain.
func (v *upliftView) targetChanged() {
	share, ok := percentShare(v.shareIn.Text)
	if !ok {
		v.gain.SetText(i18n.T("The share to treat is a percentage above 0 and at most 100."))
		return
	}
	if x := math.Round(share * 100); v.share.Value != x && x >= 1 {
		v.share.SetValue(x)
	}
	if v.rep == nil {
		v.gain.SetText("")
		return
	}
	v.segName.SetText(i18n.T("Top %s by %s", i18n.Percent(0, share), v.rep.Name))
	t, err := v.rep.Result.Top(share)
	if err != nil {
		v.gain.SetText(sentence(i18n.Error(err)))
		return
	}
	all := float64(v.rep.Scored)
	if all == 0 {
		all = float64(v.rep.Result.Customers)
	}
	n := math.Ceil(share * all)
	top, rate, gain, extra := i18n.Percent(0, share), signedPoints(t.Uplift), i18n.Group(t.Gain, 2, false), i18n.Number(math.Round(t.Uplift*n))
	if t.RevenueUplift != 0 {
		v.gain.SetText(i18n.T("Treating the top %s (%s customers) changes their conversion rate by %s percentage points, %s times the average effect: "+
			"about %s extra conversions and %s extra revenue.", top, i18n.Number(n), rate, gain, extra, v.s.p.money(0, t.RevenueUplift*n)))
		return
	}
	v.gain.SetText(i18n.T("Treating the top %s (%s customers) changes their conversion rate by %s percentage points, %s times the average effect: "+
		"about %s extra conversions.", top, i18n.Number(n), rate, gain, extra))
}

// drawCurves draws the Qini and uplift curves with the chosen share.
func (v *upliftView) drawCurves() {
	if v.rep == nil {
		return
	}
	share, _ := percentShare(v.shareIn.Text)
	conv := func(pts []uplift.Point) []chart.Point {
		out := make([]chart.Point, len(pts))
		for i, p := range pts {
			out[i] = chart.Point{X: p.X, Y: p.Y}
		}
		return out
	}
	q, u := conv(v.rep.Result.QiniCurve), conv(v.rep.Result.UpliftCurve)
	base := v.tableSel.Selected + "-" + v.rep.Name
	showPlot(v.s.p, v.qini, &v.qiniRq, base+"-qini", func() (*plot.Plot, error) {
		return chart.UpliftCurve(i18n.T("Qini curve (held-out customers)"), i18n.T("Extra conversions"), q, share)
	})
	showPlot(v.s.p, v.curve, &v.curveRq, base+"-uplift", func() (*plot.Plot, error) {
		return chart.UpliftCurve(i18n.T("Uplift curve (held-out customers)"), i18n.T("Uplift × customers targeted"), u, share)
	})
}

// makeSegment saves the customers of the top share by predicted uplift:
// a rule on model_scores above the score that gives that share.
func (v *upliftView) makeSegment(campaign bool) {
	share, ok := percentShare(v.shareIn.Text)
	name := strings.TrimSpace(v.segName.Text)
	switch {
	case v.rep == nil || v.rep.Column == "":
		v.gain.SetText(i18n.T("Train an uplift model on a table with customer ids first."))
		return
	case !ok:
		v.gain.SetText(i18n.T("The share to treat is a percentage above 0 and at most 100."))
		return
	case name == "":
		v.gain.SetText(i18n.T("Give the segment a name."))
		return
	}
	col := v.rep.Column
	var sg *segment.Segment
	var rule string
	v.s.p.run(i18n.T("Saving the segment %q…", name), func(ctx context.Context, _ core.Progress) error {
		t, _, err := v.s.p.ws.TopThreshold(ctx, storage.ModelScoresTable, col, share)
		if err != nil {
			return err
		}
		rule = col + " >= " + ruleNumber(t)
		sg, err = v.s.p.ws.CreateSegment(ctx, name, storage.ModelScoresTable, rule)
		return err
	}, func(err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.s.segmentSaved(sg, i18n.T("the top %s by predicted uplift (%s)", i18n.Percent(0, share), rule), campaign)
	})
}
