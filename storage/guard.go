package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/marketbench/marketbench/assets/i18n"
)

// A project file is untrusted input: a colleague or a client may have
// written it with any DuckDB, not with Marketbench. DuckDB stores SQL code
// in the file (macros, views, column defaults, generated columns, CHECK
// constraints, expression indexes) and runs it when a query touches it; a
// macro even shadows the built-in function of the same name. So before
// anything reads the file, inspect lists the code it holds using only
// catalogue functions qualified with system.main (which no macro can
// shadow) and plain column reads, and Open refuses a file that holds code
// Marketbench did not write. Marketbench's own mb_ tables must match, text
// for text, what its migrations create.

// ErrForeignCode is returned by Open for a project that holds SQL code
// Marketbench did not write.
var ErrForeignCode = errors.New("it holds SQL code that Marketbench did not write")

// ForeignCodeError names what was found, for the message and for a safe copy.
type ForeignCodeError struct {
	Path  string
	Found []string // "macro upper", "view v", "default of orders.amount"...
}

func (e *ForeignCodeError) Error() string { return e.message().Error() }

// Unwrap gives the message, which wraps ErrForeignCode, in a form
// i18n.Error can translate.
func (e *ForeignCodeError) Unwrap() error { return e.message() }

func (e *ForeignCodeError) message() error {
	if len(e.Found) > 5 {
		return i18n.Errorf("cannot open %s: %w (%s and %d more), which could run on this computer; it was not opened. "+
			"Make a copy with the data only: marketbench project safe-copy %q NEW.mbproj",
			e.Path, ErrForeignCode, strings.Join(e.Found[:5], ", "), len(e.Found)-5, e.Path)
	}
	return i18n.Errorf("cannot open %s: %w (%s), which could run on this computer; it was not opened. "+
		"Make a copy with the data only: marketbench project safe-copy %q NEW.mbproj",
		e.Path, ErrForeignCode, strings.Join(e.Found, ", "), e.Path)
}

// ErrDamaged is returned when Marketbench's own tables are not what it wrote.
var ErrDamaged = errors.New("its Marketbench tables are damaged or were changed outside Marketbench")

// catalogue is what inspect reads: one row per object, by plain column reads.
type catalogue struct {
	tables    map[string]string // name → CREATE TABLE text, main schema of the project only
	other     []string          // tables outside main (harmless, but never ours)
	macros    []string
	views     []string
	defaults  map[string]string      // schema.table.column → default or generated expression
	columns   map[string][]catColumn // main-schema table → its columns in order
	checks    map[string]string      // table → CHECK expression
	exprIndex []string
	sequences map[string]bool
}

