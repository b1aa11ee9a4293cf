package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/marketbench/marketbench/assets/i18n"
)

// ColumnProfile summarises one column. Number fields are set for numeric
// columns, MinText/MaxText for dates, Top for text.
type ColumnProfile struct {
	Name      string
	Type      string
	Role      Role
	Count     int64 // rows
	Missing   int64 // NULL or blank text
	Distinct  int64
	Min, Max  float64
	Mean, Std float64
	Quantiles map[string]float64 // "p05", "p25", "p50", "p75", "p95"
	MinText   string             // earliest date / shortest text
	MaxText   string
	Top       []ValueCount
}

// MissingPct is the share of missing values in percent.
func (c ColumnProfile) MissingPct() float64 {
	if c.Count == 0 {
		return 0
	}
	return 100 * float64(c.Missing) / float64(c.Count)
}

// ValueCount is a value and how often it occurs.
type ValueCount struct {
	Value string
	Count int64
}

// Profile computes a column profile of every column, all in SQL.
func (p *Project) Profile(ctx context.Context, table string) ([]ColumnProfile, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	roles, err := p.ColumnRoles(ctx, table)
	if err != nil {
		return nil, err
	}
	out := make([]ColumnProfile, 0, len(cols))
	for _, c := range cols {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cp, err := p.profileColumn(ctx, table, c)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, i18n.Errorf("cannot profile %s.%s: %s", table, c.Name, FirstLine(err.Error()))
		}
		cp.Role = roles[c.Name]
		out = append(out, cp)
	}
	return out, nil
}

func (p *Project) profileColumn(ctx context.Context, table string, c Column) (ColumnProfile, error) {
	t, q := Quote(table), Quote(c.Name)
	cp := ColumnProfile{Name: c.Name, Type: c.Type}
	missing := q + ` IS NULL`
	if !c.IsNumeric() && !c.IsTemporal() {
		missing = `(` + q + ` IS NULL OR trim(CAST(` + q + ` AS VARCHAR)) = '')`
	}
	err := p.q.QueryRowContext(ctx, fmt.Sprintf(
		`SELECT count(*), count(*) FILTER (WHERE %s), count(DISTINCT %s) FROM %s`, missing, q, t)).
		Scan(&cp.Count, &cp.Missing, &cp.Distinct)
	if err != nil {
		return cp, err
	}
	switch {
	case c.IsNumeric():
		var mn, mx, mean, std, p05, p25, p50, p75, p95 sql.NullFloat64
		err = p.q.QueryRowContext(ctx, fmt.Sprintf(`SELECT min(%[1]s)::DOUBLE, max(%[1]s)::DOUBLE, avg(%[1]s)::DOUBLE, stddev_samp(%[1]s)::DOUBLE,
			quantile_cont(%[1]s, 0.05)::DOUBLE, quantile_cont(%[1]s, 0.25)::DOUBLE, quantile_cont(%[1]s, 0.5)::DOUBLE,
			quantile_cont(%[1]s, 0.75)::DOUBLE, quantile_cont(%[1]s, 0.95)::DOUBLE FROM %[2]s`, q, t)).
			Scan(&mn, &mx, &mean, &std, &p05, &p25, &p50, &p75, &p95)
		if err != nil {
			return cp, err
		}
		cp.Min, cp.Max, cp.Mean, cp.Std = mn.Float64, mx.Float64, mean.Float64, std.Float64
		cp.Quantiles = map[string]float64{"p05": p05.Float64, "p25": p25.Float64, "p50": p50.Float64, "p75": p75.Float64, "p95": p95.Float64}
	case c.IsTemporal():
		var mn, mx sql.NullString
		err = p.q.QueryRowContext(ctx, fmt.Sprintf(`SELECT min(%[1]s)::VARCHAR, max(%[1]s)::VARCHAR FROM %[2]s`, q, t)).Scan(&mn, &mx)
		cp.MinText, cp.MaxText = mn.String, mx.String
	default:
		var mn, mx sql.NullFloat64
		err = p.q.QueryRowContext(ctx, fmt.Sprintf(`SELECT min(length(CAST(%[1]s AS VARCHAR)))::DOUBLE, max(length(CAST(%[1]s AS VARCHAR)))::DOUBLE FROM %[2]s`, q, t)).Scan(&mn, &mx)
		cp.Min, cp.Max = mn.Float64, mx.Float64
	}
	if err != nil {
		return cp, err
	}
	if !c.IsNumeric() || cp.Distinct <= 20 {
		rows, err := p.q.QueryContext(ctx, fmt.Sprintf(`SELECT CAST(%[1]s AS VARCHAR) v, count(*) n FROM %[2]s WHERE %[1]s IS NOT NULL
			GROUP BY v ORDER BY n DESC, v LIMIT 10`, q, t))
		if err != nil {
			return cp, err
		}
		defer rows.Close()
		for rows.Next() {
			var vc ValueCount
			if err := rows.Scan(&vc.Value, &vc.Count); err != nil {
				return cp, err
			}
			cp.Top = append(cp.Top, vc)
		}
		return cp, rows.Err()
	}
	return cp, nil
}

