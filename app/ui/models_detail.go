package ui

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
	"gonum.org/v1/plot"
)

// modelDetail shows one model: what it is, its test metrics, charts, what
// it learned, and scoring and explaining customers with it.
type modelDetail struct {
	p    *project
	info *core.ModelInfo

	title     *widget.Label
	about     *widget.Label
	head      *fyne.Container // title, about, actions; the drift alert joins it
	metrics   *grid
	scoreBtn  *widget.Button
	evalBtn   *widget.Button
	scoreInfo *widget.Label
	customer  *widget.Entry
	explain   *widget.Button
	exScore   *widget.Label
	exUp      *widget.Label
	exDown    *widget.Label
	exText    *widget.Label
	exRaw     *widget.Label // the model's own units, shown when advanced is ticked
	advanced  *widget.Check
	classes   [2]string

	charts    map[string]*chartView
	chartReqs map[string]*latest
	// chartTabs holds three labelled tabs (performance, what it learned,
	// explain) so that none hides behind an overflow menu in a narrow
	// pane; the charts sit in perfTabs and learnTabs inside them.
	chartTabs *container.AppTabs
	perfTabs  *container.AppTabs
	learnTabs *container.AppTabs
	coefs     *grid
	rules     *widget.Label
	items     map[string]*container.TabItem
	body      fyne.CanvasObject
	empty     *widget.Label
	content   *fyne.Container
}

// Model chart names, in tab order (in English; the tabs show them
// translated).
var (
	chROC         = "ROC"
	chGains       = i18n.Mark("Gains")
	chCalibration = i18n.Mark("Calibration")
	chConfusion   = i18n.Mark("Confusion")
	chImportance  = i18n.Mark("Importance")
)

// The detail's tabs.
var (
	tabPerformance = i18n.Mark("Performance")
	tabLearned     = i18n.Mark("What it learned")
	tabExplain     = i18n.Mark("Explain a customer")
)

var modelChartOrder = []string{chROC, chGains, chCalibration, chConfusion, chImportance}

