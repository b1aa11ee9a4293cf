// Package journey keeps automation journeys in the project: their
// definitions (a trigger and a graph of steps), each customer's place in
// them, what happened at every step, and what the triggers have already
// seen. The runner that moves customers along is app/core's; sends go
// through the campaign delivery log (storage/campaign), so a journey's
// message is delivered exactly once like a campaign's.
package journey

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage/campaign"
)

// Trigger kinds: how customers enter a journey.
const (
	SegmentEnter   = "segment_enter"    // a customer appears in a segment
	SegmentLeave   = "segment_leave"    // a customer leaves a segment
	NewRow         = "new_row"          // a new row arrives in a table (an order, a cart, a sign-up)
	DateColumn     = "date"             // a date column: a birthday (yearly) or N days after sign-up
	AfterLastOrder = "after_last_order" // N days after a customer's last order, if none since
	Schedule       = "schedule"         // a cron schedule, or once at a time
)

// Step kinds.
const (
	Wait      = "wait"
	Condition = "condition"
	Split     = "split"
	Send      = "send"
	Update    = "update"
	Exit      = "exit"
)

// Re-entry policies.
const (
	Once  = "once"  // a customer enters at most once, ever
	After = "after" // again only N days after their last entry
	Every = "every" // every time the trigger fires, unless still in the journey
)

// Journey is a trigger plus a graph of steps.
type Journey struct {
	Name string `json:"name"`
	// Table is the customer table: contact details, consent, personalisation
	// fields and the rules of conditions come from its columns.
	Table   string  `json:"table"`
	Trigger Trigger `json:"trigger"`
	Reentry Reentry `json:"reentry"`
	// DailyLimit caps how many customers enter per day; 0 means no cap.
	DailyLimit int   `json:"daily_limit,omitempty"`
	Goal       *Goal `json:"goal,omitempty"`
	// Steps run from the first; each goes on to Next (or the step listed
	// after it when Next is empty); the journey ends after the last step.
	Steps []Step `json:"steps"`
}

// Trigger says who enters and when.
type Trigger struct {
	Kind string `json:"kind"`
	// Segment: segment_enter / segment_leave; for schedule, who enters (the
	// whole customer table when empty).
	Segment string `json:"segment,omitempty"`
	// IncludeExisting enters the segment's members at the first run too;
	// otherwise only customers who enter after the journey started do.
	IncludeExisting bool `json:"include_existing,omitempty"`
	// Table is new_row's event table, or date's table (the customer table
	// when empty); Rule filters its rows (new_row, date) or the customers.
	Table string `json:"table,omitempty"`
	Rule  string `json:"rule,omitempty"`
	// FirstOnly: new_row enters a customer only for their first row ever in
	// Table (a first-time buyer), not for every new row.
	FirstOnly bool `json:"first_only,omitempty"`
	// Column is date's date column; Yearly repeats it every year (a
	// birthday); Days shifts it (7 = a week after sign-up) or, for
	// after_last_order, is the number of days since the last order.
	Column string `json:"column,omitempty"`
	Yearly bool   `json:"yearly,omitempty"`
	Days   int    `json:"days,omitempty"`
	// At is the time of day (HH:MM, project time) date and
	// after_last_order triggers fire; 09:00 when empty.
	At string `json:"at,omitempty"`
	// Cron is schedule's cron expression (five fields, or @daily...); Once
	// is instead a single time (YYYY-MM-DD HH:MM, project time).
	Cron string `json:"cron,omitempty"`
	Once string `json:"once,omitempty"`
}

// Reentry says whether a customer may enter again.
type Reentry struct {
	Policy string `json:"policy"` // once (default), after, every
	Days   int    `json:"days,omitempty"`
}

// Goal ends a customer's journey early as converted: an order (a new row
// in Table, by default the order table, matching Rule) placed after they
// entered.
type Goal struct {
	Table string `json:"table,omitempty"`
	Rule  string `json:"rule,omitempty"`
}

