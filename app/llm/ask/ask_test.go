package ask

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseReplies(t *testing.T) {
	cases := []struct{ in, sql, clarify string }{
		{"```sql\nSELECT 1;\n```", "SELECT 1", ""},
		{"Here is the query:\n\n```sql\nSELECT city FROM customers\n```\nIt lists cities.", "SELECT city FROM customers", ""},
		{"Sure! SELECT count(*) FROM orders;\n\nThis counts the orders.", "SELECT count(*) FROM orders", ""},
		{"```\nWITH a AS (SELECT 1 AS x) SELECT x FROM a\n```", "WITH a AS (SELECT 1 AS x) SELECT x FROM a", ""},
		{"```sql\nSELECT 1", "SELECT 1", ""},
		{"CLARIFY: Revenue or number of orders?", "", "Revenue or number of orders?"},
		{"**CLARIFY：** 您指的是销售额还是订单数？", "", "您指的是销售额还是订单数？"},
		{"```sql\nDROP TABLE customers;\n```", "DROP TABLE customers", ""},
		{"DELETE FROM orders", "DELETE FROM orders", ""},
		{"I cannot help with that.", "", ""},
		{"```sql\nSELECT 1; DROP TABLE x;\n```", "SELECT 1; DROP TABLE x", ""},
	}
	for _, c := range cases {
		got := Parse(c.in)
		if got.SQL != c.sql || got.Clarify != c.clarify {
			t.Errorf("Parse(%q) = %+v, want SQL %q clarify %q", c.in, got, c.sql, c.clarify)
		}
	}
}

func TestNumbersAndFacts(t *testing.T) {
	rows := [][]string{{"Dublin", "1234", "0.125"}, {"上海市", "45678.91", "0.5"}, {"2026-08-01", "12000", ""}}
	f := NewFacts("top 3 cities in 2025", rows, 3)
	for _, ok := range []string{"1,234 customers", "12.5%", "13%", "45,679", "45678.9", "1.2万", "50%", "in 2026", "top 3", "2025", "August 1"} {
		if bad := f.Check(ok); len(bad) != 0 {
			t.Errorf("%q: %v should be verified", ok, bad)
		}
	}
	for _, no := range []string{"1,300 customers", "17%", "45,000", "9"} {
		if bad := f.Check(no); len(bad) != 1 {
			t.Errorf("%q: got %v, want one unverified number", no, bad)
		}
	}
	// Codes are not claims.
	if ns := Numbers("customer C000123 bought SKU-9 in Q3"); len(ns) != 0 {
		t.Errorf("Numbers in codes: %+v", ns)
	}
	words := "Dublin has 1,234 customers and 999 orders."
	bad := f.Check(words)
	if !reflect.DeepEqual(bad, []string{"999"}) {
		t.Fatalf("unverified = %v", bad)
	}
	if got := Mark(words, bad, " [?]"); got != "Dublin has 1,234 customers and 999 [?] orders." {
		t.Errorf("Mark = %q", got)
	}
}

func TestPromptHasSchemaNotValues(t *testing.T) {
	s := Schema{Tables: []Table{{Name: "customers", Rows: 10, Columns: []Column{
		{Name: "email", Type: "VARCHAR", Role: "email", Personal: true},
		{Name: "city", Type: "VARCHAR", Role: "city", Top: []Count{{"Dublin", 4}}},
		{Name: "signup_date", Type: "DATE", Min: "2021-01-01", Max: "2026-11-30"},
	}}}}
	sys, user := Prompt(s, "多少客户？")
	for _, want := range []string{"customers (10 rows)", "email VARCHAR (role email; personal)", `"Dublin" 4`, "from 2021-01-01 to 2026-11-30", "Question: 多少客户？"} {
		if !strings.Contains(user, want) {
			t.Errorf("prompt lacks %q:\n%s", want, user)
		}
	}
	if !strings.Contains(sys, "CLARIFY:") || !strings.Contains(sys, "one SELECT") {
		t.Errorf("system prompt lacks the instructions:\n%s", sys)
	}
}
