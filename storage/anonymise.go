package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// How quasi-identifiers are generalised (the words of the report).
var (
	genAgeBand  = i18n.Mark("10-year bands")
	genYear     = i18n.Mark("year only")
	genMonth    = i18n.Mark("month only")
	genPrefix   = i18n.Mark("first 3 characters")
	genKept     = i18n.Mark("kept")
	genRareCats = i18n.Mark("categories in fewer than k rows become \"other\"")
)

func nameHas(col string, parts ...string) bool {
	n := normName(col)
	for _, p := range parts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

func isAgeCol(c Column) bool {
	n := normName(c.Name)
	return c.IsNumeric() && (n == "age" || n == "年龄" || strings.HasSuffix(n, "age") && len(n) <= 12)
}

func isBirthCol(c Column) bool { return nameHas(c.Name, "birth", "dob", "出生", "生日") }

func isPostcodeCol(c Column) bool {
	return nameHas(c.Name, "postcode", "postalcode", "zip", "邮编", "邮政编码")
}

func isGenderCol(c Column) bool {
	n := normName(c.Name)
	return n == "gender" || n == "sex" || n == "性别"
}

// looksQuasi says whether a column is a quasi-identifier by default.
func looksQuasi(c Column, r Role) bool {
	return r == Region || r == City || isAgeCol(c) || isBirthCol(c) || isPostcodeCol(c) || isGenderCol(c)
}

func isDateCol(c Column) bool {
	t := strings.ToUpper(c.Type)
	return t == "DATE" || strings.HasPrefix(t, "TIMESTAMP")
}

// generalise gives the SQL that generalises a quasi-identifier, and how.
func generalise(c Column, r Role, k int) (string, string) {
	x := Quote(c.Name)
	switch {
	case isAgeCol(c):
		lo := fmt.Sprintf(`CAST(floor(%s / 10) * 10 AS BIGINT)`, x)
		return fmt.Sprintf(`CAST(%s AS VARCHAR) || '-' || CAST(%s + 9 AS VARCHAR)`, lo, lo), genAgeBand
	case isBirthCol(c):
		return fmt.Sprintf(`CAST(year(TRY_CAST(%s AS DATE)) AS VARCHAR)`, x), genYear
	case isDateCol(c):
		return fmt.Sprintf(`strftime(CAST(%s AS DATE), '%%Y-%%m')`, x), genMonth
	case isPostcodeCol(c):
		return fmt.Sprintf(`left(trim(CAST(%s AS VARCHAR)), 3)`, x), genPrefix
	case r == Region || r == City || c.IsNumeric():
		return x, genKept
	}
	return fmt.Sprintf(`CASE WHEN %s IS NOT NULL AND count(*) OVER (PARTITION BY %s) < %d THEN 'other' ELSE CAST(%s AS VARCHAR) END`, x, x, k, x), genRareCats
}

// findCol finds a column by name, ignoring case.
func findCol(cols []Column, name string) (Column, bool) {
	for _, c := range cols {
		if strings.EqualFold(c.Name, strings.TrimSpace(name)) {
			return c, true
		}
	}
	return Column{}, false
}

func colNames(cols []Column) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.Name
	}
	return strings.Join(s, ", ")
}

