package retention

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// The monthly summary's own columns: the month, the rows it stands for,
// and a sum per numeric column (its name and sumSuffix).
const (
	monthCol  = "month"
	countCol  = "row_count"
	sumSuffix = "_sum"
)

// Result is what applying one rule did (or, in a dry run, would do).
type Result struct {
	Rule
	// Cutoff is the first day kept: rows dated before it are removed.
	Cutoff time.Time
	// Rows are the rows removed (a dry run: that would be removed).
	Rows int64
	// Summary is the table the rows were summed into (aggregate rules).
	Summary string
	// Err says why the rule could not be applied; the others still were.
	Err error
}

// Options are the choices of one application.
type Options struct {
	Now    time.Time // the day rules count back from
	DryRun bool      // count the rows, change nothing
	// Progress, when set, hears of each rule in turn.
	Progress func(stage string, fraction float64)
}

// Apply applies every rule, each in its own transaction: a rule's summary,
// deletion, audit entry and last run are kept together or not at all. A
// rule that fails is reported in its Result and does not stop the others.
// It does not compact the file (see core's ApplyRetention).
func Apply(ctx context.Context, p *storage.Project, opt Options) ([]Result, error) {
	rules, err := List(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(rules))
	for i, r := range rules {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if opt.Progress != nil {
			opt.Progress(i18n.T("Applying retention to %s", r.Table), float64(i)/float64(len(rules)))
		}
		res := Result{Rule: r, Cutoff: Cutoff(opt.Now, r.Months)}
		if opt.DryRun {
			res.Rows, res.Err = count(ctx, p.Q(), r, res.Cutoff)
		} else {
			res.Err = applyRule(ctx, p, &res, opt.Now)
			if res.Err != nil && ctx.Err() == nil {
				failed(ctx, p, r, opt.Now, res.Err)
			}
		}
		out = append(out, res)
	}
	if opt.Progress != nil {
		opt.Progress(i18n.T("Done"), 1)
	}
	return out, nil
}

// older is the condition old rows meet. Rows without a date are kept.
func older(col string, cutoff time.Time) string {
	return storage.Quote(col) + ` < DATE '` + cutoff.Format(time.DateOnly) + `'`
}

func count(ctx context.Context, q storage.Querier, r Rule, cutoff time.Time) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(r.Table)+` WHERE `+older(r.Column, cutoff)).Scan(&n)
	if err != nil {
		return 0, i18n.Errorf("cannot count the old rows of %s: %s", r.Table, storage.FirstLine(err.Error()))
	}
	return n, nil
}

// applyRule checks the rule again (the table may have changed since it was
// set), then summarises, deletes and records in one transaction.
func applyRule(ctx context.Context, p *storage.Project, res *Result, now time.Time) error {
	r, err := Check(ctx, p, res.Rule)
	if err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		pt := p.InTx(tx)
		before, err := pt.RowCount(ctx, r.Table)
		if err != nil {
			return err
		}
		n, err := count(ctx, tx, r, res.Cutoff)
		if err != nil {
			return err
		}
		if r.Action == Aggregate && n > 0 {
			if res.Summary, err = summarise(ctx, pt, r, res.Cutoff, n); err != nil {
				return err
			}
		}
		del, err := tx.ExecContext(ctx, `DELETE FROM `+storage.Quote(r.Table)+` WHERE `+older(r.Column, res.Cutoff))
		if err != nil {
			return i18n.Errorf("cannot delete the old rows of %s: %s", r.Table, storage.FirstLine(err.Error()))
		}
		if got, _ := del.RowsAffected(); got != n {
			return i18n.Errorf("%s changed while its old rows were removed (%d counted, %d deleted); nothing was changed, apply the rules again", r.Table, n, got)
		}
		res.Rows = n
		if _, err := tx.ExecContext(ctx, `UPDATE mb_retention_rules SET last_run_at = ?, last_rows = ? WHERE table_name = ?`,
			now.UTC(), n, res.Table); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: rows dated before %s, %d removed", describe(r), res.Cutoff.Format(time.DateOnly), n)
		if res.Summary != "" {
			detail += ", summed per month into " + res.Summary
		}
		return p.Audit(ctx, tx, "retention", r.Table, before, before-n, detail)
	})
}

