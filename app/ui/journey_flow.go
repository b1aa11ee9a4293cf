package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/journey"
)

// The flow: the journey's cards from top to bottom, the trigger first.
// Conditions and splits list their branches indented, each with where it
// goes and, for a stored journey, how many customers took it.

// stepShort are the kinds as a card's heading names them.
var stepShort = map[string]string{
	journey.Send:      i18n.Mark("Send"),
	journey.Wait:      i18n.Mark("Wait"),
	journey.Condition: i18n.Mark("Condition"),
	journey.Split:     i18n.Mark("Split"),
	journey.Update:    i18n.Mark("Update"),
	journey.Exit:      i18n.Mark("Exit"),
}

// rebuildFlow draws the cards again from the journey in the form.
func (e *journeyEditor) rebuildFlow() {
	if e.j == nil {
		return
	}
	e.flow.RemoveAll()
	e.flow.Add(e.journeyCard())
	for i := range e.j.Steps {
		e.flow.Add(arrow())
		e.flow.Add(e.stepCard(i))
	}
	e.flow.Add(arrow())
	e.flow.Add(&widget.Label{Text: i18n.T("End of the journey"), Alignment: fyne.TextAlignCenter, TextStyle: fyne.TextStyle{Italic: true}})
	if n := e.waitingToFinish(); n > 0 {
		c := countLine(i18n.T("%s waiting to finish (after a last wait)", i18n.Number(float64(n))))
		c.Alignment = fyne.TextAlignCenter
		e.flow.Add(c)
	}
	e.flow.Refresh()
}

// waitingToFinish counts the customers in the journey who stand at no
// step: after a wait at the end, they finish when it is over.
func (e *journeyEditor) waitingToFinish() int64 {
	if e.summary == nil {
		return 0
	}
	n := e.summary.Active
	for _, st := range e.stats {
		n -= st.Waiting
	}
	return n
}

// endMarker is where storage/journey keeps customers after a wait at the
// end of a journey; the timeline says it in words.
const endMarker = "-end-"

// stepName is a step id as the timeline shows it.
func stepName(id string) string {
	if id == endMarker {
		return i18n.T("the end")
	}
	return id
}

func arrow() fyne.CanvasObject {
	t := canvas.NewText("↓", theme.Color(theme.ColorNamePlaceHolder))
	t.Alignment = fyne.TextAlignCenter
	return t
}

// card frames a card's heading and lines; the selected one stands out.
func (e *journeyEditor) card(selected bool, heading string, onTap func(), lines ...fyne.CanvasObject) fyne.CanvasObject {
	head := &widget.Button{Text: heading, Alignment: widget.ButtonAlignLeading, Importance: widget.LowImportance, OnTapped: onTap}
	if selected {
		head.Importance = widget.HighImportance
	}
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	if selected {
		frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	}
	frame.StrokeWidth = 1
	frame.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(frame, container.NewPadded(container.NewVBox(append([]fyne.CanvasObject{head}, lines...)...)))
}

func line(text string) *widget.Label {
	return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}
}

func countLine(text string) *widget.Label {
	return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}, Importance: widget.SuccessImportance}
}

// indented sets lines in from the card's edge, as a branch is.
func indented(lines ...fyne.CanvasObject) fyne.CanvasObject {
	pad := canvas.NewRectangle(color.Transparent)
	pad.SetMinSize(fyne.NewSize(theme.Padding()*6, 0))
	return container.NewBorder(nil, nil, pad, nil, container.NewVBox(lines...))
}

