package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/msg"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

// allRows is the segment choice that keeps every row (in English; shown
// translated, like the other choices below).
var allRows = i18n.Mark("(all customers)")

// Training data choices besides the project's tables: core builds these
// tables from the orders.
var (
	srcChurn    = i18n.Mark("Churn from orders")
	srcPurchase = i18n.Mark("Purchase from orders")
)

// Split criteria of a decision tree, as analytics/model names them.
var (
	critGini    = i18n.Mark("gini")
	critEntropy = i18n.Mark("entropy")
)

// The titles and descriptions of the built-in algorithms as
// algoChoice is one algorithm as the train form offers it; label and about
// are told with i18n.Say where shown.
type algoChoice struct {
	name         string
	label, about msg.Msg
}

// algos are model.Algos, in its order, until the workspace's list (with the
// plugins' models) replaces them.
var algos = func() []algoChoice {
	var out []algoChoice
	for _, a := range model.Algos() {
		out = append(out, algoChoice{a.Name, a.Title, a.About})
	}
	return out
}()

// algoByLabel finds the algorithm by its label as shown.
func algoByLabel(label string) algoChoice {
	for _, a := range algos {
		if i18n.Say(a.label) == label {
			return a
		}
	}
	return algos[0]
}

// algoTitle is an algorithm's label for people.
func algoTitle(name string) string {
	for _, a := range algos {
		if a.name == name {
			return i18n.Say(a.label)
		}
	}
	return name
}

// modelsScreen trains, compares, inspects, scores and explains predictive
// models, and groups customers with k-means.
type modelsScreen struct {
	p      *project
	loaded bool
	tabs   *container.AppTabs

	train    *trainForm
	clusters *clustersView

	// Models tab
	models    []core.ModelInfo
	list      *grid
	listInfo  *widget.Label
	listReq   latest
	selected  string // model shown in the detail, "" for none
	detail    *modelDetail
	deleteBtn *widget.Button
	upkeep    *modelUpkeep

	content fyne.CanvasObject
}

func newModelsScreen(p *project) *modelsScreen {
	s := &modelsScreen{p: p, list: newGrid()}
	s.train = newTrainForm(p, s.trained)
	s.clusters = newClustersView(p)
	s.detail = newModelDetail(p)
	s.upkeep = newModelUpkeep(p)
	s.upkeep.retrained = func(name string, _ bool) {
		s.refresh(name)
		s.p.refreshTables("") // a churn or purchase table was rebuilt
	}
	s.detail.head.Add(s.upkeep.modelAlert)

	s.listInfo = &widget.Label{Text: i18n.T("Loading models…"), Wrapping: fyne.TextWrapWord}
	s.deleteBtn = &widget.Button{Text: i18n.T("Delete…"), Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: s.deleteSelected}
	s.deleteBtn.Disable()
	newBtn := &widget.Button{Text: i18n.T("Train a model"), Icon: theme.ContentAddIcon(), OnTapped: func() { s.tabs.SelectIndex(1) }}
	s.list.onSelect = func(row int) {
		if row < len(s.models) {
			s.show(s.models[row].Name)
		}
	}
	bar := container.NewHBox(newBtn, layout.NewSpacer(), s.upkeep.driftBtn, s.upkeep.retrainBtn, s.upkeep.historyBtn, s.deleteBtn)
	top := container.NewBorder(nil, bar, nil, nil, s.list.table)
	split := container.NewVSplit(container.NewBorder(container.NewVBox(s.listInfo, s.upkeep.alerts), nil, nil, nil, top), s.detail.content)
	split.Offset = 0.28

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(i18n.T("Models"), theme.ListIcon(), split),
		container.NewTabItemWithIcon(i18n.T("Train"), theme.MediaPlayIcon(), s.train.content),
		container.NewTabItemWithIcon(i18n.T("Clusters"), theme.GridIcon(), s.clusters.content),
	)
	s.content = s.tabs
	p.onTables = append(p.onTables, s.setTables)
	return s
}

