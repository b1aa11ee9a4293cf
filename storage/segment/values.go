package segment

import (
	"context"
	"fmt"
	"strings"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// Where a rule field comes from, for editors that group them.
const (
	FromTable  = "table"           // a column of the rule's table
	FromRFM    = "rfm"             // the latest RFM scores
	FromScores = "scores"          // model scores and saved clusters
	FromRecs   = "recommendations" // the customer's first scored recommendation
	FromCLV    = "clv"             // the latest lifetime-value scores
)

// Field is a name a rule may use, its kind and where it comes from.
type Field struct {
	Name   string
	Kind   rule.Kind
	Source string
}

// FieldList is Fields with where each field comes from, in the same order.
func FieldList(ctx context.Context, p *storage.Project, table string) ([]Field, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return nil, err
	}
	out := make([]Field, len(b.names))
	for i, n := range b.names {
		c := b.cols[strings.ToLower(n)]
		src := FromTable
		switch {
		case strings.HasPrefix(c.SQL, "r."):
			src = FromRFM
		case strings.HasPrefix(c.SQL, "s."):
			src = FromScores
		case strings.HasPrefix(c.SQL, "rc."):
			src = FromRecs
		case strings.HasPrefix(c.SQL, "cv."):
			src = FromCLV
		}
		out[i] = Field{Name: n, Kind: c.Kind, Source: src}
	}
	return out, nil
}

// ValueCount is one value of a field and how many customers have it.
type ValueCount struct {
	Value     string
	Customers int64
}

// TopValues lists a field's most common values (not empty) by how many
// customers have them, most first, and how many distinct values it has,
// so an editor can offer them to pick from.
func TopValues(ctx context.Context, p *storage.Project, table, field string, limit int) ([]ValueCount, int64, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return nil, 0, err
	}
	c, ok := b.cols[strings.ToLower(field)]
	if !ok {
		return nil, 0, fmt.Errorf("unknown column %q", field)
	}
	b.useRecs = strings.HasPrefix(c.SQL, "rc.")
	b.useCLV = strings.HasPrefix(c.SQL, "cv.")
	b.useTags = strings.HasPrefix(c.SQL, "tg.")
	v := `CAST(` + c.SQL + ` AS VARCHAR)`
	q := `WITH v AS (SELECT ` + v + ` AS v, count(DISTINCT ` + b.customer + `) AS n FROM ` + b.from() +
		` WHERE ` + b.customer + ` IS NOT NULL AND ` + c.SQL + ` IS NOT NULL AND trim(` + v + `) <> '' GROUP BY 1)
		SELECT v, n, count(*) OVER () FROM v ORDER BY n DESC, v LIMIT ?`
	rows, err := p.Q().QueryContext(ctx, q, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot list the values of %s: %s", field, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var out []ValueCount
	var distinct int64
	for rows.Next() {
		var vc ValueCount
		if err := rows.Scan(&vc.Value, &vc.Customers, &distinct); err != nil {
			return nil, 0, err
		}
		out = append(out, vc)
	}
	return out, distinct, rows.Err()
}
