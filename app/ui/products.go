package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// productsScreen is what to offer whom: best sellers, basket rules, similar
// products, a customer's recommendations and how well each method predicts
// the next purchase on this project's own orders. Every tab works on the
// order table chosen at the top.
type productsScreen struct {
	p      *project
	loaded bool

	tableSel *widget.Select
	orders   []string // tables with customer id, order date and product roles
	missing  *fyne.Container
	missText *widget.Label
	tabs     *container.AppTabs

	bestTab, similarTab, customerTab, rulesTab, evalTab *container.TabItem

	tablesRq latest

	recInfo  *widget.Label
	trainBtn *widget.Button
	scoreBtn *widget.Button
	rec      *core.RecommenderInfo // the trained recommender, nil for none
	recRq    latest
	scored   *core.ScoreReport // the last scoring, for tests

	lastSegment *segment.Segment // the last segment made here, for tests

	// products are the order table's products, best sellers first: the
	// choices of the product boxes.
	products []core.BestSeller
	prodRq   latest

	best     *bestView
	similar  *similarView
	customer *customerView
	rules    *basketView
	eval     *evalView

	content fyne.CanvasObject
}

func newProductsScreen(p *project) *productsScreen {
	s := &productsScreen{p: p}
	s.tableSel = widget.NewSelect(nil, func(string) { s.tableChanged() })
	s.tableSel.PlaceHolder = i18n.T("Choose the order table")
	s.best = newBestView(s)
	s.similar = newSimilarView(s)
	s.customer = newCustomerView(s)
	s.rules = newBasketView(s)
	s.eval = newEvalView(s)
	s.recInfo = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.trainBtn = &widget.Button{Text: i18n.T("Train…"), Icon: theme.MediaPlayIcon(), OnTapped: s.chooseTrain}
	s.scoreBtn = &widget.Button{Text: i18n.T("Score all customers…"), Icon: theme.DocumentSaveIcon(), OnTapped: s.chooseScore}

	s.missText = &widget.Label{Wrapping: fyne.TextWrapWord}
	goData := &widget.Button{Text: i18n.T("Go to Data"), Icon: theme.StorageIcon(), Importance: widget.HighImportance,
		OnTapped: func() { p.goTo("Data") }}
	s.missing = container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, s.missText), container.NewHBox(goData))
	s.missing.Hide()

	top := container.NewVBox(newFlow(captioned(i18n.T("Orders"), fixedWidth(200, s.tableSel)), s.trainBtn, s.scoreBtn), s.recInfo, s.missing)
	s.bestTab = container.NewTabItemWithIcon(i18n.T("Best sellers"), theme.ListIcon(), s.best.content)
	s.similarTab = container.NewTabItemWithIcon(i18n.T("Similar products"), theme.ContentCopyIcon(), s.similar.content)
	s.customerTab = container.NewTabItemWithIcon(i18n.T("For a customer"), theme.AccountIcon(), s.customer.content)
	s.rulesTab = container.NewTabItemWithIcon(i18n.T("Basket rules"), theme.GridIcon(), s.rules.content)
	s.evalTab = container.NewTabItemWithIcon(i18n.T("Evaluation"), theme.InfoIcon(), s.eval.content)
	s.tabs = container.NewAppTabs(s.bestTab, s.similarTab, s.customerTab, s.rulesTab, s.evalTab)
	s.content = container.NewBorder(top, nil, nil, nil, s.tabs)
	p.onTables = append(p.onTables, s.setTables)
	return s
}

// shown lists the order tables on the first visit; later visits keep what
// is shown (new tables arrive through setTables).
func (s *productsScreen) shown() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.setTables(s.p.tables)
	s.loadRecommender()
}

// orderTables are the tables that have the roles recommendations need,
// and those that lack only the product, to say what to set.
type orderTables struct{ ok, noProduct []string }