// anonymise builds privOut from privSrc: identifiers dropped, the
// quasi-identifiers generalised, and classes below k (or l) refused or,
// with Suppress, dropped.
func (p *Project) anonymise(ctx context.Context, conn *sql.Conn, cols []Column, roles map[string]Role, o PrivateOptions, rep *PrivateReport) error {
	if o.K < 2 {
		return i18n.Errorf("k must be at least 2 (got %d)", o.K)
	}
	quasi := map[string]bool{}
	var qcols []Column
	if len(o.Quasi) > 0 {
		for _, q := range o.Quasi {
			c, ok := findCol(cols, q)
			if !ok {
				return i18n.Errorf("no column %q among the export's columns (%s)", q, colNames(cols))
			}
			if IsIdentifier(roles[c.Name]) {
				return i18n.Errorf("%s is a direct identifier (%s): an anonymised export drops it, so it cannot be a quasi-identifier", c.Name, roles[c.Name])
			}
			if !quasi[c.Name] {
				quasi[c.Name] = true
				qcols = append(qcols, c)
			}
		}
	} else {
		for _, c := range cols {
			if looksQuasi(c, roles[c.Name]) {
				quasi[c.Name] = true
				qcols = append(qcols, c)
			}
		}
		if len(qcols) == 0 {
			return i18n.Errorf("found no quasi-identifiers (region, city, age, birth date, postcode, gender); name them with --quasi")
		}
	}
	for _, c := range cols {
		r := roles[c.Name]
		if !quasi[c.Name] && looksQuasi(c, r) && c.Name != o.Sensitive {
			rep.Unchecked = append(rep.Unchecked, c.Name)
		}
	}
	var sens Column
	if o.Sensitive != "" {
		c, ok := findCol(cols, o.Sensitive)
		if !ok {
			return i18n.Errorf("no column %q among the export's columns (%s)", o.Sensitive, colNames(cols))
		}
		if quasi[c.Name] || IsIdentifier(roles[c.Name]) {
			return i18n.Errorf("the sensitive column %s cannot also be a quasi-identifier or an identifier", c.Name)
		}
		if o.L < 1 {
			return i18n.Errorf("l must be at least 1 (got %d)", o.L)
		}
		sens = c
		rep.Sensitive = c.Name
	}
	var sel []string
	for _, c := range cols {
		switch {
		case IsIdentifier(roles[c.Name]) && o.Pseudonym == nil:
			rep.Removed = append(rep.Removed, c.Name)
		case quasi[c.Name]:
			expr, how := generalise(c, roles[c.Name], o.K)
			rep.Generalised[c.Name] = i18n.T(how)
			sel = append(sel, expr+` AS `+Quote(c.Name))
		default:
			sel = append(sel, Quote(c.Name))
		}
	}
	if len(sel) == 0 {
		return i18n.Errorf("every column of the export is an identifier: nothing is left to write")
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+privOut+` AS SELECT `+strings.Join(sel, ", ")+` FROM `+privSrc); err != nil {
		return queryError(err)
	}
	var q, qv, join []string
	for _, c := range qcols {
		rep.Quasi = append(rep.Quasi, c.Name)
		q = append(q, Quote(c.Name))
		qv = append(qv, `CAST(`+Quote(c.Name)+` AS VARCHAR)`)
		join = append(join, `c.`+Quote(c.Name)+` IS NOT DISTINCT FROM o.`+Quote(c.Name))
	}
	distinct := `0`
	bad := fmt.Sprintf(`mb_n < %d`, o.K)
	if sens.Name != "" {
		distinct = `count(DISTINCT ` + Quote(sens.Name) + `)`
		bad += fmt.Sprintf(` OR mb_d < %d`, o.L)
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+privCls+` AS SELECT *, (`+bad+`) AS mb_bad FROM (SELECT `+strings.Join(q, ", ")+
		`, count(*) AS mb_n, `+distinct+` AS mb_d FROM `+privOut+` GROUP BY `+strings.Join(q, ", ")+`)`); err != nil {
		return queryError(err)
	}
	var nBad, rowsBad, nAll int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (mb_bad), coalesce(sum(mb_n) FILTER (mb_bad), 0), count(*) FROM `+privCls).Scan(&nBad, &rowsBad, &nAll); err != nil {
		return err
	}
	if nBad > 0 && !o.Suppress {
		smallest, err := p.smallestClasses(ctx, conn, qcols, qv, "mb_bad")
		if err != nil {
			return err
		}
		var what string
		if sens.Name != "" {
			what = i18n.T("fewer than %d rows or fewer than %d distinct values of %s", o.K, o.L, sens.Name)
		} else {
			what = i18n.T("fewer than %d rows", o.K)
		}
		return &NotAnonymousError{Bad: nBad, All: nAll, Rows: rowsBad, Quasi: rep.Quasi, Sensitive: sens.Name, Smallest: smallest,
			err: i18n.Errorf("%w: %d of %d groups of rows sharing %s (rows: %d) have %s; the smallest: %s. Nothing was written: generalise more, use fewer --quasi columns, or add --suppress to leave those rows out",
				ErrNotAnonymous, nBad, nAll, strings.Join(rep.Quasi, ", "), rowsBad, what, describeClasses(smallest, rep.Quasi, sens.Name != ""))}
	}
	if nBad > 0 {
		if nBad == nAll {
			return i18n.Errorf("every group of rows sharing %s is too small: suppressing them would leave nothing to write", strings.Join(rep.Quasi, ", "))
		}
		res, err := conn.ExecContext(ctx, `DELETE FROM `+privOut+` o WHERE EXISTS (SELECT 1 FROM `+privCls+` c WHERE c.mb_bad AND `+strings.Join(join, " AND ")+`)`)
		if err != nil {
			return queryError(err)
		}
		rep.Dropped, _ = res.RowsAffected()
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*), coalesce(min(mb_n), 0), coalesce(min(mb_d), 0) FROM `+privCls+` WHERE NOT mb_bad`).Scan(&rep.Classes, &rep.K, &rep.L); err != nil {
		return err
	}
	smallest, err := p.smallestClasses(ctx, conn, qcols, qv, "NOT mb_bad")
	rep.Smallest = smallest
	return err
}

