package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/journey"
)

// The journey card's fields: name, customer table, who enters and when
// (the fields each trigger kind needs), re-entry, the daily limit and the
// goal. Every field writes into the journey as it is typed.

// Re-entry choices (in English; shown translated).
var reentryChoices = []struct{ policy, label string }{
	{journey.Once, i18n.Mark("Once per customer, ever")},
	{journey.After, i18n.Mark("Again after some days")},
	{journey.Every, i18n.Mark("Every time (unless still in it)")},
}

// The automatic choices of table selects (in English; shown translated).
var (
	orderTableAuto = i18n.Mark("(automatic: the order table)")
	everyone       = i18n.Mark("(everyone in the customer table)")
	noWeekday      = i18n.Mark("(any day)")
)

func (e *journeyEditor) journeyPanel() fyne.CanvasObject {
	j := e.j
	head := &widget.Label{Text: i18n.T("Who enters, and when"), TextStyle: fyne.TextStyle{Bold: true}}
	name := e.entry(j.Name, i18n.T("e.g. Welcome series"), func(v string) { j.Name = v })
	table := e.selectOf(append([]string{i18n.T(tableAuto)}, e.p.tableNames()...), orAuto(j.Table, tableAuto), "", func(v string) {
		j.Table = fromAuto(v, tableAuto)
	})
	kind := e.selectOf(choiceLabels(triggerKinds), kindLabel(triggerKinds, j.Trigger.Kind), i18n.T("Choose what starts it"), func(v string) {
		j.Trigger = journey.Trigger{Kind: kindOf(triggerKinds, v)}
		for k := range e.bad {
			if strings.HasPrefix(k, "trigger.") {
				delete(e.bad, k)
			}
		}
		e.showPanel()
	})
	rows := []fyne.CanvasObject{
		bold(i18n.T("Name")), name,
		bold(i18n.T("Customer table")), table,
		bold(i18n.T("Starts when")), kind,
	}
	rows = append(rows, e.triggerFields()...)
	rows = append(rows, e.limitFields()...)
	form := container.New(layout.NewFormLayout(), rows...)
	help := &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
		Text: i18n.T("Select a step on the left to change it; Add a step puts the new one after the selected card. " +
			"Every step goes on to the one below it unless it says otherwise. Customers without consent or on the suppression list are never sent anything.")}
	if e.choiceNote != "" {
		help.Text += " " + e.choiceNote
	}
	return container.NewVBox(head, form, help)
}

func bold(s string) *widget.Label {
	return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}}
}

// orAuto is a select's choice for a value that may be empty (automatic).
func orAuto(v, auto string) string {
	if v == "" {
		return i18n.T(auto)
	}
	return v
}

func fromAuto(v, auto string) string {
	if v == i18n.T(auto) {
		return ""
	}
	return v
}

// triggerFields are the fields of the chosen trigger kind, as form rows.
func (e *journeyEditor) triggerFields() []fyne.CanvasObject {
	t := &e.j.Trigger
	segment := func(opts []string, placeholder string) *widget.Select {
		return e.selectOf(opts, t.Segment, placeholder, func(v string) { t.Segment = fromAuto(v, everyone) })
	}
	rule := func(placeholder string) *widget.Entry {
		return e.entry(t.Rule, placeholder, func(v string) { t.Rule = v })
	}
	at := e.clockEntry("trigger.at", t.At, i18n.T("09:00"), func(v string) { t.At = v })
	days := func(what string) *widget.Entry {
		return e.intEntry("trigger.days", t.Days, "", field(what), 0, 36500, func(n int) { t.Days = n })
	}
	switch t.Kind {
	case journey.SegmentEnter:
		return []fyne.CanvasObject{
			bold(i18n.T("Segment")), segment(e.segments, i18n.T("Choose the segment")),
			layout.NewSpacer(), e.check(i18n.T("Members at the start enter too"), t.IncludeExisting, func(on bool) { t.IncludeExisting = on }),
		}
	case journey.SegmentLeave:
		return []fyne.CanvasObject{bold(i18n.T("Segment")), segment(e.segments, i18n.T("Choose the segment"))}
	case journey.NewRow:
		return []fyne.CanvasObject{
			bold(i18n.T("Table")), e.selectOf(e.p.tableNames(), t.Table, i18n.T("Choose the table"), func(v string) { t.Table = v }),
			layout.NewSpacer(), e.check(i18n.T("First row per customer only"), t.FirstOnly, func(on bool) { t.FirstOnly = on }),
			bold(i18n.T("Only rows where")), rule(i18n.T("optional, e.g. amount > 50")),
		}
	case journey.DateColumn:
		table := e.selectOf(append([]string{i18n.T(tableAuto)}, e.p.tableNames()...), orAuto(t.Table, tableAuto), "", func(v string) {
			t.Table, t.Column = fromAuto(v, tableAuto), ""
			e.showPanel()
		})
		col := e.selectOf(e.dateColumns(t.Table), t.Column, i18n.T("Choose the date column"), func(v string) { t.Column = v })
		return []fyne.CanvasObject{
			bold(i18n.T("Table")), table,
			bold(i18n.T("Date column")), col,
			layout.NewSpacer(), e.check(i18n.T("Every year (a birthday)"), t.Yearly, func(on bool) { t.Yearly = on }),
			bold(i18n.T("Days after the date")), days(i18n.Mark("The days after the date")),
			bold(i18n.T("At (HH:MM)")), at,
			bold(i18n.T("Only rows where")), rule(i18n.T("optional, e.g. email_consent = true")),
		}
	case journey.AfterLastOrder:
		return []fyne.CanvasObject{
			bold(i18n.T("Days since last order")), days(i18n.Mark("The days after the last order")),
			bold(i18n.T("At (HH:MM)")), at,
		}
	case journey.Schedule:
		cron := e.entry(t.Cron, i18n.T("e.g. 0 9 * * MON (Mondays at 09:00)"), func(v string) { t.Cron = v })
		once := e.entry(t.Once, i18n.T("or once: YYYY-MM-DD HH:MM"), func(v string) { t.Once = v })
		who := segment(append([]string{i18n.T(everyone)}, e.segments...), "")
		who.Selected = orAuto(t.Segment, everyone)
		return []fyne.CanvasObject{
			bold(i18n.T("Repeat (cron)")), cron,
			bold(i18n.T("Or once at")), once,
			bold(i18n.T("Who")), who,
		}
	}
	return nil
}

