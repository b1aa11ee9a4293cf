package segment

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// exec runs setup SQL and stops the test on an error, so a broken fixture
// cannot pass for a working one.
func exec(t *testing.T, p *storage.Project, q string) {
	t.Helper()
	if _, err := p.DB().Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// readCSV returns the rows of an exported file without its header.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return recs[1:]
}

// TestMembersWithoutRFMRow: a rule segment's export lists every member,
// including customers who have no RFM row (no orders), and agrees with
// the count, also for rules on RFM fields (issue 8, finding 5).
func TestMembersWithoutRFMRow(t *testing.T) {
	p := newProject(t)
	exec(t, p, `CREATE TABLE customers AS SELECT * FROM (VALUES ('a', 'UK'), ('b', 'UK'), ('c', 'UK'), ('d', 'FR'), ('e', 'UK')) t(id, country)`)
	exec(t, p, `CREATE TABLE orders AS SELECT * FROM (VALUES ('a', DATE '2024-01-01', 10.0), ('a', DATE '2024-02-01', 20.0),
		('b', DATE '2024-01-05', 5.0), ('d', DATE '2024-01-07', 8.0)) t(cust, day, amount)`)
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRoles(ctx, "orders", map[string]storage.Role{"cust": storage.CustomerID, "day": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := RFM(ctx, p, RFMOptions{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rule string
		want []string
	}{
		{`country = 'UK'`, []string{"a", "b", "c", "e"}},                        // c and e have no orders
		{`country = 'UK' OR frequency >= 1`, []string{"a", "b", "c", "d", "e"}}, // d only through RFM
		{`frequency >= 2`, []string{"a"}},                                       // no RFM row: no match
		{`country = 'UK' AND frequency >= 1`, []string{"a", "b"}},
	} {
		n, err := rule.Parse(tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Count(ctx, p, "customers", n)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Create(ctx, p, "s", "customers", n)
		if err != nil {
			t.Fatal(err)
		}
		q, err := MembersSQL(ctx, p, "s")
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "m.csv")
		wrote, err := p.Export(ctx, q, out)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range readCSV(t, out) {
			ids = append(ids, r[0])
		}
		if c != int64(len(tc.want)) || s.Size != c || wrote != c || len(ids) != len(tc.want) {
			t.Fatalf("%s: count %d, size %d, wrote %d %v; want %v", tc.rule, c, s.Size, wrote, ids, tc.want)
		}
		for i := range ids {
			if ids[i] != tc.want[i] {
				t.Fatalf("%s: exported %v, want %v", tc.rule, ids, tc.want)
			}
		}
	}
}
