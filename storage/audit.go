package storage

import (
	"context"
	"database/sql"
	"time"
)

// AuditEntry is one change to user data.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Who        string
	Action     string
	Target     string
	RowsBefore sql.NullInt64
	RowsAfter  sql.NullInt64
	Detail     string
}

// Audit records a change inside the caller's transaction, so the record and
// the change commit together. Pass -1 for an unknown row count.
func (p *Project) Audit(ctx context.Context, tx *Tx, action, target string, before, after int64, detail string) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO mb_audit (who, action, target, rows_before, rows_after, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		p.user, action, target, nullCount(before), nullCount(after), detail)
	return err
}

func nullCount(n int64) any {
	if n < 0 {
		return nil
	}
	return n
}

// AuditLog lists the most recent changes first.
func (p *Project) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := p.q.QueryContext(ctx,
		`SELECT id, changed_at, who, action, target, rows_before, rows_after, coalesce(detail, '') FROM mb_audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Who, &e.Action, &e.Target, &e.RowsBefore, &e.RowsAfter, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
