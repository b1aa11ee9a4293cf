package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

// allRows is the segment choice that keeps every row.
const allRows = "(all customers)"

// Training data choices besides the project's tables: core builds these
// tables from the orders.
const (
	srcChurn    = "Churn from orders"
	srcPurchase = "Purchase from orders"
)

// algoChoice is one algorithm as the train form offers it.
type algoChoice struct{ name, label, about string }

// algos are model.Algos with a readable title each, in its order.
var algos = func() []algoChoice {
	var out []algoChoice
	for _, a := range model.Algos() {
		title, about, _ := strings.Cut(a[1], ": ")
		out = append(out, algoChoice{a[0], sentence(title), sentence(about) + "."})
	}
	return out
}()

func algoByLabel(label string) algoChoice {
	for _, a := range algos {
		if a.label == label {
			return a
		}
	}
	return algos[0]
}

func algoTitle(name string) string {
	for _, a := range algos {
		if a.name == name {
			return a.label
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

	content fyne.CanvasObject
}

func newModelsScreen(p *project) *modelsScreen {
	s := &modelsScreen{p: p, list: newGrid()}
	s.train = newTrainForm(p, s.trained)
	s.clusters = newClustersView(p)
	s.detail = newModelDetail(p)

	s.listInfo = &widget.Label{Text: "Loading models…", Wrapping: fyne.TextWrapWord}
	s.deleteBtn = &widget.Button{Text: "Delete…", Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: s.deleteSelected}
	s.deleteBtn.Disable()
	newBtn := &widget.Button{Text: "Train a model", Icon: theme.ContentAddIcon(), OnTapped: func() { s.tabs.SelectIndex(1) }}
	s.list.onSelect = func(row int) {
		if row < len(s.models) {
			s.show(s.models[row].Name)
		}
	}
	top := container.NewBorder(nil, container.NewHBox(newBtn, layout.NewSpacer(), s.deleteBtn), nil, nil, s.list.table)
	split := container.NewVSplit(container.NewBorder(s.listInfo, nil, nil, nil, top), s.detail.content)
	split.Offset = 0.28

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Models", theme.ListIcon(), split),
		container.NewTabItemWithIcon("Train", theme.MediaPlayIcon(), s.train.content),
		container.NewTabItemWithIcon("Clusters", theme.GridIcon(), s.clusters.content),
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
		s.listInfo.SetText("No models yet. Train one: predict churn or a next purchase from the orders, or any yes/no or number column of a table.")
	} else {
		s.listInfo.SetText("Every model measured on its own held-out test rows. Select one for its charts, to score customers or to explain a score.")
	}
	var rows [][]string
	for _, m := range ms {
		ev := m.Eval
		metrics := []string{f3(ev.AUC), pct(ev.Accuracy), f3(ev.LogLoss), "—", "—"}
		if ev.Regression {
			metrics = []string{"—", "—", "—", chart.Number(ev.RMSE), f3(ev.R2)}
		}
		row := []string{m.Name, algoTitle(m.Algo), m.Target, m.Source.Table, chart.Number(float64(ev.TrainRows + ev.TestRows))}
		row = append(row, metrics...)
		rows = append(rows, append(row, m.TrainedAt.Local().Format("2006-01-02 15:04")))
	}
	s.list.set([]string{"Name", "Algorithm", "Target", "Table", "Rows", "AUC", "Accuracy", "Log loss", "RMSE", "R²", "Trained"},
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
	dialog.ShowConfirm("Delete model", fmt.Sprintf("Delete the model %q and its scores (model_scores.%s)? Segment rules that use the scores stop matching. Your data is not touched.",
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
			s.p.setStatus("Deleted model " + name)
			s.selected = ""
			s.refresh("")
			s.p.refreshTables("")
		})
	}, s.p.win)
}

// trainForm is the Train tab: training data, target, features, algorithm
// and its options.
type trainForm struct {
	p       *project
	onTrain func(*core.ModelInfo)
	tables  []storage.Table

	source     *widget.Select
	sourceNote *widget.Label
	segment    *widget.Select // narrows the rows to a segment's customers
	segReq     latest
	cutoff     *widget.Entry
	days       *widget.Entry
	target     *widget.Select
	features   *widget.CheckGroup
	featNote   *widget.Label
	featAuto   []string // the columns core would choose
	featReq    latest
	featBox    fyne.CanvasObject
	featBtns   fyne.CanvasObject
	algo       *widget.Select
	algoNote   *widget.Label
	testShare  *widget.Entry
	seed       *widget.Entry
	name       *widget.Entry
	replace    *widget.Check

	c        *widget.Entry
	l1       *widget.Check
	balanced *widget.Check
	alpha    *widget.Entry
	maxDepth *widget.Entry
	minLeaf  *widget.Entry
	trees    *widget.Entry
	crit     *widget.Select

	rowsTarget []fyne.CanvasObject // label and widget of rows shown per source
	rowsOrders []fyne.CanvasObject
	trainBtn   *widget.Button
	content    fyne.CanvasObject
}

