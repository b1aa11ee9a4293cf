package ui

import (
	"context"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// modelUpkeep is the Models tab's share of the feedback loop: the drift
// alerts (PSI above 0.25, the feature named) over the list and on the
// selected model, and the Retrain and History buttons.
type modelUpkeep struct {
	p *project
	// alerts sits over the model list: every model's major shifts, as last
	// computed by 'model drift' or the automation runner.
	alerts *widget.Label
	// modelAlert is the selected model's in the detail.
	modelAlert *widget.Label
	driftBtn   *widget.Button
	retrainBtn *widget.Button
	historyBtn *widget.Button
	req        latest
	selected   string
	byModel    map[string][]core.DriftAlert
	// retrained is called after a retrain, with whether the challenger won.
	retrained func(name string, promoted bool)
}

// maxAlertLines keeps the alert banner from pushing the list off a small
// window; the rest are counted.
const maxAlertLines = 3

func newModelUpkeep(p *project) *modelUpkeep {
	u := &modelUpkeep{p: p, byModel: map[string][]core.DriftAlert{}}
	u.alerts = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	u.alerts.Hide()
	u.modelAlert = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	u.modelAlert.Hide()
	u.retrainBtn = &widget.Button{Text: i18n.T("Retrain"), Icon: theme.ViewRefreshIcon(), OnTapped: u.retrain}
	u.historyBtn = &widget.Button{Text: i18n.T("History…"), Icon: theme.HistoryIcon(), OnTapped: u.history}
	u.driftBtn = &widget.Button{Text: i18n.T("Check drift"), Icon: theme.SearchIcon(), OnTapped: u.checkDrift}
	u.driftBtn.Disable()
	u.retrainBtn.Disable()
	u.historyBtn.Disable()
	return u
}

// load reads the kept drift alerts (nothing is computed here).
func (u *modelUpkeep) load() {
	ctx := u.req.start(u.p.ctx)
	async(u.p, ctx, func(ctx context.Context) ([]core.DriftAlert, error) {
		return u.p.ws.DriftAlerts(ctx)
	}, func(as []core.DriftAlert, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			u.p.showError(err)
			return
		}
		u.setAlerts(as)
	})
}

func (u *modelUpkeep) setAlerts(as []core.DriftAlert) {
	u.byModel = map[string][]core.DriftAlert{}
	var lines []string
	for _, a := range as {
		if len(u.byModel[a.Model]) == 0 {
			lines = append(lines, "⚠ "+a.Message())
		}
		u.byModel[a.Model] = append(u.byModel[a.Model], a)
	}
	if len(lines) > maxAlertLines {
		lines = append(lines[:maxAlertLines], i18n.T("…and %d more models have drifted.", len(lines)-maxAlertLines))
	}
	setShown(u.alerts, strings.Join(lines, "\n"))
	u.select_(u.selected)
}

// select_ shows the selected model's alerts and enables its buttons ("" for
// none).
func (u *modelUpkeep) select_(name string) {
	u.selected = name
	if name == "" {
		u.driftBtn.Disable()
		u.retrainBtn.Disable()
		u.historyBtn.Disable()
		setShown(u.modelAlert, "")
		return
	}
	u.driftBtn.Enable()
	u.retrainBtn.Enable()
	u.historyBtn.Enable()
	var lines []string
	for _, a := range u.byModel[name] {
		lines = append(lines, "⚠ "+a.Message())
	}
	setShown(u.modelAlert, strings.Join(lines, "\n"))
}

func setShown(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// checkDrift measures the selected model's drift now, with progress and
// cancel; the alerts then show what it found.
func (u *modelUpkeep) checkDrift() {
	name := u.selected
	if name == "" {
		return
	}
	u.driftBtn.Disable()
	var rep *core.DriftReport
	u.p.run(i18n.T("Checking %s for drift…", name), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Reading customers"), -1)
		var err error
		rep, err = u.p.ws.Drift(ctx, name, "")
		return err
	}, func(err error) {
		u.driftBtn.Enable()
		if err != nil {
			u.p.showError(err)
			return
		}
		top := rep.Score
		if len(rep.Features) > 0 && rep.Features[0].PSI > top.PSI {
			top = rep.Features[0]
		}
		if len(rep.Alerts()) == 0 {
			u.p.setStatus(i18n.T("No major drift in %s: the largest PSI is %s (%s).", name, f3(top.PSI), top.Words))
		} else {
			u.p.setStatus(i18n.T("%s has drifted: see the warning over the list.", name))
		}
		u.load()
	})
}

// retrain runs champion/challenger on the selected model, with progress
// and cancel, and says what happened.
func (u *modelUpkeep) retrain() {
	name := u.selected
	if name == "" {
		return
	}
	u.retrainBtn.Disable()
	var res *core.RetrainResult
	u.p.run(i18n.T("Retraining %s…", name), func(ctx context.Context, progress core.Progress) error {
		var err error
		res, err = u.p.ws.Retrain(ctx, name, core.RetrainOptions{}, progress)
		return err
	}, func(err error) {
		u.retrainBtn.Enable()
		if err != nil {
			u.p.showError(err)
			return
		}
		metric := "AUC"
		if res.Metric == "rmse" {
			metric = "RMSE"
		}
		verdict := i18n.T("Kept the champion %s: %s.", name, i18n.T(res.Reason))
		if res.Promoted {
			verdict = i18n.T("Promoted the challenger as %s: %s.", name, i18n.T(res.Reason))
		}
		u.p.setStatus(verdict + " " + i18n.T("%s: champion %s, challenger %s.", metric, f3(res.Champion), f3(res.Challenger)))
		if u.retrained != nil {
			u.retrained(name, res.Promoted)
		}
	})
}

// history shows the selected model's comparisons in a dialog.
func (u *modelUpkeep) history() {
	name := u.selected
	if name == "" {
		return
	}
	async(u.p, u.p.ctx, func(ctx context.Context) ([]core.Comparison, error) {
		return u.p.ws.ModelHistory(ctx, name)
	}, func(hs []core.Comparison, err error) {
		if err != nil {
			u.p.showError(err)
			return
		}
		dialog.ShowCustom(i18n.T("Retraining history of %s", name), i18n.T("Close"), historyView(hs), u.p.win)
	})
}

// historyView is the comparisons as a table, or a sentence when there are
// none yet.
func historyView(hs []core.Comparison) fyne.CanvasObject {
	if len(hs) == 0 {
		return widget.NewLabel(i18n.T("No comparisons yet: retrain the model or give it a schedule."))
	}
	g := newGrid()
	var rows [][]string
	for _, h := range hs {
		verdict := i18n.T("kept")
		if h.Promoted {
			verdict = i18n.T("promoted")
		}
		cause := i18n.T("by hand")
		if h.Cause == core.CauseSchedule {
			cause = i18n.T("schedule")
		}
		rows = append(rows, []string{h.At.Local().Format("2006-01-02 15:04"), cause, strings.ToUpper(h.Metric), f3orDash(h.Champion),
			f3orDash(h.Challenger), i18n.Number(float64(h.HoldoutRows)), verdict, h.Reason})
	}
	g.set([]string{i18n.T("When"), i18n.T("Cause"), i18n.T("Metric"), i18n.T("Champion"), i18n.T("Challenger"), i18n.T("Held out"),
		i18n.T("Result"), i18n.T("Why")}, []string{"", "", "", "DOUBLE", "DOUBLE", "BIGINT", "", ""}, rows)
	return container.NewGridWrap(fyne.NewSize(760, 320), g.table)
}

func f3orDash(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return f3(v)
}
