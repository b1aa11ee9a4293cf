package bench

import (
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestCustomersCSV(t *testing.T) {
	t.Setenv("MB_BENCH_DIR", t.TempDir())
	path, err := CustomersCSV(2000)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2001 {
		t.Fatalf("got %d records, want header + 2000", len(recs))
	}
	for i, r := range recs {
		if len(r) != len(CustomersHeader) {
			t.Fatalf("record %d has %d fields, want %d: %q", i, len(r), len(CustomersHeader), r)
		}
	}

	// Same size, same bytes: written again from scratch elsewhere.
	t.Setenv("MB_BENCH_DIR", t.TempDir())
	again, err := CustomersCSV(2000)
	if err != nil {
		t.Fatal(err)
	}
	data2, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(data) != sha256.Sum256(data2) {
		t.Error("two generations of the same size differ")
	}
}

func TestOrders(t *testing.T) {
	t.Setenv("MB_BENCH_DIR", t.TempDir())
	path, err := OrdersCSV(20000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, customers, maxID, returns int64
	var minDate, maxDate string
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT customer_id), max(customer_id), count(*) FILTER (WHERE amount < 0),
		min(order_date)::VARCHAR, max(order_date)::VARCHAR FROM read_csv(?)`, path).
		Scan(&n, &customers, &maxID, &returns, &minDate, &maxDate); err != nil {
		t.Fatal(err)
	}
	if n != 20000 || maxID > 2000 || customers < 1800 || returns == 0 || returns > 1000 ||
		minDate < "2022-01-01" || maxDate > "2025-06-30" {
		t.Errorf("rows %d, customers %d (max id %d), returns %d, dates %s..%s", n, customers, maxID, returns, minDate, maxDate)
	}
	// The CSV is the same data as the SQL the benchmarks load into a project.
	var diff int64
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT * FROM read_csv(?) EXCEPT ALL `+OrdersSQL(20000, 2000)+`)`, path).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%d CSV rows differ from OrdersSQL", diff)
	}
}

func TestSize(t *testing.T) {
	for in, want := range map[string]int{"": 7, "1500": 1500, "200k": 200_000, "2M": 2_000_000} {
		t.Setenv("MB_TEST_SIZE", in)
		if got := Size("MB_TEST_SIZE", 7); got != want {
			t.Errorf("Size(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestLoad(t *testing.T) {
	l := StartLoad()
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	if o := l.Others(); o > 2*float64(runtime.NumCPU()) {
		t.Errorf("others use %.2f cores on a %d-CPU machine", o, runtime.NumCPU())
	}
}