func newModelDetail(p *project) *modelDetail {
	d := &modelDetail{p: p, metrics: newGrid(), coefs: newGrid(), charts: map[string]*chartView{}, chartReqs: map[string]*latest{},
		items: map[string]*container.TabItem{}}
	d.title = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText, Truncation: fyne.TextTruncateEllipsis}
	d.about = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.scoreBtn = &widget.Button{Text: i18n.T("Score customers"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: d.score}
	d.scoreInfo = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	d.evalBtn = &widget.Button{Text: i18n.T("Measure on another table…"), Icon: theme.SearchIcon(), OnTapped: d.evaluateOther}
	d.customer = &widget.Entry{PlaceHolder: i18n.T("Customer id")}
	d.customer.ExtendBaseWidget(d.customer)
	d.customer.OnSubmitted = func(string) { d.explainCustomer() }
	d.explain = &widget.Button{Text: i18n.T("Explain"), Icon: theme.QuestionIcon(), OnTapped: d.explainCustomer}
	d.exScore = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	d.exUp = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.exDown = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.exText = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	d.exRaw = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	d.exRaw.Hide()
	d.advanced = widget.NewCheck(i18n.T("Advanced: show the model's own units"), func(on bool) {
		if on && d.exRaw.Text != "" {
			d.exRaw.Show()
		} else {
			d.exRaw.Hide()
		}
	})
	d.rules = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}

	for _, k := range modelChartOrder {
		d.charts[k] = newChartView()
		d.chartReqs[k] = &latest{}
		d.items[k] = container.NewTabItem(i18n.T(k), d.charts[k].content)
	}
	coefNote := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: i18n.T("Odds ratios per standard deviation of a number (per value for a category), with %s intervals. Above 1 raises the odds of the outcome, below 1 lowers them; a p under 0.05 is unlikely to be chance.", "95%")}
	d.items["Coefficients"] = container.NewTabItem(i18n.T("Coefficients"), container.NewBorder(coefNote, nil, nil, nil, d.coefs.table))
	d.items["Rules"] = container.NewTabItem(i18n.T("Rules"), container.NewVScroll(container.NewPadded(d.rules)))
	explainBox := container.NewVBox(
		&widget.Label{Text: i18n.T("Type a customer id to see their score and the columns that push it up or down the most."), Wrapping: fyne.TextWrapWord},
		container.NewBorder(nil, nil, nil, d.explain, d.customer),
		d.exScore,
		container.NewGridWithColumns(2, d.exUp, d.exDown),
		d.exText,
		d.advanced,
		d.exRaw,
	)
	d.perfTabs = container.NewAppTabs()
	d.learnTabs = container.NewAppTabs()
	d.items[tabPerformance] = container.NewTabItem(i18n.T(tabPerformance), d.perfTabs)
	d.items[tabLearned] = container.NewTabItem(i18n.T(tabLearned), d.learnTabs)
	d.items[tabExplain] = container.NewTabItemWithIcon(i18n.T(tabExplain), theme.QuestionIcon(), container.NewVScroll(container.NewPadded(explainBox)))
	d.chartTabs = container.NewAppTabs()

	// Explain in words sits beside the title (which truncates): beside the
	// other two buttons it would widen the model list past a 1024-pixel
	// window, and a row of its own would make the tab too tall for 700.
	explainBtn := explainButton(p, core.ExplainModel, func() string {
		if d.info == nil {
			return ""
		}
		return d.info.Name
	})
	d.head = container.NewVBox(container.NewBorder(nil, nil, nil, explainBtn, d.title), d.about, container.NewHBox(d.scoreBtn, d.evalBtn), d.scoreInfo)
	left := container.NewBorder(d.head, nil, nil, nil, d.metrics.table)
	split := container.NewHSplit(left, d.chartTabs)
	split.Offset = 0.38
	d.body = split
	d.empty = &widget.Label{Text: i18n.T("Select a model above to see how it does."), Alignment: fyne.TextAlignCenter, TextStyle: fyne.TextStyle{Italic: true}}
	d.content = container.NewStack(container.NewCenter(d.empty))
	return d
}

func (d *modelDetail) clear() {
	d.info = nil
	d.clearExplanation()
	d.content.Objects = []fyne.CanvasObject{container.NewCenter(d.empty)}
	d.content.Refresh()
}

