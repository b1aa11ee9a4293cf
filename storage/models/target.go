package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// Target kinds.
const (
	Churn    = "churn"    // no order within Days after Cutoff
	Purchase = "purchase" // at least one order within Days after Cutoff
)

// Target builds a customer table for a marketing outcome from the orders
// (found by role): one row per customer with an order on or before Cutoff,
// behaviour features as of Cutoff, the columns of the customer table, and
// the outcome over the Days after Cutoff.
type Target struct {
	Kind string `json:"kind"`
	// Orders is the order table; "" means the only one.
	Orders string `json:"orders,omitempty"`
	// Customers is a table with a customer id role whose columns join in
	// as features; "" means the only such table, if there is exactly one.
	Customers string `json:"customers,omitempty"`
	// Cutoff is the "as of" date (YYYY-MM-DD); "" means Days before the
	// last order date, so the whole outcome window is in the data.
	Cutoff string `json:"cutoff,omitempty"`
	// Days is the outcome window; 0 means 90.
	Days int `json:"days,omitempty"`
}

// Column is the name of the outcome column.
func (t Target) Column() string {
	if t.Kind == Purchase {
		return "purchased"
	}
	return "churned"
}

// BehaviourFeatures are the columns BuildTarget computes from the orders.
var BehaviourFeatures = []string{"recency_days", "orders", "revenue", "avg_order_value", "tenure_days", "orders_last_90d"}

// Built describes a table BuildTarget wrote.
type Built struct {
	Table     string
	Target    Target // with defaults filled in
	Customers int64
	Positives int64 // customers with the outcome "yes"
	Features  []string
}