func newTrainForm(p *project, onTrain func(*core.ModelInfo)) *trainForm {
	f := &trainForm{p: p, onTrain: onTrain}
	entry := func(text, placeholder string) *widget.Entry {
		e := &widget.Entry{Text: text, PlaceHolder: placeholder}
		e.ExtendBaseWidget(e)
		return e
	}
	f.source = widget.NewSelect([]string{srcChurn, srcPurchase}, func(string) { f.sourceChanged() })
	f.source.PlaceHolder = "Choose the training data"
	f.sourceNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	f.cutoff = entry("", "YYYY-MM-DD (empty: the window before the last order)")
	f.days = entry("90", "")
	f.target = widget.NewSelect(nil, func(string) { f.loadFeatures() })
	f.target.PlaceHolder = "Choose the column to predict"
	f.features = widget.NewCheckGroup(nil, nil)
	f.featNote = &widget.Label{Wrapping: fyne.TextWrapWord}
	var labels []string
	for _, a := range algos {
		labels = append(labels, a.label)
	}
	f.algo = widget.NewSelect(labels, func(string) { f.algoChanged() })
	f.algoNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	f.testShare = entry("20", "")
	f.seed = entry("42", "")
	f.name = entry("", "automatic, e.g. churn_logreg")
	f.replace = widget.NewCheck("Replace a model with the same name", nil)

	f.c = entry("1", "")
	f.l1 = widget.NewCheck("L1 penalty (keeps fewer features)", nil)
	f.balanced = widget.NewCheck("Weight both outcomes equally (rare outcomes)", nil)
	f.alpha = entry("0", "")
	f.maxDepth = entry("", "4 for a tree, 12 for a forest")
	f.minLeaf = entry("", "20")
	f.trees = entry("", "100")
	f.crit = widget.NewSelect([]string{"gini", "entropy"}, nil)
	f.crit.SetSelected("gini")
	f.trainBtn = &widget.Button{Text: "Train", Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: f.start}
	f.segment = widget.NewSelect([]string{allRows}, nil)
	f.segment.SetSelected(allRows)

	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	cutLbl, daysLbl, targetLbl := lbl("Cut-off date"), lbl("Window (days)"), lbl("Target")
	f.rowsOrders = []fyne.CanvasObject{cutLbl, f.cutoff, daysLbl, f.days}
	f.rowsTarget = []fyne.CanvasObject{targetLbl, f.target}
	form := container.New(layout.NewFormLayout(),
		lbl("Training data"), f.source,
		layout.NewSpacer(), f.sourceNote,
		lbl("Only customers in"), f.segment,
		cutLbl, f.cutoff,
		daysLbl, f.days,
		targetLbl, f.target,
		lbl("Algorithm"), f.algo,
		layout.NewSpacer(), f.algoNote,
		lbl("Test share (%)"), f.testShare,
		lbl("Seed"), f.seed,
		lbl("Name"), f.name,
		layout.NewSpacer(), f.replace,
	)
	adv := container.New(layout.NewFormLayout(),
		widget.NewLabel("C (logistic)"), f.c,
		layout.NewSpacer(), f.l1,
		layout.NewSpacer(), f.balanced,
		widget.NewLabel("Alpha (linear)"), f.alpha,
		widget.NewLabel("Max depth"), f.maxDepth,
		widget.NewLabel("Min rows per leaf"), f.minLeaf,
		widget.NewLabel("Trees (forest)"), f.trees,
		widget.NewLabel("Split criterion (tree)"), f.crit,
	)
	advanced := widget.NewAccordion(widget.NewAccordionItem("Advanced", adv))
	left := container.NewVBox(form, advanced, container.NewHBox(f.trainBtn))

	all := &widget.Button{Text: "All", Importance: widget.LowImportance, OnTapped: func() { f.features.SetSelected(f.features.Options) }}
	none := &widget.Button{Text: "None", Importance: widget.LowImportance, OnTapped: func() { f.features.SetSelected(nil) }}
	auto := &widget.Button{Text: "Usable", Importance: widget.LowImportance, OnTapped: func() { f.features.SetSelected(f.featAuto) }}
	rank := &widget.Button{Text: "Rank…", Importance: widget.LowImportance, OnTapped: f.rankFeatures}
	f.featBtns = container.NewHBox(rank, auto, all, none)
	featHead := container.NewBorder(nil, nil, lbl("Features"), f.featBtns)
	f.featBox = container.NewVScroll(f.features)
	right := container.NewBorder(container.NewVBox(featHead, f.featNote), nil, nil, nil, f.featBox)

	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.Offset = 0.6
	f.content = split
	f.algo.SetSelected(algos[0].label)
	f.source.SetSelected(srcChurn)
	return f
}

func (f *trainForm) setTables(ts []storage.Table) {
	var before []storage.Column
	if t := f.table(); t != nil {
		before = t.Columns
	}
	f.tables = ts
	opts := []string{srcChurn, srcPurchase}
	for _, t := range ts {
		opts = append(opts, t.Name)
	}
	f.source.Options = opts
	f.source.Refresh()
	ctx := f.segReq.start(f.p.ctx)
	async(f.p, ctx, func(ctx context.Context) ([]string, error) {
		sums, err := f.p.ws.Segments(ctx)
		names := []string{allRows}
		for _, s := range sums {
			names = append(names, s.Name)
		}
		return names, err
	}, func(names []string, err error) {
		if err != nil || ctx.Err() != nil {
			return
		}
		sel := f.segment.Selected
		f.segment.SetOptions(names)
		if !slices.Contains(names, sel) {
			sel = allRows
		}
		f.segment.SetSelected(sel)
	})
	// Offer the chosen table's columns again only when they changed, so a
	// refresh after training keeps the user's ticks.
	if t := f.table(); t != nil && !slices.Equal(t.Columns, before) {
		f.sourceChanged()
	}
}

// table is the chosen user table, nil for a churn or purchase target.
func (f *trainForm) table() *storage.Table {
	for i := range f.tables {
		if f.tables[i].Name == f.source.Selected {
			return &f.tables[i]
		}
	}
	return nil
}

// targetKind is models.Churn or models.Purchase, or "" for a table.
func (f *trainForm) targetKind() string {
	switch f.source.Selected {
	case srcChurn:
		return models.Churn
	case srcPurchase:
		return models.Purchase
	}
	return ""
}

func setVisible(objs []fyne.CanvasObject, on bool) {
	for _, o := range objs {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
}

func (f *trainForm) sourceChanged() {
	kind := f.targetKind()
	setVisible(f.rowsOrders, kind != "")
	setVisible(f.rowsTarget, kind == "")
	if kind != "" {
		outcome := "placed no order"
		if kind == models.Purchase {
			outcome = "placed an order"
		}
		f.sourceNote.SetText(fmt.Sprintf("One row per customer with an order by the cut-off date: their behaviour up to then (%s) and the columns of the customer table. "+
			"The outcome is whether they %s in the window after it. Built into the table %s_training.",
			strings.Join(models.BehaviourFeatures, ", "), outcome, kind))
		f.target.Options = nil
		f.target.ClearSelected()
		f.features.Options = nil
		f.features.Refresh()
		f.featAuto = nil
		f.featBox.Hide()
		f.featBtns.Hide()
		f.featNote.SetText("Chosen for you: the behaviour columns above plus the customer table's usable columns (no ids, contact details or free text).")
		return
	}
	t := f.table()
	if t == nil {
		return
	}
	f.sourceNote.SetText(fmt.Sprintf("%s rows of %s. Pick the column to predict: two values (yes/no, 1/0) for logistic regression, trees and forests; a number for linear regression.",
		chart.Number(float64(t.Rows)), t.Name))
	f.featBox.Show()
	f.featBtns.Show()
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, c.Name)
	}
	f.target.Options = cols
	if !slices.Contains(cols, f.target.Selected) {
		f.target.ClearSelected()
	}
	f.target.Refresh()
	f.loadFeatures()
}

