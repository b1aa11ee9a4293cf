package contact

import (
	"context"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// Each customer's zone comes from the column with the time_zone role,
// found by its name; values that are no zone are left to the policy's.
func TestLocations(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	if _, err := p.Q().ExecContext(ctx, `CREATE TABLE customers AS SELECT * FROM (VALUES
		('C1', 'Asia/Shanghai'), ('C2', '+08:00'), ('C3', 'UTC-5'), ('C4', 'Mars/Base'), ('C5', NULL), ('C6', ''),
		('C1', 'Europe/London')) t(customer_id, "时区")`); err != nil {
		t.Fatal(err)
	}
	roles, err := p.DetectRoles(ctx, "customers")
	if err != nil {
		t.Fatal(err)
	}
	if roles["时区"] != storage.TimeZone {
		t.Fatalf("the 时区 column is taken for %q, want %q", roles["时区"], storage.TimeZone)
	}
	if err := p.SetRoles(ctx, "customers", roles, true); err != nil {
		t.Fatal(err)
	}
	locs, err := Locations(ctx, p, "customers", []string{"C1", "C2", "C3", "C4", "C5", "C6", "C7"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	want := map[string]int{"C1": 8 * 3600, "C2": 8 * 3600, "C3": -5 * 3600} // C1's first row wins
	if len(locs) != len(want) {
		t.Errorf("zones for %d customers, want %d: %v", len(locs), len(want), locs)
	}
	for id, off := range want {
		if locs[id] == nil {
			t.Errorf("%s: no zone", id)
			continue
		}
		if _, got := at.In(locs[id]).Zone(); got != off {
			t.Errorf("%s: offset %d, want %d", id, got, off)
		}
	}
	// A table without the role: nobody's zone is known.
	if _, err := p.Q().ExecContext(ctx, `CREATE TABLE plain AS SELECT 'C1' AS customer_id`); err != nil {
		t.Fatal(err)
	}
	if locs, err := Locations(ctx, p, "plain", []string{"C1"}); err != nil || len(locs) != 0 {
		t.Errorf("without a time_zone column: %v, %v", locs, err)
	}
	for _, name := range []string{"time_zone", "TimeZone", "tz"} {
		if r := roleOf(t, p, name); r != storage.TimeZone {
			t.Errorf("column %q: role %q, want time_zone", name, r)
		}
	}
}

func roleOf(t *testing.T, p *storage.Project, col string) storage.Role {
	t.Helper()
	roles, err := p.DetectRolesIn(context.Background(), `(SELECT 'Asia/Tokyo' AS `+storage.Quote(col)+`)`, []storage.Column{{Name: col, Type: "VARCHAR"}})
	if err != nil {
		t.Fatal(err)
	}
	return roles[col]
}
