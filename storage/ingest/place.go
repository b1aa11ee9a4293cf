// Placing the staged rows under their table name, and the rows a
// forgiving import set aside.

package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// place moves the staging table to its final name according to the mode.
func (s *source) place(ctx context.Context, tx *storage.Tx, staging, table string, mode Mode) error {
	q, st := storage.Quote(table), storage.Quote(staging)
	switch mode {
	case Append:
		if err := checkAppendable(ctx, tx, staging, table); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+q+` BY NAME SELECT * FROM `+st); err != nil {
			return i18n.Errorf("cannot append to %q: %s", table, storage.FirstLine(err.Error()))
		}
		_, err := tx.ExecContext(ctx, `DROP TABLE `+st)
		return err
	case Replace:
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+q); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE `+st+` RENAME TO `+q)
	return err
}

// freeRowID renames a column named rowid (in any case) of the staging
// table to rowid_1 (or the next free name): under its own name it would
// hide DuckDB's row ids, which paging and cleaning use. Appending to a
// table that already has such a column (from before this rule) keeps it.
func freeRowID(ctx context.Context, tx *storage.Tx, staging, table string, mode Mode) (map[string]string, error) {
	names := func(t string) ([]string, error) { return columnNames(ctx, tx, storage.Quote(t)) }
	cols, err := names(staging)
	if err != nil {
		return nil, err
	}
	hides := func(cols []string) string {
		for _, c := range cols {
			if strings.EqualFold(c, "rowid") {
				return c
			}
		}
		return ""
	}
	from := hides(cols)
	if from == "" {
		return nil, nil
	}
	if mode == Append {
		target, err := names(table)
		if err != nil {
			return nil, err
		}
		if hides(target) != "" {
			return nil, nil
		}
	}
	taken := map[string]bool{}
	for _, c := range cols {
		taken[strings.ToLower(c)] = true
	}
	to := ""
	for i := 1; to == ""; i++ {
		if c := fmt.Sprintf("%s_%d", from, i); !taken[strings.ToLower(c)] {
			to = c
		}
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE `+storage.Quote(staging)+` RENAME COLUMN `+storage.Quote(from)+` TO `+storage.Quote(to)); err != nil {
		return nil, err
	}
	return map[string]string{from: to}, nil
}

