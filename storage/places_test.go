package storage

import (
	"context"
	"testing"
)

func TestValidResidentID(t *testing.T) {
	for s, want := range map[string]bool{
		"11010519491231002X": true,  // the standard's own example
		"11010519491231002x": true,  // lower-case check character
		"110105194912310021": false, // wrong check digit
		"01010519491231002X": false, // no area starts with 0
		"1101051949123100":   false, // 16 digits
		"110105491231002":    true,  // 15 digits: Beijing, 1949-12-31
		"440305820820182":    true,
		"110105490230002":    false, // 30 February
		"110105000229002":    false, // 1900 was no leap year
		"110105960229002":    true,  // 1996 was
		"110105491331002":    false, // month 13
		"110105491200002":    false, // day 0
		"990105491231002":    false, // no province 99
		"710105491231002":    false, // Taiwan's 71 was never issued on mainland cards
		"11010549123100X":    false, // the old form is all digits
		"13812345678":        false,
		"":                   false,
	} {
		if got := ValidResidentID(s); got != want {
			t.Errorf("ValidResidentID(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValidResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105491231002", "990105491231002", "1234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidResidentID(s) && len(s) != 15 && len(s) != 18 {
			t.Fatalf("%q accepted", s)
		}
	})
}

func TestChinesePlaces(t *testing.T) {
	for in, want := range map[string]string{
		"广东": "广东省", "广东省": "广东省", " 广东省 ": "广东省", "广西": "广西壮族自治区", "广西壮族自治区": "广西壮族自治区",
		"广西省": "广西壮族自治区", "内蒙古": "内蒙古自治区", "新疆": "新疆维吾尔自治区", "北京": "北京市", "北京市": "北京市",
		"香港": "香港特别行政区", "吉林": "吉林省",
	} {
		if got, ok := ChineseProvince(in); !ok || got != want {
			t.Errorf("ChineseProvince(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"广州", "广", "省", "California", "东省", ""} {
		if got, ok := ChineseProvince(bad); ok {
			t.Errorf("ChineseProvince(%q) = %q", bad, got)
		}
	}
	for in, want := range map[string]string{"广州": "广州市", "广州市": "广州市", "乌鲁木齐": "乌鲁木齐市", "北京": "北京市", "吉林市": "吉林市"} {
		if got, ok := ChineseCity(in); !ok || got != want {
			t.Errorf("ChineseCity(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"广东", "市", "London", "广州市市区"} {
		if got, ok := ChineseCity(bad); ok {
			t.Errorf("ChineseCity(%q) = %q", bad, got)
		}
	}
}

// Provinces and cities are found from English and Chinese column names and,
// under a name that says nothing, from the values.
func TestRegionAndCityRoles(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE named AS SELECT * FROM (VALUES ('C1', '广东', '广州'), ('C2', 'x', 'y')) t(客户编号, 省份, 城市)`,
		`CREATE TABLE english AS SELECT * FROM (VALUES ('C1', 'California', 'San Jose', 1)) t(customer_id, State, City, region)`,
		`CREATE TABLE english2 AS SELECT * FROM (VALUES ('C1', 'Ontario', 'Toronto')) t(customer_id, province, town)`,
		`CREATE TABLE content AS SELECT * FROM (VALUES
			('C1', '广东', '广州市', '北京'), ('C2', '广东省', '深圳', '上海市'), ('C3', '广西壮族自治区', '桂林', '重庆'),
			('C4', '内蒙古', '包头市', '天津市'), ('C5', '浙江省', '杭州', '北京市')) t(id, a, b, c)`,
		`CREATE TABLE weak AS SELECT * FROM (VALUES ('广东', '红色'), ('某地', '蓝色'), ('火星', '绿色'), ('广州', '黑色')) t(x, y)`,
	} {
		if _, err := p.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for table, want := range map[string]map[string]Role{
		"named":    {"省份": Region, "城市": City},
		"english":  {"State": Region, "City": City, "region": None}, // a numeric "region" is a code
		"english2": {"province": Region, "town": City},
		"content":  {"a": Region, "b": City, "c": None}, // municipalities alone are regions, and a's is taken
		"weak":     {"x": None, "y": None},
	} {
		got, err := p.DetectRoles(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		for col, r := range want {
			if got[col] != r {
				t.Errorf("%s.%s: role %q, want %q (all: %v)", table, col, got[col], r, got)
			}
		}
	}
	for _, s := range []string{"region", "CITY", "Region"} {
		if _, err := ParseRole(s); err != nil {
			t.Errorf("ParseRole(%q): %v", s, err)
		}
	}
}
