package storage

import (
	"bufio"
	"context"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// BulkColumn is a column of a table written by ReplaceTable, with its
// DuckDB type.
type BulkColumn struct{ Name, Type string }

// BulkColumns lists columns as name, type pairs.
func BulkColumns(nameType ...string) []BulkColumn {
	out := make([]BulkColumn, 0, len(nameType)/2)
	for i := 0; i+1 < len(nameType); i += 2 {
		out = append(out, BulkColumn{Name: nameType[i], Type: nameType[i+1]})
	}
	return out
}

// Row writes one CSV row for ReplaceTable: values in column order.
type Row struct {
	w     *bufio.Writer
	first bool
}

func (r *Row) sep() {
	if !r.first {
		r.w.WriteByte(',')
	}
	r.first = false
}

// Text writes a text value.
func (r *Row) Text(s string) { r.sep(); r.w.WriteString(CSVField(s)) }

// Num writes a number; NaN and infinities are stored as NULL.
func (r *Row) Num(v float64) {
	r.sep()
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		r.w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
}

// Int writes a whole number.
func (r *Row) Int(v int64) { r.sep(); r.w.WriteString(strconv.FormatInt(v, 10)) }

// ReplaceTable writes a table of derived results (scores, plans) in one
// step: rows calls emit once per row, which fills the row in column order.
// The rows go through a temporary CSV that DuckDB reads, which is far
// faster than parameterised inserts; the old table is replaced within
// the caller's transaction, so a failure leaves it as it was.
func (p *Project) ReplaceTable(ctx context.Context, tx *Tx, table string, cols []BulkColumn, rows func(emit func(fill func(r *Row)))) error {
	names := make([]string, len(cols))
	types := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		types[i] = Literal(c.Name) + ": " + Literal(c.Type)
	}
	path, err := TempCSV(func(w *bufio.Writer) {
		w.WriteString(strings.Join(names, ",") + "\n")
		row := &Row{w: w}
		rows(func(fill func(r *Row)) {
			row.first = true
			fill(row)
			w.WriteByte('\n')
		})
	})
	if err != nil {
		return err
	}
	defer os.Remove(path)
	src := `read_csv(` + Literal(path) + `, header = true, columns = {` + strings.Join(types, ", ") + `}, quote = '"', escape = '"')`
	for _, s := range []string{`DROP TABLE IF EXISTS ` + Quote(table), `CREATE TABLE ` + Quote(table) + ` AS SELECT * FROM ` + src} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return i18n.Errorf("cannot store %s: %s", table, FirstLine(err.Error()))
		}
	}
	return nil
}
