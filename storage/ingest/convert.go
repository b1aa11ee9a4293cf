// Conversions planned at import: text columns that are really numbers
// (currencies, thousands separators, 万/亿) or dates (2024年3月15日).

package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/marketbench/marketbench/storage"
)

// numExpr is a column's text with currency symbols (£ $ € ¥ ￥, a trailing
// 元), spaces and thousands separators removed; Chinese amounts in 万
// (10,000) and 亿 (100,000,000) are multiplied out: 1.2万 is 12000.
func numExpr(col string, decComma bool) string {
	num := `regexp_replace(trim(` + storage.Quote(col) + `), '^[£$€¥￥]\s*|\s*([£$€¥￥]|元)$', '')`
	if decComma {
		return `replace(replace(` + num + `, '.', ''), ',', '.')`
	}
	plain := `CASE WHEN regexp_matches(` + num + `, '^-?\d{1,3}(,\d{3})+(\.\d+)?$') THEN replace(` + num + `, ',', '') ELSE ` + num + ` END`
	// A value that does not parse stays as it was, so it is seen as no number.
	wan := `coalesce(CAST(TRY_CAST(replace(rtrim(` + num + `, ' 万亿'), ',', '') AS DECIMAL(38,8)) *
		CASE WHEN suffix(` + num + `, '亿') THEN 100000000 ELSE 10000 END AS VARCHAR), ` + num + `)`
	// contains on the raw text first: cheap for the many values without 万.
	raw := storage.Quote(col)
	return `CASE WHEN (contains(` + raw + `, '万') OR contains(` + raw + `, '亿')) AND (suffix(` + num + `, '万') OR suffix(` + num + `, '亿')) THEN ` +
		wan + ` ELSE ` + plain + ` END`
}

// Chinese dates: 2024年3月15日 and 2024/3/15, with an optional time.
const zhDateRe = `^\d{4}(年\d{1,2}月\d{1,2}日|/\d{1,2}/\d{1,2})(\s*\d{1,2}:\d{2}(:\d{2})?)?$`

// dateExpr rewrites a Chinese date as 2024-3-15 (with its time), which
// DuckDB casts to DATE or TIMESTAMP.
func dateExpr(col string) string {
	return `regexp_replace(regexp_replace(trim(` + storage.Quote(col) + `), '日\s*', ' '), '[年月/]', '-', 'g')`
}

// isDateType: conversions to dates rather than numbers.
func isDateType(t string) bool { return t == "DATE" || t == "TIMESTAMP" }

