package expr

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one in-memory database, not one per connection
	for _, s := range []string{
		`CREATE TABLE sales (id INTEGER, Quantity INTEGER, UnitPrice DECIMAL(10,2), amount DOUBLE, email VARCHAR,
			city VARCHAR, "Unit Price" DOUBLE, order_date DATE, vip BOOLEAN, ` + quote(hostileCol) + ` VARCHAR)`,
		`INSERT INTO sales VALUES
			(1, 3, 2.50, 12.0, '  Bob@Example.COM ', 'London', 1.5, '2011-12-09', true, 'h1'),
			(2, 1, 10.00, 7.5, NULL, NULL, 2.0, '2011-01-01', false, 'h2')`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// eval compiles src and returns its value on each row as text ("NULL" for NULL).
func eval(t *testing.T, db *sql.DB, src string) []string {
	t.Helper()
	expr, args, err := Compile(src, resolve)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT CAST("+expr+" AS VARCHAR) FROM sales ORDER BY id", args...)
	if err != nil {
		t.Fatalf("%s %v: %v", expr, args, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if !s.Valid {
			s.String = "NULL"
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExecute(t *testing.T) {
	db := openDB(t)
	tests := map[string][]string{
		"Quantity * UnitPrice":                      {"7.50", "10.00"},
		"round(amount / 1.2, 2)":                    {"10.0", "6.25"},
		"round(amount / 1.2)":                       {"10.0", "6.0"},
		"round(amount, Quantity - 4)":               {"10.0", "0.0"},
		"lower(trim(email))":                        {"bob@example.com", "NULL"},
		"upper(city)":                               {"LONDON", "NULL"},
		"length(trim(email))":                       {"15", "NULL"},
		"coalesce(city, 'unknown')":                 {"London", "unknown"},
		`"Unit Price" * 2`:                          {"3.0", "4.0"},
		"Quantity * 1.5":                            {"4.5", "1.5"},
		"Quantity / 2":                              {"1.5", "0.5"},
		"Quantity % 2":                              {"1", "1"},
		"-Quantity + 1":                             {"-2", "0"},
		"year(order_date)":                          {"2011", "2011"},
		"month(order_date) * 100 + day(order_date)": {"1209", "101"},
		"dayofweek(order_date)":                     {"5", "6"},
		"date_diff_days(order_date, '2011-12-31')":  {"22", "364"},
		"order_date >= '2011-06-01'":                {"true", "false"},
		"if(vip, 'yes', 'no')":                      {"yes", "no"},
		"if(Quantity > 2 AND vip, 1, 0)":            {"1", "0"},
		"Quantity > 2 OR NOT vip":                   {"true", "true"},
		"substr(city, 2, 3)":                        {"ond", "NULL"},
		"substr(city, 4)":                           {"don", "NULL"},
		"replace(city, 'on', 'ON')":                 {"LONdON", "NULL"},
		"concat(city, '-', Quantity)":               {"London-3", "-1"},
		"city || '!'":                               {"London!", "NULL"},
		"greatest(Quantity, 2)":                     {"3", "2"},
		"least(order_date, '2011-06-01')":           {"2011-06-01", "2011-01-01"},
		"nullif(Quantity, 1)":                       {"3", "NULL"},
		"abs(-2.5) + floor(1.7) + ceil(1.2)":        {"5.5", "5.5"},
		"power(Quantity, 2) + sqrt(16)":             {"13.0", "5.0"},
		"round(ln(exp(1)) + log10(100), 3)":         {"3.0", "3.0"},
		"Quantity != 3":                             {"false", "true"},
	}
	for src, want := range tests {
		t.Run(src, func(t *testing.T) {
			if got := eval(t, db, src); !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %q, want %q", src, got, want)
			}
		})
	}
}

// Hostile text and names are values and quoted identifiers, never SQL; the
// table survives every attempt.
func TestInjection(t *testing.T) {
	db := openDB(t)
	ok := map[string][]string{
		`coalesce(city, 'x''); DROP TABLE sales; --')`:          {"London", "x'); DROP TABLE sales; --"},
		`city = ''' OR 1=1 --'`:                                 {"false", "NULL"},
		`"x""; DROP TABLE sales; --" || '''; DROP TABLE sales'`: {"h1'; DROP TABLE sales", "h2'; DROP TABLE sales"},
		"`x\"; DROP TABLE sales; --`":                           {"h1", "h2"},
		`lower('Robert''); DROP TABLE sales;--')`:               {"robert'); drop table sales;--", "robert'); drop table sales;--"},
	}
	for src, want := range ok {
		t.Run(src, func(t *testing.T) {
			expr, _, err := Compile(src, resolve)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(expr, "DROP TABLE sales;") && !strings.Contains(expr, quote(hostileCol)) {
				t.Errorf("value pasted into SQL: %s", expr)
			}
			if got := eval(t, db, src); !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %q, want %q", src, got, want)
			}
		})
	}
	for _, src := range []string{
		"city; DROP TABLE sales",
		"city) FROM sales; DROP TABLE sales; SELECT (1",
		"read_csv('/etc/passwd')",
		"getenv('HOME')",
		"query('DROP TABLE sales')",
		"lower(city) FROM sales",
		"city /* comment */",
		"\"city\" \"x\"",
		"1 UNION SELECT 2",
		"(SELECT 1)",
		"CAST(city AS INTEGER)",
		"city::INTEGER",
		"falſe", // folds to false, must not reach SQL as typed
	} {
		if expr, _, err := Compile(src, resolve); err == nil && src != "falſe" {
			t.Errorf("Compile(%q) accepted: %s", src, expr)
		} else if err == nil && expr != "false" {
			t.Errorf("Compile(%q) = %s, want false", src, expr)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sales").Scan(&n); err != nil || n != 2 {
		t.Fatalf("table after injection attempts: %d rows, %v", n, err)
	}
}
