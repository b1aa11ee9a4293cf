package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/journey"
)

// A step card's fields: its id and title, the fields of its kind
// (journey_send.go for a send step) and where it goes next; Up, Down and
// Remove move it in the flow.

// nextInList is the link choice "" (in English; shown translated).
var nextInList = i18n.Mark("(the next step in the list)")

func (e *journeyEditor) stepPanel(i int) fyne.CanvasObject {
	s := &e.j.Steps[i]
	head := &widget.Label{Text: i18n.T("Step %d of %d: %s", i+1, len(e.j.Steps), kindLabel(stepKinds, s.Kind)), TextStyle: fyne.TextStyle{Bold: true}}
	up := &widget.Button{Text: i18n.T("Up"), Icon: theme.MoveUpIcon(), Importance: widget.LowImportance, OnTapped: func() { e.moveStep(i, -1) }}
	down := &widget.Button{Text: i18n.T("Down"), Icon: theme.MoveDownIcon(), Importance: widget.LowImportance, OnTapped: func() { e.moveStep(i, 1) }}
	remove := &widget.Button{Text: i18n.T("Remove"), Icon: theme.DeleteIcon(), Importance: widget.LowImportance, OnTapped: func() { e.removeStep(i) }}
	setEnabled(up, i > 0)
	setEnabled(down, i < len(e.j.Steps)-1)

	id := e.entry(s.ID, "", nil)
	id.OnChanged = func(v string) {
		v = strings.TrimSpace(v)
		// Links follow a renamed step, unless the new id is another's.
		if v != "" && e.j.Step(v) == nil {
			e.relink(s.ID, v)
		}
		s.ID = v
		e.changed()
	}
	title := e.entry(s.Title, i18n.T("optional, e.g. First reminder"), func(v string) { s.Title = v })
	rows := []fyne.CanvasObject{bold(i18n.T("Id")), id, bold(i18n.T("Title")), title}
	var below fyne.CanvasObject
	switch s.Kind {
	case journey.Wait:
		rows = append(rows, e.waitFields(s)...)
	case journey.Condition:
		rule := e.entry(s.Rule, i18n.T("e.g. vip = 'gold' AND orders >= 2"), func(v string) { s.Rule = v })
		rule.MultiLine, rule.Wrapping = true, fyne.TextWrapWord
		rule.SetMinRowsVisible(2)
		rows = append(rows, bold(i18n.T("If")), rule,
			bold(i18n.T("Yes: go to")), e.linkSelect(s, s.Yes, func(v string) { s.Yes = v }),
			bold(i18n.T("No: go to")), e.linkSelect(s, s.No, func(v string) { s.No = v }))
	case journey.Split:
		below = e.branchFields(s)
	case journey.Send:
		rows = append(rows, e.sendFields(s)...)
		below = e.variantFields(s)
	case journey.Update:
		rows = append(rows,
			bold(i18n.T("Field")), e.selectOf(e.customerColumns(), s.Field, i18n.T("Choose the field"), func(v string) { s.Field = v }),
			bold(i18n.T("Set to")), e.entry(s.Value, i18n.T("e.g. welcomed"), func(v string) { s.Value = v }),
			bold(i18n.T("Or give the tag")), e.entry(s.Tag, i18n.T("e.g. welcomed (rules read it as tags)"), func(v string) { s.Tag = v }))
	}
	switch s.Kind {
	case journey.Condition, journey.Split, journey.Exit:
	default:
		rows = append(rows, bold(i18n.T("Then go to")), e.linkSelect(s, s.Next, func(v string) { s.Next = v }))
	}
	body := []fyne.CanvasObject{head, newFlow(up, down, remove), container.New(layout.NewFormLayout(), rows...)}
	if below != nil {
		body = append(body, below)
	}
	if help := stepHelp(s.Kind); help != "" {
		body = append(body, &widget.Label{Text: help, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}})
	}
	return container.NewVBox(body...)
}

// stepHelp says in a sentence what a kind of step does.
func stepHelp(kind string) string {
	switch kind {
	case journey.Wait:
		return i18n.T("The customer waits this long, then, when a time of day or a weekday is given, until the next such moment (project time).")
	case journey.Condition:
		return i18n.T("The rule is checked against the customer table when the customer reaches the step, as rules on the Segments screen are.")
	case journey.Split:
		return i18n.T("Customers are split at random by share. The holdout branch is sent nothing, and the journey's conversion is compared with it.")
	case journey.Send:
		return i18n.T("Sent through the channel with its settings from the Plugins screen, within consent and the suppression list; each customer gets one variant.")
	case journey.Update:
		return i18n.T("Writes the value into the customer's row, or gives the customer a tag that rules can read (tags CONTAINS 'welcomed').")
	case journey.Exit:
		return i18n.T("Customers leave the journey here.")
	}
	return ""
}

