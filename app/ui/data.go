package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// dataScreen is the Data navigation entry: the project's tables on the
// left, and for the selected one its rows, profile, roles and cleaning
// recipe, plus a read-only SQL console.
type dataScreen struct {
	p       *project
	tables  []storage.Table
	current string // selected table, "" for none

	list      *widget.List
	listNote  *widget.Label
	tabs      *container.AppTabs
	rows      *rowsView
	profile   *profileView
	roles     *rolesView
	clean     *cleanView
	sql       *sqlView
	exportBtn *widget.Button
	content   fyne.CanvasObject
}

func newDataScreen(p *project) *dataScreen {
	d := &dataScreen{p: p}
	d.rows = newRowsView(p)
	d.profile = newProfileView(p)
	d.roles = newRolesView(p)
	d.clean = newCleanView(p)
	d.sql = newSQLView(p)

	d.list = &widget.List{
		Length: func() int { return len(d.tables) },
		CreateItem: func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil, &widget.Label{TextStyle: fyne.TextStyle{Italic: true}},
				&widget.Label{Truncation: fyne.TextTruncateEllipsis})
		},
		UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(d.tables[id].Name)
			c.Objects[1].(*widget.Label).SetText(i18n.T("%s rows", i18n.Number(float64(d.tables[id].Rows))))
		},
		OnSelected: func(id widget.ListItemID) { d.show(d.tables[id].Name) },
	}
	d.list.ExtendBaseWidget(d.list)
	d.listNote = &widget.Label{Text: i18n.T("No tables yet. Import a CSV, Excel, Parquet or JSON file to start."), Wrapping: fyne.TextWrapWord}

	sqlTab := container.NewTabItemWithIcon("SQL", theme.ComputerIcon(), d.sql.content) // i18n:keep
	d.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(i18n.T("Rows"), theme.ListIcon(), d.rows.content),
		container.NewTabItemWithIcon(i18n.T("Profile"), theme.InfoIcon(), d.profile.content),
		container.NewTabItemWithIcon(i18n.T("Roles"), theme.AccountIcon(), d.roles.content),
		container.NewTabItemWithIcon(i18n.T("Clean"), theme.ContentClearIcon(), d.clean.content),
		sqlTab,
	)
	d.tabs.OnSelected = func(*container.TabItem) { d.showTab() }

	importBtn := &widget.Button{Text: i18n.T("Import file…"), Icon: theme.DownloadIcon(), Importance: widget.HighImportance, OnTapped: p.chooseImport}
	d.exportBtn = &widget.Button{Text: i18n.T("Export…"), Icon: theme.UploadIcon(), OnTapped: d.export}
	d.exportBtn.Disable()
	newBtn := &widget.Button{Text: i18n.T("New project…"), Icon: theme.DocumentCreateIcon(), OnTapped: p.w.chooseNew}
	openBtn := &widget.Button{Text: i18n.T("Open project…"), Icon: theme.FolderOpenIcon(), OnTapped: p.w.chooseOpen}
	var recentBtn *widget.Button
	recentBtn = &widget.Button{Text: i18n.T("Recent"), Icon: theme.HistoryIcon(), OnTapped: func() {
		menu := fyne.NewMenu("")
		for _, path := range core.Recent() {
			menu.Items = append(menu.Items, fyne.NewMenuItem(path, func() { p.w.open(path) }))
		}
		if len(menu.Items) == 0 {
			menu.Items = append(menu.Items, &fyne.MenuItem{Label: i18n.T("No recent projects"), Disabled: true})
		}
		widget.ShowPopUpMenuAtRelativePosition(menu, p.win.Canvas(), fyne.NewPos(0, recentBtn.Size().Height), recentBtn)
	}}
	toolbar := container.NewHBox(importBtn, d.exportBtn, widget.NewSeparator(), newBtn, openBtn, recentBtn)

	heading := &widget.Label{Text: i18n.T("Tables"), TextStyle: fyne.TextStyle{Bold: true}}
	left := container.NewBorder(heading, d.listNote, nil, nil, d.list)
	split := container.NewHSplit(left, d.tabs)
	split.Offset = 0.2
	d.content = container.NewBorder(container.NewVBox(toolbar, widget.NewSeparator()), nil, nil, nil, split)

	p.onTables = append(p.onTables, d.setTables)
	return d
}

// setTables refreshes the list, keeping the selection when the table is
// still there.
func (d *dataScreen) setTables(ts []storage.Table) {
	d.tables = ts
	d.list.Refresh()
	if len(ts) == 0 {
		d.listNote.Show()
	} else {
		d.listNote.Hide()
	}
	if d.current == "" {
		if len(ts) > 0 {
			d.list.Select(0) // an open project shows data right away
		}
		return
	}
	if i := slices.IndexFunc(ts, func(t storage.Table) bool { return t.Name == d.current }); i >= 0 {
		// The table may have changed (import, cleaning): reload what is shown.
		d.rows.fresh, d.profile.fresh, d.roles.fresh, d.clean.fresh = false, false, false, false
		d.list.Select(i)
		d.showTab()
		return
	}
	d.current = ""
	d.list.UnselectAll()
	d.exportBtn.Disable()
}

// selectTable selects a table by name, as after an import.
func (d *dataScreen) selectTable(name string) {
	if i := slices.IndexFunc(d.tables, func(t storage.Table) bool { return strings.EqualFold(t.Name, name) }); i >= 0 {
		d.list.Select(i)
	}
}

// show makes a table current. Only the visible tab queries; the others
// catch up when they are opened, so a profile of a big table is never
// computed just because the table was clicked.
func (d *dataScreen) show(name string) {
	d.current = name
	d.exportBtn.Enable()
	d.showTab()
}

func (d *dataScreen) showTab() {
	if d.current == "" {
		return
	}
	switch d.tabs.SelectedIndex() {
	case 0:
		d.rows.show(d.current)
	case 1:
		d.profile.show(d.current)
	case 2:
		d.roles.show(d.current)
	case 3:
		d.clean.show(d.current)
	}
}

// export writes the selected table to a file the user picks.
func (d *dataScreen) export() {
	if d.current == "" {
		dialog.ShowInformation(i18n.T("Export"), i18n.T("Select a table on the left first."), d.p.win)
		return
	}
	d.p.chooseExport(d.current, d.current)
}

// chooseExport asks where to write source ("orders" or "segment:NAME") and
// writes it; the chosen format decides CSV, Parquet or XLSX.
func (p *project) chooseExport(source, baseName string) {
	p.w.chooseSaveFile(i18n.T("Export %s", baseName), baseName, storage.ExportFormats, nil, func(path string) {
		var n int64
		p.run(i18n.T("Exporting %s…", filepath.Base(path)), func(ctx context.Context, progress core.Progress) error {
			progress(i18n.T("Writing %s", filepath.Base(path)), -1)
			var err error
			n, err = p.ws.Export(ctx, source, path)
			return err
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			p.setStatus(i18n.T("Exported %s rows to %s", i18n.Number(float64(n)), path))
		})
	})
}

// safeFileName turns a segment name such as "Can't Lose Them" into a file name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
}
