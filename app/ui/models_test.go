package ui

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage/models"
)

// TestModels trains a churn model through the form on the demo project,
// finds it in the list, looks at its detail, scores customers and explains
// one; then a bad target is refused in words and stores nothing.
func TestModels(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Models")
	idle(t, p)
	s := p.models
	if got := s.tabs.SelectedIndex(); got != 1 {
		t.Errorf("a project without models opens on tab %d, want the Train tab", got)
	}
	f := s.train
	if f.source.Selected != srcChurn || f.target.Visible() || !f.cutoff.Visible() {
		t.Fatalf("default source %q; target shown %v, cut-off shown %v", f.source.Selected, f.target.Visible(), f.cutoff.Visible())
	}
	if f.algo.Selected != algos[0].label.String() || algos[0].name != "logreg" {
		t.Fatalf("default algorithm %q", f.algo.Selected)
	}
	f.name.SetText("churn_test")
	test.Tap(f.trainBtn)
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		l, _ := find(top, func(*widget.Label) bool { return true })
		t.Fatalf("training opened a dialog: %v", l.Text)
	}
	i := slices.IndexFunc(s.models, func(m core.ModelInfo) bool { return m.Name == "churn_test" })
	if i < 0 {
		t.Fatalf("the model is not in the list: %v", s.list.rows)
	}
	if s.list.rows[i][0] != "churn_test" || s.list.rows[i][1] != "Logistic regression" || s.list.rows[i][2] != "churned" {
		t.Errorf("list row %v", s.list.rows[i])
	}
	if s.tabs.SelectedIndex() != 0 || s.selected != "churn_test" {
		t.Fatalf("after training: tab %d, selected %q", s.tabs.SelectedIndex(), s.selected)
	}
	if !strings.HasPrefix(p.status.Text, "Trained churn_test: AUC ") {
		t.Errorf("status %q", p.status.Text)
	}
	if strings.HasPrefix(s.listInfo.Text, "No models yet") {
		t.Errorf("the list says %q right after training", s.listInfo.Text)
	}

	d := s.detail
	if d.title.Text != "churn_test" || !strings.Contains(d.about.Text, "Logistic regression predicting churned") {
		t.Errorf("detail: %q / %q", d.title.Text, d.about.Text)
	}
	if len(d.metrics.rows) < 8 || d.metrics.rows[0][0] != "ROC AUC" {
		t.Fatalf("metrics %v", d.metrics.rows)
	}
	for _, k := range modelChartOrder {
		if c := d.charts[k]; c.img.Image == nil || c.save.Disabled() {
			t.Errorf("chart %s not drawn: %q", k, c.msg.Text)
		}
	}
	if got := tabTexts(d.chartTabs); !slices.Equal(got, []string{"Performance", "What it learned", "Explain a customer"}) {
		t.Errorf("detail tabs %v", got)
	}
	if tabNames := detailTabs(d); !slices.Contains(tabNames, "Coefficients") || slices.Contains(tabNames, "Rules") {
		t.Errorf("detail tabs %v", tabNames)
	}
	// At 1024×700 every tab shows its label: none hides behind "…".
	w.win.Resize(fyne.NewSize(1024, 700))
	for i, tabs := range []*container.AppTabs{d.perfTabs, d.learnTabs} {
		d.chartTabs.SelectIndex(i) // a tab's content is laid out when shown
		for _, tabs := range []*container.AppTabs{d.chartTabs, tabs} {
			if overflows(tabs) {
				t.Errorf("tabs %v overflow into a … menu at 1024×700", tabTexts(tabs))
			}
		}
	}
	w.win.Resize(fyne.NewSize(560, 700))
	if !overflows(d.chartTabs) {
		t.Error("the overflow check sees no overflow even in a narrow window")
	}
	w.win.Resize(fyne.NewSize(1024, 700))
	if len(d.coefs.rows) == 0 {
		t.Error("no coefficient table")
	}

	// Score customers: the scores land in model_scores.score_churn_test.
	test.Tap(d.scoreBtn)
	idle(t, p)
	if !strings.Contains(d.scoreInfo.Text, "model_scores.score_churn_test") || !strings.HasPrefix(d.scoreInfo.Text, "Scored ") {
		t.Fatalf("score info %q", d.scoreInfo.Text)
	}
	res, err := p.ws.SQL(context.Background(), "SELECT count(score_churn_test), min(customer_id) FROM model_scores")
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] == "0" {
		t.Fatalf("model_scores: %v", res.Rows)
	}
	id := res.Rows[0][1]

	// Explain one customer.
	test.Type(d.customer, id)
	test.Tap(d.explain)
	idle(t, p)
	if !regexp.MustCompile(`^Customer ` + id + `: [0-9.]+% likely to churn$`).MatchString(d.exScore.Text) {
		t.Fatalf("explanation score %q", d.exScore.Text)
	}
	// Pushes in percentage points; log-odds only in the advanced view.
	points := regexp.MustCompile(`\([+-][0-9.]+ points\)`)
	if !points.MatchString(d.exUp.Text+d.exDown.Text) || strings.Contains(d.exUp.Text+d.exDown.Text+d.exText.Text, "log-odds") {
		t.Fatalf("reasons not in points: %q / %q / %q", d.exUp.Text, d.exDown.Text, d.exText.Text)
	}
	if d.exRaw.Visible() {
		t.Fatal("the log-odds show without asking")
	}
	d.advanced.SetChecked(true)
	if !d.exRaw.Visible() || !strings.Contains(d.exRaw.Text, "log-odds") {
		t.Fatalf("advanced view %v: %q", d.exRaw.Visible(), d.exRaw.Text)
	}
	d.advanced.SetChecked(false)
	if d.exUp.Text == "" && d.exDown.Text == "" {
		t.Fatalf("no reasons: %q", d.exText.Text)
	}
	if d.exText.Text == "" {
		t.Error("no summary")
	}
	t.Logf("explanation: %s\n%s\n%s\n%s", d.exScore.Text, d.exUp.Text, d.exDown.Text, d.exText.Text)
	t.Logf("score: %s", d.scoreInfo.Text)
	t.Logf("metrics: %v", d.metrics.rows)
	// An unknown customer is an error in words.
	d.customer.SetText("nobody-here")
	test.Tap(d.explain)
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("an unknown customer showed no error")
	}
	must(t, top, "customer error", func(l *widget.Label) bool { return strings.Contains(l.Text, `"nobody-here"`) })
	w.win.Canvas().Overlays().Remove(top)

	// A text target with many values cannot be a yes/no: an error, no model.
	s.tabs.SelectIndex(1)
	f.source.SetSelected("customers")
	idle(t, p)
	if !f.target.Visible() || f.cutoff.Visible() || !slices.Contains(f.target.Options, "email") {
		t.Fatalf("table source: target shown %v with %v", f.target.Visible(), f.target.Options)
	}
	f.target.SetSelected("email")
	idle(t, p)
	if len(f.features.Selected) == 0 || slices.Contains(f.features.Selected, "email") || slices.Contains(f.features.Selected, "customer_id") {
		t.Fatalf("default features %v", f.features.Selected)
	}
	f.name.SetText("bad_email")
	test.Tap(f.trainBtn)
	idle(t, p)
	top = w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("a target with many values was accepted silently")
	}
	msg := must(t, top, "error message", func(l *widget.Label) bool { return strings.Contains(l.Text, "email") })
	t.Logf("bad target: %s", msg.Text)
	w.win.Canvas().Overlays().Remove(top)
	ms, err := p.ws.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || len(s.models) != 1 {
		t.Fatalf("models after the bad choice: %d stored, %d listed", len(ms), len(s.models))
	}

	// A mistake in the form is caught before any work starts.
	f.testShare.SetText("lots")
	test.Tap(f.trainBtn)
	top = w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("a bad test share was accepted")
	}
	must(t, top, "test share message", func(l *widget.Label) bool { return strings.Contains(l.Text, "test share") })
	w.win.Canvas().Overlays().Remove(top)
	f.testShare.SetText("20")

	// Clusters on rfm_scores with an elbow chart.
	s.tabs.SelectIndex(2)
	c := s.clusters
	if c.table.Selected != "rfm_scores" || len(c.features.Selected) == 0 {
		t.Fatalf("clusters on %q with %v", c.table.Selected, c.features.Selected)
	}
	c.k.SetText("3")
	c.elbow.SetText("6")
	c.name.SetText("rfm3")
	test.Tap(c.runBtn)
	idle(t, p)
	if len(c.result.rows) != 3 || !strings.Contains(c.info.Text, "silhouette") || !strings.Contains(c.info.Text, "model_scores.cluster_rfm3") {
		t.Fatalf("clusters: %v; %q", c.result.rows, c.info.Text)
	}
	t.Logf("clusters: %s", c.info.Text)
	if c.chart.img.Image == nil {
		t.Errorf("no elbow chart: %q", c.chart.msg.Text)
	}

	// Delete asks first, then removes the model and its detail.
	s.tabs.SelectIndex(0)
	test.Tap(s.deleteBtn)
	tapDialogButton(t, w, "Yes")
	idle(t, p)
	if len(s.models) != 0 || s.selected != "" || d.info != nil {
		t.Fatalf("after delete: %d models, selected %q", len(s.models), s.selected)
	}
}

