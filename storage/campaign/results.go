package campaign

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Events a results file may hold.
var Events = []string{"open", "click", "conversion", "unsubscribe", "bounce"}

// ImportResult says what an events import did.
type ImportResult struct {
	Rows, Matched, Unmatched int64
	ByEvent                  map[string]int64
	Suppressed               int64
}

// ImportEvents reads a CSV of responses (columns customer_id or
// idempotency_key, event, and optionally value and at) into the campaign's
// events, in one transaction. Unsubscribes and bounces also go on the
// suppression list, so no later campaign reaches those customers.
func ImportEvents(ctx context.Context, p *storage.Project, campaign, path string) (*ImportResult, error) {
	return importEvents(ctx, p, campaign, `SELECT * FROM read_csv(`+storage.Literal(path)+`, header = true, all_varchar = true)`, path)
}

// ImportEventsFromTable is ImportEvents from a project table, e.g. one a
// source plugin fills with the channel's response exports.
func ImportEventsFromTable(ctx context.Context, p *storage.Project, campaign, table string) (*ImportResult, error) {
	if ok, err := p.TableExists(ctx, table); err != nil || !ok {
		return nil, i18n.Errorf("no table named %q", table)
	}
	return importEvents(ctx, p, campaign, `SELECT * FROM `+storage.Quote(table), "table "+table)
}

