package journey

import (
	"context"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

var (
	nameRE = regexp.MustCompile(`^[\pL\pN][\pL\pN _.-]{0,79}$`)
	idRE   = regexp.MustCompile(`^[\pL\pN_][\pL\pN_.-]{0,39}$`)
)

// ParseCron reads a schedule's cron expression: five fields (minute hour
// day-of-month month day-of-week) or a descriptor such as @daily.
func ParseCron(expr string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(strings.TrimSpace(expr))
	if err != nil {
		return nil, i18n.Errorf("the schedule %q is not a cron expression (minute hour day month weekday, e.g. \"0 9 * * MON\"): %v", expr, err)
	}
	return s, nil
}

// ParseOnce reads a one-off time, YYYY-MM-DD HH:MM in loc.
func ParseOnce(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(s), loc)
	if err != nil {
		return t, i18n.Errorf("the time %q is not YYYY-MM-DD HH:MM", s)
	}
	return t, nil
}

// Validate checks a journey against itself and the project as of now, in
// the project's time zone loc. Each problem names the step it is in. The
// channel's plugin is checked by the caller (app/core), which knows them.
func Validate(ctx context.Context, p *storage.Project, j *Journey, now time.Time, loc *time.Location) error {
	v := &validator{ctx: ctx, p: p, j: j}
	v.shape()
	if len(v.errs) == 0 {
		v.project(now, loc)
	}
	if len(v.errs) > 0 {
		return storage.JoinErrors("; ", v.errs...)
	}
	return nil
}

type validator struct {
	ctx  context.Context
	p    *storage.Project
	j    *Journey
	errs []error
}

func (v *validator) bad(err error) {
	if err != nil {
		v.errs = append(v.errs, err)
	}
}

func (v *validator) inStep(s *Step, err error) {
	v.bad(i18n.Errorf("step %q: %v", s.ID, err))
}

// shape checks what needs no project: names, links, shares, durations and
// that every loop waits.
func (v *validator) shape() {
	j := v.j
	if !nameRE.MatchString(j.Name) || strings.Contains(j.Name, "›") {
		v.bad(i18n.Errorf("give the journey a name (letters, digits, spaces, . _ -)"))
	}
	if j.Table == "" {
		v.bad(i18n.Errorf("choose the journey's customer table"))
	}
	switch j.Reentry.Policy {
	case "", Once, Every:
	case After:
		if j.Reentry.Days <= 0 {
			v.bad(i18n.Errorf("re-entry after N days needs N above 0"))
		}
	default:
		v.bad(i18n.Errorf("unknown re-entry policy %q: use once, after or every", j.Reentry.Policy))
	}
	if j.DailyLimit < 0 {
		v.bad(i18n.Errorf("the daily limit cannot be negative"))
	}
	if len(j.Steps) == 0 {
		v.bad(i18n.Errorf("add at least one step"))
		return
	}
	seen := map[string]bool{}
	for i := range j.Steps {
		s := &j.Steps[i]
		if !idRE.MatchString(s.ID) {
			v.bad(i18n.Errorf("step %d needs an id (letters, digits, _ . -)", i+1))
			continue
		}
		if seen[s.ID] {
			v.bad(i18n.Errorf("two steps have the id %q", s.ID))
		}
		seen[s.ID] = true
	}
	for i := range j.Steps {
		v.stepShape(&j.Steps[i], seen)
	}
	if len(v.errs) == 0 {
		if s := v.loopWithoutWait(); s != "" {
			v.bad(i18n.Errorf("step %q: it is on a loop with no wait step, so a customer would go round it for ever; add a wait to the loop", s))
		}
	}
}

