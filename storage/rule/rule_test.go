package rule

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func c(col string, op Op, vals ...string) *Node { return &Node{Column: col, Op: op, Values: vals} }
func and(ch ...*Node) *Node                     { return &Node{Logic: And, Children: ch} }
func or(ch ...*Node) *Node                      { return &Node{Logic: Or, Children: ch} }
func not(n *Node) *Node                         { n.Not = !n.Not; return n }

func TestParse(t *testing.T) {
	tests := map[string]struct {
		in   string
		want *Node
		text string // canonical form; "" means same as in
	}{
		"example": {
			in:   "country = 'United Kingdom' AND (frequency >= 3 OR rfm_segment = 'Champions')",
			want: and(c("country", Eq, "United Kingdom"), or(c("frequency", Ge, "3"), c("rfm_segment", Eq, "Champions"))),
		},
		"and binds tighter": {
			in:   "a = 1 OR b = 2 AND c = 3 OR d = 4",
			want: or(c("a", Eq, "1"), and(c("b", Eq, "2"), c("c", Eq, "3")), c("d", Eq, "4")),
			text: "a = 1 OR (b = 2 AND c = 3) OR d = 4",
		},
		"flat chain": {
			in:   "a = 1 and b = 2 AND c = 3",
			want: and(c("a", Eq, "1"), c("b", Eq, "2"), c("c", Eq, "3")),
			text: "a = 1 AND b = 2 AND c = 3",
		},
		"parens keep nesting": {
			in:   "a = 1 AND (b = 2 AND c = 3)",
			want: and(c("a", Eq, "1"), and(c("b", Eq, "2"), c("c", Eq, "3"))),
		},
		"redundant parens": {
			in:   "((a = 1))",
			want: c("a", Eq, "1"),
			text: "a = 1",
		},
		"all operators": {
			in: `a != 'x' AND b <> -2.5 AND c < 1 AND d <= 2 AND e > 3 AND f >= 4 AND g BETWEEN 1 AND 5 AND ` +
				`h IN ('a', 'b''c') AND i CONTAINS 'abc' AND j STARTS WITH 'ab' AND k IS EMPTY AND l IS NOT EMPTY AND ` +
				`m WITHIN LAST 30 DAYS AND n BEFORE '2011-01-01' AND o AFTER '2011-01-01'`,
			want: and(c("a", Ne, "x"), c("b", Ne, "-2.5"), c("c", Lt, "1"), c("d", Le, "2"), c("e", Gt, "3"),
				c("f", Ge, "4"), c("g", Between, "1", "5"), c("h", In, "a", "b'c"), c("i", Contains, "abc"),
				c("j", StartsWith, "ab"), c("k", IsEmpty), c("l", NotEmpty), c("m", WithinDays, "30"),
				c("n", Before, "2011-01-01"), c("o", After, "2011-01-01")),
			text: `a != 'x' AND b != -2.5 AND c < 1 AND d <= 2 AND e > 3 AND f >= 4 AND g BETWEEN 1 AND 5 AND ` +
				`h IN ('a', 'b''c') AND i CONTAINS 'abc' AND j STARTS WITH 'ab' AND k IS EMPTY AND l IS NOT EMPTY AND ` +
				`m WITHIN LAST 30 DAYS AND n BEFORE '2011-01-01' AND o AFTER '2011-01-01'`,
		},
		"keywords any case": {
			in:   "x between 1 and 2 Or y Is Not Empty or z within last 1 day",
			want: or(c("x", Between, "1", "2"), c("y", NotEmpty), c("z", WithinDays, "1")),
			text: "x BETWEEN 1 AND 2 OR y IS NOT EMPTY OR z WITHIN LAST 1 DAYS",
		},
		"quoted names": {
			in:   "\"Unit Price\" > 2 AND `Order Date` BEFORE '2011-01-01' AND \"a\"\"b\" = 1 AND \"and\" = 1",
			want: and(c("Unit Price", Gt, "2"), c("Order Date", Before, "2011-01-01"), c(`a"b`, Eq, "1"), c("and", Eq, "1")),
			text: `"Unit Price" > 2 AND "Order Date" BEFORE '2011-01-01' AND "a""b" = 1 AND "and" = 1`,
		},
		"unicode names": {
			in:   "国家 = '中国' AND ville_é = 'Zürich'",
			want: and(c("国家", Eq, "中国"), c("ville_é", Eq, "Zürich")),
		},
		"not": {
			in:   "NOT (a = 1 OR b = 2) AND NOT c = 3 AND d NOT IN (1, 2) AND NOT NOT e = 1",
			want: and(not(or(c("a", Eq, "1"), c("b", Eq, "2"))), not(c("c", Eq, "3")), not(c("d", In, "1", "2")), c("e", Eq, "1")),
			text: "NOT (a = 1 OR b = 2) AND NOT c = 3 AND d NOT IN (1, 2) AND e = 1",
		},
		"booleans and quoted numbers": {
			in:   "vip = TRUE AND n = '3'",
			want: and(c("vip", Eq, "true"), c("n", Eq, "3")),
			text: "vip = true AND n = 3",
		},
		"keyword-named column bare": {
			in:   "day = 1",
			want: c("day", Eq, "1"),
			text: `"day" = 1`,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse = %s, want %s", dump(got), dump(tt.want))
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			want := tt.text
			if want == "" {
				want = tt.in
			}
			if s := got.String(); s != want {
				t.Errorf("String =\n%s\nwant\n%s", s, want)
			}
			back, err := Parse(got.String())
			if err != nil || !reflect.DeepEqual(back, got) {
				t.Errorf("round trip: %s, %v", dump(back), err)
			}
		})
	}
}

