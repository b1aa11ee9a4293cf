package core

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/drift"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

// upkeepProject is a real project file with a table "people" of n rows:
// customer_id, two numbers x1 and x2 (uniform 0–10), a category region and
// a yes/no outcome y: "yes" when the signal column plus noise is above 5
// (an AUC near 0.95).
func upkeepProject(t *testing.T, n int, signal string) *Workspace {
	t.Helper()
	w, err := Create(filepath.Join(t.TempDir(), "upkeep.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	ctx := context.Background()
	if _, err := w.Q().ExecContext(ctx, `CREATE TABLE people AS SELECT 'c' || lpad(CAST(i AS VARCHAR), 6, '0') AS customer_id,
		(hash(i * 3 + 1) % 100000) / 10000.0 AS x1, (hash(i * 5 + 2) % 100000) / 10000.0 AS x2,
		['north', 'south', 'east'][1 + CAST(hash(i * 7 + 3) % 3 AS INTEGER)] AS region,
		DATE '2024-01-01' + CAST(i * 365 // `+strconv.Itoa(n)+` AS INTEGER) AS signed_up, 'no' AS y FROM range(`+strconv.Itoa(n)+`) r(i)`); err != nil {
		t.Fatal(err)
	}
	label(t, w, "true", signal)
	if err := w.SetRoles(ctx, "people", map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	return w
}

// label sets y on the rows meeting where from the signal column (x1 or
// x2) and some noise.
func label(t *testing.T, w *Workspace, where string, signal string) {
	t.Helper()
	rule := `CASE WHEN ` + signal + ` + (hash(customer_id || 'noise') % 1000) / 400.0 - 1.25 > 5 THEN 'yes' ELSE 'no' END`
	if _, err := w.Q().ExecContext(context.Background(), `UPDATE people SET y = `+rule+` WHERE `+where); err != nil {
		t.Fatal(err)
	}
}

func trainPeople(t *testing.T, w *Workspace, name string) *ModelInfo {
	t.Helper()
	info, err := w.Train(context.Background(), TrainRequest{Name: name, Table: "people", Features: []string{"x1", "x2", "region"},
		Spec: model.Spec{Algo: model.LogReg, Target: "y", Seed: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// A champion that learned x2 meets data where x1 decides: the challenger
// learns it, wins on the random holdout and takes the name; a minimum gain
// it cannot reach keeps the champion.
func TestRetrainPromotesABetterChallenger(t *testing.T) {
	ctx := context.Background()
	w := upkeepProject(t, 3000, "x2")
	trainPeople(t, w, "buyer")
	champ, _, _ := w.LoadModel(ctx, "buyer")
	label(t, w, "true", "x1")

	res, err := w.Retrain(ctx, "buyer", RetrainOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Promoted || res.Holdout != "random" || res.Metric != "auc" || res.MinGain != DefaultMinGain {
		t.Fatalf("result %+v", res)
	}
	if res.Challenger < 0.85 || math.Abs(res.Champion-0.5) > 0.1 || res.HoldoutRows != 600 || res.TrainRows != 2400 {
		t.Errorf("champion %.3f challenger %.3f on %d held out of %d", res.Champion, res.Challenger, res.HoldoutRows, res.TrainRows+res.HoldoutRows)
	}
	info, _, err := w.LoadModel(ctx, "buyer")
	if err != nil {
		t.Fatal(err)
	}
	if info.Eval.AUC < 0.85 || !info.TrainedAt.After(champ.TrainedAt) || strings.Join(info.Spec.Features(), ",") != "x1,x2,region" {
		t.Errorf("after promotion: AUC %.3f trained %v (was %v), features %v", info.Eval.AUC, info.TrainedAt, champ.TrainedAt, info.Spec.Features())
	}

	// The new champion is as good as any challenger on the same data.
	again, err := w.Retrain(ctx, "buyer", RetrainOptions{MinGain: 0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Promoted || again.Reason != reasonNotBetter {
		t.Errorf("unreachable gain promoted: %+v", again)
	}
	kept, _, _ := w.LoadModel(ctx, "buyer")
	if !kept.TrainedAt.Equal(info.TrainedAt) {
		t.Errorf("a challenger that was not better replaced the champion (trained %v, was %v)", kept.TrainedAt, info.TrainedAt)
	}
	hist, err := w.ModelHistory(ctx, "buyer")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Promoted || !hist[1].Promoted || hist[1].Cause != CauseManual || hist[0].MinGain != 0.5 ||
		math.Abs(hist[1].Challenger-res.Challenger) > 1e-12 || hist[1].Reason != reasonBetter {
		t.Errorf("history %+v", hist)
	}
	log, _ := w.AuditLog(ctx, 20)
	if n := countAudit(log, "retrain", "buyer"); n != 2 {
		t.Errorf("%d retrain audit entries, want 2", n)
	}
	if _, err := w.Retrain(ctx, "buyer", RetrainOptions{MinGain: -1}, nil); err == nil {
		t.Error("a negative minimum gain was taken")
	}
}

func countAudit(log []storage.AuditEntry, action, target string) int {
	n := 0
	for _, e := range log {
		if e.Action == action && e.Target == target {
			n++
		}
	}
	return n
}

// A challenger that is worse is not promoted: the older rows' outcomes
// now follow x2, the newest (the recent holdout, by the order date) keep
// the pattern the champion learned from x1.
func TestRetrainKeepsABetterChampion(t *testing.T) {
	ctx := context.Background()
	w := upkeepProject(t, 3000, "x1")
	if err := w.SetRoles(ctx, "people", map[string]storage.Role{"signed_up": storage.OrderDate}, true); err != nil {
		t.Fatal(err)
	}
	trainPeople(t, w, "buyer")
	champ, _, _ := w.LoadModel(ctx, "buyer")
	label(t, w, "signed_up <= DATE '2024-10-15'", "x2")

	res, err := w.Retrain(ctx, "buyer", RetrainOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Promoted || res.Holdout != "recent" || res.Reason != reasonNotBetter {
		t.Fatalf("result %+v", res)
	}
	if res.Champion < 0.85 || res.Challenger > res.Champion-0.1 || res.HoldoutRows < 550 || res.HoldoutRows > 610 {
		t.Errorf("champion %.3f challenger %.3f, %d recent rows", res.Champion, res.Challenger, res.HoldoutRows)
	}
	// The holdout is the newest rows: none of them is before the cut.
	var before int
	w.Q().QueryRowContext(ctx, `SELECT count(*) FROM people WHERE signed_up > (SELECT quantile_disc(signed_up, 0.8) FROM people)`).Scan(&before)
	if before != res.HoldoutRows {
		t.Errorf("holdout %d rows, %d are the newest 20%%", res.HoldoutRows, before)
	}
	info, m, err := w.LoadModel(ctx, "buyer")
	if err != nil {
		t.Fatal(err)
	}
	if !info.TrainedAt.Equal(champ.TrainedAt) || math.Abs(m.Eval.AUC-champ.Eval.AUC) > 1e-12 {
		t.Errorf("the worse challenger replaced the champion: %v %v", info.TrainedAt, m.Eval.AUC)
	}
	hist, _ := w.ModelHistory(ctx, "buyer")
	if len(hist) != 1 || hist[0].Promoted || hist[0].Holdout != "recent" {
		t.Errorf("history %+v", hist)
	}
}

// Drift: the training table unchanged reads stable everywhere; one column
// shifted reads as a major shift on that feature only, and the alert names
// it.
func TestDriftAlertOnAShiftedFeature(t *testing.T) {
	ctx := context.Background()
	w := upkeepProject(t, 2000, "x1")
	trainPeople(t, w, "buyer")

	rep, err := w.Drift(ctx, "buyer", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Features) != 3 || rep.Rows != 2000 || rep.ReferenceRows != 2000 {
		t.Fatalf("report %+v", rep)
	}
	for _, f := range append(rep.Features, rep.Score) {
		if f.PSI != 0 || f.Level != drift.Stable {
			t.Errorf("unchanged data: %s PSI %v", f.Feature, f.PSI)
		}
	}
	if _, err := w.Q().ExecContext(ctx, `UPDATE people SET x2 = x2 + 4`); err != nil {
		t.Fatal(err)
	}
	rep, err = w.Drift(ctx, "buyer", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Features[0].Feature != "x2" || rep.Features[0].Level != drift.Major || rep.Features[0].PSI <= 0.25 || rep.Features[0].Words != "major shift" {
		t.Errorf("shifted x2: %+v", rep.Features)
	}
	for _, f := range rep.Features[1:] {
		if f.Level != drift.Stable {
			t.Errorf("unshifted %s reads %v (PSI %v)", f.Feature, f.Level, f.PSI)
		}
	}
	alerts, err := w.DriftAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) == 0 || alerts[0].Model != "buyer" || alerts[0].Feature != "x2" || !strings.Contains(alerts[0].Message(), "x2") {
		t.Errorf("alerts %+v", alerts)
	}
	for _, a := range alerts {
		if a.Feature != "x2" {
			t.Errorf("alert on %s", a.Feature)
		}
	}
	// Another table measured on request is not kept as the model's drift.
	if _, err := w.Q().ExecContext(ctx, `CREATE TABLE people2 AS SELECT * FROM people; UPDATE people2 SET x1 = x1 * 3`); err != nil {
		t.Fatal(err)
	}
	other, err := w.Drift(ctx, "buyer", "people2")
	if err != nil || other.Table != "people2" || other.Features[0].Feature != "x1" && other.Features[1].Feature != "x1" {
		t.Errorf("drift on people2: %+v %v", other, err)
	}
	last, _ := w.LastDrift(ctx, "buyer")
	if last == nil || last.Table != "people" {
		t.Errorf("kept drift %+v", last)
	}
}

// A model from before drift monitoring says to retrain; one retrain, even
// without a promotion, starts monitoring.
func TestDriftWithoutReference(t *testing.T) {
	ctx := context.Background()
	w := upkeepProject(t, 1000, "x1")
	trainPeople(t, w, "old")
	if _, err := w.Q().ExecContext(ctx, `DELETE FROM mb_model_reference`); err != nil {
		t.Fatal(err)
	}
	_, err := w.Drift(ctx, "old", "")
	if !errors.Is(err, ErrNoReference) || !strings.Contains(err.Error(), "retrain once to start drift monitoring") {
		t.Fatalf("drift without a reference: %v", err)
	}
	up, err := w.ModelUpkeep(ctx, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(up.NoReference) != 1 || up.NoReference[0] != "old" || len(up.Checked) != 0 || len(up.Problems) != 0 {
		t.Errorf("upkeep %+v", up)
	}
	if _, err := w.Retrain(ctx, "old", RetrainOptions{MinGain: 0.9}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Drift(ctx, "old", ""); err != nil {
		t.Errorf("after one retrain: %v", err)
	}
}

// The schedule with an injected clock: due only once its time has come
// since the last run; drift computed once, then only when the data
// changed (an hour on) or a day passed.
func TestModelUpkeepSchedule(t *testing.T) {
	ctx := context.Background()
	w := upkeepProject(t, 1000, "x1")
	trainPeople(t, w, "buyer")
	if _, err := w.SetRetrainSchedule(ctx, "buyer", "every tuesday", time.Now()); err == nil || !strings.Contains(err.Error(), "0 3 * * SUN") {
		t.Errorf("a bad expression: %v", err)
	}
	mon := time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC) // a Monday
	s, err := w.SetRetrainSchedule(ctx, "buyer", "0 3 * * SUN", mon)
	if err != nil {
		t.Fatal(err)
	}
	sun := time.Date(2025, 1, 12, 3, 0, 0, 0, time.UTC)
	if !s.Next.Equal(sun) {
		t.Errorf("next run %v, want %v", s.Next, sun)
	}
	tick := func(now time.Time) *Upkeep {
		t.Helper()
		up, err := w.ModelUpkeep(ctx, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(up.Problems) > 0 {
			t.Fatalf("problems %+v", up.Problems)
		}
		return up
	}
	up := tick(mon.Add(time.Hour))
	if len(up.Retrained) != 0 || len(up.Checked) != 1 {
		t.Errorf("Monday: retrained %d, checked %v", len(up.Retrained), up.Checked)
	}
	// A day on, drift is computed again even though nothing changed.
	up = tick(sun.Add(-time.Minute))
	if len(up.Retrained) != 0 || len(up.Checked) != 1 {
		t.Errorf("before Sunday 03:00: retrained %d, checked %v", len(up.Retrained), up.Checked)
	}
	up = tick(sun)
	if len(up.Retrained) != 1 || up.Retrained[0].Model != "buyer" {
		t.Fatalf("Sunday 03:00: retrained %+v", up.Retrained)
	}
	if up = tick(sun.Add(30 * time.Minute)); len(up.Retrained) != 0 {
		t.Errorf("retrained twice for one Sunday")
	}
	hist, _ := w.ModelHistory(ctx, "buyer")
	if len(hist) != 1 || hist[0].Cause != CauseSchedule || !hist[0].At.Equal(sun) {
		t.Errorf("history %+v", hist)
	}
	sch, _ := w.RetrainSchedule(ctx, "buyer", sun.Add(time.Hour))
	if want := sun.AddDate(0, 0, 7); !sch.Next.Equal(want) || !sch.LastRetrain.Equal(sun) {
		t.Errorf("schedule %+v, next want %v", sch, want)
	}

	// Drift: a data change is seen an hour after the last check, not
	// within it.
	base := sun.AddDate(0, 0, 2)
	if up = tick(base); len(up.Checked) != 1 || len(up.Alerts) != 0 {
		t.Fatalf("two days on: checked %v alerts %+v", up.Checked, up.Alerts)
	}
	if up = tick(base.Add(20 * time.Minute)); len(up.Checked) != 0 {
		t.Errorf("nothing changed, yet drift was recomputed: %v", up.Checked)
	}
	// An import appends rows (and is audited): the fingerprint sees both.
	if _, err := w.Q().ExecContext(ctx, `INSERT INTO people SELECT customer_id || 'b', x1 + 6, x2, region, signed_up, y FROM people`); err != nil {
		t.Fatal(err)
	}
	if up = tick(base.Add(50 * time.Minute)); len(up.Checked) != 0 {
		t.Errorf("drift recomputed within the hour: %v", up.Checked)
	}
	up = tick(base.Add(2 * time.Hour))
	if len(up.Checked) != 1 || len(up.Alerts) == 0 {
		t.Fatalf("after the change: checked %v alerts %+v", up.Checked, up.Alerts)
	}
	for _, a := range up.Alerts {
		if a.Feature != "x1" && a.Kind != "score" {
			t.Errorf("alert on %s", a.Feature)
		}
	}
	// Standing alerts come back on every tick without recomputing.
	up = tick(base.Add(3 * time.Hour))
	if len(up.Checked) != 0 || len(up.Alerts) == 0 {
		t.Errorf("a quiet tick: checked %v alerts %d", up.Checked, len(up.Alerts))
	}
	if up = tick(base.Add(27 * time.Hour)); len(up.Checked) != 1 {
		t.Errorf("a day on: checked %v", up.Checked)
	}
	off, err := w.SetRetrainSchedule(ctx, "buyer", "", sun)
	if err != nil || off.Retrain != "" {
		t.Fatal(off, err)
	}
	if up = tick(sun.AddDate(0, 0, 14)); len(up.Retrained) != 0 {
		t.Errorf("retrained with the schedule off")
	}
}

// A churn model on the demo data: retraining rebuilds the target at the
// latest cut-off, drift compares today's features with the training ones.
func TestRetrainAndDriftOfAChurnModel(t *testing.T) {
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Train(ctx, TrainRequest{Target: &models.Target{Kind: models.Churn, Days: 90, Cutoff: "2026-03-31"},
		Spec: model.Spec{Algo: model.LogReg, Seed: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := w.Drift(ctx, "churn_logreg", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Table != "" || rep.AsOf == "" || rep.Rows == 0 || len(rep.Features) < 6 {
		t.Errorf("drift %+v", rep)
	}
	var stages []string
	res, err := w.Retrain(ctx, "churn_logreg", RetrainOptions{}, func(s string, f float64) { stages = append(stages, s) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Holdout != "random" || res.Champion < 0.6 || res.Challenger < 0.6 || len(stages) < 4 {
		t.Errorf("retrain %+v stages %v", res, stages)
	}
	info, _, _ := w.LoadModel(ctx, "churn_logreg")
	if res.Promoted && info.Source.Target.Cutoff == "2026-03-31" {
		t.Errorf("promoted, but the cut-off stayed %s", info.Source.Target.Cutoff)
	}
	var cut string
	w.Q().QueryRowContext(ctx, `SELECT CAST(max(order_date)::DATE - INTERVAL 90 DAY AS DATE)::VARCHAR FROM orders`).Scan(&cut)
	log, _ := w.AuditLog(ctx, 30)
	found := false
	for _, e := range log {
		found = found || e.Action == "target" && strings.Contains(e.Detail, "after "+cut)
	}
	if !found {
		t.Errorf("the target was not rebuilt at the latest cut-off %s", cut)
	}
}
