package ui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"gonum.org/v1/plot"
)

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
	v.table.PlaceHolder = i18n.T("Choose a table")
	v.features = widget.NewCheckGroup(nil, nil)
	v.features.Horizontal = true
	v.k = entry("4", "")
	v.elbow = entry("8", i18n.T("empty: no elbow chart"))
	v.seed = entry("42", "")
	v.name = entry("", i18n.T("optional: save as model_scores.cluster_NAME"))
	v.runBtn = &widget.Button{Text: i18n.T("Find clusters"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: i18n.T("k-means groups customers with similar numbers (e.g. the rfm_scores table). Columns are standardised first, so one in thousands does not drown one in units.")}
	v.chart.message(i18n.T("The elbow chart shows here: choose k where adding a cluster stops paying off."))

	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	small := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	kLbl := lbl("k") // i18n:keep (the k of k-means)
	// A flow, not one row: it wraps instead of widening a small window.
	row := newFlow(container.NewHBox(lbl(i18n.T("Table")), small(v.table, 200)), container.NewHBox(kLbl, small(v.k, 60)),
		container.NewHBox(lbl(i18n.T("Elbow up to k")), small(v.elbow, 60)), container.NewHBox(lbl(i18n.T("Seed")), small(v.seed, 70)),
		container.NewHBox(lbl(i18n.T("Save as")), small(v.name, 300)), v.runBtn)
	feats := container.NewBorder(nil, nil, lbl(i18n.T("Features")), nil, container.NewHScroll(v.features))
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
	fail := func(msg string) { dialog.ShowInformation(i18n.T("Find clusters"), msg, v.p.win) }
	if r.Table == "" {
		fail(i18n.T("Choose the table whose rows to group, e.g. rfm_scores or a customer table."))
		return
	}
	if len(v.features.Selected) == 0 {
		fail(i18n.T("Tick at least one numeric column to cluster on."))
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
	if r.K, err = whole(v.k, field("k"), 2, 50); err == nil && r.K == 0 {
		err = i18n.Errorf("k must be a whole number from 2 to 50.")
	}
	if err == nil {
		r.Elbow, err = whole(v.elbow, field(i18n.Mark("The elbow's largest k")), 0, 30)
	}
	var seed int
	if err == nil {
		seed, err = whole(v.seed, field(i18n.Mark("The seed")), 0, 1<<31)
	}
	if err != nil {
		fail(i18n.Error(err))
		return
	}
	r.Seed = uint64(seed)
	v.runBtn.Disable()
	var res *core.ClusterResult
	v.p.run(i18n.T("Finding %d clusters in %s…", r.K, r.Table), func(ctx context.Context, progress core.Progress) error {
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
	rows, inertia := i18n.Number(float64(res.Rows)), i18n.Number(res.Inertia)
	info := i18n.T("k-means with k = %d on %s rows of %s. Inertia %s (on standardised columns; lower is tighter).", res.K, rows, r.Table, inertia)
	if !math.IsNaN(res.Silhouette) {
		info = i18n.T("k-means with k = %d on %s rows of %s. Inertia %s (on standardised columns; lower is tighter), "+
			"silhouette %s (−1 to 1; above 0.25 the groups are fairly distinct).", res.K, rows, r.Table, inertia, f3(res.Silhouette))
	}
	if res.Column != "" {
		info += i18n.T(" Saved as model_scores.%s (1 to %d): use it in segment rules, e.g. %s = 1.", res.Column, res.K, res.Column)
	}
	v.info.SetText(info)
	cols := append([]string{i18n.T("Cluster"), i18n.T("Customers"), i18n.T("Share")}, res.Features...)
	types := []string{"BIGINT", "BIGINT", "DOUBLE"}
	for range res.Features {
		types = append(types, "DOUBLE")
	}
	var out [][]string
	for c, size := range res.Sizes {
		row := []string{strconv.Itoa(c + 1), i18n.Number(float64(size)), pct(float64(size) / math.Max(1, float64(res.Rows)))}
		for _, m := range res.Means[c] {
			row = append(row, i18n.Number(m))
		}
		out = append(out, row)
	}
	v.result.set(cols, types, out)
	if len(res.Elbow) == 0 {
		v.chart.message(i18n.T("No elbow chart: give a largest k of 3 or more."))
		return
	}
	ks := make([]int, len(res.Elbow))
	for i := range ks {
		ks[i] = i + 2
	}
	elbow := slices.Clone(res.Elbow)
	showPlot(v.p, v.chart, &v.chartReq, "elbow-"+r.Table, func() (*plot.Plot, error) {
		return chart.Elbow(i18n.T("Elbow: inertia by number of clusters (%s)", r.Table), ks, elbow)
	})
}

// rankFeatures shows how much each column says about the chosen yes/no
// target (mutual information, correlation, chi-square), to pick features.
func (f *trainForm) rankFeatures() {
	t := f.table()
	target := f.target.Selected
	if t == nil || target == "" {
		dialog.ShowInformation(i18n.T("Rank features"), i18n.T("Choose a table and the column to predict first."), f.p.win)
		return
	}
	table := t.Name
	var ranks []core.FeatureRank
	f.p.run(i18n.T("Ranking features"), func(ctx context.Context, _ core.Progress) (err error) {
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
			rows = append(rows, []string{r.Feature, featureKindWords(r.Kind), num(r.MI, "%.4f"), num(r.Correlation, "%+.3f"), num(r.ChiSquare, "%.1f"), num(r.ChiSquareP, "%.3g")})
		}
		g.set([]string{i18n.T("Feature"), i18n.T("Kind"), i18n.T("Mutual information"), i18n.T("Correlation"), i18n.T("Chi-square"), "p"},
			[]string{"", "", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
		note := &widget.Label{Text: i18n.T("How much each column says about %s on its own, most first. Mutual information compares numbers (on 10 quantile bins) and categories alike; 0 means nothing.", target), Wrapping: fyne.TextWrapWord}
		d := dialog.NewCustom(i18n.T("Features ranked for %s", target), i18n.T("Close"), container.NewBorder(note, nil, nil, nil, g.table), f.p.win)
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	})
}

// featureKindWords says a ranked feature's kind ("number" or "category", as
// core.RankFeatures says it) for people.
func featureKindWords(kind string) string {
	switch kind {
	case "number":
		return i18n.T("number")
	case "category":
		return i18n.T("category")
	}
	return kind
}
