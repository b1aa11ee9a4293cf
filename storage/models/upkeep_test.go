package models

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// A model's reference, history and upkeep live and die with it: replacing
// the model replaces its reference and forgets its drift; deleting it
// removes all three.
func TestUpkeepFollowsTheModel(t *testing.T) {
	p := newProject(t)
	rec := Record{Name: "m", Kind: Predictive, Algo: "logreg", Target: "y", Source: Source{Table: "t"}, Spec: json.RawMessage(`{}`),
		Eval: json.RawMessage(`{}`), Reference: json.RawMessage(`{"rows":1}`)}
	if err := Save(ctx, p, rec, []byte("x"), false); err != nil {
		t.Fatal(err)
	}
	if ref, _, err := Reference(ctx, p, "M"); err != nil || string(ref) != `{"rows":1}` {
		t.Fatalf("reference %s %v", ref, err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := SaveDrift(ctx, p, "m", at, "fp", json.RawMessage(`{"model":"m"}`)); err != nil {
		t.Fatal(err)
	}
	if err := SetSchedule(ctx, p, "m", "@daily", at); err != nil {
		t.Fatal(err)
	}
	if err := p.Tx(ctx, func(tx *storage.Tx) error {
		return AddComparison(ctx, tx, Comparison{Model: "m", At: at, Metric: "auc", Champion: 0.7, Challenger: math.NaN(), MinGain: 0.005,
			Holdout: "random", Reason: "failed", Cause: "manual"})
	}); err != nil {
		t.Fatal(err)
	}
	hs, err := History(ctx, p, "m")
	if err != nil || len(hs) != 1 || hs[0].Champion != 0.7 || !math.IsNaN(hs[0].Challenger) || !hs[0].At.Equal(at) {
		t.Fatalf("history %+v %v", hs, err)
	}
	ups, _ := Upkeeps(ctx, p)
	if u := ups["m"]; u.Schedule != "@daily" || !u.ScheduleSetAt.Equal(at) || !u.DriftAt.Equal(at) || u.DriftData != "fp" || u.DriftJSON == nil {
		t.Fatalf("upkeep %+v", u)
	}

	// Replaced without a reference (as a plugin model is): none is kept,
	// and the drift against the old one is forgotten; the schedule stays.
	rec.Reference = nil
	if err := Save(ctx, p, rec, []byte("y"), true); err != nil {
		t.Fatal(err)
	}
	if ref, _, _ := Reference(ctx, p, "m"); ref != nil {
		t.Errorf("the old reference survived a replace: %s", ref)
	}
	ups, _ = Upkeeps(ctx, p)
	if u := ups["m"]; u.Schedule != "@daily" || u.DriftJSON != nil || !u.DriftAt.IsZero() {
		t.Errorf("after a replace: %+v", u)
	}

	if err := Delete(ctx, p, "m"); err != nil {
		t.Fatal(err)
	}
	ups, _ = Upkeeps(ctx, p)
	hs, _ = History(ctx, p, "m")
	if len(ups) != 0 || len(hs) != 0 {
		t.Errorf("after delete: upkeep %v, history %v", ups, hs)
	}
}

// The fingerprint changes with the rows and with audited changes, not
// otherwise.
func TestDataFingerprint(t *testing.T) {
	p := newProject(t)
	importCSV(t, p, "t", "a\n1\n2\n")
	fp := func() string {
		s, err := DataFingerprint(ctx, p, "t", "", "missing")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := fp()
	if b := fp(); a != b {
		t.Errorf("unchanged data, fingerprints %q and %q", a, b)
	}
	p.Q().ExecContext(ctx, `INSERT INTO t VALUES (3)`)
	b := fp()
	if a == b {
		t.Error("a new row did not change the fingerprint")
	}
	p.Tx(ctx, func(tx *storage.Tx) error { return p.InTx(tx).Audit(ctx, tx, "clean", "t", 3, 3, "") })
	if c := fp(); c == b {
		t.Error("an audited change did not change the fingerprint")
	}
}