func dump(n *Node) string { b, _ := json.Marshal(n); return string(b) }

func TestParseErrors(t *testing.T) {
	tests := map[string]struct {
		in  string
		pos int
		msg string
	}{
		"no value":        {"country = ", 11, "expected a value after '=' but found end of rule"},
		"empty":           {"  ", 1, "the rule is empty"},
		"no operator":     {"country 'UK'", 9, "expected an operator after country"},
		"unclosed string": {"a = 'abc", 5, "has no closing '"},
		"unclosed paren":  {"(a = 1 OR b = 2", 16, "expected ')' to close the '(' at position 1 but found end of rule"},
		"stray paren":     {"a = 1)", 6, "this ')' has no matching '('"},
		"empty group":     {"a = 1 AND ()", 11, "empty group"},
		"dangling and":    {"a = 1 AND", 10, "expected a condition"},
		"double or":       {"a = 1 OR OR b = 2", 10, "found 'OR'"},
		"between no and":  {"x BETWEEN 1 5", 13, "expected 'AND' but found the number 5"},
		"in no paren":     {"x IN 'a'", 6, "expected '(' but found the text 'a'"},
		"in no comma":     {"x IN ('a' 'b')", 11, "expected ',' or ')'"},
		"in empty":        {"x IN ()", 7, "expected a value after 'IN' but found ')'"},
		"is what":         {"x IS NULL", 6, "expected EMPTY or NOT EMPTY"},
		"within fraction": {"d WITHIN LAST 1.5 DAYS", 15, "whole number of days"},
		"within no days":  {"d WITHIN LAST 3", 16, "expected DAYS"},
		"bad char":        {"a = 1 ; drop", 7, "unexpected character ';'"},
		"bang":            {"a ! 1", 3, "did you mean '!='"},
		"not what":        {"a NOT = 1", 7, "expected IN, BETWEEN"},
		"unicode pos":     {"国家 = ", 6, "expected a value"},
		"empty name":      {`"" = 1`, 1, "empty column name"},
		"trailing":        {"a = 1 b = 2", 7, "expected AND, OR or the end of the rule but found 'b'"},
		"too deep":        {strings.Repeat("(", 101) + "a = 1" + strings.Repeat(")", 101), 101, "deeper than 100"},
		"bad utf8":        {"a = '\xff'", 1, "not valid UTF-8"},
		"value not name":  {"a = b", 5, "expected a value after '=' but found 'b'"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a SyntaxError", err)
			}
			if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("err = %q, want position %d and %q", err, tt.pos, tt.msg)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := map[string]struct {
		n   *Node
		err string
	}{
		"ok":            {and(c("a", Eq, "1"), or(c("b", IsEmpty))), ""},
		"nil":           {nil, "empty rule"},
		"empty group":   {and(c("a", Eq, "1"), or()), "empty OR group"},
		"bad logic":     {&Node{Logic: "xor", Children: []*Node{c("a", Eq, "1")}}, "group logic"},
		"no column":     {c("", Eq, "1"), "no column"},
		"bad op":        {c("a", "~", "1"), `unknown operator "~"`},
		"arity":         {c("a", Between, "1"), "needs 2 value(s), got 1"},
		"in empty":      {c("a", In), "at least one value"},
		"empty extra":   {c("a", IsEmpty, "x"), "needs 0 value(s)"},
		"within":        {c("a", WithinDays, "-1"), "whole number of days"},
		"group and col": {&Node{Logic: And, Column: "a", Children: []*Node{c("a", Eq, "1")}}, "cannot also be a condition"},
		"cond children": {&Node{Column: "a", Op: Eq, Values: []string{"1"}, Children: []*Node{c("a", Eq, "1")}}, "no group logic"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := tt.n.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	n := and(c("country", Eq, "UK"), not(or(c("f", Ge, "3"), c("d", IsEmpty))))
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"logic":"and","children":[{"column":"country","op":"=","values":["UK"],"exact":false},` +
		`{"logic":"or","children":[{"column":"f","op":"\u003e=","values":["3"]},{"column":"d","op":"is empty"}],"not":true}]}`
	if string(b) != want {
		t.Errorf("json =\n%s\nwant\n%s", b, want)
	}
	var back Node
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, n) {
		t.Errorf("unmarshal = %s, %v", dump(&back), err)
	}
}

// A tree built by the GUI, e.g. a one-child group, still prints as text
// that parses and means the same.
func TestStringOfGUITree(t *testing.T) {
	n := and(or(c("a b", Contains, "it's")), c("x", In, "1", "two"))
	const want = `("a b" CONTAINS 'it''s') AND x IN (1, 'two')`
	if s := n.String(); s != want {
		t.Fatalf("String = %s, want %s", s, want)
	}
	if _, err := Parse(n.String()); err != nil {
		t.Fatal(err)
	}
}

// Text round-trips EXACT CASE, and it is refused where case cannot matter.
func TestExactCaseText(t *testing.T) {
	for text, want := range map[string]*Node{
		"city = 'London' EXACT CASE":        {Column: "city", Op: Eq, Values: []string{"London"}, Exact: true},
		"city NOT IN ('a', 'B') exact case": {Column: "city", Op: In, Values: []string{"a", "B"}, Exact: true, Not: true},
		"NOT city CONTAINS 'x' EXACT CASE":  {Column: "city", Op: Contains, Values: []string{"x"}, Exact: true, Not: true},
		"city STARTS WITH 'Mc' EXACT CASE":  {Column: "city", Op: StartsWith, Values: []string{"Mc"}, Exact: true},
		"city != 'Paris' EXACT CASE":        {Column: "city", Op: Ne, Values: []string{"Paris"}, Exact: true},
		"city = 'london'":                   {Column: "city", Op: Eq, Values: []string{"london"}},
		`"case" = 'x' AND exact = 'y' EXACT CASE`: {Logic: And, Children: []*Node{
			{Column: "case", Op: Eq, Values: []string{"x"}}, {Column: "exact", Op: Eq, Values: []string{"y"}, Exact: true}}},
	} {
		n, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if !reflect.DeepEqual(n, want) {
			t.Errorf("%s: parsed %s", text, dump(n))
		}
		back, err := Parse(n.String())
		if err != nil || !reflect.DeepEqual(back, n) {
			t.Errorf("%s: String %q does not read back (%v)", text, n.String(), err)
		}
	}
	for _, text := range []string{"n > 3 EXACT CASE", "d IS EMPTY EXACT CASE", "city = 'x' EXACT", "city = 'x' CASE"} {
		if _, err := Parse(text); err == nil {
			t.Errorf("%s: no error", text)
		}
	}
	if err := (&Node{Column: "n", Op: Gt, Values: []string{"1"}, Exact: true}).Validate(); err == nil {
		t.Error("Validate accepted EXACT CASE on >")
	}
}

// Rules stored before case was ignored keep their meaning: their = != IN
// on values with letters read as EXACT CASE; new rules say which they are.
func TestJSONBeforeCaseFolding(t *testing.T) {
	old := `{"logic":"and","children":[{"column":"country","op":"=","values":["France"]},` +
		`{"column":"f","op":"in","values":["1","2"]},{"column":"vip","op":"=","values":["true"]},` +
		`{"column":"name","op":"contains","values":["Mc"]},{"column":"city","op":"!=","values":["paris"]}]}`
	var n Node
	if err := json.Unmarshal([]byte(old), &n); err != nil {
		t.Fatal(err)
	}
	const want = "country = 'France' EXACT CASE AND f IN (1, 2) AND vip = true AND name CONTAINS 'Mc' AND city != 'paris' EXACT CASE"
	if got := n.String(); got != want {
		t.Fatalf("old rule reads\n%s\nwant\n%s", got, want)
	}
	b, err := json.Marshal(&n)
	if err != nil {
		t.Fatal(err)
	}
	var again Node
	if err := json.Unmarshal(b, &again); err != nil || again.String() != want {
		t.Fatalf("saved again: %s → %q (%v)", b, again.String(), err)
	}
	var fresh Node
	if err := json.Unmarshal([]byte(mustJSON(t, mustParse(t, "city = 'London'"))), &fresh); err != nil || fresh.Exact {
		t.Fatalf("a new case-insensitive rule came back exact: %+v (%v)", fresh, err)
	}
}

func mustJSON(t *testing.T, n *Node) string {
	t.Helper()
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
