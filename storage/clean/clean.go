// Package clean applies a cleaning recipe — an ordered list of steps stored
// in the project — to a table. Each step becomes one SQL relation built on
// the previous one; applying the recipe replaces the table in one
// transaction, so it fully happens or not at all.
package clean

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/expr"
)

// Step is one cleaning operation. Op selects what it does; the other fields
// are its parameters (unused ones stay empty in JSON).
type Step struct {
	Op      string   `json:"op"`
	Column  string   `json:"column,omitempty"`
	Columns []string `json:"columns,omitempty"`
	Method  string   `json:"method,omitempty"` // impute: mean|median|mode|constant; case: lower|upper|title; dedupe: id|email
	Value   string   `json:"value,omitempty"`  // impute constant, phone default country code
	Type    string   `json:"type,omitempty"`   // cast target
	Into    string   `json:"into,omitempty"`   // new column name (add, zscore, minmax)
	Expr    string   `json:"expr,omitempty"`   // add: expression
	Lower   float64  `json:"lower,omitempty"`  // cap: lower quantile (0..1)
	Upper   float64  `json:"upper,omitempty"`  // cap: upper quantile (0..1)
}

// Op describes a step kind: what it does, which Step fields it reads (so
// a form shows only those) and the methods it accepts.
type Op struct {
	Name    string
	Help    string
	Fields  []string // of: column, columns, method, value, type, into, expr, lower, upper
	Methods []string
}

// Ops lists the step kinds in the order the GUI and CLI help offer them.
var Ops = []Op{
	{"impute", "fill missing values of a column (method mean, median, mode or constant with value)", []string{"column", "method", "value"}, []string{"mean", "median", "mode", "constant"}},
	{"drop_missing", "drop rows where any of the columns is missing", []string{"columns"}, nil},
	{"dedupe", "keep the first row per customer (column; method id, or email to compare normalised emails)", []string{"column", "method"}, []string{"id", "email"}},
	{"trim", "remove leading/trailing spaces and collapse inner runs of spaces in text columns", []string{"columns"}, nil},
	{"case", "change text case of a column (method lower, upper or title)", []string{"column", "method"}, []string{"lower", "upper", "title"}},
	{"normalize_email", "trim and lower-case an email column; invalid addresses become empty", []string{"column"}, nil},
	{"normalize_phone", "keep digits and a leading +; value sets the country code for national numbers (e.g. 44)", []string{"column", "value"}, nil},
	{"cast", "change a column's type (type integer, decimal, double, text, date, timestamp, boolean); values that do not fit become empty", []string{"column", "type"}, nil},
	{"add", "add a column into from an expression, e.g. Quantity * UnitPrice", []string{"into", "expr"}, nil},
	{"zscore", "add a z-score scaled copy of a numeric column into a new column", []string{"column", "into"}, nil},
	{"minmax", "add a 0..1 min-max scaled copy of a numeric column into a new column", []string{"column", "into"}, nil},
	{"cap", "cap outliers of a numeric column at the lower and upper quantiles", []string{"column", "lower", "upper"}, nil},
}

// CastTypes are the type names a cast step offers, in order.
var CastTypes = []string{"integer", "decimal", "double", "text", "date", "timestamp", "boolean"}

// Recipe is a named, ordered list of steps for a table.
type Recipe struct {
	Name  string `json:"name"`
	Table string `json:"table"`
	Steps []Step `json:"steps"`
}

// Load reads a recipe from a JSON file ({"steps": [...]}; name and table optional).
func Load(path string) (*Recipe, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, i18n.Errorf("cannot read the recipe: %v", err)
	}
	var r Recipe
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, i18n.Errorf("the recipe %s is not valid JSON: %v", path, err)
	}
	if len(r.Steps) == 0 {
		return nil, i18n.Errorf("the recipe %s has no steps", path)
	}
	return &r, nil
}

// StepEffect says what one step did in a preview or an apply.
type StepEffect struct {
	Step       Step
	RowsBefore int64
	RowsAfter  int64
	Changed    int64 // values changed (column steps) or rows removed (row steps)
}

// Plan is a compiled recipe: the final SELECT and per-step relations.
type Plan struct {
	table   string
	ctes    []string
	last    string
	args    []any
	Columns []storage.Column
}

