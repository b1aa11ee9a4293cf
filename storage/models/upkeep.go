package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// Reference is a model's stored training distributions (the JSON of
// core's reference) and when they were stored; nil JSON when the model has
// none (trained before drift monitoring, or by a plugin).
func Reference(ctx context.Context, p *storage.Project, model string) (json.RawMessage, time.Time, error) {
	var s string
	var at time.Time
	err := p.Q().QueryRowContext(ctx, `SELECT reference_json, created_at FROM mb_model_reference WHERE lower(model) = lower(?)`, model).Scan(&s, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return json.RawMessage(s), at, nil
}

// saveReference replaces a model's reference (none when ref is nil) and
// forgets its last drift, which was measured against the old one.
func saveReference(ctx context.Context, tx *storage.Tx, model string, ref json.RawMessage) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mb_model_reference WHERE lower(model) = lower(?)`, model); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mb_model_upkeep SET drift_at = NULL, drift_data = NULL, drift_json = NULL WHERE lower(model) = lower(?)`, model); err != nil {
		return err
	}
	if ref == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mb_model_reference (model, reference_json) VALUES (?, ?)`, model, string(ref))
	return err
}

// forgetUpkeep removes everything kept about a deleted model's upkeep.
func forgetUpkeep(ctx context.Context, tx *storage.Tx, model string) error {
	for _, t := range []string{"mb_model_reference", "mb_model_history", "mb_model_upkeep"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE lower(model) = lower(?)`, model); err != nil {
			return err
		}
	}
	return nil
}

// Comparison is one champion/challenger run, as kept in the history.
type Comparison struct {
	Model string
	At    time.Time
	// Metric is "auc" (higher is better) or "rmse" (lower is better);
	// Champion and Challenger are NaN when one could not be measured.
	Metric               string
	Champion, Challenger float64
	MinGain              float64
	// Holdout says which rows were held out ("recent" or "random").
	Holdout                string
	HoldoutRows, TrainRows int64
	Promoted               bool
	Reason                 string
	Cause                  string // "manual" or "schedule"
}

// AddComparison keeps one comparison, in tx when the caller has one.
func AddComparison(ctx context.Context, tx *storage.Tx, c Comparison) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mb_model_history (model, ran_at, metric, champion, challenger, min_gain, holdout, holdout_rows, train_rows, promoted, reason, cause)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Model, c.At.UTC(), c.Metric, nullNaN(c.Champion), nullNaN(c.Challenger), c.MinGain,
		c.Holdout, c.HoldoutRows, c.TrainRows, c.Promoted, c.Reason, c.Cause)
	return err
}

