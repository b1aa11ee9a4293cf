package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/marketbench/marketbench/storage/segment"
)

// TestListSegmentShown: a fixed-list segment (a product's likely buyers)
// shows its description where a rule segment shows its rule and its kind
// in the summary; its rule cannot be edited, and re-evaluating keeps its
// members without an error.
func TestListSegmentShown(t *testing.T) {
	ws := rfmWorkspace(t)
	desc := "the 2 customers most likely to buy 85123A"
	if _, err := segment.CreateList(t.Context(), ws.Project, "buyers", "orders", desc, []string{"A", "C"}); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Segments")
	idle(t, p)
	s := p.segments
	if len(s.savedGrid.rows) != 1 || s.savedGrid.rows[0][0] != "buyers" || !strings.Contains(s.savedGrid.rows[0][4], desc) || s.savedGrid.rows[0][2] != "2" {
		t.Fatalf("saved rows %q", s.savedGrid.rows)
	}
	if len(s.summary.rows) != 1 || s.summary.rows[0][1] != "fixed list" {
		t.Fatalf("summary rows %q", s.summary.rows)
	}
	s.savedGrid.onSelect(0)
	edit, eval := s.savedBtns[0], s.savedBtns[1]
	if edit.Text != "Edit in rule builder" || eval.Text != "Re-evaluate" || !edit.Disabled() || eval.Disabled() {
		t.Fatal("a list's rule is offered for editing, or it cannot be re-evaluated")
	}
	test.Tap(eval)
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("re-evaluating shows a dialog")
	}
	if !strings.Contains(p.status.Text, `"buyers" now has 2 customers`) {
		t.Fatalf("status %q", p.status.Text)
	}
	if len(s.savedGrid.rows) != 1 || s.savedGrid.rows[0][2] != "2" {
		t.Fatalf("after re-evaluating %q", s.savedGrid.rows)
	}
	// Editing anyway (a stale button) says why not instead of crashing.
	s.savedGrid.onSelect(0)
	s.editSaved()
	if w.win.Canvas().Overlays().Top() == nil {
		t.Fatal("editing a list says nothing")
	}
	test.Tap(button(t, w.win.Canvas().Overlays().Top(), "OK"))
}

// TestRuleBuilderOffersRecommendations: with scored recommendations the
// rule builder offers the top recommendation's fields under their own
// heading, with names people read, and a rule on them counts.
func TestRuleBuilderOffersRecommendations(t *testing.T) {
	ws := rfmWorkspace(t)
	for _, q := range []string{
		`CREATE TABLE recommendations (customer_id VARCHAR, rank INTEGER, product_id VARCHAR, product_name VARCHAR,
			category VARCHAR, score DOUBLE, reason VARCHAR, link VARCHAR, model VARCHAR, scored_at TIMESTAMP)`,
		`INSERT INTO recommendations VALUES ('A', 1, 'P1', 'Teapot', 'Kitchen', 0.9, '', '', 'default', now()),
			('B', 1, 'P2', 'Rake', 'Garden', 0.8, '', '', 'default', now()), ('C', 1, 'P1', 'Teapot', 'Kitchen', 0.5, '', '', 'default', now())`,
	} {
		if _, err := ws.Project.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	_, p := open(t, ws)
	p.goTo("Segments")
	idle(t, p)
	p.segments.tabs.SelectIndex(1)
	idle(t, p)
	e := p.segments.rules
	test.Tap(button(t, e.tree, "Add condition"))
	idle(t, p)
	test.Tap(button(t, e.tree, "Choose a field"))
	got := strings.Join(menuLabels(e.menu), " | ")
	want := "Recommendations (scored) | Top recommended product | Top recommended product id | Category of the top recommended product | Score of the top recommendation"
	if !strings.Contains(got, want) {
		t.Fatalf("field menu\n%s\nlacks\n%s", got, want)
	}
	if n, err := p.ws.CountRule(p.ctx, "orders", "top_recommendation_category = 'Kitchen'"); err != nil || n != 2 {
		t.Fatalf("count %d %v", n, err)
	}
}