// dateColumns are the columns of table ("" for the customer table) a date
// trigger can read.
func (e *journeyEditor) dateColumns(table string) []string {
	if table == "" {
		table = e.j.Table
	}
	if table == "" {
		table = e.defaultTable
	}
	var out []string
	for _, t := range e.p.tables {
		if !strings.EqualFold(t.Name, table) {
			continue
		}
		for _, c := range t.Columns {
			if c.IsTemporal() || strings.Contains(strings.ToUpper(c.Type), "VARCHAR") {
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// limitFields are re-entry, the daily limit and the goal, as form rows.
func (e *journeyEditor) limitFields() []fyne.CanvasObject {
	j := e.j
	var labels []string
	current := i18n.T(reentryChoices[0].label)
	for _, c := range reentryChoices {
		labels = append(labels, i18n.T(c.label))
		if c.policy == j.Reentry.Policy {
			current = i18n.T(c.label)
		}
	}
	reentry := e.selectOf(labels, current, "", func(v string) {
		for _, c := range reentryChoices {
			if i18n.T(c.label) == v {
				j.Reentry.Policy = c.policy
			}
		}
		if j.Reentry.Policy != journey.After {
			j.Reentry.Days = 0
			delete(e.bad, "reentry.days")
		}
		e.showPanel()
	})
	rows := []fyne.CanvasObject{bold(i18n.T("Re-entry")), reentry}
	if j.Reentry.Policy == journey.After {
		rows = append(rows, bold(i18n.T("Days between entries")),
			e.intEntry("reentry.days", j.Reentry.Days, "", field(i18n.Mark("The days between entries")), 1, 36500, func(n int) { j.Reentry.Days = n }))
	}
	rows = append(rows, bold(i18n.T("Daily limit")),
		e.intEntry("limit", j.DailyLimit, i18n.T("empty: no limit on entries a day"), field(i18n.Mark("The daily limit")), 0, 100_000_000, func(n int) { j.DailyLimit = n }))
	goal := e.check(i18n.T("Stop when the customer orders"), j.Goal != nil, func(on bool) {
		if on {
			j.Goal = &journey.Goal{}
		} else {
			j.Goal = nil
		}
		e.showPanel()
	})
	rows = append(rows, bold(i18n.T("Goal")), goal)
	if g := j.Goal; g != nil {
		rows = append(rows,
			bold(i18n.T("Orders in")), e.selectOf(append([]string{i18n.T(orderTableAuto)}, e.p.tableNames()...), orAuto(g.Table, orderTableAuto), "",
				func(v string) { g.Table = fromAuto(v, orderTableAuto) }),
			bold(i18n.T("Only orders where")), e.entry(g.Rule, i18n.T("optional, e.g. amount > 20"), func(v string) { g.Rule = v }))
	}
	return rows
}

// Field makers: each writes into the journey as it changes, then redraws
// the cards.

func (e *journeyEditor) entry(text, placeholder string, set func(string)) *widget.Entry {
	x := &widget.Entry{Text: text, PlaceHolder: placeholder}
	x.ExtendBaseWidget(x)
	x.OnChanged = func(v string) {
		set(v)
		e.changed()
	}
	return x
}

// intEntry reads a whole number from lo to hi (empty is 0); a mistyped
// one is kept under key until it is corrected, and Save refuses.
func (e *journeyEditor) intEntry(key string, v int, placeholder string, what error, lo, hi int, set func(int)) *widget.Entry {
	text := ""
	if v != 0 {
		text = strconv.Itoa(v)
	}
	x := &widget.Entry{Text: text, PlaceHolder: placeholder}
	x.ExtendBaseWidget(x)
	x.OnChanged = func(string) {
		n, err := whole(x, what, lo, hi)
		e.setBad(key, err)
		if err == nil {
			set(n)
		}
		e.changed()
	}
	return x
}

// clockEntry reads a time of day, HH:MM, or nothing.
func (e *journeyEditor) clockEntry(key, v, placeholder string, set func(string)) *widget.Entry {
	x := &widget.Entry{Text: v, PlaceHolder: placeholder}
	x.ExtendBaseWidget(x)
	x.OnChanged = func(v string) {
		v = strings.TrimSpace(v)
		var err error
		if _, _, ok := journey.ParseClock(v); v != "" && !ok {
			err = i18n.Errorf("The time of day %q is not HH:MM, such as 09:30.", v)
		}
		e.setBad(key, err)
		set(v)
		e.changed()
	}
	return x
}

func (e *journeyEditor) selectOf(options []string, selected, placeholder string, set func(string)) *widget.Select {
	s := widget.NewSelect(options, nil)
	s.PlaceHolder = placeholder
	s.Selected = selected
	s.OnChanged = func(v string) {
		set(v)
		e.changed()
	}
	return s
}

func (e *journeyEditor) check(label string, on bool, set func(bool)) *widget.Check {
	c := widget.NewCheck(label, nil)
	c.Checked = on
	c.OnChanged = func(on bool) {
		set(on)
		e.changed()
	}
	return c
}
