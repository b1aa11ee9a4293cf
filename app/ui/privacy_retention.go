package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/retention"
)

const tabRetention = "Data retention"

func init() {
	registerPrivacyTab(privacyTab{order: 40, name: i18n.Mark(tabRetention),
		build: func(s *privacyScreen) fyne.CanvasObject { return newRetentionTab(s.p).view },
		shown: func(s *privacyScreen) {
			for _, it := range s.items {
				if v, ok := it.Content.(*retentionView); ok {
					v.tab.load()
				}
			}
		}})
}

// retentionView is the tab's content; it carries the tab so that the
// screen's shown hook finds it without a field in the shared screen.
type retentionView struct {
	widget.BaseWidget
	tab   *retentionTab
	inner fyne.CanvasObject
}

func (v *retentionView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(v.inner)
}

// retentionTab lists the retention rules with what each would remove now,
// edits them, and applies them after a confirmation that states the counts.
type retentionTab struct {
	p      *project
	view   *retentionView
	rules  *grid
	shown  []retention.Result // the rules with their dry-run counts, as listed
	tables []storage.Table

	table, column, action *widget.Select
	months                *widget.Entry
	save, remove, apply   *widget.Button
	summary               *widget.Label // the last run and the total that would go now
	req                   latest
}

func newRetentionTab(p *project) *retentionTab {
	r := &retentionTab{p: p, rules: newGrid()}
	r.rules.onSelect = r.edit
	r.table = widget.NewSelect(nil, func(string) { r.fillColumns("") })
	r.table.PlaceHolder = i18n.T("(choose a table)")
	r.column = widget.NewSelect(nil, nil)
	r.column.PlaceHolder = i18n.T("(choose its date column)")
	r.action = widget.NewSelect([]string{actionLabel(retention.Delete), actionLabel(retention.Aggregate)}, nil)
	r.action.SetSelectedIndex(0)
	r.months = &widget.Entry{Text: "24"}
	r.months.ExtendBaseWidget(r.months)
	r.save = widget.NewButtonWithIcon(i18n.T("Save rule"), theme.DocumentSaveIcon(), r.saveRule)
	r.save.Importance = widget.HighImportance
	r.remove = widget.NewButtonWithIcon(i18n.T("Remove rule"), theme.DeleteIcon(), r.removeRule)
	r.remove.Disable()
	r.apply = widget.NewButtonWithIcon(i18n.T("Apply now…"), theme.ConfirmIcon(), r.applyNow)
	r.apply.Disable()
	r.summary = &widget.Label{Wrapping: fyne.TextWrapWord}
	intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Rows older than a rule keeps are deleted, or first summed up per month (counts and sums, with no names, ids or contact details) into TABLE_retained_monthly. Rows without a date are kept. The automation runner applies the rules once a day when the project has journeys; every application is in the audit log.")}
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("Table"), r.table),
		widget.NewFormItem(i18n.T("Date column"), r.column),
		widget.NewFormItem(i18n.T("Keep (months)"), r.months),
		widget.NewFormItem(i18n.T("Older rows"), r.action),
	)
	buttons := container.NewHBox(r.save, r.remove, layout.NewSpacer(), r.apply)
	bottom := container.NewVBox(widget.NewSeparator(), r.summary, form, buttons)
	r.view = &retentionView{tab: r, inner: container.NewBorder(intro, bottom, nil, nil, r.rules.table)}
	r.view.ExtendBaseWidget(r.view)
	return r
}

func actionLabel(a retention.Action) string {
	if a == retention.Aggregate {
		return i18n.T("sum up per month, then delete")
	}
	return i18n.T("delete")
}

// load lists the tables and the rules with a dry run's counts.
func (r *retentionTab) load() {
	ctx := r.req.start(r.p.ctx)
	type listing struct {
		tables []storage.Table
		rep    *core.RetentionReport
	}
	async(r.p, ctx, func(ctx context.Context) (listing, error) {
		ts, err := r.p.ws.Tables(ctx)
		if err != nil {
			return listing{}, err
		}
		rep, err := r.p.ws.ApplyRetention(ctx, true, nil)
		return listing{ts, rep}, err
	}, func(l listing, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.p.showError(err)
			return
		}
		r.tables = l.tables
		var names []string
		for _, t := range l.tables {
			if !strings.HasSuffix(t.Name, "_retained_monthly") {
				names = append(names, t.Name)
			}
		}
		r.table.SetOptions(names)
		r.show(l.rep)
	})
}

// show fills the list and the line under it from a dry run.
func (r *retentionTab) show(rep *core.RetentionReport) {
	r.shown = rep.Rules
	rows := make([][]string, len(rep.Rules))
	var last time.Time
	for i, x := range rep.Rules {
		now := strconv.FormatInt(x.Rows, 10)
		if x.Err != nil {
			now = i18n.Error(x.Err)
		}
		ran := i18n.T("never")
		if !x.LastRunAt.IsZero() {
			ran = x.LastRunAt.Local().Format("2006-01-02 15:04")
			if x.LastRows < 0 {
				ran += " " + i18n.T("(failed)")
			} else {
				ran += " " + i18n.T("(%d removed)", x.LastRows)
			}
			if x.LastRunAt.After(last) {
				last = x.LastRunAt
			}
		}
		rows[i] = []string{x.Table, x.Column, strconv.Itoa(x.Months), actionLabel(x.Action), x.Cutoff.Format(time.DateOnly), now, ran}
	}
	r.rules.set([]string{i18n.T("Table"), i18n.T("Date column"), i18n.T("Months"), i18n.T("Older rows"), i18n.T("Rows dated before"),
		i18n.T("Would remove now"), i18n.T("Last applied")}, []string{"", "", "INTEGER", "", "", "BIGINT", ""}, rows)
	switch {
	case len(rep.Rules) == 0:
		r.summary.SetText(i18n.T("No retention rules yet: choose a table, its date column and how long to keep rows, then Save rule."))
	case last.IsZero():
		r.summary.SetText(i18n.T("Not applied yet. Applying now would remove %d row(s).", rep.Removed))
	default:
		r.summary.SetText(i18n.T("Last applied %s. Applying now would remove %d row(s).", last.Local().Format("2006-01-02 15:04"), rep.Removed))
	}
	if len(rep.Rules) > 0 {
		r.apply.Enable()
	} else {
		r.apply.Disable()
	}
	r.remove.Disable()
}