// Bin is one histogram bar: [Lo, Hi) holding Count values.
type Bin struct {
	Lo, Hi float64
	Count  int64
}

// Histogram counts a numeric or date column into equal-width bins in SQL.
// Dates are binned by day number (days since 1970-01-01).
func (p *Project) Histogram(ctx context.Context, table, column string, bins int) ([]Bin, error) {
	x, err := p.binValue(ctx, table, column)
	if err != nil {
		return nil, err
	}
	var mn, mx sql.NullFloat64
	if err := p.q.QueryRowContext(ctx, fmt.Sprintf(`SELECT min(%s), max(%s) FROM %s`, x, x, Quote(table))).Scan(&mn, &mx); err != nil {
		return nil, err
	}
	if !mn.Valid {
		return nil, i18n.Errorf("%q has no values to draw", column)
	}
	out, _, err := p.histogramIn(ctx, table, x, mn.Float64, mx.Float64, bins)
	return out, err
}

// HistogramUpTo is Histogram over the values from lo up to and including
// hi only, for a distribution whose few largest values would squeeze the
// rest into one bar; above counts the values beyond hi.
func (p *Project) HistogramUpTo(ctx context.Context, table, column string, lo, hi float64, bins int) (out []Bin, above int64, err error) {
	x, err := p.binValue(ctx, table, column)
	if err != nil {
		return nil, 0, err
	}
	return p.histogramIn(ctx, table, x, lo, hi, bins)
}

// Quantile is the q-quantile (0..1) of a numeric or date column, in the
// units Histogram bins it in.
func (p *Project) Quantile(ctx context.Context, table, column string, q float64) (float64, error) {
	x, err := p.binValue(ctx, table, column)
	if err != nil {
		return 0, err
	}
	var v sql.NullFloat64
	if err := p.q.QueryRowContext(ctx, fmt.Sprintf(`SELECT quantile_cont(%s, ?) FROM %s`, x, Quote(table)), q).Scan(&v); err != nil {
		return 0, err
	}
	if !v.Valid {
		return 0, i18n.Errorf("%q has no values to draw", column)
	}
	return v.Float64, nil
}

// binValue is the SQL expression Histogram bins column by.
func (p *Project) binValue(ctx context.Context, table, column string) (string, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return "", err
	}
	var col *Column
	for i := range cols {
		if cols[i].Name == column {
			col = &cols[i]
		}
	}
	if col == nil {
		return "", i18n.Errorf("%q has no column %q", table, column)
	}
	switch {
	case col.IsTemporal():
		return `(epoch(` + Quote(column) + `) / 86400.0)`, nil
	case !col.IsNumeric():
		return "", i18n.Errorf("a histogram needs a number or date column; %q holds %s", column, col.Type)
	}
	return Quote(column) + `::DOUBLE`, nil
}

// histogramIn counts the values of x in [mn, mx] into bins equal bins and
// the values above mx.
func (p *Project) histogramIn(ctx context.Context, table, x string, mn, mx float64, bins int) ([]Bin, int64, error) {
	if bins <= 0 {
		bins = 20
	}
	width := (mx - mn) / float64(bins)
	if width == 0 || math.IsNaN(width) {
		width = 1
		bins = 1
	}
	out := make([]Bin, bins)
	for i := range out {
		// Edges from the index, not by adding widths, so neighbours share an edge exactly.
		out[i].Lo = mn + float64(i)*width
		out[i].Hi = mn + float64(i+1)*width
	}
	// Bin -1 holds the values above mx.
	rows, err := p.q.QueryContext(ctx, fmt.Sprintf(`SELECT CASE WHEN %[1]s > ? THEN -1 ELSE least(floor((%[1]s - ?) / ?)::BIGINT, ?) END b, count(*)
		FROM %[2]s WHERE %[1]s IS NOT NULL AND %[1]s >= ? GROUP BY b`, x, Quote(table)), mx, mn, width, bins-1, mn)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var above int64
	for rows.Next() {
		var b, n int64
		if err := rows.Scan(&b, &n); err != nil {
			return nil, 0, err
		}
		switch {
		case b == -1:
			above = n
		case b >= 0 && int(b) < bins:
			out[b].Count = n
		}
	}
	return out, above, rows.Err()
}
