package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

var tabPersonalData = i18n.Mark("Personal data")

func init() {
	registerPrivacyTab(privacyTab{order: 10, name: tabPersonalData,
		build: func(s *privacyScreen) fyne.CanvasObject {
			s.scan = newScanView(s.p)
			return s.scan.content
		},
		shown: func(s *privacyScreen) { s.scan.shown() },
	})
}

// scanView is the Personal data tab: where the project holds personal
// data, per table and column, from the same scan as `privacy scan`.
type scanView struct {
	p       *project
	rep     *core.PrivacyReport
	stale   bool // tables changed since the last scan
	filter  *widget.Select
	summary *widget.Label
	grid    *grid
	rows    []scanRow // shown, after the filter
	req     latest
	gen     int // of the latest scan; an earlier one's result is dropped
	bar     *widget.ProgressBar
	stop    *widget.Button
	content fyne.CanvasObject
}

// scanRow is one finding: a kind of personal data in a column.
type scanRow struct {
	table string
	cells []string
}

func newScanView(p *project) *scanView {
	v := &scanView{p: p, stale: true}
	v.summary = &widget.Label{Text: i18n.T("Not scanned yet."), Wrapping: fyne.TextWrapWord}
	v.filter = widget.NewSelect(nil, func(string) { v.fill() })
	v.grid = newGrid()
	v.grid.onSelect = func(row int) {
		if row < len(v.rows) {
			p.goTo("Data")
			p.data.selectTable(v.rows[row].table)
		}
	}
	again := &widget.Button{Text: i18n.T("Scan again"), Icon: theme.ViewRefreshIcon(), OnTapped: v.run}
	hint := &widget.Label{Text: i18n.T("A column is reported for its role, its name, or when at least half of up to %d sampled values are of one kind. Click a row to open its table in Data.", core.PrivacySample),
		Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	// The scan runs in the tab, not under a dialog: it starts on a visit,
	// and a dialog would cover whatever brought the user here (the tour).
	v.bar = widget.NewProgressBar()
	v.bar.Hide()
	v.stop = &widget.Button{Text: i18n.T("Cancel"), Icon: theme.CancelIcon(), OnTapped: func() { v.req.stop() }}
	v.stop.Hide()
	top := container.NewVBox(newFlow(captioned(i18n.T("Table"), fixedWidth(220, v.filter)), again, v.stop), v.bar, v.summary, hint)
	v.content = container.NewBorder(top, nil, nil, nil, v.grid.table)
	p.onTables = append(p.onTables, func([]storage.Table) { v.stale = true })
	return v
}

// shown scans when the tables changed since the last scan (or never were).
func (v *scanView) shown() {
	if v.stale {
		v.run()
	}
}

// run scans every table, showing its progress in the tab; Cancel stops it.
func (v *scanView) run() {
	v.stale = false
	v.gen++
	gen := v.gen
	ctx := v.req.start(v.p.ctx)
	v.bar.SetValue(0)
	v.bar.Show()
	v.stop.Show()
	v.summary.SetText(i18n.T("Looking for personal data…"))
	async(v.p, ctx, func(ctx context.Context) (*core.PrivacyReport, error) {
		return v.p.ws.PrivacyScanAll(ctx, func(stage string, f float64) {
			do(func() {
				if ctx.Err() == nil {
					v.summary.SetText(stage)
					if f >= 0 {
						v.bar.SetValue(f)
					}
				}
			})
		})
	}, func(rep *core.PrivacyReport, err error) {
		if gen != v.gen {
			return
		}
		v.bar.Hide()
		v.stop.Hide()
		if err != nil || ctx.Err() != nil {
			v.stale = true // try again on the next visit
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				v.summary.SetText(i18n.T("The scan was cancelled. Press Scan again to look for personal data."))
				return
			}
			v.summary.SetText("")
			v.p.showError(err)
			return
		}
		v.rep = rep
		opts := []string{i18n.T("All tables")}
		for _, t := range rep.Tables {
			opts = append(opts, t.Table)
		}
		v.filter.Options = opts
		if !containsString(opts, v.filter.Selected) {
			v.filter.Selected = opts[0]
		}
		v.filter.Refresh()
		v.fill()
	})
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// fill shows the findings of the selected table (or all) and the summary.
func (v *scanView) fill() {
	if v.rep == nil {
		return
	}
	all := v.filter.Selected == "" || v.filter.SelectedIndex() == 0
	v.rows = nil
	cols, tables := 0, 0
	for _, t := range v.rep.Tables {
		if !all && t.Table != v.filter.Selected {
			continue
		}
		if len(t.Columns) > 0 {
			tables++
		}
		for _, c := range t.Columns {
			cols++
			for _, f := range c.Findings {
				why := make([]string, len(f.Reasons))
				for i, r := range f.Reasons {
					why[i] = core.PrivacyReasonName(r)
				}
				v.rows = append(v.rows, scanRow{table: t.Table, cells: []string{t.Table, c.Column, core.PrivacyKindName(f.Kind),
					i18n.Percent(0, f.Share) + fmt.Sprintf(" (%d/%d)", f.Matched, f.Sampled), i18n.Number(float64(f.EstimatedRows)), strings.Join(why, i18n.T(", "))}})
			}
		}
	}
	scanned := len(v.rep.Tables)
	if !all {
		scanned = 1
	}
	switch {
	case cols == 0:
		v.summary.SetText(i18n.T("No personal data found in %d table(s).", scanned))
	default:
		v.summary.SetText(i18n.T("%d column(s) with personal data in %d of %d table(s).", cols, tables, scanned))
	}
	cells := make([][]string, len(v.rows))
	for i, r := range v.rows {
		cells[i] = r.cells
	}
	v.grid.set([]string{i18n.T("Table"), i18n.T("Column"), i18n.T("Personal data"), i18n.T("Matched in sample"), i18n.T("Rows (est.)"), i18n.T("Because of")},
		[]string{"VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "VARCHAR"}, cells)
}
