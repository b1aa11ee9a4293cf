package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

// productActions are the buttons under a list of products that act on the
// product selected: its similar products, a segment of its likely buyers
// and a campaign to them.
type productActions struct {
	s        *productsScreen
	selected func() (id, name string)
	buttons  []*widget.Button
	bar      fyne.CanvasObject
}

// extra buttons join the bar and stay enabled.
func newProductActions(s *productsScreen, selected func() (string, string), extra ...*widget.Button) *productActions {
	a := &productActions{s: s, selected: selected}
	similar := &widget.Button{Text: i18n.T("Similar products"), Icon: theme.ContentCopyIcon(), OnTapped: func() {
		if id, name := a.selected(); id != "" {
			s.tabs.Select(s.similarTab)
			s.similar.showProduct(id, name)
		}
	}}
	a.buttons = []*widget.Button{similar}
	a.buttons = append(a.buttons, a.segmentButtons()...)
	var objs []fyne.CanvasObject
	for _, b := range a.buttons {
		b.Disable()
		objs = append(objs, b)
	}
	for _, b := range extra {
		objs = append(objs, b)
	}
	a.bar = newFlow(objs...)
	return a
}

// enable turns the buttons on when a product is selected.
func (a *productActions) enable(on bool) {
	for _, b := range a.buttons {
		setEnabled(b, on)
	}
}