// loadFeatures offers the table's columns except the target, ticking the
// ones core would pick by itself.
func (f *trainForm) loadFeatures() {
	t := f.table()
	if t == nil {
		return
	}
	target := f.target.Selected
	var opts []string
	for _, c := range t.Columns {
		if c.Name != target {
			opts = append(opts, c.Name)
		}
	}
	f.features.Options = opts
	f.features.Selected = nil
	f.features.Refresh()
	f.featAuto = nil
	f.featNote.SetText("Checking which columns a model can use…")
	ctx := f.featReq.start(f.p.ctx)
	table := t.Name
	async(f.p, ctx, func(ctx context.Context) ([]string, error) {
		// What Train uses when no features are given, so the ticks show
		// its real choice.
		num, cat, err := f.p.ws.Features(ctx, table, target)
		return append(num, cat...), err
	}, func(auto []string, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			f.featNote.SetText(sentence(err.Error()))
			return
		}
		f.featAuto = auto
		f.features.SetSelected(auto)
		f.featNote.SetText("Ticked: every usable column. Identifiers, contact details, dates, free text and text with more than " +
			strconv.Itoa(models.MaxLevels) + " values are left out.")
	})
}

// setAlgos offers the built-in algorithms and the plugins' models. It runs
// on the UI goroutine, the only one that reads algos.
func (f *trainForm) setAlgos(list []core.Algorithm) {
	var out []algoChoice
	for _, a := range list {
		title, about, ok := strings.Cut(a.Description, ": ")
		about = sentence(about) + "."
		if a.Plugin || !ok {
			title, about = a.Description, "Trained and scored by a plugin; numeric features only."
		}
		out = append(out, algoChoice{a.Name, sentence(title), about})
	}
	if len(out) == 0 {
		return
	}
	algos = out
	labels := make([]string, len(out))
	for i, a := range out {
		labels[i] = a.label
	}
	sel := f.algo.Selected
	f.algo.SetOptions(labels)
	f.algo.SetSelected(sel)
}

func (f *trainForm) algoChanged() {
	a := algoByLabel(f.algo.Selected)
	f.algoNote.SetText(a.about)
	enable := func(on bool, ws ...fyne.Disableable) {
		for _, w := range ws {
			if on {
				w.Enable()
			} else {
				w.Disable()
			}
		}
	}
	enable(a.name == model.LogReg, f.c, f.l1, f.balanced)
	enable(a.name == model.LinReg, f.alpha)
	enable(a.name == model.Tree || a.name == model.Forest, f.maxDepth, f.minLeaf)
	enable(a.name == model.Forest, f.trees)
	enable(a.name == model.Tree, f.crit)
}

// formError is a mistake in the form, told in words before any work starts.
type formError string

func (e formError) Error() string { return string(e) }

func num(e *widget.Entry, what string, lo, hi float64) (float64, error) {
	txt := strings.TrimSpace(e.Text)
	if txt == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(txt, 64)
	if err != nil || v < lo || v > hi {
		return 0, formError(fmt.Sprintf("%s must be a number from %v to %v; %q is not.", what, lo, hi, txt))
	}
	return v, nil
}

func whole(e *widget.Entry, what string, lo, hi int) (int, error) {
	v, err := num(e, what, float64(lo), float64(hi))
	if err == nil && v != math.Trunc(v) {
		err = formError(fmt.Sprintf("%s must be a whole number; %q is not.", what, e.Text))
	}
	return int(v), err
}

