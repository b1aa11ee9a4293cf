package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
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
		return 0, fmt.Errorf("cannot export to %q: choose a file ending in .csv, .parquet or .xlsx", filepath.Base(path))
	}
	if err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, exportError(path, err)
	}
	return n, nil
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
		return 0, fmt.Errorf("cannot export: %s", FirstLine(err.Error()))
	}
	if total > maxXLSXRows {
		return 0, fmt.Errorf("cannot export %d rows to Excel: a sheet holds at most %d; export to .csv or .parquet instead", total, maxXLSXRows)
	}
	rows, err := p.q.QueryContext(ctx, selectSQL)
	if err != nil {
		return 0, fmt.Errorf("cannot export: %s", FirstLine(err.Error()))
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
	if err := f.SaveAs(tmp); err != nil {
		return 0, exportError(path, err)
	}
	return n, nil
}

// exportError says what went wrong with the target file in words.
func exportError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Cannot open file") || strings.Contains(msg, "no such file") ||
		strings.Contains(msg, "permission denied") || strings.Contains(msg, "read-only") {
		return fmt.Errorf("cannot write %s: check that the folder exists and that you may write there", path)
	}
	return fmt.Errorf("cannot export to %s: %s", path, FirstLine(msg))
}

// xlsxValue keeps numbers and booleans native so Excel can compute with them.
func xlsxValue(v any) any {
	switch x := v.(type) {
	case nil, bool, int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, float32, float64:
		return x
	default:
		return Format(v)
	}
}
