package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// The upkeep commands on a real project: retrain keeps the champion on
// the same data with an unreachable gain, drift names a shifted column,
// history lists the run, schedule sets, shows and turns off.
func TestModelUpkeepCommands(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "u.mbproj")
	w, err := core.Create(proj)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := w.Q().ExecContext(ctx, `CREATE TABLE people AS SELECT 'c' || i AS customer_id, (hash(i) % 1000) / 100.0 AS x1,
		(hash(i + 7) % 1000) / 100.0 AS x2, CASE WHEN (hash(i) % 1000) / 100.0 + (hash(i + 3) % 300) / 100.0 > 6 THEN 'yes' ELSE 'no' END AS y FROM range(1500) r(i)`); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "people", map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	w.Close()
	p := []string{"-p", proj}
	ok(t, append(p, "model", "train", "--table", "people", "--target", "y", "--name", "buyer")...)

	out := ok(t, append(p, "model", "retrain", "buyer", "--min-gain", "0.5")...)
	if !strings.Contains(out, "Kept the champion") || !strings.Contains(out, "random holdout of 300 rows") {
		t.Errorf("retrain:\n%s", out)
	}
	fails(t, "cannot be negative", append(p, "model", "retrain", "buyer", "--min-gain", "-1")...)
	out = ok(t, append(p, "model", "history", "buyer")...)
	if !strings.Contains(out, "kept") || !strings.Contains(out, "by hand") || strings.Count(out, "\n") != 2 {
		t.Errorf("history:\n%s", out)
	}

	out = ok(t, append(p, "model", "drift", "buyer")...)
	if strings.Contains(out, "Alert") || !strings.Contains(out, "stable") {
		t.Errorf("drift on unchanged data:\n%s", out)
	}
	w, _ = core.Open(proj)
	w.Q().ExecContext(ctx, `UPDATE people SET x2 = x2 * 4`)
	w.Close()
	out = ok(t, append(p, "model", "drift", "buyer")...)
	if !strings.Contains(out, "Alert: buyer: feature x2 has drifted") || strings.Contains(out, "feature x1") {
		t.Errorf("drift on shifted x2:\n%s", out)
	}

	out = ok(t, append(p, "model", "schedule", "buyer", "--retrain", "0 3 * * SUN")...)
	if !strings.Contains(out, `"0 3 * * SUN"; next run`) {
		t.Errorf("schedule:\n%s", out)
	}
	if out = ok(t, append(p, "model", "schedule", "buyer")...); !strings.Contains(out, "0 3 * * SUN") {
		t.Errorf("schedule shown:\n%s", out)
	}
	fails(t, "five fields", append(p, "model", "schedule", "buyer", "--retrain", "sometimes")...)
	fails(t, "not both", append(p, "model", "schedule", "buyer", "--retrain", "@daily", "--off")...)
	if out = ok(t, append(p, "model", "schedule", "buyer", "--off")...); !strings.Contains(out, "no retraining schedule") {
		t.Errorf("schedule off:\n%s", out)
	}
}
