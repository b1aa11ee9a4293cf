package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestValueCohortsAndForecast shows the demo's cohorts, compares two
// segments, forecasts monthly revenue with its interval and backtest,
// refuses a horizon out of range, and saves a cohort as a segment that a
// campaign takes.
func TestValueCohortsAndForecast(t *testing.T) {
	w, p, s := valueDemo(t)
	for _, seg := range [][2]string{{"App buyers", "channel = 'app'"}, {"Web buyers", "channel = 'web'"}} {
		if _, err := p.ws.CreateSegment(t.Context(), seg[0], "orders", seg[1]); err != nil {
			t.Fatal(err)
		}
	}
	p.refreshTables("")
	idle(t, p)
	s.tabs.Select(s.cohortsTab)
	idle(t, p)
	c := s.cohorts
	if c.tableSel.Selected != "orders" || len(c.segSel.Options) < 3 {
		t.Fatalf("table %q, segments %v", c.tableSel.Selected, c.segSel.Options)
	}
	test.Tap(c.runBtn)
	idle(t, p)
	if c.rep == nil || len(c.rep.Cohorts) < 6 || c.heat.plot == nil || !strings.Contains(c.summary.Text, "cohorts of all customers") {
		t.Fatalf("cohorts %v; summary %q; dialog %q", c.rep != nil, c.summary.Text, dialogText(w))
	}
	if !strings.Contains(c.summary.Text, "In month 1 after the first purchase") || !strings.Contains(c.summary.Text, "In month 12 after") {
		t.Errorf("summary %q", c.summary.Text)
	}
	before := c.heat.plot
	c.measureSel.SetSelectedIndex(2) // cumulative revenue, redrawn at once
	idle(t, p)
	if c.heat.plot == nil || c.heat.plot == before || !strings.Contains(c.heat.plot.Title.Text, "Cumulative revenue") {
		t.Fatal("no heatmap of cumulative revenue")
	}
	c.segSel.SetSelected("App buyers")
	c.compareSel.SetSelected("App buyers")
	test.Tap(c.runBtn)
	idle(t, p)
	if !strings.Contains(c.info.Text, "not with itself") {
		t.Fatalf("a segment compared with itself: %q", c.info.Text)
	}
	c.compareSel.SetSelected("Web buyers")
	test.Tap(c.runBtn)
	idle(t, p)
	if c.rep == nil || c.rep.Other == nil || len(c.compare.rows) < 6 || !strings.Contains(c.summary.Text, "Compared with Web buyers") {
		t.Fatalf("comparison: %d rows; summary %q; dialog %q", len(c.compare.rows), c.summary.Text, dialogText(w))
	}

	s.tabs.Select(s.forecastTab)
	f := s.forecast
	f.horizon.SetText("0")
	test.Tap(f.runBtn)
	idle(t, p)
	if !strings.Contains(f.info.Text, "from 1 to 24") || f.rep != nil {
		t.Fatalf("horizon 0: %q", f.info.Text)
	}
	f.horizon.SetText("12")
	test.Tap(f.runBtn)
	idle(t, p)
	if f.rep == nil || len(f.rep.Steps) != 12 || len(f.steps.rows) != 12 || f.chart.plot == nil {
		t.Fatalf("forecast %v; dialog %q", f.rep != nil, dialogText(w))
	}
	if f.steps.rows[0][2] == "" || f.steps.rows[0][3] == "" {
		t.Errorf("first period ahead %v", f.steps.rows[0])
	}
	for _, want := range []string{"chosen by AICc", "Next 12 months", "Backtest on the last"} {
		if !strings.Contains(f.summary.Text, want) {
			t.Errorf("summary lacks %q: %s", want, f.summary.Text)
		}
	}

	// A cohort of the app buyers becomes a segment, then a campaign's
	// audience; the Segments screen lists it with the cohort's size.
	s.tabs.Select(s.cohortsTab)
	c.segName.SetText("")
	c.cohortSel.SetSelectedIndex(1)
	label, size := c.cohortSel.Selected, int64(c.rep.Cohorts[1].Customers)
	if c.segName.Text != "App buyers, first bought in "+label || size == 0 {
		t.Fatalf("cohort %q of %d customers named %q", label, size, c.segName.Text)
	}
	c.segName.SetText("  ")
	test.Tap(c.segBtn)
	idle(t, p)
	if !strings.Contains(c.info.Text, "Give the segment a name") {
		t.Fatalf("no name: %q", c.info.Text)
	}
	c.segName.SetText("App cohort")
	test.Tap(c.segBtn)
	idle(t, p)
	if s.lastSegment == nil || s.lastSegment.Name != "App cohort" || s.lastSegment.Size != size ||
		!strings.Contains(dialogText(w), "customers of segment App buyers whose first purchase was in "+label) {
		t.Fatalf("segment %+v (want %d customers); dialog %q", s.lastSegment, size, dialogText(w))
	}
	tapDialogButton(t, w, "Close")
	test.Tap(c.campaignBtn)
	idle(t, p)
	if p.body.Objects[0] != p.campaigns.content || p.campaigns.editor.segSel.Selected != "App cohort" {
		t.Fatalf("the campaign's audience is %q", p.campaigns.editor.segSel.Selected)
	}
	if !onSegments(t, p, "App cohort", size) {
		t.Error("the cohort's segment is not on the Segments screen")
	}
}
