package segment

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// members reads a saved segment's member ids, sorted.
func members(t *testing.T, p *storage.Project, name string) []string {
	t.Helper()
	q, err := IDsSQL(ctx, p, name)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := p.DB().Query(q + ` ORDER BY customer_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestCreateList: a fixed list keeps exactly its ids (without empties and
// repeats), is listed with its description and no rule, survives
// re-evaluation even for ids the data no longer has, exports, is summarised,
// replaces a segment of its name and can be deleted.
func TestCreateList(t *testing.T) {
	p := newProject(t)
	exec(t, p, `CREATE TABLE orders AS SELECT * FROM (VALUES ('a', 10.0), ('b', 20.0), ('c', 30.0), ('d', 5.0)) t(cust, amount)`)
	if err := p.SetRoles(ctx, "orders", map[string]storage.Role{"cust": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	n, _ := rule.Parse(`amount >= 20`)
	if _, err := Create(ctx, p, "big", "orders", n); err != nil {
		t.Fatal(err)
	}
	desc := "the 3 customers most likely to buy 85123A"
	s, err := CreateList(ctx, p, " buyers ", "orders", desc, []string{"c", "a", "", "a", "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "buyers" || s.Kind != KindList || s.Rule != nil || s.Size != 3 || s.Description != desc {
		t.Fatalf("created %+v", s)
	}
	list, err := List(ctx, p)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %+v %v", list, err)
	}
	got := list[1]
	if got.Name != "buyers" || got.Kind != KindList || got.Rule != nil || got.Damaged != "" || got.Description != desc || got.Size != 3 || got.Table != "orders" {
		t.Fatalf("listed %+v", got)
	}
	if list[0].Kind != KindRule || list[0].Description != "" || list[0].Rule == nil {
		t.Fatalf("rule segment %+v", list[0])
	}
	if m := members(t, p, "buyers"); !slices.Equal(m, []string{"a", "c", "gone"}) {
		t.Fatalf("members %v", m)
	}
	// Re-evaluating keeps the list, also "gone", who is not in the data.
	if e, err := Evaluate(ctx, p, "buyers"); err != nil || e.Size != 3 || e.Description != desc {
		t.Fatalf("evaluate %+v %v", e, err)
	}
	if m := members(t, p, "buyers"); len(m) != 3 {
		t.Fatalf("after evaluate %v", m)
	}
	q, err := MembersSQL(ctx, p, "buyers")
	if err != nil {
		t.Fatal(err)
	}
	var c int64
	if err := p.DB().QueryRow(`SELECT count(*) FROM (` + q + `)`).Scan(&c); err != nil || c != 3 {
		t.Fatalf("members sql %d %v", c, err)
	}
	sums, err := RuleSummary(ctx, p)
	if err != nil || len(sums) != 2 || sums[0].Kind != KindRule || sums[1].Kind != KindList || sums[1].Size != 3 || sums[1].Description != desc ||
		sums[1].Share != 0.75 { // 3 members of the 4 customers of orders
		t.Fatalf("summary %+v %v", sums, err)
	}

	// Saving again replaces; a list may replace a rule segment and be empty.
	if s, err = CreateList(ctx, p, "big", "orders", "", nil); err != nil || s.Size != 0 {
		t.Fatalf("replace %+v %v", s, err)
	}
	if m := members(t, p, "big"); len(m) != 0 {
		t.Fatalf("empty list has %v", m)
	}
	if g, err := Get(ctx, p, "big"); err != nil || g.Kind != KindList || g.Rule != nil {
		t.Fatalf("get %+v %v", g, err)
	}

	// Bad input changes nothing.
	for _, bad := range []struct{ name, table string }{{"", "orders"}, {"Champions", "orders"}, {"x", ""}, {"x", "nope"}} {
		if _, err := CreateList(ctx, p, bad.name, bad.table, "", []string{"a"}); err == nil {
			t.Fatalf("%+v accepted", bad)
		}
	}
	if err := Delete(ctx, p, "buyers"); err != nil {
		t.Fatal(err)
	}
	if _, err := IDsSQL(ctx, p, "buyers"); err == nil {
		t.Fatal("deleted list still found")
	}
	var left int64
	p.DB().QueryRow(`SELECT count(*) FROM mb_segment_members WHERE segment = 'buyers'`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d members left", left)
	}
}

// TestLargeList: a list of many customers is saved in chunks, completely.
func TestLargeList(t *testing.T) {
	p := newProject(t)
	exec(t, p, `CREATE TABLE customers AS SELECT 'c' || i AS id FROM range(10) t(i)`)
	ids := make([]string, 12345)
	for i := range ids {
		ids[i] = "id-" + strconv.Itoa(i)
	}
	s, err := CreateList(ctx, p, "many", "customers", "many", ids)
	if err != nil || s.Size != int64(len(ids)) {
		t.Fatalf("%+v %v", s, err)
	}
	var c int64
	p.DB().QueryRow(`SELECT count(DISTINCT customer_id) FROM mb_segment_members WHERE segment = 'many'`).Scan(&c)
	if c != int64(len(ids)) {
		t.Fatalf("stored %d of %d", c, len(ids))
	}
}

// TestStoredListRows: list rows written by hand or by another version: one
// with no members is a valid empty segment, one without a table is
// damaged, and neither stops the others.
func TestStoredListRows(t *testing.T) {
	p := newProject(t)
	exec(t, p, `CREATE TABLE customers AS SELECT * FROM (VALUES ('a'), ('b')) t(id)`)
	exec(t, p, `INSERT INTO mb_segments (name, kind, base_table, rule_json, rule_text, size) VALUES
		('empty', 'list', 'customers', NULL, NULL, NULL),
		('tableless', 'list', ' ', NULL, 'x', 4),
		('mystery', 'List', 'customers', NULL, 'x', 4)`)
	exec(t, p, `INSERT INTO mb_segment_members VALUES ('tableless', 'a')`)
	list, err := List(ctx, p)
	if err != nil || len(list) != 3 {
		t.Fatalf("%+v %v", list, err)
	}
	by := map[string]Segment{}
	for _, s := range list {
		by[s.Name] = s
	}
	if e := by["empty"]; e.Damaged != "" || e.Kind != KindList || e.Size != 0 {
		t.Fatalf("empty %+v", e)
	}
	if by["tableless"].Damaged == "" || by["tableless"].Size != 0 || !strings.Contains(by["mystery"].Damaged, "unknown kind") {
		t.Fatalf("damaged %+v", list)
	}
	if m := members(t, p, "empty"); len(m) != 0 {
		t.Fatalf("members %v", m)
	}
	if s, err := Evaluate(ctx, p, "empty"); err != nil || s.Size != 0 {
		t.Fatalf("evaluate %+v %v", s, err)
	}
	if _, err := IDsSQL(ctx, p, "tableless"); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("damaged list used: %v", err)
	}
	if err := Delete(ctx, p, "tableless"); err != nil {
		t.Fatal(err)
	}
}
