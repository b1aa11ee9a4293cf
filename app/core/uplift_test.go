package core

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// hillstromWorkspace imports the MineThatData experiment and gives each
// row a customer id, as a user's own experiment table would have.
func hillstromWorkspace(t *testing.T) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "hillstrom"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.Import(ctx, "../../testdata/real/hillstrom.csv.gz", ingest.Options{Table: "raw"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE experiment AS SELECT 'h' || row_number() OVER () AS customer_id, * FROM raw`); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "experiment", map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	return w
}

var hillstromFeatures = []string{"recency", "history", "mens", "womens", "newbie", "zip_code", "channel"}

// TestUpliftHillstrom trains through the project as a user would: the
// held-out figures match the analytics check, and every customer's uplift
// lands in model_scores where a rule can pick the top of it.
func TestUpliftHillstrom(t *testing.T) {
	ctx := context.Background()
	w := hillstromWorkspace(t)
	rep, err := w.TrainUplift(ctx, UpliftRequest{Table: "experiment", Treatment: "segment", Treated: "Womens E-Mail", Control: "No E-Mail",
		Outcome: "visit", Revenue: "spend", Features: hillstromFeatures, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ATE %.4f, top 30%%: %+v, Qini %.3f, column %s (%d)", rep.ATE, rep.Top, rep.Qini, rep.Column, rep.Scored)
	if rep.Top.Gain < 1.5 || rep.Qini <= 0 || math.Abs(rep.ATE-0.0452) > 0.0005 {
		t.Errorf("ATE %.4f, top 30%% gain %.2f, Qini %.3f", rep.ATE, rep.Top.Gain, rep.Qini)
	}
	if rep.Column != "uplift_womens_e_mail" || rep.Scored != 64000 {
		t.Errorf("scores in %q for %d customers", rep.Column, rep.Scored)
	}
	seg, err := w.CreateSegment(ctx, "Persuadable", "experiment", "uplift_womens_e_mail > 0.06")
	if err != nil {
		t.Fatal(err)
	}
	if seg.Size == 0 || seg.Size > 40000 {
		t.Errorf("segment of high uplift has %d customers", seg.Size)
	}
	for _, c := range []struct {
		r    UpliftRequest
		want string
	}{
		{UpliftRequest{Table: "experiment", Treatment: "segment", Treated: "Womens", Control: "No E-Mail", Outcome: "visit", Features: hillstromFeatures}, `its values are "Mens E-Mail", "No E-Mail", "Womens E-Mail"`},
		{UpliftRequest{Table: "experiment", Treatment: "segment", Treated: "No E-Mail", Control: "No E-Mail", Outcome: "visit"}, "are the same"},
		{UpliftRequest{Table: "experiment", Treatment: "segment", Treated: "Womens E-Mail", Control: "No E-Mail", Outcome: "zip_code", Features: []string{"recency"}}, "use 0/1"},
		{UpliftRequest{Table: "experiment", Treatment: "newbie", Treated: "1", Control: "0", Outcome: "visit", Method: "magic"}, "unknown method"},
		{UpliftRequest{Table: "experiment", Treatment: "segment", Treated: "Womens E-Mail", Control: "No E-Mail", Outcome: "visit", Algo: "linreg"}, "logreg or forest"},
	} {
		if _, err := w.TrainUplift(ctx, c.r, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
}