// fillColumns offers the chosen table's date and time columns.
func (r *retentionTab) fillColumns(pick string) {
	var dates []string
	for _, t := range r.tables {
		if t.Name != r.table.Selected {
			continue
		}
		for _, c := range t.Columns {
			if c.IsTemporal() {
				dates = append(dates, c.Name)
			}
		}
	}
	r.column.SetOptions(dates)
	switch {
	case pick != "":
		r.column.SetSelected(pick)
	case len(dates) == 1:
		r.column.SetSelected(dates[0])
	default:
		r.column.ClearSelected()
	}
}

// edit puts a listed rule into the form.
func (r *retentionTab) edit(row int) {
	if row < 0 || row >= len(r.shown) {
		return
	}
	x := r.shown[row]
	r.table.SetSelected(x.Table)
	r.fillColumns(x.Column)
	r.months.SetText(strconv.Itoa(x.Months))
	r.action.SetSelected(actionLabel(x.Action))
	r.remove.Enable()
}

func (r *retentionTab) saveRule() {
	months, err := strconv.Atoi(strings.TrimSpace(r.months.Text))
	if err != nil {
		r.p.showError(i18n.Errorf("keep rows for a whole number of months, such as 24"))
		return
	}
	rule := core.RetentionRule{Table: r.table.Selected, Column: r.column.Selected, Months: months, Action: retention.Delete}
	if r.action.SelectedIndex() == 1 {
		rule.Action = retention.Aggregate
	}
	async(r.p, r.p.ctx, func(ctx context.Context) (core.RetentionRule, error) {
		return r.p.ws.SetRetentionRule(ctx, rule)
	}, func(set core.RetentionRule, err error) {
		if err != nil {
			r.p.showError(err)
			return
		}
		r.p.setStatus(i18n.T("Retention rule saved for %s; nothing is removed until the rules are applied.", set.Table))
		r.load()
	})
}

func (r *retentionTab) removeRule() {
	name := r.table.Selected
	if name == "" {
		return
	}
	dialog.ShowConfirm(i18n.T("Remove rule"), i18n.T("Remove the retention rule of %s? Its rows are kept from then on.", name), func(ok bool) {
		if !ok {
			return
		}
		async(r.p, r.p.ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, r.p.ws.RemoveRetentionRule(ctx, name)
		}, func(_ struct{}, err error) {
			if err != nil {
				r.p.showError(err)
				return
			}
			r.p.setStatus(i18n.T("Retention rule for %s removed; its rows are kept from now on.", name))
			r.load()
		})
	}, r.p.win)
}

// applyNow counts again, asks with the counts, then applies under a
// progress dialog; the file is rewritten when rows went.
func (r *retentionTab) applyNow() {
	r.apply.Disable()
	async(r.p, r.p.ctx, func(ctx context.Context) (*core.RetentionReport, error) {
		return r.p.ws.ApplyRetention(ctx, true, nil)
	}, func(dry *core.RetentionReport, err error) {
		r.apply.Enable()
		if err != nil {
			r.p.showError(err)
			return
		}
		r.show(dry)
		if dry.Removed == 0 {
			r.p.setStatus(i18n.T("No row is older than its rule keeps: nothing to remove."))
			return
		}
		d := dialog.NewConfirm(i18n.T("Apply the retention rules?"), confirmText(dry), func(ok bool) {
			if ok {
				r.applyConfirmed()
			}
		}, r.p.win)
		d.SetConfirmText(i18n.T("Remove %d row(s)", dry.Removed))
		d.Show()
	})
}

// confirmText states what each rule would remove.
func confirmText(dry *core.RetentionReport) string {
	var lines []string
	for _, x := range dry.Rules {
		if x.Err != nil || x.Rows == 0 {
			continue
		}
		if x.Action == retention.Aggregate {
			lines = append(lines, i18n.T("%s: %d row(s) dated before %s, summed up per month into %s", x.Table, x.Rows, x.Cutoff.Format(time.DateOnly), retention.SummaryTable(x.Table)))
		} else {
			lines = append(lines, i18n.T("%s: %d row(s) dated before %s, deleted", x.Table, x.Rows, x.Cutoff.Format(time.DateOnly)))
		}
	}
	return strings.Join(lines, "\n") + "\n\n" + i18n.T("This cannot be undone. The project file is then rewritten so the rows are gone from its bytes.")
}

func (r *retentionTab) applyConfirmed() {
	var rep *core.RetentionReport
	r.p.run(i18n.T("Applying the retention rules…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		rep, err = r.p.ws.ApplyRetention(ctx, false, progress)
		return err
	}, func(err error) {
		if err != nil {
			r.p.showError(err)
		} else {
			failed := 0
			for _, x := range rep.Rules {
				if x.Err != nil {
					failed++
				}
			}
			msg := i18n.T("Retention applied: %d row(s) removed.", rep.Removed)
			if failed > 0 {
				msg += " " + i18n.T("%d rule(s) could not be applied; see the list.", failed)
			}
			r.p.setStatus(msg)
		}
		r.p.refreshTables("")
		r.load()
	})
}
