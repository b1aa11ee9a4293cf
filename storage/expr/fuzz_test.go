package expr

import (
	"errors"
	"strings"
	"testing"
)

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"Quantity * UnitPrice", "round(amount / 1.2, 2)", "lower(trim(email))",
		"coalesce(city, 'unknown')", `"Unit Price" * 2`, "year(order_date)",
		"if(vip AND NOT Quantity >= 3, 'a' || city, concat(1, 'b'))",
		"date_diff_days(order_date, '2011-12-31') % -4", "least(order_date, '2011-01-01') <> order_date",
		"substr(`city`, 1, 2) != replace(email, 'a', 'b')", "((1", "'x''y", "foo(1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sql, args, err := Compile(src, resolve)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			return
		}
		// Every placeholder has an argument; nothing else can carry user text.
		if n := strings.Count(sql, "?"); n != len(args) {
			t.Fatalf("Compile(%q) = %s with %d args", src, sql, len(args))
		}
		if strings.ContainsAny(sql, ";'") && !strings.Contains(sql, "date_diff('day'") && !strings.Contains(sql, quote(hostileCol)) {
			t.Fatalf("Compile(%q) = %s: quote or semicolon in SQL", src, sql)
		}
	})
}
