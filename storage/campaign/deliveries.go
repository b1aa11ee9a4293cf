package campaign

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// Planned reports whether the campaign's audience is already in the
// delivery log: it is frozen at the first live send, so a resume sends to
// the same people.
func IsPlanned(ctx context.Context, p *storage.Project, campaign string) (bool, error) {
	var n int
	err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries WHERE campaign = ?`, campaign).Scan(&n)
	return n > 0, err
}

// Plan writes one delivery row per recipient (planned, holdout or
// excluded with its reason) in one transaction. Rows that exist are kept.
func Plan(ctx context.Context, p *storage.Project, c *Campaign, rs []Recipient) error {
	f, err := os.CreateTemp("", "mb-plan-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriter(f)
	w.WriteString("customer_id,variant,idempotency_key,status,reason\n")
	for _, r := range rs {
		if strings.TrimSpace(r.CustomerID) == "" {
			continue // nobody to log (Audience excludes them)
		}
		status, variant := Planned, r.Group
		switch {
		case r.Excluded != "":
			status, variant = Excluded, ""
		case r.Group == Holdout:
			status = Holdout
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", csvQ(r.CustomerID), csvQ(variant), IdempotencyKey(c.Name, r.CustomerID), status, csvQ(r.Excluded))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	f.Close()
	src := `read_csv(` + storage.Literal(f.Name()) + `, header = true, quote = '"', escape = '"', all_varchar = true)`
	return p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_deliveries (campaign, customer_id, variant, idempotency_key, status, reason)
			SELECT ?, customer_id, coalesce(variant, ''), idempotency_key, status, nullif(reason, '') FROM `+src+` ON CONFLICT DO NOTHING`, c.Name); err != nil {
			return fmt.Errorf("cannot plan the deliveries: %s", storage.FirstLine(err.Error()))
		}
		return p.InTx(tx).Audit(ctx, tx, "campaign plan", c.Name, -1, int64(len(rs)), "audience frozen")
	})
}

func csvQ(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// Delivery is one row of the log that is due.
type Delivery struct {
	CustomerID, Variant, Key string
	Attempts                 int
}

// Due returns up to n deliveries to send now: planned ones, and retries
// whose wait is over, in customer order.
func Due(ctx context.Context, p *storage.Project, campaign string, n int, now time.Time) ([]Delivery, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT customer_id, variant, idempotency_key, attempts FROM mb_deliveries
		WHERE campaign = ? AND (status = 'planned' OR (status = 'retry' AND next_at <= ?)) ORDER BY customer_id LIMIT ?`, campaign, now.UTC(), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.CustomerID, &d.Variant, &d.Key, &d.Attempts); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextRetry is when the earliest waiting retry is due (zero if none).
func NextRetry(ctx context.Context, p *storage.Project, campaign string) (time.Time, error) {
	var t *time.Time
	err := p.Q().QueryRowContext(ctx, `SELECT min(next_at) FROM mb_deliveries WHERE campaign = ? AND status = 'retry'`, campaign).Scan(&t)
	if t == nil {
		return time.Time{}, err
	}
	return *t, err
}

// MarkSending records, before anything is sent, that these deliveries are
// about to go: committed first, so a crash can never hide a send.
func MarkSending(ctx context.Context, p *storage.Project, campaign string, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = storage.Literal(d.CustomerID)
	}
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = current_timestamp
		WHERE campaign = ? AND customer_id IN (`+strings.Join(ids, ",")+`)`, campaign)
	return err
}

// Outcome is what became of one delivery.
type Outcome struct {
	CustomerID string
	Status     string // Delivered, Retry, Rejected, Excluded
	ProviderID string
	Reason     string
	NextAt     time.Time // Retry
}

// Record stores outcomes in one statement (one transaction).
func Record(ctx context.Context, p *storage.Project, campaign string, os []Outcome) error {
	if len(os) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{}
	for i, o := range os {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?::TIMESTAMP)")
		var next any
		if o.Status == Retry {
			next = o.NextAt.UTC()
		}
		args = append(args, o.CustomerID, o.Status, o.ProviderID, o.Reason, next)
	}
	args = append(args, campaign)
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = v.status, provider_id = nullif(v.provider_id, ''), reason = nullif(v.reason, ''),
		next_at = v.next_at, sent_at = CASE WHEN v.status = 'delivered' THEN current_timestamp ELSE mb_deliveries.sent_at END, updated_at = current_timestamp
		FROM (VALUES `+b.String()+`) v(customer_id, status, provider_id, reason, next_at)
		WHERE mb_deliveries.campaign = ? AND mb_deliveries.customer_id = v.customer_id`, args...)
	return err
}

// Recover settles deliveries left "sending" by a crash: with a channel that
// honours idempotency keys they are sent again under the same key (the
// provider drops a duplicate); otherwise they become "unknown", for the user
// to check, since sending again could reach someone twice.
//
// A delivery that has used up its attempts this way is given up
// (rejected): a message the plugin keeps failing on must not stall the
// campaign for ever.
func Recover(ctx context.Context, p *storage.Project, c *Campaign) (int, error) {
	status, reason := Planned, ""
	if !c.Idempotent {
		status, reason = Unknown, "the app or the plugin stopped while this message was being sent; it may or may not have gone out"
	}
	var n int64
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mb_deliveries SET status = 'rejected', updated_at = current_timestamp,
			reason = 'gave up after ' || attempts || ' attempts: the plugin stopped or did not answer while sending it'
			WHERE campaign = ? AND status = 'sending' AND attempts >= ?`, c.Name, c.maxAttempts())
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE mb_deliveries SET status = ?, reason = nullif(?, ''), updated_at = current_timestamp
			WHERE campaign = ? AND status = 'sending'`, status, reason, c.Name)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n = k + m
		return nil
	})
	return int(n), err
}

// Refund takes back the attempt counted for deliveries that were marked
// sending but never reached the plugin (it stopped on an earlier message),
// so they are not given up for another message's fault.
func Refund(ctx context.Context, p *storage.Project, campaign string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	lits := make([]string, len(ids))
	for i, id := range ids {
		lits[i] = storage.Literal(id)
	}
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET attempts = greatest(attempts - 1, 0)
		WHERE campaign = ? AND status = 'sending' AND customer_id IN (`+strings.Join(lits, ",")+`)`, campaign)
	return err
}

// Counts tallies the delivery log: status → count, and per variant.
type Counts struct {
	Total     int
	ByStatus  map[string]int
	ByVariant map[string]map[string]int
	// Reasons counts exclusions and rejections by reason.
	Reasons map[string]int
}

// Count reads the delivery log's tallies.
func Count(ctx context.Context, p *storage.Project, campaign string) (*Counts, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT variant, status, coalesce(reason, ''), count(*) FROM mb_deliveries WHERE campaign = ? GROUP BY ALL`, campaign)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &Counts{ByStatus: map[string]int{}, ByVariant: map[string]map[string]int{}, Reasons: map[string]int{}}
	for rows.Next() {
		var v, s, why string
		var n int
		if err := rows.Scan(&v, &s, &why, &n); err != nil {
			return nil, err
		}
		c.Total += n
		c.ByStatus[s] += n
		if v != "" {
			if c.ByVariant[v] == nil {
				c.ByVariant[v] = map[string]int{}
			}
			c.ByVariant[v][s] += n
		}
		if why != "" && (s == Excluded || s == Rejected || s == Unknown) {
			c.Reasons[why] += n
		}
	}
	return c, rows.Err()
}
