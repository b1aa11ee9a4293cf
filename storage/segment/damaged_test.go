package segment

import (
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// TestDamagedSegmentRow: one damaged row in mb_segments (a rule that is
// not JSON, a rule that is not valid, an unknown kind) does not stop the
// list or the other segments; it is listed as damaged, using it says so
// in one line, and it can be deleted or saved again (issue 8, finding 7).
func TestDamagedSegmentRow(t *testing.T) {
	p := newProject(t)
	exec(t, p, `CREATE TABLE customers AS SELECT * FROM (VALUES ('a', 10.0), ('b', 20.0), ('c', 30.0)) t(id, spend)`)
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	n, _ := rule.Parse(`spend >= 20`)
	if _, err := Create(ctx, p, "good", "customers", n); err != nil {
		t.Fatal(err)
	}
	exec(t, p, `INSERT INTO mb_segments (name, kind, base_table, rule_json, rule_text, size) VALUES
		('bad json', 'rule', 'customers', '{"op":', 'x', 7),
		('bad rule', 'rule', 'customers', '{}', 'x', 7),
		('no rule', 'rule', 'customers', NULL, NULL, NULL),
		('lookalike', 'lookalike', 'customers', '{"model":"x"}', NULL, 3)`)

	list, err := List(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	damaged := map[string]string{}
	for _, s := range list {
		if s.Damaged != "" {
			damaged[s.Name] = s.Damaged
		}
	}
	if len(list) != 5 || len(damaged) != 4 || damaged["good"] != "" || !strings.Contains(damaged["lookalike"], "unknown kind") ||
		!strings.Contains(damaged["bad json"], "not valid JSON") {
		t.Fatalf("list %+v", list)
	}
	sums, err := RuleSummary(ctx, p)
	if err != nil || len(sums) != 5 {
		t.Fatalf("summary %+v %v", sums, err)
	}
	for _, s := range sums {
		if (s.Damaged != "") != (s.Name != "good") || (s.Name == "good" && s.Size != 2) {
			t.Fatalf("summary %+v", s)
		}
	}

	// The good segment keeps working.
	if s, err := Evaluate(ctx, p, "good"); err != nil || s.Size != 2 {
		t.Fatalf("evaluate %+v %v", s, err)
	}
	if q, err := MembersSQL(ctx, p, "good"); err != nil || !strings.Contains(q, "mb_segment_members") {
		t.Fatalf("members %q %v", q, err)
	}
	// Using a damaged one says what is wrong and what to do, in one line.
	for name := range damaged {
		for _, err := range []error{
			func() error { _, err := Get(ctx, p, name); return err }(),
			func() error { _, err := Evaluate(ctx, p, name); return err }(),
			func() error { _, err := IDsSQL(ctx, p, name); return err }(),
		} {
			if err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), "delete it") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	// It can be deleted, or replaced by saving a valid rule under its name.
	if err := Delete(ctx, p, "lookalike"); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, p, "bad json"); err != nil {
		t.Fatal(err)
	}
	if s, err := Create(ctx, p, "bad rule", "customers", n); err != nil || s.Size != 2 {
		t.Fatalf("resave %+v %v", s, err)
	}
	if list, err = List(ctx, p); err != nil || len(list) != 3 || list[0].Name != "bad rule" || list[0].Damaged != "" {
		t.Fatalf("after repair %+v %v", list, err)
	}
}
