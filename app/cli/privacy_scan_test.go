package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// privacy scan on the discovery corpus: the JSON lists the twelve personal
// columns with their kinds and reasons and none of the look-alikes; the
// table is readable in Chinese; an unknown table and a zero sample are
// refused.
func TestPrivacyScanCommand(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "p.mbproj")
	ok(t, "init", proj)
	ok(t, "-p", proj, "import", "../../storage/privacy/testdata/pii_corpus.csv", "--table", "people")
	var rep struct {
		Sample int `json:"sample"`
		Tables []struct {
			Table   string `json:"table"`
			Rows    int64  `json:"rows"`
			Columns []struct {
				Column   string `json:"column"`
				Findings []struct {
					Kind          string   `json:"kind"`
					Reasons       []string `json:"reasons"`
					EstimatedRows int64    `json:"estimated_rows"`
				} `json:"findings"`
			} `json:"columns"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "privacy", "scan", "people", "--sample", "25")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Sample != 25 || len(rep.Tables) != 1 || rep.Tables[0].Rows != 40 {
		t.Fatalf("%+v", rep)
	}
	got := map[string]string{}
	for _, c := range rep.Tables[0].Columns {
		for _, f := range c.Findings {
			got[c.Column] += f.Kind + "(" + strings.Join(f.Reasons, ",") + ")"
			if f.EstimatedRows != 40 {
				t.Errorf("%s: %d rows", c.Column, f.EstimatedRows)
			}
		}
	}
	want := map[string]string{"card": "payment_card(content)", "iban": "iban(content)", "last_ip": "ip_address(content)", "contact": "email(content)",
		"birth_date": "date_of_birth(content,name)", "address": "postal_address(content,name)"}
	for col, w := range want {
		if got[col] != w {
			t.Errorf("%s: %q, want %q", col, got[col], w)
		}
	}
	for _, col := range []string{"order_no", "product_code", "price", "order_date", "version", "ref18", "note", "quantity"} {
		if got[col] != "" {
			t.Errorf("look-alike %s reported: %s", col, got[col])
		}
	}
	if len(got) != 12 {
		t.Errorf("%d columns reported: %v", len(got), got)
	}
	zh := ok(t, "-p", proj, "--lang", "zh-Hans", "privacy", "scan")
	for _, s := range []string{"居民身份证号码", "银行卡号", "出生日期", "邮寄地址", "取值、列名"} {
		if !strings.Contains(zh, s) {
			t.Errorf("Chinese table lacks %q:\n%s", s, zh)
		}
	}
	fails(t, "no table named", "-p", proj, "privacy", "scan", "nope")
	fails(t, "--sample must be at least 1", "-p", proj, "privacy", "scan", "--sample", "0")
}
