// Package models keeps trained models in the project file and moves rows
// between the project and analytics/model: loading training and scoring
// rows, building marketing targets (churn, purchase) from the orders by
// role, and writing scores back where segment rules can use them.
package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Kinds of stored model.
const (
	Predictive = "predictive" // analytics/model
	TextModel  = "text"       // analytics/text classifiers
)

// Source says which rows a model was trained on, so it can be scored and
// retrained the same way.
type Source struct {
	Table string `json:"table"`
	// Segment, when set, keeps only the rows of its customers.
	Segment string `json:"segment,omitempty"`
	// Target, when set, means Table was built by BuildTarget with these
	// settings; scoring rebuilds its features as of the latest order.
	Target *Target `json:"target,omitempty"`
	// Column is the text column of a text model.
	Column string `json:"column,omitempty"`
	// Customer, when set, reads only that customer's rows (not stored).
	Customer string `json:"-"`
	// IDColumn names the customer id column of a table without roles (a
	// temporary table); not stored.
	IDColumn string `json:"-"`
	// Where, when set, is an SQL condition on the table's columns the rows
	// must meet, e.g. a date range for a recent holdout; not stored.
	Where string `json:"-"`
}

// Record is a stored model without its artifact.
type Record struct {
	Name      string
	Kind      string
	Algo      string
	Target    string
	Source    Source
	Spec      json.RawMessage
	Eval      json.RawMessage
	Seconds   float64
	TrainedAt time.Time
	// Reference, when set, is stored by Save as the model's training
	// distributions for drift (see Reference); Save without it removes an
	// older model's.
	Reference json.RawMessage
}

var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)

// CheckName refuses names that cannot become a score column.
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return i18n.Errorf("model name %q: use letters, digits and _ (starting with a letter, at most 40)", name)
	}
	return nil
}

// Save stores a model, replacing one of the same name when replace is set.
func Save(ctx context.Context, p *storage.Project, r Record, artifact []byte, replace bool) error {
	if err := CheckName(r.Name); err != nil {
		return err
	}
	src, err := json.Marshal(r.Source)
	if err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mb_models WHERE lower(name) = lower(?)`, r.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 && !replace {
			return i18n.Errorf("a model named %q already exists; choose another name or replace it", r.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_models WHERE lower(name) = lower(?)`, r.Name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_models (name, kind, algo, target, source_json, spec_json, eval_json, artifact, seconds)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Kind, r.Algo, r.Target, string(src), string(r.Spec), string(r.Eval), artifact, r.Seconds); err != nil {
			return err
		}
		if err := saveReference(ctx, tx, r.Name, r.Reference); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "train", r.Name, -1, -1, fmt.Sprintf("%s %s on %s", r.Algo, r.Target, r.Source.Table))
	})
}

// List returns the stored models of kind ("" for all), newest first.
func List(ctx context.Context, p *storage.Project, kind string) ([]Record, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT name, kind, algo, target, source_json, spec_json, eval_json, coalesce(seconds, 0), trained_at
		FROM mb_models WHERE ? = '' OR kind = ? ORDER BY trained_at DESC, name`, kind, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var src, spec, ev string
		if err := rows.Scan(&r.Name, &r.Kind, &r.Algo, &r.Target, &src, &spec, &ev, &r.Seconds, &r.TrainedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(src), &r.Source); err != nil {
			return nil, i18n.Errorf("model %q: damaged source: %v", r.Name, err)
		}
		r.Spec, r.Eval = json.RawMessage(spec), json.RawMessage(ev)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns one model's record and artifact.
func Get(ctx context.Context, p *storage.Project, name string) (*Record, []byte, error) {
	var r Record
	var src, spec, ev string
	var art []byte
	err := p.Q().QueryRowContext(ctx, `SELECT name, kind, algo, target, source_json, spec_json, eval_json, coalesce(seconds, 0), trained_at, artifact
		FROM mb_models WHERE lower(name) = lower(?)`, name).Scan(&r.Name, &r.Kind, &r.Algo, &r.Target, &src, &spec, &ev, &r.Seconds, &r.TrainedAt, &art)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, i18n.Errorf("no model named %q; see 'model list'", name)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal([]byte(src), &r.Source); err != nil {
		return nil, nil, i18n.Errorf("model %q: damaged source: %v", name, err)
	}
	r.Spec, r.Eval = json.RawMessage(spec), json.RawMessage(ev)
	return &r, art, nil
}

// Delete removes a model and its score column.
func Delete(ctx context.Context, p *storage.Project, name string) error {
	r, _, err := Get(ctx, p, name)
	if err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_models WHERE name = ?`, r.Name); err != nil {
			return err
		}
		if err := dropColumn(ctx, p.InTx(tx), ScoreColumn(r.Name)); err != nil {
			return err
		}
		if err := forgetUpkeep(ctx, tx, r.Name); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "delete model", r.Name, -1, -1, "")
	})
}

// ScoreColumn is the model_scores column of a model's scores.
func ScoreColumn(model string) string { return "score_" + strings.ToLower(model) }

// ClusterColumn is the model_scores column of a saved clustering.
func ClusterColumn(name string) string { return "cluster_" + strings.ToLower(name) }
