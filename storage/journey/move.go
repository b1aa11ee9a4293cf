package journey

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// Hooks let the runner take part in a tick with what storage cannot know.
type Hooks struct {
	// Channel readies a send step's campaign: checks its plugin is enabled
	// and sets the fields the channel receives.
	Channel func(ctx context.Context, c *campaign.Campaign) error
}

// Tick is what one run did to a journey.
type Tick struct {
	Journey   string
	Entered   int64
	Converted int64
	// Moved counts customers who went through each step in this run.
	Moved map[string]int64
	// Planned counts messages planned per delivery-log campaign; Excluded
	// counts those turned away at a send step, by reason.
	Planned  map[string]int64
	Excluded map[string]int64
}

// maxPasses bounds the moves of one run: a customer goes through at most
// this many steps (a loop can only come round after a wait, so more passes
// mean a long catch-up, finished by the next run).
const maxPasses = 500

// Run processes one journey as of now: goals, then the trigger, then every
// customer whose step is due, step by step, each step in its own
// transaction (so a crash leaves every customer either before or after a
// step, never half-way). Sends are planned in the delivery log in the same
// transaction as the move past the send step; the runner sends them.
func Run(ctx context.Context, p *storage.Project, in *Info, now time.Time, loc *time.Location, h Hooks) (*Tick, error) {
	j := &in.Journey
	t := &Tick{Journey: j.Name, Moved: map[string]int64{}, Planned: map[string]int64{}, Excluded: map[string]int64{}}
	if in.Status != Active {
		return t, nil
	}
	if j.Goal != nil {
		if err := p.Tx(ctx, func(tx *storage.Tx) (err error) {
			t.Converted, err = goals(ctx, p.InTx(tx), j, now)
			return err
		}); err != nil {
			return t, err
		}
	}
	if err := p.Tx(ctx, func(tx *storage.Tx) (err error) {
		t.Entered, err = trigger(ctx, p.InTx(tx), j, in.CreatedAt, now, loc)
		return err
	}); err != nil {
		return t, err
	}
	for pass := 0; pass < maxPasses; pass++ {
		steps, err := dueSteps(ctx, p.Q(), j.Name, now)
		if err != nil || len(steps) == 0 {
			return t, err
		}
		for _, id := range steps {
			if id == endStep {
				if _, err := p.Q().ExecContext(ctx, `UPDATE mb_journey_entries SET status = 'done', updated_at = ? WHERE journey = ? AND step = ? AND status = 'active' AND due_at <= ?`,
					now.UTC(), j.Name, endStep, now.UTC()); err != nil {
					return t, err
				}
				continue
			}
			s := j.Step(id)
			if s == nil {
				return t, i18n.Errorf("journey %q: customers stand at step %q, which it no longer has", j.Name, id)
			}
			if err := p.Tx(ctx, func(tx *storage.Tx) error {
				return step(ctx, p.InTx(tx), j, s, now, loc, h, t)
			}); err != nil {
				return t, i18n.Errorf("journey %q, step %q: %v", j.Name, s.ID, err)
			}
		}
	}
	return t, nil
}

