package storage

import "strings"

// CSVField quotes s for a CSV file DuckDB reads back with quote and
// escape '"': the bulk writers pass values to DuckDB this way, which is
// far faster than parameterised inserts.
func CSVField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
