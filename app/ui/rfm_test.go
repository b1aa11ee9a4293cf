package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// TestRFMEightTypesScheme: the Segments screen offers the eight customer
// types by mean and by median, and running them fills the summary with
// the Chinese type names, worked by hand.
func TestRFMEightTypesScheme(t *testing.T) {
	ws, err := core.Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	// As of 2024-04-01: A 1 day, 3 orders, 300; B 31 days, 1, 50; C 61 days,
	// 2, 20; D 91 days, 1, 10 (means 46, 1.75, 95; medians 46, 1.5, 35).
	if _, err := ws.Project.DB().Exec(`CREATE TABLE orders AS SELECT * FROM (VALUES
		(1, 'A', DATE '2024-01-01', 100.0), (2, 'A', DATE '2024-02-01', 100.0), (3, 'A', DATE '2024-03-31', 100.0),
		(4, 'B', DATE '2024-03-01', 50.0), (5, 'C', DATE '2024-01-01', 10.0), (6, 'C', DATE '2024-01-31', 10.0),
		(7, 'D', DATE '2024-01-01', 10.0)) t(order_id, customer_id, order_date, amount)`); err != nil {
		t.Fatal(err)
	}
	if err := ws.Project.SetRoles(context.Background(), "orders", map[string]storage.Role{"order_id": storage.OrderID,
		"customer_id": storage.CustomerID, "order_date": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	_, p := open(t, ws)
	p.goTo("Segments")
	idle(t, p)
	s := p.segments
	for label, want := range map[string][]string{
		"8 customer types, vs the mean":   {"重要价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"},
		"8 customer types, vs the median": {"重要价值客户", "重要发展客户", "一般保持客户", "一般挽留客户"},
	} {
		if !slices.Contains(s.schemeSel.Options, label) {
			t.Fatalf("schemes offered: %v", s.schemeSel.Options)
		}
		s.schemeSel.SetSelected(label)
		s.asOf.SetText("2024-04-01")
		test.Tap(s.runBtn)
		idle(t, p)
		note := map[bool]string{true: "frequency over 1.75 orders, monetary over 95 ", false: "frequency over 1.5 orders, monetary over 35 "}[strings.HasSuffix(label, "mean")]
		if !strings.HasPrefix(s.rfmInfo.Text, "Scored 4 customers") || !strings.Contains(s.rfmInfo.Text, label) || !strings.Contains(s.rfmInfo.Text, note) {
			t.Fatalf("%s: RFM info %q", label, s.rfmInfo.Text)
		}
		var got []string
		for _, r := range s.summary.rows {
			if r[1] == "rfm" {
				got = append(got, r[0])
			}
		}
		// The summary lists the types in scheme order.
		if !slices.Equal(got, want) {
			t.Errorf("%s: summary %v, want %v", label, got, want)
		}
	}
}
