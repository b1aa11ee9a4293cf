package journey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// trigger takes in whoever the journey's trigger says enters at now, in
// the caller's transaction, and records what it has seen so that nobody
// enters twice for the same event. It returns how many entered.
func trigger(ctx context.Context, p *storage.Project, j *Journey, created, now time.Time, loc *time.Location) (int64, error) {
	t := &j.Trigger
	q := p.Q()
	switch t.Kind {
	case SegmentEnter, SegmentLeave:
		ids, args, err := segmentIDs(ctx, p, t.Segment, now)
		if err != nil {
			return 0, err
		}
		return snapshot(ctx, q, j, ids, args, t.Kind == SegmentLeave, t.IncludeExisting, now, loc)
	case NewRow:
		return newRows(ctx, p, j, now, loc)
	case DateColumn, AfterLastOrder:
		return daily(ctx, p, j, created, now, loc)
	case Schedule:
		return scheduled(ctx, p, j, created, now, loc)
	}
	return 0, i18n.Errorf("journey %q: unknown trigger %q", j.Name, t.Kind)
}

// segmentIDs is the live membership of a segment as of now: a rule
// segment's rule is evaluated afresh, a list or RFM segment read as stored.
func segmentIDs(ctx context.Context, p *storage.Project, name string, now time.Time) (string, []any, error) {
	if s, err := segment.Get(ctx, p, name); err == nil && s.Kind == segment.KindRule && s.Rule != nil {
		return segment.RuleIDsSQLAt(ctx, p, s.Table, s.Rule, now)
	}
	ids, err := segment.IDsSQL(ctx, p, name)
	return ids, nil, err
}

// snapshot compares the current members (ids) with those seen last time:
// who is new enters (or, for leave, who is gone), and the snapshot becomes
// the current members. The first time only the snapshot is taken, unless
// the existing members are to enter too. Only the difference is written,
// so a run in which nobody came or went writes nothing but the state.
func snapshot(ctx context.Context, q storage.Querier, j *Journey, ids string, args []any, leave, existing bool, now time.Time, loc *time.Location) (int64, error) {
	base, err := State(ctx, q, j.Name, "baseline")
	if err != nil {
		return 0, err
	}
	jn := storage.Literal(j.Name)
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jnow AS SELECT DISTINCT CAST(customer_id AS VARCHAR) AS key FROM (`+ids+`) WHERE customer_id IS NOT NULL`, args...); err != nil {
		return 0, i18n.Errorf("journey %q: cannot read the segment: %s", j.Name, storage.FirstLine(err.Error()))
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jnow`)
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jnew AS SELECT key FROM mb_jnow
		WHERE key NOT IN (SELECT key FROM mb_journey_seen WHERE journey = `+jn+`)`); err != nil {
		return 0, err
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jnew`)
	// Whoever was seen and is not among the members now (and not new) left.
	var members, added, seen int64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM mb_jnow), (SELECT count(*) FROM mb_jnew),
		(SELECT count(*) FROM mb_journey_seen WHERE journey = `+jn+`)`).Scan(&members, &added, &seen); err != nil {
		return 0, err
	}
	gone := seen - (members - added)
	var n int64
	if base != "" || (existing && !leave) {
		who := `SELECT key AS customer_id FROM mb_jnew`
		if leave {
			who = `SELECT key AS customer_id FROM mb_journey_seen WHERE journey = ` + jn + ` AND key NOT IN (SELECT key FROM mb_jnow)`
		}
		if (leave && gone > 0) || (!leave && added > 0) {
			if n, err = enter(ctx, q, j, who, nil, now, loc); err != nil {
				return 0, err
			}
		}
	}
	if gone > 0 {
		if _, err := q.ExecContext(ctx, `DELETE FROM mb_journey_seen WHERE journey = `+jn+` AND key NOT IN (SELECT key FROM mb_jnow)`); err != nil {
			return 0, err
		}
	}
	if added > 0 {
		if _, err := q.ExecContext(ctx, `INSERT INTO mb_journey_seen SELECT `+jn+`, key FROM mb_jnew`); err != nil {
			return 0, err
		}
	}
	if base != "" {
		return n, nil
	}
	return n, SetState(ctx, q, j.Name, "baseline", now.UTC().Format(time.RFC3339))
}

// fingerprint changes whenever a table may have new rows: its row count
// and the latest change recorded in the project's audit log.
func fingerprint(ctx context.Context, q storage.Querier, table string) (string, error) {
	var n, audit int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(table)).Scan(&n); err != nil {
		return "", err
	}
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM mb_audit WHERE action NOT LIKE 'journey%'`).Scan(&audit); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d:%d", n, audit), nil
}

