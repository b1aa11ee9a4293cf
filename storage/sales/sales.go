// Package sales reads an order table by role for cohorts and forecasts:
// the purchases of each customer, and orders and revenue summed per week
// or month, for all products, one category or one product, and for the
// customers of a segment.
package sales

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/cohort"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// Filter narrows the order rows.
type Filter struct {
	Category string // a value of the category role; "" for every category
	Product  string // a value of the product id role; "" for every product
	// Customers is a SELECT of customer ids (text), as segment.IDsSQL
	// gives; "" for every customer.
	Customers string
}

// Read says what was read.
type Read struct {
	Table string `json:"table"`
	// Rows are the order rows that passed the filter; Skipped those left
	// out: no date (or no customer, for cohorts) or a negative amount
	// (returns and cancellations).
	Rows    int64 `json:"rows"`
	Skipped int64 `json:"skipped"`
}

// source is the FROM clause and column expressions of the filtered rows.
type source struct {
	o     *segment.Orders
	from  string // the order table, joined to a product table when needed
	where string // the filter, "TRUE" when none
	read  Read
}

func open(ctx context.Context, p *storage.Project, table string, f Filter) (*source, error) {
	o, err := segment.OrdersOf(ctx, p, table)
	if err != nil {
		return nil, err
	}
	raw := unquote(o.Table)
	// The role expressions name the order table's columns bare: a joined
	// product table shows only columns with names of our own.
	s := &source{o: o, from: o.Table, where: `TRUE`, read: Read{Table: raw}}
	if f.Product != "" {
		c, err := p.ColumnFor(ctx, raw, storage.ProductID)
		if err != nil || c == "" {
			return nil, i18n.Errorf("table %q has no column with the role product id; set it with roles to forecast one product", raw)
		}
		s.where += ` AND CAST(` + storage.Quote(c) + ` AS VARCHAR) = ` + storage.Literal(f.Product)
	}
	if f.Category != "" {
		cat, err := categoryOf(ctx, p, raw, s)
		if err != nil {
			return nil, err
		}
		s.where += ` AND CAST(` + cat + ` AS VARCHAR) = ` + storage.Literal(f.Category)
	}
	if f.Customers != "" {
		s.where += ` AND CAST(` + s.o.Customer + ` AS VARCHAR) IN (` + f.Customers + `)`
	}
	return s, nil
}

// categoryOf finds the category of each order row: a category column of
// the order table, or one of a product table joined on the product id
// (the first row of each product, as the rest of the app does).
func categoryOf(ctx context.Context, p *storage.Project, table string, s *source) (string, error) {
	if c, _ := p.ColumnFor(ctx, table, storage.Category); c != "" {
		return storage.Quote(c), nil
	}
	need := i18n.Errorf("a category forecast needs the category of each order: give %q a column with the category role, or give it a product id and import a product table with product id and category roles", table)
	op, _ := p.ColumnFor(ctx, table, storage.ProductID)
	products, err := p.TablesWithRoles(ctx, storage.ProductID, storage.Category)
	if err != nil {
		return "", err
	}
	if op == "" || len(products) == 0 {
		return "", need
	}
	pr := products[0]
	pp, _ := p.ColumnFor(ctx, pr, storage.ProductID)
	pc, _ := p.ColumnFor(ctx, pr, storage.Category)
	src, err := p.RowSource(ctx, pr)
	if err != nil {
		return "", err
	}
	s.from += ` JOIN (SELECT CAST(` + storage.Quote(pp) + ` AS VARCHAR) AS __mb_product, ` + storage.Quote(pc) + ` AS __mb_category FROM ` + src +
		` QUALIFY row_number() OVER (PARTITION BY ` + storage.Quote(pp) + ` ORDER BY ` + storage.RowNumber + `) = 1) ON CAST(` +
		storage.Quote(op) + ` AS VARCHAR) = __mb_product`
	return `__mb_category`, nil
}

