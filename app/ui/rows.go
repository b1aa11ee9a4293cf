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
	"github.com/marketbench/marketbench/storage"
)

// pageSize is how many rows one page shows: enough to scroll, small
// enough that a page of a wide table arrives at once.
const pageSize = 200

// The sort choices that are not column names (English; shown through
// i18n.T).
var (
	noSort     = i18n.Mark("(table order)")
	ascending  = i18n.Mark("ascending")
	descending = i18n.Mark("descending")
)

// rowsView pages through a table of any size. Sorting and filtering happen
// in DuckDB, so only one page of rows ever reaches the GUI.
type rowsView struct {
	p     *project
	table string
	fresh bool

	sort   string
	desc   bool
	filter string
	offset int64
	total  int64
	req    latest

	grid      *grid
	filterIn  *widget.Entry
	filterErr *widget.Label
	sortSel   *widget.Select
	dirSel    *widget.RadioGroup
	prev      *widget.Button
	next      *widget.Button
	pageLabel *widget.Label
	content   fyne.CanvasObject
	syncing   bool // true while widgets are set from state, so their callbacks do not reload
}

func newRowsView(p *project) *rowsView {
	v := &rowsView{p: p, grid: newGrid()}
	v.grid.header = func(col int) string {
		name := v.grid.cols[col]
		if name == v.sort {
			if v.desc {
				return name + " ▼"
			}
			return name + " ▲"
		}
		return name
	}
	v.grid.onHeader = v.sortBy

	v.filterIn = &widget.Entry{PlaceHolder: i18n.T("Filter rows, e.g.  %s   (press Enter)", "country = 'France' AND amount > 100")}
	v.filterIn.ExtendBaseWidget(v.filterIn)
	v.filterIn.OnSubmitted = func(string) { v.applyFilter() }
	v.filterErr = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	v.filterErr.Hide()
	apply := &widget.Button{Text: i18n.T("Filter"), Icon: theme.SearchIcon(), OnTapped: v.applyFilter}
	clearBtn := &widget.Button{Icon: theme.ContentClearIcon(), OnTapped: func() {
		v.filterIn.SetText("")
		v.applyFilter()
	}}

	v.sortSel = widget.NewSelect(nil, func(s string) {
		if v.syncing {
			return
		}
		if s == i18n.T(noSort) {
			s = ""
		}
		v.sort, v.offset = s, 0
		v.load()
	})
	v.dirSel = widget.NewRadioGroup([]string{i18n.T(ascending), i18n.T(descending)}, func(s string) {
		if v.syncing {
			return
		}
		v.desc, v.offset = s == i18n.T(descending), 0
		if v.sort != "" {
			v.load()
		}
	})
	v.dirSel.Horizontal = true
	v.dirSel.Required = true
	v.dirSel.Selected = i18n.T(ascending)

	v.prev = &widget.Button{Text: i18n.T("Previous"), Icon: theme.NavigateBackIcon(), OnTapped: func() { v.page(-1) }}
	v.next = &widget.Button{Text: i18n.T("Next"), Icon: theme.NavigateNextIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: func() { v.page(1) }}
	v.pageLabel = widget.NewLabel(i18n.T("Select a table on the left."))
	v.prev.Disable()
	v.next.Disable()

	filterRow := container.NewBorder(nil, nil, nil, container.NewHBox(apply, clearBtn), v.filterIn)
	sortRow := container.NewHBox(widget.NewLabel(i18n.T("Sort by")), v.sortSel, v.dirSel)
	top := container.NewVBox(filterRow, v.filterErr, sortRow)
	bottom := container.NewHBox(v.prev, v.pageLabel, v.next)
	v.content = container.NewBorder(top, bottom, nil, nil, v.grid.table)
	return v
}

// show switches to a table, forgetting the previous table's sort, filter
// and position.
func (v *rowsView) show(table string) {
	if table == v.table && v.fresh {
		return
	}
	if table != v.table {
		v.table, v.sort, v.desc, v.filter, v.offset = table, "", false, "", 0
		v.syncing = true
		v.filterIn.SetText("")
		v.dirSel.SetSelected(i18n.T(ascending))
		v.syncing = false
		v.grid.clear()
	}
	v.fresh = true
	v.load()
}

func (v *rowsView) applyFilter() {
	v.filter = strings.TrimSpace(v.filterIn.Text)
	v.offset = 0
	v.load()
}

// sortBy sorts by a clicked column header; a second click reverses.
func (v *rowsView) sortBy(col int) {
	name := v.grid.cols[col]
	if name == v.sort {
		v.desc = !v.desc
	} else {
		v.sort, v.desc = name, false
	}
	v.offset = 0
	v.syncing = true
	v.sortSel.SetSelected(v.sort)
	if v.desc {
		v.dirSel.SetSelected(i18n.T(descending))
	} else {
		v.dirSel.SetSelected(i18n.T(ascending))
	}
	v.syncing = false
	v.load()
}

func (v *rowsView) page(dir int64) {
	v.offset = max(0, v.offset+dir*pageSize)
	v.load()
}

// load fetches the current page; a newer request cancels an older one so
// fast clicking never shows a page out of order.
func (v *rowsView) load() {
	if v.table == "" {
		return
	}
	req := core.PageRequest{Table: v.table, Sort: v.sort, Desc: v.desc, Filter: v.filter, Offset: v.offset, Limit: pageSize}
	ctx := v.req.start(v.p.ctx)
	v.pageLabel.SetText(i18n.T("Loading…"))
	v.prev.Disable()
	v.next.Disable()
	async(v.p, ctx, func(ctx context.Context) (*storage.Page, error) {
		return v.p.ws.Page(ctx, req)
	}, func(pg *storage.Page, err error) {
		if ctx.Err() != nil {
			return // superseded
		}
		if err != nil {
			// Filter mistakes and unknown columns are shown where they were
			// typed; the last good page stays so the user keeps their bearings.
			v.filterErr.SetText(i18n.Error(err))
			v.filterErr.Show()
			v.pageLabel.SetText(i18n.T("Showing the last good result. Fix the filter and press Enter."))
			return
		}
		v.filterErr.Hide()
		v.total = pg.Total
		v.setSortOptions(pg.Columns)
		v.grid.setResult(&pg.Result)
		v.pageLabel.SetText(pageText(v.offset, len(pg.Rows), pg.Total, v.filter != ""))
		if v.offset > 0 {
			v.prev.Enable()
		}
		if v.offset+int64(len(pg.Rows)) < pg.Total {
			v.next.Enable()
		}
	})
}

func (v *rowsView) setSortOptions(cols []string) {
	v.syncing = true
	defer func() { v.syncing = false }()
	v.sortSel.Options = append([]string{i18n.T(noSort)}, cols...)
	if v.sort == "" {
		v.sortSel.SetSelected(i18n.T(noSort))
	} else {
		v.sortSel.SetSelected(v.sort)
	}
}

// pageText says which rows are shown: "rows 1–200 of 1,234,567".
func pageText(offset int64, n int, total int64, filtered bool) string {
	if total == 0 {
		if filtered {
			return i18n.T("No rows match the filter.")
		}
		return i18n.T("The table is empty.")
	}
	from, to, all := i18n.Number(float64(offset+1)), i18n.Number(float64(offset+int64(n))), i18n.Number(float64(total))
	if filtered {
		return i18n.T("rows %s–%s of %s matching the filter", from, to, all)
	}
	return i18n.T("rows %s–%s of %s", from, to, all)
}