func dueSteps(ctx context.Context, q storage.Querier, journey string, now time.Time) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT step FROM mb_journey_entries WHERE journey = ? AND status = 'active' AND due_at <= ? ORDER BY step`, journey, now.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out, rows.Err()
}

// due is the WHERE clause of the entries due at a step.
func due(j *Journey, s *Step, now time.Time) string {
	return `journey = ` + storage.Literal(j.Name) + ` AND step = ` + storage.Literal(s.ID) +
		` AND status = 'active' AND due_at <= ` + storage.Literal(now.UTC().Format("2006-01-02 15:04:05.999999")) + `::TIMESTAMP`
}

// step moves every customer due at s past it.
func step(ctx context.Context, p *storage.Project, j *Journey, s *Step, now time.Time, loc *time.Location, h Hooks, t *Tick) error {
	q, at := p.Q(), now.UTC()
	where := due(j, s, now)
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jdue AS SELECT customer_id, entry, due_at FROM mb_journey_entries WHERE `+where); err != nil {
		return err
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jdue`)
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM mb_jdue`).Scan(&n); err != nil || n == 0 {
		return err
	}
	t.Moved[s.ID] += n
	logAll := func(event, detail string) error {
		_, err := q.ExecContext(ctx, `INSERT INTO mb_journey_log SELECT ?, customer_id, entry, ?, ?, ?, ? FROM mb_jdue`, j.Name, s.ID, event, nullable(detail), at)
		return err
	}
	// goTo moves the due customers selected by cond (SQL over mb_journey_entries) on to step to.
	goTo := func(cond, to string) error {
		set := `step = ` + storage.Literal(to)
		if to == "" {
			set = `status = 'done'`
		}
		_, err := q.ExecContext(ctx, `UPDATE mb_journey_entries SET `+set+`, updated_at = ? WHERE `+where+` AND (`+cond+`)`, at)
		return err
	}
	exits := j.Exits(s.ID)
	switch s.Kind {
	case Wait:
		if err := logAll("wait", ""); err != nil {
			return err
		}
		if s.Time == "" && s.Weekday == "" {
			d, _ := ParseDuration(s.Duration)
			_, err := q.ExecContext(ctx, fmt.Sprintf(`UPDATE mb_journey_entries SET step = ?, due_at = due_at + INTERVAL %d SECOND, updated_at = ? WHERE %s`, int64(d/time.Second), where), stepOrEnd(exits[0].To, s), at)
			return err
		}
		return wakeAt(ctx, q, j.Name, s, exits[0].To, loc, at)
	case Condition:
		n, err := rule.Parse(s.Rule)
		if err != nil {
			return err
		}
		yes, args, err := segment.RuleIDsSQLAt(ctx, p, j.Table, n, now)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jyes AS SELECT customer_id FROM mb_jdue WHERE customer_id IN (`+yes+`)`, args...); err != nil {
			return err
		}
		defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jyes`)
		if _, err := q.ExecContext(ctx, `INSERT INTO mb_journey_log SELECT ?, customer_id, entry, ?, CASE WHEN customer_id IN (SELECT customer_id FROM mb_jyes) THEN 'yes' ELSE 'no' END, NULL, ? FROM mb_jdue`, j.Name, s.ID, at); err != nil {
			return err
		}
		if err := goTo(`customer_id IN (SELECT customer_id FROM mb_jyes)`, exits[0].To); err != nil {
			return err
		}
		return goTo(`true`, exits[1].To)
	case Split:
		// A stable draw per customer, entry and step: md5 is the same in
		// every DuckDB version, so a re-run would draw the same. The parts
		// are joined with "›", which a journey's name cannot hold (DuckDB's
		// parser ends a statement at a NUL byte).
		draw := `(md5_number(` + storage.Literal(j.Name+"›"+s.ID+"›") + ` || customer_id || '#' || entry) % 1000000) / 10000.0`
		acc := 0.0
		var cases []string
		for _, b := range s.Branches {
			acc += b.Percent
			cases = append(cases, fmt.Sprintf(`WHEN %s < %g THEN %s`, draw, acc, storage.Literal(b.Name)))
		}
		branch := `CASE ` + strings.Join(cases, " ") + ` ELSE ` + storage.Literal(s.Branches[len(s.Branches)-1].Name) + ` END`
		if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jbranch AS SELECT customer_id, entry, `+branch+` AS branch FROM mb_jdue`); err != nil {
			return err
		}
		defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jbranch`)
		if _, err := q.ExecContext(ctx, `INSERT INTO mb_journey_log SELECT ?, customer_id, entry, ?, 'branch', branch, ? FROM mb_jbranch`, j.Name, s.ID, at); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE mb_journey_entries e SET branch = b.branch FROM mb_jbranch b
			WHERE e.journey = ? AND e.customer_id = b.customer_id AND e.entry = b.entry`, j.Name); err != nil {
			return err
		}
		for i, b := range s.Branches {
			if err := goTo(`branch = `+storage.Literal(b.Name), exits[i].To); err != nil {
				return err
			}
		}
		return nil
	case Send:
		if err := send(ctx, p, j, s, now, h, t); err != nil {
			return err
		}
		return goTo(`true`, exits[0].To)
	case Update:
		what := "tag " + s.Tag
		if s.Tag != "" {
			if _, err := q.ExecContext(ctx, `INSERT INTO mb_customer_tags SELECT DISTINCT customer_id, ?, ?, ? FROM mb_jdue ON CONFLICT DO NOTHING`,
				s.Tag, "journey "+j.Name, at); err != nil {
				return err
			}
		} else {
			if err := update(ctx, p, j, s); err != nil {
				return err
			}
			what = s.Field + " = " + s.Value
		}
		if err := logAll("update", what); err != nil {
			return err
		}
		return goTo(`true`, exits[0].To)
	case Exit:
		if err := logAll("exit", ""); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, `UPDATE mb_journey_entries SET status = 'exited', updated_at = ? WHERE `+where, at)
		return err
	}
	return i18n.Errorf("unknown step kind %q", s.Kind)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// stepOrEnd is a wait's next step; a wait at the very end simply ends the
// journey when it is over, so it moves to a marker the next pass finishes.
func stepOrEnd(to string, s *Step) string {
	if to == "" {
		return endStep
	}
	return to
}

// endStep is where a customer stands after a final wait: done once due.
const endStep = "-end-"

// wakeAt moves the due customers on to `to`, each due when their wait
// ends at a time of day or weekday (computed per customer, from the time
// they reached the wait).
func wakeAt(ctx context.Context, q storage.Querier, journey string, s *Step, to string, loc *time.Location, at time.Time) error {
	rows, err := q.QueryContext(ctx, `SELECT customer_id, entry, due_at FROM mb_jdue`)
	if err != nil {
		return err
	}
	type wake struct {
		id    string
		entry int
		at    time.Time
	}
	var ws []wake
	for rows.Next() {
		var w wake
		if err := rows.Scan(&w.id, &w.entry, &w.at); err != nil {
			rows.Close()
			return err
		}
		ws = append(ws, w)
	}
	rows.Close()
	path, err := storage.TempCSV(func(b *bufio.Writer) {
		b.WriteString("customer_id,entry,wake\n")
		for _, w := range ws {
			fmt.Fprintf(b, "%s,%d,%s\n", storage.CSVField(w.id), w.entry, s.WakeAt(w.at, loc).UTC().Format("2006-01-02 15:04:05"))
		}
	})
	if err != nil {
		return err
	}
	defer os.Remove(path)
	_, err = q.ExecContext(ctx, `UPDATE mb_journey_entries e SET step = ?, due_at = w.wake, updated_at = ?
		FROM read_csv(`+storage.Literal(path)+`, header = true, all_varchar = true, quote = '"', escape = '"') w
		WHERE e.journey = ? AND e.customer_id = w.customer_id AND e.entry = CAST(w.entry AS INTEGER) AND e.status = 'active'`,
		stepOrEnd(to, s), at, journey)
	return err
}

// update sets the step's field for the due customers in the customer table.
func update(ctx context.Context, p *storage.Project, j *Journey, s *Step) error {
	cust, err := p.ColumnFor(ctx, j.Table, storage.CustomerID)
	if err != nil {
		return err
	}
	cols, err := p.Columns(ctx, j.Table)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cols, func(c storage.Column) bool { return strings.EqualFold(c.Name, s.Field) })
	if i < 0 {
		return i18n.Errorf("table %q has no field %q", j.Table, s.Field)
	}
	_, err = p.Q().ExecContext(ctx, `UPDATE `+storage.Quote(j.Table)+` SET `+storage.Quote(cols[i].Name)+` = TRY_CAST(? AS `+cols[i].Type+`)
		WHERE CAST(`+storage.Quote(cust)+` AS VARCHAR) IN (SELECT customer_id FROM mb_jdue)`, s.Value)
	if err != nil {
		return i18n.Errorf("cannot set %q: %s", s.Field, storage.FirstLine(err.Error()))
	}
	return nil
}
