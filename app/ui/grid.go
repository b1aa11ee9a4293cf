package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/storage"
)

// grid shows rows of strings under a header row. Columns are sized to their
// content (within limits), numbers are right-aligned, and long values end
// in an ellipsis instead of pushing everything else off screen.
type grid struct {
	table   *widget.Table
	cols    []string
	numeric []bool
	rows    [][]string

	// header returns a column's title (e.g. with a sort arrow); nil: the name.
	header func(col int) string
	// onHeader makes headers clickable; nil: they are plain labels.
	onHeader func(col int)
	// onSelect is called with the row of a selected cell.
	onSelect func(row int)
}

const (
	minColWidth = 60
	maxColWidth = 360
)

func newGrid() *grid {
	g := &grid{}
	g.table = &widget.Table{
		Length: func() (int, int) { return len(g.rows), len(g.cols) },
		CreateCell: func() fyne.CanvasObject {
			return &widget.Label{Truncation: fyne.TextTruncateEllipsis}
		},
		UpdateCell: func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			text := ""
			if id.Row < len(g.rows) && id.Col < len(g.rows[id.Row]) {
				text = g.rows[id.Row][id.Col]
			}
			align := fyne.TextAlignLeading
			if id.Col < len(g.numeric) && g.numeric[id.Col] {
				align = fyne.TextAlignTrailing
			}
			if l.Text != text || l.Alignment != align {
				l.Text, l.Alignment = text, align
				l.Refresh()
			}
		},
		ShowHeaderRow: true,
		CreateHeader: func() fyne.CanvasObject {
			b := &widget.Button{Importance: widget.LowImportance, Alignment: widget.ButtonAlignLeading}
			b.ExtendBaseWidget(b)
			return b
		},
		UpdateHeader: func(id widget.TableCellID, o fyne.CanvasObject) {
			b := o.(*widget.Button)
			if id.Col < 0 || id.Col >= len(g.cols) {
				b.SetText("")
				return
			}
			text := g.cols[id.Col]
			if g.header != nil {
				text = g.header(id.Col)
			}
			col := id.Col
			b.OnTapped = func() {
				if g.onHeader != nil {
					g.onHeader(col)
				}
			}
			b.SetText(text)
		},
		OnSelected: func(id widget.TableCellID) {
			if g.onSelect != nil && id.Row >= 0 && id.Row < len(g.rows) {
				g.onSelect(id.Row)
			}
		},
	}
	g.table.ExtendBaseWidget(g.table)
	return g
}

// set replaces the content. types, when given, are DuckDB column types and
// decide which columns are right-aligned.
func (g *grid) set(cols, types []string, rows [][]string) {
	g.cols, g.rows = cols, rows
	g.numeric = make([]bool, len(cols))
	for i := range cols {
		if i < len(types) {
			g.numeric[i] = storage.Column{Type: types[i]}.IsNumeric()
		}
	}
	g.sizeColumns()
	g.table.UnselectAll()
	g.table.Refresh()
	g.table.ScrollToTop()
}

// setResult shows a query result.
func (g *grid) setResult(r *storage.Result) {
	if r == nil {
		g.set(nil, nil, nil)
		return
	}
	g.set(r.Columns, r.Types, r.Rows)
}

// clear empties the grid.
func (g *grid) clear() { g.set(nil, nil, nil) }

// sizeColumns measures the header and the first rows of every column.
// Sampling keeps this cheap; later rows that are longer get an ellipsis.
func (g *grid) sizeColumns() {
	size := theme.TextSize()
	pad := 4*theme.Padding() + 8
	for c, name := range g.cols {
		title := name
		if g.header != nil {
			title = g.header(c)
		}
		w := fyne.MeasureText(title, size, fyne.TextStyle{Bold: true}).Width + pad
		for r := 0; r < len(g.rows) && r < 60; r++ {
			if c < len(g.rows[r]) {
				if v := fyne.MeasureText(g.rows[r][c], size, fyne.TextStyle{}).Width + pad; v > w {
					w = v
				}
			}
		}
		limit := float32(maxColWidth)
		if c == len(g.cols)-1 {
			limit = 3 * maxColWidth // the last column has the room to the right
		}
		g.table.SetColumnWidth(c, min(max(w, minColWidth), limit))
	}
}
