package consent_test

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/consent"
	"github.com/marketbench/marketbench/storage/ingest"
)

// Whatever a consent file holds, every row becomes either one change or
// one bad row with its line, and nothing panics.
func FuzzFromRows(f *testing.F) {
	f.Add("customer_id,channel,granted,at,proof\nA1,email,yes,2026-11-03,form\n")
	f.Add("邮箱,同意\nann@example.com,不同意\n,\n")
	f.Add("email,sms_opt_in\n\"x,y\",1\nann@example.com,maybe\n")
	d := &consent.Directory{}
	f.Fuzz(func(t *testing.T, body string) {
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) == 0 {
			return
		}
		ch, bad, _, err := consent.FromRows(recs[0], recs[1:], d, consent.FileOptions{Source: "fuzz", Channel: storage.EmailConsent})
		if err != nil {
			return
		}
		if len(ch)+len(bad) != len(recs)-1 {
			t.Fatalf("%d rows became %d changes and %d bad rows", len(recs)-1, len(ch), len(bad))
		}
		for _, b := range bad {
			if b.Row < 2 || b.Row > len(recs) || b.Reason == "" {
				t.Fatalf("bad row %+v", b)
			}
		}
	})
}

// An Excel consent file is read as import reads it.
func TestConsentFromXLSX(t *testing.T) {
	p := newShop(t)
	x := excelize.NewFile()
	for i, row := range [][]any{{"phone", "短信同意", "时间"}, {"+44 20 7946 0019", "同意", "2026-11-05 08:00"}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			x.SetCellValue("Sheet1", cell, v)
		}
	}
	path := filepath.Join(t.TempDir(), "sms.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	header, rows, err := ingest.ReadRows(ctx, p, path, ingest.Options{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	d, err := consent.LoadDirectory(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	ch, bad, cols, err := consent.FromRows(header, rows, d, consent.FileOptions{Source: "shop signup sheet", Channel: storage.SMSConsent})
	if err != nil || len(bad) > 0 || len(ch) != 1 || ch[0].CustomerID != "B2" || !ch[0].Granted || ch[0].At.Day() != 5 || cols.KeyKind != consent.ByPhone {
		t.Fatalf("xlsx: %+v %+v %+v %v", ch, bad, cols, err)
	}
	if _, _, err := ingest.ReadRows(ctx, p, path, ingest.Options{}, 0); err == nil {
		t.Error("a file over the row limit was read")
	}
}
