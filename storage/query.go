package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Literal quotes a string as an SQL literal, for the few statements (COPY)
// that take no parameters. DuckDB strings have no backslash escapes, so
// doubling quotes is complete.
func Literal(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// Result is a small, display-ready query result.
type Result struct {
	Columns   []string
	Types     []string
	Rows      [][]string
	Truncated bool // more rows existed than were returned
}

// ErrWrite is returned when the SQL console is given a statement that writes.
var ErrWrite = errors.New("the SQL console is read-only")

// MaxResultBytes caps a console result in memory as well as in rows: a few
// rows of huge values would otherwise fill the machine.
var MaxResultBytes = 32 << 20

// ReadOnly runs one SELECT statement with a time limit and at most maxRows
// rows (and MaxResultBytes). Anything else is refused before it runs (see
// CheckSelect); as a second guard the statement runs in a transaction that
// is rolled back. The text that runs is the text that was checked.
func (p *Project) ReadOnly(ctx context.Context, query string, maxRows int, timeout time.Duration) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := p.CheckSelect(ctx, query); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, i18n.Errorf("the query took longer than %s and was stopped; add a LIMIT or a WHERE clause", timeout)
		}
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, queryError(err)
	}
	res, err := collect(rows, maxRows, MaxResultBytes)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, i18n.Errorf("the query took longer than %s and was stopped; add a LIMIT or a WHERE clause", timeout)
	}
	if err != nil {
		return nil, queryError(err)
	}
	return res, nil
}

// CheckSelect refuses anything but exactly one SELECT statement that only
// reads, without running or binding it. DuckDB's parser serialises SELECTs
// only and says how many statements the text holds; the parse tree is then
// walked for table functions (an allow-list: local readers and generators),
// scalar functions with side effects, and URLs, which are refused by name.
// The parser is called as system.main.json_serialize_sql, which no macro in
// a project can shadow. (The driver's PrepareContext is no check: it runs
// every statement but the last.)
func (p *Project) CheckSelect(ctx context.Context, query string) error {
	var js string
	err := p.db.QueryRowContext(ctx, `SELECT system.main.json_serialize_sql(?::VARCHAR)::VARCHAR`, query).Scan(&js)
	if err != nil {
		return queryError(err)
	}
	var parsed struct {
		Error      bool   `json:"error"`
		ErrorType  string `json:"error_type"`
		Message    string `json:"error_message"`
		Statements []any  `json:"statements"`
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil {
		return err
	}
	switch {
	case parsed.Error && parsed.ErrorType == "parser":
		return i18n.Errorf("the query failed: %s", parsed.Message)
	case parsed.Error:
		return i18n.Errorf("%w: only SELECT queries can run here; use the cleaning recipe or import to change data", ErrWrite)
	case len(parsed.Statements) == 0:
		return i18n.Errorf("write a SELECT query first")
	case len(parsed.Statements) > 1:
		return i18n.Errorf("run one statement at a time")
	}
	return checkTree(parsed.Statements[0])
}

func queryError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "multiple statements") || strings.Contains(msg, "more than one statement") {
		return i18n.Errorf("run one statement at a time")
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "INTERRUPT") || strings.Contains(msg, "nterrupted") {
		return i18n.Errorf("the query was stopped before it finished")
	}
	return i18n.Errorf("the query failed: %s", FirstLine(msg))
}

// FirstLine keeps the first line of a driver message: the rest is a
// query echo and a caret that mean nothing to a user.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Collect reads up to max rows (max <= 0: all) and formats every value.
func Collect(rows *sql.Rows, max int) (*Result, error) { return collect(rows, max, 0) }

// collect stops at max rows or, when maxBytes > 0, once the formatted
// values pass maxBytes; either way Truncated says more existed.
func collect(rows *sql.Rows, max, maxBytes int) (*Result, error) {
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, c := range cols {
		res.Columns = append(res.Columns, c.Name())
		res.Types = append(res.Types, c.DatabaseTypeName())
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	size := 0
	for rows.Next() {
		if (max > 0 && len(res.Rows) == max) || (maxBytes > 0 && size > maxBytes) {
			res.Truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = Format(v)
			size += len(row[i])
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

// Format renders a database value for display: NULL as empty, dates without
// a midnight time, floats without noise.
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case duckdb.Decimal:
		return strconv.FormatFloat(x.Float64(), 'f', int(x.Scale), 64)
	default:
		return fmt.Sprint(x)
	}
}