// TestModelKinds trains a tree (rules instead of coefficients) and a
// linear regression (no yes/no charts) through the form.
func TestModelKinds(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Models")
	idle(t, p)
	s, f := p.models, p.models.train
	tabsOf := func() []string { return detailTabs(s.detail) }
	noDialog := func(what string) {
		t.Helper()
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			l, _ := find(top, func(*widget.Label) bool { return true })
			t.Fatalf("%s opened a dialog: %v", what, l.Text)
		}
	}

	f.source.SetSelected(srcPurchase)
	f.algo.SetSelected(algoTitle("tree"))
	if f.c.Disabled() == false || f.maxDepth.Disabled() {
		t.Error("the advanced options do not follow the algorithm")
	}
	f.maxDepth.SetText("3")
	test.Tap(f.trainBtn)
	idle(t, p)
	noDialog("the tree")
	if s.selected != "purchase_tree" {
		t.Fatalf("selected %q; models %v", s.selected, s.list.rows)
	}
	if got := tabsOf(); !slices.Contains(got, "Rules") || slices.Contains(got, "Coefficients") {
		t.Errorf("tree tabs %v", got)
	}
	if !strings.Contains(s.detail.rules.Text, "1.  ") {
		t.Errorf("rules %q", s.detail.rules.Text)
	}
	if s.detail.info.Spec.MaxDepth != 3 {
		t.Errorf("max depth %d", s.detail.info.Spec.MaxDepth)
	}
	// A purchase model reads "likely to buy", its pushes in points.
	res, err := p.ws.SQL(context.Background(), "SELECT min(customer_id) FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	s.detail.customer.SetText(res.Rows[0][0])
	test.Tap(s.detail.explain)
	idle(t, p)
	noDialog("explaining the tree")
	if !strings.HasSuffix(s.detail.exScore.Text, "% likely to buy") || !strings.Contains(s.detail.exUp.Text+s.detail.exDown.Text, " points)") {
		t.Fatalf("tree explanation %q / %q / %q", s.detail.exScore.Text, s.detail.exUp.Text, s.detail.exDown.Text)
	}

	s.tabs.SelectIndex(1)
	f.source.SetSelected("rfm_scores")
	idle(t, p)
	f.target.SetSelected("monetary")
	idle(t, p)
	f.algo.SetSelected(algoTitle("linreg"))
	f.features.SetSelected([]string{"recency", "frequency"})
	test.Tap(f.trainBtn)
	idle(t, p)
	noDialog("the regression")
	if s.selected != "monetary_linreg" {
		t.Fatalf("selected %q", s.selected)
	}
	if got := tabsOf(); slices.Contains(got, "ROC") || !slices.Contains(got, "Importance") {
		t.Errorf("regression tabs %v", got)
	}
	if feats := s.detail.info.Spec.Features(); !slices.Equal(feats, []string{"recency", "frequency"}) {
		t.Errorf("features %v", feats)
	}
	row := s.list.rows[slices.IndexFunc(s.list.rows, func(r []string) bool { return r[0] == "monetary_linreg" })]
	if row[5] != "—" || row[8] == "—" {
		t.Errorf("regression row %v", row)
	}
	if c := s.detail.charts[chImportance]; c.img.Image == nil {
		t.Errorf("no importance chart: %q", c.msg.Text)
	}
	if got := tabTexts(s.detail.chartTabs); !slices.Equal(got, []string{"What it learned", "Explain a customer"}) {
		t.Errorf("regression detail tabs %v", got)
	}

	// Another model: nothing of the last one's explanation stays.
	s.detail.customer.SetText(res.Rows[0][0])
	test.Tap(s.detail.explain)
	idle(t, p)
	if s.detail.exScore.Text == "" {
		t.Fatal("the regression explained nothing")
	}
	s.list.table.Select(widget.TableCellID{Row: slices.IndexFunc(s.models, func(m core.ModelInfo) bool { return m.Name == "purchase_tree" })})
	idle(t, p)
	if s.selected != "purchase_tree" || s.detail.customer.Text != "" || s.detail.exScore.Text != "" || s.detail.exUp.Text != "" {
		t.Fatalf("after switching to %q: customer box %q, score %q", s.selected, s.detail.customer.Text, s.detail.exScore.Text)
	}
}