func (d *modelDetail) show(info core.ModelInfo) {
	same := d.info != nil && d.info.Name == info.Name && d.info.TrainedAt.Equal(info.TrainedAt)
	d.info = &info
	if d.content.Objects[0] != d.body {
		d.content.Objects = []fyne.CanvasObject{d.body}
		d.content.Refresh()
	}
	if same {
		return
	}
	ev := &info.Eval
	d.title.SetText(info.Name)
	from := info.Source.Table
	if info.Source.Segment != "" {
		from = i18n.T("%s (segment %s)", from, info.Source.Segment)
	}
	about := i18n.T("%s predicting %s from %d features of %s: %s training and %s test rows. Trained %s in %.1f s.",
		algoTitle(info.Algo), info.Target, len(info.Spec.Features()), from, i18n.Number(float64(ev.TrainRows)), i18n.Number(float64(ev.TestRows)),
		i18n.DateTime(info.TrainedAt.Local()), info.Seconds)
	if t := info.Source.Target; t != nil {
		about += i18n.T(" Outcome: %s within %d days after %s.", targetKindWords(t.Kind), t.Days, t.Cutoff)
	}
	d.about.SetText(about)
	d.setMetrics(ev)
	d.scoreInfo.SetText(scoreHint(&info))
	d.clearExplanation()

	// What the model learned: importance, coefficients for logistic
	// regression, rules for a tree.
	var perf, tabs []*container.TabItem
	if !ev.Regression {
		perf = append(perf, d.items[chROC], d.items[chGains], d.items[chCalibration], d.items[chConfusion])
	}
	tabs = append(tabs, d.items[chImportance])
	if len(ev.Coefs) > 0 {
		var rows [][]string
		for _, c := range ev.Coefs {
			rows = append(rows, []string{c.Feature, f3(c.OddsRatio), f3(c.OddsLo) + " – " + f3(c.OddsHi), pval(c.P), f3(c.Coef)})
		}
		d.coefs.set([]string{i18n.T("Feature"), i18n.T("Odds ratio"), i18n.T("%s interval", "95%"), "p", i18n.T("Coefficient")}, []string{"", "DOUBLE", "", "DOUBLE", "DOUBLE"}, rows)
		tabs = append(tabs, d.items["Coefficients"])
	}
	if len(ev.Rules) > 0 {
		var b strings.Builder
		b.WriteString(i18n.T("Each leaf of the tree as a rule, read top to bottom:") + "\n\n")
		for i, r := range ev.Rules {
			if i < len(ev.RuleWords) {
				r = i18n.Say(ev.RuleWords[i].Msg(model.RuleNoun))
			} // else a model saved before RuleWords: in English
			fmt.Fprintf(&b, "%d.  %s\n", i+1, r)
		}
		d.rules.SetText(b.String())
		tabs = append(tabs, d.items["Rules"])
	}
	d.learnTabs.SetItems(tabs)
	d.learnTabs.SelectIndex(0)
	d.perfTabs.SetItems(perf)
	top := []*container.TabItem{d.items[tabLearned], d.items[tabExplain]}
	if len(perf) > 0 {
		d.perfTabs.SelectIndex(0)
		top = append([]*container.TabItem{d.items[tabPerformance]}, top...)
	}
	d.chartTabs.SetItems(top)
	d.chartTabs.SelectIndex(0)
	d.classes = [2]string{i18n.T("no"), i18n.T("yes")}
	if len(ev.Classes) == 2 {
		d.classes = [2]string{ev.Classes[0], ev.Classes[1]}
	}
	d.drawCharts()
}

// scoreHint says where Score will read customers and write scores.
func scoreHint(info *core.ModelInfo) string {
	from := i18n.T("the rows of %s", info.Source.Table)
	if info.Source.Target != nil {
		from = i18n.T("every customer (features as of the last order)")
	}
	return i18n.T("Scores %s into model_scores.%s, which segment rules can use.", from, models.ScoreColumn(info.Name))
}

func (d *modelDetail) setMetrics(ev *model.Evaluation) {
	type row struct{ name, value, note string }
	var rows []row
	if ev.Regression {
		rows = []row{
			{"RMSE", i18n.Number(ev.RMSE), i18n.T("typical error, in the target's units")},
			{"MAE", i18n.Number(ev.MAE), i18n.T("average absolute error")},
			{"R²", f3(ev.R2), i18n.T("share of the variation explained (1 is perfect)")},
		}
	} else {
		rows = []row{
			{"ROC AUC", f3(ev.AUC), i18n.T("ranking quality: 0.5 is a coin toss, 1 is perfect")},
			{"PR AUC", f3(ev.PRAUC), i18n.T("precision–recall; compare with the base rate")},
			{i18n.T("Accuracy"), pct(ev.Accuracy), i18n.T("share of test rows classed right at 0.5")},
			{i18n.T("Precision"), pct(ev.Precision), i18n.T("of those predicted yes, share truly yes")},
			{i18n.T("Recall"), pct(ev.Recall), i18n.T("of the true yes, share the model finds")},
			{"F1", f3(ev.F1), i18n.T("balance of precision and recall")},
			{i18n.T("Log loss"), f3(ev.LogLoss), i18n.T("probability error; lower is better")},
			{i18n.T("Brier score"), f3(ev.Brier), i18n.T("squared probability error; lower is better")},
			{i18n.T("Base rate"), pct(ev.BaseRate), i18n.T("share of yes among the training rows")},
		}
		if len(ev.Gains) > 0 {
			g := ev.Gains[0]
			rows = append(rows, row{i18n.T("Top %s lift", "10%"), "×" + strconv.FormatFloat(g.CumLift, 'f', 2, 64),
				i18n.T("the top tenth by score holds %s of the yes", pct(g.CumGains))})
		}
	}
	if v, ok := ev.OOB["auc"].(float64); ok {
		rows = append(rows, row{i18n.T("Out-of-bag AUC"), f3(v), i18n.T("the forest measured on rows each tree did not see")})
	}
	rows = append(rows, row{i18n.T("Rows"), i18n.Number(float64(ev.TrainRows)) + " + " + i18n.Number(float64(ev.TestRows)), i18n.T("training + held-out test")})
	var out [][]string
	for _, r := range rows {
		out = append(out, []string{r.name, r.value, r.note})
	}
	d.metrics.set([]string{i18n.T("Test metric"), i18n.T("Value"), i18n.T("Meaning")}, []string{"", "DOUBLE", ""}, out)
}

