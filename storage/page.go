package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// PageRequest asks for one page of a table. Where is an already-compiled,
// parameterised filter (see storage/rule); Sort must be a column of the table.
type PageRequest struct {
	Table  string
	Sort   string
	Desc   bool
	Where  string
	Args   []any
	Offset int64
	Limit  int
}

// Page is one page of rows plus the total that match the filter.
type Page struct {
	Result
	Total int64
}

// Page reads one page; sorting and filtering happen in DuckDB, so the cost
// depends on the page size, not on the table size (a top-N sort).
func (p *Project) Page(ctx context.Context, r PageRequest) (*Page, error) {
	cols, err := p.Columns(ctx, r.Table)
	if err != nil {
		return nil, err
	}
	if r.Limit <= 0 {
		r.Limit = 100
	}
	where := ""
	if strings.TrimSpace(r.Where) != "" {
		where = " WHERE " + r.Where
	}
	order := ""
	if r.Sort != "" {
		found := false
		for _, c := range cols {
			if c.Name == r.Sort {
				found = true
			}
		}
		if !found {
			return nil, i18n.Errorf("cannot sort by %q: %q has no such column", r.Sort, r.Table)
		}
		dir := "ASC"
		if r.Desc {
			dir = "DESC"
		}
		order = " ORDER BY " + Quote(r.Sort) + " " + dir + " NULLS LAST"
	}
	pg := &Page{}
	if err := p.q.QueryRowContext(ctx, `SELECT count(*) FROM `+Quote(r.Table)+where, r.Args...).Scan(&pg.Total); err != nil {
		return nil, queryError(err)
	}
	q := fmt.Sprintf(`SELECT * FROM %s%s LIMIT %d OFFSET %d`, Quote(r.Table), where, r.Limit, r.Offset)
	args := r.Args
	if order != "" && HidesRowID(cols) {
		// A column named rowid hides DuckDB's: sort the whole rows, with
		// the row's position breaking ties.
		q = fmt.Sprintf(`SELECT * EXCLUDE (%s) FROM %s%s%s, %s LIMIT %d OFFSET %d`, Quote(RowNumber), RowSourceOf(r.Table, cols), where, order,
			Quote(RowNumber), r.Limit, r.Offset)
	} else if order != "" {
		// Late materialisation: sort only the key and rowid to find the page,
		// then fetch its full rows by rowid (a literal list, which DuckDB
		// turns into a point lookup; a subquery would scan every column).
		// rowid breaks ties so consecutive pages never overlap.
		order += ", rowid"
		ids, err := p.rowids(ctx, fmt.Sprintf(`SELECT rowid FROM %s%s%s LIMIT %d OFFSET %d`, Quote(r.Table), where, order, r.Limit, r.Offset), r.Args)
		if err != nil {
			return nil, err
		}
		// The BETWEEN lets DuckDB skip row groups by their rowid range.
		q = fmt.Sprintf(`SELECT * FROM %s WHERE rowid BETWEEN %d AND %d AND rowid IN (%s)%s`, Quote(r.Table), ids.lo, ids.hi, ids.list, order)
		args = nil
	}
	rows, err := p.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, queryError(err)
	}
	res, err := Collect(rows, 0)
	if err != nil {
		return nil, err
	}
	pg.Result = *res
	return pg, nil
}

// idList is a set of rowids rendered as an SQL list, with its bounds.
type idList struct {
	list   string
	lo, hi int64
}

// rowids runs a query returning rowids.
func (p *Project) rowids(ctx context.Context, q string, args []any) (idList, error) {
	out := idList{list: "NULL", lo: 0, hi: -1}
	rows, err := p.q.QueryContext(ctx, q, args...)
	if err != nil {
		return out, queryError(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return out, err
		}
		if b.Len() == 0 {
			out.lo, out.hi = id, id
		} else {
			b.WriteByte(',')
		}
		out.lo, out.hi = min(out.lo, id), max(out.hi, id)
		b.WriteString(strconv.FormatInt(id, 10))
	}
	if b.Len() > 0 {
		out.list = b.String()
	}
	return out, rows.Err()
}
