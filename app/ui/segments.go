package ui

import (
	"context"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// schemes are the RFM schemes offered, by the name core takes; the label
// is the scheme's English title, shown through i18n.T.
var schemes = func() []struct{ label, name string } {
	var out []struct{ label, name string }
	for _, sc := range core.RFMSchemes() {
		out = append(out, struct{ label, name string }{sc.Title, sc.Name})
	}
	return out
}()

// segmentsScreen scores customers with RFM, summarises every segment with
// charts, builds rule segments and manages the saved ones.
type segmentsScreen struct {
	p      *project
	loaded bool

	// RFM tab
	tableSel  *widget.Select
	schemeSel *widget.Select
	asOf      *widget.Entry
	runBtn    *widget.Button
	rfmInfo   *widget.Label
	sums      []segment.Summary
	summary   *grid
	selected  int // summary row, -1 for none
	exportSum *widget.Button
	charts    map[string]*chartView
	chartReqs map[string]*latest
	sumReq    latest

	rules *ruleEditor

	// Saved tab
	saved      []segment.Segment
	savedGrid  *grid
	savedSel   int
	savedBtns  []*widget.Button
	savedInfo  *widget.Label
	savedReq   latest
	tabs       *container.AppTabs
	content    fyne.CanvasObject
	chartOrder []string
}

func newSegmentsScreen(p *project) *segmentsScreen {
	s := &segmentsScreen{p: p, summary: newGrid(), savedGrid: newGrid(), selected: -1, savedSel: -1,
		charts: map[string]*chartView{}, chartReqs: map[string]*latest{}}
	s.rules = newRuleEditor(p, s.segmentSaved)

	var labels []string
	for _, sc := range schemes {
		labels = append(labels, i18n.T(sc.label))
	}
	s.tableSel = widget.NewSelect(nil, nil)
	s.tableSel.PlaceHolder = i18n.T("Choose the order table")
	s.schemeSel = widget.NewSelect(labels, nil)
	s.schemeSel.SetSelected(labels[0])
	s.asOf = &widget.Entry{PlaceHolder: i18n.T("YYYY-MM-DD (empty: day after the last order)")}
	s.asOf.ExtendBaseWidget(s.asOf)
	s.asOf.OnSubmitted = func(string) { s.runRFM() }
	s.runBtn = &widget.Button{Text: i18n.T("Run RFM"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: s.runRFM}
	s.rfmInfo = &widget.Label{Text: i18n.T("Every segment: RFM segments of the latest run, then saved rule segments. Run RFM again after importing new orders."), Wrapping: fyne.TextWrapWord}
	s.exportSum = &widget.Button{Text: i18n.T("Export members…"), Icon: theme.UploadIcon(), OnTapped: func() {
		if s.selected >= 0 && s.selected < len(s.sums) {
			name := s.sums[s.selected].Name
			p.chooseExport("segment:"+name, name)
		}
	}}
	s.exportSum.Disable()
	s.summary.onSelect = func(row int) {
		s.selected = row
		s.exportSum.Enable()
	}

	// Each caption stays with its field; the row wraps on a narrow window.
	form := newFlow(
		container.NewHBox(widget.NewLabel(i18n.T("Orders")), container.NewGridWrap(fyne.NewSize(180, s.tableSel.MinSize().Height), s.tableSel)),
		container.NewHBox(widget.NewLabel(i18n.T("Scheme")), container.NewGridWrap(fyne.NewSize(280, s.schemeSel.MinSize().Height), s.schemeSel)),
		container.NewHBox(widget.NewLabel(i18n.T("As of")), container.NewGridWrap(fyne.NewSize(330, s.asOf.MinSize().Height), s.asOf)),
		s.runBtn,
	)
	// RFM segments and rule segments apart: rule segments overlap, so
	// their shares do not add up to 100% as the RFM segments' do.
	s.chartOrder = []string{core.ChartSegmentSize, core.ChartSegmentRevenue, core.ChartRFMHeatmap, core.ChartRuleSegments}
	titles := map[string]string{core.ChartSegmentSize: i18n.T("Customers"), core.ChartSegmentRevenue: i18n.T("Revenue"),
		core.ChartRFMHeatmap: i18n.T("R × F heat map"), core.ChartRuleSegments: i18n.T("Rule segments")}
	chartTabs := container.NewAppTabs()
	for _, k := range s.chartOrder {
		s.charts[k] = newChartView()
		s.chartReqs[k] = &latest{}
		chartTabs.Append(container.NewTabItem(titles[k], s.charts[k].content))
	}
	left := container.NewBorder(nil, container.NewHBox(s.exportSum, explainButton(p, core.ExplainSegment, func() string {
		if s.selected >= 0 && s.selected < len(s.sums) {
			return s.sums[s.selected].Name
		}
		return ""
	})), nil, nil, s.summary.table)
	// The charts get the larger share: they scroll rather than squash
	// when the window is small.
	split := container.NewHSplit(left, chartTabs)
	split.Offset = 0.45
	rfmTab := container.NewBorder(container.NewVBox(form, s.rfmInfo), nil, nil, nil, split)

	// Saved segments tab.
	s.savedInfo = &widget.Label{Text: i18n.T("Saved rule segments. Select one to re-evaluate, edit, export or delete it."), Wrapping: fyne.TextWrapWord}
	s.savedGrid.onSelect = func(row int) {
		s.savedSel = row
		for _, b := range s.savedBtns {
			b.Enable()
		}
		// A fixed list has no rule to edit.
		if sg := s.selectedSaved(); sg != nil && sg.Kind == segment.KindList {
			s.savedBtns[0].Disable()
		}
	}
	s.savedBtns = []*widget.Button{
		{Text: i18n.T("Edit in rule builder"), Icon: theme.DocumentCreateIcon(), OnTapped: s.editSaved},
		{Text: i18n.T("Re-evaluate"), Icon: theme.ViewRefreshIcon(), OnTapped: s.evaluateSaved},
		{Text: i18n.T("Export members…"), Icon: theme.UploadIcon(), OnTapped: func() {
			if sg := s.selectedSaved(); sg != nil {
				p.chooseExport("segment:"+sg.Name, sg.Name)
			}
		}},
		{Text: i18n.T("Delete…"), Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: s.deleteSaved},
	}
	var btns []fyne.CanvasObject
	for _, b := range s.savedBtns {
		b.Disable()
		btns = append(btns, b)
	}
	savedTab := container.NewBorder(s.savedInfo, newFlow(btns...), nil, nil, s.savedGrid.table)

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(i18n.T("RFM and summary"), theme.ListIcon(), rfmTab),
		container.NewTabItemWithIcon(i18n.T("Rule builder"), theme.ContentAddIcon(), s.rules.content),
		container.NewTabItemWithIcon(i18n.T("Saved segments"), theme.DocumentSaveIcon(), savedTab),
	)
	s.content = s.tabs
	p.onTables = append(p.onTables, s.setTables)
	return s
}

// shown loads the summaries on the first visit; later visits keep what is
// shown, and the screen refreshes itself after each change it makes.
func (s *segmentsScreen) shown() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.setTables(s.p.tables)
	s.refresh()
	async(s.p, s.p.ctx, func(ctx context.Context) (*segment.RFMRun, error) {
		return s.p.ws.LastRFM(ctx)
	}, func(run *segment.RFMRun, err error) {
		if err == nil && run != nil {
			s.rfmInfo.SetText(strings.TrimSpace(i18n.T("Last run: %s customers of %s as of %s with %s. %s",
				i18n.Number(float64(run.Customers)), run.Table, i18n.Date(run.AsOf), i18n.T(run.Scheme.Title), core.RFMThresholdsText(run))))
		}
	})
}

