package segwords

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in, rule string
		unmapped []string
		none     bool
		bad      bool
	}{
		{"RULE: city = 'Paris'\nUNMAPPED: none", "city = 'Paris'", nil, false, false},
		{"Here is the rule:\n```\nRULE: monetary > 500 AND city = 'London';\nUNMAPPED: loyal, happy\n```", "monetary > 500 AND city = 'London'", []string{"loyal", "happy"}, false, false},
		{"**RULE:** `frequency >= 3`", "frequency >= 3", nil, false, false},
		{"规则：city = '北京市'\n未映射：忠诚、开心", "city = '北京市'", []string{"忠诚", "开心"}, false, false},
		{"country = 'France'", "country = 'France'", nil, false, false},
		{"RULE:\ncity = 'Paris' AND\nmonetary > 5", "city = 'Paris' AND monetary > 5", nil, false, false},
		{"RULE: none\nUNMAPPED: happy", "", []string{"happy"}, true, false},
		{"I cannot help with that.\nPlease ask again.", "", nil, false, true},
		{"", "", nil, false, true},
	} {
		r, err := Parse(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if c.bad {
			continue
		}
		if r.Rule != c.rule || r.None != c.none || strings.Join(r.Unmapped, "|") != strings.Join(c.unmapped, "|") {
			t.Errorf("%q: got %+v", c.in, r)
		}
	}
}

func TestPrompt(t *testing.T) {
	p := Prompt("customers", []Field{
		{Name: "city", Kind: "text", Role: "city", Values: []string{"Paris"}, More: 74},
		{Name: "email", Kind: "text", Role: "email", Personal: true},
		{Name: "rfm_segment", Kind: "text", About: "RFM segment", Values: []string{"Champions", "Can't Lose Them"}},
		{Name: "order date", Kind: "date"},
	}, "Champions in Paris", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	for _, want := range []string{"Today is 2026-12-06", `- city (text, role city); values that match the description: 'Paris' (and 74 others)`,
		"- email (text, role email); personal data, values not shown", `'Can''t Lose Them'`, `- "order date" (date)`, "Description: Champions in Paris"} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks %q:\n%s", want, p)
		}
	}
}

func TestMentioned(t *testing.T) {
	for _, c := range []struct {
		words, value string
		want         bool
	}{
		{"customers in paris", "Paris", true},
		{"北京的客户", "北京市", true},
		{"广东的客户", "广东省", true},
		{"上海的客户", "北京市", false},
		{"customers in London", "New York", false},
		{"anyone", "", false},
	} {
		if got := Mentioned(c.words, c.value); got != c.want {
			t.Errorf("Mentioned(%q, %q) = %v", c.words, c.value, got)
		}
	}
}
