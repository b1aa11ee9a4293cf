package contact

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Counted are the delivery states whose message went, or is about to go
// (or may have gone): they count towards a cap. Holdouts, exclusions and
// rejections do not.
var Counted = []string{"planned", "sending", "delivered", "retry", "unknown"}

// idsParam passes ids to DuckDB as a list expression with one ? and its
// argument: one string split there, since binding a list of 100,000
// values costs DuckDB's driver four times as long. An id holding the
// separator (chr(31), the ASCII unit separator: never in practice) takes
// the slow way.
func idsParam(ids []string) (expr string, arg any) {
	joined := strings.Join(ids, "\x1f")
	if strings.Count(joined, "\x1f") != len(ids)-1 {
		return `?::VARCHAR[]`, ids
	}
	return `string_split(?, chr(31))`, joined
}

// Capped returns, for each customer in ids who is already at a frequency cap
// at now for a message on channel, why they get nothing ("frequency cap:
// at most 1 message per 24 h on this channel"; stored in English, see
// Words). A message counts at the time it was sent, or while it waits, at
// the time it was planned; it counts for its own channel's caps and for
// the caps over every channel.
func (pol *Policy) Capped(ctx context.Context, p *storage.Project, channel string, ids []string, now time.Time) (map[string]string, error) {
	return pol.CappedExcept(ctx, p, "", channel, ids, now)
}

// CappedExcept is Capped without counting the deliveries of campaign except
// (a campaign checked again after it was planned must not count itself).
func (pol *Policy) CappedExcept(ctx context.Context, p *storage.Project, except, channel string, ids []string, now time.Time) (map[string]string, error) {
	// The channel's own caps first: their reason says more.
	var caps []Cap
	for _, c := range pol.Caps {
		if c.Channel != "" && c.Channel == channel {
			caps = append(caps, c)
		}
	}
	for _, c := range pol.Caps {
		if c.Channel == "" {
			caps = append(caps, c)
		}
	}
	out := map[string]string{}
	if len(caps) == 0 || len(ids) == 0 {
		return out, nil
	}
	now = now.UTC()
	oldest := now
	var cols, either []string
	var args []any
	for i, c := range caps {
		from := now.Add(-time.Duration(c.Hours) * time.Hour)
		if from.Before(oldest) {
			oldest = from
		}
		cond := "t > ?::TIMESTAMP"
		args = append(args, from)
		if c.Channel != "" {
			cond += " AND channel = ?"
			args = append(args, c.Channel)
		}
		cols = append(cols, fmt.Sprintf("count(*) FILTER (WHERE %s) >= %d AS c%d", cond, c.Max, i))
		either = append(either, fmt.Sprintf("c%d", i))
	}
	states := make([]string, len(Counted))
	for i, s := range Counted {
		states[i] = storage.Literal(s)
	}
	idList, idArg := idsParam(ids)
	args = append(args, except, oldest, idArg)
	// One pass over the log's recent rows, joined with the ids: fast for
	// a hundred thousand customers, unlike a query per customer.
	q := `SELECT * FROM (SELECT customer_id, ` + strings.Join(cols, ", ") + `
		FROM (SELECT customer_id, channel, coalesce(sent_at, planned_at) AS t FROM mb_deliveries
			WHERE status IN (` + strings.Join(states, ", ") + `) AND campaign <> ? AND coalesce(sent_at, planned_at) > ?::TIMESTAMP)
		WHERE customer_id IN (SELECT unnest(` + idList + `)) GROUP BY customer_id) WHERE ` + strings.Join(either, " OR ")
	rows, err := p.Q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, i18n.Errorf("cannot count the messages for the frequency caps: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	hit := make([]bool, len(caps))
	dest := make([]any, len(caps)+1)
	var id string
	dest[0] = &id
	for i := range hit {
		dest[i+1] = &hit[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, h := range hit {
			if h {
				out[id] = caps[i].Reason()
				break
			}
		}
	}
	return out, rows.Err()
}