// checkAppendable makes sure appending loses nothing: every column of the
// file must exist in the table, and its values must fit the table's type.
// An integer column that now receives decimals is widened to DOUBLE (in the
// same transaction); other mismatches are refused with the column named.
func checkAppendable(ctx context.Context, tx *storage.Tx, staging, table string) error {
	types := func(t string) (map[string]storage.Column, error) {
		rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?`, t)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := map[string]storage.Column{}
		for rows.Next() {
			var c storage.Column
			if err := rows.Scan(&c.Name, &c.Type); err != nil {
				return nil, err
			}
			m[strings.ToLower(c.Name)] = c
		}
		return m, rows.Err()
	}
	have, err := types(table)
	if err != nil {
		return err
	}
	got, err := types(staging)
	if err != nil {
		return err
	}
	var extra []string
	for k, c := range got {
		if _, ok := have[k]; !ok {
			extra = append(extra, c.Name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return i18n.Errorf("cannot append: the file has columns %q that %q does not; replace the table or import into a new one", extra, table)
	}
	for k, c := range got {
		h := have[k]
		switch {
		case h.Type == c.Type, h.Type == "VARCHAR", h.Type == "DOUBLE" && c.IsNumeric(),
			isInteger(h.Type) && isInteger(c.Type), h.IsTemporal() && c.IsTemporal():
			continue
		case isInteger(h.Type) && c.IsNumeric():
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+storage.Quote(table)+` ALTER `+storage.Quote(h.Name)+` SET DATA TYPE DOUBLE`); err != nil {
				return err
			}
		default:
			return i18n.Errorf("cannot append: column %q of %q holds %v, but the file has %v there; fix the file, or replace the table",
				h.Name, table, typeWords(h.Type), typeWords(c.Type))
		}
	}
	return nil
}

func isInteger(t string) bool {
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT":
		return true
	}
	return false
}

// typeWords names a column type for people (as an error, so that
// i18n.Error can translate it inside a message).
func typeWords(t string) error {
	c := storage.Column{Type: t}
	switch {
	case isInteger(t):
		return i18n.Errorf("whole numbers")
	case c.IsNumeric():
		return i18n.Errorf("numbers")
	case c.IsTemporal():
		return i18n.Errorf("dates")
	case t == "BOOLEAN":
		return i18n.Errorf("true/false values")
	case t == "VARCHAR":
		return i18n.Errorf("text")
	}
	return errors.New(t)
}

// saveRejects keeps bad rows where the user can review and export them.
func saveRejects(ctx context.Context, tx *storage.Tx, table, sum string, rejects []*ParseError) error {
	q := storage.Quote(table)
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+q+` (file VARCHAR, file_sha256 VARCHAR, line BIGINT, "column" VARCHAR, reason VARCHAR, raw_text VARCHAR)`); err != nil {
		return err
	}
	for _, r := range rejects {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+q+` VALUES (?, ?, ?, ?, ?, ?)`, filepath.Base(r.File), sum, r.Line, r.Column, r.Reason, r.Raw); err != nil {
			return err
		}
	}
	return nil
}

// Text columns that are really numbers. Exports often write " " for "no
// value", which makes DuckDB's sniffer fall back to text (Telco's
// TotalCharges), shops write "£1,234.50", and European exports write
// 1.234,50. Codes with leading zeros ("007") stay text.
//
// The fast path decides from a sample before anything is written and
// converts inside the one CREATE TABLE (convertSQL); a later value that
// does not fit aborts that statement with errConvert and the import runs
// again without it, converting afterwards from the full column
// (refineTypes), which is slower but sees every value.

func (s *source) readRejects(ctx context.Context, tx *storage.Tx, table string) ([]*ParseError, []string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT line, coalesce(column_name, ''), error_type::VARCHAR, coalesce(csv_line, ''), coalesce(error_message, '')
		FROM `+storage.Quote(table)+` ORDER BY line`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []*ParseError
	widen := map[string]bool{}
	for rows.Next() {
		var e ParseError
		var kind, msg string
		if err := rows.Scan(&e.Line, &e.Column, &kind, &e.Raw, &msg); err != nil {
			return nil, nil, err
		}
		if kind == "CAST" && e.Column != "" {
			widen[e.Column] = true
			continue
		}
		e.File = s.path
		e.why = rejectReason(kind, msg, s.enc)
		e.Reason = e.why.Error()
		out = append(out, &e)
	}
	var cols []string
	for c := range widen {
		cols = append(cols, c)
	}
	return out, cols, rows.Err()
}

// fieldCounts rewords DuckDB's "Expected Number of Columns: 3 Found: 4".
func fieldCounts(msg string) error {
	var want, got int
	if _, err := fmt.Sscanf(msg, "Expected Number of Columns: %d Found: %d", &want, &got); err != nil {
		return i18n.Errorf("a different number of fields than the header")
	}
	return i18n.Errorf("%d fields where the header has %d", got, want)
}

// rejectReason says why DuckDB rejected a row; its English text is what
// the rejects table keeps.
func rejectReason(kind, msg, enc string) error {
	switch kind {
	case "CAST":
		return i18n.Errorf("a value does not fit its column's type: %s", msg)
	case "TOO MANY COLUMNS":
		return i18n.Errorf("this row has %v; a delimiter inside a value may need quotes", fieldCounts(msg))
	case "MISSING COLUMNS":
		return i18n.Errorf("this row has %v", fieldCounts(msg))
	case "UNQUOTED VALUE":
		return i18n.Errorf("a quote is not closed, or text follows a closing quote")
	case "INVALID ENCODING", "INVALID UNICODE":
		return i18n.Errorf("this line is not valid %s text; choose the file's real encoding (for example windows-1252 or gb18030)", enc)
	case "LINE SIZE OVER MAXIMUM", "MAXIMUM LINE SIZE":
		return i18n.Errorf("this line is longer than %d MB; is the file really a table of rows?", maxLine>>20)
	}
	return errors.New(storage.FirstLine(msg))
}
