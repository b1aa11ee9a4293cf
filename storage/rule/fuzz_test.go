package rule

import (
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"country = 'United Kingdom' AND (frequency >= 3 OR rfm_segment = 'Champions')",
		"a = 1 OR b = 2 AND NOT (c <> -2.5 OR d NOT IN ('x', 'y''z'))",
		"x BETWEEN 1 AND 5 AND y CONTAINS 'abc' AND z STARTS WITH 'ab'",
		"x IS EMPTY OR y IS NOT EMPTY OR d WITHIN LAST 30 DAYS",
		"d BEFORE '2011-01-01' AND d AFTER '2011-01-01' AND vip = TRUE",
		"\"Unit Price\" > 2 AND `a``b` = 'c' AND 国家 = '中国'",
		"((a = 1)", "a = ", "", "NOT NOT x = 1",
	} {
		f.Add(s)
	}
	// Kinds vary with the name so that Compile's type checks run too.
	resolve := func(name string) (Column, bool) {
		return Column{SQL: Quote(name), Kind: Kind(len(name) % 4)}, name != "unknown"
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, err := Parse(text)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error is %T, not *SyntaxError: %v", err, err)
			}
			return
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("Parse(%q) gave an invalid tree: %v", text, err)
		}
		s := n.String()
		back, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %v, its String %q does not parse: %v", text, dump(n), s, err)
		}
		if !reflect.DeepEqual(back, n) {
			t.Fatalf("round trip of %q via %q: %s != %s", text, s, dump(back), dump(n))
		}
		if s2 := back.String(); s2 != s {
			t.Fatalf("String not canonical: %q then %q", s, s2)
		}
		Compile(n, resolve, Options{Today: today})
	})
}
