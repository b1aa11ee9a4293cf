package ui

import (
	"context"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

func opsFor(k rule.Kind) []rule.Op { return rule.OpsFor(k) }

func arity(op rule.Op) int { return rule.Arity(op) }

// The group logic as the editor offers it (shown through i18n.T).
var (
	logicAll = i18n.Mark("all of these (AND)")
	logicAny = i18n.Mark("any of these (OR)")
)

// opLabel is an operator as the editor shows it. The operators are the
// rule language's own words ("starts with"), which the text box keeps in
// English; the select shows them through i18n.T, whose catalogue keys are
// those words.
func opLabel(op rule.Op) string { return i18n.T(string(op)) }

// countDelay is how long typing must pause before the live count runs.
const countDelay = 300 * time.Millisecond

// ruleEditor builds a segment rule as a tree of AND/OR groups, mirrored in
// a text box that can also be edited, with a live count of the customers
// the rule selects.
type ruleEditor struct {
	p      *project
	onSave func(*segment.Segment)

	table  string
	fields []core.RuleField
	values map[string]*valueList // by field name, for the table in use
	root   *rule.Node
	// counted is the rule text last counted, so that adding or editing a
	// condition that is not finished does not count again.
	counted string
	// menu is the field or value menu shown last (tests pick from it).
	menu *fyne.Menu

	tableSel *widget.Select
	tree     *fyne.Container
	text     *widget.Entry
	textErr  *widget.Label
	count    *widget.Label
	pending  *widget.Label
	name     *widget.Entry
	saveBtn  *widget.Button
	counter  debounce
	fieldReq latest
	words    *describeBar // a rule from words (rules_words.go)
	content  fyne.CanvasObject
}

func newRuleEditor(p *project, onSave func(*segment.Segment)) *ruleEditor {
	e := &ruleEditor{p: p, onSave: onSave, root: &rule.Node{Logic: rule.And}, counter: debounce{delay: countDelay}}
	e.tableSel = widget.NewSelect(nil, func(t string) { e.setTable(t) })
	e.tableSel.PlaceHolder = i18n.T("Choose a table")
	e.tree = container.NewVBox()
	e.text = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Monospace: true},
		PlaceHolder: i18n.T("The rule as text, e.g.  %s", "country = 'France' AND (monetary > 500 OR frequency >= 3)")}
	e.text.SetMinRowsVisible(3)
	e.text.ExtendBaseWidget(e.text)
	e.textErr = &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	e.textErr.Hide()
	useText := &widget.Button{Text: i18n.T("Use text"), Icon: theme.ConfirmIcon(), OnTapped: e.parseText}
	e.count = &widget.Label{Text: i18n.T("Choose a table to start."), TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText,
		Wrapping: fyne.TextWrapWord} // an error here can list every column
	// pending stays in place (empty when all is finished), beside the
	// count, so that showing it never shifts the tree under the pointer.
	e.pending = &widget.Label{Importance: widget.WarningImportance, Truncation: fyne.TextTruncateEllipsis}
	e.name = &widget.Entry{PlaceHolder: i18n.T("Segment name, e.g. French big spenders")}
	e.name.ExtendBaseWidget(e.name)
	e.name.OnSubmitted = func(string) { e.save() }
	e.saveBtn = &widget.Button{Text: i18n.T("Save segment"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: e.save}
	e.words = newDescribeBar(e)

	top := container.NewVBox(
		container.NewHBox(widget.NewLabel(i18n.T("Customers from")), container.NewGridWrap(fyne.NewSize(220, e.tableSel.MinSize().Height), e.tableSel)),
		container.NewBorder(nil, nil, nil, e.pending, e.count), // the count wraps in the width left
		e.words.box,
	)
	textBox := container.NewVBox(
		widget.NewSeparator(),
		container.NewBorder(nil, nil, &widget.Label{Text: i18n.T("As text"), TextStyle: fyne.TextStyle{Bold: true}}, useText),
		e.text, e.textErr,
		container.NewBorder(nil, nil, nil, e.saveBtn, e.name),
	)
	e.content = container.NewBorder(top, textBox, nil, nil, container.NewVScroll(container.NewPadded(e.tree)))
	e.rebuild()
	return e
}

// setTables offers every table as a rule base, preferring customers.
func (e *ruleEditor) setTables(ts []storage.Table) {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	e.tableSel.Options = names
	e.tableSel.Refresh()
	if e.tableSel.Selected == "" || !slices.Contains(names, e.tableSel.Selected) {
		switch {
		case slices.Contains(names, "customers"):
			e.tableSel.SetSelected("customers")
		case len(names) > 0:
			e.tableSel.SetSelected(names[0])
		}
	}
}

