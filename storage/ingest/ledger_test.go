package ingest

import (
	"strings"
	"testing"
)

// TestBadRowNamesFileLineColumn: a bad file fails with the file, the line,
// the column where there is one, and the reason in words; nothing is
// imported.
func TestBadRowNamesFileLineColumn(t *testing.T) {
	p := newProject(t)
	_, err := Import(ctx, p, write(t, "r.csv", []byte("id,name,city\n1,Ann,Leeds\n2,Bob\n")), Options{})
	const want = `r.csv, line 3, column "city": this row has 2 fields where the header has 3`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want it to start with %q", err, want)
	}
	if ok, _ := p.TableExists(ctx, "r"); ok {
		t.Fatal("a failed import left a table")
	}
}