// failed stamps a failed rule's last run, so the runner waits a day before
// trying again, and puts the reason in the audit log.
func failed(ctx context.Context, p *storage.Project, r Rule, now time.Time, cause error) {
	p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mb_retention_rules SET last_run_at = ?, last_rows = NULL WHERE table_name = ?`, now.UTC(), r.Table); err != nil {
			return err
		}
		return p.Audit(ctx, tx, "retention failed", r.Table, -1, -1, cause.Error())
	})
}

// summarise adds the old rows to the table's monthly summary: per month
// (and per category and region column), how many rows and the sum of each
// numeric column that does not identify anyone. Rows already summed by
// earlier runs are merged in, so no earlier total is lost. want is the
// number of old rows, checked against what was summed.
func summarise(ctx context.Context, p *storage.Project, r Rule, cutoff time.Time, want int64) (string, error) {
	cols, err := p.Columns(ctx, r.Table)
	if err != nil {
		return "", err
	}
	roles, err := p.ColumnRoles(ctx, r.Table)
	if err != nil {
		return "", err
	}
	keys, measures := []string{storage.Quote(monthCol)}, []string{}
	sel := []string{`CAST(date_trunc('month', ` + storage.Quote(r.Column) + `) AS DATE) AS ` + storage.Quote(monthCol)}
	intSums := map[string]bool{countCol: true}
	names := map[string]bool{monthCol: true, countCol: true}
	for _, c := range cols {
		if groupBy(c, roles[c.Name]) && !names[c.Name] {
			names[c.Name] = true
			keys = append(keys, storage.Quote(c.Name))
			sel = append(sel, storage.Quote(c.Name))
		}
	}
	sel = append(sel, `count(*) AS `+storage.Quote(countCol))
	for _, c := range cols {
		if c.Name == r.Column || names[c.Name] || !summable(c, roles[c.Name]) || names[c.Name+sumSuffix] {
			continue
		}
		name := c.Name + sumSuffix
		names[name] = true
		measures = append(measures, name)
		sum := `sum(` + storage.Quote(c.Name) + `)`
		if isInt(c.Type) {
			sum, intSums[name] = `CAST(`+sum+` AS BIGINT)`, true
		} else if t := strings.ToUpper(c.Type); t == "HUGEINT" || t == "UBIGINT" {
			sum = `CAST(` + sum + ` AS DOUBLE)`
		}
		sel = append(sel, sum+` AS `+storage.Quote(name))
	}
	fresh := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + storage.Quote(r.Table) + ` WHERE ` + older(r.Column, cutoff) + ` GROUP BY ALL`
	summary := SummaryTable(r.Table)
	stored, err := p.StoredName(ctx, summary)
	if err != nil {
		return "", err
	}
	var stmt string
	if stored == "" {
		stmt = `CREATE TABLE ` + storage.Quote(summary) + ` AS ` + fresh + ` ORDER BY ALL`
	} else {
		summary = stored
		have, err := p.Columns(ctx, summary)
		if err != nil {
			return "", err
		}
		for _, c := range have {
			switch {
			case c.Name == countCol:
			case strings.HasSuffix(c.Name, sumSuffix):
				if !slices.Contains(measures, c.Name) {
					measures = append(measures, c.Name)
					intSums[c.Name] = isInt(c.Type)
				} else {
					intSums[c.Name] = intSums[c.Name] && isInt(c.Type)
				}
			case !slices.Contains(keys, storage.Quote(c.Name)):
				keys = append(keys, storage.Quote(c.Name))
			}
		}
		agg := append([]string{}, keys...)
		for _, m := range append([]string{countCol}, measures...) {
			s := `sum(` + storage.Quote(m) + `)`
			if intSums[m] {
				s = `CAST(` + s + ` AS BIGINT)`
			}
			agg = append(agg, s+` AS `+storage.Quote(m))
		}
		stmt = `CREATE OR REPLACE TABLE ` + storage.Quote(summary) + ` AS SELECT ` + strings.Join(agg, ", ") +
			` FROM (SELECT * FROM ` + storage.Quote(summary) + ` UNION ALL BY NAME ` + fresh + `) GROUP BY ALL ORDER BY ALL`
	}
	var summed int64
	if err := p.Q().QueryRowContext(ctx, `SELECT coalesce(sum(`+storage.Quote(countCol)+`), 0) FROM (`+fresh+`)`).Scan(&summed); err != nil {
		return "", i18n.Errorf("cannot summarise the old rows of %s: %s", r.Table, storage.FirstLine(err.Error()))
	}
	if summed != want {
		return "", i18n.Errorf("the monthly summary of %s would hold %d of its %d old rows; nothing was changed", r.Table, summed, want)
	}
	if _, err := p.Q().ExecContext(ctx, stmt); err != nil {
		return "", i18n.Errorf("cannot write the monthly summary %s: %s", summary, storage.FirstLine(err.Error()))
	}
	return summary, nil
}

// groupBy says whether a column splits the summary: a category or region
// is coarse and names no one, unlike a city, a product or a name.
func groupBy(c storage.Column, role storage.Role) bool {
	return (role == storage.Category || role == storage.Region) && !strings.HasSuffix(c.Name, sumSuffix)
}

// summable says whether a column's sum goes into the summary: numbers that
// are not identifiers, ids or codes.
func summable(c storage.Column, role storage.Role) bool {
	if !c.IsNumeric() || storage.IsIdentifier(role) || role == storage.OrderID || role == storage.ProductID {
		return false
	}
	return !idLike(c.Name)
}

// idLike recognises names such as id, order_id, customerID, orderId or
// 订单号: numbers that label rows rather than measure them.
func idLike(name string) bool {
	l := strings.ToLower(name)
	if l == "id" || strings.HasSuffix(l, "_id") || strings.HasSuffix(l, " id") || strings.HasSuffix(l, "-id") || strings.HasSuffix(l, "号") {
		return true
	}
	// camelCase: a lower-case letter, then ID or Id ("PAID" is no id).
	n := len(name)
	return n > 2 && (strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "Id")) && unicode.IsLower(rune(name[n-3]))
}

func isInt(t string) bool {
	switch strings.ToUpper(t) {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER":
		return true
	}
	return false
}
