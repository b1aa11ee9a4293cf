package rule

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

const hostileCol = `x"; DROP TABLE customers; --`

var dbCols = []struct {
	name string
	kind Kind
}{
	{"id", Number}, {"country", Text}, {"frequency", Number}, {"spend", Number},
	{"order_date", Date}, {"seen", Date}, {"vip", Bool}, {"Unit Price", Number}, {hostileCol, Text},
}

// dbResolve quotes the table's own spelling of a name, as the app will.
func dbResolve(name string) (Column, bool) {
	for _, c := range dbCols {
		if strings.EqualFold(c.name, name) {
			return Column{SQL: Quote(c.name), Kind: c.kind}, true
		}
	}
	return Column{}, false
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one in-memory database, not one per connection
	stmts := []string{
		`CREATE TABLE customers (id INTEGER, country VARCHAR, frequency INTEGER, spend DECIMAL(10,2),
			order_date DATE, seen TIMESTAMP, vip BOOLEAN, "Unit Price" DOUBLE, ` + Quote(hostileCol) + ` VARCHAR)`,
		`INSERT INTO customers VALUES
			(1, 'United Kingdom', 5, 100.50, '2011-12-01', '2011-12-09 23:59:00', true, 2.5, 'a'),
			(2, 'France', 1, 20, '2011-01-01', '2011-01-01 00:00:00', false, 1.0, 'b'),
			(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
			(4, '  ', 3, 30, '2011-11-09', '2011-11-08 12:00:00', true, 3.4, ''),
			(5, 'x''; DROP TABLE customers; --', 2, 5, '2011-12-10', NULL, false, -1, 'c'),
			(6, 'united states', 2, 7.25, '2010-06-30', '2010-06-30 08:00:00', NULL, 0, 'a'),
			(7, '50%_off', 4, 0, '2011-11-08', NULL, true, 10, 'd')`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// selectIDs runs a rule against the customers table.
func selectIDs(t *testing.T, db *sql.DB, n *Node) []int {
	t.Helper()
	where, args, err := Compile(n, dbResolve, Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT id FROM customers WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		t.Fatalf("%s %v: %v", where, args, err)
	}
	defer rows.Close()
	ids := []int{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestExecute(t *testing.T) {
	db := openDB(t)
	tests := map[string][]int{
		"country = 'France'":                         {2},
		"country = 'france'":                         {2},
		"country = 'FRANCE' EXACT CASE":              {},
		"country = 'France' EXACT CASE":              {2},
		"country IN ('FRANCE', 'United States')":     {2, 6},
		"country IN ('france') EXACT CASE":           {},
		"country != 'FRANCE'":                        {1, 3, 4, 5, 6, 7},
		"country != 'FRANCE' EXACT CASE":             {1, 2, 3, 4, 5, 6, 7},
		"country CONTAINS 'UNITED' EXACT CASE":       {},
		"country STARTS WITH 'United' EXACT CASE":    {1},
		"country != 'France'":                        {1, 3, 4, 5, 6, 7},
		"frequency = 2":                              {5, 6},
		"frequency != 2":                             {1, 2, 3, 4, 7},
		"frequency = 2.5":                            {},
		"frequency < 2.5":                            {2, 5, 6},
		"frequency <= 2":                             {2, 5, 6},
		"frequency > 3":                              {1, 7},
		"frequency >= 3":                             {1, 4, 7},
		"spend > 100.25":                             {1},
		"spend BETWEEN 5 AND 20":                     {2, 5, 6},
		"\"Unit Price\" < 0":                         {5},
		"frequency IN (1, 4)":                        {2, 7},
		"country IN ('France', 'United Kingdom')":    {1, 2},
		"country CONTAINS 'UNITED'":                  {1, 6},
		"country CONTAINS '%'":                       {7},
		"country CONTAINS '_'":                       {7},
		"country STARTS WITH 'united'":               {1, 6},
		"country STARTS WITH '%'":                    {},
		"country IS EMPTY":                           {3, 4},
		"country IS NOT EMPTY":                       {1, 2, 5, 6, 7},
		"spend IS EMPTY":                             {3},
		"order_date WITHIN LAST 30 DAYS":             {1, 4},
		"seen WITHIN LAST 30 DAYS":                   {1},
		"order_date WITHIN LAST 0 DAYS":              {},
		"order_date BEFORE '2011-01-01'":             {6},
		"order_date AFTER '2011-11-30'":              {1, 5},
		"order_date = '2011-12-01'":                  {1},
		"seen = '2011-12-09'":                        {1},
		"seen BETWEEN '2011-01-01' AND '2011-11-08'": {2, 4},
		"vip = true":                                 {1, 4, 7},
		"vip != true":                                {2, 3, 5, 6},
		"vip IS EMPTY":                               {3, 6},
		"NOT country = 'France'":                     {1, 3, 4, 5, 6, 7},
		"country NOT IN ('France', 'united states')": {1, 3, 4, 5, 7},
		"NOT (frequency > 2 OR vip = true)":          {2, 3, 5, 6},
		"frequency >= 2 AND (vip = true OR country CONTAINS 'states') OR id = 2": {1, 2, 4, 6, 7},
	}
	for text, want := range tests {
		t.Run(text, func(t *testing.T) {
			n, err := Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			if got := selectIDs(t, db, n); !reflect.DeepEqual(got, want) {
				t.Errorf("ids = %v, want %v", got, want)
			}
		})
	}
}

// Hostile values and names are matched literally and never reach the SQL
// text; the table survives.
func TestInjection(t *testing.T) {
	db := openDB(t)
	drop := "x'; DROP TABLE customers; --"
	tests := map[string]struct {
		n    *Node
		want []int
	}{
		"text value":     {c("country", Eq, drop), []int{5}},
		"quote breakout": {c("country", Eq, "' OR 1=1 --"), []int{}},
		"contains":       {c("country", Contains, "'); DROP TABLE customers; --"), []int{}},
		"in list":        {c("country", In, "France", "') OR ('1'='1"), []int{2}},
		"number":         {c("frequency", Eq, "1 OR 1=1"), nil}, // refused: not a number
		"date":           {c("order_date", Before, "2011-01-01' OR '1'='1"), nil},
		"hostile column": {c(hostileCol, Eq, "a"), []int{1, 6}},
		"parsed text":    {mustParse(t, `"x""; DROP TABLE customers; --" = 'x''; DROP TABLE customers; --' OR country = 'x''; DROP TABLE customers; --'`), []int{5}},
		"backticked":     {mustParse(t, "`x\"; DROP TABLE customers; --` IS EMPTY"), []int{3, 4}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			where, _, err := Compile(tt.n, dbResolve, Options{Today: today})
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Compile accepted a hostile value: %s", where)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range tt.n.Values {
				if strings.Contains(where, v) {
					t.Errorf("value %q pasted into SQL: %s", v, where)
				}
			}
			if got := selectIDs(t, db, tt.n); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
	var count int
	if err := db.QueryRow("SELECT count(*) FROM customers").Scan(&count); err != nil || count != 7 {
		t.Fatalf("table after injection attempts: count %d, %v", count, err)
	}
}

func mustParse(t *testing.T, s string) *Node {
	t.Helper()
	n, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Quote quotes a column name as a DuckDB identifier, for building a Resolver.
func Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