// request reads the form into a train request.
func (f *trainForm) request() (core.TrainRequest, error) {
	var r core.TrainRequest
	a := algoByLabel(f.algo.Selected)
	r.Spec.Algo = a.name
	r.Name = strings.TrimSpace(f.name.Text)
	if seg := f.segment.Selected; seg != "" && seg != allRows {
		r.Segment = seg
	}
	r.Replace = f.replace.Checked
	if kind := f.targetKind(); kind != "" {
		t := &models.Target{Kind: kind}
		if txt := strings.TrimSpace(f.cutoff.Text); txt != "" {
			if _, err := time.Parse("2006-01-02", txt); err != nil {
				return r, formError(fmt.Sprintf("%q is not a date. Write the cut-off as YYYY-MM-DD, e.g. 2026-06-30, or leave it empty to use the window before the last order.", txt))
			}
			t.Cutoff = txt
		}
		days, err := whole(f.days, "The window", 1, 3650)
		if err != nil {
			return r, err
		}
		if days == 0 {
			days = 90
		}
		t.Days = days
		r.Target = t
	} else {
		t := f.table()
		if t == nil {
			return r, formError("Choose the training data: churn or purchase from the orders, or a table.")
		}
		if f.target.Selected == "" {
			return r, formError("Choose the target: the column of " + t.Name + " the model should predict.")
		}
		r.Table, r.Spec.Target = t.Name, f.target.Selected
		sel := f.features.Selected
		if len(sel) == 0 {
			return r, formError("Tick at least one feature column, or press Usable to tick every column a model can use.")
		}
		if !sameSet(sel, f.featAuto) {
			// In table order, so the model's inputs read like the table.
			for _, o := range f.features.Options {
				if slices.Contains(sel, o) {
					r.Features = append(r.Features, o)
				}
			}
		}
	}
	share, err := num(f.testShare, "The test share", 5, 50)
	if err != nil {
		return r, err
	}
	r.Spec.TestSize = share / 100
	seed, err := whole(f.seed, "The seed", 0, 1<<31)
	if err != nil {
		return r, err
	}
	r.Spec.Seed = uint64(seed)
	switch a.name {
	case model.LogReg:
		if r.Spec.C, err = num(f.c, "C", 1e-6, 1e6); err != nil {
			return r, err
		}
		r.Spec.L1, r.Spec.Balanced = f.l1.Checked, f.balanced.Checked
	case model.LinReg:
		if r.Spec.Alpha, err = num(f.alpha, "Alpha", 0, 1e9); err != nil {
			return r, err
		}
	case model.Tree, model.Forest:
		if r.Spec.MaxDepth, err = whole(f.maxDepth, "Max depth", 1, 40); err != nil {
			return r, err
		}
		if r.Spec.MinLeaf, err = whole(f.minLeaf, "Min rows per leaf", 1, 1_000_000); err != nil {
			return r, err
		}
		if a.name == model.Forest {
			if r.Spec.Trees, err = whole(f.trees, "Trees", 1, 2000); err != nil {
				return r, err
			}
		} else if f.crit.Selected == "entropy" {
			r.Spec.Criterion = "entropy"
		}
	}
	return r, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// start trains under a progress dialog with Cancel.
func (f *trainForm) start() {
	r, err := f.request()
	if err != nil {
		dialog.ShowInformation("Train a model", err.Error(), f.p.win)
		return
	}
	what := algoTitle(r.Spec.Algo)
	if r.Target != nil {
		what += " for " + r.Target.Kind
	} else {
		what += " for " + r.Spec.Target
	}
	f.trainBtn.Disable()
	var info *core.ModelInfo
	f.p.run("Training "+strings.ToLower(what[:1])+what[1:]+"…", func(ctx context.Context, progress core.Progress) error {
		var err error
		info, err = f.p.ws.Train(ctx, r, progress)
		return err
	}, func(err error) {
		f.trainBtn.Enable()
		if err != nil {
			f.p.showError(err)
			return
		}
		msg := fmt.Sprintf("Trained %s: %s", info.Name, headline(&info.Eval))
		if b := info.Built; b != nil {
			msg += fmt.Sprintf(" (built %s: %s customers as of %s, %s %s)", b.Table, chart.Number(float64(b.Customers)), b.Target.Cutoff,
				pct(float64(b.Positives)/math.Max(1, float64(b.Customers))), b.Target.Column())
		}
		f.p.setStatus(msg)
		f.name.SetText("") // the next model needs a name of its own
		f.onTrain(info)
	})
}

// headline is a model's main test metrics in one line.
func headline(ev *model.Evaluation) string {
	if ev.Regression {
		return fmt.Sprintf("RMSE %s, R² %s on %s test rows", chart.Number(ev.RMSE), f3(ev.R2), chart.Number(float64(ev.TestRows)))
	}
	return fmt.Sprintf("AUC %s, accuracy %s on %s test rows", f3(ev.AUC), pct(ev.Accuracy), chart.Number(float64(ev.TestRows)))
}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func pct(v float64) string { return chart.Percent(1)(v) }

func pval(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// modelDetail shows one model: what it is, its test metrics, charts, what
// it learned, and scoring and explaining customers with it.
type modelDetail struct {
	p    *project
	info *core.ModelInfo

	title     *widget.Label
	about     *widget.Label
	metrics   *grid
	scoreBtn  *widget.Button
	evalBtn   *widget.Button
	scoreInfo *widget.Label
	customer  *widget.Entry
	explain   *widget.Button
	exScore   *widget.Label
	exUp      *widget.Label
	exDown    *widget.Label
	exText    *widget.Label
	classes   [2]string

	charts    map[string]*chartView
	chartReqs map[string]*latest
	chartTabs *container.AppTabs
	coefs     *grid
	rules     *widget.Label
	items     map[string]*container.TabItem
	body      fyne.CanvasObject
	empty     *widget.Label
	content   *fyne.Container
}

// Model chart names, in tab order.
const (
	chROC         = "ROC"
	chGains       = "Gains"
	chCalibration = "Calibration"
	chConfusion   = "Confusion"
	chImportance  = "Importance"
)

// tabExplain is the detail tab that explains one customer's score.
const tabExplain = "Explain a customer"

var modelChartOrder = []string{chROC, chGains, chCalibration, chConfusion, chImportance}

func newModelDetail(p *project) *modelDetail {
	d := &modelDetail{p: p, metrics: newGrid(), coefs: newGrid(), charts: map[string]*chartView{}, chartReqs: map[string]*latest{},
		items: map[string]*container.TabItem{}}
	d.title = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText, Truncation: fyne.TextTruncateEllipsis}
	d.about = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.scoreBtn = &widget.Button{Text: "Score customers", Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: d.score}
	d.scoreInfo = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	d.evalBtn = &widget.Button{Text: "Measure on another table…", Icon: theme.SearchIcon(), OnTapped: d.evaluateOther}
	d.customer = &widget.Entry{PlaceHolder: "Customer id"}
	d.customer.ExtendBaseWidget(d.customer)
	d.customer.OnSubmitted = func(string) { d.explainCustomer() }
	d.explain = &widget.Button{Text: "Explain", Icon: theme.QuestionIcon(), OnTapped: d.explainCustomer}
	d.exScore = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	d.exUp = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.exDown = &widget.Label{Wrapping: fyne.TextWrapWord}
	d.exText = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}
	d.rules = &widget.Label{Wrapping: fyne.TextWrapWord, Selectable: true}

	d.chartTabs = container.NewAppTabs()
	for _, k := range modelChartOrder {
		d.charts[k] = newChartView()
		d.chartReqs[k] = &latest{}
		d.items[k] = container.NewTabItem(k, d.charts[k].content)
	}
	coefNote := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "Odds ratios per standard deviation of a number (per value for a category), with 95% intervals. Above 1 raises the odds of the outcome, below 1 lowers them; a p under 0.05 is unlikely to be chance."}
	d.items["Coefficients"] = container.NewTabItem("Coefficients", container.NewBorder(coefNote, nil, nil, nil, d.coefs.table))
	d.items["Rules"] = container.NewTabItem("Rules", container.NewVScroll(container.NewPadded(d.rules)))
	explainBox := container.NewVBox(
		&widget.Label{Text: "Type a customer id to see their score and the columns that push it up or down the most.", Wrapping: fyne.TextWrapWord},
		container.NewBorder(nil, nil, nil, d.explain, d.customer),
		d.exScore,
		container.NewGridWithColumns(2, d.exUp, d.exDown),
		d.exText,
	)
	d.items[tabExplain] = container.NewTabItemWithIcon(tabExplain, theme.QuestionIcon(), container.NewVScroll(container.NewPadded(explainBox)))

	head := container.NewVBox(d.title, d.about, container.NewHBox(d.scoreBtn, d.evalBtn), d.scoreInfo)
	left := container.NewBorder(head, nil, nil, nil, d.metrics.table)
	split := container.NewHSplit(left, d.chartTabs)
	split.Offset = 0.42
	d.body = split
	d.empty = &widget.Label{Text: "Select a model above to see how it does.", Alignment: fyne.TextAlignCenter, TextStyle: fyne.TextStyle{Italic: true}}
	d.content = container.NewStack(container.NewCenter(d.empty))
	return d
}

