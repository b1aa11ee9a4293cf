package ui

import (
	"context"
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
)

// methodName says a recommendation method as people read it: best sellers
// in words, the others by their usual names.
func methodName(m string) string {
	switch m {
	case core.MethodPopularity:
		return i18n.T("best sellers")
	case core.MethodItemKNN:
		return "item-kNN" // i18n:keep (a method's name)
	case core.MethodALS:
		return "ALS" // i18n:keep (a method's name)
	}
	return m
}

// evalView is the Evaluation tab: each method trained on the orders before
// a date and measured on what customers bought after it, against best
// sellers, so a user sees on their own data whether recommending beats
// offering everyone the same products.
type evalView struct {
	s *productsScreen

	split   *widget.Entry
	k       *widget.Entry
	als     *widget.Check
	runBtn  *widget.Button
	info    *widget.Label
	verdict *widget.Label
	grid    *grid
	chart   *chartView
	chartRq latest
	splitRq latest

	res     *core.RecommendSplit
	content fyne.CanvasObject
}

func newEvalView(s *productsScreen) *evalView {
	v := &evalView{s: s, grid: newGrid(), chart: newChartView()}
	v.split = &widget.Entry{PlaceHolder: i18n.T("YYYY-MM-DD")}
	v.split.ExtendBaseWidget(v.split)
	v.split.OnSubmitted = func(string) { v.run() }
	v.k = &widget.Entry{Text: "10"}
	v.k.ExtendBaseWidget(v.k)
	v.k.OnSubmitted = func(string) { v.run() }
	// ALS takes tens of seconds where item-kNN takes one (the demo's
	// 200,000 orders), so it is measured only when asked for.
	v.als = widget.NewCheck(i18n.T("Also ALS (slow)"), nil)
	v.runBtn = &widget.Button{Text: i18n.T("Evaluate"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: i18n.T("Each method learns from the orders before the split date and recommends K products to every customer; " +
			"a hit is a product the customer then bought for the first time after the date.")}
	v.verdict = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	v.verdict.Hide()
	v.chart.message(i18n.T("Press Evaluate to compare the methods."))
	form := newFlow(
		captioned(i18n.T("Split date"), fixedWidth(130, v.split)),
		captioned(i18n.T("Products per customer (K)"), fixedWidth(60, v.k)),
		v.als,
		v.runBtn,
	)
	split := container.NewVSplit(v.grid.table, v.chart.content)
	split.Offset = 0.35
	v.content = container.NewBorder(container.NewVBox(form, v.info, v.verdict), nil, nil, nil, split)
	return v
}

// clear forgets another table's figures and proposes a split date three
// months before its last order.
func (v *evalView) clear() {
	v.res = nil
	v.grid.clear()
	v.verdict.Hide()
	v.chartRq.stop()
	v.chart.message(i18n.T("Press Evaluate to compare the methods."))
	table := v.s.table()
	if table == "" {
		return
	}
	ctx := v.splitRq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) (time.Time, error) {
		return lastOrderDate(ctx, v.s.p, table)
	}, func(last time.Time, err error) {
		if ctx.Err() != nil || err != nil || last.IsZero() {
			return // the user types a date; evaluating explains a bad one
		}
		v.split.SetText(last.AddDate(0, -3, 0).Format(time.DateOnly))
	})
}

// lastOrderDate is the latest order date of an order table.
func lastOrderDate(ctx context.Context, p *project, table string) (time.Time, error) {
	col, err := p.ws.ColumnFor(ctx, table, storage.OrderDate)
	if err != nil || col == "" {
		return time.Time{}, err
	}
	r, err := p.ws.SQL(ctx, "SELECT CAST(max("+storage.Quote(col)+") AS DATE) FROM "+storage.Quote(table))
	if err != nil || len(r.Rows) == 0 || len(r.Rows[0]) == 0 || len(r.Rows[0][0]) < 10 {
		return time.Time{}, err
	}
	return time.Parse(time.DateOnly, r.Rows[0][0][:10])
}

