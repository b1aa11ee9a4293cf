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
	fields []string
	kinds  map[string]rule.Kind
	root   *rule.Node

	tableSel *widget.Select
	tree     *fyne.Container
	text     *widget.Entry
	textErr  *widget.Label
	count    *widget.Label
	name     *widget.Entry
	saveBtn  *widget.Button
	counter  debounce
	fieldReq latest
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
	e.count = &widget.Label{Text: i18n.T("Choose a table to start."), TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText}
	e.name = &widget.Entry{PlaceHolder: i18n.T("Segment name, e.g. French big spenders")}
	e.name.ExtendBaseWidget(e.name)
	e.name.OnSubmitted = func(string) { e.save() }
	e.saveBtn = &widget.Button{Text: i18n.T("Save segment"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: e.save}

	top := container.NewVBox(
		container.NewHBox(widget.NewLabel(i18n.T("Customers from")), container.NewGridWrap(fyne.NewSize(220, e.tableSel.MinSize().Height), e.tableSel)),
		e.count,
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
	ctx := e.fieldReq.start(e.p.ctx)
	type fields struct {
		names []string
		kinds map[string]rule.Kind
	}
	async(e.p, ctx, func(ctx context.Context) (fields, error) {
		n, k, err := e.p.ws.RuleFields(ctx, t)
		return fields{n, k}, err
	}, func(f fields, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			e.p.showError(err)
			return
		}
		e.fields, e.kinds = f.names, f.kinds
		e.rebuild()
		e.changed()
	})
}

// load puts a saved segment into the editor.
func (e *ruleEditor) load(name, table string, n *rule.Node) {
	e.name.SetText(name)
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

// changed runs after any edit: the text mirrors the tree and the count is
// scheduled.
func (e *ruleEditor) changed() {
	e.text.SetText(e.root.String())
	e.textErr.Hide()
	if e.table == "" || e.fields == nil {
		return
	}
	if len(e.root.Children) == 0 {
		e.counter.req.stop()
		e.count.SetText(i18n.T("Add a condition to see how many customers match."))
		return
	}
	if err := e.root.Validate(); err != nil {
		e.counter.req.stop()
		e.count.SetText(i18n.T("Finish the rule: %s", i18n.Error(err)))
		return
	}
	e.count.SetText(i18n.T("Counting…"))
	table, n := e.table, cloneNode(e.root) // the tree keeps changing on the UI goroutine
	e.counter.call(e.p, func(ctx context.Context) {
		c, err := e.p.ws.CountNode(ctx, table, n)
		do(func() {
			if ctx.Err() != nil {
				return // a newer edit is being counted
			}
			if err != nil {
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

// newCondition starts a condition on the first field.
func (e *ruleEditor) newCondition() *rule.Node {
	n := &rule.Node{Op: rule.Eq, Values: []string{""}}
	if len(e.fields) > 0 {
		n.Column = e.fields[0]
		n.Op = opsFor(e.kinds[n.Column])[0]
		n.Values = make([]string, max(arity(n.Op), 1))
		if arity(n.Op) == 0 {
			n.Values = nil
		}
	}
	return n
}

// conditionRow is field, operator, value(s), not and remove.
func (e *ruleEditor) conditionRow(n, parent *rule.Node) fyne.CanvasObject {
	kind := e.kinds[n.Column]
	field := widget.NewSelect(e.fields, nil)
	field.Selected = n.Column
	if n.Column != "" && !slices.Contains(e.fields, n.Column) {
		field.PlaceHolder = i18n.T("%s (not in this table)", n.Column)
		field.Selected = ""
	}
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

	field.OnChanged = func(s string) {
		n.Column = s
		if !slices.Contains(opsFor(e.kinds[s]), n.Op) {
			n.Op = opsFor(e.kinds[s])[0]
		}
		n.Values = fitValues(n.Values, n.Op)
		e.rebuild()
		e.changed()
	}
	op.OnChanged = func(s string) {
		n.Op = rule.Op(s)
		if i := slices.Index(opNames, s); i >= 0 {
			n.Op = ops[i]
		}
		n.Values = fitValues(n.Values, n.Op)
		e.rebuild()
		e.changed()
	}
	not := widget.NewCheck(i18n.T("not"), func(b bool) {
		n.Not = b
		e.changed()
	})
	not.Checked = n.Not

	values := e.valueWidgets(n, kind)
	row := container.NewHBox(
		container.NewGridWrap(fyne.NewSize(200, field.MinSize().Height), field),
		container.NewGridWrap(fyne.NewSize(160, op.MinSize().Height), op),
	)
	for _, v := range values {
		row.Add(v)
	}
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
		return container.NewGridWrap(fyne.NewSize(170, en.MinSize().Height), en)
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
		return []fyne.CanvasObject{container.NewGridWrap(fyne.NewSize(260, en.MinSize().Height), en)}
	}
	if n.Op == rule.WithinDays {
		hint = i18n.T("days")
	}
	return []fyne.CanvasObject{entry(0, hint)}
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