// setTable loads the fields a rule on the table can use; the tree is
// kept, so switching tables shows which conditions no longer fit.
func (e *ruleEditor) setTable(t string) {
	if t == "" || t == e.table {
		return
	}
	e.table = t
	e.values = map[string]*valueList{}
	e.counted = ""
	ctx := e.fieldReq.start(e.p.ctx)
	async(e.p, ctx, func(ctx context.Context) ([]core.RuleField, error) {
		return e.p.ws.RuleFieldList(ctx, t)
	}, func(fs []core.RuleField, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			e.p.showError(err)
			return
		}
		e.fields = fs
		e.rebuild()
		e.changed()
	})
}

// load puts a saved segment into the editor.
func (e *ruleEditor) load(name, table string, n *rule.Node) {
	e.name.SetText(name)
	e.counted = ""
	e.setRoot(n)
	e.tableSel.SetSelected(table)
	e.rebuild()
	e.changed()
}

// setRoot keeps the root a group, so "add condition" always has a place.
func (e *ruleEditor) setRoot(n *rule.Node) {
	if n == nil {
		n = &rule.Node{Logic: rule.And}
	}
	n = cloneNode(n)
	if !n.IsGroup() {
		n = &rule.Node{Logic: rule.And, Children: []*rule.Node{n}}
	}
	e.root = n
}

// parseText replaces the tree with the text box's rule.
func (e *ruleEditor) parseText() {
	txt := strings.TrimSpace(e.text.Text)
	if txt == "" {
		e.setRoot(nil)
	} else {
		n, err := rule.Parse(txt)
		if err != nil {
			e.textErr.SetText(i18n.Error(err))
			e.textErr.Show()
			return
		}
		e.setRoot(n)
	}
	e.textErr.Hide()
	e.rebuild()
	e.changed()
}

// changed runs after any edit: the text mirrors the finished part of the
// tree and the count is scheduled. Conditions still missing a field or a
// value are left out of both until they are finished, so adding one does
// not change the count.
func (e *ruleEditor) changed() {
	done, unfinished := finished(e.root)
	txt := ""
	if done != nil {
		txt = done.String()
	}
	e.text.SetText(txt)
	e.textErr.Hide()
	if unfinished > 0 {
		e.pending.SetText(i18n.T("%d unfinished condition(s) not counted yet: choose a field and a value.", unfinished))
	} else {
		e.pending.SetText("")
	}
	if e.table == "" || e.fields == nil {
		return
	}
	if done == nil {
		e.counter.req.stop()
		e.counted = ""
		e.count.SetText(i18n.T("Add a condition to see how many customers match."))
		return
	}
	if err := done.Validate(); err != nil {
		e.counter.req.stop()
		e.counted = ""
		e.count.SetText(i18n.T("Finish the rule: %s", i18n.Error(err)))
		return
	}
	if txt == e.counted {
		return // the count shown (or being made) is still right
	}
	e.counted = txt
	e.count.SetText(i18n.T("Counting…"))
	table, n := e.table, done // done is a copy: the tree keeps changing on the UI goroutine
	e.counter.call(e.p, func(ctx context.Context) {
		c, err := e.p.ws.CountNode(ctx, table, n)
		do(func() {
			if ctx.Err() != nil {
				return // a newer edit is being counted
			}
			if err != nil {
				e.counted = "" // counting again may work after the next edit
				e.count.SetText(i18n.T("Cannot count yet: %s", i18n.Error(err)))
				return
			}
			e.count.SetText(i18n.T("%s customers match", i18n.Number(float64(c))))
		})
	})
}

// rebuild lays out the tree again after a structural change.
func (e *ruleEditor) rebuild() {
	e.tree.Objects = []fyne.CanvasObject{e.groupBox(e.root, nil)}
	e.tree.Refresh()
}