func nullNaN(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// History lists a model's comparisons, newest first.
func History(ctx context.Context, p *storage.Project, model string) ([]Comparison, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT model, ran_at, metric, champion, challenger, min_gain, holdout, holdout_rows, train_rows, promoted, reason, cause
		FROM mb_model_history WHERE lower(model) = lower(?) ORDER BY ran_at DESC, id DESC`, model)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comparison
	for rows.Next() {
		var c Comparison
		var champ, chall sql.NullFloat64
		if err := rows.Scan(&c.Model, &c.At, &c.Metric, &champ, &chall, &c.MinGain, &c.Holdout, &c.HoldoutRows, &c.TrainRows, &c.Promoted, &c.Reason, &c.Cause); err != nil {
			return nil, err
		}
		c.Champion, c.Challenger = nanIfNull(champ), nanIfNull(chall)
		out = append(out, c)
	}
	return out, rows.Err()
}

func nanIfNull(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}

// Upkeep is what is kept per model between upkeep runs.
type Upkeep struct {
	Model string
	// Schedule is the retraining cron expression ("" for none), set at
	// ScheduleSetAt; LastRetrainAt is the last scheduled or manual retrain.
	Schedule                     string
	ScheduleSetAt, LastRetrainAt time.Time
	// DriftAt is when the latest drift (DriftJSON) was computed, on data
	// whose fingerprint was DriftData.
	DriftAt   time.Time
	DriftData string
	DriftJSON json.RawMessage
}

// Upkeeps returns the kept upkeep of every model that has any, by
// lower-case model name: one query, so a runner's tick stays cheap.
func Upkeeps(ctx context.Context, p *storage.Project) (map[string]Upkeep, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT model, coalesce(schedule, ''), schedule_set_at, last_retrain_at, drift_at, coalesce(drift_data, ''), coalesce(drift_json, '')
		FROM mb_model_upkeep`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Upkeep{}
	for rows.Next() {
		var u Upkeep
		var set, last, at sql.NullTime
		var dj string
		if err := rows.Scan(&u.Model, &u.Schedule, &set, &last, &at, &u.DriftData, &dj); err != nil {
			return nil, err
		}
		u.ScheduleSetAt, u.LastRetrainAt, u.DriftAt = set.Time, last.Time, at.Time
		if dj != "" {
			u.DriftJSON = json.RawMessage(dj)
		}
		out[strings.ToLower(u.Model)] = u
	}
	return out, rows.Err()
}

// ensureUpkeep makes the model's upkeep row exist.
func ensureUpkeep(ctx context.Context, tx *storage.Tx, model string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mb_model_upkeep (model) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM mb_model_upkeep WHERE lower(model) = lower(?))`, model, model)
	return err
}

// SetSchedule stores a model's retraining schedule ("" turns it off),
// audited.
func SetSchedule(ctx context.Context, p *storage.Project, model, expr string, at time.Time) error {
	return p.Tx(ctx, func(tx *storage.Tx) error {
		if err := ensureUpkeep(ctx, tx, model); err != nil {
			return err
		}
		var s, setAt any
		if expr != "" {
			s, setAt = expr, at.UTC()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mb_model_upkeep SET schedule = ?, schedule_set_at = ? WHERE lower(model) = lower(?)`, s, setAt, model); err != nil {
			return err
		}
		detail := "retrain " + expr
		if expr == "" {
			detail = "retrain off"
		}
		return p.InTx(tx).Audit(ctx, tx, "model schedule", model, -1, -1, detail)
	})
}

// MarkRetrained records when a model was last retrained (or tried to be).
func MarkRetrained(ctx context.Context, tx *storage.Tx, model string, at time.Time) error {
	if err := ensureUpkeep(ctx, tx, model); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE mb_model_upkeep SET last_retrain_at = ? WHERE lower(model) = lower(?)`, at.UTC(), model)
	return err
}

// SaveDrift keeps a model's latest drift, when it was computed and on
// which data.
func SaveDrift(ctx context.Context, p *storage.Project, model string, at time.Time, data string, report json.RawMessage) error {
	return p.Tx(ctx, func(tx *storage.Tx) error {
		if err := ensureUpkeep(ctx, tx, model); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE mb_model_upkeep SET drift_at = ?, drift_data = ?, drift_json = ? WHERE lower(model) = lower(?)`,
			at.UTC(), data, string(report), model)
		return err
	})
}

// DataFingerprint is a cheap summary of tables that changes when their
// rows do: each table's row count and its latest audited change. It lets
// upkeep skip drift when nothing changed.
func DataFingerprint(ctx context.Context, p *storage.Project, tables ...string) (string, error) {
	var b strings.Builder
	for _, t := range tables {
		if t == "" {
			continue
		}
		ok, err := p.TableExists(ctx, t)
		if err != nil {
			return "", err
		}
		if !ok {
			fmt.Fprintf(&b, "%s:none;", strings.ToLower(t))
			continue
		}
		var n, last int64
		if err := p.Q().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM `+storage.Quote(t)+`), coalesce((SELECT max(id) FROM mb_audit WHERE lower(target) = lower(?)), 0)`, t).Scan(&n, &last); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s:%d:%d;", strings.ToLower(t), n, last)
	}
	return b.String(), nil
}

// References returns when each model's reference was stored, by
// lower-case model name: which models drift can be measured for.
func References(ctx context.Context, p *storage.Project) (map[string]time.Time, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT model, created_at FROM mb_model_reference`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var m string
		var at time.Time
		if err := rows.Scan(&m, &at); err != nil {
			return nil, err
		}
		out[strings.ToLower(m)] = at
	}
	return out, rows.Err()
}

// SaveReference stores a model's reference on its own, for a model that
// had none (trained before drift monitoring).
func SaveReference(ctx context.Context, p *storage.Project, model string, ref json.RawMessage) error {
	return p.Tx(ctx, func(tx *storage.Tx) error { return saveReference(ctx, tx, model, ref) })
}
