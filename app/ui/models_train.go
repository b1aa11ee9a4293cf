package ui

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

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
	hidden   *widget.Entry // the network's layer sizes, "64, 32"
	epochs   *widget.Entry
	rate     *widget.Entry
	early    *widget.Check

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
	f.source = widget.NewSelect([]string{i18n.T(srcChurn), i18n.T(srcPurchase)}, func(string) { f.sourceChanged() })
	f.source.PlaceHolder = i18n.T("Choose the training data")
	f.sourceNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	f.cutoff = entry("", i18n.T("YYYY-MM-DD (empty: the window before the last order)"))
	f.days = entry("90", "")
	f.target = widget.NewSelect(nil, func(string) { f.loadFeatures() })
	f.target.PlaceHolder = i18n.T("Choose the column to predict")
	f.features = widget.NewCheckGroup(nil, nil)
	f.featNote = &widget.Label{Wrapping: fyne.TextWrapWord}
	var labels []string
	for _, a := range algos {
		labels = append(labels, i18n.Say(a.label))
	}
	f.algo = widget.NewSelect(labels, func(string) { f.algoChanged() })
	f.algoNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	f.testShare = entry("20", "")
	f.seed = entry("42", "")
	f.name = entry("", i18n.T("automatic, e.g. churn_logreg"))
	f.replace = widget.NewCheck(i18n.T("Replace a model with the same name"), nil)

	f.c = entry("1", "")
	f.l1 = widget.NewCheck(i18n.T("L1 penalty (keeps fewer features)"), nil)
	f.balanced = widget.NewCheck(i18n.T("Weight both outcomes equally (rare outcomes)"), nil)
	f.alpha = entry("0", "")
	f.maxDepth = entry("", i18n.T("4 for a tree, 12 for a forest"))
	f.minLeaf = entry("", "20")
	f.trees = entry("", "100")
	f.crit = widget.NewSelect([]string{i18n.T(critGini), i18n.T(critEntropy)}, nil)
	f.crit.SetSelected(i18n.T(critGini))
	f.hidden = entry("", "64, 32")
	f.epochs = entry("", "200")
	f.rate = entry("", "0.001")
	f.early = widget.NewCheck(i18n.T("Stop early (network)"), nil)
	f.early.SetChecked(true)
	f.trainBtn = &widget.Button{Text: i18n.T("Train"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: f.start}
	f.segment = widget.NewSelect([]string{i18n.T(allRows)}, nil)
	f.segment.SetSelected(i18n.T(allRows))

	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	cutLbl, daysLbl, targetLbl := lbl(i18n.T("Cut-off date")), lbl(i18n.T("Window (days)")), lbl(i18n.T("Target"))
	f.rowsOrders = []fyne.CanvasObject{cutLbl, f.cutoff, daysLbl, f.days}
	f.rowsTarget = []fyne.CanvasObject{targetLbl, f.target}
	form := container.New(layout.NewFormLayout(),
		lbl(i18n.T("Training data")), f.source,
		layout.NewSpacer(), f.sourceNote,
		lbl(i18n.T("Only customers in")), f.segment,
		cutLbl, f.cutoff,
		daysLbl, f.days,
		targetLbl, f.target,
		lbl(i18n.T("Algorithm")), f.algo,
		layout.NewSpacer(), f.algoNote,
		lbl(i18n.T("Test share (%)")), f.testShare,
		lbl(i18n.T("Seed")), f.seed,
		lbl(i18n.T("Name")), f.name,
		layout.NewSpacer(), f.replace,
	)
	adv := container.New(layout.NewFormLayout(),
		widget.NewLabel(i18n.T("C (logistic)")), f.c,
		layout.NewSpacer(), f.l1,
		layout.NewSpacer(), f.balanced,
		widget.NewLabel(i18n.T("Alpha (linear)")), f.alpha,
		widget.NewLabel(i18n.T("Max depth")), f.maxDepth,
		widget.NewLabel(i18n.T("Min rows per leaf")), f.minLeaf,
		widget.NewLabel(i18n.T("Trees (forest)")), f.trees,
		widget.NewLabel(i18n.T("Split criterion (tree)")), f.crit,
		widget.NewLabel(i18n.T("Hidden layers (network)")), f.hidden,
		widget.NewLabel(i18n.T("Epochs (network)")), f.epochs,
		widget.NewLabel(i18n.T("Learning rate (network)")), f.rate,
		layout.NewSpacer(), f.early,
	)
	advanced := widget.NewAccordion(widget.NewAccordionItem(i18n.T("Advanced"), adv))
	left := container.NewVBox(form, advanced, container.NewHBox(f.trainBtn))

	all := &widget.Button{Text: i18n.T("All"), Importance: widget.LowImportance, OnTapped: func() { f.features.SetSelected(f.features.Options) }}
	none := &widget.Button{Text: i18n.T("None"), Importance: widget.LowImportance, OnTapped: func() { f.features.SetSelected(nil) }}
	auto := &widget.Button{Text: i18n.T("Usable"), Importance: widget.LowImportance, OnTapped: func() { f.features.SetSelected(f.featAuto) }}
	rank := &widget.Button{Text: i18n.T("Rank…"), Importance: widget.LowImportance, OnTapped: f.rankFeatures}
	f.featBtns = container.NewHBox(rank, auto, all, none)
	featHead := container.NewBorder(nil, nil, lbl(i18n.T("Features")), f.featBtns)
	f.featBox = container.NewVScroll(f.features)
	right := container.NewBorder(container.NewVBox(featHead, f.featNote), nil, nil, nil, f.featBox)

	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.Offset = 0.6
	f.content = split
	f.algo.SetSelected(i18n.Say(algos[0].label))
	f.source.SetSelected(i18n.T(srcChurn))
	return f
}