// run evaluates every method at the date and K typed.
func (v *evalView) run() {
	if v.s.needTable(v.info) {
		return
	}
	split, err := time.Parse(time.DateOnly, strings.TrimSpace(v.split.Text))
	if err != nil {
		v.info.SetText(i18n.T("%q is not a date. Write the split date as YYYY-MM-DD, e.g. 2011-09-01: the methods learn from the orders before it.", v.split.Text))
		return
	}
	k, err := strconv.Atoi(strings.TrimSpace(v.k.Text))
	if err != nil || k < 1 || k > 100 {
		v.info.SetText(i18n.T("K is how many products each customer is recommended: a whole number from 1 to 100."))
		return
	}
	table := v.s.table()
	methods := []string{core.MethodPopularity, core.MethodItemKNN}
	if v.als.Checked {
		methods = append(methods, core.MethodALS)
	}
	var res *core.RecommendSplit
	v.runBtn.Disable()
	v.s.p.run(i18n.T("Evaluating recommendations…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Training each method on the orders before %s and measuring it after", i18n.Date(split)), -1)
		res, err = v.s.p.ws.EvaluateRecommendations(ctx, table, split, k, methods)
		return err
	}, func(err error) {
		v.runBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		if table != v.s.table() {
			return
		}
		v.show(res)
	})
}

// show fills the table, the verdict and the chart.
func (v *evalView) show(res *core.RecommendSplit) {
	v.res = res
	k := 0
	var rows [][]string
	var bars []chart.Bar
	for _, r := range res.Results {
		k = r.K
		rows = append(rows, []string{methodName(r.Method), i18n.Percent(1, r.HitRate), i18n.Percent(1, r.Precision), i18n.Percent(1, r.Recall),
			i18n.Group(r.NDCG, 3, false), i18n.Percent(1, r.Coverage), i18n.Number(float64(r.Customers))})
		bars = append(bars, chart.Bar{Label: methodName(r.Method), Value: r.HitRate})
	}
	at := func(s string) string { return s + "@" + strconv.Itoa(k) }
	v.grid.set([]string{i18n.T("Method"), at(i18n.T("Hit rate")), at(i18n.T("Precision")), at(i18n.T("Recall")), at("NDCG"), i18n.T("Coverage"), i18n.T("Customers")},
		[]string{"", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "BIGINT"}, rows)
	v.info.SetText(i18n.T("Learned from %s purchases before %s; measured on %s customers who bought something new on or after it. "+
		"Hit rate: customers with at least one hit among their K; coverage: the share of products ever recommended.",
		i18n.Number(float64(res.TrainPurchases)), i18n.Date(res.Split), i18n.Number(float64(res.CustomersWithTruth))))
	v.verdict.SetText(evalVerdict(res))
	v.verdict.Show()
	title, axis := i18n.T("Hit rate@%d by method", k), i18n.T("customers who bought one of their %d recommendations", k)
	showPlot(v.s.p, v.chart, &v.chartRq, v.s.table()+"-recommendations-hit-rate", func() (*plot.Plot, error) {
		return chart.Bars(title, axis, bars, chart.WithFormat(chart.Percent(0)))
	})
}

// evalVerdict says in words which method finds more next purchases than
// best sellers, e.g. "item-kNN … finds a product the customer buys next
// for 52% of customers, best sellers for 33%".
func evalVerdict(res *core.RecommendSplit) string {
	var base, best *core.RecommendEval
	for i, r := range res.Results {
		if r.Method == core.MethodPopularity {
			base = &res.Results[i]
		} else if best == nil || r.HitRate > best.HitRate {
			best = &res.Results[i]
		}
	}
	switch {
	case best == nil || base == nil:
		return ""
	case best.HitRate > base.HitRate:
		return i18n.T("%s finds a product the customer buys next for %s of customers, best sellers for %s.",
			methodName(best.Method), i18n.Percent(0, best.HitRate), i18n.Percent(0, base.HitRate))
	default:
		return i18n.T("Best sellers find a product the customer buys next for %s of customers, as many as or more than %s (%s): "+
			"on these orders, personal recommendations do not beat offering everyone the same products.",
			i18n.Percent(0, base.HitRate), methodName(best.Method), i18n.Percent(0, best.HitRate))
	}
}