func (d *modelDetail) clear() {
	d.info = nil
	d.content.Objects = []fyne.CanvasObject{container.NewCenter(d.empty)}
	d.content.Refresh()
}

func (d *modelDetail) show(info core.ModelInfo) {
	same := d.info != nil && d.info.Name == info.Name && d.info.TrainedAt.Equal(info.TrainedAt)
	d.info = &info
	if d.content.Objects[0] != d.body {
		d.content.Objects = []fyne.CanvasObject{d.body}
		d.content.Refresh()
	}
	if same {
		return
	}
	ev := &info.Eval
	d.title.SetText(info.Name)
	from := info.Source.Table
	if info.Source.Segment != "" {
		from += " (segment " + info.Source.Segment + ")"
	}
	about := fmt.Sprintf("%s predicting %s from %d features of %s: %s training and %s test rows. Trained %s in %.1f s.",
		algoTitle(info.Algo), info.Target, len(info.Spec.Features()), from, chart.Number(float64(ev.TrainRows)), chart.Number(float64(ev.TestRows)),
		info.TrainedAt.Local().Format("2 Jan 2006 15:04"), info.Seconds)
	if t := info.Source.Target; t != nil {
		about += fmt.Sprintf(" Outcome: %s within %d days after %s.", t.Kind, t.Days, t.Cutoff)
	}
	d.about.SetText(about)
	d.setMetrics(ev)
	d.scoreInfo.SetText(scoreHint(&info))
	d.exScore.SetText("")
	d.exUp.SetText("")
	d.exDown.SetText("")
	d.exText.SetText("")

	// What the model learned: coefficients for logistic regression, rules
	// for a tree.
	var tabs []*container.TabItem
	if !ev.Regression {
		tabs = append(tabs, d.items[chROC], d.items[chGains], d.items[chCalibration], d.items[chConfusion])
	}
	tabs = append(tabs, d.items[chImportance])
	if len(ev.Coefs) > 0 {
		var rows [][]string
		for _, c := range ev.Coefs {
			rows = append(rows, []string{c.Feature, f3(c.OddsRatio), f3(c.OddsLo) + " – " + f3(c.OddsHi), pval(c.P), f3(c.Coef)})
		}
		d.coefs.set([]string{"Feature", "Odds ratio", "95% interval", "p", "Coefficient"}, []string{"", "DOUBLE", "", "DOUBLE", "DOUBLE"}, rows)
		tabs = append(tabs, d.items["Coefficients"])
	}
	if len(ev.Rules) > 0 {
		var b strings.Builder
		b.WriteString("Each leaf of the tree as a rule, read top to bottom:\n\n")
		for i, r := range ev.Rules {
			fmt.Fprintf(&b, "%d.  %s\n", i+1, r)
		}
		d.rules.SetText(b.String())
		tabs = append(tabs, d.items["Rules"])
	}
	tabs = append(tabs, d.items[tabExplain])
	d.chartTabs.SetItems(tabs)
	d.chartTabs.SelectIndex(0)
	d.classes = [2]string{"no", "yes"}
	if len(ev.Classes) == 2 {
		d.classes = [2]string{ev.Classes[0], ev.Classes[1]}
	}
	d.drawCharts()
}

// scoreHint says where Score will read customers and write scores.
func scoreHint(info *core.ModelInfo) string {
	from := "the rows of " + info.Source.Table
	if info.Source.Target != nil {
		from = "every customer (features as of the last order)"
	}
	return fmt.Sprintf("Scores %s into model_scores.%s, which segment rules can use.", from, models.ScoreColumn(info.Name))
}

func (d *modelDetail) setMetrics(ev *model.Evaluation) {
	type row struct{ name, value, note string }
	var rows []row
	if ev.Regression {
		rows = []row{
			{"RMSE", chart.Number(ev.RMSE), "typical error, in the target's units"},
			{"MAE", chart.Number(ev.MAE), "average absolute error"},
			{"R²", f3(ev.R2), "share of the variation explained (1 is perfect)"},
		}
	} else {
		rows = []row{
			{"ROC AUC", f3(ev.AUC), "ranking quality: 0.5 is a coin toss, 1 is perfect"},
			{"PR AUC", f3(ev.PRAUC), "precision–recall; compare with the base rate"},
			{"Accuracy", pct(ev.Accuracy), "share of test rows classed right at 0.5"},
			{"Precision", pct(ev.Precision), "of those predicted yes, share truly yes"},
			{"Recall", pct(ev.Recall), "of the true yes, share the model finds"},
			{"F1", f3(ev.F1), "balance of precision and recall"},
			{"Log loss", f3(ev.LogLoss), "probability error; lower is better"},
			{"Brier score", f3(ev.Brier), "squared probability error; lower is better"},
			{"Base rate", pct(ev.BaseRate), "share of yes among the training rows"},
		}
		if len(ev.Gains) > 0 {
			g := ev.Gains[0]
			rows = append(rows, row{"Top 10% lift", "×" + strconv.FormatFloat(g.CumLift, 'f', 2, 64),
				fmt.Sprintf("the top tenth by score holds %s of the yes", pct(g.CumGains))})
		}
	}
	if v, ok := ev.OOB["auc"].(float64); ok {
		rows = append(rows, row{"Out-of-bag AUC", f3(v), "the forest measured on rows each tree did not see"})
	}
	rows = append(rows, row{"Rows", chart.Number(float64(ev.TrainRows)) + " + " + chart.Number(float64(ev.TestRows)), "training + held-out test"})
	var out [][]string
	for _, r := range rows {
		out = append(out, []string{r.name, r.value, r.note})
	}
	d.metrics.set([]string{"Test metric", "Value", "Meaning"}, []string{"", "DOUBLE", ""}, out)
}

