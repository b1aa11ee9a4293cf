package models

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// RowValues is one column of derived values for rows of a table: Num for
// a DOUBLE column, else Text for a VARCHAR column. NaN and "" are NULL.
type RowValues struct {
	Name string
	Num  []float64
	Text []string
}

// RowText is the text of one row of a table, by its number (see
// storage.RowSource).
type RowText struct {
	RowID int64
	Text  string
}

// ReadText returns the non-empty values of a text column with their row
// numbers (storage.RowSource).
func ReadText(ctx context.Context, p *storage.Project, table, column string) ([]RowText, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	found := ""
	for _, c := range cols {
		if strings.EqualFold(c.Name, column) {
			found = c.Name
		}
	}
	if found == "" {
		return nil, i18n.Errorf("table %q has no column %q", table, column)
	}
	rn := storage.Quote(storage.RowNumber)
	rows, err := p.Q().QueryContext(ctx, `SELECT `+rn+`, CAST(`+storage.Quote(found)+` AS VARCHAR) FROM `+storage.RowSourceOf(table, cols)+
		` WHERE `+storage.Quote(found)+` IS NOT NULL ORDER BY `+rn)
	if err != nil {
		return nil, i18n.Errorf("cannot read %s.%s: %s", table, column, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var out []RowText
	for rows.Next() {
		var r RowText
		if err := rows.Scan(&r.RowID, &r.Text); err != nil {
			return nil, err
		}
		if strings.TrimSpace(r.Text) != "" {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, i18n.Errorf("column %q of %q has no text", column, table)
	}
	return out, nil
}

// SetRowColumns adds (or refills) derived columns of table for the given
// rowids, in one transaction; other rows get NULL. A column that exists
// already is replaced only if an earlier run of the same action made it,
// so a user's own column is never overwritten.
func SetRowColumns(ctx context.Context, p *storage.Project, table string, rowids []int64, vals []RowValues, action, detail string) error {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return err
	}
	existing := map[string]string{}
	for _, c := range cols {
		existing[strings.ToLower(c.Name)] = c.Name
	}
	for _, v := range vals {
		if name, ok := existing[strings.ToLower(v.Name)]; ok && !madeBy(ctx, p, action, table+"."+name) {
			return i18n.Errorf("table %q already has a column %q of its own; rename it first", table, name)
		}
	}
	f, err := os.CreateTemp("", "mb-rows-*.csv")
	if err != nil {
		return i18n.Errorf("cannot write the results: %v", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	types := []string{`'rid': 'BIGINT'`}
	w.WriteString("rid")
	for i, v := range vals {
		fmt.Fprintf(w, ",c%d", i)
		t := "DOUBLE"
		if v.Num == nil {
			t = "VARCHAR"
		}
		types = append(types, fmt.Sprintf(`'c%d': '%s'`, i, t))
	}
	w.WriteByte('\n')
	for r, id := range rowids {
		w.WriteString(strconv.FormatInt(id, 10))
		for _, v := range vals {
			w.WriteByte(',')
			if v.Num != nil {
				if x := v.Num[r]; !math.IsNaN(x) {
					w.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
				}
			} else {
				w.WriteString(storage.CSVField(v.Text[r]))
			}
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return i18n.Errorf("cannot write the results: %v", err)
	}
	if err := f.Close(); err != nil {
		return i18n.Errorf("cannot write the results: %v", err)
	}
	t := storage.Quote(table)
	src := `read_csv(` + storage.Literal(f.Name()) + `, header = true, columns = {` + strings.Join(types, ", ") + `}, quote = '"', escape = '"')`
	return p.Tx(ctx, func(tx *storage.Tx) error {
		var sets []string
		for i, v := range vals {
			if name, ok := existing[strings.ToLower(v.Name)]; ok {
				if _, err := tx.ExecContext(ctx, `ALTER TABLE `+t+` DROP COLUMN `+storage.Quote(name)); err != nil {
					return i18n.Errorf("cannot replace %q: %s", name, storage.FirstLine(err.Error()))
				}
			}
			typ := "DOUBLE"
			if v.Num == nil {
				typ = "VARCHAR"
			}
			if _, err := tx.ExecContext(ctx, `ALTER TABLE `+t+` ADD COLUMN `+storage.Quote(v.Name)+` `+typ); err != nil {
				return i18n.Errorf("cannot add %q: %s", v.Name, storage.FirstLine(err.Error()))
			}
			sets = append(sets, fmt.Sprintf(`%s = n.c%d`, storage.Quote(v.Name), i))
		}
		if storage.HidesRowID(cols) {
			// A column named rowid hides DuckDB's, so rows are numbered by
			// position (as ReadText numbered them) and the table is
			// rebuilt in its order with the new values.
			if err := rebuildWith(ctx, tx, table, cols, src, sets); err != nil {
				return i18n.Errorf("cannot store the results: %s", storage.FirstLine(err.Error()))
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE `+t+` SET `+strings.Join(sets, ", ")+` FROM `+src+` n WHERE `+t+`.rowid = n.rid`); err != nil {
			return i18n.Errorf("cannot store the results: %s", storage.FirstLine(err.Error()))
		}
		for _, v := range vals {
			if err := p.InTx(tx).Audit(ctx, tx, action, table+"."+v.Name, -1, int64(len(rowids)), detail); err != nil {
				return err
			}
		}
		return nil
	})
}

// rebuildWith replaces table by a copy in the same order whose columns are
// set from src (matched on rid = the row's number); sets are the
// `"column" = n.cN` assignments of an UPDATE.
func rebuildWith(ctx context.Context, tx *storage.Tx, table string, cols []storage.Column, src string, sets []string) error {
	rn := storage.Quote(storage.RowNumber)
	var reps []string
	for _, s := range sets {
		col, val, _ := strings.Cut(s, " = ")
		reps = append(reps, val+` AS `+col)
	}
	tmp := storage.Quote("mb_rows_" + table)
	q := `CREATE TABLE ` + tmp + ` AS SELECT b.* EXCLUDE (` + rn + `) REPLACE (` + strings.Join(reps, ", ") + `) FROM ` +
		storage.RowSourceOf(table, cols) + ` b LEFT JOIN ` + src + ` n ON n.rid = b.` + rn + ` ORDER BY b.` + rn
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+storage.Quote(table)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE `+tmp+` RENAME TO `+storage.Quote(table))
	return err
}

// madeBy reports whether the audit log records action writing target.
func madeBy(ctx context.Context, p *storage.Project, action, target string) bool {
	var n int
	p.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_audit WHERE action = ? AND lower(target) = lower(?)`, action, target).Scan(&n)
	return n > 0
}