func (f *trainForm) setTables(ts []storage.Table) {
	var before []storage.Column
	if t := f.table(); t != nil {
		before = t.Columns
	}
	f.tables = ts
	opts := []string{i18n.T(srcChurn), i18n.T(srcPurchase)}
	for _, t := range ts {
		opts = append(opts, t.Name)
	}
	f.source.Options = opts
	f.source.Refresh()
	ctx := f.segReq.start(f.p.ctx)
	async(f.p, ctx, func(ctx context.Context) ([]string, error) {
		sums, err := f.p.ws.Segments(ctx)
		names := []string{i18n.T(allRows)}
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
			sel = i18n.T(allRows)
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
	case i18n.T(srcChurn):
		return models.Churn
	case i18n.T(srcPurchase):
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
		outcome := i18n.T("placed no order")
		if kind == models.Purchase {
			outcome = i18n.T("placed an order")
		}
		f.sourceNote.SetText(i18n.T("One row per customer with an order by the cut-off date: their behaviour up to then (%s) and the columns of the customer table. "+
			"The outcome is whether they %s in the window after it. Built into the table %s_training.",
			strings.Join(models.BehaviourFeatures, ", "), outcome, kind))
		f.target.Options = nil
		f.target.ClearSelected()
		f.features.Options = nil
		f.features.Refresh()
		f.featAuto = nil
		f.featBox.Hide()
		f.featBtns.Hide()
		f.featNote.SetText(i18n.T("Chosen for you: the behaviour columns above plus the customer table's usable columns (no ids, contact details or free text)."))
		return
	}
	t := f.table()
	if t == nil {
		return
	}
	f.sourceNote.SetText(i18n.T("%s rows of %s. Pick the column to predict: two values (yes/no, 1/0) for logistic regression, trees and forests; a number for linear regression.",
		i18n.Number(float64(t.Rows)), t.Name))
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
	f.featNote.SetText(i18n.T("Checking which columns a model can use…"))
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
			f.featNote.SetText(sentence(i18n.Error(err)))
			return
		}
		f.featAuto = auto
		f.features.SetSelected(auto)
		f.featNote.SetText(i18n.T("Ticked: every usable column. Identifiers, contact details, dates, free text and text with more than %d values are left out.",
			models.MaxLevels))
	})
}

