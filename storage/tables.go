package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Quote makes an SQL identifier from any user-supplied name.
func Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Table describes a user table.
type Table struct {
	Name    string
	Rows    int64
	Columns []Column
}

// Column is a column's name and DuckDB type.
type Column struct {
	Name string
	Type string
}

// IsNumeric reports whether the column holds numbers.
func (c Column) IsNumeric() bool {
	switch strings.ToUpper(strings.SplitN(c.Type, "(", 2)[0]) {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
		"FLOAT", "DOUBLE", "DECIMAL", "REAL":
		return true
	}
	return false
}

// IsBool reports whether the column holds true/false values.
func (c Column) IsBool() bool { return strings.EqualFold(c.Type, "BOOLEAN") }

// IsTemporal reports whether the column holds dates or times.
func (c Column) IsTemporal() bool {
	t := strings.ToUpper(c.Type)
	return strings.HasPrefix(t, "DATE") || strings.HasPrefix(t, "TIMESTAMP")
}

// ErrNoTable is returned for a table name that does not exist.
var ErrNoTable = errors.New("no such table")

// Tables lists the user's tables (metadata tables are hidden).
func (p *Project) Tables(ctx context.Context) ([]Table, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT table_name, estimated_size FROM duckdb_tables()
		WHERE schema_name = 'main' AND NOT starts_with(table_name, 'mb_') ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	var out []Table
	for rows.Next() {
		var t Table
		if err := rows.Scan(&t.Name, &t.Rows); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	for i := range out {
		// estimated_size can lag after deletes; count for the truth.
		if out[i].Rows, err = p.RowCount(ctx, out[i].Name); err != nil {
			return nil, err
		}
		if out[i].Columns, err = p.Columns(ctx, out[i].Name); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// TableExists reports whether a user table of that name exists.
func (p *Project) TableExists(ctx context.Context, name string) (bool, error) {
	var n int
	// DuckDB names are case-insensitive: "Orders" and "orders" are one table.
	err := p.q.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND lower(table_name) = lower(?)`, name).Scan(&n)
	return n > 0, err
}

// StoredName returns how an existing table's name is spelled in the
// project ("Orders" for "orders"), or "" when there is no such table.
func (p *Project) StoredName(ctx context.Context, name string) (string, error) {
	var stored string
	err := p.q.QueryRowContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND lower(table_name) = lower(?) LIMIT 1`, name).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return stored, err
}

// Columns lists a table's columns in order.
func (p *Project) Columns(ctx context.Context, table string) ([]Column, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, i18n.Errorf("%w %q", ErrNoTable, table)
	}
	return out, nil
}

// RowCount counts a table's rows.
func (p *Project) RowCount(ctx context.Context, table string) (int64, error) {
	var n int64
	err := p.q.QueryRowContext(ctx, `SELECT count(*) FROM `+Quote(table)).Scan(&n)
	if err != nil && ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, i18n.Errorf("%w %q", ErrNoTable, table)
	}
	return n, nil
}

// RFMTable holds the latest RFM scores; the RFM run owns it.
const RFMTable = "rfm_scores"

// ModelScoresTable holds one column per scored model (score_NAME) and per saved
// clustering (cluster_NAME), keyed by customer_id; scoring owns it.
const ModelScoresTable = "model_scores"

// RecommendationsTable holds each customer's recommended products; every
// scoring of a recommender replaces it.
const RecommendationsTable = "recommendations"

// Reserved refuses names Marketbench owns: metadata tables (mb_...) and the
// RFM result table, which every RFM run replaces.
func Reserved(table string) error {
	l := strings.ToLower(table)
	switch {
	case strings.HasPrefix(l, "mb_"):
		return i18n.Errorf("table names starting with mb_ are reserved for Marketbench; choose another name")
	case l == RFMTable:
		return i18n.Errorf("%q is where RFM scores are kept and is replaced by every RFM run; choose another name", table)
	case l == ModelScoresTable:
		return i18n.Errorf("%q is where model scores and clusters are kept; choose another name", table)
	case l == RecommendationsTable:
		return i18n.Errorf("%q is where product recommendations are kept and is replaced by every scoring; choose another name", table)
	}
	return nil
}

// RowNumber is the column RowSource adds to a table's columns.
const RowNumber = "__mb_row"

// HidesRowID reports whether one of cols is named rowid (in any case): such
// a column hides DuckDB's rowid pseudo-column, so "rowid" in a query means
// the user's values, which need not be unique or in order. Imports rename
// such a column; tables from before that keep it, and RowSource copes.
func HidesRowID(cols []Column) bool {
	for _, c := range cols {
		if strings.EqualFold(c.Name, "rowid") {
			return true
		}
	}
	return false
}

// RowSource returns a relation, for a FROM clause, with every column of
// table plus RowNumber: a number that identifies each row and follows the
// table's order. It is DuckDB's rowid or, when a column named rowid hides
// that, the row's position in the table (row_number() over the scan, which
// DuckDB numbers in the table's order); a position stays valid while the
// table does not change, so use it within one operation.
func (p *Project) RowSource(ctx context.Context, table string) (string, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return "", err
	}
	return RowSourceOf(table, cols), nil
}

// RowSourceOf is RowSource for a table whose columns are known.
func RowSourceOf(table string, cols []Column) string {
	id := `rowid`
	if HidesRowID(cols) {
		id = `row_number() OVER ()`
	}
	return `(SELECT *, ` + id + ` AS ` + Quote(RowNumber) + ` FROM ` + Quote(table) + `)`
}
