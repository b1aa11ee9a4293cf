package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// viewRows is how many rows of a selection the View dialog shows.
const viewRows = 1000

// selectElement finds the customers behind a clicked element (in core)
// and offers what can be done with them.
func (v *chartView) selectElement(el chart.Element) {
	p, spec := v.p, v.spec
	async(p, p.ctx, func(ctx context.Context) (*core.Selection, error) {
		return p.ws.ChartSelection(ctx, spec, el)
	}, func(sel *core.Selection, err error) {
		switch {
		case err != nil:
			p.showError(err)
		case sel != nil:
			v.showSelection(sel)
		}
	})
}

// selectionSize says how many customers, or rows, a selection holds.
func selectionSize(sel *core.Selection) string {
	if sel.Customers >= 0 {
		return i18n.T("%s customers", i18n.Number(float64(sel.Customers)))
	}
	return i18n.T("%s rows", i18n.Number(float64(sel.Rows)))
}

// showSelection offers to view, save or export a selection.
func (v *chartView) showSelection(sel *core.Selection) {
	p := v.p
	text := selectionSize(sel)
	if sel.Filter != "" {
		text = i18n.T("%s in %s where %s", text, sel.Table, sel.Filter)
	}
	info := &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}
	var d *dialog.CustomDialog
	view := &widget.Button{Text: i18n.T("View them"), Icon: theme.VisibilityIcon(), OnTapped: func() { d.Hide(); v.viewSelection(sel) }}
	save := &widget.Button{Text: i18n.T("Save as segment…"), Icon: theme.DocumentSaveIcon(), OnTapped: func() { d.Hide(); v.saveSelection(sel) }}
	export := &widget.Button{Text: i18n.T("Export…"), Icon: theme.UploadIcon(), OnTapped: func() { d.Hide(); v.exportSelection(sel) }}
	if !sel.CanSave() {
		save.Disable()
	}
	d = dialog.NewCustom(sel.Title, i18n.T("Close"), container.NewVBox(info, container.NewHBox(view, save, export)), p.win)
	d.Resize(fyne.NewSize(min(560, p.win.Canvas().Size().Width-40), d.MinSize().Height))
	d.Show()
}

// viewSelection shows the first rows of a selection in a dialog.
func (v *chartView) viewSelection(sel *core.Selection) {
	p := v.p
	async(p, p.ctx, func(ctx context.Context) (*storage.Result, error) {
		return p.ws.SelectionRows(ctx, sel, viewRows)
	}, func(res *storage.Result, err error) {
		if err != nil {
			p.showError(err)
			return
		}
		g := newGrid()
		g.setResult(res)
		note := i18n.T("%s: %s", sel.Title, selectionSize(sel))
		if res.Truncated {
			note = i18n.T("%s; the first %s rows are shown. Export them to see all.", note, i18n.Number(viewRows))
		}
		d := dialog.NewCustom(sel.Title, i18n.T("Close"), container.NewBorder(widget.NewLabel(note), nil, nil, nil, g.table), p.win)
		cs := p.win.Canvas().Size()
		d.Resize(fyne.NewSize(cs.Width*0.85, cs.Height*0.8))
		d.Show()
	})
}

// saveSelection asks for a name and saves the selection as a rule segment.
func (v *chartView) saveSelection(sel *core.Selection) {
	p := v.p
	name := &widget.Entry{Text: sel.Title}
	name.ExtendBaseWidget(name)
	items := []*widget.FormItem{{Text: i18n.T("Name"), Widget: name, HintText: sel.Filter}}
	dialog.ShowForm(i18n.T("Save as segment"), i18n.T("Save"), i18n.T("Cancel"), items, func(ok bool) {
		n := strings.TrimSpace(name.Text)
		if !ok || n == "" {
			return
		}
		async(p, p.ctx, func(ctx context.Context) (*segment.Segment, error) {
			return p.ws.SaveSelection(ctx, n, sel)
		}, func(sg *segment.Segment, err error) {
			if err != nil {
				p.showError(err)
				return
			}
			p.setStatus(i18n.T("Saved segment %q: %s customers", sg.Name, i18n.Number(float64(sg.Size))))
			if p.segments != nil {
				p.segments.refresh()
			}
		})
	}, p.win)
}

// exportSelection writes a selection's rows to a file the user picks.
func (v *chartView) exportSelection(sel *core.Selection) {
	v.p.exportWith(safeFileName(sel.Title), func(ctx context.Context, path string) (int64, error) {
		return v.p.ws.ExportSelection(ctx, sel, path)
	})
}