// setTables offers the tables that have the roles RFM needs: customer id,
// order date and an amount (or quantity and unit price). The rule builder
// gets every table.
func (s *segmentsScreen) setTables(ts []storage.Table) {
	if !s.loaded {
		return // shown() catches up on the first visit
	}
	s.rules.setTables(ts)
	async(s.p, s.p.ctx, func(ctx context.Context) ([]string, error) {
		return s.p.ws.RFMTables(ctx)
	}, func(names []string, err error) {
		if err != nil {
			return // the RFM run reports a missing order table in words
		}
		s.tableSel.Options = names
		if s.tableSel.Selected == "" && len(names) > 0 {
			s.tableSel.SetSelected(names[0])
		}
		s.tableSel.Refresh()
	})
}

// refresh reloads the summary, the charts and the saved segments.
func (s *segmentsScreen) refresh() {
	ctx := s.sumReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]segment.Summary, error) {
		return s.p.ws.Segments(ctx)
	}, func(sums []segment.Summary, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.p.showError(err)
			return
		}
		s.setSummary(sums)
	})
	for _, k := range s.chartOrder {
		s.charts[k].load(s.p, s.chartReqs[k], core.ChartSpec{Kind: k})
	}
	s.refreshSaved()
}

func (s *segmentsScreen) setSummary(sums []segment.Summary) {
	s.sums = sums
	s.selected = -1
	s.exportSum.Disable()
	if len(sums) == 0 {
		s.rfmInfo.SetText(i18n.T("No segments yet. Choose the order table and press Run RFM, or build a rule segment."))
	}
	var rows [][]string
	for _, x := range sums {
		name := core.SegmentName(x)
		if x.Damaged != "" {
			rows = append(rows, []string{name, i18n.T("damaged: %s", i18n.T(x.Damaged)), "—", "—", "—", "—", "—"})
			continue
		}
		rev, aov, rec := "—", "—", "—"
		if x.HasValue {
			// Whole currency units and days are precise enough to compare segments.
			rev, aov, rec = s.p.money(0, x.Revenue), s.p.money(2, x.AOV), i18n.Number(math.Round(x.AvgRecency))
		}
		rows = append(rows, []string{name, core.SegmentKind(x.Kind), i18n.Number(float64(x.Size)), i18n.Percent(1, x.Share), rev, aov, rec})
	}
	s.summary.set([]string{i18n.T("Segment"), i18n.T("Kind"), i18n.T("Customers"), i18n.T("Share"), i18n.T("Revenue"), i18n.T("AOV"), i18n.T("Recency (days)")},
		[]string{"", "", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
}

// runRFM scores customers; the as-of date is optional.
func (s *segmentsScreen) runRFM() {
	var asOf time.Time
	if txt := strings.TrimSpace(s.asOf.Text); txt != "" {
		t, err := time.Parse("2006-01-02", txt)
		if err != nil {
			dialog.ShowInformation(i18n.T("As-of date"), i18n.T("%q is not a date. Write it as YYYY-MM-DD, e.g. 2026-01-31, or leave it empty to use the day after the last order.", txt), s.p.win)
			return
		}
		asOf = t
	}
	table, scheme := s.tableSel.Selected, schemes[0].name
	for _, sc := range schemes {
		if i18n.T(sc.label) == s.schemeSel.Selected {
			scheme = sc.name
		}
	}
	s.runBtn.Disable()
	var run *segment.RFMRun
	s.p.run(i18n.T("Scoring customers…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Computing recency, frequency and monetary scores"), -1)
		var err error
		run, err = s.p.ws.RFM(ctx, table, scheme, asOf)
		return err
	}, func(err error) {
		s.runBtn.Enable()
		if err != nil {
			s.p.showError(err)
			return
		}
		s.rfmInfo.SetText(strings.TrimSpace(i18n.T("Scored %s customers of %s as of %s with %s. %s",
			i18n.Number(float64(run.Customers)), run.Table, i18n.Date(run.AsOf), i18n.T(run.Scheme.Title), core.RFMThresholdsText(run))))
		s.p.setStatus(i18n.T("RFM finished: %s", s.rfmInfo.Text))
		s.refresh()
		s.p.refreshTables("") // rfm_scores is new or changed
	})
}