func tabTexts(tabs *container.AppTabs) []string {
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// detailTabs lists a model detail's tabs and the tabs inside them.
func detailTabs(d *modelDetail) []string {
	return slices.Concat(tabTexts(d.chartTabs), tabTexts(d.perfTabs), tabTexts(d.learnTabs))
}

// overflows reports whether some tabs hide behind the "…" menu.
func overflows(tabs *container.AppTabs) bool {
	_, found := find(tabs, func(b *widget.Button) bool {
		return b.Visible() && b.Icon != nil && b.Icon.Name() == theme.MoreHorizontalIcon().Name()
	})
	return found
}

// The train form narrows the rows to a segment's customers.
func TestTrainOnSegment(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Models")
	idle(t, p)
	f := p.models.train
	f.source.SetSelected(srcChurn)
	idle(t, p)
	f.segment.SetSelected("Recent app buyers")
	f.name.SetText("champ_churn")
	test.Tap(f.trainBtn)
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		l, _ := find(top, func(*widget.Label) bool { return true })
		t.Fatalf("training opened a dialog: %v", l.Text)
	}
	ms, err := p.ws.Models(context.Background())
	if err != nil || len(ms) != 1 {
		t.Fatalf("models %v %v", ms, err)
	}
	m := ms[0]
	var all int
	p.ws.DB().QueryRow(`SELECT count(*) FROM churn_training`).Scan(&all)
	if n := m.Eval.TrainRows + m.Eval.TestRows; m.Source.Segment != "Recent app buyers" || n == 0 || n >= all {
		t.Errorf("model %s on segment %q with %d rows (table has %d)", m.Name, m.Source.Segment, n, all)
	}
}

