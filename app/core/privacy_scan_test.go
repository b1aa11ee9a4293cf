package core

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/privacy"
)

// The scan through the workspace: the corpus's twelve personal columns,
// the look-alikes left out; an unknown table is refused in words.
func TestPrivacyScan(t *testing.T) {
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := ingest.Import(ctx, w.Project, "../../storage/privacy/testdata/pii_corpus.csv", ingest.Options{Table: "people"}); err != nil {
		t.Fatal(err)
	}
	rep, err := w.PrivacyScan(ctx, "people")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sample != 1000 {
		t.Errorf("sample %d rows", rep.Sample)
	}
	kinds := map[string]privacy.Kind{}
	for _, c := range rep.Tables[0].Columns {
		if len(c.Findings) != 1 {
			t.Errorf("%s: %+v", c.Column, c.Findings)
		}
		kinds[c.Column] = c.Findings[0].Kind
	}
	for col, k := range map[string]privacy.Kind{"customer_id": privacy.KindCustomerID, "full_name": privacy.KindName, "email": privacy.KindEmail,
		"contact": privacy.KindEmail, "c_phone": privacy.KindPhone, "id_no": privacy.KindNationalID, "card": privacy.KindCard, "iban": privacy.KindIBAN,
		"last_ip": privacy.KindIP, "birth_date": privacy.KindBirthDate, "address": privacy.KindAddress, "first_name": privacy.KindName} {
		if kinds[col] != k {
			t.Errorf("%s: %q, want %q", col, kinds[col], k)
		}
	}
	if len(kinds) != 12 {
		t.Errorf("reported %d columns: %v", len(kinds), kinds)
	}
	if _, err := w.PrivacyScan(ctx, "nope"); err == nil {
		t.Error("unknown table scanned")
	}
}
