package journey

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// DeliveryPrefix is how the delivery-log campaigns of a journey's send
// steps begin (see DeliveryName).
func DeliveryPrefix(journey string) string { return journey + " › " }

// send plans the step's message for the due customers (mb_jdue) in the
// delivery log, in the caller's transaction: each customer once per visit
// of the step, excluded with the reason when consent, suppression or the
// contact policy says no. The runner sends what is planned.
func send(ctx context.Context, p *storage.Project, j *Journey, s *Step, now time.Time, h Hooks, t *Tick) error {
	q := p.Q()
	// The visit: how often the customer was planned at this step before.
	rows, err := q.QueryContext(ctx, `SELECT d.customer_id, d.entry, 1 + (SELECT count(*) FROM mb_journey_log l
		WHERE l.journey = ? AND l.step = ? AND l.event = 'send' AND l.customer_id = d.customer_id) FROM mb_jdue d ORDER BY 3, 1`, j.Name, s.ID)
	if err != nil {
		return err
	}
	byVisit := map[int][]string{}
	entries := map[string]int{}
	var visits []int
	for rows.Next() {
		var id string
		var entry, v int
		if err := rows.Scan(&id, &entry, &v); err != nil {
			rows.Close()
			return err
		}
		if len(byVisit[v]) == 0 {
			visits = append(visits, v)
		}
		byVisit[v] = append(byVisit[v], id)
		entries[id] = entry
	}
	rows.Close()
	base, err := s.Resolve(ctx, p, j)
	if err != nil {
		return err
	}
	if h.Channel != nil {
		if err := h.Channel(ctx, base); err != nil {
			return err
		}
	}
	for _, v := range visits {
		c := *base
		c.Name = DeliveryName(j.Name, s.ID, v)
		ids := byVisit[v]
		rs, err := audience(ctx, p, &c, ids)
		if err != nil {
			return err
		}
		// PlanAt applies the contact policy's frequency caps (excluding
		// over-cap customers with the reason) before the rows are written.
		if err := campaign.PlanAt(ctx, p, &c, rs, now); err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("customer_id,entry,detail\n")
		for i := range rs {
			r := &rs[i]
			detail := c.Name
			if r.Excluded != "" {
				detail = r.Excluded
				t.Excluded[r.Excluded]++
			} else {
				t.Planned[c.Name]++
			}
			fmt.Fprintf(&b, "%s,%d,%s\n", storage.CSVField(r.CustomerID), entries[r.CustomerID], storage.CSVField(detail))
		}
		if err := logRows(ctx, q, j.Name, s.ID, "send", b.String(), now); err != nil {
			return err
		}
	}
	return nil
}

// audience is campaign.AudienceOf for a list of customer ids.
func audience(ctx context.Context, p *storage.Project, c *campaign.Campaign, ids []string) ([]campaign.Recipient, error) {
	if _, err := p.Q().ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jsend AS SELECT customer_id FROM mb_jdue WHERE customer_id IN (SELECT unnest(?::VARCHAR[]))`, ids); err != nil {
		return nil, err
	}
	defer p.Q().ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jsend`)
	return campaign.AudienceOf(ctx, p, c, `SELECT customer_id FROM mb_jsend`, nil)
}

// logRows appends log rows (customer_id,entry,detail as CSV text) for one
// step and event.
func logRows(ctx context.Context, q storage.Querier, journey, step, event, csv string, now time.Time) error {
	path, err := storage.TempCSV(func(w *bufio.Writer) { w.WriteString(csv) })
	if err != nil {
		return err
	}
	defer os.Remove(path)
	_, err = q.ExecContext(ctx, `INSERT INTO mb_journey_log SELECT ?, customer_id, CAST(entry AS INTEGER), ?, ?, nullif(detail, ''), ?
		FROM read_csv(`+storage.Literal(path)+`, header = true, all_varchar = true, quote = '"', escape = '"')`, journey, step, event, now.UTC())
	return err
}

// goals ends, as converted, the journeys of customers who reached the
// goal since they entered: a row in the goal's table (by default the
// order table) dated after their entry, up to now.
func goals(ctx context.Context, p *storage.Project, j *Journey, now time.Time) (int64, error) {
	table := j.Goal.Table
	if table == "" {
		ts, _ := p.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate)
		if len(ts) == 0 {
			return 0, nil
		}
		table = ts[0]
	}
	cust, _ := p.ColumnFor(ctx, table, storage.CustomerID)
	date, _ := p.ColumnFor(ctx, table, storage.OrderDate)
	if date == "" {
		return 0, nil
	}
	// A rule narrows the goal to customers with a row matching it.
	match, args := "", []any(nil)
	if strings.TrimSpace(j.Goal.Rule) != "" {
		n, err := rule.Parse(j.Goal.Rule)
		if err != nil {
			return 0, err
		}
		ids, a, err := segment.RuleIDsSQLAt(ctx, p, table, n, now)
		if err != nil {
			return 0, err
		}
		match, args = ` AND e.customer_id IN (`+ids+`)`, a
	}
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return 0, err
	}
	// A date without a time counts from the day after the entry: an order
	// on the day itself may be the one that started the journey.
	after := `TRY_CAST(g.` + storage.Quote(date) + ` AS TIMESTAMP) > e.entered_at`
	for _, c := range cols {
		if strings.EqualFold(c.Name, date) && strings.EqualFold(c.Type, "DATE") {
			after = `TRY_CAST(g.` + storage.Quote(date) + ` AS DATE) > CAST(e.entered_at AS DATE)`
		}
	}
	q := p.Q()
	nowLit := storage.Literal(now.UTC().Format("2006-01-02 15:04:05.999999")) + `::TIMESTAMP`
	// Joined from the customers in the journey (usually few) to the goal
	// table, so a tick with nobody waiting does not read the whole table
	// into a hash table.
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jgoal AS SELECT DISTINCT e.customer_id, e.entry
		FROM (SELECT customer_id, entry, entered_at FROM mb_journey_entries WHERE journey = `+storage.Literal(j.Name)+` AND status = 'active') e
		JOIN `+storage.Quote(table)+` g ON CAST(g.`+storage.Quote(cust)+` AS VARCHAR) = e.customer_id
		WHERE `+after+` AND TRY_CAST(g.`+storage.Quote(date)+` AS TIMESTAMP) <= `+nowLit+match, args...); err != nil {
		return 0, err
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jgoal`)
	res, err := q.ExecContext(ctx, `UPDATE mb_journey_entries e SET status = 'converted', updated_at = ? FROM mb_jgoal g
		WHERE e.journey = ? AND e.customer_id = g.customer_id AND e.entry = g.entry`, now.UTC(), j.Name)
	if err != nil {
		return 0, err
	}
	c, _ := res.RowsAffected()
	_, err = q.ExecContext(ctx, `INSERT INTO mb_journey_log SELECT ?, g.customer_id, g.entry, e.step, 'converted', NULL, ? FROM mb_jgoal g
		JOIN mb_journey_entries e ON e.journey = ? AND e.customer_id = g.customer_id AND e.entry = g.entry`, j.Name, now.UTC(), j.Name)
	return c, err
}