// groupBox draws a group: its logic, NOT, add buttons, and its children
// indented inside a frame, so nesting is visible at a glance.
func (e *ruleEditor) groupBox(g *rule.Node, parent *rule.Node) fyne.CanvasObject {
	logic := widget.NewSelect([]string{i18n.T(logicAll), i18n.T(logicAny)}, nil)
	if g.Logic == rule.Or {
		logic.Selected = i18n.T(logicAny)
	} else {
		logic.Selected = i18n.T(logicAll)
	}
	logic.OnChanged = func(s string) {
		g.Logic = rule.And
		if s == i18n.T(logicAny) {
			g.Logic = rule.Or
		}
		e.changed()
	}
	not := widget.NewCheck(i18n.T("not"), func(b bool) {
		g.Not = b
		e.changed()
	})
	not.Checked = g.Not
	addCond := &widget.Button{Text: i18n.T("Add condition"), Icon: theme.ContentAddIcon(), OnTapped: func() {
		g.Children = append(g.Children, e.newCondition())
		e.rebuild()
		e.changed()
	}}
	addGroup := &widget.Button{Text: i18n.T("Add group"), Icon: theme.ContentAddIcon(), Importance: widget.LowImportance, OnTapped: func() {
		g.Children = append(g.Children, &rule.Node{Logic: rule.Or, Children: []*rule.Node{e.newCondition()}})
		e.rebuild()
		e.changed()
	}}
	head := container.NewHBox(widget.NewLabel(i18n.T("Match")), container.NewGridWrap(fyne.NewSize(210, logic.MinSize().Height), logic), not, addCond, addGroup)
	if parent != nil {
		head.Add(layout.NewSpacer())
		head.Add(e.removeButton(parent, g, i18n.T("Remove group")))
	}
	rows := container.NewVBox()
	for _, c := range g.Children {
		if c.IsGroup() {
			rows.Add(e.groupBox(c, g))
		} else {
			rows.Add(e.conditionRow(c, g))
		}
	}
	if len(g.Children) == 0 {
		rows.Add(&widget.Label{Text: i18n.T("No conditions yet."), TextStyle: fyne.TextStyle{Italic: true}})
	}
	indent := canvas.NewRectangle(color.Transparent)
	indent.SetMinSize(fyne.NewSize(theme.Padding()*6, 0))
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	frame.StrokeWidth = 1
	frame.CornerRadius = theme.InputRadiusSize()
	body := container.NewVBox(head, container.NewBorder(nil, nil, indent, nil, rows))
	return container.NewStack(frame, container.NewPadded(body))
}

func (e *ruleEditor) removeButton(parent, n *rule.Node, label string) *widget.Button {
	return &widget.Button{Icon: theme.DeleteIcon(), Text: label, Importance: widget.LowImportance, OnTapped: func() {
		parent.Children = slices.DeleteFunc(parent.Children, func(c *rule.Node) bool { return c == n })
		e.rebuild()
		e.changed()
	}}
}

// newCondition starts a condition with no field: it is not counted until a
// field and its value are chosen.
func (e *ruleEditor) newCondition() *rule.Node { return &rule.Node{} }

// field finds a field of the table by name, case-insensitively as rules do.
func (e *ruleEditor) field(name string) (core.RuleField, bool) {
	i := slices.IndexFunc(e.fields, func(f core.RuleField) bool { return strings.EqualFold(f.Name, name) })
	if i < 0 {
		return core.RuleField{}, false
	}
	return e.fields[i], true
}

// unfinished reports whether a condition still lacks a field, an operator
// or a value.
func unfinished(n *rule.Node) bool {
	if n.Column == "" || n.Op == "" || arity(n.Op) < 0 && len(n.Values) == 0 {
		return true
	}
	return slices.ContainsFunc(n.Values, func(v string) bool { return strings.TrimSpace(v) == "" })
}

// finished copies a tree without its unfinished conditions and the groups
// left empty, and says how many conditions it left out; nil when nothing
// is finished.
func finished(n *rule.Node) (*rule.Node, int) {
	if !n.IsGroup() {
		if unfinished(n) {
			return nil, 1
		}
		return cloneNode(n), 0
	}
	g, left := &rule.Node{Logic: n.Logic, Not: n.Not}, 0
	for _, c := range n.Children {
		d, k := finished(c)
		left += k
		if d != nil {
			g.Children = append(g.Children, d)
		}
	}
	if len(g.Children) == 0 {
		return nil, left
	}
	return g, left
}

// dropDown is a button that opens a menu under itself.
func (e *ruleEditor) dropDown(text string, menu func() *fyne.Menu) *widget.Button {
	b := &widget.Button{Text: text, Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, Alignment: widget.ButtonAlignLeading}
	b.OnTapped = func() { e.showMenu(b, menu()) }
	return b
}

func (e *ruleEditor) showMenu(at fyne.CanvasObject, m *fyne.Menu) {
	e.menu = m
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(at).Add(fyne.NewPos(0, at.Size().Height))
	widget.ShowPopUpMenuAtPosition(m, e.p.win.Canvas(), pos)
}

