package ui

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// basketView is the Basket rules tab: "customers who bought A also bought
// B" rules of the chosen order table, mined with FP-growth off the UI
// goroutine, then sorted and filtered here without mining again.
type basketView struct {
	s *productsScreen

	support, confidence, lift *widget.Entry
	runBtn                    *widget.Button
	filter                    *widget.Entry
	info                      *widget.Label
	grid                      *grid

	res     *core.BasketResult
	rows    []int // indexes into res.Rules, filtered and sorted as shown
	sortCol int
	desc    bool
	sel     int // index into res.Rules, -1 for none

	actions *productActions // act on the selected rule's THEN product
	content fyne.CanvasObject
}

// Columns of the rules table.
const (
	ruleIf = iota
	ruleThen
	ruleOrders
	ruleSupport
	ruleConfidence
	ruleLift
	ruleLeverage
	ruleConviction
)

func newBasketView(s *productsScreen) *basketView {
	v := &basketView{s: s, grid: newGrid(), sortCol: ruleLift, desc: true, sel: -1}
	entry := func(text string) *widget.Entry {
		e := &widget.Entry{Text: text}
		e.ExtendBaseWidget(e)
		e.OnSubmitted = func(string) { v.run() }
		return e
	}
	// Percentages read more easily than fractions: 0.5% of orders.
	v.support, v.confidence, v.lift = entry("0.5"), entry("30"), entry("1")
	v.runBtn = &widget.Button{Text: i18n.T("Find rules"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.filter = &widget.Entry{PlaceHolder: i18n.T("Filter: a product on either side")}
	v.filter.ExtendBaseWidget(v.filter)
	v.filter.OnChanged = func(string) { v.show() }
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: i18n.T("Rules say which products are bought together in one order: if a basket holds the IF products, it often holds the THEN product too. " +
			"Support is the share of orders with all of them, confidence the share of IF baskets that also hold THEN, lift how much more often than by chance.")}
	v.grid.header = v.header
	v.grid.onHeader = v.sortBy
	v.grid.onSelect = func(row int) {
		if row < len(v.rows) {
			v.sel = v.rows[row]
			v.actions.enable(v.selectedThen() != "")
		}
	}
	form := newFlow(
		captioned(i18n.T("Min support (%)"), fixedWidth(70, v.support)),
		captioned(i18n.T("Min confidence (%)"), fixedWidth(70, v.confidence)),
		captioned(i18n.T("Min lift"), fixedWidth(70, v.lift)),
		v.runBtn,
		fixedWidth(260, v.filter),
	)
	v.actions = newProductActions(s, func() (string, string) { return v.selectedThen(), "" })
	v.content = container.NewBorder(container.NewVBox(form, v.info), v.actions.bar, nil, nil, v.grid.table)
	return v
}

// clear forgets the rules of another table.
func (v *basketView) clear() {
	v.res, v.rows, v.sel = nil, nil, -1
	v.grid.clear()
	v.actions.enable(false)
}

// run mines the rules with the thresholds typed.
func (v *basketView) run() {
	if v.s.needTable(v.info) {
		return
	}
	sup, ok1 := parseNumber(v.support.Text)
	conf, ok2 := parseNumber(v.confidence.Text)
	lift, ok3 := parseNumber(v.lift.Text)
	if !ok1 || !ok2 || !ok3 || sup <= 0 || sup > 100 || conf < 0 || conf > 100 || lift < 0 {
		v.info.SetText(i18n.T("Min support is a percentage of orders above 0 and at most 100, min confidence a percentage from 0 to 100, and min lift a number of at least 0 (1 means no better than chance)."))
		return
	}
	table := v.s.table()
	opt := core.BasketOptions{MinSupport: sup / 100, MinConfidence: conf / 100, MinLift: lift}
	// Zero confidence would mean "the default" to core; the smallest
	// positive value keeps every rule, as asked.
	if opt.MinConfidence == 0 {
		opt.MinConfidence = math.SmallestNonzeroFloat64
	}
	var res *core.BasketResult
	v.runBtn.Disable()
	v.s.p.run(i18n.T("Finding basket rules…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Counting the products bought together in %s", table), -1)
		var err error
		res, err = v.s.p.ws.BasketRules(ctx, table, opt)
		return err
	}, func(err error) {
		v.runBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		if table != v.s.table() {
			return // the table changed meanwhile
		}
		v.res, v.sel = res, -1
		v.actions.enable(false)
		v.show()
		v.s.p.setStatus(i18n.T("Found %s basket rules in %s", i18n.Number(float64(len(res.Rules))), table))
	})
}

