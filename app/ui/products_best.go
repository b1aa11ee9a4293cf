package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/segment"
)

// bestTop is how many best sellers the tab shows at first.
const bestTop = 50

// bestView is the Best sellers tab: products ranked by how many customers
// bought them, among everyone or a segment's members.
type bestView struct {
	s *productsScreen

	segSel  *widget.Select
	top     *widget.Entry
	showBtn *widget.Button
	info    *widget.Label
	grid    *grid
	list    []core.BestSeller
	sel     int
	actions *productActions
	req     latest
	content fyne.CanvasObject
}

func newBestView(s *productsScreen) *bestView {
	v := &bestView{s: s, grid: newGrid(), sel: -1}
	v.segSel = widget.NewSelect([]string{i18n.T(allRows)}, func(string) { v.load() })
	v.segSel.Selected = i18n.T(allRows)
	v.top = &widget.Entry{Text: strconv.Itoa(bestTop)}
	v.top.ExtendBaseWidget(v.top)
	v.top.OnSubmitted = func(string) { v.load() }
	v.showBtn = &widget.Button{Text: i18n.T("Show"), Icon: theme.ViewRefreshIcon(), OnTapped: v.load}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Products ranked by the number of customers who bought them.")}
	v.actions = newProductActions(s, func() (string, string) {
		if v.sel < 0 || v.sel >= len(v.list) {
			return "", ""
		}
		return v.list[v.sel].ProductID, v.list[v.sel].Name
	})
	v.grid.onSelect = func(row int) {
		v.sel = row
		v.actions.enable(row < len(v.list))
	}
	form := newFlow(
		captioned(i18n.T("Customers"), fixedWidth(220, v.segSel)),
		captioned(i18n.T("Top"), fixedWidth(70, v.top)),
		v.showBtn,
	)
	v.content = container.NewBorder(container.NewVBox(form, v.info), v.actions.bar, nil, nil, v.grid.table)
	return v
}

// clear forgets another table's best sellers and offers the segments.
func (v *bestView) clear() {
	v.list, v.sel = nil, -1
	v.grid.clear()
	v.actions.enable(false)
	v.loadSegments()
}

// loadSegments offers every segment, to rank best sellers among its members.
func (v *bestView) loadSegments() {
	async(v.s.p, v.s.p.ctx, func(ctx context.Context) ([]segment.Summary, error) {
		return v.s.p.ws.Segments(ctx)
	}, func(sums []segment.Summary, err error) {
		if err != nil {
			return // the list keeps "all customers"
		}
		opts := []string{i18n.T(allRows)}
		for _, x := range sums {
			opts = append(opts, x.Name)
		}
		v.segSel.Options = opts
		v.segSel.Refresh()
	})
}

// load asks for the best sellers of the segment chosen.
func (v *bestView) load() {
	if v.s.needTable(v.info) {
		return
	}
	top, ok := topCount(v.top, v.info)
	if !ok {
		return
	}
	seg := v.segSel.Selected
	if seg == i18n.T(allRows) {
		seg = ""
	}
	table := v.s.table()
	ctx := v.req.start(v.s.p.ctx)
	v.info.SetText(i18n.T("Counting…"))
	async(v.s.p, ctx, func(ctx context.Context) ([]core.BestSeller, error) {
		return v.s.p.ws.BestSellers(ctx, table, top, seg)
	}, func(list []core.BestSeller, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.info.SetText(sentence(i18n.Error(err)))
			return
		}
		v.show(list, seg)
	})
}

// show fills the table with best sellers of seg ("" for everyone).
func (v *bestView) show(list []core.BestSeller, seg string) {
	v.list, v.sel = list, -1
	v.actions.enable(false)
	rows := make([][]string, len(list))
	for i, b := range list {
		rows[i] = []string{strconv.Itoa(i + 1), productLabel(b.ProductID, b.Name), b.Category, i18n.Number(float64(b.Customers)),
			i18n.Number(float64(b.Orders)), i18n.Number(b.Quantity), v.s.p.money(0, b.Revenue)}
	}
	v.grid.set([]string{"#", i18n.T("Product"), i18n.T("Category"), i18n.T("Customers"), i18n.T("Orders"), i18n.T("Quantity"), i18n.T("Revenue")},
		[]string{"BIGINT", "", "", "BIGINT", "BIGINT", "DOUBLE", "DOUBLE"}, rows)
	switch {
	case len(list) == 0 && seg != "":
		v.info.SetText(i18n.T("No customer of %s bought anything in %s.", seg, v.s.table()))
	case len(list) == 0:
		v.info.SetText(i18n.T("%s has no purchases (after leaving out returns and cancelled orders)", v.s.table()))
	case seg != "":
		v.info.SetText(i18n.T("The %s products most bought by the customers of %s. Select one to find its likely buyers or similar products.", i18n.Number(float64(len(list))), seg))
	default:
		v.info.SetText(i18n.T("The %s products bought by the most customers. Select one to find its likely buyers or similar products.", i18n.Number(float64(len(list)))))
	}
}
