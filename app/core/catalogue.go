package core

import (
	"context"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/purchases"
)

// catalogue maps product ids to names and categories for display.
type catalogue struct {
	names, cats map[string]string
}

// name is the product's name, or its id when it has none.
func (c *catalogue) name(id string) string {
	if n := c.names[id]; n != "" {
		return n
	}
	return id
}

func (c *catalogue) category(id string) string { return c.cats[id] }

// maxNameLen bounds a displayed name: a hostile table may hold megabytes in
// one cell.
const maxNameLen = 200

// productCatalogue finds product names and categories: from the order
// table's product_name / category columns, else from another table with
// product_id and product_name roles (the demo's products table). When the
// orders identify products by name, the name is the id.
func (w *Workspace) productCatalogue(ctx context.Context, orders string) (*catalogue, error) {
	c := &catalogue{names: map[string]string{}, cats: map[string]string{}}
	cols, err := purchases.FindColumns(ctx, w.Project, orders)
	if err != nil {
		return nil, err
	}
	name, err := w.ColumnFor(ctx, orders, storage.ProductName)
	if err != nil {
		return nil, err
	}
	cat, err := w.ColumnFor(ctx, orders, storage.Category)
	if err != nil {
		return nil, err
	}
	table, key := orders, cols.Product
	if name == "" || name == key {
		// Look for a products table keyed the same way.
		tables, err := w.TablesWithRoles(ctx, storage.ProductID, storage.ProductName)
		if err != nil {
			return nil, err
		}
		for _, t := range tables {
			if strings.EqualFold(t, orders) || strings.EqualFold(t, storage.RecommendationsTable) {
				continue
			}
			table = t
			if key, err = w.ColumnFor(ctx, t, storage.ProductID); err != nil {
				return nil, err
			}
			if name, err = w.ColumnFor(ctx, t, storage.ProductName); err != nil {
				return nil, err
			}
			if cat, err = w.ColumnFor(ctx, t, storage.Category); err != nil {
				return nil, err
			}
			break
		}
		if table == orders && cat == "" {
			return c, nil
		}
	}
	q := storage.Quote
	nameSQL, catSQL := "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
	if name != "" && name != key {
		nameSQL = "left(CAST(" + q(name) + " AS VARCHAR), " + strconv.Itoa(maxNameLen) + ")"
	}
	if cat != "" {
		catSQL = "left(CAST(" + q(cat) + " AS VARCHAR), " + strconv.Itoa(maxNameLen) + ")"
	}
	// The most common name (and category) of each product: order lines may
	// spell a product differently over time.
	rows, err := w.Q().QueryContext(ctx, `SELECT k, v, kind, count(*) AS n FROM (
			SELECT CAST(`+q(key)+` AS VARCHAR) AS k, `+nameSQL+` AS v, 'n' AS kind FROM `+q(table)+`
			UNION ALL SELECT CAST(`+q(key)+` AS VARCHAR), `+catSQL+`, 'c' FROM `+q(table)+`)
		WHERE k IS NOT NULL AND v IS NOT NULL AND trim(v) <> '' GROUP BY k, v, kind ORDER BY k, kind, n DESC, v`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v, kind string
		var n int64
		if err := rows.Scan(&k, &v, &kind, &n); err != nil {
			return nil, err
		}
		m := c.names
		if kind == "c" {
			m = c.cats
		}
		if _, ok := m[k]; !ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return c, rows.Err()
}