// NotAnonymousError is the refusal of an anonymised export, with the
// groups that are too small, so a screen can show them as a table. It is
// ErrNotAnonymous (errors.Is).
type NotAnonymousError struct {
	Bad, All  int64 // groups too small, groups in all
	Rows      int64 // rows in the groups too small
	Quasi     []string
	Sensitive string  // "" without an l-diversity check
	Smallest  []Class // up to 5, smallest first
	err       error
}

func (e *NotAnonymousError) Error() string { return e.err.Error() }
func (e *NotAnonymousError) Unwrap() error { return e.err }

// smallestClasses lists up to 5 classes matching where, smallest first.
func (p *Project) smallestClasses(ctx context.Context, conn *sql.Conn, qcols []Column, qv []string, where string) ([]Class, error) {
	order := []string{"mb_n", "mb_d"}
	for i := range qv {
		order = append(order, strconv.Itoa(i+1)+" NULLS FIRST")
	}
	rows, err := conn.QueryContext(ctx, `SELECT `+strings.Join(qv, ", ")+`, mb_n, mb_d FROM `+privCls+` WHERE `+where+` ORDER BY `+strings.Join(order, ", ")+` LIMIT 5`)
	if err != nil {
		return nil, queryError(err)
	}
	defer rows.Close()
	out := []Class{}
	for rows.Next() {
		vals := make([]sql.NullString, len(qcols))
		ptrs := make([]any, 0, len(qcols)+2)
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		var cl Class
		ptrs = append(ptrs, &cl.Rows, &cl.Distinct)
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cl.Values = map[string]string{}
		for i, c := range qcols {
			cl.Values[c.Name] = vals[i].String
		}
		out = append(out, cl)
	}
	return out, rows.Err()
}

// describeClasses puts classes in words: "region=East, age=30-39 (2 rows)".
func describeClasses(cs []Class, names []string, withL bool) string {
	var parts []string
	for _, c := range cs {
		var kv []string
		for _, k := range names {
			kv = append(kv, k+"="+c.Values[k])
		}
		if withL {
			parts = append(parts, i18n.T("%s (rows: %d, distinct: %d)", strings.Join(kv, ", "), c.Rows, c.Distinct))
		} else {
			parts = append(parts, i18n.T("%s (rows: %d)", strings.Join(kv, ", "), c.Rows))
		}
	}
	return strings.Join(parts, "; ")
}
