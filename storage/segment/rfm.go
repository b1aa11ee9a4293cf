// Package segment computes RFM scores and rule segments inside DuckDB and
// stores them in the project.
package segment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/rfm"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// ScoresTable holds the latest RFM result: one row per customer.
const ScoresTable = storage.RFMTable

// RFMOptions choose the order table, the scheme and the reference date.
type RFMOptions struct {
	Table  string    // "" = the first table with customer id, order date and amount (or quantity and unit price) roles
	Scheme string    // rfm.Classic.Name (default), rfm.Grid.Name, rfm.Eight.Name or rfm.EightMedian.Name
	AsOf   time.Time // zero = the day after the last order
}

// RFMRun describes a finished RFM run.
type RFMRun struct {
	Table     string
	Scheme    rfm.Scheme
	AsOf      time.Time
	Customers int64
	Segments  []Summary
	// Thresholds are the mean or median values a two-level scheme (one
	// with a Split) compared customers with; nil for the other schemes.
	Thresholds *Thresholds `json:",omitempty"`
}

// Thresholds are the values of a two-level scheme's split: a customer is
// high when its recency is below Recency, its frequency above Frequency or
// its monetary value above Monetary.
type Thresholds struct {
	Recency, Frequency, Monetary float64
}

// splitThresholds computes the thresholds of split over the stored scores,
// the same values the RFM query compared with; nil when no customer has a
// monetary value (then every customer is low M).
func splitThresholds(ctx context.Context, p *storage.Project, split rfm.Split) (*Thresholds, error) {
	agg := "avg"
	if split == rfm.SplitMedian {
		agg = "median"
	}
	var r, f, m sql.NullFloat64
	err := p.Q().QueryRowContext(ctx, fmt.Sprintf(`SELECT %[1]s(recency::DOUBLE), %[1]s(frequency::DOUBLE), %[1]s(monetary::DOUBLE) FROM `, agg)+
		storage.Quote(ScoresTable)).Scan(&r, &f, &m)
	if err != nil || !r.Valid || !f.Valid || !m.Valid {
		return nil, err
	}
	return &Thresholds{Recency: r.Float64, Frequency: f.Float64, Monetary: m.Float64}, nil
}

// inputs are the SQL pieces RFM needs, found by column role.
type inputs struct {
	table, customer, date, order, amount string
}

func findInputs(ctx context.Context, p *storage.Project, table string) (*inputs, error) {
	candidates := []string{table}
	if table == "" {
		var err error
		if candidates, err = p.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate); err != nil {
			return nil, err
		}
	}
	var why []error
	for _, t := range candidates {
		in, err := inputsOf(ctx, p, t)
		if err == nil {
			return in, nil
		}
		why = append(why, err)
	}
	if table == "" {
		return nil, i18n.Errorf("no table has the roles RFM needs (customer id, order date, and amount or quantity × unit price); import orders and set their column roles")
	}
	return nil, storage.JoinErrors("; ", why...)
}

func inputsOf(ctx context.Context, p *storage.Project, t string) (*inputs, error) {
	roles, err := p.ColumnRoles(ctx, t)
	if err != nil {
		return nil, err
	}
	by := map[storage.Role]string{}
	for c, r := range roles {
		by[r] = c
	}
	in := &inputs{table: storage.Quote(t)}
	missing := []error{}
	if c := by[storage.CustomerID]; c != "" {
		in.customer = storage.Quote(c)
	} else {
		missing = append(missing, i18n.Errorf("customer id"))
	}
	if c := by[storage.OrderDate]; c != "" {
		in.date = `CAST(` + storage.Quote(c) + ` AS DATE)`
	} else {
		missing = append(missing, i18n.Errorf("order date"))
	}
	switch {
	case by[storage.Amount] != "":
		in.amount = `CAST(` + storage.Quote(by[storage.Amount]) + ` AS DOUBLE)`
	case by[storage.Quantity] != "" && by[storage.UnitPrice] != "":
		in.amount = `(CAST(` + storage.Quote(by[storage.Quantity]) + ` AS DOUBLE) * CAST(` + storage.Quote(by[storage.UnitPrice]) + ` AS DOUBLE))`
	default:
		missing = append(missing, i18n.Errorf("amount (or quantity and unit price)"))
	}
	if c := by[storage.OrderID]; c != "" {
		in.order = storage.Quote(c)
	}
	if len(missing) > 0 {
		return nil, i18n.Errorf("table %q has no column with the role %v; set it with roles", t, storage.JoinErrors(", ", missing...))
	}
	return in, nil
}

