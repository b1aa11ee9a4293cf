package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/clean"
)

// stepFields and stepMethods come from clean.Ops, so a step's form shows
// only the fields its op reads.
var stepFields, stepMethods = func() (map[string][]string, map[string][]string) {
	f, m := map[string][]string{}, map[string][]string{}
	for _, o := range clean.Ops {
		f[o.Name], m[o.Name] = o.Fields, o.Methods
	}
	return f, m
}()

var castTypes = clean.CastTypes

// castName is a cast step's type in the words typeName uses.
func castName(id string) string {
	switch id {
	case "integer":
		return typeName("BIGINT")
	case "decimal":
		return i18n.T("exact decimal (money)")
	case "double":
		return typeName("DOUBLE")
	case "timestamp":
		return typeName("TIMESTAMP")
	case "boolean":
		return typeName("BOOLEAN")
	}
	return typeName(id) // text, date
}

// opHelp is an op's help in the language in use: clean.Ops holds the
// English, the catalogue its translation.
func opHelp(op string) string {
	for _, o := range clean.Ops {
		if o.Name == op {
			return i18n.T(o.Help)
		}
	}
	return ""
}

// Op, method and type names are identifiers that recipes store and the
// CLI takes ("impute", "median", "date"); the form shows them through
// i18n.T, whose catalogue keys are those same English names.

// translatedSelect offers ids by their translated names and reports the
// id picked.
func translatedSelect(ids []string, selected string, changed func(id string)) *widget.Select {
	return labeledSelect(ids, func(id string) string { return i18n.T(id) }, selected, changed)
}

// labeledSelect is translatedSelect with the labels label gives.
func labeledSelect(ids []string, label func(string) string, selected string, changed func(id string)) *widget.Select {
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = label(id)
	}
	sel := widget.NewSelect(labels, func(l string) {
		if i := slices.Index(labels, l); i >= 0 {
			changed(ids[i])
		} else {
			changed(l)
		}
	})
	if i := slices.Index(ids, selected); i >= 0 {
		sel.Selected = labels[i]
	}
	return sel
}

// cleanView edits a cleaning recipe: an ordered list of steps that can be
// previewed (nothing changes) and applied (the table is replaced in one
// transaction).
type cleanView struct {
	p     *project
	table string
	fresh bool
	req   latest

	cols    []storage.Column
	steps   []clean.Step
	recipes []clean.Recipe

	list      *fyne.Container
	addSel    *widget.Select
	recipeSel *widget.Select
	previewB  *widget.Button
	applyB    *widget.Button
	status    *widget.Label
	effects   *grid
	sample    *grid
	content   fyne.CanvasObject
}