// newRows enters the customers of rows that arrived in the trigger's table
// since last time (all of a customer's rows, for first-time only: the
// customer is new to the table). Rows present when the journey started do
// not count.
func newRows(ctx context.Context, p *storage.Project, j *Journey, now time.Time, loc *time.Location) (int64, error) {
	t, q := &j.Trigger, p.Q()
	fp, err := fingerprint(ctx, q, t.Table)
	if err != nil {
		return 0, err
	}
	if old, err := State(ctx, q, j.Name, "fingerprint"); err != nil || old == fp {
		return 0, err
	}
	var n *rule.Node
	if strings.TrimSpace(t.Rule) != "" {
		if n, err = rule.Parse(t.Rule); err != nil {
			return 0, err
		}
	}
	// The rows' keys (for first-time only, their customers') not seen
	// before: only those are read past the anti-join, entered and recorded.
	var rows string
	var args []any
	key := `'r:' || key`
	if t.FirstOnly {
		key = `'c:' || customer_id`
		rows, args, err = customerIDs(ctx, p, t.Table, n, now)
	} else {
		rows, args, err = segment.RowsSQL(ctx, p, t.Table, n, now)
	}
	if err != nil {
		return 0, err
	}
	jn := storage.Literal(j.Name)
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jnow AS SELECT DISTINCT customer_id, `+key+` AS key FROM (`+rows+`)
		WHERE `+key+` NOT IN (SELECT key FROM mb_journey_seen WHERE journey = `+jn+`)`, args...); err != nil {
		return 0, i18n.Errorf("journey %q: cannot read table %q: %s", j.Name, t.Table, storage.FirstLine(err.Error()))
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jnow`)
	var entered int64
	if base, _ := State(ctx, q, j.Name, "baseline"); base != "" {
		if entered, err = enter(ctx, q, j, `SELECT customer_id FROM mb_jnow`, nil, now, loc); err != nil {
			return 0, err
		}
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO mb_journey_seen SELECT DISTINCT `+jn+`, key FROM mb_jnow`); err != nil {
		return 0, err
	}
	if err := SetState(ctx, q, j.Name, "baseline", now.UTC().Format(time.RFC3339)); err != nil {
		return 0, err
	}
	return entered, SetState(ctx, q, j.Name, "fingerprint", fp)
}

// maxCatchUp is how many missed days a date trigger makes up for.
const maxCatchUp = 7

// daily runs a date or after-last-order trigger once per day, at its time
// of day: the customers whose date falls on that day enter. Days missed
// while nothing ran are made up (at most a week).
func daily(ctx context.Context, p *storage.Project, j *Journey, created, now time.Time, loc *time.Location) (int64, error) {
	t, q := &j.Trigger, p.Q()
	h, m, ok := ParseClock(t.At)
	if !ok {
		h, m = 9, 0
	}
	lt := now.In(loc)
	today := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	if lt.Before(today.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)) {
		today = today.AddDate(0, 0, -1) // today's run is not due yet
	}
	last, err := State(ctx, q, j.Name, "last_day")
	if err != nil {
		return 0, err
	}
	from := today
	if d, err := time.ParseInLocation(time.DateOnly, last, loc); err == nil {
		from = d.AddDate(0, 0, 1)
	} else {
		c := created.In(loc)
		if d := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, loc); d.After(from) {
			from = d
		}
	}
	if from.Before(today.AddDate(0, 0, -maxCatchUp+1)) {
		from = today.AddDate(0, 0, -maxCatchUp+1)
	}
	var total int64
	for d := from; !d.After(today); d = d.AddDate(0, 0, 1) {
		ids, args, err := dateIDs(ctx, p, j, d)
		if err != nil {
			return 0, err
		}
		n, err := enter(ctx, q, j, ids, args, now, loc)
		if err != nil {
			return 0, err
		}
		total += n
		if err := SetState(ctx, q, j.Name, "last_day", d.Format(time.DateOnly)); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// dateIDs selects the customers whose date falls on day.
func dateIDs(ctx context.Context, p *storage.Project, j *Journey, day time.Time) (string, []any, error) {
	t := &j.Trigger
	d := storage.Literal(day.Format(time.DateOnly)) + `::DATE`
	if t.Kind == AfterLastOrder {
		table := t.Table
		if table == "" {
			ts, _ := p.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate)
			if len(ts) == 0 {
				return "", nil, i18n.Errorf("journey %q: no table has customer id and order date columns", j.Name)
			}
			table = ts[0]
		}
		cust, _ := p.ColumnFor(ctx, table, storage.CustomerID)
		date, _ := p.ColumnFor(ctx, table, storage.OrderDate)
		return fmt.Sprintf(`SELECT CAST(%s AS VARCHAR) AS customer_id FROM %s GROUP BY 1 HAVING max(TRY_CAST(%s AS DATE)) + %d = %s`,
			storage.Quote(cust), storage.Quote(table), storage.Quote(date), t.Days, d), nil, nil
	}
	table := t.Table
	if table == "" {
		table = j.Table
	}
	var n *rule.Node
	if strings.TrimSpace(t.Rule) != "" {
		var err error
		if n, err = rule.Parse(t.Rule); err != nil {
			return "", nil, err
		}
	}
	where := `true`
	var args []any
	if n != nil {
		q, a, err := segment.RuleIDsSQLAt(ctx, p, table, n, day)
		if err != nil {
			return "", nil, err
		}
		where, args = `CAST(`+storage.Quote(mustCol(ctx, p, table))+` AS VARCHAR) IN (`+q+`)`, a
	}
	col := `TRY_CAST(` + storage.Quote(t.Column) + ` AS DATE)`
	match := col + ` + ` + fmt.Sprint(t.Days) + ` = ` + d
	if t.Yearly {
		// A birthday on 29 February is kept on 28 February in other years.
		s := `(` + col + ` + ` + fmt.Sprint(t.Days) + `)`
		match = `(month(` + s + `) = month(` + d + `) AND (day(` + s + `) = day(` + d + `) OR (month(` + d + `) = 2 AND day(` + d + `) = 28 AND day(` + s + `) = 29 AND NOT (year(` + d + `) % 4 = 0 AND (year(` + d + `) % 100 <> 0 OR year(` + d + `) % 400 = 0)))) AND ` + s + ` <= ` + d + `)`
	}
	return `SELECT CAST(` + storage.Quote(mustCol(ctx, p, table)) + ` AS VARCHAR) AS customer_id FROM ` + storage.Quote(table) +
		` WHERE ` + match + ` AND ` + where, args, nil
}

// customerIDs selects the customers (customer_id, text) with a row in table
// matching n (any row when n is nil).
func customerIDs(ctx context.Context, p *storage.Project, table string, n *rule.Node, now time.Time) (string, []any, error) {
	if n != nil {
		return segment.RuleIDsSQLAt(ctx, p, table, n, now)
	}
	col := mustCol(ctx, p, table)
	if col == "" {
		return "", nil, i18n.Errorf("table %q has no customer id column; set its role first", table)
	}
	return `SELECT CAST(` + storage.Quote(col) + ` AS VARCHAR) AS customer_id FROM ` + storage.Quote(table) + ` WHERE ` + storage.Quote(col) + ` IS NOT NULL`, nil, nil
}

func mustCol(ctx context.Context, p *storage.Project, table string) string {
	c, _ := p.ColumnFor(ctx, table, storage.CustomerID)
	return c
}

// scheduled fires a cron schedule once when its next time since the last
// firing has come (a schedule missed while nothing ran fires once, not
// once per missed time), or a one-off time once.
func scheduled(ctx context.Context, p *storage.Project, j *Journey, created, now time.Time, loc *time.Location) (int64, error) {
	t, q := &j.Trigger, p.Q()
	last, err := State(ctx, q, j.Name, "last_fire")
	if err != nil {
		return 0, err
	}
	var due bool
	if t.Once != "" {
		at, err := ParseOnce(t.Once, loc)
		if err != nil {
			return 0, err
		}
		due = last == "" && !at.After(now)
	} else {
		s, err := ParseCron(t.Cron)
		if err != nil {
			return 0, err
		}
		from := created
		if l, err := time.Parse(time.RFC3339, last); err == nil {
			from = l
		}
		due = !s.Next(from.In(loc)).After(now)
	}
	if !due {
		return 0, nil
	}
	var ids string
	var args []any
	if t.Segment != "" {
		ids, args, err = segmentIDs(ctx, p, t.Segment, now)
	} else {
		ids = `SELECT CAST(` + storage.Quote(mustCol(ctx, p, j.Table)) + ` AS VARCHAR) AS customer_id FROM ` + storage.Quote(j.Table)
	}
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(t.Rule) != "" {
		n, err := rule.Parse(t.Rule)
		if err != nil {
			return 0, err
		}
		rq, ra, err := segment.RuleIDsSQLAt(ctx, p, j.Table, n, now)
		if err != nil {
			return 0, err
		}
		ids = `SELECT customer_id FROM (` + ids + `) INTERSECT SELECT customer_id FROM (` + rq + `)`
		args = append(args, ra...)
	}
	n, err := enter(ctx, q, j, ids, args, now, loc)
	if err != nil {
		return 0, err
	}
	return n, SetState(ctx, q, j.Name, "last_fire", now.UTC().Format(time.RFC3339))
}
