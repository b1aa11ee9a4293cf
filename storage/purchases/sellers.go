package purchases

import (
	"context"
	"database/sql"

	"github.com/marketbench/marketbench/storage"
)

// Seller is one product's sales in an order table.
type Seller struct {
	Product           string
	Customers, Orders int
	Quantity, Revenue float64 // Revenue is 0 without an amount or unit price role
}

// BestSellers ranks the products of table by distinct buying customers
// (then orders, then product id), counting purchases only (see the package
// doc). members, when not "", is a SELECT of customer_id values: only their
// purchases count (a segment's best sellers). top <= 0 returns all.
func BestSellers(ctx context.Context, p *storage.Project, table string, top int, members string) ([]Seller, error) {
	c, err := FindColumns(ctx, p, table)
	if err != nil {
		return nil, err
	}
	src, args := source(c, table, Options{})
	where := purchaseWhere(false)
	if members != "" {
		where += ` AND c IN (SELECT CAST(customer_id AS VARCHAR) FROM (` + members + `))`
	}
	limit := ""
	if top > 0 {
		limit = " LIMIT ?"
		args = append(args, top)
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT p, count(DISTINCT c), count(DISTINCT o), sum(n), coalesce(sum(a), 0) FROM (`+src+`)
		WHERE `+where+` GROUP BY p ORDER BY 2 DESC, 3 DESC, p`+limit, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Seller{}
	for rows.Next() {
		var s Seller
		var rev sql.NullFloat64
		if err := rows.Scan(&s.Product, &s.Customers, &s.Orders, &s.Quantity, &rev); err != nil {
			return nil, err
		}
		s.Revenue = rev.Float64
		out = append(out, s)
	}
	return out, rows.Err()
}