// conditionRow is field, operator, value(s), exact case, not and remove.
func (e *ruleEditor) conditionRow(n, parent *rule.Node) fyne.CanvasObject {
	f, known := e.field(n.Column)
	label := i18n.T("Choose a field")
	switch {
	case known:
		label = fieldLabel(f)
	case n.Column != "":
		label = i18n.T("%s (not in this table)", n.Column)
	}
	field := e.dropDown(elide(label, 26), func() *fyne.Menu {
		return fieldMenu(e.table, e.fields, func(name string) {
			n.Column = name
			f, _ := e.field(name)
			if !slices.Contains(opsFor(f.Kind), n.Op) {
				n.Op = opsFor(f.Kind)[0]
			}
			n.Values = fitValues(n.Values, n.Op)
			if !rule.CaseMatters(n.Op) || f.Kind != rule.Text {
				n.Exact = false
			}
			e.rebuild()
			e.changed()
		})
	})
	row := container.NewHBox(container.NewGridWrap(fyne.NewSize(230, field.MinSize().Height), field))
	if n.Column == "" {
		row.Add(&widget.Label{Text: i18n.T("Choose the field this condition tests."), TextStyle: fyne.TextStyle{Italic: true}})
		row.Add(e.removeButton(parent, n, ""))
		return row
	}

	kind := f.Kind
	ops := slices.Clone(opsFor(kind))
	if !slices.Contains(ops, n.Op) && n.Op != "" {
		ops = append(ops, n.Op) // parsed text may use a rarer operator
	}
	var opNames []string
	for _, o := range ops {
		opNames = append(opNames, opLabel(o))
	}
	op := widget.NewSelect(opNames, nil)
	if n.Op != "" {
		op.Selected = opLabel(n.Op)
	}
	op.OnChanged = func(s string) {
		n.Op = rule.Op(s)
		if i := slices.Index(opNames, s); i >= 0 {
			n.Op = ops[i]
		}
		n.Values = fitValues(n.Values, n.Op)
		if !rule.CaseMatters(n.Op) {
			n.Exact = false
		}
		e.rebuild()
		e.changed()
	}
	row.Add(container.NewGridWrap(fyne.NewSize(160, op.MinSize().Height), op))
	for _, v := range e.valueWidgets(n, kind) {
		row.Add(v)
	}
	if kind == rule.Text && rule.CaseMatters(n.Op) {
		exact := widget.NewCheck(i18n.T("exact case"), func(b bool) {
			n.Exact = b
			e.changed()
		})
		exact.Checked = n.Exact
		row.Add(exact)
	}
	not := widget.NewCheck(i18n.T("not"), func(b bool) {
		n.Not = b
		e.changed()
	})
	not.Checked = n.Not
	row.Add(not)
	row.Add(e.removeButton(parent, n, ""))
	return row
}

// valueWidgets builds the inputs an operator needs; they edit n.Values in
// place and do not rebuild, so the entry keeps the keyboard focus.
func (e *ruleEditor) valueWidgets(n *rule.Node, kind rule.Kind) []fyne.CanvasObject {
	entry := func(i int, hint string) fyne.CanvasObject {
		if kind == rule.Bool && arity(n.Op) == 1 {
			// The values stay the rule language's true and false.
			sel := translatedSelect([]string{"true", "false"}, n.Values[i], func(s string) {
				n.Values[i] = s
				e.changed()
			})
			return container.NewGridWrap(fyne.NewSize(120, sel.MinSize().Height), sel)
		}
		en := &widget.Entry{Text: n.Values[i], PlaceHolder: hint}
		en.ExtendBaseWidget(en)
		en.OnChanged = func(s string) {
			n.Values[i] = s
			e.changed()
		}
		box := container.NewGridWrap(fyne.NewSize(170, en.MinSize().Height), en)
		if kind == rule.Date || n.Op == rule.WithinDays || arity(n.Op) != 1 {
			return box
		}
		return container.NewHBox(box, e.valuesButton(n.Column, func(v string) { en.SetText(v) }))
	}
	hint := i18n.T("value")
	switch kind {
	case rule.Number:
		hint = i18n.T("number")
	case rule.Date:
		hint = "YYYY-MM-DD"
	}
	switch arity(n.Op) {
	case 0:
		return nil
	case 2:
		return []fyne.CanvasObject{entry(0, hint), widget.NewLabel(i18n.T("and")), entry(1, hint)}
	case -1:
		en := &widget.Entry{Text: strings.Join(n.Values, ", "), PlaceHolder: i18n.T("values, separated by commas")}
		en.ExtendBaseWidget(en)
		en.OnChanged = func(s string) {
			n.Values = nil
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					n.Values = append(n.Values, part)
				}
			}
			e.changed()
		}
		box := container.NewGridWrap(fyne.NewSize(260, en.MinSize().Height), en)
		if kind == rule.Date {
			return []fyne.CanvasObject{box}
		}
		// Picking a value adds it to the list.
		add := func(v string) {
			if !slices.Contains(n.Values, v) {
				en.SetText(strings.Join(append(slices.Clone(n.Values), v), ", "))
			}
		}
		return []fyne.CanvasObject{box, e.valuesButton(n.Column, add)}
	}
	if n.Op == rule.WithinDays {
		hint = i18n.T("days")
	}
	return []fyne.CanvasObject{entry(0, hint)}
}