// plotFor builds one of the detail's charts from the stored evaluation.
func (d *modelDetail) plotFor(kind string) func() (*plot.Plot, error) {
	info, classes := *d.info, d.classes
	ev := &info.Eval
	return func() (*plot.Plot, error) {
		switch kind {
		case chROC:
			pts := make([]chart.Point, len(ev.ROC))
			for i, p := range ev.ROC {
				pts[i] = chart.Point{X: p.X, Y: p.Y}
			}
			return chart.ROC(i18n.T("ROC curve of %s on its test rows", info.Name), pts, ev.AUC)
		case chGains:
			ds := make([]chart.Decile, len(ev.Gains))
			n := 0
			for _, g := range ev.Gains {
				n += g.Count
			}
			for i, g := range ev.Gains {
				ds[i] = chart.Decile{Share: float64(g.CumCount) / math.Max(1, float64(n)), Gains: g.CumGains, Lift: g.CumLift}
			}
			return chart.Gains(i18n.T("Cumulative gains (labels: lift)"), ds)
		case chCalibration:
			bs := make([]chart.CalBin, len(ev.Calibration))
			for i, b := range ev.Calibration {
				bs[i] = chart.CalBin{Predicted: b.MeanPred, Actual: b.FracPos, Count: b.Count}
			}
			return chart.Calibration(i18n.T("Calibration: predicted vs. actual"), bs)
		case chConfusion:
			return chart.Confusion(i18n.T("Confusion matrix at a 0.5 cut-off (%s)", info.Target), ev.Confusion, classes)
		case chImportance:
			var bars []chart.Bar
			for i, im := range ev.Importance {
				if i == 15 {
					break
				}
				bars = append(bars, chart.Bar{Label: im.Feature, Value: im.Mean})
			}
			metric := "AUC"
			if ev.Regression {
				metric = "RMSE"
			}
			return chart.Bars(i18n.T("Feature importance"), i18n.T("Drop in test %s when the column is shuffled", metric), bars,
				chart.WithFormat(func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }))
		}
		return nil, i18n.Errorf("unknown chart %q", kind)
	}
}

func (d *modelDetail) drawCharts() {
	for _, k := range modelChartOrder {
		d.drawChart(k)
	}
}

func (d *modelDetail) drawChart(kind string) {
	if d.info == nil {
		return
	}
	base := d.info.Name + "-" + strings.ToLower(kind)
	showPlot(d.p, d.charts[kind], d.chartReqs[kind], base, d.plotFor(kind))
}

// score writes the model's scores for every customer it scores.
func (d *modelDetail) score() {
	if d.info == nil {
		return
	}
	name := d.info.Name
	d.scoreBtn.Disable()
	var res *core.ScoreResult
	d.p.run(i18n.T("Scoring customers with %s…", name), func(ctx context.Context, progress core.Progress) error {
		var err error
		res, err = d.p.ws.Score(ctx, name, "", progress)
		return err
	}, func(err error) {
		d.scoreBtn.Enable()
		if err != nil {
			d.p.showError(err)
			return
		}
		from := i18n.T("the rows of %s", res.Table)
		if res.AsOf != "" {
			from = i18n.T("features as of %s", res.AsOf)
		}
		msg := i18n.T("Scored %s customers (%s); mean score %s. The scores are in model_scores.%s: use them in segment rules, e.g. %s > 0.5.",
			i18n.Number(float64(res.Customers)), from, f3(res.Mean), res.Column, res.Column)
		if d.info != nil && d.info.Name == name {
			d.scoreInfo.SetText(msg)
		}
		d.p.setStatus(i18n.T("Scored %s customers with %s into model_scores.%s", i18n.Number(float64(res.Customers)), name, res.Column))
		d.p.refreshTables("") // model_scores is new or has a new column
	})
}

