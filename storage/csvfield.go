package storage

import (
	"bufio"
	"os"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// CSVField quotes s for a CSV file DuckDB reads back with quote and
// escape '"': the bulk writers pass values to DuckDB this way, which is
// far faster than parameterised inserts. Empty text and text with edge
// spaces are quoted too, so they come back as written, not as NULL or
// trimmed.
func CSVField(s string) string {
	if s == "" || strings.ContainsAny(s, ",\"\n\r") || strings.TrimSpace(s) != s {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// TempCSV writes a temporary file through fill and returns its path; the
// caller removes it.
func TempCSV(fill func(w *bufio.Writer)) (string, error) {
	f, err := os.CreateTemp("", "mb-bulk-*.csv")
	if err != nil {
		return "", i18n.Errorf("cannot write a temporary file: %v", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fill(w)
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", i18n.Errorf("cannot write a temporary file: %v", err)
	}
	return f.Name(), nil
}