// Purchases reads each customer's purchases (one per customer and day,
// amounts summed) for cohorts: rows with a customer and a date and an
// amount that is not negative.
func Purchases(ctx context.Context, p *storage.Project, table string, f Filter) ([]cohort.Purchase, Read, error) {
	s, err := open(ctx, p, table, f)
	if err != nil {
		return nil, Read{}, err
	}
	o := s.o
	keep := o.Customer + ` IS NOT NULL AND ` + o.Date + ` IS NOT NULL AND coalesce(` + o.Amount + `, 0) >= 0`
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT (`+keep+`)) FROM `+s.from+` WHERE `+s.where).
		Scan(&s.read.Rows, &s.read.Skipped); err != nil {
		return nil, s.read, readErr(s.read.Table, err)
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT CAST(`+o.Customer+` AS VARCHAR), `+o.Date+`, coalesce(sum(`+o.Amount+`), 0) FROM `+s.from+
		` WHERE `+s.where+` AND `+keep+` GROUP BY 1, 2`)
	if err != nil {
		return nil, s.read, readErr(s.read.Table, err)
	}
	defer rows.Close()
	var out []cohort.Purchase
	for rows.Next() {
		var c cohort.Purchase
		if err := rows.Scan(&c.Customer, &c.At, &c.Amount); err != nil {
			return nil, s.read, readErr(s.read.Table, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.read, readErr(s.read.Table, err)
	}
	return out, s.read, nil
}

// Series is orders and revenue per period, every period from the first
// to the last, zero where nothing was sold.
type Series struct {
	By      string      // "week" (from Monday) or "month"
	Start   []time.Time // the first day of each period
	Orders  []float64
	Revenue []float64
	// First and Last are the first and last order dates of the whole
	// table (unfiltered): where the data begin and end.
	First, Last time.Time
	Read        Read
}

// PeriodSeries sums the filtered rows per week or month. Orders count
// distinct order ids, or each customer's days with a purchase when the
// table has no order id role. Rows without a date or with a negative
// amount are left out; rows without a customer still count.
func PeriodSeries(ctx context.Context, p *storage.Project, table, by string, f Filter) (*Series, error) {
	if by != "week" && by != "month" {
		return nil, i18n.Errorf("unknown period %q; choose week or month", by)
	}
	s, err := open(ctx, p, table, f)
	if err != nil {
		return nil, err
	}
	o := s.o
	out := &Series{By: by}
	if out.First, out.Last, err = span(ctx, p, s); err != nil {
		return nil, err
	}
	keep := o.Date + ` IS NOT NULL AND coalesce(` + o.Amount + `, 0) >= 0`
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT (`+keep+`)) FROM `+s.from+` WHERE `+s.where).
		Scan(&s.read.Rows, &s.read.Skipped); err != nil {
		return nil, readErr(s.read.Table, err)
	}
	out.Read = s.read
	orders := `count(DISTINCT (CAST(` + o.Customer + ` AS VARCHAR), ` + o.Date + `))`
	if o.Order != "" {
		orders = `count(DISTINCT ` + o.Order + `)`
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT CAST(date_trunc('`+by+`', `+o.Date+`) AS DATE) AS d, `+orders+`, coalesce(sum(`+o.Amount+`), 0) FROM `+
		s.from+` WHERE `+s.where+` AND `+keep+` GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return nil, readErr(s.read.Table, err)
	}
	defer rows.Close()
	type point struct{ orders, revenue float64 }
	got := map[time.Time]point{}
	var keys []time.Time
	for rows.Next() {
		var d time.Time
		var pt point
		if err := rows.Scan(&d, &pt.orders, &pt.revenue); err != nil {
			return nil, readErr(s.read.Table, err)
		}
		d = d.UTC()
		got[d] = pt
		keys = append(keys, d)
	}
	if err := rows.Err(); err != nil {
		return nil, readErr(s.read.Table, err)
	}
	if len(keys) == 0 {
		return out, nil
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	for d := keys[0]; !d.After(keys[len(keys)-1]); d = Next(by, d) {
		out.Start = append(out.Start, d)
		out.Orders = append(out.Orders, got[d].orders)
		out.Revenue = append(out.Revenue, got[d].revenue)
	}
	return out, nil
}

// Span is the first and last order date of the whole order table: where
// the data begin and end.
func Span(ctx context.Context, p *storage.Project, table string) (first, last time.Time, err error) {
	s, err := open(ctx, p, table, Filter{})
	if err != nil {
		return first, last, err
	}
	return span(ctx, p, s)
}

func span(ctx context.Context, p *storage.Project, s *source) (time.Time, time.Time, error) {
	var first, last *time.Time
	if err := p.Q().QueryRowContext(ctx, `SELECT min(`+s.o.Date+`), max(`+s.o.Date+`) FROM `+s.o.Table).Scan(&first, &last); err != nil {
		return time.Time{}, time.Time{}, readErr(s.read.Table, err)
	}
	if first == nil {
		return time.Time{}, time.Time{}, i18n.Errorf("%s has no order dates", s.read.Table)
	}
	return first.UTC(), last.UTC(), nil
}

// Next is the start of the period after the one starting at d.
func Next(by string, d time.Time) time.Time {
	if by == "week" {
		return d.AddDate(0, 0, 7)
	}
	return d.AddDate(0, 1, 0)
}

// unquote turns a quoted identifier back into the name.
func unquote(q string) string {
	if len(q) >= 2 && q[0] == '"' && q[len(q)-1] == '"' {
		return strings.ReplaceAll(q[1:len(q)-1], `""`, `"`)
	}
	return q
}

func readErr(table string, err error) error {
	return i18n.Errorf("cannot read the orders of %s: %s", table, storage.FirstLine(err.Error()))
}