// BuildTarget writes the training table out (replacing it when it was built
// before) in one transaction.
func BuildTarget(ctx context.Context, p *storage.Project, t Target, out string) (*Built, error) {
	if t.Kind != Churn && t.Kind != Purchase {
		return nil, i18n.Errorf("unknown target %q: use churn or purchase", t.Kind)
	}
	if err := storage.Reserved(out); err != nil {
		return nil, err
	}
	if t.Days == 0 {
		t.Days = 90
	}
	if t.Days < 1 {
		return nil, i18n.Errorf("the outcome window must be at least one day")
	}
	q, t, b, err := targetSQL(ctx, p, t, out, true)
	if err != nil {
		return nil, err
	}
	if exists, _ := p.TableExists(ctx, out); exists {
		if !builtByTarget(ctx, p, out) {
			return nil, i18n.Errorf("a table named %q already exists; choose another name for the training table", out)
		}
	}
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return i18n.Errorf("cannot build the %s target: %s", t.Kind, storage.FirstLine(err.Error()))
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE `+storage.Quote(t.Column())+` = 'yes') FROM `+storage.Quote(out)).
			Scan(&b.Customers, &b.Positives); err != nil {
			return err
		}
		if b.Customers == 0 {
			return i18n.Errorf("no customer has an order on or before %s", t.Cutoff)
		}
		if err := p.InTx(tx).SetRoles(ctx, out, map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "target", out, -1, b.Customers,
			fmt.Sprintf("%s within %d days after %s from %s", t.Kind, t.Days, t.Cutoff, t.Orders))
	})
	if err != nil {
		return nil, err
	}
	b.Table, b.Target = out, t
	return b, nil
}

// builtByTarget reports whether table was written by BuildTarget (its
// audit says so), so rebuilding may replace it but a user table may not be.
func builtByTarget(ctx context.Context, p *storage.Project, table string) bool {
	return madeBy(ctx, p, "target", table)
}

// CurrentFeatures builds, in a temporary table, the same features as t but
// as of the last order date and without the outcome: the customers a model
// trained on t scores today. It returns the temporary table's name and the
// date the features are as of.
func CurrentFeatures(ctx context.Context, p *storage.Project, t Target) (table, asOf string, err error) {
	t.Cutoff = "latest"
	const tmp = "mb_current_features"
	q, t, _, err := targetSQL(ctx, p, t, tmp, false)
	if err != nil {
		return "", "", err
	}
	q = strings.Replace(q, "CREATE OR REPLACE TABLE", "CREATE OR REPLACE TEMP TABLE", 1)
	if _, err := p.Q().ExecContext(ctx, q); err != nil {
		return "", "", i18n.Errorf("cannot compute today's features: %s", storage.FirstLine(err.Error()))
	}
	return tmp, t.Cutoff, nil
}

func targetSQL(ctx context.Context, p *storage.Project, t Target, out string, withOutcome bool) (string, Target, *Built, error) {
	o, err := segment.OrdersOf(ctx, p, t.Orders)
	if err != nil {
		return "", t, nil, err
	}
	t.Orders = strings.Trim(o.Table, `"`)
	var lo, hi sql.NullTime
	if err := p.Q().QueryRowContext(ctx, `SELECT min(`+o.Date+`), max(`+o.Date+`) FROM `+o.Table).Scan(&lo, &hi); err != nil {
		return "", t, nil, err
	}
	if !hi.Valid {
		return "", t, nil, i18n.Errorf("the order table %q has no order dates", t.Orders)
	}
	var cut time.Time
	switch t.Cutoff {
	case "":
		cut = hi.Time.AddDate(0, 0, -t.Days)
	case "latest":
		cut = hi.Time
		t.Cutoff = cut.Format("2006-01-02")
	default:
		if cut, err = time.Parse("2006-01-02", t.Cutoff); err != nil {
			return "", t, nil, i18n.Errorf("cut-off date %q: write it as YYYY-MM-DD", t.Cutoff)
		}
	}
	if withOutcome {
		day := func(x time.Time) string { return x.Format("2006-01-02") }
		if !cut.After(lo.Time) {
			return "", t, nil, i18n.Errorf("the cut-off %s is not after the first order (%s), so there is no history to learn from", day(cut), day(lo.Time))
		}
		if end := cut.AddDate(0, 0, t.Days); end.After(hi.Time) {
			return "", t, nil, i18n.Errorf("the orders end on %s, so the %d days after %s (to %s) are not all in the data; choose a cut-off on or before %s",
				day(hi.Time), t.Days, day(cut), day(end), day(hi.Time.AddDate(0, 0, -t.Days)))
		}
		t.Cutoff = day(cut)
	}
	cutLit := storage.Literal(cut.Format("2006-01-02")) + `::DATE`
	orders := `count(*) FILTER (WHERE a > 0)`
	recent := `count(*) FILTER (WHERE a > 0 AND d > ` + cutLit + ` - INTERVAL 90 DAY)`
	if o.Order != "" {
		orders = `count(DISTINCT oid) FILTER (WHERE a > 0)`
		recent = `count(DISTINCT oid) FILTER (WHERE a > 0 AND d > ` + cutLit + ` - INTERVAL 90 DAY)`
	}
	oid := `NULL`
	if o.Order != "" {
		oid = o.Order
	}
	b := &Built{Features: append([]string(nil), BehaviourFeatures...)}
	custJoin, custCols, err := customerColumns(ctx, p, &t, b)
	if err != nil {
		return "", t, nil, err
	}
	outcome := ""
	if withOutcome {
		cond := `f.c IS NULL`
		if t.Kind == Purchase {
			cond = `f.c IS NOT NULL`
		}
		outcome = `, CASE WHEN ` + cond + ` THEN 'yes' ELSE 'no' END AS ` + storage.Quote(t.Column())
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE %[1]s AS
WITH o AS (SELECT %[2]s AS c, %[3]s AS d, %[4]s AS a, %[5]s AS oid FROM %[6]s WHERE %[2]s IS NOT NULL AND %[3]s IS NOT NULL),
h AS (
	SELECT c, date_diff('day', max(d), %[7]s) AS recency_days, %[8]s AS orders, round(sum(a), 2) AS revenue,
		date_diff('day', min(d), %[7]s) AS tenure_days, %[9]s AS orders_last_90d
	FROM o WHERE d <= %[7]s GROUP BY c
),
f AS (SELECT DISTINCT c FROM o WHERE d > %[7]s AND d <= %[7]s + INTERVAL %[10]d DAY AND a > 0)
SELECT CAST(h.c AS VARCHAR) AS customer_id, h.recency_days, h.orders, h.revenue,
	CASE WHEN h.orders > 0 THEN round(h.revenue / h.orders, 2) END AS avg_order_value, h.tenure_days, h.orders_last_90d%[11]s%[12]s
FROM h LEFT JOIN f USING (c)%[13]s
ORDER BY customer_id`,
		storage.Quote(out), o.Customer, o.Date, o.Amount, oid, o.Table, cutLit, orders, recent, t.Days, custCols, outcome, custJoin)
	return q, t, b, nil
}

// customerColumns finds the customer table and the columns of it that join
// in as features, skipping identifiers, contact details, dates and names
// the order features already use.
func customerColumns(ctx context.Context, p *storage.Project, t *Target, b *Built) (join, cols string, err error) {
	if t.Customers == "" {
		cands, err := p.TablesWithRoles(ctx, storage.CustomerID)
		if err != nil {
			return "", "", err
		}
		var found []string
		for _, c := range cands {
			if strings.EqualFold(c, t.Orders) || storage.Reserved(c) != nil || builtByTarget(ctx, p, c) {
				continue
			}
			if d, _ := p.ColumnFor(ctx, c, storage.OrderDate); d != "" {
				continue
			}
			// A customer table has one row per customer; reviews or
			// tickets with a customer id do not.
			id, _ := p.ColumnFor(ctx, c, storage.CustomerID)
			var rows, ids int64
			if err := p.Q().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT `+storage.Quote(id)+`) FROM `+storage.Quote(c)).Scan(&rows, &ids); err != nil || rows != ids {
				continue
			}
			found = append(found, c)
		}
		if len(found) != 1 {
			return "", "", nil
		}
		t.Customers = found[0]
	}
	id, err := p.ColumnFor(ctx, t.Customers, storage.CustomerID)
	if err != nil {
		return "", "", err
	}
	if id == "" {
		return "", "", i18n.Errorf("table %q has no customer id column; set its role first", t.Customers)
	}
	num, cat, err := Features(ctx, p, t.Customers, "", nil)
	if err != nil {
		return "", "", nil // nothing usable: the order features alone
	}
	taken := map[string]bool{"customer_id": true}
	for _, f := range BehaviourFeatures {
		taken[f] = true
	}
	taken[t.Column()] = true
	var sb strings.Builder
	for _, c := range append(num, cat...) {
		if taken[strings.ToLower(c)] {
			continue
		}
		taken[strings.ToLower(c)] = true
		sb.WriteString(", cu." + storage.Quote(c))
		b.Features = append(b.Features, c)
	}
	// One row per customer even if the customer table repeats an id.
	key := `CAST(` + storage.Quote(id) + ` AS VARCHAR)`
	from, err := p.RowSource(ctx, t.Customers)
	if err != nil {
		return "", "", err
	}
	join = ` LEFT JOIN (SELECT *, ` + key + ` AS mb_key FROM ` + from + ` QUALIFY row_number() OVER (PARTITION BY ` + key + ` ORDER BY ` +
		storage.Quote(storage.RowNumber) + `) = 1) cu ON cu.mb_key = CAST(h.c AS VARCHAR)`
	return join, sb.String(), nil
}