// setAlgos offers the built-in algorithms and the plugins' models. It runs
// on the UI goroutine, the only one that reads algos.
func (f *trainForm) setAlgos(list []core.Algorithm) {
	var out []algoChoice
	for _, a := range list {
		out = append(out, algoChoice{a.Name, a.Title, a.About})
	}
	if len(out) == 0 {
		return
	}
	algos = out
	labels := make([]string, len(out))
	for i, a := range out {
		labels[i] = i18n.Say(a.label)
	}
	sel := f.algo.Selected
	f.algo.SetOptions(labels)
	f.algo.SetSelected(sel)
}

func (f *trainForm) algoChanged() {
	a := algoByLabel(f.algo.Selected)
	f.algoNote.SetText(i18n.Say(a.about))
	enable := func(on bool, ws ...fyne.Disableable) {
		for _, w := range ws {
			if on {
				w.Enable()
			} else {
				w.Disable()
			}
		}
	}
	enable(a.name == model.LogReg, f.c, f.l1)
	enable(a.name == model.LogReg || a.name == model.MLP, f.balanced)
	enable(a.name == model.MLP || a.name == model.MLPReg, f.hidden, f.epochs, f.rate, f.early)
	enable(a.name == model.LinReg, f.alpha)
	enable(a.name == model.Tree || a.name == model.Forest, f.maxDepth, f.minLeaf)
	enable(a.name == model.Forest, f.trees)
	enable(a.name == model.Tree, f.crit)
}

// field names a form field in the mistakes num and whole tell: it is an
// error only so that i18n.Error translates it inside their message, while
// err.Error() keeps the English. Give it a text marked with i18n.Mark, or
// use i18n.Errorf for a name with arguments.
type field string

func (f field) Error() string { return string(f) }

// num reads a number from lo to hi (0 when empty); a mistake is told in
// words, naming the field what.
func num(e *widget.Entry, what error, lo, hi float64) (float64, error) {
	txt := strings.TrimSpace(e.Text)
	if txt == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(txt, 64)
	if err != nil || v < lo || v > hi {
		return 0, i18n.Errorf("%s must be a number from %v to %v; %q is not.", what, lo, hi, txt)
	}
	return v, nil
}

// whole is num for whole numbers.
func whole(e *widget.Entry, what error, lo, hi int) (int, error) {
	v, err := num(e, what, float64(lo), float64(hi))
	if err == nil && v != math.Trunc(v) {
		err = i18n.Errorf("%s must be a whole number; %q is not.", what, e.Text)
	}
	return int(v), err
}

