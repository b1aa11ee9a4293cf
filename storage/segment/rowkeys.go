package segment

import (
	"context"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// RuleIDsSQLAt is RuleIDsSQL with "today" given, for a runner that works
// as of a time other than now (catching up, or a simulation).
func RuleIDsSQLAt(ctx context.Context, p *storage.Project, table string, n *rule.Node, today time.Time) (string, []any, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return "", nil, err
	}
	return b.members(n, today)
}

// RowsSQL is a SELECT of customer_id (text) and key (text: the row's order
// id by role, else a hash of the whole row) of the rows of table matching n
// (every row when n is nil), so a caller can tell which rows are new.
func RowsSQL(ctx context.Context, p *storage.Project, table string, n *rule.Node, today time.Time) (string, []any, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return "", nil, err
	}
	key := `md5(CAST(b AS VARCHAR))`
	if col, _ := p.ColumnFor(ctx, table, storage.OrderID); col != "" {
		key = `CAST(b.` + storage.Quote(col) + ` AS VARCHAR)`
	}
	where, args := "true", []any(nil)
	if n != nil {
		if err := n.Validate(); err != nil {
			return "", nil, err
		}
		where, args, err = rule.Compile(n, func(name string) (rule.Column, bool) {
			c, ok := b.cols[strings.ToLower(name)]
			b.useRecs = b.useRecs || strings.HasPrefix(c.SQL, "rc.")
			b.useCLV = b.useCLV || strings.HasPrefix(c.SQL, "cv.")
			b.useTags = b.useTags || strings.HasPrefix(c.SQL, "tg.")
			return c, ok
		}, rule.Options{Today: today, Names: b.names})
		if err != nil {
			return "", nil, err
		}
	}
	if b.customer == "" {
		return "", nil, i18n.Errorf("table %q has no customer id column; set its role first", table)
	}
	return `SELECT DISTINCT CAST(` + b.customer + ` AS VARCHAR) AS customer_id, ` + key + ` AS key FROM ` + b.from() +
		` WHERE ` + b.customer + ` IS NOT NULL AND (` + where + `)`, args, nil
}
