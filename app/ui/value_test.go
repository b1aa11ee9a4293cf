package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/segment"
	"github.com/marketbench/marketbench/storage/value"
)

// valueDemo opens a small demo project on the Value screen.
func valueDemo(t *testing.T) (*window, *project, *valueScreen) {
	t.Helper()
	ws, err := core.CreateDemo(t.Context(), filepath.Join(t.TempDir(), "demo"+storage.Ext),
		core.DemoOptions{Customers: 2000, Orders: 20000, Products: 120}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return onValue(t, ws)
}

func onValue(t *testing.T, ws *core.Workspace) (*window, *project, *valueScreen) {
	t.Helper()
	w, p := open(t, ws)
	p.goTo("Customer value")
	idle(t, p)
	if p.body.Objects[0] != p.value.content {
		t.Fatal("the Value screen is not shown")
	}
	return w, p, p.value
}

// dialogText is the text of the dialog on top, or "" for none.
func dialogText(w *window) string {
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return strings.Join(labels(top), " ")
}

// onSegments reports whether the Segments screen lists a segment of that
// name with that many customers (any size when size < 0).
func onSegments(t *testing.T, p *project, name string, size int64) bool {
	t.Helper()
	p.goTo("Segments")
	idle(t, p)
	return slices.ContainsFunc(p.segments.sums, func(x segment.Summary) bool { return x.Name == name && (size < 0 || x.Size == size) })
}

// TestValueLifetime fits and scores lifetime value on the demo's orders,
// refusing to score before the fit, and makes a segment of the valuable
// customers that the Segments screen lists and a campaign can take.
func TestValueLifetime(t *testing.T) {
	w, p, s := valueDemo(t)
	v := s.clv
	if v.tableSel.Selected != "orders" || v.calEnd.Text == "" {
		t.Fatalf("table %q (of %v), calibration end %q", v.tableSel.Selected, v.tableSel.Options, v.calEnd.Text)
	}
	// The calibration end is a third of the history before the last order.
	r, err := p.ws.SQL(t.Context(), "SELECT CAST(max(order_date)::DATE - to_days(CAST(date_diff('day', min(order_date)::DATE, max(order_date)::DATE) // 3 AS INTEGER)) AS DATE) FROM orders")
	if err != nil || r.Rows[0][0][:10] != v.calEnd.Text {
		t.Errorf("calibration end %q, want %v (%v)", v.calEnd.Text, r, err)
	}
	// Scoring before fitting says what to do first.
	test.Tap(v.scoreBtn)
	idle(t, p)
	if !v.info.Visible() || !strings.Contains(v.info.Text, "Fit a model first") || v.scored != nil {
		t.Fatalf("score before fit: %q", v.info.Text)
	}
	test.Tap(v.fitBtn)
	idle(t, p)
	if d := dialogText(w); d != "" {
		t.Fatalf("a dialog is open: %s", d)
	}
	if v.fit == nil || len(v.fit.Holdout) == 0 || len(v.fit.Tracking) == 0 || v.info.Visible() {
		t.Fatalf("fit %+v; info %q", v.fit, v.info.Text)
	}
	for _, want := range []string{"bought again", "buys about once every", "log-likelihood", "Check: in the"} {
		if !strings.Contains(v.summary.Text, want) {
			t.Errorf("summary lacks %q: %s", want, v.summary.Text)
		}
	}
	if v.check.plot == nil || v.track.plot == nil {
		t.Fatalf("charts: check %v (%q), tracking %v (%q)", v.check.plot != nil, v.check.msg.Text, v.track.plot != nil, v.track.msg.Text)
	}
	// A bad horizon is refused in words, and nothing is scored.
	v.horizon.SetText("-4")
	test.Tap(v.scoreBtn)
	idle(t, p)
	if v.scored != nil || !strings.Contains(v.info.Text, "horizon") {
		t.Fatalf("a negative horizon: %q", v.info.Text)
	}
	v.horizon.SetText("52")
	v.margin.SetText("30")
	test.Tap(v.scoreBtn)
	idle(t, p)
	if v.scored == nil || v.scored.Customers == 0 || !(v.scored.Mean > 0) {
		t.Fatalf("scored %+v; dialog %s", v.scored, dialogText(w))
	}
	if !strings.Contains(v.summary.Text, "per customer on average") || !strings.Contains(v.summary.Text, "$") {
		t.Errorf("summary %q", v.summary.Text)
	}
	if v.values.plot == nil || v.alive.plot == nil {
		t.Fatalf("distributions: %q, %q", v.values.msg.Text, v.alive.msg.Text)
	}
	// The thresholds count live, and the segment keeps that many.
	v.minCLV.SetText("20")
	v.minAlive.SetText("0,6") // a decimal comma is fine
	idle(t, p)
	want, err := p.ws.CountRule(context.Background(), value.ScoresTable, "clv > 20 AND p_alive > 0.6")
	if err != nil || want == 0 {
		t.Fatalf("count %d, %v", want, err)
	}
	if !strings.Contains(v.count.Text, "clv > 20 AND p_alive > 0.6") {
		t.Errorf("count label %q", v.count.Text)
	}
	v.segName.SetText("Valuable and alive")
	test.Tap(v.segBtn)
	idle(t, p)
	if s.lastSegment == nil || s.lastSegment.Size != want || !strings.Contains(dialogText(w), "Segment saved") {
		t.Fatalf("segment %+v (want %d customers); dialog %q", s.lastSegment, want, dialogText(w))
	}
	tapDialogButton(t, w, "Use in a campaign")
	idle(t, p)
	if p.body.Objects[0] != p.campaigns.content || p.campaigns.editor.segSel.Selected != "Valuable and alive" {
		t.Fatalf("the campaign's audience is %q", p.campaigns.editor.segSel.Selected)
	}
	if !onSegments(t, p, "Valuable and alive", want) {
		t.Error("the segment is not on the Segments screen")
	}
}

// TestValueBadInput: no order table, too few repeat customers, a next
// best action before any uplift model and a series too short to forecast
// are each said in words.
func TestValueBadInput(t *testing.T) {
	ws, err := core.Create(filepath.Join(t.TempDir(), "empty"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p, s := onValue(t, ws)
	if !s.clv.info.Visible() || !strings.Contains(s.clv.info.Text, "No order table yet") {
		t.Fatalf("no order table: %q", s.clv.info.Text)
	}
	test.Tap(s.clv.fitBtn)
	idle(t, p)
	if !strings.Contains(s.clv.info.Text, "No order table yet") || dialogText(w) != "" {
		t.Fatalf("fit without orders: %q, dialog %q", s.clv.info.Text, dialogText(w))
	}
	s.tabs.Select(s.cohortsTab)
	test.Tap(s.cohorts.runBtn)
	idle(t, p)
	if !strings.Contains(s.cohorts.info.Text, "No order table yet") || s.cohorts.rep != nil {
		t.Fatalf("cohorts without orders: %q", s.cohorts.info.Text)
	}
	s.tabs.Select(s.nbaTab)
	idle(t, p)
	test.Tap(s.nba.planBtn)
	idle(t, p)
	if !s.nba.info.Visible() || !strings.Contains(s.nba.info.Text, "No uplift model yet") || s.nba.rep != nil {
		t.Fatalf("plan without uplift: %q", s.nba.info.Text)
	}

	// Orders where only 3 of 40 customers came back.
	csv := filepath.Join(t.TempDir(), "few.csv")
	var b strings.Builder
	b.WriteString("customer,date,amount\n")
	for i := range 40 {
		b.WriteString("c" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + ",2024-01-0" + string(rune('1'+i%9)) + ",10\n")
		if i < 3 {
			b.WriteString("c" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + ",2024-03-01,12\n")
		}
	}
	writeFile(t, csv, b.String())
	if _, err := ws.Import(t.Context(), csv, ingest.Options{Table: "few"}); err != nil {
		t.Fatal(err)
	}
	if err := ws.SetRoles(t.Context(), "few", map[string]storage.Role{"customer": storage.CustomerID, "date": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	p.refreshTables("")
	idle(t, p)
	s.tabs.Select(s.clvTab)
	if s.clv.tableSel.Selected != "few" || s.clv.info.Visible() {
		t.Fatalf("table %q; info %q", s.clv.tableSel.Selected, s.clv.info.Text)
	}
	s.clv.calEnd.SetText("2024-02-01")
	test.Tap(s.clv.fitBtn)
	idle(t, p)
	if d := dialogText(w); !strings.Contains(d, "bought again") || !strings.Contains(d, "at least") {
		t.Fatalf("too few repeat customers: dialog %q", d)
	}
	if s.clv.fit != nil {
		t.Error("a failed fit was kept")
	}
	if saved, _ := ws.CLVModel(t.Context()); saved != nil {
		t.Error("a failed fit was saved")
	}
	// A series too short to forecast.
	s.tabs.Select(s.forecastTab)
	s.forecast.tableSel.SetSelected("few")
	test.Tap(s.forecast.runBtn)
	idle(t, p)
	if d := dialogText(w); !strings.Contains(d, "a forecast needs at least") || s.forecast.rep != nil {
		t.Fatalf("a short series: dialog %q", d)
	}
	tapDialogButton(t, w, "OK")
	s.tabs.Select(s.clvTab)
	// A date that is not one.
	s.clv.calEnd.SetText("last spring")
	test.Tap(s.clv.fitBtn)
	idle(t, p)
	if !strings.Contains(s.clv.info.Text, "is not a date") {
		t.Errorf("bad date: %q", s.clv.info.Text)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hillstromValue opens the MineThatData e-mail experiment with a customer
// id, and a second table where everyone got the e-mail.
func hillstromValue(t *testing.T) (*window, *project, *valueScreen) {
	t.Helper()
	ctx := t.Context()
	ws, err := core.Create(filepath.Join(t.TempDir(), "hillstrom"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Import(ctx, "../../testdata/real/hillstrom.csv.gz", ingest.Options{Table: "raw"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		// As valueShots makes it, so the figures are those of the screenshots.
		`CREATE TABLE experiment AS SELECT 'H' || lpad(CAST(row_number() OVER () AS VARCHAR), 5, '0') AS customer_id, * FROM raw`,
		`CREATE TABLE everyone AS SELECT customer_id, recency, history, 'Womens E-Mail' AS segment, visit FROM experiment LIMIT 500`,
		`DROP TABLE raw`,
	} {
		if _, err := ws.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"experiment", "everyone"} {
		if err := ws.SetRoles(ctx, table, map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
			t.Fatal(err)
		}
	}
	return onValue(t, ws)
}

// TestValueUpliftAndNBA trains the women's e-mail's uplift on Hillstrom,
// moves the share to treat, saves its top 20% as a segment, refuses an
// experiment of one group, and plans the next best action from the model
// with one segment per action.
func TestValueUpliftAndNBA(t *testing.T) {
	w, p, s := hillstromValue(t)
	s.tabs.Select(s.upliftTab)
	v := s.uplift
	v.tableSel.SetSelected("experiment")
	idle(t, p)
	// The experiment's columns are guessed; other outcomes are no features.
	if v.treatSel.Selected != "segment" || v.outcomeSel.Selected != "visit" || v.revenueSel.Selected != "spend" || v.controlSel.Selected != "No E-Mail" {
		t.Fatalf("guessed treatment %q (control %q), outcome %q, revenue %q", v.treatSel.Selected, v.controlSel.Selected, v.outcomeSel.Selected, v.revenueSel.Selected)
	}
	if f := v.features(); slices.Contains(f, "conversion") || slices.Contains(f, "customer_id") || slices.Contains(f, "spend") || !slices.Contains(f, "history") {
		t.Fatalf("features %v", f)
	}
	v.treatedSel.SetSelected("Womens E-Mail")
	v.off["history_segment"] = true // history says the same
	test.Tap(v.trainBtn)
	idle(t, p)
	if d := dialogText(w); d != "" {
		t.Fatalf("a dialog is open: %s", d)
	}
	rep := v.rep
	if rep == nil || rep.Column != "uplift_womens_e_mail" || rep.Scored != 64000 || !(rep.Qini > 0) || len(v.deciles.rows) != 10 {
		t.Fatalf("report %+v, %d decile rows; info %q", rep, len(v.deciles.rows), v.info.Text)
	}
	if !strings.Contains(v.summary.Text, "On average the message changes the outcome rate by +") {
		t.Errorf("summary %q", v.summary.Text)
	}
	if v.qini.plot == nil || v.curve.plot == nil {
		t.Fatalf("curves: %q, %q", v.qini.msg.Text, v.curve.msg.Text)
	}
	// The gain follows the share as it is typed (figures in docs/VALUE.md).
	at30 := v.gain.Text
	for _, want := range []string{"top 30% (19,200 customers)", "by +7.2 percentage points", "1.59 times", "about 1,382 extra conversions", "$11,600 extra revenue"} {
		if !strings.Contains(at30, want) {
			t.Errorf("gain at 30%% lacks %q: %s", want, at30)
		}
	}
	v.shareIn.SetText("20")
	if v.gain.Text == at30 || !strings.Contains(v.gain.Text, "top 20%") || !strings.Contains(v.gain.Text, "extra revenue") || v.share.Value != 20 {
		t.Fatalf("gain at 30%%: %q; at 20%%: %q (slider %v)", at30, v.gain.Text, v.share.Value)
	}
	top, err := rep.Result.Top(0.2)
	if err != nil || !(top.Uplift > rep.Result.ATE) {
		t.Fatalf("top 20%%: %+v, %v", top, err)
	}
	name := v.segName.Text
	test.Tap(v.segBtn)
	idle(t, p)
	sg := s.lastSegment
	if sg == nil || sg.Size < 12800 || sg.Size > 12900 || !strings.HasPrefix(sg.Rule.String(), "uplift_womens_e_mail >= ") || sg.Name != name {
		t.Fatalf("segment %+v; dialog %q", sg, dialogText(w))
	}
	tapDialogButton(t, w, "Close")
	// Use in a campaign saves it again and opens a campaign to it.
	test.Tap(v.campaignBt)
	idle(t, p)
	if p.body.Objects[0] != p.campaigns.content || p.campaigns.editor.segSel.Selected != name || s.lastSegment.Size != sg.Size {
		t.Fatalf("campaign audience %q", p.campaigns.editor.segSel.Selected)
	}
	p.goTo("Customer value")

	// The same group twice.
	v.controlSel.SetSelected("Womens E-Mail")
	test.Tap(v.trainBtn)
	idle(t, p)
	if !strings.Contains(v.info.Text, "same value") || v.rep != rep {
		t.Fatalf("same groups: %q", v.info.Text)
	}
	v.controlSel.SetSelected("No E-Mail")

	// An experiment where everyone got the e-mail.
	p.goTo("Customer value")
	v.tableSel.SetSelected("everyone")
	idle(t, p)
	if !v.info.Visible() || !strings.Contains(v.info.Text, "one group") {
		t.Fatalf("one group: %q", v.info.Text)
	}
	test.Tap(v.trainBtn)
	idle(t, p)
	if !strings.Contains(v.info.Text, "one group") || dialogText(w) != "" || v.rep != rep {
		t.Fatalf("trained on one group: %q, dialog %q", v.info.Text, dialogText(w))
	}

	// The next best action: the uplift model is offered as an action.
	s.tabs.Select(s.nbaTab)
	idle(t, p)
	n := s.nba
	if len(n.rows) != 1 || n.rows[0].uplift.Selected != "uplift_womens_e_mail" || n.info.Visible() {
		t.Fatalf("%d actions; info %q", len(n.rows), n.info.Text)
	}
	test.Tap(n.planBtn)
	idle(t, p)
	if !strings.Contains(n.info.Text, "value of a conversion") || n.rep != nil {
		t.Fatalf("no value: %q", n.info.Text)
	}
	n.rows[0].value.SetText("20")
	n.rows[0].cost.SetText("0,5")
	n.budget.SetText("2000")
	test.Tap(n.planBtn)
	idle(t, p)
	if n.rep == nil || n.rep.Contacted == 0 || n.rep.Cost > 2000 || len(n.perAction.rows) != 1 || len(n.sample.rows) == 0 {
		t.Fatalf("plan %+v; sample %d rows; dialog %q", n.rep, len(n.sample.rows), dialogText(w))
	}
	if !strings.Contains(n.summary.Text, "budget is spent") || !strings.Contains(n.sample.rows[0][3], "more likely to convert") {
		t.Errorf("summary %q; first reason %q", n.summary.Text, n.sample.rows[0][3])
	}
	n.sample.onSelect(0)
	if p.status.Text != n.sample.rows[0][3] {
		t.Errorf("status %q after selecting a customer", p.status.Text)
	}
	test.Tap(n.saveBtn)
	idle(t, p)
	if len(s.lastSegments) != 1 || s.lastSegments[0] != "Next best action womens_e_mail" {
		t.Fatalf("segments %v; dialog %q", s.lastSegments, dialogText(w))
	}
	tapDialogButton(t, w, "Use in a campaign")
	idle(t, p)
	if p.campaigns.editor.segSel.Selected != s.lastSegments[0] {
		t.Errorf("campaign audience %q", p.campaigns.editor.segSel.Selected)
	}
	if !onSegments(t, p, s.lastSegments[0], int64(n.rep.Contacted)) || !onSegments(t, p, sg.Name, sg.Size) {
		t.Error("the segments are not on the Segments screen")
	}
}