// journeyCard is the top card: who enters and when, re-entry, the daily
// limit, the goal, and the journey's counts.
func (e *journeyEditor) journeyCard() fyne.CanvasObject {
	j := e.j
	name := j.Name
	if strings.TrimSpace(name) == "" {
		name = i18n.T("(no name yet)")
	}
	lines := []fyne.CanvasObject{line(i18n.T("Starts when %s.", triggerWords(j.Trigger)))}
	var more []string
	switch j.Reentry.Policy {
	case journey.After:
		more = append(more, i18n.T("Again after %s.", daysWords(j.Reentry.Days)))
	case journey.Every:
		more = append(more, i18n.T("Every time, unless still in it."))
	default:
		more = append(more, i18n.T("Once per customer."))
	}
	if j.DailyLimit > 0 {
		more = append(more, i18n.T("At most %s a day.", i18n.Number(float64(j.DailyLimit))))
	}
	if j.Goal != nil {
		more = append(more, i18n.T("Ends early when the customer orders."))
	}
	lines = append(lines, line(sentences(more)))
	if s := e.summary; s != nil {
		n := func(v int64) string { return i18n.Number(float64(v)) }
		lines = append(lines, countLine(i18n.T("%s entered · %s in it now · %s converted · %s finished · %s left at an exit · %s sent",
			n(s.Entered), n(s.Active), n(s.Converted), n(s.Done), n(s.Exited), n(s.Sent))))
	}
	if e.holdout != "" {
		lines = append(lines, countLine(e.holdout))
	}
	return e.card(e.sel == -1, i18n.T("Journey: %s", clip(name, 28)), func() { e.selectCard(-1) }, lines...)
}

// stepCard is step i: what it does, its branches and its counts.
func (e *journeyEditor) stepCard(i int) fyne.CanvasObject {
	s := &e.j.Steps[i]
	heading := fmt.Sprintf("%d · %s · %s", i+1, i18n.T(stepShort[s.Kind]), clip(s.ID, 24))
	lines := []fyne.CanvasObject{line(stepWords(s))}
	if s.Title != "" {
		lines = append([]fyne.CanvasObject{&widget.Label{Text: s.Title, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}}, lines...)
	}
	st, counted := e.stats[s.ID]
	var branches []fyne.CanvasObject
	for _, l := range e.j.Exits(s.ID) {
		to := l.To
		if to == "" {
			to = i18n.T("the end")
		}
		var text string
		switch {
		case s.Kind == journey.Condition:
			text = i18n.T("if %s, go to %s", yesNo(l.Label), to)
		case s.Kind == journey.Split:
			text = i18n.T("%s goes to %s", l.Label, to)
			if b := branch(s, l.Label); b != nil && b.Holdout {
				text += " " + i18n.T("(the holdout: sent nothing)")
			}
			if counted {
				text += " · " + i18n.Number(float64(st.Branches[l.Label]))
			}
		case s.Next != "" || i == len(e.j.Steps)-1:
			text = i18n.T("then go to %s", to) // a jump, or the end after the last step
		default:
			continue
		}
		branches = append(branches, line(text))
	}
	if len(branches) > 0 {
		lines = append(lines, indented(branches...))
	}
	if counted {
		if c := countWords(st); c != "" {
			lines = append(lines, countLine(c))
		}
	}
	return e.card(e.sel == i, heading, func() { e.selectCard(i) }, lines...)
}

// clip shortens s to n characters with an ellipsis: a card's heading is
// a button, which does not wrap.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func yesNo(label string) string {
	if label == "yes" {
		return i18n.T("yes")
	}
	return i18n.T("no")
}

func branch(s *journey.Step, name string) *journey.Branch {
	for i := range s.Branches {
		if s.Branches[i].Name == name {
			return &s.Branches[i]
		}
	}
	return nil
}

// holdoutWords says a journey's conversion against its holdout in a
// sentence, or "" when it has none yet.
func holdoutWords(st *core.JourneyStats) string {
	if st.Holdout == nil {
		return ""
	}
	vs := core.Verdicts(st.Holdout)
	if len(vs) == 0 {
		return ""
	}
	v := vs[0]
	rate, ctl := pct(v.Rate), pct(v.ControlRate)
	days := st.AttributionDays
	switch v.Kind {
	case core.Better:
		return i18n.T("Against the holdout: %s of the journey's customers ordered within %d days, %s of the holdout's; the journey likely helps (%s chance).",
			rate, days, ctl, chance(v.Chance))
	case core.Worse:
		return i18n.T("Against the holdout: %s of the journey's customers ordered within %d days, %s of the holdout's; the journey likely does harm (%s chance).",
			rate, days, ctl, chance(v.Chance))
	}
	return i18n.T("Against the holdout: %s of the journey's customers ordered within %d days, %s of the holdout's; too early to tell.",
		rate, days, ctl)
}
