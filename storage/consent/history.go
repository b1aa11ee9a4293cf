package consent

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// History lists the customers' consent events, oldest first per channel.
func History(ctx context.Context, p *storage.Project, ids ...string) ([]Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT id, customer_id, channel, granted, "at", source, coalesce(proof, ''), recorded_at
		FROM mb_consent_events WHERE customer_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)
		ORDER BY customer_id, CASE channel WHEN 'email_consent' THEN 1 WHEN 'sms_consent' THEN 2 WHEN 'wechat_follower' THEN 3 ELSE 4 END, "at", id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var ch string
		if err := rows.Scan(&e.ID, &e.CustomerID, &ch, &e.Granted, &e.At, &e.Source, &e.Proof, &e.RecordedAt); err != nil {
			return nil, err
		}
		e.Channel = storage.Role(ch)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Current is each channel's latest event in a history (History's order).
func Current(events []Event) map[storage.Role]Event {
	out := map[storage.Role]Event{}
	for _, e := range events {
		out[e.Channel] = e
	}
	return out
}

// Total counts the events of one channel from one source.
type Total struct {
	Channel   storage.Role
	Source    string
	Events    int64
	Granted   int64
	Withdrawn int64
	Customers int64
	Last      time.Time
}

// Totals counts the events per channel and source.
func Totals(ctx context.Context, p *storage.Project) ([]Total, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT channel, source, count(*), count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted),
		count(DISTINCT customer_id), max("at") FROM mb_consent_events GROUP BY channel, source
		ORDER BY CASE channel WHEN 'email_consent' THEN 1 WHEN 'sms_consent' THEN 2 WHEN 'wechat_follower' THEN 3 ELSE 4 END, source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		var t Total
		var ch string
		if err := rows.Scan(&ch, &t.Source, &t.Events, &t.Granted, &t.Withdrawn, &t.Customers, &t.Last); err != nil {
			return nil, err
		}
		t.Channel = storage.Role(ch)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Snapshot is a customer table's consent before an ordinary import, so the
// import can record the changes it makes as events.
type Snapshot struct {
	table string
	temp  string // "" when the table had no consent to compare with
}

// stateQuery reads a table's consent per customer and channel as a send
// sees it (the customer's first row); "" when the table has no customer
// id or no consent column.
func stateQuery(ctx context.Context, p *storage.Project, table string) (string, error) {
	tables, err := customerTables(ctx, p)
	if err != nil {
		return "", err
	}
	for _, t := range tables {
		if t.name != table {
			continue
		}
		var parts []string
		for _, ch := range Channels {
			if col := t.consent[ch]; col != "" {
				parts = append(parts, `SELECT `+idSQL(storage.Quote(t.id))+` AS customer_id, `+storage.Literal(string(ch))+` AS channel, first(`+
					stateSQL(storage.Quote(col))+` ORDER BY rowid) AS granted FROM `+storage.Quote(t.name)+` WHERE `+storage.Quote(t.id)+` IS NOT NULL GROUP BY 1`)
			}
		}
		return strings.Join(parts, " UNION ALL "), nil
	}
	return "", nil
}

// Before keeps the table's consent state; p is the project inside the
// import's transaction tx, before the import changes the table.
func Before(ctx context.Context, p *storage.Project, tx *storage.Tx, table string) (*Snapshot, error) {
	s := &Snapshot{table: table}
	exists, err := p.TableExists(ctx, table)
	if err != nil || !exists {
		return s, err
	}
	q, err := stateQuery(ctx, p, table)
	if err != nil || q == "" {
		return s, err
	}
	s.temp = fmt.Sprintf("mb_consent_before_%d", time.Now().UnixNano())
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE `+s.temp+` AS `+q); err != nil {
		return nil, err
	}
	return s, nil
}

// After records an event for each customer whose consent the import set or
// changed, with the import as its source, timed at (the file's time: the
// values are as of the export), and drops the snapshot. Run it once the
// import's rows and roles are in place.
func (s *Snapshot) After(ctx context.Context, p *storage.Project, tx *storage.Tx, source, proof string, at time.Time) (int64, error) {
	if s.temp != "" {
		defer tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+s.temp)
	}
	q, err := stateQuery(ctx, p, s.table)
	if err != nil || q == "" {
		return 0, err
	}
	before := `(SELECT NULL::VARCHAR AS customer_id, NULL::VARCHAR AS channel, NULL::BOOLEAN AS granted WHERE false)`
	if s.temp != "" {
		before = s.temp
	}
	now := time.Now().UTC()
	if at.IsZero() || at.After(now) {
		at = now
	}
	at = at.UTC().Truncate(time.Second)
	res, err := tx.ExecContext(ctx, `INSERT INTO mb_consent_events (id, customer_id, channel, granted, "at", source, proof, recorded_at)
		SELECT nextval('mb_seq'), a.customer_id, a.channel, a.granted, ?, ?, ?, ? FROM (`+q+`) a
		LEFT JOIN `+before+` b ON a.customer_id = b.customer_id AND a.channel = b.channel
		WHERE a.granted IS NOT NULL AND a.customer_id <> '' AND b.granted IS DISTINCT FROM a.granted`, at, source, proof, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