// header is a column's title with an arrow on the sorted one.
func (v *basketView) header(col int) string {
	titles := []string{i18n.T("If bought"), i18n.T("Then also bought"), i18n.T("Orders"), i18n.T("Support"),
		i18n.T("Confidence"), i18n.T("Lift"), i18n.T("Leverage"), i18n.T("Conviction")}
	if col < 0 || col >= len(titles) {
		return ""
	}
	t := titles[col]
	if col == v.sortCol {
		if v.desc {
			return t + " ▼"
		}
		return t + " ▲"
	}
	return t
}

// sortBy sorts by a column; again on the same column turns the order.
// Numbers start largest first, product names from A.
func (v *basketView) sortBy(col int) {
	if col == v.sortCol {
		v.desc = !v.desc
	} else {
		v.sortCol, v.desc = col, col != ruleIf && col != ruleThen
	}
	v.show()
}

// ruleValue is a rule's number in a column.
func ruleValue(r core.BasketRule, col int) float64 {
	switch col {
	case ruleOrders:
		return float64(r.Orders)
	case ruleSupport:
		return r.Support
	case ruleConfidence:
		return r.Confidence
	case ruleLift:
		return r.Lift
	case ruleLeverage:
		return r.Leverage
	case ruleConviction:
		return r.Conviction // +Inf when confidence is 1: sorts last or first
	}
	return 0
}

// show filters and sorts the mined rules into the table.
func (v *basketView) show() {
	if v.res == nil {
		return
	}
	words := strings.ToLower(strings.TrimSpace(v.filter.Text))
	side := v.s.productNames()
	v.rows = v.rows[:0]
	for i, r := range v.res.Rules {
		if words == "" || strings.Contains(strings.ToLower(side(r.If)+"\n"+side(r.Then)), words) {
			v.rows = append(v.rows, i)
		}
	}
	rules := v.res.Rules
	slices.SortStableFunc(v.rows, func(a, b int) int {
		var c int
		switch v.sortCol {
		case ruleIf:
			c = cmp.Compare(side(rules[a].If), side(rules[b].If))
		case ruleThen:
			c = cmp.Compare(side(rules[a].Then), side(rules[b].Then))
		default:
			c = cmp.Compare(ruleValue(rules[a], v.sortCol), ruleValue(rules[b], v.sortCol))
		}
		if v.desc {
			return -c
		}
		return c
	})
	out := make([][]string, len(v.rows))
	for k, i := range v.rows {
		r := rules[i]
		conv := "∞"
		if !math.IsInf(r.Conviction, 1) {
			conv = i18n.Group(r.Conviction, 2, false)
		}
		out[k] = []string{side(r.If), side(r.Then), i18n.Number(float64(r.Orders)), i18n.Percent(2, r.Support),
			i18n.Percent(1, r.Confidence), i18n.Group(r.Lift, 2, false), i18n.Group(r.Leverage, 4, false), conv}
	}
	cols := make([]string, 8)
	for c := range cols {
		cols[c] = v.header(c)
	}
	v.grid.set(cols, []string{"", "", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"}, out)
	v.sel = -1
	v.actions.enable(false)
	res := v.res
	switch {
	case len(res.Rules) == 0:
		v.info.SetText(i18n.T("No rules at these thresholds in %s orders of %s products. Rules need orders of two or more products; lower the minimum support or confidence.",
			i18n.Number(float64(res.Baskets)), i18n.Number(float64(res.Products))))
	case words != "":
		v.info.SetText(i18n.T("%s of %s rules mention %q (from %s orders of %s products). Click a column's title to sort by it.",
			i18n.Number(float64(len(v.rows))), i18n.Number(float64(len(res.Rules))), strings.TrimSpace(v.filter.Text),
			i18n.Number(float64(res.Baskets)), i18n.Number(float64(res.Products))))
	default:
		v.info.SetText(i18n.T("%s rules from %s orders of %s products. Click a column's title to sort by it; type in the filter to find a product.",
			i18n.Number(float64(len(res.Rules))), i18n.Number(float64(res.Baskets)), i18n.Number(float64(res.Products))))
	}
}

// selectedThen is the THEN product of the selected rule, or "".
func (v *basketView) selectedThen() string {
	if v.res == nil || v.sel < 0 || v.sel >= len(v.res.Rules) || len(v.res.Rules[v.sel].Then) == 0 {
		return ""
	}
	return v.res.Rules[v.sel].Then[0]
}