// request reads the form into a train request.
func (f *trainForm) request() (core.TrainRequest, error) {
	var r core.TrainRequest
	a := algoByLabel(f.algo.Selected)
	r.Spec.Algo = a.name
	r.Name = strings.TrimSpace(f.name.Text)
	if seg := f.segment.Selected; seg != "" && seg != i18n.T(allRows) {
		r.Segment = seg
	}
	r.Replace = f.replace.Checked
	if kind := f.targetKind(); kind != "" {
		t := &models.Target{Kind: kind}
		if txt := strings.TrimSpace(f.cutoff.Text); txt != "" {
			if _, err := time.Parse("2006-01-02", txt); err != nil {
				return r, i18n.Errorf("%q is not a date. Write the cut-off as YYYY-MM-DD, e.g. 2026-06-30, or leave it empty to use the window before the last order.", txt)
			}
			t.Cutoff = txt
		}
		days, err := whole(f.days, field(i18n.Mark("The window")), 1, 3650)
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
			return r, i18n.Errorf("Choose the training data: churn or purchase from the orders, or a table.")
		}
		if f.target.Selected == "" {
			return r, i18n.Errorf("Choose the target: the column of %s the model should predict.", t.Name)
		}
		r.Table, r.Spec.Target = t.Name, f.target.Selected
		sel := f.features.Selected
		if len(sel) == 0 {
			return r, i18n.Errorf("Tick at least one feature column, or press Usable to tick every column a model can use.")
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
	share, err := num(f.testShare, field(i18n.Mark("The test share")), 5, 50)
	if err != nil {
		return r, err
	}
	r.Spec.TestSize = share / 100
	seed, err := whole(f.seed, field(i18n.Mark("The seed")), 0, 1<<31)
	if err != nil {
		return r, err
	}
	r.Spec.Seed = uint64(seed)
	switch a.name {
	case model.LogReg:
		if r.Spec.C, err = num(f.c, field("C"), 1e-6, 1e6); err != nil {
			return r, err
		}
		r.Spec.L1, r.Spec.Balanced = f.l1.Checked, f.balanced.Checked
	case model.LinReg:
		if r.Spec.Alpha, err = num(f.alpha, field(i18n.Mark("Alpha")), 0, 1e9); err != nil {
			return r, err
		}
	case model.Tree, model.Forest:
		if r.Spec.MaxDepth, err = whole(f.maxDepth, field(i18n.Mark("Max depth")), 1, 40); err != nil {
			return r, err
		}
		if r.Spec.MinLeaf, err = whole(f.minLeaf, field(i18n.Mark("Min rows per leaf")), 1, 1_000_000); err != nil {
			return r, err
		}
		if a.name == model.Forest {
			if r.Spec.Trees, err = whole(f.trees, field(i18n.Mark("Trees")), 1, 2000); err != nil {
				return r, err
			}
		} else if f.crit.Selected == i18n.T(critEntropy) {
			r.Spec.Criterion = "entropy"
		}
	case model.MLP, model.MLPReg:
		if err := f.network(&r.Spec); err != nil {
			return r, err
		}
	}
	return r, nil
}

// network reads the neural network's options into s.
func (f *trainForm) network(s *model.Spec) error {
	for part := range strings.SplitSeq(f.hidden.Text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || n > model.MaxHiddenUnits {
			return i18n.Errorf("Hidden layers: write the sizes separated by commas, such as 64, 32; %q is not a whole number from 1 to %d.", part, model.MaxHiddenUnits)
		}
		s.Hidden = append(s.Hidden, n)
	}
	var err error
	if s.Epochs, err = whole(f.epochs, field(i18n.Mark("Epochs")), 1, model.MaxEpochs); err != nil {
		return err
	}
	if s.LearningRate, err = num(f.rate, field(i18n.Mark("The learning rate")), 1e-6, 1); err != nil {
		return err
	}
	s.Balanced = s.Algo == model.MLP && f.balanced.Checked
	s.NoEarlyStopping = !f.early.Checked
	return nil
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
		dialog.ShowInformation(i18n.T("Train a model"), i18n.Error(err), f.p.win)
		return
	}
	target := r.Spec.Target
	if r.Target != nil {
		target = r.Target.Kind
	}
	f.trainBtn.Disable()
	var info *core.ModelInfo
	f.p.run(i18n.T("Training %s for %s…", lowerFirst(algoTitle(r.Spec.Algo)), target), func(ctx context.Context, progress core.Progress) error {
		var err error
		info, err = f.p.ws.Train(ctx, r, progress)
		return err
	}, func(err error) {
		f.trainBtn.Enable()
		if err != nil {
			f.p.showError(err)
			return
		}
		msg := i18n.T("Trained %s: %s", info.Name, headline(&info.Eval))
		if b := info.Built; b != nil {
			msg += i18n.T(" (built %s: %s customers as of %s, %s %s)", b.Table, i18n.Number(float64(b.Customers)), b.Target.Cutoff,
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
		return i18n.T("RMSE %s, R² %s on %s test rows", i18n.Number(ev.RMSE), f3(ev.R2), i18n.Number(float64(ev.TestRows)))
	}
	return i18n.T("AUC %s, accuracy %s on %s test rows", f3(ev.AUC), pct(ev.Accuracy), i18n.Number(float64(ev.TestRows)))
}

// lowerFirst lowers a title's first letter for use inside a sentence
// ("Logistic regression" → "logistic regression"); Chinese is unchanged.
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func pct(v float64) string { return chart.Percent(1)(v) }

func pval(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}