// readCatalogue lists the project database's objects. Only the catalogue
// table functions of the system catalogue are called, fully qualified.
func readCatalogue(ctx context.Context, q Querier) (*catalogue, error) {
	c := &catalogue{tables: map[string]string{}, columns: map[string][]catColumn{}, defaults: map[string]string{}, checks: map[string]string{}, sequences: map[string]bool{}}
	ours := func(db string) bool { return db != "system" && db != "temp" }
	if err := scanRows(ctx, q, `SELECT database_name, schema_name, function_name, function_type, internal FROM system.main.duckdb_functions()`,
		func(r []sql.NullString) {
			if ours(r[0].String) && r[4].String != "true" {
				kind := "macro"
				if r[3].String == "table_macro" {
					kind = "table macro"
				}
				c.macros = append(c.macros, kind+" "+r[2].String)
			}
		}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, `SELECT database_name, schema_name, view_name, internal FROM system.main.duckdb_views()`,
		func(r []sql.NullString) {
			if ours(r[0].String) && r[3].String != "true" {
				c.views = append(c.views, "view "+r[2].String)
			}
		}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, `SELECT database_name, schema_name, table_name, sql FROM system.main.duckdb_tables()`,
		func(r []sql.NullString) {
			if !ours(r[0].String) {
				return
			}
			if r[1].String != "main" {
				c.other = append(c.other, r[1].String+"."+r[2].String)
				return
			}
			c.tables[r[2].String] = r[3].String
		}); err != nil {
		return nil, err
	}
	// Rows come in table and column order.
	if err := scanRows(ctx, q, `SELECT database_name, schema_name, table_name, column_name, column_default, data_type FROM system.main.duckdb_columns()`,
		func(r []sql.NullString) {
			if !ours(r[0].String) {
				return
			}
			if r[4].Valid {
				c.defaults[r[1].String+"."+r[2].String+"."+r[3].String] = r[4].String
			}
			if r[1].String == "main" {
				c.columns[r[2].String] = append(c.columns[r[2].String], catColumn{r[3].String, r[5].String, r[4].Valid})
			}
		}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, `SELECT database_name, schema_name, table_name, constraint_type, expression FROM system.main.duckdb_constraints()`,
		func(r []sql.NullString) {
			if ours(r[0].String) && r[3].String == "CHECK" {
				c.checks[r[1].String+"."+r[2].String] = r[4].String
			}
		}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, `SELECT database_name, index_name, sql FROM system.main.duckdb_indexes()`,
		func(r []sql.NullString) {
			// Plain column indexes hold no code; CREATE INDEX i ON t((f(x))) does.
			if ours(r[0].String) && strings.Contains(r[2].String, "((") {
				c.exprIndex = append(c.exprIndex, "index "+r[1].String)
			}
		}); err != nil {
		return nil, err
	}
	if err := scanRows(ctx, q, `SELECT database_name, schema_name, sequence_name FROM system.main.duckdb_sequences()`,
		func(r []sql.NullString) {
			if ours(r[0].String) {
				c.sequences[r[1].String+"."+r[2].String] = true
			}
		}); err != nil {
		return nil, err
	}
	return c, nil
}

type catColumn struct {
	name, dataType string
	hasDefault     bool // a default or a generated expression
}

// plainColumns splits a table's columns into those holding stored values
// and generated ones, which hold code and no data. DuckDB's catalogue
// tells the two apart only in the table's SQL text, so a column is kept
// when that text shows it as a plain or defaulted column and left out
// otherwise (never guessing the other way, which would run its code).
func (c *catalogue) plainColumns(table string) (keep, skip []string) {
	text := c.tables[table]
	for _, col := range c.columns[table] {
		if !col.hasDefault {
			keep = append(keep, col.name)
			continue
		}
		defaulted := false
		for _, n := range []string{col.name, Quote(col.name)} {
			if strings.Contains(text, n+" "+col.dataType+" DEFAULT(") {
				defaulted = true
			}
		}
		if defaulted {
			keep = append(keep, col.name)
		} else {
			skip = append(skip, col.name)
		}
	}
	return keep, skip
}

// scanRows reads every column as text. Catalogue rows are few.
func scanRows(ctx context.Context, q Querier, query string, each func([]sql.NullString)) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		each(vals)
	}
	return rows.Err()
}

// foreignCode lists the code in the catalogue that Marketbench did not
// write, sorted. Defaults and checks of the mb_ tables are compared with the
// migrations separately (checkMeta).
func (c *catalogue) foreignCode(meta map[string]string) []string {
	var found []string
	found = append(found, c.macros...)
	found = append(found, c.views...)
	found = append(found, c.exprIndex...)
	for col := range c.defaults {
		schema, rest, _ := strings.Cut(col, ".")
		table, column, _ := strings.Cut(rest, ".")
		if _, isMeta := meta[table]; isMeta && schema == "main" {
			continue
		}
		found = append(found, fmt.Sprintf("default or generated value of %s.%s", table, column))
	}
	for t := range c.checks {
		schema, table, _ := strings.Cut(t, ".")
		if _, isMeta := meta[table]; isMeta && schema == "main" {
			continue
		}
		found = append(found, "check constraint on "+table)
	}
	sort.Strings(found)
	return found
}

// reference is the catalogue a fresh project at each format version has:
// the truth the mb_ tables of a file are compared with, built once by
// running the migrations in an in-memory database.
var (
	refOnce sync.Once
	refMeta []map[string]string // [version] → mb_ table → CREATE TABLE text
	refErr  error
)