// shown loads the model list on the first visit.
func (s *modelsScreen) shown() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.setTables(s.p.tables)
	s.refresh("")
	// Model plugins enabled in the project join the list; asking them
	// starts their processes, so it happens off the UI goroutine.
	async(s.p, s.p.ctx, func(ctx context.Context) ([]core.Algorithm, error) {
		return s.p.ws.Algorithms(ctx), nil
	}, func(list []core.Algorithm, _ error) { s.train.setAlgos(list) })
}

func (s *modelsScreen) setTables(ts []storage.Table) {
	if !s.loaded {
		return
	}
	s.train.setTables(ts)
	s.clusters.setTables(ts)
}

// refresh lists the models again and shows selectName, when set, or keeps
// the one shown.
func (s *modelsScreen) refresh(selectName string) {
	s.upkeep.load()
	ctx := s.listReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]core.ModelInfo, error) {
		return s.p.ws.Models(ctx)
	}, func(ms []core.ModelInfo, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.listInfo.SetText("")
			s.p.showError(err)
			return
		}
		first := s.models == nil
		s.setModels(ms)
		if selectName == "" {
			selectName = s.selected
		}
		if i := slices.IndexFunc(ms, func(m core.ModelInfo) bool { return m.Name == selectName }); i >= 0 {
			s.list.table.Select(widget.TableCellID{Row: i, Col: 0})
		} else {
			s.selected = ""
			s.deleteBtn.Disable()
			s.upkeep.select_("")
			s.detail.clear()
		}
		if first && len(ms) == 0 {
			s.tabs.SelectIndex(1) // nothing to compare yet: start with the form
		}
	})
}

func (s *modelsScreen) setModels(ms []core.ModelInfo) {
	s.models = ms
	if len(ms) == 0 {
		s.listInfo.SetText(i18n.T("No models yet. Train one: predict churn or a next purchase from the orders, or any yes/no or number column of a table."))
	} else {
		s.listInfo.SetText(i18n.T("Every model measured on its own held-out test rows. Select one for its charts, to score customers or to explain a score."))
	}
	var rows [][]string
	for _, m := range ms {
		ev := m.Eval
		metrics := []string{f3(ev.AUC), pct(ev.Accuracy), f3(ev.LogLoss), "—", "—"}
		if ev.Regression {
			metrics = []string{"—", "—", "—", i18n.Number(ev.RMSE), f3(ev.R2)}
		}
		row := []string{m.Name, algoTitle(m.Algo), m.Target, m.Source.Table, i18n.Number(float64(ev.TrainRows + ev.TestRows))}
		row = append(row, metrics...)
		rows = append(rows, append(row, m.TrainedAt.Local().Format("2006-01-02 15:04")))
	}
	s.list.set([]string{i18n.T("Name"), i18n.T("Algorithm"), i18n.T("Target"), i18n.T("Table"), i18n.T("Rows"), "AUC", i18n.T("Accuracy"),
		i18n.T("Log loss"), "RMSE", "R²", i18n.T("Trained")},
		[]string{"", "", "", "", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", ""}, rows)
}

// show puts a model in the detail pane.
func (s *modelsScreen) show(name string) {
	i := slices.IndexFunc(s.models, func(m core.ModelInfo) bool { return m.Name == name })
	if i < 0 {
		return
	}
	s.selected = name
	s.deleteBtn.Enable()
	s.detail.show(s.models[i])
	s.upkeep.select_(name)
}

// trained is called by the train form after a model was stored.
func (s *modelsScreen) trained(info *core.ModelInfo) {
	s.tabs.SelectIndex(0)
	s.refresh(info.Name)
	s.p.refreshTables("") // a churn or purchase table may be new
}

func (s *modelsScreen) deleteSelected() {
	name := s.selected
	if name == "" {
		return
	}
	dialog.ShowConfirm(i18n.T("Delete model"), i18n.T("Delete the model %q and its scores (model_scores.%s)? Segment rules that use the scores stop matching. Your data is not touched.",
		name, models.ScoreColumn(name)), func(ok bool) {
		if !ok {
			return
		}
		async(s.p, s.p.ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.p.ws.DeleteModel(ctx, name)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.p.showError(err)
				return
			}
			s.p.setStatus(i18n.T("Deleted model %s", name))
			s.selected = ""
			s.refresh("")
			s.p.refreshTables("")
		})
	}, s.p.win)
}
