package ingest

import (
	"bufio"
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/marketbench/marketbench/assets/i18n"
)

// openXLSX converts the chosen sheet to a UTF-8 CSV, streaming its rows, so
// the same reader, type detection and error reporting apply to it.
func (s *source) openXLSX(ctx context.Context, opt Options) error {
	f, err := excelize.OpenFile(s.path)
	if err != nil {
		return newParseError(s.path, 0, i18n.Errorf("this is not a valid Excel workbook (.xlsx) or it is damaged; open it in Excel and save it again"))
	}
	defer f.Close()
	s.sheets = f.GetSheetList()
	if len(s.sheets) == 0 {
		return newParseError(s.path, 0, i18n.Errorf("the workbook has no sheets"))
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
			return i18n.Errorf("the workbook has no sheet %q; its sheets are: %s", opt.Sheet, strings.Join(s.sheets, ", "))
		}
	}
	rows, err := f.Rows(s.sheet)
	if err != nil {
		return newParseError(s.path, 0, i18n.Errorf("cannot read sheet %q: %v", s.sheet, err))
	}
	defer rows.Close()
	// Excel shows numbers in the viewer's format ("3/5/24 14:30", "12.35%",
	// "2.47"), which loses precision and is ambiguous. A second, raw pass
	// over the same rows gives the stored values: numbers as stored, dates
	// (columns formatted as dates) as ISO text.
	raw, err := f.Rows(s.sheet)
	if err != nil {
		return newParseError(s.path, 0, i18n.Errorf("cannot read sheet %q: %v", s.sheet, err))
	}
	defer raw.Close()
	dates := dateColumns(f, s.sheet)
	props, _ := f.GetWorkbookProps()
	date1904 := props.Date1904 != nil && *props.Date1904
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
				return newParseError(s.path, 1, i18n.Errorf("sheet %q has no header in its first row", s.sheet))
			}
			if dup := duplicateNames(cells); len(dup) > 0 {
				tmp.Close()
				return newParseError(s.path, 1, i18n.Errorf("the header names a column twice (%s); rename one of them and import again", strings.Join(dup, ", ")))
			}
			s.colNames = cells
		}
		if raw.Next() {
			rawCells, err := raw.Columns(excelize.Options{RawCellValue: true})
			if err == nil && n > 0 {
				for j := range cells {
					if j < len(rawCells) {
						cells[j] = storedValue(rawCells[j], cells[j], dates[j], date1904)
					}
				}
			}
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
		return newParseError(s.path, 0, i18n.Errorf("sheet %q is empty", s.sheet))
	}
	s.read, s.delim, s.header, s.enc = tmp.Name(), ',', true, UTF8
	return nil
}

// dateColumns finds columns whose first non-empty cells (rows 2 to 11)
// carry a date or time number format.
func dateColumns(f *excelize.File, sheet string) map[int]bool {
	out := map[int]bool{}
	for col := 1; col <= 200; col++ {
		for row := 2; row <= 11; row++ {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
			if err != nil || v == "" {
				continue
			}
			if id, err := f.GetCellStyle(sheet, cell); err == nil {
				if st, err := f.GetStyle(id); err == nil && isDateFormat(st) {
					out[col-1] = true
				}
			}
			break
		}
	}
	return out
}

// isDateFormat recognises Excel's built-in date and time formats and
// custom formats made of date or time codes.
func isDateFormat(st *excelize.Style) bool {
	if st.CustomNumFmt != nil {
		code := strings.ToLower(*st.CustomNumFmt)
		// Drop quoted text and [colour] blocks before looking for codes.
		for _, cut := range [][2]string{{`"`, `"`}, {"[", "]"}} {
			for {
				i := strings.Index(code, cut[0])
				if i < 0 {
					break
				}
				j := strings.Index(code[i+1:], cut[1])
				if j < 0 {
					break
				}
				code = code[:i] + code[i+1+j+1:]
			}
		}
		return strings.ContainsAny(code, "yd") || strings.Contains(code, "h") && strings.Contains(code, "m")
	}
	n := st.NumFmt
	return (n >= 14 && n <= 22) || (n >= 27 && n <= 36) || (n >= 45 && n <= 47) || (n >= 50 && n <= 58)
}

// storedValue picks what to write for one cell: for a date column the
// serial number as an ISO date; for other numbers the stored value; for
// booleans and text what Excel shows.
func storedValue(raw, shown string, isDate, date1904 bool) string {
	v, err := strconv.ParseFloat(raw, 64)
	switch {
	case err != nil || raw == "":
		return shown
	case isDate:
		t, err := excelize.ExcelDateToTime(v, date1904)
		if err != nil {
			return shown
		}
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format("2006-01-02")
		}
		return t.Format("2006-01-02 15:04:05")
	case shown == "TRUE" || shown == "FALSE":
		return shown
	case zeroPadded(shown, raw):
		return shown // a ZIP or phone code shown with format 00000
	}
	return raw
}

// zeroPadded reports whether shown is raw's digits with leading zeros, as
// Excel shows a number under a format like 00000.
func zeroPadded(shown, raw string) bool {
	if len(shown) <= len(raw) || shown[0] != '0' {
		return false
	}
	for _, r := range shown {
		if r < '0' || r > '9' {
			return false
		}
	}
	return strings.TrimLeft(shown, "0") == strings.TrimLeft(raw, "0")
}