// numericColumns checks text columns of a relation in one scan and returns
// those whose every non-blank value is a number, with BIGINT or DOUBLE.
func numericColumns(ctx context.Context, q querier, relation string, cols []string, decComma bool) (map[string]string, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	var sel []string
	for _, c := range cols {
		v := numExpr(c, decComma)
		sel = append(sel, fmt.Sprintf(`count(*) FILTER (WHERE %[1]s <> '' AND (TRY_CAST(%[1]s AS DOUBLE) IS NULL OR regexp_matches(%[1]s, '^-?0[0-9]|^-?[0-9]{16,}$'))),
			count(*) FILTER (WHERE %[1]s <> ''), count(*) FILTER (WHERE %[1]s <> '' AND NOT regexp_matches(%[1]s, '^-?[0-9]+$')),
			count(*) FILTER (WHERE regexp_matches(trim(%[2]s), '%[3]s')),
			count(*) FILTER (WHERE regexp_matches(trim(%[2]s), '%[4]s'))`, v, storage.Quote(c), mobileRe, oldIDRe))
	}
	const k = 5 // counts per column
	vals := make([]int64, k*len(cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := q.QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+relation).Scan(ptrs...); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, c := range cols {
		bad, nonblank, nonint, mobiles, oldIDs := vals[k*i], vals[k*i+1], vals[k*i+2], vals[k*i+3], vals[k*i+4]
		// A column of mobile numbers or of 15-digit ID numbers stays
		// text (see planConversions).
		if bad == 0 && nonblank > 0 && mobiles < nonblank && oldIDs < nonblank {
			out[c] = "BIGINT"
			if nonint > 0 {
				out[c] = "DOUBLE"
			}
		}
	}
	return out, nil
}

// mobileRe is a mainland Chinese mobile number, with or without +86,
// spaces or dashes.
const mobileRe = `^(\+?86[ -]?)?1[3-9][0-9]([ -]?[0-9]{4}){2}$`

// oldIDRe is the shape of a first-generation 15-digit resident ID number:
// area (province code 11-65), YYMMDD, sequence. storage.ValidResidentID
// checks the rest when roles are detected.
const oldIDRe = `^[1-6][0-9]{5}[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}$`

// zhDateColumns finds text columns whose every non-blank value is a Chinese
// date (zhDateRe), with DATE, or TIMESTAMP when some value has a time.
func zhDateColumns(ctx context.Context, q querier, relation string, cols []string) (map[string]string, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	var sel []string
	for _, c := range cols {
		v := `trim(` + storage.Quote(c) + `)`
		sel = append(sel, fmt.Sprintf(`count(*) FILTER (WHERE %[1]s <> '' AND (NOT regexp_matches(%[1]s, '%[2]s') OR TRY_CAST(trim(%[3]s) AS TIMESTAMP) IS NULL)),
			count(*) FILTER (WHERE %[1]s <> ''), count(*) FILTER (WHERE %[1]s <> '' AND contains(%[1]s, ':'))`, v, zhDateRe, dateExpr(c)))
	}
	vals := make([]int64, 3*len(cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := q.QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+relation).Scan(ptrs...); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, c := range cols {
		bad, nonblank, timed := vals[3*i], vals[3*i+1], vals[3*i+2]
		if bad == 0 && nonblank > 0 {
			out[c] = "DATE"
			if timed > 0 {
				out[c] = "TIMESTAMP"
			}
		}
	}
	return out, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// errConvert marks a value that did not fit the type chosen from the sample.
const errConvert = "mb-late-value-is-not-a-number"

// convertSQL is the SELECT list for the fast path: every column, with the
// planned ones converted; a value that does not fit raises errConvert
// rather than becoming NULL or being rounded.
func (s *source) convertSQL() string {
	if len(s.convert) == 0 && len(s.ids) == 0 {
		return `*`
	}
	var reps []string
	for c := range s.ids {
		reps = append(reps, `trim(`+storage.Quote(c)+`) AS `+storage.Quote(c))
	}
	for c, typ := range s.convert {
		v := numExpr(c, s.decComma)
		fits := `TRY_CAST(` + v + ` AS DOUBLE) IS NOT NULL AND NOT regexp_matches(` + v + `, '^-?0[0-9]')`
		switch {
		case typ == "BIGINT":
			fits = `regexp_matches(` + v + `, '^-?[1-9][0-9]*$|^0$')`
		case isDateType(typ):
			v = `trim(` + dateExpr(c) + `)`
			fits = `regexp_matches(trim(` + storage.Quote(c) + `), '` + zhDateRe + `') AND TRY_CAST(` + v + ` AS ` + typ + `) IS NOT NULL`
		}
		reps = append(reps, fmt.Sprintf(`CASE WHEN %[1]s IS NULL OR %[1]s = '' THEN NULL WHEN %[2]s THEN CAST(%[1]s AS %[3]s) ELSE error('%[4]s') END AS %[5]s`,
			v, fits, typ, errConvert, storage.Quote(c)))
	}
	sort.Strings(reps)
	return `* REPLACE (` + strings.Join(reps, ", ") + `)`
}

// planConversions picks, from a sample of the file, the text columns to
// convert to numbers while loading.
func (s *source) planConversions(ctx context.Context, p *storage.Project) error {
	if !s.isCSV() {
		return nil
	}
	// Long digit strings are identifiers (order numbers, card-like ids):
	// as numbers they would lose digits past the 15th, so keep them text.
	textSample := `(SELECT * FROM ` + s.relation(readMode{lenient: true, allText: true}) + ` LIMIT 2000)`
	all, err := columnNames(ctx, p.DB(), textSample)
	if err != nil {
		return nil // the load reports problems with the file in words
	}
	if len(all) > 0 {
		var sel []string
		// Chinese mobile numbers (13812345678, +86 139 1234 5678) are
		// text too: as numbers they would lose their spelling and +86; and
		// so are 15-digit resident ID numbers, for the national_id role.
		for _, c := range all {
			v := `trim(` + storage.Quote(c) + `)`
			sel = append(sel, `bool_or(regexp_matches(`+v+`, '^-?[0-9]{16,}$')) OR
				(count(*) FILTER (WHERE `+v+` <> '') > 0 AND bool_and(`+v+` = '' OR regexp_matches(`+v+`, '`+mobileRe+`'))) OR
				(count(*) FILTER (WHERE `+v+` <> '') > 0 AND bool_and(`+v+` = '' OR regexp_matches(`+v+`, '`+oldIDRe+`')))`)
		}
		flags := make([]sql.NullBool, len(all))
		ptrs := make([]any, len(all))
		for i := range flags {
			ptrs[i] = &flags[i]
		}
		if err := p.DB().QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+textSample).Scan(ptrs...); err == nil {
			for i, f := range flags {
				if f.Bool {
					s.forceType(all[i], "VARCHAR")
					if s.ids == nil {
						s.ids = map[string]bool{}
					}
					s.ids[all[i]] = true
				}
			}
		}
	}
	sample := `(SELECT * FROM ` + s.relation(readMode{lenient: true}) + ` LIMIT 2000)`
	rows, err := p.DB().QueryContext(ctx, `SELECT column_name FROM (DESCRIBE SELECT * FROM `+sample+`) WHERE column_type = 'VARCHAR'`)
	if err != nil {
		return nil
	}
	var cols []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		if s.types[c] != "VARCHAR" {
			cols = append(cols, c)
		}
	}
	rows.Close()
	conv, err := numericColumns(ctx, p.DB(), sample, cols, s.decComma)
	if err != nil {
		return nil
	}
	var rest []string
	for _, c := range cols {
		if _, ok := conv[c]; !ok {
			rest = append(rest, c)
		}
	}
	dates, err := zhDateColumns(ctx, p.DB(), sample, rest)
	if err != nil {
		return nil
	}
	if conv == nil {
		conv = map[string]string{}
	}
	for c, t := range dates {
		conv[c] = t
	}
	if len(conv) == 0 {
		return nil
	}
	s.convert = conv
	for c := range conv {
		s.forceType(c, "VARCHAR") // read as text whatever the full read would sniff
	}
	return nil
}

func (s *source) forceType(col, typ string) {
	if s.types == nil {
		s.types = map[string]string{}
	}
	s.types[col] = typ
}

// columnNames lists the columns of a relation.
func columnNames(ctx context.Context, db storage.Querier, relation string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM (DESCRIBE SELECT * FROM `+relation+`)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// refineTypes converts after loading, checking every value: the fallback
// when the sample was misleading, and for columns the sample did not catch.
func refineTypes(ctx context.Context, tx *storage.Tx, table string, decComma bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? AND data_type = 'VARCHAR'`, table)
	if err != nil {
		return err
	}
	var cols []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
	}
	rows.Close()
	q := storage.Quote(table)
	cand, err := numericColumns(ctx, tx, `(SELECT * FROM `+q+` LIMIT 2000)`, cols, decComma)
	if err != nil || len(cand) == 0 {
		return err
	}
	cols = cols[:0]
	for c := range cand {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	conv, err := numericColumns(ctx, tx, q, cols, decComma)
	if err != nil {
		return err
	}
	for _, c := range cols {
		typ, ok := conv[c]
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE %s ALTER %s SET DATA TYPE %s USING TRY_CAST(nullif(%s, '') AS %s)`,
			q, storage.Quote(c), typ, numExpr(c, decComma), typ)); err != nil {
			return err
		}
	}
	return nil
}

// openQuoteLine finds the line where a quoted value starts that never ends,
// or 0. It streams the file once; it runs only after a failure.
func (s *source) openQuoteLine() int64 {
	f, err := os.Open(s.read)
	if err != nil {
		return 0
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var line, start int64 = 1, 0
	inQ := false
	for {
		c, err := r.ReadByte()
		if err != nil {
			break
		}
		switch c {
		case '"':
			inQ = !inQ
			if inQ {
				start = line
			}
		case '\n':
			line++
		}
	}
	if inQ {
		return start
	}
	return 0
}