// setTables offers the tables with a customer id, an order date and a
// product (id or name).
func (s *productsScreen) setTables(ts []storage.Table) {
	if !s.loaded {
		return
	}
	ctx := s.tablesRq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) (orderTables, error) {
		var out orderTables
		var err error
		if out.ok, err = s.p.ws.OrderTables(ctx); err != nil || len(out.ok) > 0 {
			return out, err
		}
		// None: find the tables that lack only a product, to name them.
		for _, t := range ts {
			roles, err := s.p.ws.ColumnRoles(ctx, t.Name)
			if err != nil {
				return out, err
			}
			has := map[storage.Role]bool{}
			for _, r := range roles {
				has[r] = true
			}
			if !has[storage.CustomerID] || !has[storage.OrderDate] {
				continue
			}
			out.noProduct = append(out.noProduct, t.Name)
		}
		return out, nil
	}, func(out orderTables, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.p.showError(err)
			return
		}
		s.setOrders(out)
	})
}

func (s *productsScreen) setOrders(out orderTables) {
	s.orders = out.ok
	s.tableSel.Options = out.ok
	switch {
	case len(out.ok) > 0:
		s.missing.Hide()
	case len(out.noProduct) > 0:
		s.missText.SetText(i18n.T("%s has customers and order dates but no product column. Give the column that names the product "+
			"the role %s (or %s) on the Data screen's Roles tab.", strings.Join(out.noProduct, ", "), string(storage.ProductID), string(storage.ProductName)))
		s.missing.Show()
	default:
		s.missText.SetText(i18n.T("No order table yet. Products need a table of orders whose columns have the roles %s, %s and %s (or %s): "+
			"import your orders on the Data screen and set the roles on its Roles tab.",
			string(storage.CustomerID), string(storage.OrderDate), string(storage.ProductID), string(storage.ProductName)))
		s.missing.Show()
	}
	if !slices.Contains(out.ok, s.tableSel.Selected) {
		s.tableSel.Selected = ""
		if len(out.ok) > 0 {
			s.tableSel.Selected = out.ok[0]
		}
		s.tableSel.Refresh()
		s.tableChanged()
	}
	s.tableSel.Refresh()
}

// table is the chosen order table, or "" with the reason shown.
func (s *productsScreen) table() string { return s.tableSel.Selected }

// tableChanged clears what was computed on another table and lists its
// products for the product boxes.
func (s *productsScreen) tableChanged() {
	s.rules.clear()
	s.eval.clear()
	s.best.clear()
	s.similar.clear()
	s.customer.clear()
	s.products = nil
	if s.rec != nil {
		s.showRecommender()
	}
	table := s.table()
	if table == "" {
		return
	}
	ctx := s.prodRq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]core.BestSeller, error) {
		return s.p.ws.BestSellers(ctx, table, 0, "")
	}, func(list []core.BestSeller, err error) {
		if ctx.Err() != nil || err != nil {
			return // the tabs report a problem with the table when used
		}
		s.products = list
		s.similar.setProducts(list)
		s.rules.show()                                  // names for rules mined meanwhile
		s.best.show(list[:min(len(list), bestTop)], "") // at once, without asking again
	})
}

// productNames returns a function that says a rule's side in words: the
// products' names with their ids where the order table has only ids
// (core's basket rules name products by the column they are read from).
func (s *productsScreen) productNames() func([]string) string {
	names := make(map[string]string, len(s.products))
	for _, b := range s.products {
		names[b.ProductID] = b.Name
	}
	return func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = productLabel(id, names[id])
		}
		return strings.Join(out, " + ")
	}
}

// productLabel is how a product box shows a product: its name and id.
func productLabel(id, name string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

// needTable says why nothing can run yet; it returns false when a table
// is chosen.
func (s *productsScreen) needTable(info *widget.Label) bool {
	if s.table() != "" {
		return false
	}
	if s.missing.Visible() {
		info.SetText(s.missText.Text)
	} else {
		info.SetText(i18n.T("Choose the order table first."))
	}
	return true
}

// parseNumber reads a number typed by a person: a decimal comma is taken
// as a point, and a trailing % is allowed.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(strings.ReplaceAll(s, ",", ".")), "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil
}
