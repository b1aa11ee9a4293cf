// Package arrowload appends Arrow record batches (from a source plugin) to
// a project table inside the caller's transaction, creating the table or
// adding new columns as the batches need.
package arrowload

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// duckType maps an Arrow type to the column type it is stored as.
func duckType(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return "BIGINT"
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.UINT64:
		return "DOUBLE"
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.DATE32, arrow.DATE64:
		return "DATE"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	}
	return "VARCHAR"
}

// Append writes recs (all of one schema) to table through p (which should
// be inside a transaction) and returns the rows written. The values pass
// through a temporary CSV read by DuckDB, the fastest bulk path here.
func Append(ctx context.Context, p *storage.Project, table string, recs []arrow.RecordBatch) (int64, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	schema := recs[0].Schema()
	if err := storage.Reserved(table); err != nil {
		return 0, err
	}
	exists, err := p.TableExists(ctx, table)
	if err != nil {
		return 0, err
	}
	t := storage.Quote(table)
	if !exists {
		var cols []string
		for _, f := range schema.Fields() {
			cols = append(cols, storage.Quote(f.Name)+" "+duckType(f.Type))
		}
		if _, err := p.Q().ExecContext(ctx, `CREATE TABLE `+t+` (`+strings.Join(cols, ", ")+`)`); err != nil {
			return 0, i18n.Errorf("cannot create %s: %s", table, storage.FirstLine(err.Error()))
		}
	} else {
		have, err := p.Columns(ctx, table)
		if err != nil {
			return 0, err
		}
		known := map[string]bool{}
		for _, c := range have {
			known[strings.ToLower(c.Name)] = true
		}
		for _, f := range schema.Fields() {
			if !known[strings.ToLower(f.Name)] {
				if _, err := p.Q().ExecContext(ctx, `ALTER TABLE `+t+` ADD COLUMN `+storage.Quote(f.Name)+` `+duckType(f.Type)); err != nil {
					return 0, i18n.Errorf("cannot add column %s to %s: %s", f.Name, table, storage.FirstLine(err.Error()))
				}
			}
		}
	}
	f, err := os.CreateTemp("", "mb-source-*.csv")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	for _, rec := range recs {
		if !rec.Schema().Equal(schema) {
			f.Close()
			return 0, i18n.Errorf("the source changed its columns within one read")
		}
		for i := range int(rec.NumRows()) {
			for j := range int(rec.NumCols()) {
				if j > 0 {
					w.WriteByte(',')
				}
				col := rec.Column(j)
				if col.IsNull(i) {
					w.WriteString(`\N`)
					continue
				}
				w.WriteByte('"')
				w.WriteString(strings.ReplaceAll(col.ValueStr(i), `"`, `""`))
				w.WriteByte('"')
			}
			w.WriteByte('\n')
			n++
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	f.Close()
	var names, types []string
	for _, fl := range schema.Fields() {
		names = append(names, storage.Quote(fl.Name))
		types = append(types, fmt.Sprintf("%s: '%s'", storage.Literal(fl.Name), duckType(fl.Type)))
	}
	q := `INSERT INTO ` + t + ` (` + strings.Join(names, ", ") + `) SELECT * FROM read_csv(` + storage.Literal(f.Name()) +
		`, header = false, quote = '"', escape = '"', nullstr = '\N', columns = {` + strings.Join(types, ", ") + `})`
	if _, err := p.Q().ExecContext(ctx, q); err != nil {
		return 0, i18n.Errorf("cannot store the rows in %s: %s", table, storage.FirstLine(err.Error()))
	}
	return n, nil
}
