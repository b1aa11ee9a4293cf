package models

import (
	"context"
	"database/sql"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// MaxLevels is the most distinct values a text column may have to be used
// as a categorical feature; more looks like an identifier or free text,
// which would add a column per value and learn nothing general.
const MaxLevels = 50

// skipRoles are never picked as default features: identifiers, contact
// details and free text say nothing general about behaviour.
var skipRoles = map[storage.Role]bool{
	storage.CustomerID: true, storage.Email: true, storage.Phone: true, storage.NationalID: true, storage.FirstName: true,
	storage.LastName: true, storage.FullName: true, storage.OrderID: true, storage.ProductID: true,
	storage.ProductName: true, storage.Text: true,
}

// Features sorts the feature columns of table into numeric (numbers and
// true/false) and categorical (text with few values). With no names it
// picks every usable column except the target and identifiers.
func Features(ctx context.Context, p *storage.Project, table, target string, names []string) (numeric, categorical []string, err error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]storage.Column{}
	for _, c := range cols {
		byName[strings.ToLower(c.Name)] = c
	}
	if _, ok := byName[strings.ToLower(target)]; target != "" && !ok {
		return nil, nil, i18n.Errorf("table %q has no column %q to predict", table, target)
	}
	auto := len(names) == 0
	roles, err := p.ColumnRoles(ctx, table)
	if err != nil {
		return nil, nil, err
	}
	if auto {
		for _, c := range cols {
			if !strings.EqualFold(c.Name, target) && !skipRoles[roles[c.Name]] && !c.IsTemporal() {
				names = append(names, c.Name)
			}
		}
	}
	for _, n := range names {
		c, ok := byName[strings.ToLower(strings.TrimSpace(n))]
		if !ok {
			return nil, nil, i18n.Errorf("table %q has no column %q", table, n)
		}
		switch {
		case c.IsNumeric() || c.IsBool():
			numeric = append(numeric, c.Name)
		case c.IsTemporal():
			if !auto {
				return nil, nil, i18n.Errorf("%q is a date; models need numbers or categories, so derive one (e.g. days since) with a cleaning step or use a churn/purchase target, which computes recency and tenure", c.Name)
			}
		default:
			var k int64
			if err := p.Q().QueryRowContext(ctx, `SELECT approx_count_distinct(`+storage.Quote(c.Name)+`) FROM `+storage.Quote(table)).Scan(&k); err != nil {
				return nil, nil, err
			}
			if k > MaxLevels {
				if !auto {
					return nil, nil, i18n.Errorf("%q has about %d different values; a category feature may have at most %d (it looks like an identifier or free text)", c.Name, k, MaxLevels)
				}
				continue
			}
			categorical = append(categorical, c.Name)
		}
	}
	if len(numeric)+len(categorical) == 0 {
		return nil, nil, i18n.Errorf("table %q has no column a model can use as a feature besides %q", table, target)
	}
	return numeric, categorical, nil
}

// Rows is what Load read: the model's data and each row's customer id
// ("" when the table has no customer id role).
type Rows struct {
	Data model.Data
	IDs  []string
}