func (v *validator) stepShape(s *Step, ids map[string]bool) {
	link := func(to string) {
		if to != "" && !ids[to] {
			v.inStep(s, i18n.Errorf("it goes on to %q, which is not a step of this journey", to))
		}
	}
	link(s.Next)
	switch s.Kind {
	case Wait:
		d, ok := ParseDuration(s.Duration)
		if s.Duration != "" && !ok {
			v.inStep(s, i18n.Errorf("the wait %q is not a duration such as 3d, 12h, 1w2d or 90m", s.Duration))
		}
		if s.Time != "" {
			if _, _, ok := ParseClock(s.Time); !ok {
				v.inStep(s, i18n.Errorf("the time of day %q is not HH:MM", s.Time))
			}
		}
		if s.Weekday != "" {
			if _, ok := weekdays[strings.ToLower(s.Weekday)]; !ok {
				v.inStep(s, i18n.Errorf("%q is not a weekday (monday … sunday)", s.Weekday))
			}
		}
		if d <= 0 && s.Time == "" && s.Weekday == "" {
			v.inStep(s, i18n.Errorf("a wait needs a duration, a time of day or a weekday"))
		}
	case Condition:
		if strings.TrimSpace(s.Rule) == "" {
			v.inStep(s, i18n.Errorf("a condition needs a rule"))
		}
		link(s.Yes)
		link(s.No)
	case Split:
		if len(s.Branches) < 2 {
			v.inStep(s, i18n.Errorf("a split needs at least two branches"))
		}
		total, holdouts := 0.0, 0
		names := map[string]bool{}
		for _, b := range s.Branches {
			switch {
			case b.Name == "" || names[strings.ToLower(b.Name)]:
				v.inStep(s, i18n.Errorf("each branch needs its own name"))
			case b.Percent <= 0:
				v.inStep(s, i18n.Errorf("branch %q needs a share above 0%%", b.Name))
			}
			names[strings.ToLower(b.Name)] = true
			total += b.Percent
			if b.Holdout {
				holdouts++
			}
			link(b.Next)
		}
		if len(s.Branches) >= 2 && math.Abs(total-100) > 0.01 {
			v.inStep(s, i18n.Errorf("the branches' shares add up to %g%%, not 100%%", total))
		}
		if holdouts > 1 {
			v.inStep(s, i18n.Errorf("only one branch can be the holdout"))
		}
	case Send:
		if s.Campaign == "" {
			c := s.campaign(v.j, "")
			c.Name, c.Segment, c.Table = "check", "check", "check"
			if err := c.Validate(); err != nil {
				v.inStep(s, err)
			}
		}
	case Update:
		if (strings.TrimSpace(s.Field) == "") == (strings.TrimSpace(s.Tag) == "") {
			v.inStep(s, i18n.Errorf("choose the field to update or the tag to give (one of them)"))
		}
	case Exit:
	default:
		v.inStep(s, i18n.Errorf("unknown kind %q: use wait, condition, split, send, update or exit", s.Kind))
	}
}

// loopWithoutWait returns a step on a cycle that has no wait, or "".
func (v *validator) loopWithoutWait() string {
	j := v.j
	state := map[string]int{} // 1 on the path, 2 done
	var visit func(id string) string
	visit = func(id string) string {
		s := j.Step(id)
		if s == nil || s.Kind == Wait {
			return ""
		}
		switch state[id] {
		case 1:
			return id
		case 2:
			return ""
		}
		state[id] = 1
		for _, e := range j.Exits(id) {
			if r := visit(e.To); r != "" {
				return r
			}
		}
		state[id] = 2
		return ""
	}
	for _, s := range j.Steps {
		if r := visit(s.ID); r != "" {
			return r
		}
	}
	return ""
}

// project checks what the journey names in the project: tables, columns,
// segments, rules, campaigns and templates.
func (v *validator) project(now time.Time, loc *time.Location) {
	ctx, p, j := v.ctx, v.p, v.j
	if err := v.customerTable(j.Table); err != nil {
		v.bad(err)
		return
	}
	v.trigger(now, loc)
	if j.Goal != nil {
		t := j.Goal.Table
		if t == "" {
			if ts, _ := p.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate); len(ts) > 0 {
				t = ts[0]
			} else {
				v.bad(i18n.Errorf("goal: no table has customer id and order date columns; name the goal's table"))
			}
		}
		if t != "" {
			v.bad(v.rowsRule("goal", t, j.Goal.Rule, storage.OrderDate))
		}
	}
	for i := range j.Steps {
		s := &j.Steps[i]
		switch s.Kind {
		case Condition:
			if err := v.rule(j.Table, s.Rule); err != nil {
				v.inStep(s, err)
			}
		case Update:
			if s.Field == "" {
				continue // a tag
			}
			cols, _ := p.Columns(ctx, j.Table)
			found := false
			for _, c := range cols {
				found = found || strings.EqualFold(c.Name, s.Field)
			}
			if !found {
				v.inStep(s, i18n.Errorf("table %q has no field %q", j.Table, s.Field))
				continue
			}
			for _, c := range cols {
				var ok bool
				if strings.EqualFold(c.Name, s.Field) && s.Value != "" &&
					p.Q().QueryRowContext(ctx, `SELECT TRY_CAST(? AS `+c.Type+`) IS NOT NULL`, s.Value).Scan(&ok) == nil && !ok {
					v.inStep(s, i18n.Errorf("%q does not fit field %q, which holds %s values", s.Value, c.Name, strings.ToLower(c.Type)))
				}
			}
		case Send:
			c, err := s.Resolve(ctx, p, j)
			if err != nil {
				v.inStep(s, err)
				continue
			}
			for _, vr := range c.Variants {
				if _, err := campaign.Parse(vr); err != nil {
					v.inStep(s, err)
				}
			}
		}
	}
}