const rowCol = storage.RowNumber

// Compile checks every step against the table's columns as they are at that
// point of the recipe and builds the SQL. Nothing runs.
func Compile(ctx context.Context, p *storage.Project, table string, steps []Step) (*Plan, error) {
	if err := storage.Reserved(table); err != nil {
		return nil, i18n.Errorf("cannot clean %q: %w", table, err)
	}
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	// Each row keeps a number through the steps, for the table's order, for
	// dedupe's "first row" and for counting changed values.
	pl := &Plan{table: table, ctes: []string{`s0 AS (SELECT * FROM ` + storage.RowSourceOf(table, cols) + `)`}, last: "s0"}
	for i, st := range steps {
		body, args, err := stepSQL(st, pl.last, cols)
		if err != nil {
			return nil, i18n.Errorf("step %d (%s): %w", i+1, st.Op, err)
		}
		name := fmt.Sprintf("s%d", i+1)
		pl.ctes = append(pl.ctes, name+` AS (`+body+`)`)
		pl.args = append(pl.args, args...)
		pl.last = name
		if cols, err = describe(ctx, p, pl); err != nil {
			return nil, i18n.Errorf("step %d (%s): %s", i+1, st.Op, storage.FirstLine(err.Error()))
		}
	}
	pl.Columns = cols
	return pl, nil
}

// Select is the whole recipe as one query, in the table's row order.
func (pl *Plan) Select() string { return pl.selectFrom(pl.last) }

func (pl *Plan) selectFrom(cte string) string {
	return `WITH ` + strings.Join(pl.ctes, ",\n") + ` SELECT * EXCLUDE (` + rowCol + `) FROM ` + cte + ` ORDER BY ` + rowCol
}

