package ingest

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// openXLSX converts the chosen sheet to a UTF-8 CSV, streaming its rows, so
// the same reader, type detection and error reporting apply to it.
func (s *source) openXLSX(ctx context.Context, opt Options) error {
	f, err := excelize.OpenFile(s.path)
	if err != nil {
		return &ParseError{File: s.path, Reason: "this is not a valid Excel workbook (.xlsx) or it is damaged; open it in Excel and save it again"}
	}
	defer f.Close()
	s.sheets = f.GetSheetList()
	if len(s.sheets) == 0 {
		return &ParseError{File: s.path, Reason: "the workbook has no sheets"}
	}
	s.sheet = s.sheets[0]
	if opt.Sheet != "" {
		found := false
		for _, sh := range s.sheets {
			if strings.EqualFold(sh, opt.Sheet) {
				s.sheet, found = sh, true
			}
		}
		if !found {
			return fmt.Errorf("the workbook has no sheet %q; its sheets are: %s", opt.Sheet, strings.Join(s.sheets, ", "))
		}
	}
	rows, err := f.Rows(s.sheet)
	if err != nil {
		return &ParseError{File: s.path, Reason: fmt.Sprintf("cannot read sheet %q: %v", s.sheet, err)}
	}
	defer rows.Close()
	tmp, err := os.CreateTemp("", "mb-xlsx-*.csv")
	if err != nil {
		return err
	}
	s.cleanup = append(s.cleanup, tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	w := csv.NewWriter(bw)
	width, n := 0, 0
	for rows.Next() {
		if n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				tmp.Close()
				return err
			}
		}
		cells, err := rows.Columns()
		if err != nil {
			tmp.Close()
			return &ParseError{File: s.path, Line: int64(n + 1), Reason: err.Error()}
		}
		if n == 0 {
			width = len(cells)
			if width == 0 {
				tmp.Close()
				return &ParseError{File: s.path, Line: 1, Reason: fmt.Sprintf("sheet %q has no header in its first row", s.sheet)}
			}
			if dup := duplicateNames(cells); len(dup) > 0 {
				tmp.Close()
				return &ParseError{File: s.path, Line: 1, Reason: "the header names a column twice (" + strings.Join(dup, ", ") + "); rename one of them and import again"}
			}
			s.colNames = cells
		}
		// Excel omits trailing empty cells; pad so every row has the header's width.
		for len(cells) < width {
			cells = append(cells, "")
		}
		if err := w.Write(cells); err != nil {
			tmp.Close()
			return err
		}
		n++
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if n == 0 {
		return &ParseError{File: s.path, Reason: fmt.Sprintf("sheet %q is empty", s.sheet)}
	}
	s.read, s.delim, s.header, s.enc = tmp.Name(), ',', true, UTF8
	return nil
}