func importEvents(ctx context.Context, p *storage.Project, campaign, q, path string) (*ImportResult, error) {
	rows, err := p.Q().QueryContext(ctx, `DESCRIBE `+q)
	if err != nil {
		return nil, i18n.Errorf("cannot read %s: %s", path, storage.FirstLine(err.Error()))
	}
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		var a, b, c, d any
		if err := rows.Scan(&name, &typ, &a, &b, &c, &d); err != nil {
			rows.Close()
			return nil, err
		}
		cols[strings.ToLower(name)] = name
	}
	rows.Close()
	if cols["event"] == "" || (cols["customer_id"] == "" && cols["idempotency_key"] == "") {
		return nil, i18n.Errorf("%s needs an event column and a customer_id (or idempotency_key) column", path)
	}
	id := `d.customer_id`
	join := `d.customer_id = trim(CAST(s.` + storage.Quote(cols["customer_id"]) + ` AS VARCHAR))`
	if cols["customer_id"] == "" {
		join = `d.idempotency_key = trim(CAST(s.` + storage.Quote(cols["idempotency_key"]) + ` AS VARCHAR))`
	}
	value, at := `NULL`, `NULL`
	if c := cols["value"]; c != "" {
		value = `TRY_CAST(nullif(trim(CAST(s.` + storage.Quote(c) + ` AS VARCHAR)), '') AS DOUBLE)`
	}
	if c := cols["at"]; c != "" {
		at = `TRY_CAST(nullif(trim(CAST(s.` + storage.Quote(c) + ` AS VARCHAR)), '') AS TIMESTAMP)`
	}
	ev := `lower(trim(CAST(s.` + storage.Quote(cols["event"]) + ` AS VARCHAR)))`
	res := &ImportResult{ByEvent: map[string]int64{}}
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		var bad string
		var line int64
		err := tx.QueryRowContext(ctx, `SELECT ev, n FROM (SELECT `+ev+` AS ev, row_number() OVER () + 1 AS n FROM (`+q+`) s)
			WHERE ev NOT IN ('`+strings.Join(Events, "','")+`') LIMIT 1`).Scan(&bad, &line)
		if err == nil {
			return i18n.Errorf("%s, line %d: unknown event %q (use %s)", path, line, bad, strings.Join(Events, ", "))
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`).Scan(&res.Rows); err != nil {
			return err
		}
		// Importing the same file or table again replaces what it gave
		// before, so a table that grows between imports is not counted twice.
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_campaign_events WHERE campaign = ? AND source = ?`, campaign, path); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO mb_campaign_events (campaign, customer_id, event, value, event_at, source)
			SELECT ?, `+id+`, `+ev+`, `+value+`, `+at+`, ? FROM (`+q+`) s JOIN mb_deliveries d ON d.campaign = ? AND `+join,
			campaign, path, campaign)
		if err != nil {
			return i18n.Errorf("cannot import %s: %s", path, storage.FirstLine(err.Error()))
		}
		res.Matched, _ = r.RowsAffected()
		res.Unmatched = res.Rows - res.Matched
		rows, err := tx.QueryContext(ctx, `SELECT event, count(*) FROM mb_campaign_events WHERE campaign = ? AND source = ? GROUP BY 1`, campaign, path)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e string
			var n int64
			rows.Scan(&e, &n)
			res.ByEvent[e] = n
		}
		rows.Close()
		r, err = tx.ExecContext(ctx, `INSERT INTO mb_suppression (kind, value, reason)
			SELECT DISTINCT 'customer', customer_id, CASE event WHEN 'bounce' THEN 'hard bounce' ELSE 'unsubscribed' END
			FROM mb_campaign_events WHERE campaign = ? AND source = ? AND event IN ('unsubscribe', 'bounce') ON CONFLICT DO NOTHING`, campaign, path)
		if err != nil {
			return err
		}
		res.Suppressed, _ = r.RowsAffected()
		return p.InTx(tx).Audit(ctx, tx, "campaign results", campaign, -1, res.Matched, path)
	})
	return res, err
}

// GroupStat is one group's outcome: customers reached (delivered, or all of
// the holdout), customers with each event, and revenue per customer.
type GroupStat struct {
	Group string
	N     int64
	// With counts customers with at least one event of each kind.
	With map[string]int64
	// Revenue is per customer over all N (zero for non-buyers).
	RevenueMean, RevenueSD float64
}

// Stats tallies the campaign's groups from the delivery log and events.
// With attributionDays > 0 and an order table, a customer also converts
// (with the order amounts as revenue) by ordering within that many days
// after the campaign started, which measures the holdout without any
// response file.
func Stats(ctx context.Context, p *storage.Project, campaign string, orders *OrderSource, attributionDays int) ([]GroupStat, error) {
	conv := `SELECT customer_id, event, coalesce(value, 0) AS value FROM mb_campaign_events WHERE campaign = ` + storage.Literal(campaign)
	if orders != nil && attributionDays > 0 {
		conv += ` UNION ALL SELECT CAST(` + orders.Customer + ` AS VARCHAR), 'conversion', ` + orders.Amount + ` FROM ` + orders.Table +
			` , (SELECT started_at FROM mb_campaigns WHERE name = ` + storage.Literal(campaign) + `) c
			WHERE ` + orders.Date + ` >= CAST(c.started_at AS DATE) AND ` + orders.Date + ` < CAST(c.started_at AS DATE) + INTERVAL ` + fmt.Sprint(attributionDays) + ` DAY`
	}
	q := `WITH g AS (
		SELECT customer_id, CASE WHEN status = 'holdout' THEN 'holdout' ELSE variant END AS grp
		FROM mb_deliveries WHERE campaign = ? AND status IN ('delivered', 'holdout')),
	e AS (SELECT customer_id,
		count(*) FILTER (WHERE event = 'open') AS opens, count(*) FILTER (WHERE event = 'click') AS clicks,
		count(*) FILTER (WHERE event = 'conversion') AS convs, count(*) FILTER (WHERE event = 'unsubscribe') AS unsubs,
		coalesce(sum(value) FILTER (WHERE event = 'conversion'), 0) AS revenue
		FROM (` + conv + `) GROUP BY customer_id)
	SELECT grp, count(*), count(*) FILTER (WHERE opens > 0), count(*) FILTER (WHERE clicks > 0),
		count(*) FILTER (WHERE convs > 0), count(*) FILTER (WHERE unsubs > 0),
		coalesce(avg(coalesce(revenue, 0)), 0), coalesce(stddev_samp(coalesce(revenue, 0)), 0)
	FROM g LEFT JOIN e USING (customer_id) GROUP BY grp ORDER BY grp = 'holdout' DESC, grp`
	rows, err := p.Q().QueryContext(ctx, q, campaign)
	if err != nil {
		return nil, i18n.Errorf("cannot tally the results: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var out []GroupStat
	for rows.Next() {
		g := GroupStat{With: map[string]int64{}}
		var o, c, v, u int64
		if err := rows.Scan(&g.Group, &g.N, &o, &c, &v, &u, &g.RevenueMean, &g.RevenueSD); err != nil {
			return nil, err
		}
		g.With["open"], g.With["click"], g.With["conversion"], g.With["unsubscribe"] = o, c, v, u
		if math.IsNaN(g.RevenueSD) {
			g.RevenueSD = 0
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// OrderSource holds SQL expressions for an order table's role columns.
type OrderSource struct {
	Table, Customer, Date, Amount string
}

// TableStats tallies an experiment stored as a table (one row per
// customer, a group column, 0/1 outcome columns and a revenue column), such
// as the Hillstrom e-mail test.
func TableStats(ctx context.Context, p *storage.Project, table, groupCol string, outcomes []string, revenue string) ([]GroupStat, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	find := func(name string) (string, error) {
		for _, c := range cols {
			if strings.EqualFold(c.Name, name) {
				return storage.Quote(c.Name), nil
			}
		}
		return "", i18n.Errorf("table %q has no column %q", table, name)
	}
	g, err := find(groupCol)
	if err != nil {
		return nil, err
	}
	sel := []string{`CAST(` + g + ` AS VARCHAR)`, `count(*)`}
	for _, o := range outcomes {
		c, err := find(o)
		if err != nil {
			return nil, err
		}
		sel = append(sel, `count(*) FILTER (WHERE TRY_CAST(`+c+` AS DOUBLE) > 0)`)
	}
	rev := `0`
	if revenue != "" {
		c, err := find(revenue)
		if err != nil {
			return nil, err
		}
		rev = `coalesce(TRY_CAST(` + c + ` AS DOUBLE), 0)`
	}
	sel = append(sel, `avg(`+rev+`)`, `coalesce(stddev_samp(`+rev+`), 0)`)
	rows, err := p.Q().QueryContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+storage.Quote(table)+` WHERE `+g+` IS NOT NULL GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return nil, i18n.Errorf("cannot tally %s: %s", table, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var out []GroupStat
	for rows.Next() {
		st := GroupStat{With: map[string]int64{}}
		counts := make([]int64, len(outcomes))
		dest := []any{&st.Group, &st.N}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		dest = append(dest, &st.RevenueMean, &st.RevenueSD)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, o := range outcomes {
			st.With[o] = counts[i]
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Point is one day of a cumulative series.
type Point struct {
	Day   time.Time
	Value float64
}

// Timeline returns, per group, the cumulative number of customers who
// converted by each day with a conversion: from imported events with a
// time and, with attribution, from orders after the start.
func Timeline(ctx context.Context, p *storage.Project, campaign string, orders *OrderSource, attributionDays int) (map[string][]Point, error) {
	conv := `SELECT customer_id, CAST(event_at AS DATE) AS day FROM mb_campaign_events WHERE campaign = ` + storage.Literal(campaign) +
		` AND event = 'conversion' AND event_at IS NOT NULL`
	if orders != nil && attributionDays > 0 {
		conv += ` UNION ALL SELECT CAST(` + orders.Customer + ` AS VARCHAR), ` + orders.Date + ` FROM ` + orders.Table +
			` , (SELECT started_at FROM mb_campaigns WHERE name = ` + storage.Literal(campaign) + `) c
			WHERE ` + orders.Date + ` >= CAST(c.started_at AS DATE) AND ` + orders.Date + ` < CAST(c.started_at AS DATE) + INTERVAL ` + fmt.Sprint(attributionDays) + ` DAY`
	}
	q := `WITH g AS (
		SELECT customer_id, CASE WHEN status = 'holdout' THEN 'holdout' ELSE variant END AS grp
		FROM mb_deliveries WHERE campaign = ? AND status IN ('delivered', 'holdout')),
	first AS (SELECT customer_id, min(day) AS day FROM (` + conv + `) GROUP BY 1),
	daily AS (SELECT grp, day, count(*) AS n FROM g JOIN first USING (customer_id) GROUP BY ALL)
	SELECT grp, day, sum(n) OVER (PARTITION BY grp ORDER BY day) FROM daily ORDER BY grp, day`
	rows, err := p.Q().QueryContext(ctx, q, campaign)
	if err != nil {
		return nil, i18n.Errorf("cannot build the timeline: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	out := map[string][]Point{}
	for rows.Next() {
		var g string
		var pt Point
		if err := rows.Scan(&g, &pt.Day, &pt.Value); err != nil {
			return nil, err
		}
		out[g] = append(out[g], pt)
	}
	return out, rows.Err()
}

// Delete removes a campaign, its delivery log and its events.
func Delete(ctx context.Context, p *storage.Project, name string) error {
	if _, err := Get(ctx, p, name); err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		for _, t := range []string{"mb_campaign_events", "mb_deliveries"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE campaign = ?`, name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_campaigns WHERE name = ?`, name); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "delete campaign", name, -1, -1, "")
	})
}
