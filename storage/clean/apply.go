package clean

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// PreviewResult is what a recipe would do, without doing it.
type PreviewResult struct {
	Effects []StepEffect
	Sample  *storage.Result // first rows after all steps
}

// Preview runs the recipe as queries only and reports each step's effect.
func Preview(ctx context.Context, p *storage.Project, table string, steps []Step, sampleRows int) (*PreviewResult, error) {
	pl, err := Compile(ctx, p, table, steps)
	if err != nil {
		return nil, err
	}
	effects, err := pl.effects(ctx, p.DB(), steps)
	if err != nil {
		return nil, err
	}
	rows, err := p.Q().QueryContext(ctx, pl.Select()+fmt.Sprintf(" LIMIT %d", sampleRows), pl.args...)
	if err != nil {
		return nil, i18n.Errorf("preview failed: %s", storage.FirstLine(err.Error()))
	}
	res, err := storage.Collect(rows, 0)
	if err != nil {
		return nil, err
	}
	return &PreviewResult{Effects: effects, Sample: res}, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// effects counts, per step, rows before/after and rows whose values changed.
func (pl *Plan) effects(ctx context.Context, q querier, steps []Step) ([]StepEffect, error) {
	with := `WITH ` + strings.Join(pl.ctes, ",\n") + ` `
	count := func(cte string) (int64, error) {
		var n int64
		err := q.QueryRowContext(ctx, with+`SELECT count(*) FROM `+cte, pl.args...).Scan(&n)
		return n, err
	}
	colsOf := func(cte string) (map[string]bool, error) {
		rows, err := q.QueryContext(ctx, `DESCRIBE `+with+`SELECT * FROM `+cte, pl.args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := map[string]bool{}
		for rows.Next() {
			var name string
			var a, b, c, d, e any
			rows.Scan(&name, &a, &b, &c, &d, &e)
			m[name] = true
		}
		return m, rows.Err()
	}
	var out []StepEffect
	prev, err := count("s0")
	if err != nil {
		return nil, err
	}
	for i, st := range steps {
		a, b := fmt.Sprintf("s%d", i), fmt.Sprintf("s%d", i+1)
		after, err := count(b)
		if err != nil {
			return nil, i18n.Errorf("step %d (%s): %s", i+1, st.Op, storage.FirstLine(err.Error()))
		}
		e := StepEffect{Step: st, RowsBefore: prev, RowsAfter: after}
		ca, err := colsOf(a)
		if err != nil {
			return nil, err
		}
		cb, err := colsOf(b)
		if err != nil {
			return nil, err
		}
		var diffs []string
		for c := range cb {
			if c == rowCol {
				continue
			}
			if ca[c] {
				// As text: a cast step changes the type, and comparing across
				// types would fail on values the cast turned empty.
				diffs = append(diffs, fmt.Sprintf(`CAST(x.%[1]s AS VARCHAR) IS DISTINCT FROM CAST(y.%[1]s AS VARCHAR)`, storage.Quote(c)))
			} else {
				diffs = append(diffs, fmt.Sprintf(`y.%s IS NOT NULL`, storage.Quote(c)))
			}
		}
		if after != prev {
			e.Changed = prev - after
		} else if len(diffs) > 0 {
			err := q.QueryRowContext(ctx, with+fmt.Sprintf(`SELECT count(*) FROM %s x JOIN %s y USING (%s) WHERE %s`,
				a, b, rowCol, strings.Join(diffs, " OR ")), pl.args...).Scan(&e.Changed)
			if err != nil {
				return nil, i18n.Errorf("step %d (%s): %s", i+1, st.Op, storage.FirstLine(err.Error()))
			}
		}
		out = append(out, e)
		prev = after
	}
	return out, nil
}

// Apply runs the recipe and replaces the table with the result in one
// transaction, with an audit record. A non-empty name saves the recipe.
func Apply(ctx context.Context, p *storage.Project, table, name string, steps []Step) ([]StepEffect, error) {
	if len(steps) == 0 {
		return nil, i18n.Errorf("the recipe has no steps")
	}
	pl, err := Compile(ctx, p, table, steps)
	if err != nil {
		return nil, err
	}
	var effects []StepEffect
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		if effects, err = pl.effects(ctx, tx, steps); err != nil {
			return err
		}
		tmp := storage.Quote("mb_clean_" + table)
		if _, err := tx.ExecContext(ctx, `CREATE TABLE `+tmp+` AS `+pl.Select(), pl.args...); err != nil {
			return i18n.Errorf("cleaning failed: %s", storage.FirstLine(err.Error()))
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+storage.Quote(table)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+tmp+` RENAME TO `+storage.Quote(table)); err != nil {
			return err
		}
		// Roles of columns that no longer exist go away with them.
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_column_roles WHERE table_name = ? AND column_name NOT IN
			(SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?)`, table, table); err != nil {
			return err
		}
		if name != "" {
			if err := saveTx(ctx, tx, Recipe{Name: name, Table: table, Steps: steps}); err != nil {
				return err
			}
		}
		var summary []string
		for _, e := range effects {
			summary = append(summary, fmt.Sprintf("%s: %d changed", e.Step.Op, e.Changed))
		}
		before, after := effects[0].RowsBefore, effects[len(effects)-1].RowsAfter
		return p.Audit(ctx, tx, "clean", table, before, after, strings.Join(summary, "; "))
	})
	if err != nil {
		return nil, err
	}
	return effects, nil
}

func saveTx(ctx context.Context, tx *storage.Tx, r Recipe) error {
	b, err := json.Marshal(r.Steps)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO mb_recipes (name, table_name, steps_json, updated_at) VALUES (?, ?, ?, current_timestamp)`,
		r.Name, r.Table, string(b))
	return err
}

// Save stores a recipe by name so it can be re-run on the next import.
func Save(ctx context.Context, p *storage.Project, r Recipe) error {
	if strings.TrimSpace(r.Name) == "" {
		return i18n.Errorf("give the recipe a name")
	}
	if _, err := Compile(ctx, p, r.Table, r.Steps); err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error { return saveTx(ctx, tx, r) })
}

// List returns the saved recipes.
func List(ctx context.Context, p *storage.Project) ([]Recipe, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT name, table_name, steps_json FROM mb_recipes ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipe
	for rows.Next() {
		var r Recipe
		var js string
		if err := rows.Scan(&r.Name, &r.Table, &js); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), &r.Steps); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns a saved recipe by name.
func Get(ctx context.Context, p *storage.Project, name string) (*Recipe, error) {
	all, err := List(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Name == name {
			return &r, nil
		}
	}
	return nil, i18n.Errorf("no saved recipe %q", name)
}