func newCleanView(p *project) *cleanView {
	v := &cleanView{p: p, effects: newGrid(), sample: newGrid()}
	v.list = container.NewVBox()
	var ops []string
	for _, o := range clean.Ops {
		ops = append(ops, o.Name)
	}
	v.addSel = translatedSelect(ops, "", func(op string) {
		if op == "" {
			return
		}
		st := clean.Step{Op: op}
		if ms := stepMethods[op]; len(ms) > 0 {
			st.Method = ms[0]
		}
		if op == "cap" {
			st.Lower, st.Upper = 0.01, 0.99
		}
		if op == "cast" {
			st.Type = "text"
		}
		v.steps = append(v.steps, st)
		v.rebuild()
		v.addSel.ClearSelected()
	})
	v.addSel.PlaceHolder = i18n.T("Add a step…")
	v.recipeSel = widget.NewSelect(nil, v.loadRecipe)
	v.recipeSel.PlaceHolder = i18n.T("Load a saved recipe…")
	v.previewB = &widget.Button{Text: i18n.T("Preview"), Icon: theme.VisibilityIcon(), OnTapped: v.preview}
	v.applyB = &widget.Button{Text: i18n.T("Apply…"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: v.confirmApply}
	v.status = &widget.Label{Text: i18n.T("Select a table on the left."), Wrapping: fyne.TextWrapWord}

	top := container.NewVBox(
		container.NewHBox(v.addSel, v.recipeSel, v.previewB, v.applyB),
		v.status,
	)
	steps := container.NewBorder(&widget.Label{Text: i18n.T("Steps, in order"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, container.NewVScroll(v.list))
	results := container.NewVSplit(
		container.NewBorder(&widget.Label{Text: i18n.T("Effect of each step"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.effects.table),
		container.NewBorder(&widget.Label{Text: i18n.T("First rows after all steps"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.sample.table),
	)
	split := container.NewHSplit(steps, results)
	split.Offset = 0.45
	v.content = container.NewBorder(top, nil, nil, nil, split)
	v.rebuild()
	return v
}

func (v *cleanView) show(table string) {
	if table == v.table && v.fresh {
		return
	}
	switched := table != v.table
	if switched {
		v.steps = nil
		v.effects.clear()
		v.sample.clear()
	}
	v.table, v.fresh = table, true
	type loaded struct {
		cols    []storage.Column
		recipes []clean.Recipe
	}
	ctx := v.req.start(v.p.ctx)
	async(v.p, ctx, func(ctx context.Context) (loaded, error) {
		cols, err := v.p.ws.Columns(ctx, table)
		if err != nil {
			return loaded{}, err
		}
		rs, err := v.p.ws.Recipes(ctx)
		return loaded{cols, rs}, err
	}, func(l loaded, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.p.showError(err)
			return
		}
		v.cols, v.recipes = l.cols, l.recipes
		var names []string
		for _, r := range l.recipes {
			names = append(names, r.Name)
		}
		v.recipeSel.Options = names
		v.recipeSel.Refresh()
		if switched { // else keep what the last preview or apply said
			v.status.SetText(i18n.T("Recipe for %s. Add steps, Preview to see their effect (nothing changes), then Apply.", table))
		}
		v.rebuild()
	})
}

func (v *cleanView) loadRecipe(name string) {
	for _, r := range v.recipes {
		if r.Name == name {
			v.steps = slices.Clone(r.Steps)
			v.rebuild()
			v.status.SetText(i18n.T("Loaded recipe %q (%d steps, made for %s).", r.Name, len(r.Steps), r.Table))
		}
	}
}

// columnsAt lists the columns a step can refer to: the table's columns plus
// those added by the steps before it.
func (v *cleanView) columnsAt(i int) []string {
	var names []string
	for _, c := range v.cols {
		names = append(names, c.Name)
	}
	for _, st := range v.steps[:i] {
		if st.Into != "" {
			names = append(names, st.Into)
		}
	}
	return names
}

// rebuild lays out the step forms again after a structural change.
func (v *cleanView) rebuild() {
	v.list.Objects = nil
	if len(v.steps) == 0 {
		v.list.Add(&widget.Label{Text: i18n.T("No steps yet. Choose one from \"Add a step…\"."), TextStyle: fyne.TextStyle{Italic: true}})
	}
	for i := range v.steps {
		v.list.Add(v.stepCard(i))
	}
	v.list.Refresh()
	enabled := len(v.steps) > 0 && v.table != ""
	for _, b := range []*widget.Button{v.previewB, v.applyB} {
		if enabled {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// stepCard is one step: a title with move/remove buttons, its help and
// the fields its op uses. Fields write straight into v.steps[i].
func (v *cleanView) stepCard(i int) fyne.CanvasObject {
	st := &v.steps[i]
	title := &widget.Label{Text: strconv.Itoa(i+1) + ". " + i18n.T(st.Op), TextStyle: fyne.TextStyle{Bold: true}}
	up := &widget.Button{Icon: theme.MoveUpIcon(), Importance: widget.LowImportance, OnTapped: func() { v.move(i, -1) }}
	down := &widget.Button{Icon: theme.MoveDownIcon(), Importance: widget.LowImportance, OnTapped: func() { v.move(i, 1) }}
	del := &widget.Button{Icon: theme.DeleteIcon(), Importance: widget.LowImportance, OnTapped: func() {
		v.steps = slices.Delete(v.steps, i, i+1)
		v.rebuild()
	}}
	if i == 0 {
		up.Disable()
	}
	if i == len(v.steps)-1 {
		down.Disable()
	}
	help := &widget.Label{Text: opHelp(st.Op), Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}

	form := container.New(layout.NewFormLayout())
	cols := v.columnsAt(i)
	for _, f := range stepFields[st.Op] {
		switch f {
		case "column":
			sel := widget.NewSelect(cols, func(s string) { st.Column = s })
			sel.PlaceHolder = i18n.T("Choose a column")
			sel.Selected = st.Column
			form.Add(widget.NewLabel(i18n.T("Column")))
			form.Add(sel)
		case "columns":
			var checks []fyne.CanvasObject
			for _, c := range cols {
				ck := widget.NewCheck(c, nil)
				ck.Checked = slices.Contains(st.Columns, c)
				ck.OnChanged = func(on bool) {
					st.Columns = slices.DeleteFunc(st.Columns, func(s string) bool { return s == c })
					if on {
						st.Columns = append(st.Columns, c)
					}
				}
				checks = append(checks, ck)
			}
			label := i18n.T("Columns (none = all)")
			if st.Op == "trim" {
				label = i18n.T("Columns (none = all text)")
			}
			form.Add(widget.NewLabel(label))
			form.Add(container.NewGridWithColumns(2, checks...))
		case "method":
			sel := translatedSelect(stepMethods[st.Op], st.Method, func(s string) { st.Method = s })
			form.Add(widget.NewLabel(i18n.T("Method")))
			form.Add(sel)
		case "type":
			sel := labeledSelect(castTypes, castName, st.Type, func(s string) { st.Type = s })
			form.Add(widget.NewLabel(i18n.T("Type")))
			form.Add(sel)
		case "value":
			label, hint := i18n.T("Value"), i18n.T("for method constant")
			if st.Op == "normalize_phone" {
				label, hint = i18n.T("Country code"), i18n.T("e.g. 44, for national numbers")
			}
			form.Add(widget.NewLabel(label))
			form.Add(textField(st.Value, hint, func(s string) { st.Value = s }))
		case "into":
			form.Add(widget.NewLabel(i18n.T("New column")))
			form.Add(textField(st.Into, i18n.T("name of the column to add"), func(s string) { st.Into = s }))
		case "expr":
			form.Add(widget.NewLabel(i18n.T("Expression")))
			form.Add(textField(st.Expr, i18n.T("e.g. %s", "quantity * unit_price"), func(s string) { st.Expr = s }))
		case "lower", "upper":
			ptr, label := &st.Lower, i18n.T("Lower quantile")
			if f == "upper" {
				ptr, label = &st.Upper, i18n.T("Upper quantile")
			}
			form.Add(widget.NewLabel(label))
			form.Add(quantileField(*ptr, ptr))
		}
	}
	head := container.NewBorder(nil, nil, nil, container.NewHBox(up, down, del), title)
	return container.NewVBox(head, help, form, widget.NewSeparator())
}

func textField(text, hint string, changed func(string)) *widget.Entry {
	e := &widget.Entry{Text: text, PlaceHolder: hint, OnChanged: changed}
	e.ExtendBaseWidget(e)
	return e
}

// quantileField edits a number in 0..1; invalid text leaves the step as it
// was and marks the entry.
func quantileField(v float64, into *float64) *widget.Entry {
	e := &widget.Entry{Text: strconv.FormatFloat(v, 'f', -1, 64), PlaceHolder: i18n.T("0..1, e.g. %s", "0.01")}
	e.Validator = func(s string) error {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || x < 0 || x > 1 {
			// Fyne shows the validator's err.Error(): it is in the language in use.
			return errors.New(i18n.T("a number between 0 and 1"))
		}
		return nil
	}
	e.OnChanged = func(s string) {
		if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			*into = x
		}
	}
	e.ExtendBaseWidget(e)
	return e
}

func (v *cleanView) move(i, dir int) {
	j := i + dir
	if j < 0 || j >= len(v.steps) {
		return
	}
	v.steps[i], v.steps[j] = v.steps[j], v.steps[i]
	v.rebuild()
}

// preview runs the recipe as queries only.
func (v *cleanView) preview() {
	table, steps := v.table, slices.Clone(v.steps)
	v.status.SetText(i18n.T("Previewing…"))
	v.previewB.Disable()
	ctx := v.req.start(v.p.ctx)
	async(v.p, ctx, func(ctx context.Context) (*clean.PreviewResult, error) {
		return v.p.ws.PreviewClean(ctx, table, steps)
	}, func(res *clean.PreviewResult, err error) {
		v.previewB.Enable()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.status.SetText(i18n.T("The recipe cannot run yet: %s", i18n.Error(err)))
			return
		}
		v.showEffects(res.Effects)
		v.sample.setResult(res.Sample)
		v.status.SetText(i18n.T("Preview only: nothing was changed. Apply replaces the table with this result."))
	})
}

func (v *cleanView) showEffects(effects []clean.StepEffect) {
	var rows [][]string
	for i, e := range effects {
		rows = append(rows, []string{strconv.Itoa(i + 1), stepSummary(e.Step),
			i18n.Number(float64(e.RowsBefore)), i18n.Number(float64(e.RowsAfter)), i18n.Number(float64(e.Changed))})
	}
	v.effects.set([]string{"#", i18n.T("Step"), i18n.T("Rows before"), i18n.T("Rows after"), i18n.T("Changed")}, []string{"INTEGER", "", "BIGINT", "BIGINT", "BIGINT"}, rows)
}

// stepSummary is a step in a few words: "impute amount (median)".
func stepSummary(s clean.Step) string {
	parts := []string{i18n.T(s.Op)}
	if s.Column != "" {
		parts = append(parts, s.Column)
	}
	if len(s.Columns) > 0 {
		parts = append(parts, strings.Join(s.Columns, ", "))
	}
	if s.Into != "" {
		parts = append(parts, "→ "+s.Into)
	}
	if s.Method != "" {
		parts = append(parts, "("+i18n.T(s.Method)+")")
	}
	if s.Type != "" {
		parts = append(parts, i18n.T("as %s", castName(s.Type)))
	}
	return strings.Join(parts, " ")
}

// confirmApply asks before replacing the table, and for an optional name
// under which the recipe is saved for the next import.
func (v *cleanView) confirmApply() {
	name := &widget.Entry{PlaceHolder: i18n.T("optional: save the recipe under this name")}
	name.ExtendBaseWidget(name)
	msg := &widget.Label{Text: i18n.T("Apply %d steps to %q? The table's contents are replaced in one transaction; "+
		"if any step fails nothing changes.", len(v.steps), v.table), Wrapping: fyne.TextWrapWord}
	items := []*widget.FormItem{
		{Text: "", Widget: msg},
		{Text: i18n.T("Recipe name"), Widget: name},
	}
	d := dialog.NewForm(i18n.T("Apply cleaning recipe"), i18n.T("Apply"), i18n.T("Cancel"), items, func(ok bool) {
		if ok {
			v.apply(strings.TrimSpace(name.Text))
		}
	}, v.p.win)
	d.Resize(fyne.NewSize(520, 240))
	d.Show()
}

func (v *cleanView) apply(name string) {
	table, steps := v.table, slices.Clone(v.steps)
	var effects []clean.StepEffect
	v.p.run(i18n.T("Cleaning %s…", table), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Applying %d steps to %s", len(steps), table), -1)
		var err error
		effects, err = v.p.ws.ApplyClean(ctx, table, name, steps)
		return err
	}, func(err error) {
		if err != nil {
			v.p.showError(err)
			return
		}
		v.showEffects(effects)
		v.sample.clear()
		msg := i18n.T("Applied the recipe to %s.", table)
		if name != "" {
			msg += " " + i18n.T("Saved it as %q.", name)
		}
		v.status.SetText(msg)
		v.p.setStatus(msg)
		v.p.refreshTables("")
	})
}
