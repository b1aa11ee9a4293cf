// Package purchases reads who bought what from an order table, by column
// role, for recommendations and basket analysis. Returns and cancellations
// are not purchases: rows with a quantity of zero or less, and orders whose
// id starts with "C" (Online Retail's cancelled invoices) are left out.
package purchases

import (
	"context"
	"fmt"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Purchase is one product a customer bought in one order.
type Purchase struct {
	Customer, Product int32 // indexes into Set.Customers and Set.Products
	Order             int32 // index into Set.Orders
	Quantity          float64
	At                time.Time
}

// Set is the purchases of an order table, with its customers, products and
// orders numbered from 0 in sorted order (so indexes are stable for a
// given table).
type Set struct {
	Customers, Products, Orders []string
	Purchases                   []Purchase
	Skipped                     Skipped
}

// Skipped counts the rows that are not purchases, so a user sees why.
type Skipped struct {
	Returns    int64 // quantity ≤ 0
	Cancelled  int64 // order id starting with "C"
	NoCustomer int64 // customer or product missing (product only, for baskets)
}

// Columns are the order table's columns by role.
type Columns struct {
	Customer, Product, Order, Date, Quantity string
	Amount, UnitPrice                        string // optional: revenue
}

// FindColumns looks the order table's columns up by role. Customer,
// product and date are required; order id and quantity are optional (each
// row is then its own order, of quantity 1).
func FindColumns(ctx context.Context, p *storage.Project, table string) (Columns, error) {
	return findColumns(ctx, p, table, true)
}

func findColumns(ctx context.Context, p *storage.Project, table string, needCustomer bool) (Columns, error) {
	var c Columns
	var err error
	for _, r := range []struct {
		dst  *string
		role storage.Role
		need bool
	}{
		{&c.Customer, storage.CustomerID, needCustomer}, {&c.Product, storage.ProductID, false}, {&c.Order, storage.OrderID, false},
		{&c.Date, storage.OrderDate, true}, {&c.Quantity, storage.Quantity, false}, {&c.Amount, storage.Amount, false}, {&c.UnitPrice, storage.UnitPrice, false},
	} {
		if *r.dst, err = p.ColumnFor(ctx, table, r.role); err != nil {
			return c, err
		}
		if *r.dst == "" && r.need {
			return c, i18n.Errorf("%s has no column with the role %s; set it on the Data screen's Roles tab or with 'marketbench roles %s --set COLUMN=ROLE'", table, string(r.role), table)
		}
	}
	if c.Product == "" {
		// A product name identifies a product as well as a code does.
		if c.Product, err = p.ColumnFor(ctx, table, storage.ProductName); err != nil {
			return c, err
		}
		if c.Product == "" {
			return c, i18n.Errorf("%s has no column with the role %s (or %s); set it on the Data screen's Roles tab or with 'marketbench roles %s --set COLUMN=ROLE'",
				table, string(storage.ProductID), string(storage.ProductName), table)
		}
	}
	return c, nil
}

// Options choose which rows Read returns.
type Options struct {
	From, To time.Time // [From, To); zero leaves that side open
	// Baskets keeps rows without a customer (customer ""): an invoice is a
	// basket whether or not the buyer is known, so basket analysis counts
	// it, while recommendations (per customer) cannot use it.
	Baskets bool
}

// source is the SELECT of an order table's rows with columns c (customer,
// "" when missing), p (product), o (order), n (quantity), t (time) and a
// (revenue, NULL when unknown), and its arguments.
func source(c Columns, table string, opt Options) (string, []any) {
	q := storage.Quote
	order := "CAST(rowid AS VARCHAR)"
	if c.Order != "" {
		order = "CAST(" + q(c.Order) + " AS VARCHAR)"
	}
	qty := "1.0"
	if c.Quantity != "" {
		qty = "CAST(" + q(c.Quantity) + " AS DOUBLE)"
	}
	cust := "CAST(NULL AS VARCHAR)"
	if c.Customer != "" {
		cust = "CAST(" + q(c.Customer) + " AS VARCHAR)"
	}
	amount := "CAST(NULL AS DOUBLE)"
	switch {
	case c.Amount != "":
		amount = "TRY_CAST(" + q(c.Amount) + " AS DOUBLE)"
	case c.UnitPrice != "":
		amount = "TRY_CAST(" + q(c.UnitPrice) + " AS DOUBLE) * " + qty
	}
	src := fmt.Sprintf(`SELECT %s AS c, CAST(%s AS VARCHAR) AS p, %s AS o, %s AS n, CAST(%s AS TIMESTAMP) AS t, %s AS a FROM %s
		WHERE (? OR CAST(%s AS TIMESTAMP) >= ?) AND (? OR CAST(%s AS TIMESTAMP) < ?)`,
		cust, q(c.Product), order, qty, q(c.Date), amount, q(table), q(c.Date), q(c.Date))
	return src, []any{opt.From.IsZero(), opt.From, opt.To.IsZero(), opt.To}
}

// purchaseWhere keeps the rows that are purchases (see the package doc);
// with baskets, rows without a customer count too.
func purchaseWhere(baskets bool) string {
	cust := "c IS NOT NULL AND trim(c) <> ''"
	if baskets {
		cust = "true"
	}
	return cust + " AND p IS NOT NULL AND trim(p) <> '' AND NOT upper(o) LIKE 'C%' AND n > 0"
}

// Read returns the purchases of table made in [from, to) (zero times leave
// that side open).
func Read(ctx context.Context, p *storage.Project, table string, from, to time.Time) (*Set, error) {
	return ReadWith(ctx, p, table, Options{From: from, To: to})
}

// ReadWith returns the purchases of table chosen by opt.
func ReadWith(ctx context.Context, p *storage.Project, table string, opt Options) (*Set, error) {
	c, err := findColumns(ctx, p, table, !opt.Baskets)
	if err != nil {
		return nil, err
	}
	src, args := source(c, table, opt)
	noCust := "c IS NULL OR trim(c) = '' OR "
	if opt.Baskets {
		noCust = ""
	}
	s := &Set{}
	err = p.Q().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE `+noCust+`p IS NULL OR trim(p) = ''),
		count(*) FILTER (WHERE NOT (`+noCust+`p IS NULL OR trim(p) = '') AND upper(o) LIKE 'C%'),
		count(*) FILTER (WHERE NOT (`+noCust+`p IS NULL OR trim(p) = '') AND NOT upper(o) LIKE 'C%' AND (n IS NULL OR n <= 0))
		FROM (`+src+`)`, args...).Scan(&s.Skipped.NoCustomer, &s.Skipped.Cancelled, &s.Skipped.Returns)
	if err != nil {
		return nil, err
	}
	rows, err := p.Q().QueryContext(ctx, `WITH b AS (SELECT coalesce(c, '') AS c, p, o, n, t FROM (`+src+`) WHERE `+purchaseWhere(opt.Baskets)+`),
		cs AS (SELECT c, row_number() OVER (ORDER BY c) - 1 AS ci FROM (SELECT DISTINCT c FROM b)),
		ps AS (SELECT p, row_number() OVER (ORDER BY p) - 1 AS pi FROM (SELECT DISTINCT p FROM b)),
		os AS (SELECT o, row_number() OVER (ORDER BY o) - 1 AS oi FROM (SELECT DISTINCT o FROM b))
		SELECT b.c, cs.ci, b.p, ps.pi, b.o, os.oi, b.n, b.t FROM b JOIN cs USING (c) JOIN ps USING (p) JOIN os USING (o)
		ORDER BY cs.ci, b.t, ps.pi`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cName, pName, oName string
		var pu Purchase
		var ci, pi, oi int64
		if err := rows.Scan(&cName, &ci, &pName, &pi, &oName, &oi, &pu.Quantity, &pu.At); err != nil {
			return nil, err
		}
		pu.Customer, pu.Product, pu.Order = int32(ci), int32(pi), int32(oi)
		s.Customers = setAt(s.Customers, ci, cName)
		s.Products = setAt(s.Products, pi, pName)
		s.Orders = setAt(s.Orders, oi, oName)
		s.Purchases = append(s.Purchases, pu)
	}
	return s, rows.Err()
}

// setAt puts name at index i, growing names as needed.
func setAt(names []string, i int64, name string) []string {
	for int64(len(names)) <= i {
		names = append(names, "")
	}
	names[i] = name
	return names
}