// Rank… shows the columns ranked for the chosen target.
func TestRankFeatures(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Models")
	idle(t, p)
	f := p.models.train
	f.source.SetSelected("customers")
	idle(t, p)
	f.target.SetSelected("email_consent")
	idle(t, p)
	test.Tap(button(t, f.content, "Rank…"))
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no ranking dialog")
	}
	if _, ok := find(top, func(l *widget.Label) bool {
		return strings.Contains(l.Text, "How much each column says about email_consent")
	}); !ok {
		t.Error("ranking dialog lacks its note")
	}
}

// A stored churn model is measured on a table built at a later cut-off.
func TestEvaluateOnAnotherTable(t *testing.T) {
	w, p := open(t, demo(t))
	ctx := context.Background()
	if _, err := p.ws.Train(ctx, core.TrainRequest{Target: &models.Target{Kind: models.Churn}, Spec: model.Spec{Algo: model.LogReg}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ws.BuildTarget(ctx, models.Target{Kind: models.Churn, Days: 30}, "churn_later"); err != nil {
		t.Fatal(err)
	}
	p.refreshTables("")
	p.goTo("Models")
	idle(t, p)
	d := p.models.detail
	if d.info == nil {
		p.models.refresh("churn_logreg")
		idle(t, p)
	}
	test.Tap(d.evalBtn)
	tapDialogButton(t, w, "Measure")
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, "rows of churn_later: ROC AUC") {
		t.Fatalf("evaluation: %s", msg)
	}
}