// segmentSaved is called by the rule editor after a save.
func (s *segmentsScreen) segmentSaved(sg *segment.Segment) {
	s.p.setStatus(i18n.T("Saved segment %q: %s customers", sg.Name, i18n.Number(float64(sg.Size))))
	s.refresh()
}

func (s *segmentsScreen) refreshSaved() {
	ctx := s.savedReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]segment.Segment, error) {
		return s.p.ws.SavedSegments(ctx)
	}, func(list []segment.Segment, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.p.showError(err)
			return
		}
		s.saved = list
		s.savedSel = -1
		for _, b := range s.savedBtns {
			b.Disable()
		}
		var rows [][]string
		for _, sg := range list {
			rule := ""
			switch {
			case sg.Rule != nil:
				rule = sg.Rule.String()
			case sg.Kind == segment.KindList && sg.Description != "":
				rule = i18n.T("fixed list: %s", sg.Description)
			case sg.Kind == segment.KindList:
				rule = i18n.T("fixed list")
			}
			if sg.Damaged != "" {
				rule = i18n.T("damaged: %s (delete it, or save it again)", i18n.T(sg.Damaged))
			}
			rows = append(rows, []string{sg.Name, sg.Table, i18n.Number(float64(sg.Size)), i18n.DateTime(sg.EvaluatedAt.Local()), rule})
		}
		s.savedGrid.set([]string{i18n.T("Name"), i18n.T("Table"), i18n.T("Customers"), i18n.T("Evaluated"), i18n.T("Rule")}, []string{"", "", "BIGINT", "", ""}, rows)
		if len(list) == 0 {
			s.savedInfo.SetText(i18n.T("No saved segments yet. Build one in the Rule builder tab and save it."))
		}
	})
}

