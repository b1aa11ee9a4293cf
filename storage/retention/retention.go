// Package retention keeps data no longer than the project says: a rule per
// table deletes the rows older than some months by a date column, or
// first sums them up per month into a summary that names no one.
package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Action is what a rule does with old rows.
type Action string

// The actions: Delete removes old rows; Aggregate adds them to the table's
// monthly summary (see SummaryTable) and then removes them.
const (
	Delete    Action = "delete"
	Aggregate Action = "aggregate"
)

// MaxMonths bounds a rule: a hundred years is "keep for ever".
const MaxMonths = 1200

// Rule keeps a table's rows for Months months by Column.
type Rule struct {
	Table     string
	Column    string
	Months    int
	Action    Action
	CreatedAt time.Time
	// LastRunAt is when the rule was last applied (zero: never); LastRows
	// is how many rows that removed, -1 when it failed.
	LastRunAt time.Time
	LastRows  int64
}

// ParseAction accepts an action as a person types it.
func ParseAction(s string) (Action, error) {
	switch a := Action(strings.ToLower(strings.TrimSpace(s))); a {
	case Delete, Aggregate:
		return a, nil
	}
	return "", i18n.Errorf("unknown retention action %q; choose delete or aggregate", s)
}

// SummaryTable is where Aggregate keeps the monthly summary of table.
func SummaryTable(table string) string { return table + "_retained_monthly" }

// Cutoff is the first day whose rows a rule keeps: the same day months
// months before now (the month's last day when it is shorter). Rows dated
// before it are old.
func Cutoff(now time.Time, months int) time.Time {
	y, m, d := now.Date()
	first := time.Date(y, m-time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// Check validates a rule against the project and returns it with the
// table and column spelled as stored.
func Check(ctx context.Context, p *storage.Project, r Rule) (Rule, error) {
	if strings.TrimSpace(r.Table) == "" {
		return r, i18n.Errorf("name the table the rule keeps")
	}
	if strings.HasPrefix(strings.ToLower(r.Table), "mb_") {
		return r, i18n.Errorf("%q is one of Marketbench's own tables; retention rules are for your data tables", r.Table)
	}
	stored, err := p.StoredName(ctx, r.Table)
	if err != nil {
		return r, err
	}
	if stored == "" {
		return r, i18n.Errorf("there is no table %q; see 'marketbench tables' for the names", r.Table)
	}
	r.Table = stored
	if r.Months < 1 || r.Months > MaxMonths {
		return r, i18n.Errorf("keep rows for 1 to %d months, not %d", MaxMonths, r.Months)
	}
	if _, err := ParseAction(string(r.Action)); err != nil {
		return r, err
	}
	cols, err := p.Columns(ctx, r.Table)
	if err != nil {
		return r, err
	}
	var col *storage.Column
	var dates []string
	for i, c := range cols {
		if c.IsTemporal() {
			dates = append(dates, c.Name)
		}
		if strings.EqualFold(c.Name, r.Column) {
			col = &cols[i]
		}
	}
	switch {
	case strings.TrimSpace(r.Column) == "":
		return r, i18n.Errorf("name the date column the rule goes by; %s", dateHint(r.Table, dates))
	case col == nil:
		return r, i18n.Errorf("table %q has no column %q; %s", r.Table, r.Column, dateHint(r.Table, dates))
	case !col.IsTemporal():
		return r, i18n.Errorf("column %q holds %s, not dates; %s", col.Name, col.Type, dateHint(r.Table, dates))
	}
	r.Column = col.Name
	if r.Action == Aggregate {
		if err := checkSummary(ctx, p, r.Table); err != nil {
			return r, err
		}
	}
	return r, nil
}

func dateHint(table string, dates []string) string {
	if len(dates) == 0 {
		return i18n.T("table %q has no date or time column, so no rule can go by age", table)
	}
	return i18n.T("its date columns: %s", strings.Join(dates, ", "))
}

// checkSummary refuses a summary name taken by a table that is not a
// summary, so aggregating never writes into someone's data.
func checkSummary(ctx context.Context, p *storage.Project, table string) error {
	name, err := p.StoredName(ctx, SummaryTable(table))
	if err != nil || name == "" {
		return err
	}
	cols, err := p.Columns(ctx, name)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, c := range cols {
		has[c.Name] = true
	}
	if !has[monthCol] || !has[countCol] {
		return i18n.Errorf("the monthly summary would go to %q, which is a table of yours; rename it, or use the delete action", name)
	}
	return nil
}

// Set stores a rule (replacing the table's earlier rule, whose creation
// time it keeps) after checking it.
func Set(ctx context.Context, p *storage.Project, r Rule, now time.Time) (Rule, error) {
	r, err := Check(ctx, p, r)
	if err != nil {
		return r, err
	}
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mb_retention_rules (table_name, date_column, months, action, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET date_column = excluded.date_column,
			months = excluded.months, action = excluded.action`, r.Table, r.Column, r.Months, string(r.Action), now.UTC())
		if err != nil {
			return err
		}
		return p.Audit(ctx, tx, "retention rule", r.Table, -1, -1, describe(r))
	})
	return r, err
}

// describe is a rule in words for the audit log (English, like its other
// entries).
func describe(r Rule) string {
	return fmt.Sprintf("%s rows older than %d month(s) by %s", r.Action, r.Months, r.Column)
}

// Remove deletes a table's rule.
func Remove(ctx context.Context, p *storage.Project, table string) error {
	return p.Tx(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mb_retention_rules WHERE lower(table_name) = lower(?)`, table)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return i18n.Errorf("there is no retention rule for %q; see 'marketbench privacy retain list'", table)
		}
		return p.Audit(ctx, tx, "retention rule removed", table, -1, -1, "")
	})
}

// List returns the rules by table name.
func List(ctx context.Context, p *storage.Project) ([]Rule, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT table_name, date_column, months, action, created_at, last_run_at, last_rows
		FROM mb_retention_rules ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var at sql.NullTime
		var n sql.NullInt64
		if err := rows.Scan(&r.Table, &r.Column, &r.Months, &r.Action, &r.CreatedAt, &at, &n); err != nil {
			return nil, err
		}
		r.LastRunAt, r.LastRows = at.Time, -1
		if n.Valid {
			r.LastRows = n.Int64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastRun is the latest time any rule was applied (zero: never).
func LastRun(ctx context.Context, p *storage.Project) (time.Time, error) {
	var at sql.NullTime
	err := p.Q().QueryRowContext(ctx, `SELECT max(last_run_at) FROM mb_retention_rules`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return at.Time, err
}