// linkSelect chooses where a step goes: the next step in the list, or
// any other step by id.
func (e *journeyEditor) linkSelect(s *journey.Step, to string, set func(string)) *widget.Select {
	opts := []string{i18n.T(nextInList)}
	for _, o := range e.j.Steps {
		if o.ID != s.ID {
			opts = append(opts, o.ID)
		}
	}
	return e.selectOf(opts, orAuto(to, nextInList), "", func(v string) { set(fromAuto(v, nextInList)) })
}

func (e *journeyEditor) waitFields(s *journey.Step) []fyne.CanvasObject {
	key := func(f string) string { return s.ID + "/" + f }
	dur := e.entry(s.Duration, i18n.T("e.g. 3d, 12h, 1w2d or 90m"), nil)
	dur.OnChanged = func(v string) {
		v = strings.TrimSpace(v)
		var err error
		if _, ok := journey.ParseDuration(v); v != "" && !ok {
			err = i18n.Errorf("Step %q: the wait %q is not a duration such as 3d, 12h, 1w2d or 90m.", s.ID, v)
		}
		e.setBad(key("duration"), err)
		s.Duration = v
		e.changed()
	}
	days := []string{i18n.T(noWeekday)}
	for _, d := range weekdays {
		days = append(days, i18n.T(d.label))
	}
	current := i18n.T(noWeekday)
	if s.Weekday != "" {
		current = weekdayWords(s.Weekday)
	}
	weekday := e.selectOf(days, current, "", func(v string) {
		s.Weekday = ""
		for _, d := range weekdays {
			if i18n.T(d.label) == v {
				s.Weekday = d.value
			}
		}
	})
	return []fyne.CanvasObject{
		bold(i18n.T("Wait for")), dur,
		bold(i18n.T("Then until (HH:MM)")), e.clockEntry(key("time"), s.Time, i18n.T("optional, e.g. 09:00"), func(v string) { s.Time = v }),
		bold(i18n.T("On a")), weekday,
	}
}

// branchFields are a split's branches: name, share, where each goes and
// which one is the holdout.
func (e *journeyEditor) branchFields(s *journey.Step) fyne.CanvasObject {
	box := container.NewVBox(bold(i18n.T("Branches")))
	for b := range s.Branches {
		br := &s.Branches[b]
		name := e.entry(br.Name, "", func(v string) { br.Name = strings.TrimSpace(v) })
		shareText := strconv.FormatFloat(br.Percent, 'f', -1, 64)
		share := &widget.Entry{Text: shareText}
		share.ExtendBaseWidget(share)
		share.OnChanged = func(string) {
			v, err := num(share, i18n.Errorf("The share of branch %s", br.Name), 0, 100)
			e.setBad(fmt.Sprintf("%s/branch%d", s.ID, b), err)
			if err == nil {
				br.Percent = v
			}
			e.changed()
		}
		to := e.linkSelect(s, br.Next, func(v string) { br.Next = v })
		holdout := e.check(i18n.T("Holdout"), br.Holdout, func(on bool) {
			for k := range s.Branches {
				s.Branches[k].Holdout = false
			}
			br.Holdout = on
			e.showPanel()
		})
		remove := &widget.Button{Icon: theme.DeleteIcon(), Importance: widget.LowImportance, OnTapped: func() {
			s.Branches = slices.Delete(s.Branches, b, b+1)
			e.rebuild()
		}}
		setEnabled(remove, len(s.Branches) > 2)
		row := container.NewBorder(nil, nil, container.NewHBox(fixedWidth(110, name), fixedWidth(70, share), widget.NewLabel("% →")),
			container.NewHBox(holdout, remove), to)
		box.Add(row)
	}
	add := &widget.Button{Text: i18n.T("Add branch"), Icon: theme.ContentAddIcon(), Importance: widget.LowImportance, OnTapped: func() {
		n := len(s.Branches) + 1
		name := string(rune('A' + len(s.Branches)))
		for branch(s, name) != nil {
			n++
			name = fmt.Sprintf("B%d", n)
		}
		s.Branches = append(s.Branches, journey.Branch{Name: name})
		splitBranches(s)
		e.rebuild()
	}}
	equal := &widget.Button{Text: i18n.T("Split equally"), Importance: widget.LowImportance, OnTapped: func() {
		splitBranches(s)
		e.rebuild()
	}}
	box.Add(newFlow(add, equal))
	return box
}

// splitBranches gives every branch the same share; the last takes the
// rounding, so they add up to exactly 100.
func splitBranches(s *journey.Step) {
	n := len(s.Branches)
	if n == 0 {
		return
	}
	each := float64(int(10000/float64(n))) / 100
	for i := range s.Branches {
		s.Branches[i].Percent = each
	}
	s.Branches[n-1].Percent = float64(int((100-each*float64(n-1))*100+0.5)) / 100
}

// customerColumns are the columns of the journey's customer table.
func (e *journeyEditor) customerColumns() []string {
	table := e.j.Table
	if table == "" {
		table = e.defaultTable
	}
	var out []string
	for _, t := range e.p.tables {
		if strings.EqualFold(t.Name, table) {
			for _, c := range t.Columns {
				out = append(out, c.Name)
			}
		}
	}
	return out
}