func describe(ctx context.Context, p *storage.Project, pl *Plan) ([]storage.Column, error) {
	rows, err := p.Q().QueryContext(ctx, `DESCRIBE `+pl.Select(), pl.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storage.Column
	for rows.Next() {
		var c storage.Column
		var a, b, d, e any
		if err := rows.Scan(&c.Name, &c.Type, &a, &b, &d, &e); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func find(cols []storage.Column, name string) (storage.Column, error) {
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return c, nil
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return storage.Column{}, i18n.Errorf("there is no column %q; columns are %s", name, strings.Join(names, ", "))
}

func isText(c storage.Column) bool { return strings.HasPrefix(strings.ToUpper(c.Type), "VARCHAR") }

var castTypes = map[string]string{"integer": "BIGINT", "int": "BIGINT", "bigint": "BIGINT", "double": "DOUBLE", "number": "DOUBLE",
	"decimal": "DECIMAL(18,2)", "text": "VARCHAR", "varchar": "VARCHAR", "string": "VARCHAR", "date": "DATE",
	"timestamp": "TIMESTAMP", "datetime": "TIMESTAMP", "boolean": "BOOLEAN", "bool": "BOOLEAN"}

// stepSQL compiles one step into a SELECT over prev. Identifiers come from
// the known columns (quoted); user values travel as parameters.
func stepSQL(st Step, prev string, cols []storage.Column) (string, []any, error) {
	from := ` FROM ` + prev
	one := func() (storage.Column, string, error) {
		if st.Column == "" {
			return storage.Column{}, "", i18n.Errorf("choose a column")
		}
		c, err := find(cols, st.Column)
		return c, storage.Quote(c.Name), err
	}
	numeric := func() (storage.Column, string, error) {
		c, q, err := one()
		if err == nil && !c.IsNumeric() {
			err = i18n.Errorf("%q holds %s, not numbers; cast it first", c.Name, c.Type)
		}
		return c, q, err
	}
	newName := func() (string, error) {
		if strings.TrimSpace(st.Into) == "" {
			return "", i18n.Errorf("name the new column (into)")
		}
		if _, err := find(cols, st.Into); err == nil {
			return "", i18n.Errorf("a column %q already exists", st.Into)
		}
		return storage.Quote(st.Into), nil
	}
	switch st.Op {
	case "impute":
		c, q, err := one()
		if err != nil {
			return "", nil, err
		}
		missing := q + ` IS NULL`
		if isText(c) {
			missing = `(` + q + ` IS NULL OR trim(` + q + `) = '')`
		}
		var fill string
		var args []any
		switch st.Method {
		case "mean", "median":
			if !c.IsNumeric() {
				return "", nil, i18n.Errorf("%s needs numbers; %q holds %s (use mode or constant)", st.Method, c.Name, c.Type)
			}
			agg := map[string]string{"mean": "avg", "median": "median"}[st.Method]
			fill = fmt.Sprintf(`CAST((SELECT %s(%s) FROM %s) AS %s)`, agg, q, prev, c.Type)
		case "mode":
			fill = fmt.Sprintf(`(SELECT mode(%s) FROM %s WHERE NOT %s)`, q, prev, missing)
		case "constant":
			fill = `CAST(? AS ` + c.Type + `)`
			args = append(args, st.Value)
		default:
			return "", nil, i18n.Errorf("method must be mean, median, mode or constant")
		}
		return fmt.Sprintf(`SELECT * REPLACE (CASE WHEN %s THEN %s ELSE %s END AS %s)`, missing, fill, q, q) + from, args, nil
	case "drop_missing":
		names := st.Columns
		if st.Column != "" {
			names = append(names, st.Column)
		}
		if len(names) == 0 {
			for _, c := range cols {
				if c.Name != rowCol {
					names = append(names, c.Name)
				}
			}
		}
		var conds []string
		for _, n := range names {
			c, err := find(cols, n)
			if err != nil {
				return "", nil, err
			}
			q := storage.Quote(c.Name)
			if isText(c) {
				conds = append(conds, `(`+q+` IS NOT NULL AND trim(`+q+`) <> '')`)
			} else {
				conds = append(conds, q+` IS NOT NULL`)
			}
		}
		return `SELECT *` + from + ` WHERE ` + strings.Join(conds, " AND "), nil, nil
	case "dedupe":
		_, q, err := one()
		if err != nil {
			return "", nil, err
		}
		key := q
		if st.Method == "email" {
			key = `lower(trim(` + q + `))`
		}
		// Rows without a key are not duplicates of each other.
		return fmt.Sprintf(`SELECT *%s QUALIFY %s IS NULL OR row_number() OVER (PARTITION BY %s ORDER BY %s) = 1`, from, key, key, rowCol), nil, nil
	case "trim":
		names := st.Columns
		if st.Column != "" {
			names = append(names, st.Column)
		}
		if len(names) == 0 {
			for _, c := range cols {
				if isText(c) {
					names = append(names, c.Name)
				}
			}
		}
		var reps []string
		for _, n := range names {
			c, err := find(cols, n)
			if err != nil {
				return "", nil, err
			}
			if !isText(c) {
				return "", nil, i18n.Errorf("%q is not text", c.Name)
			}
			q := storage.Quote(c.Name)
			reps = append(reps, fmt.Sprintf(`regexp_replace(trim(%s), '\s+', ' ', 'g') AS %s`, q, q))
		}
		if len(reps) == 0 {
			return `SELECT *` + from, nil, nil
		}
		return `SELECT * REPLACE (` + strings.Join(reps, ", ") + `)` + from, nil, nil
	case "case":
		c, q, err := one()
		if err != nil {
			return "", nil, err
		}
		if !isText(c) {
			return "", nil, i18n.Errorf("%q is not text", c.Name)
		}
		var e string
		switch st.Method {
		case "lower":
			e = `lower(` + q + `)`
		case "upper":
			e = `upper(` + q + `)`
		case "title":
			e = `array_to_string(list_transform(string_split(lower(` + q + `), ' '), w -> upper(w[1]) || w[2:]), ' ')`
		default:
			return "", nil, i18n.Errorf("method must be lower, upper or title")
		}
		return `SELECT * REPLACE (` + e + ` AS ` + q + `)` + from, nil, nil
	case "normalize_email":
		c, q, err := one()
		if err != nil {
			return "", nil, err
		}
		if !isText(c) {
			return "", nil, i18n.Errorf("%q is not text", c.Name)
		}
		e := `lower(trim(` + q + `))`
		return fmt.Sprintf(`SELECT * REPLACE (CASE WHEN regexp_matches(%s, '^[^@\s]+@[^@\s]+\.[^@\s]+$') THEN %s END AS %s)`, e, e, q) + from, nil, nil
	case "normalize_phone":
		c, q, err := one()
		if err != nil {
			return "", nil, err
		}
		if !isText(c) {
			return "", nil, i18n.Errorf("%q is not text; cast it to text first", c.Name)
		}
		digits := `regexp_replace(` + q + `, '[^0-9]', '', 'g')`
		plus := `starts_with(trim(` + q + `), '+')`
		var args []any
		e := fmt.Sprintf(`CASE WHEN length(%[1]s) < 6 THEN NULL WHEN %[2]s THEN '+' || %[1]s WHEN starts_with(%[1]s, '00') THEN '+' || %[1]s[3:]`, digits, plus)
		if st.Value != "" {
			cc := strings.TrimPrefix(strings.TrimSpace(st.Value), "+")
			for _, r := range cc {
				if r < '0' || r > '9' {
					return "", nil, i18n.Errorf("the country code must be digits, like 44; got %q", st.Value)
				}
			}
			e += fmt.Sprintf(` WHEN starts_with(%s, '0') THEN '+' || ? || %s[2:]`, digits, digits)
			args = append(args, cc)
		}
		e += ` ELSE ` + digits + ` END`
		return `SELECT * REPLACE (` + e + ` AS ` + q + `)` + from, args, nil
	case "cast":
		_, q, err := one()
		if err != nil {
			return "", nil, err
		}
		typ, ok := castTypes[strings.ToLower(st.Type)]
		if !ok {
			return "", nil, i18n.Errorf("type must be integer, decimal, double, text, date, timestamp or boolean")
		}
		return fmt.Sprintf(`SELECT * REPLACE (TRY_CAST(%s AS %s) AS %s)`, q, typ, q) + from, nil, nil
	case "add":
		into, err := newName()
		if err != nil {
			return "", nil, err
		}
		e, args, err := expr.Compile(st.Expr, resolver(cols))
		if err != nil {
			return "", nil, err
		}
		return `SELECT *, (` + e + `) AS ` + into + from, args, nil
	case "zscore", "minmax":
		_, q, err := numeric()
		if err != nil {
			return "", nil, err
		}
		into, err := newName()
		if err != nil {
			return "", nil, err
		}
		// Statistics come from the whole column as it is at this step.
		if st.Op == "zscore" {
			return fmt.Sprintf(`SELECT *, (%s - avg(%s) OVER ()) / nullif(stddev_samp(%s) OVER (), 0) AS %s`, q, q, q, into) + from, nil, nil
		}
		return fmt.Sprintf(`SELECT *, (%s - min(%s) OVER ()) / nullif(max(%s) OVER () - min(%s) OVER (), 0) AS %s`, q, q, q, q, into) + from, nil, nil
	case "cap":
		c, q, err := numeric()
		if err != nil {
			return "", nil, err
		}
		lo, hi := st.Lower, st.Upper
		if hi == 0 {
			hi = 1
		}
		if lo < 0 || hi > 1 || lo >= hi {
			return "", nil, i18n.Errorf("quantiles must satisfy 0 <= lower < upper <= 1, e.g. lower 0.01 upper 0.99")
		}
		return fmt.Sprintf(`SELECT * REPLACE (CAST(least(greatest(%[1]s, (SELECT quantile_cont(%[1]s, ?) FROM %[2]s)), (SELECT quantile_cont(%[1]s, ?) FROM %[2]s)) AS %[3]s) AS %[1]s)`,
			q, prev, c.Type) + from, []any{lo, hi}, nil
	}
	var names []string
	for _, o := range Ops {
		names = append(names, o.Name)
	}
	return "", nil, i18n.Errorf("unknown step %q; steps are %s", st.Op, strings.Join(names, ", "))
}

func resolver(cols []storage.Column) func(string) (expr.Column, bool) {
	return func(name string) (expr.Column, bool) {
		c, err := find(cols, name)
		if err != nil || c.Name == rowCol {
			return expr.Column{}, false
		}
		return expr.Column{SQL: storage.Quote(c.Name), Kind: kindOf(c)}, true
	}
}

func kindOf(c storage.Column) expr.Kind {
	switch {
	case c.IsNumeric():
		return expr.Number
	case c.IsTemporal():
		return expr.Date
	case c.IsBool():
		return expr.Bool
	}
	return expr.Text
}
