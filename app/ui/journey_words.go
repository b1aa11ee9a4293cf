package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/journey"
)

// Journeys in words: triggers, steps, waits and what a run did, as the
// list, the flow's cards and the run's summary say them.

// triggerKinds are the trigger kinds as the editor offers them, in order.
var triggerKinds = []struct{ kind, label string }{
	{journey.NewRow, i18n.Mark("A new row arrives in a table (an order, a sign-up)")},
	{journey.SegmentEnter, i18n.Mark("A customer enters a segment")},
	{journey.SegmentLeave, i18n.Mark("A customer leaves a segment")},
	{journey.DateColumn, i18n.Mark("A date in a column (a birthday, N days after sign-up)")},
	{journey.AfterLastOrder, i18n.Mark("Some days after a customer's last order")},
	{journey.Schedule, i18n.Mark("On a schedule")},
}

// stepKinds are the step kinds as the editor offers them, in order.
var stepKinds = []struct{ kind, label string }{
	{journey.Send, i18n.Mark("Send a message")},
	{journey.Wait, i18n.Mark("Wait")},
	{journey.Condition, i18n.Mark("Condition (yes or no)")},
	{journey.Split, i18n.Mark("Random split (A/B, holdout)")},
	{journey.Update, i18n.Mark("Update a field")},
	{journey.Exit, i18n.Mark("Exit")},
}

func kindLabel(kinds []struct{ kind, label string }, kind string) string {
	for _, k := range kinds {
		if k.kind == kind {
			return i18n.T(k.label)
		}
	}
	return kind
}

func kindOf(kinds []struct{ kind, label string }, label string) string {
	for _, k := range kinds {
		if i18n.T(k.label) == label {
			return k.kind
		}
	}
	return ""
}

func choiceLabels(kinds []struct{ kind, label string }) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = i18n.T(k.label)
	}
	return out
}

// journeyStatusWords says a journey's status.
func journeyStatusWords(status string) string {
	switch status {
	case journey.Active:
		return i18n.T("active")
	case journey.Paused:
		return i18n.T("paused")
	}
	return status
}

// triggerWords says who enters a journey and when.
func triggerWords(t journey.Trigger) string {
	at := ""
	if t.At != "" {
		at = " " + i18n.T("at %s", t.At)
	}
	where := ""
	if strings.TrimSpace(t.Rule) != "" {
		where = " " + i18n.T("where %s", t.Rule)
	}
	switch t.Kind {
	case journey.SegmentEnter:
		if t.IncludeExisting {
			return i18n.T("customers in segment %q, now and as they enter", t.Segment)
		}
		return i18n.T("a customer enters segment %q", t.Segment)
	case journey.SegmentLeave:
		return i18n.T("a customer leaves segment %q", t.Segment)
	case journey.NewRow:
		if t.FirstOnly {
			return i18n.T("a customer's first row in %s", t.Table) + where
		}
		return i18n.T("a new row in %s", t.Table) + where
	case journey.DateColumn:
		col := t.Column
		if t.Table != "" {
			col = t.Table + "." + t.Column
		}
		switch {
		case t.Yearly && t.Days != 0:
			return i18n.T("every year, %s after the date in %s", daysWords(t.Days), col) + at + where
		case t.Yearly:
			return i18n.T("every year on the date in %s", col) + at + where
		case t.Days != 0:
			return i18n.T("%s after the date in %s", daysWords(t.Days), col) + at + where
		}
		return i18n.T("on the date in %s", col) + at + where
	case journey.AfterLastOrder:
		return i18n.T("%s after a customer's last order", daysWords(t.Days)) + at + where
	case journey.Schedule:
		who := ""
		if t.Segment != "" {
			who = " " + i18n.T("for segment %q", t.Segment)
		}
		if t.Once != "" {
			return i18n.T("once, at %s", t.Once) + who
		}
		return i18n.T("on the schedule %s", t.Cron) + who
	}
	return t.Kind
}

func daysWords(n int) string {
	if n == 1 || n == -1 {
		return i18n.T("1 day")
	}
	return i18n.T("%d days", n)
}

var durationPart = regexp.MustCompile(`(\d+)([wdhm])`)