// Load reads the rows of src in the columns of spec; with target it also
// reads the target column. Rows come in a stable order (by customer id, or
// table order) so a split with a fixed seed is reproducible.
func Load(ctx context.Context, p *storage.Project, src Source, spec model.Spec, target bool) (*Rows, error) {
	ok, err := p.TableExists(ctx, src.Table)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, i18n.Errorf("no table named %q", src.Table)
	}
	cols, err := p.Columns(ctx, src.Table)
	if err != nil {
		return nil, err
	}
	types := map[string]storage.Column{}
	for _, c := range cols {
		types[strings.ToLower(c.Name)] = c
	}
	cust := src.IDColumn
	if cust == "" {
		if cust, err = p.ColumnFor(ctx, src.Table, storage.CustomerID); err != nil {
			return nil, err
		}
	}
	// Without a customer id, rows are told apart (and kept in the table's
	// order) by their number; see storage.RowSource.
	from := storage.RowSourceOf(src.Table, cols)
	id := `CAST(` + storage.Quote(storage.RowNumber) + ` AS VARCHAR)`
	if cust != "" {
		from = storage.Quote(src.Table)
		id = `CAST(` + storage.Quote(cust) + ` AS VARCHAR)`
	}
	sel := []string{id}
	for _, n := range spec.Numeric {
		c, ok := types[strings.ToLower(n)]
		switch {
		case !ok:
			return nil, i18n.Errorf("table %q has no column %q, which the model uses", src.Table, n)
		case c.IsBool():
			sel = append(sel, `CAST(CAST(`+storage.Quote(c.Name)+` AS INTEGER) AS DOUBLE)`)
		case c.IsNumeric():
			sel = append(sel, `CAST(`+storage.Quote(c.Name)+` AS DOUBLE)`)
		default:
			return nil, i18n.Errorf("column %q of %q is %s, but the model needs numbers there", c.Name, src.Table, c.Type)
		}
	}
	for _, n := range spec.Categorical {
		c, ok := types[strings.ToLower(n)]
		if !ok {
			return nil, i18n.Errorf("table %q has no column %q, which the model uses", src.Table, n)
		}
		sel = append(sel, `coalesce(CAST(`+storage.Quote(c.Name)+` AS VARCHAR), '')`)
	}
	if target {
		c, ok := types[strings.ToLower(spec.Target)]
		if !ok {
			return nil, i18n.Errorf("table %q has no column %q to predict", src.Table, spec.Target)
		}
		sel = append(sel, `coalesce(CAST(`+storage.Quote(c.Name)+` AS VARCHAR), '')`)
	}
	q := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + from
	var where []string
	if src.Segment != "" {
		if cust == "" {
			return nil, i18n.Errorf("table %q has no customer id column, so it cannot be narrowed to segment %q", src.Table, src.Segment)
		}
		ids, err := segment.IDsSQL(ctx, p, src.Segment)
		if err != nil {
			return nil, err
		}
		where = append(where, id+` IN (`+ids+`)`)
	}
	if src.Customer != "" {
		where = append(where, id+` = `+storage.Literal(src.Customer))
	}
	if src.Where != "" {
		where = append(where, `(`+src.Where+`)`)
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if cust == "" {
		q += ` ORDER BY ` + storage.Quote(storage.RowNumber)
	} else {
		q += ` ORDER BY ` + id
	}
	var n int64
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`).Scan(&n); err != nil {
		return nil, i18n.Errorf("cannot read %q: %s", src.Table, storage.FirstLine(err.Error()))
	}
	if n == 0 {
		return nil, i18n.Errorf("no rows to use in %q", src.Table)
	}
	rows, err := p.Q().QueryContext(ctx, q)
	if err != nil {
		return nil, i18n.Errorf("cannot read %q: %s", src.Table, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	nn, nc := len(spec.Numeric), len(spec.Categorical)
	out := &Rows{IDs: make([]string, 0, n)}
	var num []float64
	if nn > 0 {
		num = make([]float64, 0, int(n)*nn)
	}
	fs := make([]sql.NullFloat64, nn)
	ss := make([]string, nc+1)
	dest := make([]any, 0, 1+nn+nc+1)
	var rid string
	dest = append(dest, &rid)
	for i := range fs {
		dest = append(dest, &fs[i])
	}
	for i := range nc {
		dest = append(dest, &ss[i])
	}
	if target {
		dest = append(dest, &ss[nc])
	}
	// Interning keeps a million repeated category strings from being a
	// million allocations.
	intern := map[string]string{}
	for rows.Next() {
		if len(out.IDs)%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, i18n.Errorf("cannot read %q: %s", src.Table, storage.FirstLine(err.Error()))
		}
		out.IDs = append(out.IDs, rid)
		for _, f := range fs {
			v := math.NaN()
			if f.Valid {
				v = f.Float64
			}
			num = append(num, v)
		}
		if nc > 0 {
			r := make([]string, nc)
			for j := range nc {
				s, ok := intern[ss[j]]
				if !ok {
					s = strings.Clone(ss[j])
					intern[s] = s
				}
				r[j] = s
			}
			out.Data.Cat = append(out.Data.Cat, r)
		}
		if target {
			out.Data.Target = append(out.Data.Target, strings.Clone(ss[nc]))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, i18n.Errorf("cannot read %q: %s", src.Table, storage.FirstLine(err.Error()))
	}
	if nn > 0 {
		out.Data.Num = mat.NewDense(len(out.IDs), nn, num)
	}
	if cust == "" {
		out.IDs = make([]string, len(out.IDs)) // row numbers are not customers
	}
	return out, nil
}
