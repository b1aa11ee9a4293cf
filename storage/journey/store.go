package journey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
)

// Journey states.
const (
	Active = "active"
	Paused = "paused"
)

// campaign is the send step as a campaign: the channel and content of the
// step under the delivery-log name given. Journeys split by their own
// split steps, so the campaign has no holdout.
func (s *Step) campaign(j *Journey, name string) *campaign.Campaign {
	return &campaign.Campaign{
		Name: name, Segment: "journey " + j.Name, Table: j.Table,
		Plugin: s.Plugin, Component: s.Component, Config: s.Config,
		Variants: s.Variants, Idempotent: s.Idempotent, RatePerMinute: s.RatePerMinute,
	}
}

// Resolve is the campaign a send step sends as (under the delivery-log name
// of its first visit): its own channel and content, or those of the saved
// campaign it names.
func (s *Step) Resolve(ctx context.Context, p *storage.Project, j *Journey) (*campaign.Campaign, error) {
	if s.Campaign == "" {
		return s.campaign(j, DeliveryName(j.Name, s.ID, 1)), nil
	}
	in, err := campaign.Get(ctx, p, s.Campaign)
	if err != nil {
		return nil, err
	}
	c := in.Campaign
	c.Name, c.Segment, c.Rule, c.Table, c.HoldoutPercent = DeliveryName(j.Name, s.ID, 1), "journey "+j.Name, "", j.Table, 0
	return &c, nil
}

// Info is a stored journey with its state.
type Info struct {
	Journey
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Save stores a journey that Validate accepted (the caller validates: it
// also checks channels). A journey with customers in it keeps them: steps
// they stand on must still exist.
func Save(ctx context.Context, p *storage.Project, j *Journey, replace bool, now time.Time) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mb_journeys WHERE name = ?`, j.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 && !replace {
			return i18n.Errorf("a journey named %q already exists", j.Name)
		}
		if n > 0 {
			rows, err := tx.QueryContext(ctx, `SELECT DISTINCT step FROM mb_journey_entries WHERE journey = ? AND status = 'active'`, j.Name)
			if err != nil {
				return err
			}
			var missing []string
			for rows.Next() {
				var s string
				rows.Scan(&s)
				if j.Step(s) == nil {
					missing = append(missing, s)
				}
			}
			rows.Close()
			if len(missing) > 0 {
				return i18n.Errorf("customers are waiting at step %q, which the new version removes; keep the step or delete the journey and create it again", missing[0])
			}
			_, err = tx.ExecContext(ctx, `UPDATE mb_journeys SET spec_json = ?, updated_at = ? WHERE name = ?`, string(b), now.UTC(), j.Name)
			if err != nil {
				return err
			}
			return p.InTx(tx).Audit(ctx, tx, "journey", j.Name, -1, -1, "changed")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_journeys (name, spec_json, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`,
			j.Name, string(b), now.UTC(), now.UTC()); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "journey", j.Name, -1, -1, "created")
	})
}

// Get returns a stored journey.
func Get(ctx context.Context, p *storage.Project, name string) (*Info, error) {
	var spec string
	var in Info
	err := p.Q().QueryRowContext(ctx, `SELECT spec_json, status, created_at, updated_at FROM mb_journeys WHERE name = ?`, name).
		Scan(&spec, &in.Status, &in.CreatedAt, &in.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, i18n.Errorf("no journey named %q; see 'journey list'", name)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(spec), &in.Journey); err != nil {
		return nil, i18n.Errorf("journey %q is damaged: %v", name, err)
	}
	return &in, nil
}

// List returns every journey by name.
func List(ctx context.Context, p *storage.Project) ([]Info, error) {
	// One query: the runner lists the journeys on every tick.
	rows, err := p.Q().QueryContext(ctx, `SELECT name, spec_json, status, created_at, updated_at FROM mb_journeys ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Info
	for rows.Next() {
		var name, spec string
		var in Info
		if err := rows.Scan(&name, &spec, &in.Status, &in.CreatedAt, &in.UpdatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(spec), &in.Journey); err != nil {
			return nil, i18n.Errorf("journey %q is damaged: %v", name, err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// SetStatus pauses or resumes a journey. A paused journey takes nobody in
// and moves nobody on; its customers wait where they are.
func SetStatus(ctx context.Context, p *storage.Project, name, status string, now time.Time) error {
	if _, err := Get(ctx, p, name); err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mb_journeys SET status = ?, updated_at = ? WHERE name = ?`, status, now.UTC(), name); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "journey", name, -1, -1, status)
	})
}

// Delete removes a journey and its customers' state. Its deliveries stay
// in the delivery log: they happened.
func Delete(ctx context.Context, p *storage.Project, name string) error {
	if _, err := Get(ctx, p, name); err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		for _, t := range []string{"mb_journey_entries", "mb_journey_log", "mb_journey_seen", "mb_journey_state", "mb_journeys"} {
			col := "journey"
			if t == "mb_journeys" {
				col = "name"
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE `+col+` = ?`, name); err != nil {
				return err
			}
		}
		return p.InTx(tx).Audit(ctx, tx, "journey", name, -1, -1, "deleted")
	})
}

// State reads one of the runner's notes about a journey (when a schedule
// last fired, which day a date trigger last ran…); "" when unset.
func State(ctx context.Context, q storage.Querier, journey, name string) (string, error) {
	var v sql.NullString
	err := q.QueryRowContext(ctx, `SELECT value FROM mb_journey_state WHERE journey = ? AND name = ?`, journey, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v.String, err
}

// SetState writes one of the runner's notes, in the caller's transaction.
func SetState(ctx context.Context, q storage.Querier, journey, name, value string) error {
	_, err := q.ExecContext(ctx, `INSERT OR REPLACE INTO mb_journey_state (journey, name, value) VALUES (?, ?, ?)`, journey, name, value)
	return err
}