// Tables lists the tables RFM can run on: those with customer id, order
// date and amount (or quantity and unit price) roles.
func Tables(ctx context.Context, p *storage.Project) ([]string, error) {
	cands, err := p.TablesWithRoles(ctx, storage.CustomerID, storage.OrderDate)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range cands {
		if _, err := inputsOf(ctx, p, t); err == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// schemeCase is the scheme as an SQL CASE over the columns r, f, m (the
// scores, or for a scheme with a split the levels); the rule order is the
// precedence, exactly as rfm.Scheme.Segment applies it.
func schemeCase(s rfm.Scheme, r, f, m string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, u := range s.Rules {
		fmt.Fprintf(&b, " WHEN %s BETWEEN %d AND %d AND %s BETWEEN %d AND %d AND %s BETWEEN %d AND %d THEN %s",
			r, u.R.Lo, u.R.Hi, f, u.F.Lo, u.F.Hi, m, u.M.Lo, u.M.Hi, storage.Literal(u.Segment))
	}
	b.WriteString(" ELSE " + storage.Literal(s.Other) + " END")
	return b.String()
}

// RFM scores every customer of the order table and stores the result in
// rfm_scores, replacing the previous run, in one transaction.
//
// Recency is days from the last order to AsOf; frequency counts distinct
// orders with a positive amount (rows when there is no order id role);
// monetary is the net sum of amounts, so returns reduce it. Scores are
// quintiles by rank with ties sharing a score (see analytics/rfm.Scores).
func RFM(ctx context.Context, p *storage.Project, opt RFMOptions) (*RFMRun, error) {
	in, err := findInputs(ctx, p, opt.Table)
	if err != nil {
		return nil, err
	}
	name := opt.Scheme
	if name == "" {
		name = rfm.Classic.Name
	}
	scheme, ok := rfm.Lookup(name)
	if !ok {
		var names []string
		for _, s := range rfm.Schemes() {
			names = append(names, s.Name)
		}
		return nil, i18n.Errorf("unknown RFM scheme %q; choose %s", name, strings.Join(names, ", "))
	}
	asOf := opt.AsOf
	if asOf.IsZero() {
		var last sql.NullTime
		if err := p.Q().QueryRowContext(ctx, `SELECT max(`+in.date+`) FROM `+in.table).Scan(&last); err != nil {
			return nil, err
		}
		if !last.Valid {
			return nil, i18n.Errorf("the order table has no order dates")
		}
		asOf = last.Time.AddDate(0, 0, 1)
	}
	freq := `count(*) FILTER (WHERE ` + in.amount + ` > 0)`
	if in.order != "" {
		freq = `count(DISTINCT ` + in.order + `) FILTER (WHERE ` + in.amount + ` > 0)`
	}
	// rank_min of a value is 1 + the number of customers with a worse value.
	// Recency (days) and frequency take few distinct values, so their ranks
	// come from a small per-value count joined back instead of a window
	// sort over every customer; monetary, nearly unique, keeps rank(). The
	// customer column is grouped as it is and cast to text once per
	// customer.
	// A two-level scheme compares each value with the mean or median of all
	// customers' (NULLs left out): strictly better is level 2 ("high"),
	// anything else, a tie or a NULL, level 1, as rfm.Levels does.
	segExpr, from, thresholds := schemeCase(scheme, "r", "f", "m"), "s", ""
	if scheme.Split != rfm.NoSplit {
		agg := "avg"
		if scheme.Split == rfm.SplitMedian {
			agg = "median"
		}
		thresholds = fmt.Sprintf(`,
t AS (SELECT %[1]s(recency::DOUBLE) AS tr, %[1]s(frequency::DOUBLE) AS tf, %[1]s(monetary::DOUBLE) AS tm FROM c)`, agg)
		from = "s, t"
		segExpr = schemeCase(scheme,
			"(CASE WHEN recency::DOUBLE < t.tr THEN 2 ELSE 1 END)",
			"(CASE WHEN frequency::DOUBLE > t.tf THEN 2 ELSE 1 END)",
			"(CASE WHEN monetary::DOUBLE > t.tm THEN 2 ELSE 1 END)")
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE %[1]s AS
WITH c AS (
	SELECT %[2]s AS cust,
		date_diff('day', max(%[3]s), ?::DATE) AS recency,
		%[4]s AS frequency,
		round(sum(%[5]s), 2) AS monetary
	FROM %[6]s WHERE %[2]s IS NOT NULL AND %[3]s <= ?::DATE GROUP BY 1
), n AS (SELECT count(*)::DOUBLE AS n FROM c),
rr AS (SELECT recency, coalesce(sum(count(*)) OVER (ORDER BY recency DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS worse FROM c GROUP BY recency),
fr AS (SELECT frequency, coalesce(sum(count(*)) OVER (ORDER BY frequency ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS worse FROM c GROUP BY frequency),
s AS (
	SELECT c.*,
		CAST(floor(5 * rr.worse / n.n) + 1 AS INTEGER) AS r,
		CAST(floor(5 * fr.worse / n.n) + 1 AS INTEGER) AS f,
		CAST(floor(5 * (rank() OVER (ORDER BY monetary NULLS FIRST) - 1) / n.n) + 1 AS INTEGER) AS m
	FROM c JOIN rr USING (recency) JOIN fr USING (frequency), n
)%[8]s
SELECT CAST(cust AS VARCHAR) AS customer_id, recency, frequency, monetary, r AS r_score, f AS f_score, m AS m_score,
	r::VARCHAR || f::VARCHAR || m::VARCHAR AS rfm_cell, %[7]s AS rfm_segment
FROM %[9]s`,
		storage.Quote(ScoresTable), in.customer, in.date, freq, in.amount, in.table, segExpr, thresholds, from)
	run := &RFMRun{Table: strings.Trim(in.table, `"`), Scheme: scheme, AsOf: asOf}
	day := asOf.Format("2006-01-02")
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, q, day, day); err != nil {
			return i18n.Errorf("RFM failed: %s", storage.FirstLine(err.Error()))
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(ScoresTable)).Scan(&run.Customers); err != nil {
			return err
		}
		if run.Customers == 0 {
			return i18n.Errorf("no customer has an order on or before %s", day)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_rfm_runs (source_table, scheme, as_of, customers) VALUES (?, ?, ?::DATE, ?)`,
			run.Table, scheme.Name, day, run.Customers); err != nil {
			return err
		}
		if err := p.Audit(ctx, tx, "rfm", ScoresTable, -1, run.Customers, fmt.Sprintf("%s scheme on %s as of %s", scheme.Name, run.Table, day)); err != nil {
			return err
		}
		return p.InTx(tx).SetRoles(ctx, ScoresTable, map[string]storage.Role{"customer_id": storage.CustomerID}, true)
	})
	if err != nil {
		return nil, err
	}
	if scheme.Split != rfm.NoSplit {
		if run.Thresholds, err = splitThresholds(ctx, p, scheme.Split); err != nil {
			return nil, err
		}
	}
	run.Segments, err = RFMSummary(ctx, p)
	return run, err
}

// LastRFM returns the most recent run's settings, or nil.
func LastRFM(ctx context.Context, p *storage.Project) (*RFMRun, error) {
	var r RFMRun
	var scheme string
	err := p.Q().QueryRowContext(ctx, `SELECT source_table, scheme, as_of, customers FROM mb_rfm_runs ORDER BY id DESC LIMIT 1`).
		Scan(&r.Table, &scheme, &r.AsOf, &r.Customers)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.Scheme, _ = rfm.Lookup(scheme)
	if r.Scheme.Split != rfm.NoSplit {
		if r.Thresholds, err = splitThresholds(ctx, p, r.Scheme.Split); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// Grid counts customers per (recency score, frequency score) cell:
// cells[r-1][f-1].
func Grid(ctx context.Context, p *storage.Project) ([5][5]float64, error) {
	var cells [5][5]float64
	rows, err := p.Q().QueryContext(ctx, `SELECT r_score, f_score, count(*) FROM `+storage.Quote(ScoresTable)+` GROUP BY ALL`)
	if err != nil {
		return cells, i18n.Errorf("run RFM first")
	}
	defer rows.Close()
	for rows.Next() {
		var r, f int
		var n float64
		if err := rows.Scan(&r, &f, &n); err != nil {
			return cells, err
		}
		cells[r-1][f-1] = n
	}
	return cells, rows.Err()
}

// Orders holds SQL expressions for the role columns of an order table:
// Table quoted, Date cast to DATE, Amount to DOUBLE (quantity × unit price
// when there is no amount), Order empty without an order id role.
type Orders struct {
	Table, Customer, Date, Order, Amount string
}

// OrdersOf finds the order columns of table by role, or of the only order
// table when table is empty, with the same messages as RFM.
func OrdersOf(ctx context.Context, p *storage.Project, table string) (*Orders, error) {
	in, err := findInputs(ctx, p, table)
	if err != nil {
		return nil, err
	}
	return &Orders{Table: in.table, Customer: in.customer, Date: in.date, Order: in.order, Amount: in.amount}, nil
}
