package storage

import (
	"context"
	"fmt"
	"strings"
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
			return nil, fmt.Errorf("cannot sort by %q: %q has no such column", r.Sort, r.Table)
		}
		dir := "ASC"
		if r.Desc {
			dir = "DESC"
		}
		order = " ORDER BY " + Quote(r.Sort) + " " + dir + " NULLS LAST"
	}
	pg := &Page{}
	if err := p.db.QueryRowContext(ctx, `SELECT count(*) FROM `+Quote(r.Table)+where, r.Args...).Scan(&pg.Total); err != nil {
		return nil, queryError(err)
	}
	q := fmt.Sprintf(`SELECT * FROM %s%s%s LIMIT %d OFFSET %d`, Quote(r.Table), where, order, r.Limit, r.Offset)
	rows, err := p.db.QueryContext(ctx, q, r.Args...)
	if err != nil {
		return nil, queryError(err)
	}
	res, err := collect(rows, 0)
	if err != nil {
		return nil, err
	}
	pg.Result = *res
	return pg, nil
}