// Step is one node of the journey.
type Step struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Next string `json:"next,omitempty"`
	// Title is what the step is called in lists (optional).
	Title string `json:"title,omitempty"`

	// wait: a Duration ("3d", "12h", "1w2d"), then, if set, until the next
	// Time of day (HH:MM) on Weekday (monday…sunday), in the project's time.
	Duration string `json:"duration,omitempty"`
	Time     string `json:"time,omitempty"`
	Weekday  string `json:"weekday,omitempty"`

	// condition: a rule over the customer table; Yes and No name the steps
	// that follow ("" for Yes/No means the next step in the list).
	Rule string `json:"rule,omitempty"`
	Yes  string `json:"yes,omitempty"`
	No   string `json:"no,omitempty"`

	// split: random branches by share, one of which may be the holdout.
	Branches []Branch `json:"branches,omitempty"`

	// send: the channel and content, as in a campaign; or Campaign names a
	// saved campaign whose channel and variants are used.
	Campaign      string             `json:"campaign,omitempty"`
	Plugin        string             `json:"plugin,omitempty"`
	Component     string             `json:"component,omitempty"`
	Config        map[string]string  `json:"config,omitempty"`
	Variants      []campaign.Variant `json:"variants,omitempty"`
	Idempotent    bool               `json:"idempotent,omitempty"`
	RatePerMinute int                `json:"rate_per_minute,omitempty"`

	// update: set Field of the customer's row in the customer table, or
	// give the customer Tag (usable in rules as "tags CONTAINS 'x'").
	Field string `json:"field,omitempty"`
	Value string `json:"value,omitempty"`
	Tag   string `json:"tag,omitempty"`
}

// Branch is one way out of a split.
type Branch struct {
	Name    string  `json:"name"`
	Percent float64 `json:"percent"`
	Next    string  `json:"next,omitempty"`
	// Holdout marks the control group: its customers are counted for
	// conversion against the others but are sent nothing on this branch.
	Holdout bool `json:"holdout,omitempty"`
}

// next is the step that follows s when it names none: the one after it
// in the list, or "" (the end).
func (j *Journey) next(i int) string {
	if j.Steps[i].Next != "" {
		return j.Steps[i].Next
	}
	if i+1 < len(j.Steps) {
		return j.Steps[i+1].ID
	}
	return ""
}

// Step returns the step with id, or nil.
func (j *Journey) Step(id string) *Step {
	for i := range j.Steps {
		if j.Steps[i].ID == id {
			return &j.Steps[i]
		}
	}
	return nil
}

// Exits lists where a step goes: its successors by label ("next", "yes",
// "no" or a branch name); "" is the end of the journey.
func (j *Journey) Exits(id string) []Link {
	for i, s := range j.Steps {
		if s.ID != id {
			continue
		}
		switch s.Kind {
		case Exit:
			return nil
		case Condition:
			yes, no := s.Yes, s.No
			if yes == "" {
				yes = j.next(i)
			}
			if no == "" {
				no = j.next(i)
			}
			return []Link{{"yes", yes}, {"no", no}}
		case Split:
			var out []Link
			for _, b := range s.Branches {
				to := b.Next
				if to == "" {
					to = j.next(i)
				}
				out = append(out, Link{b.Name, to})
			}
			return out
		default:
			return []Link{{"next", j.next(i)}}
		}
	}
	return nil
}

// Link is one way out of a step.
type Link struct {
	Label string
	To    string
}

// DeliveryName is the delivery-log campaign of a send step: the journey's
// name and the step's, with the visit number from the second time the
// same customer reaches the step (a re-entry, or a loop through a wait),
// since the log holds one delivery per campaign and customer.
func DeliveryName(journey, step string, visit int) string {
	if visit <= 1 {
		return journey + " › " + step
	}
	return fmt.Sprintf("%s › %s #%d", journey, step, visit)
}

var durationRE = regexp.MustCompile(`^(\d+w)?(\d+d)?(\d+h)?(\d+m)?$`)

// ParseDuration reads a wait such as "3d", "1w2d", "12h" or "90m".
func ParseDuration(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	m := durationRE.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, false
	}
	unit := map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}
	var d time.Duration
	for _, part := range m[1:] {
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part[:len(part)-1])
		if err != nil || n > 100000 {
			return 0, false
		}
		d += time.Duration(n) * unit[part[len(part)-1]]
	}
	return d, true
}

// ParseClock reads HH:MM.
func ParseClock(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// WakeAt is when a customer who reached wait step s at t goes on: t plus
// the duration, then the next Time of day (on Weekday) at or after that,
// in loc.
func (s *Step) WakeAt(t time.Time, loc *time.Location) time.Time {
	d, _ := ParseDuration(s.Duration)
	w := t.Add(d)
	if s.Time == "" && s.Weekday == "" {
		return w
	}
	h, m, ok := ParseClock(s.Time)
	if !ok {
		h, m = 0, 0
	}
	lw := w.In(loc)
	c := time.Date(lw.Year(), lw.Month(), lw.Day(), h, m, 0, 0, loc)
	if c.Before(lw) {
		c = c.AddDate(0, 0, 1)
	}
	if wd, ok := weekdays[strings.ToLower(s.Weekday)]; ok {
		for c.Weekday() != wd {
			c = c.AddDate(0, 0, 1)
		}
	}
	return c
}