// valueLimit is how many of a field's values the value list offers.
const valueLimit = 25

// valueList is a field's most common values, loaded once per table.
type valueList struct {
	vals     []segment.ValueCount
	distinct int64
	err      error
}

// valuesButton opens the field's most common values with how many
// customers have each; pick receives the one chosen. Typed values work
// as well.
func (e *ruleEditor) valuesButton(column string, pick func(string)) *widget.Button {
	b := &widget.Button{Icon: theme.MenuDropDownIcon(), Importance: widget.LowImportance}
	show := func(l *valueList) {
		var items []*fyne.MenuItem
		switch {
		case l.err != nil:
			items = append(items, &fyne.MenuItem{Label: i18n.T("Cannot list the values: %s", i18n.Error(l.err)), Disabled: true})
		case len(l.vals) == 0:
			items = append(items, &fyne.MenuItem{Label: i18n.T("No values yet"), Disabled: true})
		default:
			head := i18n.T("Most common values (customers)")
			if l.distinct > int64(len(l.vals)) {
				head = i18n.T("Top %d of %s values (customers)", len(l.vals), i18n.Number(float64(l.distinct)))
			}
			items = append(items, &fyne.MenuItem{Label: head, Disabled: true})
			for _, vc := range l.vals {
				v := vc.Value
				items = append(items, fyne.NewMenuItem(i18n.T("%s — %s", v, i18n.Number(float64(vc.Customers))), func() { pick(v) }))
			}
		}
		e.showMenu(b, fyne.NewMenu("", items...))
	}
	b.OnTapped = func() {
		if l, ok := e.values[strings.ToLower(column)]; ok {
			show(l)
			return
		}
		table := e.table
		async(e.p, e.p.ctx, func(ctx context.Context) (*valueList, error) {
			vals, distinct, err := e.p.ws.RuleValues(ctx, table, column, valueLimit)
			return &valueList{vals, distinct, err}, nil
		}, func(l *valueList, _ error) {
			if e.table != table {
				return // the table changed meanwhile
			}
			if l.err == nil {
				e.values[strings.ToLower(column)] = l
			}
			show(l)
		})
	}
	return b
}

// fitValues resizes a value list to what an operator takes, keeping what
// the user already typed.
func fitValues(vals []string, op rule.Op) []string {
	want := arity(op)
	switch {
	case want < 0:
		return vals
	case len(vals) >= want:
		return vals[:want]
	}
	return append(vals, make([]string, want-len(vals))...)
}

// save stores the rule as a named segment and evaluates it.
func (e *ruleEditor) save() {
	name := strings.TrimSpace(e.name.Text)
	if name == "" {
		e.count.SetText(i18n.T("Give the segment a name before saving."))
		e.p.win.Canvas().Focus(e.name)
		return
	}
	if _, left := finished(e.root); left > 0 {
		e.p.showError(i18n.Errorf("the rule is not finished: choose a field and a value for the conditions that have no field or value yet, or remove them"))
		return
	}
	if err := e.root.Validate(); err != nil {
		e.p.showError(i18n.Errorf("the rule is not finished: %w", err))
		return
	}
	table, n := e.table, cloneNode(e.root)
	e.saveBtn.Disable()
	// Evaluating runs over the whole table: show progress with Cancel.
	var sg *segment.Segment
	e.p.run(i18n.T("Saving segment %s…", name), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Finding the customers that match"), -1)
		var err error
		sg, err = e.p.ws.SaveSegment(ctx, name, table, n)
		return err
	}, func(err error) {
		e.saveBtn.Enable()
		if err != nil {
			e.p.showError(err)
			return
		}
		e.count.SetText(i18n.T("Saved %q: %s customers", sg.Name, i18n.Number(float64(sg.Size))))
		if e.onSave != nil {
			e.onSave(sg)
		}
	})
}

// cloneNode copies a rule tree, so a goroutine can read it while the
// editor changes the original.
func cloneNode(n *rule.Node) *rule.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Values = slices.Clone(n.Values)
	c.Children = make([]*rule.Node, len(n.Children))
	for i, ch := range n.Children {
		c.Children[i] = cloneNode(ch)
	}
	if n.Children == nil {
		c.Children = nil
	}
	return &c
}
