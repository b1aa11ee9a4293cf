package core

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/journey"
)

// Rows a source plugin brings in (the csv-folder plugin picking up a new
// day's export) start a journey like imported rows do: only the new ones.
func TestJourneyNewRowsFromSourcePlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	// The csv-folder plugin joins the webhook in the test run's bundle.
	if _, err := host.Bundle("../../plugins", bundledWebhook(t), "csv-folder"); err != nil {
		t.Fatal(err)
	}
	w := journeyProject(t, 10)
	ctx := context.Background()
	if _, err := w.EnablePlugin(ctx, "marketbench.org/csv-folder"); err != nil {
		t.Fatal(err)
	}
	exports := t.TempDir()
	cfg := sdk.Config{"folder": exports}
	os.WriteFile(filepath.Join(exports, "day1.csv"), []byte("customer_id,signed_up\nC001,2026-10-01\nC002,2026-10-01\n"), 0o644)
	if _, err := w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "signups", nil); err != nil {
		t.Fatal(err)
	}
	// The table the source made has its roles detected, as an import's.
	if roles, err := w.ColumnRoles(ctx, "signups"); err != nil || roles["customer_id"] != storage.CustomerID {
		t.Fatalf("roles of the source's table: %v %v", roles, err)
	}
	j := &journey.Journey{Name: "Signed up", Table: "customers", Trigger: journey.Trigger{Kind: journey.NewRow, Table: "signups"},
		Steps: []journey.Step{{ID: "tag", Kind: journey.Update, Tag: "new"}}}
	t0 := time.Date(2026, 10, 2, 10, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, j, false, t0); err != nil {
		t.Fatal(err)
	}
	if rep := mustRun(t, w, t0); rep.Ticks[0].Entered != 0 {
		t.Fatalf("rows there before the journey started entered it: %d", rep.Ticks[0].Entered)
	}
	os.WriteFile(filepath.Join(exports, "day2.csv"), []byte("customer_id,signed_up\nC003,2026-10-02\nC004,2026-10-02\nC005,2026-10-02\n"), 0o644)
	if r, err := w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "signups", nil); err != nil || r.Rows != 3 {
		t.Fatalf("second import: %+v %v", r, err)
	}
	if rep := mustRun(t, w, t0.Add(time.Hour)); rep.Ticks[0].Entered != 3 {
		t.Fatalf("entered %d after the source brought 3 new rows", rep.Ticks[0].Entered)
	}
	if n, _ := w.CountRule(ctx, "customers", "tags CONTAINS 'new'"); n != 3 {
		t.Fatalf("%d tagged, want the 3 new sign-ups", n)
	}
}