// plotFor builds one of the detail's charts from the stored evaluation.
func (d *modelDetail) plotFor(kind string) func() (*plot.Plot, error) {
	info, classes := *d.info, d.classes
	ev := &info.Eval
	return func() (*plot.Plot, error) {
		switch kind {
		case chROC:
			pts := make([]chart.Point, len(ev.ROC))
			for i, p := range ev.ROC {
				pts[i] = chart.Point{X: p.X, Y: p.Y}
			}
			return chart.ROC("ROC curve of "+info.Name+" on its test rows", pts, ev.AUC)
		case chGains:
			ds := make([]chart.Decile, len(ev.Gains))
			n := 0
			for _, g := range ev.Gains {
				n += g.Count
			}
			for i, g := range ev.Gains {
				ds[i] = chart.Decile{Share: float64(g.CumCount) / math.Max(1, float64(n)), Gains: g.CumGains, Lift: g.CumLift}
			}
			return chart.Gains("Cumulative gains (labels: lift)", ds)
		case chCalibration:
			bs := make([]chart.CalBin, len(ev.Calibration))
			for i, b := range ev.Calibration {
				bs[i] = chart.CalBin{Predicted: b.MeanPred, Actual: b.FracPos, Count: b.Count}
			}
			return chart.Calibration("Calibration: predicted vs. actual", bs)
		case chConfusion:
			return chart.Confusion("Confusion matrix at a 0.5 cut-off ("+info.Target+")", ev.Confusion, classes)
		case chImportance:
			var bars []chart.Bar
			for i, im := range ev.Importance {
				if i == 15 {
					break
				}
				bars = append(bars, chart.Bar{Label: im.Feature, Value: im.Mean})
			}
			metric := "AUC"
			if ev.Regression {
				metric = "RMSE"
			}
			return chart.Bars("Feature importance", "Drop in test "+metric+" when the column is shuffled", bars,
				chart.WithFormat(func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }))
		}
		return nil, fmt.Errorf("unknown chart %q", kind)
	}
}

func (d *modelDetail) drawCharts() {
	for _, k := range modelChartOrder {
		d.drawChart(k)
	}
}

func (d *modelDetail) drawChart(kind string) {
	if d.info == nil {
		return
	}
	base := d.info.Name + "-" + strings.ToLower(kind)
	showPlot(d.p, d.charts[kind], d.chartReqs[kind], base, d.plotFor(kind))
}

// showPlot renders a chart built in the UI (from numbers already at hand)
// off the UI goroutine into a chartView, whose Save button saves it.
func showPlot(p *project, v *chartView, req *latest, base string, build func() (*plot.Plot, error)) {
	ctx := req.start(p.ctx)
	v.p = p
	v.save.OnTapped = func() { savePlot(p, base, build) }
	v.message("Drawing…")
	async(p, ctx, func(ctx context.Context) (image.Image, error) {
		pl, err := build()
		if err != nil {
			return nil, err
		}
		return chart.PNG(pl, chartW, chartH)
	}, func(img image.Image, err error) {
		if ctx.Err() != nil {
			return
		}
		switch {
		case errors.Is(err, chart.ErrNoData):
			v.message("Nothing to draw for this model.")
		case err != nil:
			v.message(sentence(err.Error()))
		default:
			v.set(img)
		}
	})
}

// score writes the model's scores for every customer it scores.
func (d *modelDetail) score() {
	if d.info == nil {
		return
	}
	name := d.info.Name
	d.scoreBtn.Disable()
	var res *core.ScoreResult
	d.p.run("Scoring customers with "+name+"…", func(ctx context.Context, progress core.Progress) error {
		var err error
		res, err = d.p.ws.Score(ctx, name, "", progress)
		return err
	}, func(err error) {
		d.scoreBtn.Enable()
		if err != nil {
			d.p.showError(err)
			return
		}
		from := "the rows of " + res.Table
		if res.AsOf != "" {
			from = "features as of " + res.AsOf
		}
		msg := fmt.Sprintf("Scored %s customers (%s); mean score %s. The scores are in model_scores.%s: use them in segment rules, e.g. %s > 0.5.",
			chart.Number(float64(res.Customers)), from, f3(res.Mean), res.Column, res.Column)
		if d.info != nil && d.info.Name == name {
			d.scoreInfo.SetText(msg)
		}
		d.p.setStatus(fmt.Sprintf("Scored %s customers with %s into model_scores.%s", chart.Number(float64(res.Customers)), name, res.Column))
		d.p.refreshTables("") // model_scores is new or has a new column
	})
}

