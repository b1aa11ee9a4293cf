package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// customerView is the For a customer tab: one customer's recommendations,
// computed live with the reason for each.
type customerView struct {
	s *productsScreen

	id      *widget.Entry
	top     *widget.Entry
	keep    *widget.Check
	showBtn *widget.Button
	useBtn  *widget.Button
	info    *widget.Label
	grid    *grid
	list    []core.ProductRec
	sel     int
	actions *productActions
	req     latest
	content fyne.CanvasObject
}

func newCustomerView(s *productsScreen) *customerView {
	v := &customerView{s: s, grid: newGrid(), sel: -1}
	v.id = &widget.Entry{PlaceHolder: i18n.T("a customer id, e.g. C000001")}
	v.id.ExtendBaseWidget(v.id)
	v.id.OnSubmitted = func(string) { v.load() }
	v.top = &widget.Entry{Text: "10"}
	v.top.ExtendBaseWidget(v.top)
	v.top.OnSubmitted = func(string) { v.load() }
	v.keep = widget.NewCheck(i18n.T("Include products already bought"), nil)
	v.showBtn = &widget.Button{Text: i18n.T("Recommend"), Icon: theme.SearchIcon(), Importance: widget.HighImportance, OnTapped: v.load}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Type a customer's id to see what to offer them and why.")}
	v.useBtn = &widget.Button{Text: i18n.T("Use in a campaign"), Icon: theme.MailSendIcon(), OnTapped: v.useInCampaign}
	v.actions = newProductActions(s, func() (string, string) {
		if v.sel < 0 || v.sel >= len(v.list) {
			return "", ""
		}
		return v.list[v.sel].ProductID, v.list[v.sel].Name
	}, v.useBtn)
	v.grid.onSelect = func(row int) {
		v.sel = row
		v.actions.enable(row < len(v.list))
	}
	form := newFlow(
		captioned(i18n.T("Customer"), fixedWidth(200, v.id)),
		captioned(i18n.T("Top"), fixedWidth(60, v.top)),
		v.keep,
		v.showBtn,
	)
	v.content = container.NewBorder(container.NewVBox(form, v.info), v.actions.bar, nil, nil, v.grid.table)
	return v
}

func (v *customerView) clear() {
	v.list, v.sel = nil, -1
	v.grid.clear()
	v.actions.enable(false)
}

// load computes the customer's list.
func (v *customerView) load() {
	if v.s.needTable(v.info) || v.s.needRecommender(v.info) {
		return
	}
	id := strings.TrimSpace(v.id.Text)
	if id == "" {
		v.info.SetText(i18n.T("Type a customer's id to see what to offer them and why."))
		return
	}
	top, ok := topCount(v.top, v.info)
	if !ok {
		return
	}
	opt := core.ScoreOptions{Name: core.DefaultRecommender, Top: top, KeepBought: v.keep.Checked}
	ctx := v.req.start(v.s.p.ctx)
	v.info.SetText(i18n.T("Looking…"))
	async(v.s.p, ctx, func(ctx context.Context) ([]core.ProductRec, error) {
		return v.s.p.ws.CustomerRecommendations(ctx, opt, id)
	}, func(list []core.ProductRec, err error) {
		if ctx.Err() != nil {
			return
		}
		v.clear()
		if err != nil {
			v.info.SetText(sentence(i18n.Error(err)))
			return
		}
		v.list = list
		rows := make([][]string, len(list))
		for i, r := range list {
			rows[i] = []string{strconv.Itoa(r.Rank), productLabel(r.ProductID, r.Name), r.Category, i18n.Group(r.Score, 3, false), r.Reason}
		}
		v.grid.set([]string{"#", i18n.T("Product"), i18n.T("Category"), i18n.T("Score"), i18n.T("Why")},
			[]string{"BIGINT", "", "", "DOUBLE", ""}, rows)
		v.info.SetText(i18n.T("What to offer customer %s, best first, with the reason for each. Score all customers to use these lists in a campaign.", id))
	})
}

// useInCampaign opens a new campaign whose message lists each customer's
// top three from the recommendations table, once it has been written.
func (v *customerView) useInCampaign() {
	if !v.s.p.tableExists(storage.RecommendationsTable) {
		v.info.SetText(i18n.T("Press Score all customers first: a campaign reads each customer's products from the table %s.", storage.RecommendationsTable))
		return
	}
	v.s.p.campaigns.startWith("", recSnippet())
}

// topCount reads a list's length from a Top box, or says in info what it
// must be.
func topCount(e *widget.Entry, info *widget.Label) (int, bool) {
	top, err := strconv.Atoi(strings.TrimSpace(e.Text))
	if err != nil || top < 1 || top > 1000 {
		info.SetText(i18n.T("Top is how many products to list: a whole number from 1 to 1,000."))
		return 0, false
	}
	return top, true
}
