package segment

import (
	"context"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// CreateList saves a segment whose members are exactly ids (kind 'list';
// rule_text holds the description, e.g. "the 500 customers most likely to
// buy 85123A"). table is the table the ids are customers of. Empty and
// repeated ids are dropped; no ids at all make an empty segment. An
// existing segment of the same name is replaced.
func CreateList(ctx context.Context, p *storage.Project, name, table, description string, ids []string) (*Segment, error) {
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	if name == "" {
		return nil, i18n.Errorf("give the segment a name")
	}
	if _, isRFM := rfmSegmentNames()[name]; isRFM {
		return nil, i18n.Errorf("%q is an RFM segment name; choose another name", name)
	}
	if strings.TrimSpace(table) == "" {
		return nil, i18n.Errorf("choose the table the segment is drawn from")
	}
	if ok, err := p.TableExists(ctx, table); err != nil {
		return nil, err
	} else if !ok {
		return nil, i18n.Errorf("no table named %q", table)
	}
	keep := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			keep = append(keep, id)
		}
	}
	s := &Segment{Name: name, Table: table, Kind: KindList, Description: description, Size: int64(len(keep)), EvaluatedAt: time.Now()}
	// The segment and its members are one change: a failure keeps the old one.
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		var before int64
		tx.QueryRowContext(ctx, `SELECT count(*) FROM mb_segment_members WHERE segment = ?`, name).Scan(&before)
		for _, q := range []string{`DELETE FROM mb_segments WHERE name = ?`, `DELETE FROM mb_segment_members WHERE segment = ?`} {
			if _, err := tx.ExecContext(ctx, q, name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_segments (name, kind, base_table, rule_text, size, evaluated_at) VALUES (?, 'list', ?, ?, ?, ?)`,
			name, table, description, s.Size, s.EvaluatedAt); err != nil {
			return err
		}
		// One statement per chunk of ids rather than one per id: a list
		// can hold hundreds of thousands of customers.
		for len(keep) > 0 {
			n := min(len(keep), 2000)
			if _, err := tx.ExecContext(ctx, `INSERT INTO mb_segment_members SELECT ?, unnest(?::VARCHAR[])`, name, keep[:n]); err != nil {
				return i18n.Errorf("cannot save the members of %q: %s", name, storage.FirstLine(err.Error()))
			}
			keep = keep[n:]
		}
		return p.Audit(ctx, tx, "segment", name, before, s.Size, description)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
