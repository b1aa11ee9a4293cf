package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// TestModelsDriftAndRetrain: one column of a model's table shifts; Check
// drift puts a warning naming the column over the list and on the model;
// Retrain runs champion/challenger and History shows the comparison; the
// tab still fits 1024×700 with the warnings shown, in English and Chinese.
func TestModelsDriftAndRetrain(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		t.Run(lang, func(t *testing.T) {
			i18n.Use(lang)
			defer i18n.Use(i18n.English)
			modelsDriftAndRetrain(t, lang == i18n.English)
		})
	}
}

// modelsDriftAndRetrain checks the words only in English.
func modelsDriftAndRetrain(t *testing.T, english bool) {
	ws, err := core.Create(filepath.Join(t.TempDir(), "u"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ws.Q().ExecContext(ctx, `CREATE TABLE people AS SELECT 'c' || i AS customer_id, (hash(i) % 1000) / 100.0 AS x1,
		(hash(i + 7) % 1000) / 100.0 AS x2, CASE WHEN (hash(i) % 1000) / 100.0 + (hash(i + 3) % 300) / 100.0 > 6 THEN 'yes' ELSE 'no' END AS y FROM range(1500) r(i)`); err != nil {
		t.Fatal(err)
	}
	if err := ws.SetRoles(ctx, "people", map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Train(ctx, core.TrainRequest{Name: "buyer", Table: "people", Spec: model.Spec{Algo: model.LogReg, Target: "y", Seed: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	w.win.Resize(minWindow)
	p.goTo("Models")
	idle(t, p)
	s := p.models
	u := s.upkeep
	if !u.retrainBtn.Disabled() || u.alerts.Visible() {
		t.Fatalf("before a selection: retrain enabled %v, alerts %q", !u.retrainBtn.Disabled(), u.alerts.Text)
	}
	s.show("buyer")
	if u.driftBtn.Disabled() || u.retrainBtn.Disabled() || u.historyBtn.Disabled() {
		t.Fatal("the upkeep buttons stay off with a model selected")
	}
	test.Tap(u.driftBtn)
	idle(t, p)
	if u.alerts.Visible() || english && !strings.HasPrefix(p.status.Text, "No major drift in buyer") {
		t.Errorf("unchanged data: alerts %q, status %q", u.alerts.Text, p.status.Text)
	}

	if _, err := ws.Q().ExecContext(ctx, `UPDATE people SET x2 = x2 * 4 + 20`); err != nil {
		t.Fatal(err)
	}
	test.Tap(u.driftBtn)
	idle(t, p)
	if !u.alerts.Visible() || english && !strings.Contains(u.alerts.Text, "buyer: feature x2 has drifted") || !strings.Contains(u.alerts.Text, "x2") || strings.Contains(u.alerts.Text, "x1") {
		t.Errorf("alerts over the list: %q", u.alerts.Text)
	}
	if !u.modelAlert.Visible() || !strings.Contains(u.modelAlert.Text, "x2") || u.modelAlert.Importance != widget.WarningImportance {
		t.Errorf("the model's alert: %q", u.modelAlert.Text)
	}
	budget := fyne.NewSize(minWindow.Width-2*theme.Padding(), minWindow.Height-menuBar-2*theme.Padding())
	if m := p.content.MinSize(); m.Width > budget.Width || m.Height > budget.Height {
		var out []string
		culprits(p.content, budget.Width-p.nav.MinSize().Width-theme.Padding(), budget.Height-100, "", &out)
		t.Errorf("with drift warnings the Models tab needs %.0f×%.0f, more than %.0f×%.0f:\n%s", m.Width, m.Height, budget.Width, budget.Height, strings.Join(out, "\n"))
	}

	test.Tap(u.retrainBtn)
	idle(t, p)
	if english && !strings.Contains(p.status.Text, "champion") || !strings.Contains(p.status.Text, "AUC") {
		t.Errorf("status after retraining: %q", p.status.Text)
	}
	test.Tap(u.historyBtn)
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("History opened no dialog")
	}
	l, _ := find(top, func(l *widget.Label) bool {
		return strings.Contains(l.Text, i18n.T("Retraining history of %s", "buyer"))
	})
	if l == nil {
		t.Error("the dialog is not the history")
	}
	hs, _ := ws.ModelHistory(ctx, "buyer")
	if len(hs) != 1 {
		t.Errorf("history %+v", hs)
	}
}
