package core

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// A screen offers the CLI's defaults: the columns that name a person and
// the default quasi-identifiers are the ones an export with no --quasi
// drops and checks, for a table, a segment-like query and a query.
func TestPrivateColumnsMatchExportDefaults(t *testing.T) {
	ctx := context.Background()
	w := privacyShop(t)
	cols, err := w.PrivateColumns(ctx, "customers")
	if err != nil {
		t.Fatal(err)
	}
	var ids, quasi []string
	for _, c := range cols {
		if c.Identifier {
			ids = append(ids, c.Name)
		}
		if c.Quasi {
			quasi = append(quasi, c.Name)
		}
	}
	rep, err := w.ExportPrivate(ctx, "customers", filepath.Join(t.TempDir(), "a.csv"), PrivateExport{Anonymise: true, K: 2, Suppress: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != strings.Join(rep.Removed, ",") || strings.Join(quasi, ",") != strings.Join(rep.Quasi, ",") {
		t.Fatalf("columns say identifiers %v and quasi %v; the export removed %v and checked %v", ids, quasi, rep.Removed, rep.Quasi)
	}
	// A query's columns take the roles their names have in the tables.
	q, err := w.PrivateColumns(ctx, "sql:SELECT email, amount FROM orders")
	if err != nil || len(q) != 2 || !q[0].Identifier || q[1].Identifier || q[1].Quasi {
		t.Fatalf("query columns: %+v, %v", q, err)
	}
	if _, err := w.PrivateColumns(ctx, "sql:DELETE FROM orders"); err == nil {
		t.Fatal("a query that is not a SELECT was described")
	}
	if _, err := w.PrivateColumns(ctx, "nosuch"); err == nil {
		t.Fatal("a missing table was described")
	}
}

// A refusal carries its smallest groups, so the app can show them as a table.
func TestNotAnonymousCarriesClasses(t *testing.T) {
	w := privacyShop(t)
	_, err := w.ExportPrivate(context.Background(), "customers", filepath.Join(t.TempDir(), "a.csv"), PrivateExport{Anonymise: true, K: 3, Quasi: []string{"city", "age"}})
	var na *storage.NotAnonymousError
	if !errors.As(err, &na) || !errors.Is(err, storage.ErrNotAnonymous) {
		t.Fatalf("refusal: %v", err)
	}
	if na.Bad < 1 || na.Bad > na.All || len(na.Smallest) == 0 || na.Smallest[0].Rows != 1 || na.Smallest[0].Values["city"] != "Lhasa" {
		t.Fatalf("refusal: %+v", na)
	}
}