func (s *segmentsScreen) selectedSaved() *segment.Segment {
	if s.savedSel < 0 || s.savedSel >= len(s.saved) {
		return nil
	}
	return &s.saved[s.savedSel]
}

func (s *segmentsScreen) editSaved() {
	if sg := s.selectedSaved(); sg != nil {
		if sg.Damaged != "" {
			s.p.showError(i18n.Errorf("segment %q is damaged (%s); delete it, or build the rule again and save it under the same name", sg.Name, sg.Damaged))
			return
		}
		if sg.Rule == nil {
			s.p.showError(i18n.Errorf("segment %q is a fixed list of customers, not a rule, so it cannot be edited; make it again where it was made", sg.Name))
			return
		}
		s.rules.load(sg.Name, sg.Table, sg.Rule)
		s.tabs.SelectIndex(1)
	}
}

func (s *segmentsScreen) evaluateSaved() {
	sg := s.selectedSaved()
	if sg == nil {
		return
	}
	name := sg.Name
	var res *segment.Segment
	s.p.run(i18n.T("Evaluating %s…", name), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Finding the customers of %s", name), -1)
		var err error
		res, err = s.p.ws.EvaluateSegment(ctx, name)
		return err
	}, func(err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		s.p.setStatus(i18n.T("Segment %q now has %s customers", res.Name, i18n.Number(float64(res.Size))))
		s.refresh()
	})
}

func (s *segmentsScreen) deleteSaved() {
	sg := s.selectedSaved()
	if sg == nil {
		return
	}
	name := sg.Name
	dialog.ShowConfirm(i18n.T("Delete segment"), i18n.T("Delete the segment %q? Its rule and member list are removed; your data is not touched.", name), func(ok bool) {
		if !ok {
			return
		}
		async(s.p, s.p.ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.p.ws.DeleteSegment(ctx, name)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.p.showError(err)
				return
			}
			s.p.setStatus(i18n.T("Deleted segment %s", name))
			s.refresh()
		})
	}, s.p.win)
}
