package campaign

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// Receipt events: what a channel's provider reported about a message it
// had accepted (source "receipts" in the campaign's events).
const (
	EventDelivered   = "delivered"
	EventUndelivered = "undelivered"
	receiptSource    = "receipts"
)

// ReceiptDue is a delivered message without a final receipt yet.
type ReceiptDue struct {
	CustomerID, ProviderID string
	SentAt                 time.Time
}

// ReceiptsDue lists the campaign's delivered messages that carry a
// provider id and have no receipt recorded, oldest first.
func ReceiptsDue(ctx context.Context, p *storage.Project, campaign string, limit int) ([]ReceiptDue, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT d.customer_id, d.provider_id, coalesce(d.sent_at, d.updated_at) FROM mb_deliveries d
		WHERE d.campaign = ? AND d.status = 'delivered' AND coalesce(d.provider_id, '') <> ''
		AND NOT EXISTS (SELECT 1 FROM mb_campaign_events e WHERE e.campaign = d.campaign AND e.customer_id = d.customer_id AND e.source = ?)
		ORDER BY 3, 1 LIMIT ?`, campaign, receiptSource, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReceiptDue
	for rows.Next() {
		var r ReceiptDue
		var at sql.NullTime
		if err := rows.Scan(&r.CustomerID, &r.ProviderID, &at); err != nil {
			return nil, err
		}
		r.SentAt = at.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReceiptEvent is one receipt matched to its customer.
type ReceiptEvent struct {
	CustomerID string
	Delivered  bool
	Reason     string
	At         time.Time
}

// RecordReceipts stores receipts as the campaign's events (delivered or
// undelivered, with the provider's reason), at most one per customer, in
// one transaction with an audit record. It returns how many it added.
func RecordReceipts(ctx context.Context, p *storage.Project, campaign string, rs []ReceiptEvent) (int, error) {
	n := 0
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		for _, r := range rs {
			ev := EventUndelivered
			if r.Delivered {
				ev = EventDelivered
			}
			var at any
			if !r.At.IsZero() && r.At.Unix() > 0 {
				at = r.At.UTC()
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO mb_campaign_events (campaign, customer_id, event, event_at, source, detail)
				SELECT ?, ?, ?, ?::TIMESTAMP, ?, nullif(?, '') WHERE NOT EXISTS (
					SELECT 1 FROM mb_campaign_events WHERE campaign = ? AND customer_id = ? AND source = ?)`,
				campaign, r.CustomerID, ev, at, receiptSource, ShortReason(r.Reason), campaign, r.CustomerID, receiptSource)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return p.InTx(tx).Audit(ctx, tx, "campaign receipts", campaign, -1, int64(n), "")
	})
	return n, err
}

// ReceiptCounts tallies the campaign's receipts: delivered, undelivered
// by reason.
func ReceiptCounts(ctx context.Context, p *storage.Project, campaign string) (delivered int, undelivered map[string]int, err error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT event, coalesce(detail, ''), count(*) FROM mb_campaign_events
		WHERE campaign = ? AND source = ? GROUP BY ALL`, campaign, receiptSource)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	undelivered = map[string]int{}
	for rows.Next() {
		var ev, why string
		var k int
		if err := rows.Scan(&ev, &why, &k); err != nil {
			return 0, nil, err
		}
		if ev == EventDelivered {
			delivered += k
		} else {
			undelivered[strings.TrimSpace(why)] += k
		}
	}
	return delivered, undelivered, rows.Err()
}
