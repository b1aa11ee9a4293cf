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
	tables  []storage.Table // the user's tables first, then working ones
	items   []tableItem     // the list's rows: tables under group headings
	current string          // selected table, "" for none

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
		Length: func() int { return len(d.items) },
		CreateItem: func() fyne.CanvasObject {
			// A long name ends in "…" and is shown whole in the status
			// line on hover; the row count is compact so both always fit.
			heading := &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis}
			count := &widget.Label{TextStyle: fyne.TextStyle{Italic: true}}
			return container.NewStack(heading, container.NewBorder(nil, nil, nil, count, newHoverLabel(p.status)))
		},
		UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			heading, row := c.Objects[0].(*widget.Label), c.Objects[1].(*fyne.Container)
			it := d.items[id]
			if it.heading != "" {
				heading.SetText(it.heading)
				heading.Show()
				row.Hide()
				return
			}
			heading.Hide()
			row.Show()
			t := d.tables[it.table]
			row.Objects[0].(*hoverLabel).set(t.Name, i18n.T("%s: %s rows", t.Name, i18n.Number(float64(t.Rows))))
			row.Objects[1].(*widget.Label).SetText(i18n.Compact(float64(t.Rows)))
		},
		OnSelected: func(id widget.ListItemID) {
			if it := d.items[id]; it.heading == "" {
				d.show(d.tables[it.table].Name)
				return
			}
			d.list.Unselect(id) // a heading is not a table
			d.selectTable(d.current)
		},
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
	toolbar := newFlow(importBtn, d.exportBtn, newBtn, openBtn, recentBtn)

	heading := &widget.Label{Text: i18n.T("Tables"), TextStyle: fyne.TextStyle{Bold: true}}
	left := container.NewBorder(heading, d.listNote, nil, nil, d.list)
	split := container.NewHSplit(left, d.tabs)
	split.Offset = 0.2
	d.content = container.NewBorder(container.NewVBox(toolbar, widget.NewSeparator()), nil, nil, nil, split)

	p.onTables = append(p.onTables, d.setTables)
	return d
}

// tableItem is a row of the table list: a group heading or a table
// (an index into tables).
type tableItem struct {
	heading string
	table   int
}

// group orders the tables as the list shows them, the user's own first and
// the working tables Marketbench made under their own heading.
func (d *dataScreen) group(ts []storage.Table) {
	var own, working []storage.Table
	for _, t := range ts {
		if core.IsWorkingTable(t.Name) {
			working = append(working, t)
		} else {
			own = append(own, t)
		}
	}
	d.tables = append(own, working...)
	d.items = nil
	if len(working) > 0 && len(own) > 0 {
		d.items = append(d.items, tableItem{heading: i18n.T("Your tables")})
	}
	for i := range own {
		d.items = append(d.items, tableItem{table: i})
	}
	if len(working) > 0 {
		d.items = append(d.items, tableItem{heading: i18n.T("Made by Marketbench")})
	}
	for i := range working {
		d.items = append(d.items, tableItem{table: len(own) + i})
	}
}

// row is the list row of a table, or -1.
func (d *dataScreen) row(name string) int {
	return slices.IndexFunc(d.items, func(it tableItem) bool {
		return it.heading == "" && strings.EqualFold(d.tables[it.table].Name, name)
	})
}

// setTables refreshes the list, keeping the selection when the table is
// still there.
func (d *dataScreen) setTables(ts []storage.Table) {
	d.group(ts)
	d.list.Refresh()
	if len(ts) == 0 {
		d.listNote.Show()
	} else {
		d.listNote.Hide()
	}
	if d.current == "" {
		if len(ts) > 0 {
			d.list.Select(d.row(d.tables[0].Name)) // an open project shows data right away
		}
		return
	}
	if i := d.row(d.current); i >= 0 {
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
	if i := d.row(name); i >= 0 {
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

// chooseExport asks where to write source ("orders", "segment:NAME" or
// "sql:QUERY") and how to treat the people in it (privacy_share.go), and
// writes it; the chosen format decides CSV, Parquet or XLSX.
func (p *project) chooseExport(source, baseName string) {
	p.chooseShare(source, baseName, shareAsIs)
}

// exportWith asks where to write, then runs write under a progress dialog
// and says how many rows it wrote.
func (p *project) exportWith(baseName string, write func(ctx context.Context, path string) (int64, error)) {
	p.w.chooseSaveFile(i18n.T("Export %s", baseName), baseName, storage.ExportFormats, nil, func(path string) { p.writeExport(path, write) })
}

// writeExport runs write to path under a progress dialog.
func (p *project) writeExport(path string, write func(ctx context.Context, path string) (int64, error)) {
	var n int64
	p.run(i18n.T("Exporting %s…", filepath.Base(path)), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Writing %s", filepath.Base(path)), -1)
		var err error
		n, err = write(ctx, path)
		return err
	}, func(err error) {
		if err != nil {
			p.showError(err)
			return
		}
		p.setStatus(i18n.T("Exported %s rows to %s", i18n.Number(float64(n)), path))
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
