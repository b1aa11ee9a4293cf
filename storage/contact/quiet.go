package contact

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// QuietUntil reports whether now falls in the quiet hours as the clock
// reads in loc, and if so when they end: the next time that clock shows
// End (or, on a day when the clocks skip End, the moment they jump past
// it).
func (pol *Policy) QuietUntil(loc *time.Location, now time.Time) (until time.Time, quiet bool) {
	if pol.Quiet == nil {
		return time.Time{}, false
	}
	s, err1 := clock(pol.Quiet.Start)
	e, err2 := clock(pol.Quiet.End)
	if err1 != nil || err2 != nil || s == e {
		return time.Time{}, false // Validate refuses these
	}
	t := now.In(loc)
	if !quietAt(s, e, t) {
		return time.Time{}, false
	}
	end := clockOn(t.Year(), t.Month(), t.Day(), e, loc)
	if !end.After(now) {
		end = clockOn(t.Year(), t.Month(), t.Day()+1, e, loc)
	}
	return end, true
}

// clockOn is the moment the clock in loc shows mins minutes after midnight
// on the given day. On a day when daylight saving skips that time, it is
// the moment the clocks jump past it.
func clockOn(y int, m time.Month, d, mins int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, mins/60, mins%60, 0, 0, loc)
	want := time.Date(y, m, d, mins/60, mins%60, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	switch {
	case got.Before(want):
		// time.Date read it in the zone before the jump: the jump is
		// where that zone ends.
		_, t = t.ZoneBounds()
	case got.After(want):
		t, _ = t.ZoneBounds()
	}
	return t
}

// quietAt reports whether the clock time of t is in [s, e) minutes after
// midnight, the span wrapping past midnight when e < s.
func quietAt(s, e int, t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if s < e {
		return s <= m && m < e
	}
	return m >= s || m < e
}

// offsetRE reads a zone written as an offset: "+08:00", "+0800", "UTC+8",
// "GMT-05:30".
var offsetRE = regexp.MustCompile(`^(?i:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$`)

// zoneAliases are names people write for a zone that are not IANA names.
var zoneAliases = map[string]string{"北京时间": "Asia/Shanghai", "中国标准时间": "Asia/Shanghai"}

// ParseZone reads a time zone as a customer table or a person writes it:
// an IANA name ("Asia/Shanghai", "UTC") or an offset from UTC ("+08:00",
// "UTC+8").
func ParseZone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	if a, ok := zoneAliases[s]; ok {
		s = a
	}
	switch strings.ToUpper(s) {
	case "UTC", "GMT", "Z":
		return time.UTC, nil
	}
	if m := offsetRE.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		if h > 14 || mins > 59 {
			return nil, i18n.Errorf("time zone %q: an offset runs from -12:00 to +14:00", s)
		}
		off := (h*60 + mins) * 60
		if m[1] == "-" {
			off = -off
		}
		return time.FixedZone(fmt.Sprintf("UTC%s%02d:%02d", m[1], h, mins), off), nil
	}
	// LoadLocation also takes "" and "Local" (this computer's zone): a
	// value that says nothing is not a zone.
	if s != "" && s != "Local" && !strings.HasPrefix(s, "/") {
		if loc, err := time.LoadLocation(s); err == nil {
			return loc, nil
		}
	}
	return nil, i18n.Errorf("unknown time zone %q; use an IANA name such as Asia/Shanghai or Europe/London, or an offset such as +08:00", s)
}

// ZoneName is how a reason names a zone: its IANA name, or its
// abbreviation at t for this computer's zone ("Local" says nothing).
func ZoneName(loc *time.Location, t time.Time) string {
	if loc == time.Local {
		return t.In(loc).Format("MST")
	}
	return loc.String()
}

// Locations finds the time zone of each customer in ids from the table's
// time_zone column (see storage.TimeZone). Customers without one, or with
// a value that is no zone, are left out: they take the policy's.
func Locations(ctx context.Context, p *storage.Project, table string, ids []string) (map[string]*time.Location, error) {
	out := map[string]*time.Location{}
	if len(ids) == 0 {
		return out, nil
	}
	tz, err := p.ColumnFor(ctx, table, storage.TimeZone)
	if err != nil || tz == "" {
		return out, err
	}
	cust, err := p.ColumnFor(ctx, table, storage.CustomerID)
	if err != nil || cust == "" {
		return out, err
	}
	// A customer's first row in the table, as the audience takes it.
	list, arg := idsParam(ids)
	q := `SELECT id, zone FROM (SELECT CAST(` + storage.Quote(cust) + ` AS VARCHAR) AS id, CAST(` + storage.Quote(tz) + ` AS VARCHAR) AS zone, rowid AS r
		FROM ` + storage.Quote(table) + `) WHERE id IN (SELECT unnest(` + list + `))
		QUALIFY row_number() OVER (PARTITION BY id ORDER BY r) = 1`
	rows, err := p.Q().QueryContext(ctx, q, arg)
	if err != nil {
		return nil, i18n.Errorf("cannot read the customers' time zones from %s: %s", table, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	parsed := map[string]*time.Location{}
	for rows.Next() {
		var id string
		var zone *string
		if err := rows.Scan(&id, &zone); err != nil {
			return nil, err
		}
		if zone == nil {
			continue
		}
		loc, seen := parsed[*zone]
		if !seen {
			loc, _ = ParseZone(*zone)
			parsed[*zone] = loc
		}
		if loc != nil {
			out[id] = loc
		}
	}
	return out, rows.Err()
}