// evaluateOther measures the model on every row of another table that has
// its target, e.g. a churn table built at a later cut-off: an out-of-time
// check of whether it still ranks customers well.
func (d *modelDetail) evaluateOther() {
	if d.info == nil {
		return
	}
	name, target := d.info.Name, d.info.Target
	var tables []string
	for _, t := range d.p.tables {
		for _, c := range t.Columns {
			if strings.EqualFold(c.Name, target) && t.Name != d.info.Source.Table {
				tables = append(tables, t.Name)
				break
			}
		}
	}
	if len(tables) == 0 {
		dialog.ShowInformation(i18n.T("Measure on another table"), i18n.T("No other table has the column %s. "+
			"For a churn or purchase model, build one at a later cut-off with the Train tab (or 'model target'), then measure the model on it.", target), d.p.win)
		return
	}
	sel := widget.NewSelect(tables, nil)
	sel.SetSelected(tables[0])
	dialog.ShowForm(i18n.T("Measure %s on another table", name), i18n.T("Measure"), i18n.T("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(i18n.T("Table"), sel)}, func(ok bool) {
			if !ok {
				return
			}
			table := sel.Selected
			var ev *model.Evaluation
			d.p.run(i18n.T("Measuring %s on %s", name, table), func(ctx context.Context, _ core.Progress) (err error) {
				ev, err = d.p.ws.EvaluateModel(ctx, name, table)
				return err
			}, func(err error) {
				if err != nil {
					d.p.showError(err)
					return
				}
				var msg string
				if ev.Regression {
					msg = i18n.T("On %s rows of %s: RMSE %s, MAE %s, R² %s.", i18n.Number(float64(ev.TestRows)), table, f3(ev.RMSE), f3(ev.MAE), f3(ev.R2))
				} else {
					msg = i18n.T("On %s rows of %s: ROC AUC %s (on its test rows: %s), accuracy %s, log loss %s.", i18n.Number(float64(ev.TestRows)), table,
						f3(ev.AUC), f3(d.info.Eval.AUC), f3(ev.Accuracy), f3(ev.LogLoss))
				}
				dialog.ShowInformation(i18n.T("Measured on %s", table), msg, d.p.win)
			})
		}, d.p.win)
}

// explainCustomer shows why the model scores one customer as it does.
func (d *modelDetail) explainCustomer() {
	id := strings.TrimSpace(d.customer.Text)
	if d.info == nil {
		return
	}
	if id == "" {
		dialog.ShowInformation(i18n.T("Explain a score"), i18n.T("Type a customer id, as it appears in your customer table, then press Explain."), d.p.win)
		return
	}
	info := *d.info
	d.explain.Disable()
	d.exScore.SetText(i18n.T("Explaining…"))
	async(d.p, d.p.ctx, func(ctx context.Context) (*core.CustomerExplanation, error) {
		return d.p.ws.Explain(ctx, info.Name, id, "", 5)
	}, func(ex *core.CustomerExplanation, err error) {
		d.explain.Enable()
		if d.info == nil || d.info.Name != info.Name {
			return
		}
		if err != nil {
			d.exScore.SetText("")
			d.p.showError(err)
			return
		}
		d.showExplanation(&info, ex)
	})
}

