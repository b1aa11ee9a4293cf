package expr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const hostileCol = `x"; DROP TABLE sales; --`

var testCols = []struct {
	name string
	kind Kind
}{
	{"id", Number}, {"Quantity", Number}, {"UnitPrice", Number}, {"amount", Number},
	{"email", Text}, {"city", Text}, {"Unit Price", Number}, {"order_date", Date},
	{"vip", Bool}, {hostileCol, Text},
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// resolve finds a column case-insensitively and quotes the table's spelling.
func resolve(name string) (Column, bool) {
	for _, c := range testCols {
		if strings.EqualFold(c.name, name) {
			return Column{quote(c.name), c.kind}, true
		}
	}
	return Column{}, false
}

func TestCompile(t *testing.T) {
	tests := map[string]struct {
		src  string
		sql  string
		args []any
	}{
		"product": {"Quantity * UnitPrice", `("Quantity" * "UnitPrice")`, nil},
		"round": {"round(amount / 1.2, 2)",
			`round(("amount" / CAST(? AS DOUBLE)), CAST(? AS INTEGER))`, []any{1.2, int64(2)}},
		"round by column": {"round(amount, Quantity)", `round("amount", CAST("Quantity" AS INTEGER))`, nil},
		"text":            {"lower(trim(email))", `lower(trim("email"))`, nil},
		"coalesce":        {"coalesce(city, 'unknown')", `coalesce("city", CAST(? AS VARCHAR))`, []any{"unknown"}},
		"quoted name":     {`"Unit Price" * 2`, `("Unit Price" * CAST(? AS BIGINT))`, []any{int64(2)}},
		"backticks":       {"`Unit Price` * 2", `("Unit Price" * CAST(? AS BIGINT))`, []any{int64(2)}},
		"year":            {"YEAR(order_date)", `year("order_date")`, nil},
		"precedence": {"1 + 2 * -3 - 4 % 5",
			`((CAST(? AS BIGINT) + (CAST(? AS BIGINT) * (-CAST(? AS BIGINT)))) - (CAST(? AS BIGINT) % CAST(? AS BIGINT)))`,
			[]any{int64(1), int64(2), int64(3), int64(4), int64(5)}},
		"logic": {"Quantity > 1 AND NOT vip OR city = 'x'",
			`((("Quantity" > CAST(? AS BIGINT)) AND (NOT "vip")) OR ("city" = CAST(? AS VARCHAR)))`, []any{int64(1), "x"}},
		"concat op": {"city || '-' || Quantity",
			`(("city" || CAST(? AS VARCHAR)) || CAST("Quantity" AS VARCHAR))`, []any{"-"}},
		"date literal": {"date_diff_days(order_date, '2011-12-31')",
			`date_diff('day', "order_date", CAST(? AS DATE))`, []any{"2011-12-31"}},
		"date compare": {"'2011-01-01' <= order_date", `(CAST(? AS DATE) <= "order_date")`, []any{"2011-01-01"}},
		"if": {"if(vip, 'yes', 'no')",
			`CASE WHEN "vip" THEN CAST(? AS VARCHAR) ELSE CAST(? AS VARCHAR) END`, []any{"yes", "no"}},
		"dash dash is minus minus, not a comment": {"Quantity -- 1",
			`("Quantity" - (-CAST(? AS BIGINT)))`, []any{int64(1)}},
		"ne":      {"Quantity <> 1.5", `("Quantity" <> CAST(? AS DOUBLE))`, []any{1.5}},
		"pow":     {"pow(2, 10)", `power(CAST(? AS BIGINT), CAST(? AS BIGINT))`, []any{int64(2), int64(10)}},
		"big int": {"99999999999999999999", `CAST(? AS DOUBLE)`, []any{1e20}},
		"bool":    {"TRUE AND vip", `(true AND "vip")`, nil},
		"unicode": {"lower('Zürich 中国')", `lower(CAST(? AS VARCHAR))`, []any{"Zürich 中国"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			sql, args, err := Compile(tt.src, resolve)
			if err != nil {
				t.Fatal(err)
			}
			if sql != tt.sql {
				t.Errorf("sql =\n%s\nwant\n%s", sql, tt.sql)
			}
			if !reflect.DeepEqual(args, tt.args) {
				t.Errorf("args = %#v, want %#v", args, tt.args)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := map[string]struct {
		src string
		pos int
		msg string
	}{
		"empty":            {" ", 1, "the expression is empty"},
		"dangling":         {"Quantity *", 11, "expected a value, column, function or '(' after '*' but found end of expression"},
		"unknown function": {"read_csv('/etc/passwd')", 1, `unknown function "read_csv"; allowed functions are abs, ceil, coalesce,`},
		"unknown column":   {"Quantity * nope", 12, `unknown column "nope"`},
		"arity":            {"round(1, 2, 3)", 1, "round takes 1 or 2 arguments, but got 3"},
		"arity fixed":      {"replace(city, 'a')", 1, "replace takes 3 arguments, but got 2"},
		"arity min":        {"least(1)", 1, "least takes at least 2 argument(s), but got 1"},
		"no args":          {"lower()", 1, "lower takes 1 argument, but got 0"},
		"text times":       {"city * 2", 6, "'*' needs a number, but the left side is text"},
		"date plus":        {"order_date + 1", 12, "use date_diff_days"},
		"minus text":       {"-city", 1, "'-' needs a number, but it is text"},
		"not number":       {"NOT Quantity", 1, "'NOT' needs true/false, but it is a number"},
		"compare":          {"city = 1", 6, "cannot compare text with a number"},
		"bad date":         {"year('2011-13-01')", 6, "must be written YYYY-MM-DD"},
		"arg kind":         {"lower(Quantity)", 7, "argument 1 of lower must be text, but it is a number"},
		"same kind":        {"coalesce(city, 0)", 16, "argument 2 is a number and argument 1 is text"},
		"if branches":      {"if(vip, 1, 'no')", 12, "argument 3 is text and argument 2 is a number"},
		"if cond":          {"if(Quantity, 1, 2)", 4, "argument 1 of if must be true/false"},
		"statement":        {"city; DROP TABLE sales", 5, "unexpected character ';'"},
		"comment":          {"city --", 8, "expected a value"},
		"block comment":    {"city /* x */", 7, "expected a value"},
		"from clause":      {"lower(city) FROM sales", 13, "expected an operator or the end of the expression but found 'FROM'"},
		"unclosed":         {"lower(city", 11, "expected ',' or ')' to close the arguments of lower at position 6"},
		"unclosed paren":   {"(1 + 2", 7, "expected ')' to close the '(' at position 1"},
		"stray paren":      {"1 + 2)", 6, "no matching '('"},
		"unclosed string":  {"'abc", 1, "no closing '"},
		"chained compare":  {"1 < 2 < 3", 7, "cannot be chained"},
		"pipe":             {"city | 'a'", 6, "did you mean '||'"},
		"quoted call":      {`"lower"(city)`, 8, "expected an operator"},
		"too deep":         {strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200), 101, "nests deeper than 100"},
		"too long":         {strings.Repeat("1+", 6000) + "1", 10001, "longer than 10000"},
		"bad utf8":         {"'\xff'", 1, "not valid UTF-8"},
		"dot number":       {"1.", 2, "unexpected character '.'"},
		"unicode position": {"'中国' *", 7, "after '*'"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := Compile(tt.src, resolve)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("err = %q, want position %d and %q", err, tt.pos, tt.msg)
			}
		})
	}
}