// evaluateOther measures the model on every row of another table that has
// its target, e.g. a churn table built at a later cut-off: an out-of-time
// check of whether it still ranks customers well.
func (d *modelDetail) evaluateOther() {
	if d.info == nil {
		return
	}
	name, target := d.info.Name, d.info.Target
	var tables []string
	for _, t := range d.p.tables {
		for _, c := range t.Columns {
			if strings.EqualFold(c.Name, target) && t.Name != d.info.Source.Table {
				tables = append(tables, t.Name)
				break
			}
		}
	}
	if len(tables) == 0 {
		dialog.ShowInformation("Measure on another table", "No other table has the column "+target+
			". For a churn or purchase model, build one at a later cut-off with the Train tab (or 'model target'), then measure the model on it.", d.p.win)
		return
	}
	sel := widget.NewSelect(tables, nil)
	sel.SetSelected(tables[0])
	dialog.ShowForm("Measure "+name+" on another table", "Measure", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Table", sel)}, func(ok bool) {
			if !ok {
				return
			}
			table := sel.Selected
			var ev *model.Evaluation
			d.p.run("Measuring "+name+" on "+table, func(ctx context.Context, _ core.Progress) (err error) {
				ev, err = d.p.ws.EvaluateModel(ctx, name, table)
				return err
			}, func(err error) {
				if err != nil {
					d.p.showError(err)
					return
				}
				var msg string
				if ev.Regression {
					msg = fmt.Sprintf("On %s rows of %s: RMSE %s, MAE %s, R² %s.", chart.Number(float64(ev.TestRows)), table, f3(ev.RMSE), f3(ev.MAE), f3(ev.R2))
				} else {
					msg = fmt.Sprintf("On %s rows of %s: ROC AUC %s (on its test rows: %s), accuracy %s, log loss %s.", chart.Number(float64(ev.TestRows)), table,
						f3(ev.AUC), f3(d.info.Eval.AUC), f3(ev.Accuracy), f3(ev.LogLoss))
				}
				dialog.ShowInformation("Measured on "+table, msg, d.p.win)
			})
		}, d.p.win)
}

// explainCustomer shows why the model scores one customer as it does.
func (d *modelDetail) explainCustomer() {
	id := strings.TrimSpace(d.customer.Text)
	if d.info == nil {
		return
	}
	if id == "" {
		dialog.ShowInformation("Explain a score", "Type a customer id, as it appears in your customer table, then press Explain.", d.p.win)
		return
	}
	info := *d.info
	d.explain.Disable()
	d.exScore.SetText("Explaining…")
	async(d.p, d.p.ctx, func(ctx context.Context) (*core.CustomerExplanation, error) {
		return d.p.ws.Explain(ctx, info.Name, id, "", 5)
	}, func(ex *core.CustomerExplanation, err error) {
		d.explain.Enable()
		if d.info == nil || d.info.Name != info.Name {
			return
		}
		if err != nil {
			d.exScore.SetText("")
			d.p.showError(err)
			return
		}
		d.showExplanation(&info, ex)
	})
}

func (d *modelDetail) showExplanation(info *core.ModelInfo, ex *core.CustomerExplanation) {
	score := chart.Number(ex.Score)
	unit := "in the target's units"
	switch info.Algo {
	case model.LogReg:
		score, unit = pct(ex.Score)+" likely "+info.Target, "in log-odds"
	case model.Tree, model.Forest:
		score, unit = pct(ex.Score)+" likely "+info.Target, "in probability"
	}
	d.exScore.SetText(fmt.Sprintf("Customer %s: %s", ex.Customer, score))
	list := func(head string, cs []explain.Contribution) string {
		if len(cs) == 0 {
			return ""
		}
		var b strings.Builder
		b.WriteString(head)
		for _, c := range cs {
			fmt.Fprintf(&b, "\n•  %s  (%+.3g)", contributionText(c), c.Amount)
		}
		return b.String()
	}
	d.exUp.SetText(list("▲ Pushes the score up", ex.Up))
	d.exDown.SetText(list("▼ Pushes it down", ex.Down))
	if ex.Text == "" {
		d.exText.SetText("No feature moves this customer's score away from the average.")
		return
	}
	d.exText.SetText(sentence(ex.Text) + " (pushes " + unit + ")")
}

func contributionText(c explain.Contribution) string {
	if c.Text != "" {
		return c.Text
	}
	return c.Name + " " + chart.Number(c.Value)
}

// clustersView is the Clusters tab: k-means on a table's numeric columns.
type clustersView struct {
	p      *project
	tables []storage.Table

	table    *widget.Select
	features *widget.CheckGroup
	k        *widget.Entry
	elbow    *widget.Entry
	seed     *widget.Entry
	name     *widget.Entry
	runBtn   *widget.Button
	info     *widget.Label
	result   *grid
	chart    *chartView
	chartReq latest
	content  fyne.CanvasObject
}

func newClustersView(p *project) *clustersView {
	v := &clustersView{p: p, result: newGrid(), chart: newChartView()}
	entry := func(text, placeholder string) *widget.Entry {
		e := &widget.Entry{Text: text, PlaceHolder: placeholder}
		e.ExtendBaseWidget(e)
		return e
	}
	v.table = widget.NewSelect(nil, func(string) { v.tableChanged() })
	v.table.PlaceHolder = "Choose a table"
	v.features = widget.NewCheckGroup(nil, nil)
	v.features.Horizontal = true
	v.k = entry("4", "")
	v.elbow = entry("8", "empty: no elbow chart")
	v.seed = entry("42", "")
	v.name = entry("", "optional: save as model_scores.cluster_NAME")
	v.runBtn = &widget.Button{Text: "Find clusters", Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: "k-means groups customers with similar numbers (e.g. the rfm_scores table). Columns are standardised first, so one in thousands does not drown one in units."}
	v.chart.message("The elbow chart shows here: choose k where adding a cluster stops paying off.")

	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	small := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	row := container.NewHBox(lbl("Table"), small(v.table, 200), lbl("k"), small(v.k, 60), lbl("Elbow up to k"), small(v.elbow, 60),
		lbl("Seed"), small(v.seed, 70), lbl("Save as"), small(v.name, 300), v.runBtn)
	feats := container.NewBorder(nil, nil, lbl("Features"), nil, container.NewHScroll(v.features))
	split := container.NewHSplit(v.result.table, v.chart.content)
	split.Offset = 0.55
	v.content = container.NewBorder(container.NewVBox(row, feats, v.info), nil, nil, nil, split)
	return v
}

func (v *clustersView) setTables(ts []storage.Table) {
	v.tables = ts
	var opts []string
	for _, t := range ts {
		if slices.ContainsFunc(t.Columns, func(c storage.Column) bool { return c.IsNumeric() }) {
			opts = append(opts, t.Name)
		}
	}
	v.table.Options = opts
	switch {
	case slices.Contains(opts, v.table.Selected):
		v.tableChanged()
	case slices.Contains(opts, "rfm_scores"):
		v.table.SetSelected("rfm_scores")
	case len(opts) > 0:
		v.table.SetSelected(opts[0])
	}
	v.table.Refresh()
}

