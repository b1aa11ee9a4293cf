package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// showStart shows the screen for when no project is open.
func (w *window) showStart() {
	title := &widget.Label{Text: "Marketbench", // i18n:keep
		SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}}
	intro := widget.NewLabel(i18n.T("An offline marketing analytics workbench. A project is one file holding your imported\n" +
		"customer and order data, cleaning recipes, segments and their history."))

	newBtn := &widget.Button{Text: i18n.T("New project…"), Icon: theme.DocumentCreateIcon(), Importance: widget.HighImportance, OnTapped: w.chooseNew}
	openBtn := &widget.Button{Text: i18n.T("Open project…"), Icon: theme.FolderOpenIcon(), OnTapped: w.chooseOpen}
	demoBtn := &widget.Button{Text: i18n.T("Open demo project"), Icon: theme.MediaPlayIcon(), OnTapped: w.openDemo}
	demoNote := &widget.Label{Text: i18n.T("The demo holds generated retail data (20,000 customers, 200,000 orders) in %s.", filepath.Dir(demoPath())),
		Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}

	recent := core.Recent()
	var recentBox fyne.CanvasObject
	if len(recent) == 0 {
		recentBox = &widget.Label{Text: i18n.T("No recent projects yet."), TextStyle: fyne.TextStyle{Italic: true}}
	} else {
		list := &widget.List{
			Length:     func() int { return len(recent) },
			CreateItem: func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
			UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
				o.(*widget.Label).SetText(filepath.Base(recent[id]) + "  —  " + filepath.Dir(recent[id]))
			},
			OnSelected: func(id widget.ListItemID) { w.open(recent[id]) },
		}
		list.ExtendBaseWidget(list)
		recentBox = container.NewGridWrap(fyne.NewSize(640, 260), list)
	}

	box := container.NewVBox(
		title, intro, widget.NewSeparator(),
		container.NewHBox(newBtn, openBtn, demoBtn),
		demoNote,
		widget.NewSeparator(),
		&widget.Label{Text: i18n.T("Recent projects"), TextStyle: fyne.TextStyle{Bold: true}},
		recentBox,
		widget.NewSeparator(),
		container.NewHBox(widget.NewLabel(i18n.T("Language")), w.languageSelect()),
	)
	w.win.SetTitle("Marketbench") // i18n:keep
	w.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(680, box.MinSize().Height), box)))
}
