package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// sqlView is a read-only SQL console over the project's tables.
type sqlView struct {
	p      *project
	req    latest
	query  *sqlEntry
	run    *widget.Button
	export *widget.Button // the whole result of the last good query, no row limit
	last   string
	errLbl *widget.Label
	info   *widget.Label
	grid   *grid

	content fyne.CanvasObject
}

// sqlEntry is a multi-line entry where Ctrl+Enter (Cmd+Enter on macOS)
// runs the query instead of inserting a line break.
type sqlEntry struct {
	widget.Entry
	onRun func()
}

func newSQLEntry(run func()) *sqlEntry {
	e := &sqlEntry{onRun: run}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.TextStyle = fyne.TextStyle{Monospace: true}
	e.SetMinRowsVisible(5)
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut runs the query on Ctrl/Cmd+Enter.
func (e *sqlEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok &&
		(cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) &&
		(cs.Modifier == fyne.KeyModifierControl || cs.Modifier == fyne.KeyModifierSuper) {
		e.onRun()
		return
	}
	e.Entry.TypedShortcut(s)
}

func newSQLView(p *project) *sqlView {
	v := &sqlView{p: p, grid: newGrid()}
	v.query = newSQLEntry(v.execute)
	v.query.PlaceHolder = "SELECT country, count(*) AS customers FROM customers GROUP BY country ORDER BY customers DESC" // i18n:keep
	v.run = &widget.Button{Text: i18n.T("Run (Ctrl+Enter)"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.execute}
	v.errLbl = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	v.errLbl.Hide()
	v.info = &widget.Label{Text: i18n.T("Read-only: queries that would change data are refused. Results show up to 10,000 rows."), TextStyle: fyne.TextStyle{Italic: true}, Wrapping: fyne.TextWrapWord}
	v.export = &widget.Button{Text: i18n.T("Export result…"), Icon: theme.UploadIcon(), OnTapped: func() {
		v.p.chooseExport("sql:"+v.last, "query")
	}}
	v.export.Disable()
	top := container.NewVBox(v.query, newFlow(v.run, v.export), v.info, v.errLbl)
	v.content = container.NewBorder(top, nil, nil, nil, v.grid.table)
	return v
}

func (v *sqlView) execute() {
	q := strings.TrimSpace(v.query.Text)
	if q == "" {
		return
	}
	v.info.SetText(i18n.T("Running…"))
	v.run.Disable()
	ctx := v.req.start(v.p.ctx)
	async(v.p, ctx, func(ctx context.Context) (*storage.Result, error) {
		return v.p.ws.SQL(ctx, q)
	}, func(res *storage.Result, err error) {
		v.run.Enable()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.errLbl.SetText(i18n.Error(err))
			v.errLbl.Show()
			v.info.SetText("")
			v.export.Disable()
			return
		}
		v.errLbl.Hide()
		v.last = q
		v.export.Enable()
		v.grid.setResult(res)
		msg := i18n.T("%s rows.", i18n.Number(float64(len(res.Rows))))
		if res.Truncated {
			msg = i18n.T("First %s rows; the query returned more. Export the result to get every row.", i18n.Number(float64(len(res.Rows))))
		}
		v.info.SetText(msg)
	})
}