// durationWords says a wait such as "1w2d" as "1 week 2 days".
func durationWords(d string) string {
	var out []string
	for _, m := range durationPart.FindAllStringSubmatch(strings.ToLower(d), -1) {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "w":
			out = append(out, plural(n, i18n.T("1 week"), i18n.T("%d weeks", n)))
		case "d":
			out = append(out, plural(n, i18n.T("1 day"), i18n.T("%d days", n)))
		case "h":
			out = append(out, plural(n, i18n.T("1 hour"), i18n.T("%d hours", n)))
		case "m":
			out = append(out, plural(n, i18n.T("1 minute"), i18n.T("%d minutes", n)))
		}
	}
	if len(out) == 0 {
		return d
	}
	return strings.Join(out, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// stepWords says what a step does, in one line.
func stepWords(s *journey.Step) string {
	switch s.Kind {
	case journey.Wait:
		w := ""
		if _, ok := journey.ParseDuration(s.Duration); ok {
			w = i18n.T("Wait %s", durationWords(s.Duration))
		}
		until := ""
		day := weekdayWords(s.Weekday)
		switch {
		case s.Time != "" && s.Weekday != "":
			until = i18n.T("until %s on a %s", s.Time, day)
		case s.Time != "":
			until = i18n.T("until %s", s.Time)
		case s.Weekday != "":
			until = i18n.T("until a %s", day)
		}
		switch {
		case w != "" && until != "":
			return i18n.T("%s, then %s", w, until)
		case w != "":
			return w
		case until != "":
			return i18n.T("Wait %s", until)
		}
		return i18n.T("Wait (say how long)")
	case journey.Condition:
		if strings.TrimSpace(s.Rule) == "" {
			return i18n.T("If … (write the rule)")
		}
		return i18n.T("If %s", s.Rule)
	case journey.Split:
		var parts []string
		for _, b := range s.Branches {
			parts = append(parts, fmt.Sprintf("%s %s%%", b.Name, i18n.Group(b.Percent, 1, true)))
		}
		return i18n.T("Split at random: %s", strings.Join(parts, ", "))
	case journey.Send:
		if s.Campaign != "" {
			return i18n.T("Send campaign %q", s.Campaign)
		}
		subject := ""
		if len(s.Variants) > 0 {
			subject = s.Variants[0].Subject
			if subject == "" {
				subject = firstLine(s.Variants[0].Text)
			}
		}
		words := i18n.T("Send %q", subject)
		if len(s.Variants) > 1 {
			words += " " + i18n.T("(%d variants)", len(s.Variants))
		}
		if s.Plugin != "" {
			words += " " + i18n.T("through %s", s.Component)
		}
		return words
	case journey.Update:
		return i18n.T("Set %s to %q", s.Field, s.Value)
	case journey.Exit:
		return i18n.T("Leave the journey")
	}
	return s.Kind
}

// weekdays are the days a wait can end on, as stored and as said.
var weekdays = []struct{ value, label string }{
	{"monday", i18n.Mark("Monday")}, {"tuesday", i18n.Mark("Tuesday")}, {"wednesday", i18n.Mark("Wednesday")},
	{"thursday", i18n.Mark("Thursday")}, {"friday", i18n.Mark("Friday")}, {"saturday", i18n.Mark("Saturday")},
	{"sunday", i18n.Mark("Sunday")},
}

// weekdayWords says a stored weekday ("monday", "mon") in the user's
// language; one it does not know stays as it is.
func weekdayWords(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	for _, w := range weekdays {
		if d != "" && strings.HasPrefix(w.value, d) {
			return i18n.T(w.label)
		}
	}
	return d
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len([]rune(s)) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}

// countWords says a step's live counts, empty when nothing passed yet.
func countWords(st core.StepStats) string {
	n := func(v int64) string { return i18n.Number(float64(v)) }
	var parts []string
	if st.Waiting > 0 {
		parts = append(parts, i18n.T("%s waiting", n(st.Waiting)))
	}
	if st.Passed > 0 {
		parts = append(parts, i18n.T("%s passed", n(st.Passed)))
	}
	switch st.Kind {
	case journey.Send:
		if st.Delivered > 0 {
			parts = append(parts, i18n.T("%s sent", n(st.Delivered)))
		}
		if st.Planned > 0 {
			parts = append(parts, i18n.T("%s to send", n(st.Planned)))
		}
		if st.Excluded > 0 {
			parts = append(parts, i18n.T("%s left out", n(st.Excluded)))
		}
		if st.Failed > 0 {
			parts = append(parts, i18n.T("%s failed", n(st.Failed)))
		}
	case journey.Condition:
		if st.Yes+st.No > 0 {
			parts = append(parts, i18n.T("%s yes, %s no", n(st.Yes), n(st.No)))
		}
	}
	return strings.Join(parts, " · ")
}

// runWords says what an automation run did, one line per point.
func runWords(rep *core.AutomateReport) []string {
	var out []string
	var entered, converted, moved int64
	for _, t := range rep.Ticks {
		if t == nil {
			continue
		}
		entered += t.Entered
		converted += t.Converted
		for _, n := range t.Moved {
			moved += n
		}
		if t.Entered+t.Converted > 0 || len(t.Moved) > 0 {
			n := func(v int64) string { return i18n.Number(float64(v)) }
			line := i18n.T("%s: %s entered, %s steps passed, %s reached the goal.", t.Journey, n(t.Entered), n(total(t.Moved)), n(t.Converted))
			if ex := total(t.Excluded); ex > 0 {
				line = i18n.T("%s: %s entered, %s steps passed, %s reached the goal; %s messages left out (consent, suppression, contact limits).",
					t.Journey, n(t.Entered), n(total(t.Moved)), n(t.Converted), n(ex))
			}
			out = append(out, line)
		}
	}
	if rep.DryRun {
		out = append(out, i18n.T("Dry run: %s messages would be sent; nothing was kept.", i18n.Number(float64(len(rep.WouldSend)))))
	} else {
		out = append(out, i18n.T("%s messages sent, %s failed, %s waiting for a later run.",
			i18n.Number(float64(rep.Sent)), i18n.Number(float64(rep.Failed)), i18n.Number(float64(rep.Pending))))
	}
	if entered+converted+moved == 0 && len(rep.Problems) == 0 {
		out = append([]string{i18n.T("Nothing was due: no customer entered or moved on.")}, out...)
	}
	for _, p := range rep.Problems {
		out = append(out, i18n.T("Problem: %s", p))
	}
	return out
}

// sentences joins sentences: with a space in English, without one after
// a full-width stop in Chinese.
func sentences(parts []string) string {
	if i18n.IsChinese() {
		return strings.Join(parts, "")
	}
	return strings.Join(parts, " ")
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
