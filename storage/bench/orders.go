package bench

import (
	"database/sql"
	"fmt"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
)

// OrdersSQL is a SELECT of rows generated orders (customer_id BIGINT,
// order_date DATE, amount DOUBLE) for about customers customers, computed
// from the row number alone with integer hashing, so it is the same on
// every run, machine and thread count. Customers are skewed (low ids buy
// more often), dates span 2022-01-01..2025-06-30, amounts are whole cents
// from 1.99 to 301.98, and about 2% of rows are returns (negative).
func OrdersSQL(rows, customers int) string {
	return fmt.Sprintf(`SELECT
	1 + CAST(floor(%[2]d * pow(((i * 2654435761) %% 4294967291) / 4294967291.0, 1.5)) AS BIGINT) AS customer_id,
	DATE '2022-01-01' + CAST((i * 2246822519) %% 4294967279 %% 1277 AS INTEGER) AS order_date,
	CASE WHEN (i * 668265263) %% 97 < 2 THEN -1 ELSE 1 END * ((i * 3266489917) %% 4294967291 %% 30000 + 199) / 100.0 AS amount
FROM range(1, %[1]d + 1) t(i)`, rows, customers)
}

// OrdersCSV writes OrdersSQL(rows, customers) to a cached CSV file, for a
// peer that cannot read a DuckDB project.
func OrdersCSV(rows, customers int) (string, error) {
	return cached(fmt.Sprintf("orders-v%d-%d-%d.csv", genVersion, rows, customers), func(path string) error {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Exec(fmt.Sprintf(`COPY (%s ORDER BY i) TO '%s' (FORMAT csv, HEADER)`, OrdersSQL(rows, customers), path))
		return err
	})
}
