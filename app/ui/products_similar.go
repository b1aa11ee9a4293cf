package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// similarView is the Similar products tab: for a product chosen by name or
// id, the products most like it (bought by the same customers, scored by
// the recommender) and the products most often bought by its buyers (plain
// co-purchase counts).
type similarView struct {
	s *productsScreen

	product *widget.SelectEntry
	labels  map[string]string // product box label → product id
	options []string          // the product box's list now
	top     *widget.Entry
	showBtn *widget.Button
	info    *widget.Label
	simGrid *grid
	coGrid  *grid
	sim, co []core.SimilarProduct
	picked  core.SimilarProduct // the product selected in either table
	chosen  string              // the product id shown
	actions *productActions
	req     latest
	content fyne.CanvasObject
}

// maxChoices bounds the product box's list: the names that match what is
// typed, best sellers first.
const maxChoices = 30

func newSimilarView(s *productsScreen) *similarView {
	v := &similarView{s: s, simGrid: newGrid(), coGrid: newGrid(), labels: map[string]string{}}
	v.product = widget.NewSelectEntry(nil)
	v.product.PlaceHolder = i18n.T("Type a product's name or id")
	v.product.OnChanged = v.narrow
	v.product.OnSubmitted = func(string) { v.load() }
	v.top = &widget.Entry{Text: "10"}
	v.top.ExtendBaseWidget(v.top)
	v.top.OnSubmitted = func(string) { v.load() }
	v.showBtn = &widget.Button{Text: i18n.T("Show"), Icon: theme.SearchIcon(), Importance: widget.HighImportance, OnTapped: v.load}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Choose a product to see the products bought by the same customers.")}
	v.actions = newProductActions(s, func() (string, string) { return v.picked.ProductID, v.picked.Name })
	pick := func(list *[]core.SimilarProduct) func(int) {
		return func(row int) {
			if row < len(*list) {
				v.picked = (*list)[row]
				v.actions.enable(true)
			}
		}
	}
	v.simGrid.onSelect = pick(&v.sim)
	v.coGrid.onSelect = pick(&v.co)
	form := newFlow(
		captioned(i18n.T("Product"), fixedWidth(360, v.product)),
		captioned(i18n.T("Top"), fixedWidth(60, v.top)),
		v.showBtn,
	)
	head := func(s string) fyne.CanvasObject { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	split := container.NewVSplit(
		container.NewBorder(head(i18n.T("Similar: bought by the same customers")), nil, nil, nil, v.simGrid.table),
		container.NewBorder(head(i18n.T("Co-purchased: most often bought by its buyers")), nil, nil, nil, v.coGrid.table))
	v.content = container.NewBorder(container.NewVBox(form, v.info), v.actions.bar, nil, nil, split)
	return v
}

// setProducts offers the order table's products, best sellers first.
func (v *similarView) setProducts(list []core.BestSeller) {
	v.labels = make(map[string]string, len(list))
	for _, b := range list {
		v.labels[productLabel(b.ProductID, b.Name)] = b.ProductID
	}
	v.narrow(v.product.Text)
}

// narrow lists the products whose name or id contains what is typed.
func (v *similarView) narrow(typed string) {
	words := strings.ToLower(strings.TrimSpace(typed))
	var opts []string
	for _, b := range v.s.products {
		l := productLabel(b.ProductID, b.Name)
		if l == typed {
			return // chosen from the list: keep the list as it is
		}
		if strings.Contains(strings.ToLower(l), words) {
			opts = append(opts, l)
			if len(opts) == maxChoices {
				break
			}
		}
	}
	v.options = opts
	v.product.SetOptions(opts)
}

// clear forgets the lists of another table or recommender.
func (v *similarView) clear() {
	v.sim, v.co, v.chosen = nil, nil, ""
	v.picked = core.SimilarProduct{}
	v.simGrid.clear()
	v.coGrid.clear()
	v.actions.enable(false)
}

// showProduct shows the products like id (from another tab's selection).
func (v *similarView) showProduct(id, name string) {
	v.product.SetText(productLabel(id, name))
	v.load()
}

// load asks for both lists of the product typed or chosen.
func (v *similarView) load() {
	if v.s.needTable(v.info) || v.s.needRecommender(v.info) {
		return
	}
	typed := strings.TrimSpace(v.product.Text)
	if typed == "" {
		v.info.SetText(i18n.T("Choose a product to see the products bought by the same customers."))
		return
	}
	top, ok := topCount(v.top, v.info)
	if !ok {
		return
	}
	// A label from the list stands for its id; anything else goes to core
	// as typed (an id or an exact name).
	product := typed
	if id, ok := v.labels[typed]; ok {
		product = id
	}
	type lists struct{ sim, co []core.SimilarProduct }
	ctx := v.req.start(v.s.p.ctx)
	v.info.SetText(i18n.T("Looking…"))
	async(v.s.p, ctx, func(ctx context.Context) (lists, error) {
		var out lists
		var err error
		if out.sim, err = v.s.p.ws.SimilarProducts(ctx, core.DefaultRecommender, product, top); err != nil {
			return out, err
		}
		out.co, err = v.s.p.ws.CoPurchased(ctx, core.DefaultRecommender, product, top)
		return out, err
	}, func(out lists, err error) {
		if ctx.Err() != nil {
			return
		}
		v.clear()
		if err != nil {
			v.info.SetText(sentence(i18n.Error(err)))
			return
		}
		v.sim, v.co, v.chosen = out.sim, out.co, product
		v.simGrid.set([]string{i18n.T("Product"), i18n.T("Category"), i18n.T("Similarity"), i18n.T("Co-buyers")},
			[]string{"", "", "DOUBLE", "BIGINT"}, similarRows(out.sim, true))
		v.coGrid.set([]string{i18n.T("Product"), i18n.T("Category"), i18n.T("Co-buyers")},
			[]string{"", "", "BIGINT"}, similarRows(out.co, false))
		v.info.SetText(i18n.T("Products bought by the customers who bought %s. Select one to make a segment of its likely buyers.", typed))
	})
}

func similarRows(list []core.SimilarProduct, score bool) [][]string {
	rows := make([][]string, len(list))
	for i, p := range list {
		rows[i] = []string{productLabel(p.ProductID, p.Name), p.Category}
		if score {
			rows[i] = append(rows[i], i18n.Group(p.Score, 3, false))
		}
		rows[i] = append(rows[i], i18n.Number(float64(p.CoBuyers)))
	}
	return rows
}
