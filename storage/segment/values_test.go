package segment

import (
	"reflect"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// The value list counts customers, not rows, leaves out empty values, and
// says how many distinct values there are; fields say where they are from.
func TestTopValuesAndFields(t *testing.T) {
	p := newProject(t)
	mustExec(t, p, `CREATE TABLE orders (cust VARCHAR, city VARCHAR, amount DOUBLE)`)
	mustExec(t, p, `INSERT INTO orders VALUES ('a', 'London', 1), ('a', 'London', 2), ('b', 'London', 3),
		('c', 'Paris', 4), ('d', 'london', 5), ('e', '  ', 6), ('f', NULL, 7), (NULL, 'Rome', 8)`)
	if err := p.SetRoles(ctx, "orders", map[string]storage.Role{"cust": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	vals, distinct, err := TopValues(ctx, p, "orders", "CITY", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []ValueCount{{"London", 2}, {"Paris", 1}}
	if !reflect.DeepEqual(vals, want) || distinct != 3 {
		t.Fatalf("values %v (%d distinct), want %v (3)", vals, distinct, want)
	}
	if _, _, err := TopValues(ctx, p, "orders", "nope", 5); err == nil {
		t.Fatal("no error for an unknown field")
	}
	fs, err := FieldList(ctx, p, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 || fs[1] != (Field{Name: "city", Kind: 0, Source: FromTable}) {
		t.Fatalf("fields %v", fs)
	}
}
