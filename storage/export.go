package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/xuri/excelize/v2"

	"github.com/marketbench/marketbench/assets/i18n"
)

// maxXLSXRows is Excel's sheet limit minus the header row.
const maxXLSXRows = 1048575

// ExportFormats lists the file types Export writes, by extension.
var ExportFormats = []string{".csv", ".parquet", ".xlsx"}

// Export writes the result of a SELECT (built by this module, never typed by
// a user) to a CSV, Parquet or XLSX file chosen by the path's extension. The
// file appears complete or not at all: it is written beside the target and
// renamed at the end.
func (p *Project) Export(ctx context.Context, selectSQL, path string) (int64, error) {
	ext := strings.ToLower(filepath.Ext(path))
	tmp := filepath.Join(filepath.Dir(path), ".part-"+filepath.Base(path)) // keeps the extension, which excelize checks
	defer os.Remove(tmp)
	var n int64
	var err error
	switch ext {
	case ".csv":
		n, err = p.copyTo(ctx, selectSQL, tmp, path, "FORMAT csv, HEADER true")
	case ".parquet":
		n, err = p.copyTo(ctx, selectSQL, tmp, path, "FORMAT parquet, COMPRESSION zstd")
	case ".xlsx":
		n, err = p.exportXLSX(ctx, selectSQL, tmp, path)
	default:
		return 0, i18n.Errorf("cannot export to %q: choose a file ending in .csv, .parquet or .xlsx", filepath.Base(path))
	}
	if err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, exportError(path, err)
	}
	return n, nil
}

// ExportQuery writes the result of a SELECT typed by a user (a "sql:"
// export) under the console's guard and a time limit. The text is never
// re-printed: the wrapped text that will run is itself checked, then becomes
// the body of a temporary view on one connection, and that view is exported.
func (p *Project) ExportQuery(ctx context.Context, query, path string, timeout time.Duration) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	query = strings.TrimRight(strings.TrimSpace(query), "; \t\r\n")
	if err := p.CheckSelect(ctx, query); err != nil {
		return 0, err
	}
	// SUMMARIZE and DESCRIBE are SELECTs that a view takes only as a
	// subquery; the newlines keep a trailing comment from eating ")".
	wrapped := "SELECT * FROM (\n" + query + "\n)"
	if err := p.CheckSelect(ctx, wrapped); err != nil {
		return 0, err
	}
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	view := fmt.Sprintf("mb_export_%d", time.Now().UnixNano())
	if _, err := conn.ExecContext(ctx, `CREATE TEMP VIEW `+Quote(view)+` AS `+wrapped); err != nil {
		return 0, queryError(err)
	}
	defer conn.ExecContext(context.Background(), `DROP VIEW IF EXISTS temp.main.`+Quote(view))
	c := *p
	c.q = conn
	n, err := c.Export(ctx, `SELECT * FROM temp.main.`+Quote(view), path)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return 0, i18n.Errorf("the export took longer than %s and was stopped; add a WHERE clause or a LIMIT, or allow more time (--timeout)", timeout)
	}
	return n, err
}

// copyTo writes to tmp; messages name the file the user chose.
func (p *Project) copyTo(ctx context.Context, selectSQL, tmp, path, opts string) (int64, error) {
	res, err := p.q.ExecContext(ctx, fmt.Sprintf(`COPY (%s) TO %s (%s)`, selectSQL, Literal(tmp), opts))
	if err != nil {
		return 0, exportError(path, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (p *Project) exportXLSX(ctx context.Context, selectSQL, tmp, path string) (int64, error) {
	var total int64
	if err := p.q.QueryRowContext(ctx, `SELECT count(*) FROM (`+selectSQL+`)`).Scan(&total); err != nil {
		return 0, i18n.Errorf("cannot export: %s", FirstLine(err.Error()))
	}
	if total > maxXLSXRows {
		return 0, i18n.Errorf("cannot export %d rows to Excel: a sheet holds at most %d; export to .csv or .parquet instead", total, maxXLSXRows)
	}
	rows, err := p.q.QueryContext(ctx, selectSQL)
	if err != nil {
		return 0, i18n.Errorf("cannot export: %s", FirstLine(err.Error()))
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = xlsxValue(v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, int(n)+2)
		if err := sw.SetRow(cell, row); err != nil {
			return 0, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	// excelize's SaveAs creates the file executable (0777 before the
	// umask); an export is a plain file like the CSV and Parquet ones.
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return 0, exportError(path, err)
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Close()
		return 0, exportError(path, err)
	}
	if err := out.Close(); err != nil {
		return 0, exportError(path, err)
	}
	return n, nil
}

// exportError says what went wrong with the target file in words.
func exportError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Cannot open file") || strings.Contains(msg, "no such file") ||
		strings.Contains(msg, "permission denied") || strings.Contains(msg, "read-only") {
		return i18n.Errorf("cannot write %s: check that the folder exists and that you may write there", path)
	}
	return i18n.Errorf("cannot export to %s: %s", path, FirstLine(msg))
}

// xlsxValue keeps numbers and booleans native so Excel can compute with them.
// DECIMAL values (money columns) become numbers too: Excel stores every
// number as a double anyway.
func xlsxValue(v any) any {
	switch x := v.(type) {
	case nil, bool, int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, float32, float64:
		return x
	case duckdb.Decimal:
		return x.Float64()
	default:
		return Format(v)
	}
}
