package segment

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// TestCLVFields: a rule on the customer table can use the lifetime-value
// scores, which are joined only when the rule reads them, and a
// clv_scores table that is not Marketbench's offers nothing.
func TestCLVFields(t *testing.T) {
	ctx := context.Background()
	p, err := storage.Create(filepath.Join(t.TempDir(), "c"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, q := range []string{
		`CREATE TABLE customers AS SELECT 'c' || i AS id, CASE WHEN i % 2 = 0 THEN 'UK' ELSE 'FR' END AS country FROM range(10) t(i)`,
		`CREATE TABLE clv_scores AS SELECT 'c' || i AS customer_id, 3 AS frequency, i * 100.0 AS clv, i / 10.0 AS p_alive, 1.0 AS expected_purchases, 20.0 AS expected_spend FROM range(10) t(i)`,
	} {
		if _, err := p.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	fields, err := FieldList(ctx, p, "customers")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fields {
		got[f.Name] = f.Source
	}
	if got["clv"] != FromCLV || got["p_alive"] != FromCLV || got["frequency"] != "" {
		t.Errorf("fields %v: want clv and p_alive from clv_scores, and not its frequency", got)
	}
	n, err := Count(ctx, p, "customers", mustParse(t, "clv > 500 AND p_alive > 0.3 AND country = 'UK'"))
	if err != nil || n != 2 { // c6, c8
		t.Errorf("count %d, %v; want 2", n, err)
	}
	b, _ := newBase(ctx, p, "customers")
	if q, _, _ := b.members(mustParse(t, "country = 'UK'"), timeNow()); containsCV(q) {
		t.Errorf("a rule without lifetime-value fields joins clv_scores: %s", q)
	}
	// A foreign clv_scores with a numeric customer id is not used.
	p.DB().ExecContext(ctx, `DROP TABLE clv_scores`)
	p.DB().ExecContext(ctx, `CREATE TABLE clv_scores AS SELECT i AS customer_id, 1.0 AS clv FROM range(3) t(i)`)
	if fields, _ := FieldList(ctx, p, "customers"); len(fields) != 2 {
		t.Errorf("foreign clv_scores offered %v", fields)
	}
}

func mustParse(t *testing.T, s string) *rule.Node {
	t.Helper()
	n, err := rule.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func timeNow() time.Time { return time.Now() }

func containsCV(q string) bool { return strings.Contains(q, "clv_scores") }
