package storage

import (
	"context"
	"database/sql"
	"errors"
)

// Setting reads a project setting; ok is false when it was never set.
func (p *Project) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = p.q.QueryRowContext(ctx, `SELECT value FROM mb_settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return value, err == nil, err
}

// SetSetting stores a project setting and records the change in the audit
// log, in one transaction.
func (p *Project) SetSetting(ctx context.Context, key, value string) error {
	return p.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO mb_settings (key, value) VALUES (?, ?)`, key, value); err != nil {
			return err
		}
		return p.Audit(ctx, tx, "setting", key, -1, -1, value)
	})
}