func referenceMeta(version int) (map[string]string, error) {
	refOnce.Do(func() {
		refMeta = make([]map[string]string, len(migrations)+1)
		refMeta[0] = map[string]string{}
		for v := 1; v <= len(migrations); v++ {
			refMeta[v], refErr = buildReference(v)
			if refErr != nil {
				return
			}
		}
	})
	if refErr != nil {
		return nil, refErr
	}
	if version < 0 || version >= len(refMeta) {
		return nil, fmt.Errorf("no reference for project format %d", version)
	}
	return refMeta[version], nil
}

func buildReference(version int) (map[string]string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx := context.Background()
	for _, m := range migrations[:version] {
		for _, stmt := range splitStatements(m) {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return nil, fmt.Errorf("reference catalogue: %w", err)
			}
		}
	}
	c, err := readCatalogue(ctx, db)
	if err != nil {
		return nil, err
	}
	return c.tables, nil
}

// metaTables is every mb_ table name any version has.
func metaTables() (map[string]string, error) { return referenceMeta(len(migrations)) }

// vet inspects a file before anything of it is read and returns its format
// version. It refuses files that are not projects, are newer, hold foreign
// code, or whose mb_ tables are not exactly Marketbench's. Nothing it runs
// can be shadowed: catalogue functions are qualified and the version is
// read as plain values.
func vet(ctx context.Context, q Querier, path string) (int, error) {
	c, err := readCatalogue(ctx, q)
	if err != nil {
		return 0, i18n.Errorf("cannot read %s: %s", path, FirstLine(err.Error()))
	}
	all, err := metaTables()
	if err != nil {
		return 0, err
	}
	found := c.foreignCode(all)
	schema, ok := c.tables["mb_schema"]
	if !ok {
		if len(found) > 0 {
			return 0, &ForeignCodeError{Path: path, Found: found}
		}
		// A DuckDB file, but not ours. Empty databases are not projects either:
		// Create always writes mb_schema in the same step.
		return 0, i18n.Errorf("cannot open %s: it is a DuckDB database but %w (no Marketbench metadata)", path, ErrNotProject)
	}
	v, err := readVersion(ctx, q, schema)
	if err != nil {
		return 0, i18n.Errorf("cannot open %s: %w", path, err)
	}
	if v > len(migrations) {
		return v, nil // newer: the caller says so; its tables are unknown here
	}
	if len(found) > 0 {
		return 0, &ForeignCodeError{Path: path, Found: found}
	}
	return v, checkMeta(c, v, path)
}

// checkMeta compares the file's mb_ tables with those a fresh project of
// its format version has, before any of them is read.
func checkMeta(c *catalogue, version int, path string) error {
	want, err := referenceMeta(version)
	if err != nil {
		return err
	}
	for name, text := range want {
		have, ok := c.tables[name]
		if !ok {
			return i18n.Errorf("cannot open %s: %w (table %s is missing)", path, ErrDamaged, name)
		}
		if have != text {
			return i18n.Errorf("cannot open %s: %w (table %s is not as Marketbench made it)", path, ErrDamaged, name)
		}
	}
	if version > 0 && !c.sequences["main.mb_seq"] {
		return i18n.Errorf("cannot open %s: %w (sequence mb_seq is missing)", path, ErrDamaged)
	}
	return nil
}

// readVersion reads the format version from mb_schema, whose definition
// (schema, from the catalogue) must be Marketbench's first: the rows are
// read as plain values and the maximum taken in Go, so no function of the
// file's runs.
func readVersion(ctx context.Context, q Querier, schema string) (int, error) {
	first, err := referenceMeta(1)
	if err != nil {
		return 0, err
	}
	if schema != first["mb_schema"] {
		return 0, i18n.Errorf("%w (table mb_schema is not as Marketbench made it)", ErrDamaged)
	}
	v := 0
	if err := scanRows(ctx, q, `SELECT version FROM main.mb_schema`, func(r []sql.NullString) {
		var n int
		if _, err := fmt.Sscan(r[0].String, &n); err == nil && n > v {
			v = n
		}
	}); err != nil {
		return 0, i18n.Errorf("its project version cannot be read: %s", FirstLine(err.Error()))
	}
	return v, nil
}