// tableChanged offers the numeric columns, all ticked.
func (v *clustersView) tableChanged() {
	var cols []string
	for _, t := range v.tables {
		if t.Name == v.table.Selected {
			for _, c := range t.Columns {
				if c.IsNumeric() {
					cols = append(cols, c.Name)
				}
			}
		}
	}
	keep := slices.DeleteFunc(slices.Clone(v.features.Selected), func(s string) bool { return !slices.Contains(cols, s) })
	same := slices.Equal(cols, v.features.Options)
	v.features.Options = cols
	if !same || len(keep) == 0 {
		keep = cols
	}
	v.features.SetSelected(keep)
}

func (v *clustersView) run() {
	r := core.ClusterRequest{Table: v.table.Selected, Name: strings.TrimSpace(v.name.Text)}
	fail := func(msg string) { dialog.ShowInformation("Find clusters", msg, v.p.win) }
	if r.Table == "" {
		fail("Choose the table whose rows to group, e.g. rfm_scores or a customer table.")
		return
	}
	if len(v.features.Selected) == 0 {
		fail("Tick at least one numeric column to cluster on.")
		return
	}
	if len(v.features.Selected) < len(v.features.Options) {
		for _, o := range v.features.Options {
			if slices.Contains(v.features.Selected, o) {
				r.Features = append(r.Features, o)
			}
		}
	}
	var err error
	if r.K, err = whole(v.k, "k", 2, 50); err == nil && r.K == 0 {
		err = formError("k must be a whole number from 2 to 50.")
	}
	if err == nil {
		r.Elbow, err = whole(v.elbow, "The elbow's largest k", 0, 30)
	}
	var seed int
	if err == nil {
		seed, err = whole(v.seed, "The seed", 0, 1<<31)
	}
	if err != nil {
		fail(err.Error())
		return
	}
	r.Seed = uint64(seed)
	v.runBtn.Disable()
	var res *core.ClusterResult
	v.p.run(fmt.Sprintf("Finding %d clusters in %s…", r.K, r.Table), func(ctx context.Context, progress core.Progress) error {
		var err error
		res, err = v.p.ws.Cluster(ctx, r, progress)
		return err
	}, func(err error) {
		v.runBtn.Enable()
		if err != nil {
			v.p.showError(err)
			return
		}
		v.show(r, res)
		if res.Column != "" {
			v.p.refreshTables("")
		}
	})
}

func (v *clustersView) show(r core.ClusterRequest, res *core.ClusterResult) {
	info := fmt.Sprintf("k-means with k = %d on %s rows of %s. Inertia %s (on standardised columns; lower is tighter)", res.K,
		chart.Number(float64(res.Rows)), r.Table, chart.Number(res.Inertia))
	if !math.IsNaN(res.Silhouette) {
		info += fmt.Sprintf(", silhouette %s (−1 to 1; above 0.25 the groups are fairly distinct)", f3(res.Silhouette))
	}
	info += "."
	if res.Column != "" {
		info += fmt.Sprintf(" Saved as model_scores.%s (1 to %d): use it in segment rules, e.g. %s = 1.", res.Column, res.K, res.Column)
	}
	v.info.SetText(info)
	cols := append([]string{"Cluster", "Customers", "Share"}, res.Features...)
	types := []string{"BIGINT", "BIGINT", "DOUBLE"}
	for range res.Features {
		types = append(types, "DOUBLE")
	}
	var rows [][]string
	for c, size := range res.Sizes {
		row := []string{strconv.Itoa(c + 1), chart.Number(float64(size)), pct(float64(size) / math.Max(1, float64(res.Rows)))}
		for _, m := range res.Means[c] {
			row = append(row, chart.Number(m))
		}
		rows = append(rows, row)
	}
	v.result.set(cols, types, rows)
	if len(res.Elbow) == 0 {
		v.chart.message("No elbow chart: give a largest k of 3 or more.")
		return
	}
	ks := make([]int, len(res.Elbow))
	for i := range ks {
		ks[i] = i + 2
	}
	elbow := slices.Clone(res.Elbow)
	showPlot(v.p, v.chart, &v.chartReq, "elbow-"+r.Table, func() (*plot.Plot, error) {
		return chart.Elbow("Elbow: inertia by number of clusters ("+r.Table+")", ks, elbow)
	})
}

// rankFeatures shows how much each column says about the chosen yes/no
// target (mutual information, correlation, chi-square), to pick features.
func (f *trainForm) rankFeatures() {
	t := f.table()
	target := f.target.Selected
	if t == nil || target == "" {
		dialog.ShowInformation("Rank features", "Choose a table and the column to predict first.", f.p.win)
		return
	}
	table := t.Name
	var ranks []core.FeatureRank
	f.p.run("Ranking features", func(ctx context.Context, _ core.Progress) (err error) {
		ranks, err = f.p.ws.RankFeatures(ctx, table, target, nil)
		return err
	}, func(err error) {
		if err != nil {
			f.p.showError(err)
			return
		}
		g := newGrid()
		var rows [][]string
		num := func(v float64, format string) string {
			if math.IsNaN(v) {
				return "—"
			}
			return fmt.Sprintf(format, v)
		}
		for _, r := range ranks {
			rows = append(rows, []string{r.Feature, r.Kind, num(r.MI, "%.4f"), num(r.Correlation, "%+.3f"), num(r.ChiSquare, "%.1f"), num(r.ChiSquareP, "%.3g")})
		}
		g.set([]string{"Feature", "Kind", "Mutual information", "Correlation", "Chi-square", "p"},
			[]string{"", "", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
		note := &widget.Label{Text: "How much each column says about " + target + " on its own, most first. Mutual information compares numbers (on 10 quantile bins) and categories alike; 0 means nothing.", Wrapping: fyne.TextWrapWord}
		d := dialog.NewCustom("Features ranked for "+target, "Close", container.NewBorder(note, nil, nil, nil, g.table), f.p.win)
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	})
}
