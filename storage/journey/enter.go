package journey

import (
	"context"
	"fmt"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Why a customer the trigger picked did not enter (stored in English).
var (
	reasonInJourney  = i18n.Mark("already in the journey")
	reasonOnce       = i18n.Mark("entered before (once ever)")
	reasonRecently   = i18n.Mark("entered within the re-entry period")
	reasonDailyLimit = i18n.Mark("the journey's daily limit was reached")
)

// enter adds the customers of ids (a SELECT of customer_id) to the journey
// at now, in the caller's transaction, after the re-entry policy and the
// daily limit; who was turned away is logged with the reason. It returns
// how many entered.
func enter(ctx context.Context, q storage.Querier, j *Journey, ids string, args []any, now time.Time, loc *time.Location) (int64, error) {
	first := j.Steps[0].ID
	// The candidates first, then the entries of those candidates only: a
	// journey with many customers in it is not read whole for a few.
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jids AS
		SELECT DISTINCT CAST(customer_id AS VARCHAR) AS customer_id FROM (`+ids+`) WHERE customer_id IS NOT NULL`, args...); err != nil {
		return 0, i18n.Errorf("journey %q: cannot read who enters: %s", j.Name, storage.FirstLine(err.Error()))
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jids`)
	var cands int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM mb_jids`).Scan(&cands); err != nil || cands == 0 {
		return 0, err
	}
	if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE mb_jcand AS
		SELECT c.customer_id, e.last_entry, e.last_at, coalesce(e.active, false) AS active, NULL::VARCHAR AS reason FROM mb_jids c
		LEFT JOIN (SELECT customer_id, max(entry) AS last_entry, max(entered_at) AS last_at, bool_or(status = 'active') AS active
			FROM mb_journey_entries WHERE journey = `+storage.Literal(j.Name)+` AND customer_id IN (SELECT customer_id FROM mb_jids)
			GROUP BY customer_id) e USING (customer_id)`); err != nil {
		return 0, err
	}
	defer q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS mb_jcand`)
	// The reason each candidate is turned away, if any.
	reason := `CASE WHEN active THEN ` + storage.Literal(reasonInJourney)
	switch j.Reentry.Policy {
	case "", Once:
		reason += ` WHEN last_entry IS NOT NULL THEN ` + storage.Literal(reasonOnce)
	case After:
		reason += fmt.Sprintf(` WHEN last_at > %s::TIMESTAMP - INTERVAL %d DAY THEN %s`, storage.Literal(now.UTC().Format(time.DateTime)), j.Reentry.Days, storage.Literal(reasonRecently))
	}
	reason += ` END`
	if _, err := q.ExecContext(ctx, `UPDATE mb_jcand SET reason = `+reason); err != nil {
		return 0, err
	}
	if j.DailyLimit > 0 {
		lt := now.In(loc)
		day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
		var today int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM mb_journey_entries WHERE journey = ? AND entered_at >= ? AND entered_at < ?`,
			j.Name, day.UTC(), day.AddDate(0, 0, 1).UTC()).Scan(&today); err != nil {
			return 0, err
		}
		room := max(0, int64(j.DailyLimit)-today)
		if _, err := q.ExecContext(ctx, `UPDATE mb_jcand SET reason = ? WHERE reason IS NULL AND customer_id NOT IN
			(SELECT customer_id FROM mb_jcand WHERE reason IS NULL ORDER BY customer_id LIMIT ?)`, reasonDailyLimit, room); err != nil {
			return 0, err
		}
	}
	at := now.UTC()
	if _, err := q.ExecContext(ctx, `INSERT INTO mb_journey_log (journey, customer_id, entry, step, event, detail, logged_at)
		SELECT ?, customer_id, coalesce(last_entry, 0), '', 'skipped', reason, ? FROM mb_jcand WHERE reason IS NOT NULL`, j.Name, at); err != nil {
		return 0, err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO mb_journey_entries (journey, customer_id, entry, step, due_at, status, entered_at, updated_at)
		SELECT ?, customer_id, coalesce(last_entry, 0) + 1, ?, ?, 'active', ?, ? FROM mb_jcand WHERE reason IS NULL`, j.Name, first, at, at, at)
	if err != nil {
		return 0, i18n.Errorf("journey %q: cannot enter customers: %s", j.Name, storage.FirstLine(err.Error()))
	}
	n, _ := res.RowsAffected()
	if _, err := q.ExecContext(ctx, `INSERT INTO mb_journey_log (journey, customer_id, entry, step, event, detail, logged_at)
		SELECT ?, customer_id, coalesce(last_entry, 0) + 1, ?, 'entered', NULL, ? FROM mb_jcand WHERE reason IS NULL`, j.Name, first, at); err != nil {
		return 0, err
	}
	return n, nil
}
