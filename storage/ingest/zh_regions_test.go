package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// A small Chinese customer export (testdata/zh, written by us): provinces
// in full and short form, cities with and without 市, and ID numbers of
// both generations. Roles come from the Chinese headers and, under headers
// that say nothing, from the values.
func TestChineseRegionsCSV(t *testing.T) {
	p := newProject(t)
	res := mustImport(t, p, "../../testdata/zh/customers_regions.csv", Options{Table: "kehu"})
	types := map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	want := map[string]storage.Role{"客户编号": storage.CustomerID, "姓名": storage.FullName, "手机号": storage.Phone,
		"省份": storage.Region, "城市": storage.City, "身份证号": storage.NationalID}
	for col, r := range want {
		if res.Roles[col] != r {
			t.Errorf("%s: role %q, want %q (type %s)", col, res.Roles[col], r, types[col])
		}
	}
	// The 15-digit numbers stay text, spelled as written.
	var old int
	if err := p.DB().QueryRow(`SELECT count(*) FROM kehu WHERE length(身份证号) = 15`).Scan(&old); err != nil || old != 5 {
		t.Fatalf("15-digit IDs: %d, %v (type %s)", old, err, types["身份证号"])
	}
	// The same values under meaningless names.
	if _, err := p.DB().Exec(`CREATE TABLE anon AS SELECT 省份 AS a, 城市 AS b, 身份证号 AS c FROM kehu`); err != nil {
		t.Fatal(err)
	}
	got, err := p.DetectRoles(ctx, "anon")
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != storage.Region || got["b"] != storage.City || got["c"] != storage.NationalID {
		t.Errorf("roles by content: %v", got)
	}
}

// A column of old 15-digit ID numbers alone is kept as text and gets the
// national_id role; 15-digit numbers that are no IDs (a date that does not
// exist, an unknown province) get no role.
func TestOldResidentIDs(t *testing.T) {
	var b strings.Builder
	b.WriteString("no,证件,other\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "%d,3101048%d%02d%02d%03d,9901058%d%02d%02d%03d\n", i, i%10, i%12+1, i+10, 100+i, i%10, 2, 30, 100+i)
	}
	p := newProject(t)
	res := mustImport(t, p, write(t, "old_ids.csv", []byte(b.String())), Options{})
	types := map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	if res.Roles["证件"] != storage.NationalID || types["证件"] != "VARCHAR" {
		t.Errorf("证件: role %q type %s", res.Roles["证件"], types["证件"])
	}
	if r, ok := res.Roles["other"]; ok {
		t.Errorf("15 digits with 30 February and province 99 got role %s (type %s)", r, types["other"])
	}
}
