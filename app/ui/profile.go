package ui

import (
	"context"
	"fmt"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// profileView describes every column of a table, and one selected column
// in detail with its histogram.
type profileView struct {
	p     *project
	table string
	fresh bool
	req   latest
	chReq latest

	profiles []storage.ColumnProfile
	overview *grid
	colSel   *widget.Select
	detail   *fyne.Container
	chart    *chartView
	status   *widget.Label
	content  fyne.CanvasObject
}

func newProfileView(p *project) *profileView {
	v := &profileView{p: p, overview: newGrid(), chart: newChartView()}
	v.status = &widget.Label{Text: i18n.T("Select a table on the left."), TextStyle: fyne.TextStyle{Italic: true}}
	v.detail = container.New(layout.NewFormLayout())
	v.colSel = widget.NewSelect(nil, func(name string) { v.selectColumn(name) })
	v.colSel.PlaceHolder = i18n.T("Choose a column")
	v.overview.onSelect = func(row int) { v.colSel.SetSelected(v.profiles[row].Name) }

	detail := container.NewBorder(container.NewHBox(widget.NewLabel(i18n.T("Column")), v.colSel), nil, nil, nil, container.NewVScroll(v.detail))
	lower := container.NewHSplit(detail, v.chart.content)
	lower.Offset = 0.35
	split := container.NewVSplit(v.overview.table, lower)
	split.Offset = 0.4
	v.content = container.NewBorder(v.status, nil, nil, nil, split)
	return v
}

func (v *profileView) show(table string) {
	if table == v.table && v.fresh {
		return
	}
	v.table, v.fresh = table, true
	v.profiles = nil
	v.overview.clear()
	v.setDetail(nil)
	v.chart.message("")
	v.status.SetText(i18n.T("Profiling %s…", table))
	ctx := v.req.start(v.p.ctx)
	async(v.p, ctx, func(ctx context.Context) ([]storage.ColumnProfile, error) {
		return v.p.ws.Profile(ctx, table)
	}, func(ps []storage.ColumnProfile, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.status.SetText("")
			v.p.showError(err)
			return
		}
		v.profiles = ps
		v.status.SetText(i18n.T("%s: %d columns. Click a row or choose a column for details and a histogram.", table, len(ps)))
		cols := []string{i18n.T("Column"), i18n.T("Type"), i18n.T("Role"), i18n.T("Rows"), i18n.T("Missing"), i18n.T("Distinct"),
			i18n.T("Min"), i18n.T("Max"), i18n.T("Mean"), i18n.T("Std")}
		types := []string{"", "", "", "BIGINT", "DOUBLE", "BIGINT", "", "", "DOUBLE", "DOUBLE"}
		var rows [][]string
		var names []string
		for _, c := range ps {
			lo, hi, mean, std := "", "", "", ""
			switch {
			case isNumber(c):
				lo, hi, mean, std = i18n.Number(c.Min), i18n.Number(c.Max), i18n.Number(c.Mean), i18n.Number(c.Std)
			case c.MinText != "" || c.MaxText != "":
				lo, hi = c.MinText, c.MaxText
			}
			rows = append(rows, []string{c.Name, typeName(c.Type), roleText(c.Role), i18n.Number(float64(c.Count)),
				fmt.Sprintf("%.1f%%", c.MissingPct()), i18n.Number(float64(c.Distinct)), lo, hi, mean, std})
			names = append(names, c.Name)
		}
		v.overview.set(cols, types, rows)
		v.colSel.Options = names
		if len(names) > 0 {
			v.colSel.SetSelected(names[0])
		}
	})
}

func isNumber(c storage.ColumnProfile) bool { return storage.Column{Type: c.Type}.IsNumeric() }

func isTemporal(c storage.ColumnProfile) bool { return storage.Column{Type: c.Type}.IsTemporal() }

// selectColumn shows one column's details and, for numbers and dates,
// its histogram.
func (v *profileView) selectColumn(name string) {
	var c *storage.ColumnProfile
	for i := range v.profiles {
		if v.profiles[i].Name == name {
			c = &v.profiles[i]
		}
	}
	if c == nil {
		return
	}
	v.setDetail(profileLines(*c))
	if !isNumber(*c) && !isTemporal(*c) {
		v.chReq.stop()
		v.chart.message(i18n.T("A histogram is drawn for number and date columns."))
		return
	}
	v.chart.load(v.p, &v.chReq, core.ChartSpec{Kind: core.ChartHistogram, Table: v.table, Column: name})
}

// setDetail shows label/value pairs; values can be selected and copied.
func (v *profileView) setDetail(lines [][2]string) {
	v.detail.Objects = nil
	for _, l := range lines {
		v.detail.Add(&widget.Label{Text: l[0], TextStyle: fyne.TextStyle{Bold: true}})
		v.detail.Add(&widget.Label{Text: l[1], Selectable: true, Truncation: fyne.TextTruncateEllipsis})
	}
	v.detail.Refresh()
}

// profileLines lists a column's statistics for the detail panel.
func profileLines(c storage.ColumnProfile) [][2]string {
	var out [][2]string
	line := func(k, val string) { out = append(out, [2]string{k, val}) }
	line(i18n.T("Type"), typeName(c.Type))
	line(i18n.T("Role"), roleText(c.Role))
	line(i18n.T("Rows"), i18n.Number(float64(c.Count)))
	line(i18n.T("Missing"), fmt.Sprintf("%s (%.1f%%)", i18n.Number(float64(c.Missing)), c.MissingPct()))
	line(i18n.T("Distinct"), i18n.Number(float64(c.Distinct)))
	switch {
	case isNumber(c):
		line(i18n.T("Min"), i18n.Number(c.Min))
		line(i18n.T("Max"), i18n.Number(c.Max))
		line(i18n.T("Mean"), i18n.Number(c.Mean))
		line(i18n.T("Std"), i18n.Number(c.Std))
		for _, q := range []string{"p05", "p25", "p50", "p75", "p95"} {
			if x, ok := c.Quantiles[q]; ok {
				line(q, i18n.Number(x))
			}
		}
	case c.MinText != "" || c.MaxText != "":
		line(i18n.T("Earliest"), c.MinText)
		line(i18n.T("Latest"), c.MaxText)
	}
	for i, t := range c.Top {
		k := ""
		if i == 0 {
			k = i18n.T("Most frequent")
		}
		val := t.Value
		if val == "" {
			val = i18n.T("(empty)")
		}
		line(k, val+"  ×"+i18n.Number(float64(t.Count)))
	}
	return out
}

func roleText(r storage.Role) string {
	if r == storage.None {
		return "—"
	}
	return roleLabel(r)
}

// sentence starts a message with a capital letter.
func sentence(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}
