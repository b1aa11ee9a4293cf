package rule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var testCols = map[string]Column{
	"country":    {`"b"."Country"`, Text},
	"frequency":  {`"b"."Frequency"`, Number},
	"order_date": {`"o"."OrderDate"`, Date},
	"vip":        {`"b"."VIP"`, Bool},
	"unit price": {`"o"."Unit Price"`, Number},
}

func testResolve(name string) (Column, bool) {
	col, ok := testCols[strings.ToLower(name)]
	return col, ok
}

var today = time.Date(2011, 12, 9, 15, 4, 0, 0, time.UTC)

func TestCompile(t *testing.T) {
	tests := map[string]struct {
		rule  string
		where string
		args  []any
	}{
		"example": {
			"country = 'United Kingdom' AND (frequency >= 3 OR country = 'Champions')",
			`(lower("b"."Country") = lower(?) AND ("b"."Frequency" >= CAST(? AS DOUBLE) OR lower("b"."Country") = lower(?)))`,
			[]any{"United Kingdom", 3.0, "Champions"},
		},
		"ne is null-safe": {
			"country != 'UK'",
			`lower("b"."Country") IS DISTINCT FROM lower(?)`,
			[]any{"UK"},
		},
		"number between and in": {
			`frequency BETWEEN 1 AND 2.5 OR "Unit Price" IN (1, -2)`,
			`("b"."Frequency" BETWEEN CAST(? AS DOUBLE) AND CAST(? AS DOUBLE) OR "o"."Unit Price" IN (CAST(? AS DOUBLE), CAST(? AS DOUBLE)))`,
			[]any{1.0, 2.5, 1.0, -2.0},
		},
		"exact case keeps the column as it is": {
			"country = 'London' EXACT CASE OR country IN ('a', 'B') exact case OR country != 'x' EXACT CASE",
			`("b"."Country" = ? OR "b"."Country" IN (?, ?) OR "b"."Country" IS DISTINCT FROM ?)`,
			[]any{"London", "a", "B", "x"},
		},
		"exact contains and starts with": {
			"country CONTAINS 'Lon' EXACT CASE AND country STARTS WITH 'L' EXACT CASE",
			`(strpos("b"."Country", ?) > 0 AND starts_with("b"."Country", ?))`,
			[]any{"Lon", "L"},
		},
		"case does not touch numbers": {
			"frequency IN (1, 2) OR frequency = 3 EXACT CASE",
			`("b"."Frequency" IN (CAST(? AS DOUBLE), CAST(? AS DOUBLE)) OR "b"."Frequency" = CAST(? AS DOUBLE))`,
			[]any{1.0, 2.0, 3.0},
		},
		"contains": {
			"country CONTAINS '50%_off'",
			`strpos(lower("b"."Country"), lower(?)) > 0`,
			[]any{"50%_off"},
		},
		"starts with on a number": {
			"frequency STARTS WITH '1'",
			`starts_with(lower(CAST("b"."Frequency" AS VARCHAR)), lower(?))`,
			[]any{"1"},
		},
		"empty": {
			"country IS EMPTY OR frequency IS NOT EMPTY",
			`(("b"."Country" IS NULL OR trim("b"."Country") = '') OR ("b"."Frequency" IS NOT NULL AND trim(CAST("b"."Frequency" AS VARCHAR)) <> ''))`,
			nil,
		},
		"dates": {
			"order_date BEFORE '2011-01-01' AND order_date AFTER '2010-12-01' AND order_date WITHIN LAST 30 DAYS",
			`(CAST("o"."OrderDate" AS DATE) < CAST(? AS DATE) AND CAST("o"."OrderDate" AS DATE) > CAST(? AS DATE) AND ` +
				`CAST("o"."OrderDate" AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE))`,
			[]any{"2011-01-01", "2010-12-01", "2011-11-09", "2011-12-09"},
		},
		"bool": {
			"vip = true AND vip != 'no'",
			`("b"."VIP" = CAST(? AS BOOLEAN) AND "b"."VIP" IS DISTINCT FROM CAST(? AS BOOLEAN))`,
			[]any{true, false},
		},
		"not": {
			"NOT (country = 'UK' OR frequency > 1) AND country NOT IN ('FR')",
			`(NOT coalesce((lower("b"."Country") = lower(?) OR "b"."Frequency" > CAST(? AS DOUBLE)), false) AND NOT coalesce(lower("b"."Country") IN (lower(?)), false))`,
			[]any{"UK", 1.0, "FR"},
		},
		"case-insensitive names via resolver": {
			"COUNTRY = 'x'",
			`lower("b"."Country") = lower(?)`,
			[]any{"x"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			n, err := Parse(tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			where, args, err := Compile(n, testResolve, Options{Today: today})
			if err != nil {
				t.Fatal(err)
			}
			if where != tt.where {
				t.Errorf("where =\n%s\nwant\n%s", where, tt.where)
			}
			if !reflect.DeepEqual(args, tt.args) {
				t.Errorf("args = %#v, want %#v", args, tt.args)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	names := []string{"country", "frequency", "order_date", "vip", "Unit Price"}
	tests := map[string]struct {
		n   *Node
		err string
	}{
		"unknown column": {c("x", Eq, "1"),
			`unknown column "x"; known columns are country, frequency, order_date, vip, "Unit Price"`},
		"not a number": {c("frequency", Gt, "abc"),
			`frequency > 'abc': frequency is a number column, so 'abc' must be a number`},
		"nan": {c("frequency", Eq, "NaN"), "must be a number"},
		"bad date": {c("order_date", Before, "2011-13-01"),
			"order_date is a date column, so '2011-13-01' must be a date written YYYY-MM-DD"},
		"date in list": {c("order_date", In, "2011-01-01", "01/02/2011"), "must be a date"},
		"bad bool":     {c("vip", Eq, "maybe"), "must be true or false"},
		"order on text": {c("country", Gt, "M"),
			"'>' works on numbers and dates, but country is a text column"},
		"between on bool": {c("vip", Between, "0", "1"), "'BETWEEN' works on numbers and dates"},
		"before a number": {c("frequency", Before, "2011-01-01"), "'BEFORE' works on dates, but frequency is a number column"},
		"within on text":  {c("country", WithinDays, "3"), "'WITHIN LAST n DAYS' works on dates"},
		"empty group":     {and(c("country", Eq, "x"), or()), "empty OR group"},
		"nil":             {nil, "empty rule"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := Compile(tt.n, testResolve, Options{Today: today, Names: names})
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}