func (v *validator) customerTable(t string) error {
	ok, err := v.p.TableExists(v.ctx, t)
	if err != nil {
		return err
	}
	if !ok {
		return i18n.Errorf("there is no table %q; see 'tables'", t)
	}
	col, err := v.p.ColumnFor(v.ctx, t, storage.CustomerID)
	if err == nil && col == "" {
		err = i18n.Errorf("table %q has no customer id column; set its role first", t)
	}
	return err
}

func (v *validator) rule(table, text string) error {
	n, err := rule.Parse(text)
	if err != nil {
		return err
	}
	_, _, err = segment.RuleIDsSQL(v.ctx, v.p, table, n)
	return err
}

// rowsRule checks an event table with a customer id and the given date
// role, and an optional rule over its rows.
func (v *validator) rowsRule(what, table, text string, need storage.Role) error {
	if err := v.customerTable(table); err != nil {
		return i18n.Errorf("%s: %v", what, err)
	}
	if need != storage.None {
		if col, _ := v.p.ColumnFor(v.ctx, table, need); col == "" {
			return i18n.Errorf("%s: table %q has no %s column; set its role first", what, table, string(need))
		}
	}
	if strings.TrimSpace(text) != "" {
		if err := v.rule(table, text); err != nil {
			return i18n.Errorf("%s: %v", what, err)
		}
	}
	return nil
}

func (v *validator) trigger(now time.Time, loc *time.Location) {
	ctx, p, t := v.ctx, v.p, &v.j.Trigger
	if t.At != "" {
		if _, _, ok := ParseClock(t.At); !ok {
			v.bad(i18n.Errorf("trigger: the time of day %q is not HH:MM", t.At))
		}
	}
	segmentOK := func() {
		if _, err := segment.IDsSQL(ctx, p, t.Segment); err != nil {
			v.bad(i18n.Errorf("trigger: %v", err))
		}
	}
	switch t.Kind {
	case SegmentEnter, SegmentLeave:
		if t.Segment == "" {
			v.bad(i18n.Errorf("trigger: choose the segment"))
			return
		}
		segmentOK()
	case NewRow:
		if t.Table == "" {
			v.bad(i18n.Errorf("trigger: choose the table whose new rows start the journey"))
			return
		}
		if err := v.rowsRule("trigger", t.Table, t.Rule, storage.None); err != nil {
			v.bad(err)
		}
	case DateColumn:
		table := t.Table
		if table == "" {
			table = v.j.Table
		}
		if err := v.rowsRule("trigger", table, t.Rule, storage.None); err != nil {
			v.bad(err)
			return
		}
		cols, _ := p.Columns(ctx, table)
		for _, c := range cols {
			if strings.EqualFold(c.Name, t.Column) {
				// Dates kept as text count when they read as dates.
				var dates int64
				if !c.IsTemporal() && (p.Q().QueryRowContext(ctx, `SELECT count(TRY_CAST(`+storage.Quote(c.Name)+` AS DATE)) FROM `+storage.Quote(table)).Scan(&dates) != nil || dates == 0) {
					v.bad(i18n.Errorf("trigger: %q is not a date column", t.Column))
				}
				return
			}
		}
		v.bad(i18n.Errorf("trigger: table %q has no date column %q", table, t.Column))
	case AfterLastOrder:
		if t.Days <= 0 {
			v.bad(i18n.Errorf("trigger: give the number of days after the last order"))
		}
		ts, _ := p.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate)
		if t.Table == "" && len(ts) == 0 {
			v.bad(i18n.Errorf("trigger: no table has customer id and order date columns"))
		} else if t.Table != "" {
			if err := v.rowsRule("trigger", t.Table, "", storage.OrderDate); err != nil {
				v.bad(err)
			}
		}
	case Schedule:
		switch {
		case (t.Cron == "") == (t.Once == ""):
			v.bad(i18n.Errorf("trigger: give either a cron schedule or a single time"))
		case t.Cron != "":
			if _, err := ParseCron(t.Cron); err != nil {
				v.bad(i18n.Errorf("trigger: %v", err))
			}
		default:
			at, err := ParseOnce(t.Once, loc)
			if err != nil {
				v.bad(i18n.Errorf("trigger: %v", err))
			} else if !at.After(now) {
				v.bad(i18n.Errorf("trigger: the time %s is in the past; choose a later time", t.Once))
			}
		}
		if t.Segment != "" {
			segmentOK()
		}
	default:
		v.bad(i18n.Errorf("trigger: unknown kind %q: use segment_enter, segment_leave, new_row, date, after_last_order or schedule", t.Kind))
	}
}
