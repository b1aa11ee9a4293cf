package storage

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// exportTable is a small table with the awkward values of real exports: a
// delimiter and quotes in text, Chinese, an empty string beside a NULL,
// negative and fractional numbers, a DECIMAL, the largest INTEGER, codes
// with leading zeros, booleans and dates.
func exportTable(t *testing.T) *Project {
	t.Helper()
	p := newProject(t)
	if _, err := p.DB().Exec(`CREATE TABLE t (id BIGINT, name VARCHAR, amount DOUBLE, qty INTEGER, price DECIMAL(10,2), flag BOOLEAN, day DATE, code VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB().Exec(`INSERT INTO t VALUES
		(1, 'Ann, "the" buyer', 1234.5, 3, 12.50, true, DATE '2024-01-05', '007'),
		(2, '李雷', -0.125, -2, 0.05, false, DATE '2023-12-31', '0100'),
		(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(4, '', 0.1, 2147483647, 99999999.99, true, DATE '1999-02-28', '')`); err != nil {
		t.Fatal(err)
	}
	return p
}

// exportCells is the table as text, row by row, the way a person reads the
// cells; nil is an empty (NULL) cell.
var exportCells = [][]any{
	{"1", `Ann, "the" buyer`, "1234.5", "3", "12.50", "true", "2024-01-05", "007"},
	{"2", "李雷", "-0.125", "-2", "0.05", "false", "2023-12-31", "0100"},
	{"3", nil, nil, nil, nil, nil, nil, nil},
	{"4", "", "0.1", "2147483647", "99999999.99", "true", "1999-02-28", ""},
}

var exportHeader = []string{"id", "name", "amount", "qty", "price", "flag", "day", "code"}

// TestExportCSVReadBack exports to CSV and reads every cell back as text
// with DuckDB, NULL and empty string kept apart (the export writes "" for an
// empty string and nothing for NULL; allow_quoted_nulls = false makes the
// reader tell them apart too).
func TestExportCSVReadBack(t *testing.T) {
	p := exportTable(t)
	path := filepath.Join(t.TempDir(), "out.csv")
	if n, err := p.Export(context.Background(), `SELECT * FROM t ORDER BY id`, path); err != nil || n != 4 {
		t.Fatalf("exported %d rows: %v", n, err)
	}
	rows, err := p.DB().Query(`SELECT * FROM read_csv(` + Literal(path) + `, header = true, all_varchar = true, allow_quoted_nulls = false)`)
	if err != nil {
		t.Fatal(err)
	}
	got := scanAll(t, rows, exportHeader)
	for i, row := range got {
		for j, v := range row {
			want := exportCells[i][j]
			var g any
			if v != nil {
				g = v.(string)
			}
			if g != want {
				t.Errorf("row %d %s: CSV has %#v, want %#v", i+1, exportHeader[j], g, want)
			}
		}
	}
	if len(got) != len(exportCells) {
		t.Fatalf("%d rows read back, want %d", len(got), len(exportCells))
	}
}

// TestExportParquetReadBack exports to Parquet and reads it back with
// DuckDB: the same column types and every value equal to the table's.
func TestExportParquetReadBack(t *testing.T) {
	p := exportTable(t)
	path := filepath.Join(t.TempDir(), "out.parquet")
	if n, err := p.Export(context.Background(), `SELECT * FROM t ORDER BY id`, path); err != nil || n != 4 {
		t.Fatalf("exported %d rows: %v", n, err)
	}
	types := func(rel string) []string {
		rows, err := p.DB().Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ` + rel + `)`)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range scanAll(t, rows, []string{"name", "type"}) {
			out = append(out, r[0].(string)+" "+r[1].(string))
		}
		return out
	}
	src := `read_parquet(` + Literal(path) + `)`
	if a, b := types(src), types("t"); !reflect.DeepEqual(a, b) || len(a) != 8 {
		t.Fatalf("Parquet columns %v, table %v", a, b)
	}
	q := func(rel string) [][]any {
		rows, err := p.DB().Query(`SELECT * FROM ` + rel + ` ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		return scanAll(t, rows, exportHeader)
	}
	got, want := q(src), q("t")
	if len(got) != 4 || !reflect.DeepEqual(got, want) {
		t.Fatalf("Parquet rows\n%v\ntable rows\n%v", got, want)
	}
	// And as text, the cells a person would read.
	for i, row := range got {
		for j, v := range row {
			var g any
			if v != nil {
				g = Format(v)
			}
			if g != exportCells[i][j] {
				t.Errorf("row %d %s: Parquet has %#v, want %#v", i+1, exportHeader[j], g, exportCells[i][j])
			}
		}
	}
}

// TestExportXLSXReadBack exports to Excel and reads every cell back with
// excelize: numbers (DECIMAL included) are number cells with the exact
// value, so Excel can compute with them; booleans are booleans; text,
// dates and codes with leading zeros are text; NULL is an empty cell.
func TestExportXLSXReadBack(t *testing.T) {
	p := exportTable(t)
	path := filepath.Join(t.TempDir(), "out.xlsx")
	if n, err := p.Export(context.Background(), `SELECT * FROM t ORDER BY id`, path); err != nil || n != 4 {
		t.Fatalf("exported %d rows: %v", n, err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	numeric := map[int]bool{0: true, 2: true, 3: true, 4: true}
	for j, h := range exportHeader {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		if v, err := f.GetCellValue("Sheet1", cell); err != nil || v != h {
			t.Errorf("header %s is %q (%v), want %q", cell, v, err, h)
		}
	}
	for i, row := range exportCells {
		for j, want := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			typ, err := f.GetCellType("Sheet1", cell)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := f.GetCellValue("Sheet1", cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case want == nil:
				if raw != "" {
					t.Errorf("%s (%s): NULL exported as %q", cell, exportHeader[j], raw)
				}
			case numeric[j]:
				if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Errorf("%s (%s): a number stored as cell type %v (%q)", cell, exportHeader[j], typ, raw)
					continue
				}
				g, err1 := strconv.ParseFloat(raw, 64)
				w, _ := strconv.ParseFloat(want.(string), 64)
				if err1 != nil || g != w {
					t.Errorf("%s (%s): %q, want the number %v", cell, exportHeader[j], raw, w)
				}
			case j == 5:
				if typ != excelize.CellTypeBool {
					t.Errorf("%s: a boolean stored as cell type %v", cell, typ)
				}
				if w := map[string]string{"true": "1", "false": "0"}[want.(string)]; raw != w {
					t.Errorf("%s: boolean %q, want %q", cell, raw, w)
				}
			default:
				if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
					t.Errorf("%s (%s): text stored as cell type %v", cell, exportHeader[j], typ)
				}
				if raw != want {
					t.Errorf("%s (%s): %q, want %q", cell, exportHeader[j], raw, want)
				}
			}
		}
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil || len(rows) != 5 {
		t.Fatalf("%d rows in the sheet (%v), want a header and 4", len(rows), err)
	}
}

// scanAll reads every row as []any, checking the column count and errors.
func scanAll(t *testing.T, rows *sql.Rows, cols []string) [][]any {
	t.Helper()
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(cols) {
		t.Fatalf("columns %v, want %v", names, cols)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every export is a plain file: the XLSX one used to be written executable
// (0755) by excelize, unlike the CSV and Parquet ones.
func TestExportFileMode(t *testing.T) {
	p := exportTable(t)
	dir := t.TempDir()
	modes := map[string]os.FileMode{}
	for _, ext := range []string{".csv", ".parquet", ".xlsx"} {
		path := filepath.Join(dir, "out"+ext)
		if _, err := p.Export(context.Background(), `SELECT * FROM t`, path); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		modes[ext] = st.Mode().Perm()
	}
	if modes[".xlsx"]&0o111 != 0 || modes[".xlsx"] != modes[".csv"] || modes[".parquet"] != modes[".csv"] {
		t.Errorf("file modes %v: want the same mode, without execute bits, for every format", modes)
	}
}
