package ui

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/erase"
)

var tabErase = i18n.Mark("Erase a person")

// What identifies the person to erase.
var (
	eraseByID    = i18n.Mark("Customer ID")
	eraseByEmail = i18n.Mark("E-mail")
	eraseByPhone = i18n.Mark("Phone")
)

func init() {
	registerPrivacyTab(privacyTab{order: 30, name: tabErase,
		build: func(s *privacyScreen) fyne.CanvasObject {
			s.erase = newEraseView(s.p)
			return s.erase.content
		},
		shown: func(s *privacyScreen) { s.erase.loadHistory() },
	})
}

// eraseView is the Erase a person tab: find them, see what would be
// removed, confirm, and see what was removed; below, the erasures
// performed (dates and counts, never who).
type eraseView struct {
	p        *project
	by       *widget.Select
	value    *widget.Entry
	find     *widget.Button
	eraseBtn *widget.Button
	heading  *widget.Label
	tables   *grid
	exports  *widget.Label
	history  *grid
	subject  core.Subject // of the last preview
	who      string       // the person in the user's words, for the confirmation
	preview  *erase.Report
	content  fyne.CanvasObject
}

func newEraseView(p *project) *eraseView {
	v := &eraseView{p: p}
	v.by = widget.NewSelect(translated([]string{eraseByID, eraseByEmail, eraseByPhone}), nil)
	v.by.SetSelectedIndex(0)
	v.value = &widget.Entry{PlaceHolder: i18n.T("the customer's id, e-mail or phone")}
	v.value.ExtendBaseWidget(v.value)
	v.value.OnSubmitted = func(string) { v.runPreview() }
	v.value.OnChanged = func(string) { v.eraseBtn.Disable() } // the preview is of the old value
	v.find = &widget.Button{Text: i18n.T("Find"), Icon: theme.SearchIcon(), OnTapped: v.runPreview}
	v.eraseBtn = &widget.Button{Text: i18n.T("Erase…"), Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: v.confirm}
	v.eraseBtn.Disable()
	v.heading = &widget.Label{Text: i18n.T("Find the person first: nothing is removed until you confirm."), Wrapping: fyne.TextWrapWord}
	v.tables = newGrid()
	v.exports = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.history = newGrid()

	intro := &widget.Label{Text: i18n.T("Erasing removes a person from every table, score, campaign and journey for good, rewrites the project file so no trace is left in it, and keeps only salted hashes so a later import or send leaves them out."),
		Wrapping: fyne.TextWrapWord}
	search := container.NewBorder(nil, nil, fixedWidth(150, v.by), container.NewHBox(v.find, v.eraseBtn), v.value)
	found := container.NewBorder(v.heading, nil, container.NewGridWrap(fyne.NewSize(380, 190), v.tables.table), nil, container.NewVScroll(v.exports))
	done := container.NewBorder(&widget.Label{Text: i18n.T("Erasures performed"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.history.table)
	split := container.NewVSplit(found, done)
	split.Offset = 0.55
	v.content = container.NewBorder(container.NewVBox(intro, search, widget.NewSeparator()), nil, nil, nil, split)
	return v
}

// subjectOf reads the search into a Subject and names the person.
func (v *eraseView) subjectOf() (core.Subject, string) {
	val := strings.TrimSpace(v.value.Text)
	switch v.by.SelectedIndex() {
	case 1:
		return core.Subject{Email: val}, i18n.T("the person with the e-mail %s", val)
	case 2:
		return core.Subject{Phone: val}, i18n.T("the person with the phone %s", val)
	}
	return core.Subject{CustomerID: val}, i18n.T("customer %s", val)
}

// runPreview counts what an erasure would remove, changing nothing.
func (v *eraseView) runPreview() {
	s, who := v.subjectOf()
	if s.CustomerID+s.Email+s.Phone == "" {
		v.p.showError(i18n.Errorf("type the customer's id, e-mail or phone first"))
		return
	}
	v.eraseBtn.Disable()
	v.find.Disable()
	async(v.p, v.p.ctx, func(ctx context.Context) (*erase.Report, error) {
		return v.p.ws.ErasePreview(ctx, s)
	}, func(rep *erase.Report, err error) {
		v.find.Enable()
		if err != nil {
			v.p.showError(err)
			return
		}
		v.subject, v.who, v.preview = s, who, rep
		if rep.Rows == 0 {
			v.heading.SetText(i18n.T("Nothing in this project names %s.", who))
			v.showTables(nil)
			v.exports.SetText("")
			return
		}
		v.heading.SetText(i18n.T("Found %s: erasing removes %d row(s) from %d table(s).", who, rep.Rows, len(rep.Tables)))
		v.showTables(rep.Tables)
		v.exports.SetText(exportsText(rep, i18n.T("Earlier exports that hold them (outside the project; delete them yourself):")))
		v.eraseBtn.Enable()
	})
}

func (v *eraseView) showTables(by map[string]int64) {
	var names []string
	for t := range by {
		names = append(names, t)
	}
	sort.Strings(names)
	var rows [][]string
	for _, t := range names {
		rows = append(rows, []string{t, strconv.FormatInt(by[t], 10)})
	}
	v.tables.set([]string{i18n.T("Table"), i18n.T("Rows")}, []string{"VARCHAR", "BIGINT"}, rows)
}

// exportsText lists the exports that hold the person, under heading.
func exportsText(rep *erase.Report, heading string) string {
	if len(rep.Exports) == 0 {
		return i18n.T("No earlier export held them.")
	}
	lines := []string{heading}
	for _, x := range rep.Exports {
		lines = append(lines, i18n.T("• %s (%s, %s rows, exported %s)", x.Path, x.Source, i18n.Number(float64(x.Rows)), x.At.Local().Format("2006-01-02 15:04")))
	}
	return strings.Join(lines, "\n")
}

// confirm asks before erasing, naming the person and the counts.
func (v *eraseView) confirm() {
	if v.preview == nil {
		return
	}
	msg := &widget.Label{Text: i18n.T("Erase %s for good? %d row(s) in %d table(s) will be deleted and the project file rewritten. This cannot be undone.", v.who, v.preview.Rows, len(v.preview.Tables)),
		Wrapping: fyne.TextWrapWord}
	d := dialog.NewCustomConfirm(i18n.T("Erase a person"), i18n.T("Erase for good"), i18n.T("Cancel"), msg, func(yes bool) {
		if yes {
			v.run()
		}
	}, v.p.win)
	d.SetConfirmImportance(widget.DangerImportance)
	d.Resize(fyne.NewSize(min(520, v.p.win.Canvas().Size().Width-20), 0))
	d.Show()
}

// run erases under a progress dialog, then shows what was removed.
func (v *eraseView) run() {
	s, who := v.subject, v.who
	var rep *core.ErasureReport
	v.eraseBtn.Disable()
	v.p.run(i18n.T("Erasing…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Deleting the rows, then rewriting the project file"), -1)
		var err error
		rep, err = v.p.ws.Erase(ctx, s)
		return err
	}, func(err error) {
		v.preview = nil
		if rep != nil {
			v.heading.SetText(i18n.T("Erased %s: %d row(s) deleted from %d table(s).", who, rep.Rows, len(rep.Tables)))
			v.showTables(rep.Tables)
			text := exportsText(rep.Report, i18n.T("These files still hold them; delete them too:"))
			switch {
			case len(rep.Mentions) > 0:
				lines := []string{i18n.T("Text that still mentions them (a note, a rule, a file name) was left as it is; edit or delete it:")}
				for _, m := range rep.Mentions {
					lines = append(lines, i18n.T("  %s.%s (%d rows)", m.Table, m.Column, m.Rows))
				}
				text = strings.Join(lines, "\n") + "\n" + text
			case rep.Rewritten:
				text = i18n.T("The project file was rewritten: the erased values are gone from its bytes.") + "\n" + text
			}
			v.exports.SetText(text)
			v.value.SetText("")
			v.eraseBtn.Disable()
			v.p.setStatus(i18n.T("Erased %d row(s) from %d table(s)", rep.Rows, len(rep.Tables)))
			v.p.refreshTables("")
			v.loadHistory()
		}
		if err != nil {
			v.p.showError(err)
		}
	})
}

// loadHistory lists the erasures performed: dates and counts, never who.
func (v *eraseView) loadHistory() {
	async(v.p, v.p.ctx, func(ctx context.Context) ([]core.Erasure, error) {
		return v.p.ws.Erasures(ctx)
	}, func(list []core.Erasure, err error) {
		if err != nil {
			v.p.showError(err)
			return
		}
		var rows [][]string
		for _, e := range list {
			rows = append(rows, []string{e.At.Local().Format("2006-01-02 15:04"), strconv.FormatInt(e.Customers, 10), strconv.FormatInt(e.Rows, 10),
				strconv.FormatInt(e.Tables, 10), strconv.FormatInt(e.Exports, 10)})
		}
		v.history.set([]string{i18n.T("When"), i18n.T("Customers"), i18n.T("Rows deleted"), i18n.T("Tables"), i18n.T("Earlier exports holding them")},
			[]string{"VARCHAR", "BIGINT", "BIGINT", "BIGINT", "BIGINT"}, rows)
	})
}
