package core

import (
	"context"
	"database/sql"
	"math"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/value"
)

// Small look-ups the Value screen needs to offer choices and turn a
// "top X%" into a rule.

// PurchaseTables are the tables lifetime value can be fitted on: those
// with a customer id and an order date (the amount is checked by the fit,
// which says what is missing). Tables Marketbench writes are left out.
func (w *Workspace) PurchaseTables(ctx context.Context) ([]string, error) {
	ts, err := w.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range ts {
		if !strings.EqualFold(t, value.ScoresTable) && !strings.EqualFold(t, NBATable) && !strings.EqualFold(t, storage.RecommendationsTable) {
			out = append(out, t)
		}
	}
	return out, nil
}

// UpliftColumns are the model_scores columns uplift train wrote
// (uplift_NAME), for next-best-action plans; none before the first.
func (w *Workspace) UpliftColumns(ctx context.Context) ([]string, error) {
	ok, err := w.TableExists(ctx, storage.ModelScoresTable)
	if err != nil || !ok {
		return nil, err
	}
	cols, err := w.Columns(ctx, storage.ModelScoresTable)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cols {
		if strings.HasPrefix(strings.ToLower(c.Name), "uplift_") && c.IsNumeric() {
			out = append(out, c.Name)
		}
	}
	return out, nil
}

// TopThreshold is the value of a numeric column at or above which its top
// share (0, 1] of customers lie: the k-th largest value, k = ⌈share × n⌉
// of the n customers with a value. Count is how many are at or above it
// (more than k when values tie at the threshold).
func (w *Workspace) TopThreshold(ctx context.Context, table, column string, share float64) (threshold float64, count int64, err error) {
	if !(share > 0 && share <= 1) {
		return 0, 0, i18n.Errorf("the share must be above 0 and at most 1")
	}
	col := storage.Quote(column)
	from := ` FROM ` + storage.Quote(table) + ` WHERE ` + col + ` IS NOT NULL AND NOT isnan(CAST(` + col + ` AS DOUBLE))`
	var n int64
	if err := w.Q().QueryRowContext(ctx, `SELECT count(*)`+from).Scan(&n); err != nil {
		return 0, 0, i18n.Errorf("cannot read %s of %s: %s", column, table, storage.FirstLine(err.Error()))
	}
	if n == 0 {
		return 0, 0, i18n.Errorf("%s of %s has no values", column, table)
	}
	k := max(1, int64(math.Ceil(share*float64(n)-1e-9)))
	var t sql.NullFloat64
	err = w.Q().QueryRowContext(ctx, `SELECT CAST(`+col+` AS DOUBLE)`+from+` ORDER BY 1 DESC LIMIT 1 OFFSET ?`, k-1).Scan(&t)
	if err == nil {
		err = w.Q().QueryRowContext(ctx, `SELECT count(*)`+from+` AND CAST(`+col+` AS DOUBLE) >= ?`, t.Float64).Scan(&count)
	}
	if err != nil {
		return 0, 0, i18n.Errorf("cannot read %s of %s: %s", column, table, storage.FirstLine(err.Error()))
	}
	return t.Float64, count, nil
}

// DistinctValues lists a column's most common values (as text, empty
// ones left out), most first, up to limit, and how many distinct values
// it has: the choices of an experiment's treated and control groups.
func (w *Workspace) DistinctValues(ctx context.Context, table, column string, limit int) ([]string, int64, error) {
	v := `CAST(` + storage.Quote(column) + ` AS VARCHAR)`
	q := `WITH v AS (SELECT ` + v + ` AS v, count(*) AS n FROM ` + storage.Quote(table) + ` WHERE ` + v + ` IS NOT NULL AND trim(` + v + `) <> '' GROUP BY 1)
		SELECT v, count(*) OVER () FROM v ORDER BY n DESC, v LIMIT ?`
	rows, err := w.Q().QueryContext(ctx, q, limit)
	if err != nil {
		return nil, 0, i18n.Errorf("cannot list the values of %s: %s", column, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var out []string
	var distinct int64
	for rows.Next() {
		var s string
		if err := rows.Scan(&s, &distinct); err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	return out, distinct, rows.Err()
}