// clearExplanation empties the explain tab, customer box included, so
// that nothing of one model shows under another.
func (d *modelDetail) clearExplanation() {
	d.customer.SetText("")
	for _, l := range []*widget.Label{d.exScore, d.exUp, d.exDown, d.exText, d.exRaw} {
		l.SetText("")
	}
	d.exRaw.Hide()
}

func (d *modelDetail) showExplanation(info *core.ModelInfo, ex *core.CustomerExplanation) {
	// Pushes as people read them: percentage points of the chance for a
	// classifier (a logistic model's log-odds converted for this
	// customer; trees push in probability already), the target's units
	// for a regression.
	var points func(a float64) float64
	unit := i18n.T("in the target's units")
	switch info.Algo {
	case model.LogReg:
		points, unit = func(a float64) float64 { return explain.PointsFromLogOdds(ex.Score, a) }, i18n.T("in log-odds")
	case model.Tree, model.Forest, model.MLP:
		points, unit = func(a float64) float64 { return 100 * a }, i18n.T("in probability")
	}
	score := i18n.T("predicted %s: %s", info.Target, i18n.Number(ex.Score))
	if points != nil {
		score = likelyText(info, ex.Score)
	}
	d.exScore.SetText(i18n.T("Customer %s: %s", ex.Customer, score))
	list := func(head string, cs []explain.Contribution) string {
		if len(cs) == 0 {
			return ""
		}
		var b strings.Builder
		b.WriteString(head)
		for _, c := range cs {
			amount := signedNumber(c.Amount, 3)
			if points != nil {
				amount = i18n.T("%s points", signedNumber(points(c.Amount), 1))
			}
			fmt.Fprintf(&b, "\n•  %s  (%s)", contributionText(c), amount)
		}
		return b.String()
	}
	d.exUp.SetText(list(i18n.T("▲ Pushes the score up"), ex.Up))
	d.exDown.SetText(list(i18n.T("▼ Pushes it down"), ex.Down))
	if ex.Text == "" {
		d.exText.SetText(i18n.T("No feature moves this customer's score away from the average."))
		d.exRaw.SetText("")
		d.exRaw.Hide()
		return
	}
	if points != nil {
		d.exText.SetText(i18n.T("Points are percentage points of the chance, compared with an average customer: +5 points means 5 in 100 more likely."))
	} else {
		d.exText.SetText(i18n.T("Each push is in %s, compared with an average customer.", info.Target))
	}
	d.exRaw.SetText(i18n.T("%s (pushes %s)", sentence(i18n.Say(ex.Msg)), unit))
	if d.advanced.Checked {
		d.exRaw.Show()
	}
}

// likelyText says a classifier's score as a marketer reads it: "59.6%
// likely to churn", "12.0% likely to buy", else "52.0% chance that
// Contract is Yes".
func likelyText(info *core.ModelInfo, p float64) string {
	kind := ""
	if t := info.Source.Target; t != nil {
		kind = t.Kind
	} else if strings.Contains(strings.ToLower(info.Target), "churn") {
		kind = models.Churn
	}
	switch kind {
	case models.Churn:
		return i18n.T("%s likely to churn", pct(p))
	case models.Purchase:
		return i18n.T("%s likely to buy", pct(p))
	}
	yes := "yes"
	if len(info.Eval.Classes) == 2 {
		yes = info.Eval.Classes[1]
	}
	switch strings.ToLower(yes) {
	case "1", "true", "yes", "y":
		return i18n.T("%s chance of %s", pct(p), info.Target)
	}
	return i18n.T("%s chance that %s is %s", pct(p), info.Target, yes)
}

// signedNumber writes v with a sign and at most digits decimals.
func signedNumber(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

func contributionText(c explain.Contribution) string {
	if !c.Text.IsZero() {
		return i18n.Say(c.Text)
	}
	return c.Name + " " + i18n.Number(c.Value)
}

// targetKindWords says a built target's kind (models.Churn or
// models.Purchase) for people.
func targetKindWords(kind string) string {
	switch kind {
	case models.Churn:
		return i18n.T("churn")
	case models.Purchase:
		return i18n.T("purchase")
	}
	return kind
}
