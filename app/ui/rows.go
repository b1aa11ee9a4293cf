package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// pageSize is how many rows one page shows: enough to scroll, small
// enough that a page of a wide table arrives at once.
const pageSize = 200

const noSort = "(table order)"

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

	v.filterIn = &widget.Entry{PlaceHolder: "Filter rows, e.g.  country = 'France' AND amount > 100   (press Enter)"}
	v.filterIn.ExtendBaseWidget(v.filterIn)
	v.filterIn.OnSubmitted = func(string) { v.applyFilter() }
	v.filterErr = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	v.filterErr.Hide()
	apply := &widget.Button{Text: "Filter", Icon: theme.SearchIcon(), OnTapped: v.applyFilter}
	clearBtn := &widget.Button{Icon: theme.ContentClearIcon(), OnTapped: func() {
		v.filterIn.SetText("")
		v.applyFilter()
	}}

	v.sortSel = widget.NewSelect(nil, func(s string) {
		if v.syncing {
			return
		}
		if s == noSort {
			s = ""
		}
		v.sort, v.offset = s, 0
		v.load()
	})
	v.dirSel = widget.NewRadioGroup([]string{"ascending", "descending"}, func(s string) {
		if v.syncing {
			return
		}
		v.desc, v.offset = s == "descending", 0
		if v.sort != "" {
			v.load()
		}
	})
	v.dirSel.Horizontal = true
	v.dirSel.Required = true
	v.dirSel.Selected = "ascending"

	v.prev = &widget.Button{Text: "Previous", Icon: theme.NavigateBackIcon(), OnTapped: func() { v.page(-1) }}
	v.next = &widget.Button{Text: "Next", Icon: theme.NavigateNextIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: func() { v.page(1) }}
	v.pageLabel = widget.NewLabel("Select a table on the left.")
	v.prev.Disable()
	v.next.Disable()

	filterRow := container.NewBorder(nil, nil, nil, container.NewHBox(apply, clearBtn), v.filterIn)
	sortRow := container.NewHBox(widget.NewLabel("Sort by"), v.sortSel, v.dirSel)
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
		v.dirSel.SetSelected("ascending")
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
		v.dirSel.SetSelected("descending")
	} else {
		v.dirSel.SetSelected("ascending")
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
	v.pageLabel.SetText("Loading…")
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
			v.filterErr.SetText(err.Error())
			v.filterErr.Show()
			v.pageLabel.SetText("Showing the last good result. Fix the filter and press Enter.")
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
	v.sortSel.Options = append([]string{noSort}, cols...)
	if v.sort == "" {
		v.sortSel.SetSelected(noSort)
	} else {
		v.sortSel.SetSelected(v.sort)
	}
}

// pageText says which rows are shown: "rows 1–200 of 1,234,567".
func pageText(offset int64, n int, total int64, filtered bool) string {
	what := ""
	if filtered {
		what = " matching the filter"
	}
	if total == 0 {
		if filtered {
			return "No rows match the filter."
		}
		return "The table is empty."
	}
	return fmt.Sprintf("rows %s–%s of %s%s", chart.Number(float64(offset+1)), chart.Number(float64(offset+int64(n))), chart.Number(float64(total)), what)
}
