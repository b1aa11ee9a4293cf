package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// importTickets adds a small table of support tickets, most of them with a
// topic, for training a classifier.
func importTickets(t *testing.T, ws *core.Workspace) {
	t.Helper()
	delivery := []string{"parcel arrived late", "the courier lost my package", "delivery took two weeks",
		"still waiting for the delivery", "package came a week late", "tracking says delivered but nothing arrived",
		"courier left the parcel in the rain", "late delivery again", "the delivery was delayed", "parcel never arrived"}
	quality := []string{"the handle broke after a day", "poor stitching on the seams", "colour faded after one wash",
		"the zip broke", "material feels cheap", "screen cracked on first use", "battery dies in an hour",
		"the seams came apart", "cheap plastic that snapped", "stopped working after a week"}
	var b strings.Builder
	b.WriteString("ticket_id,comment,topic\n")
	n := 0
	for round := 0; round < 2; round++ {
		for i := range delivery {
			n++
			fmt.Fprintf(&b, "T%03d,%s,delivery\n", n, delivery[i])
			n++
			fmt.Fprintf(&b, "T%03d,%s,quality\n", n, quality[i])
		}
	}
	b.WriteString("T900,my parcel is late and the box was broken,\nT901,where is my order,\n")
	path := filepath.Join(t.TempDir(), "tickets.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Import(context.Background(), path, ingest.Options{Table: "tickets"}); err != nil {
		t.Fatal(err)
	}
}

func columnsOf(t *testing.T, p *project, table string) []string {
	t.Helper()
	cols, err := p.ws.Columns(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	return names
}

// noDialog fails when an action opened a dialog.
func noDialog(t *testing.T, w *window, what string) {
	t.Helper()
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		var texts []string
		find(top, func(l *widget.Label) bool { texts = append(texts, l.Text); return false })
		t.Fatalf("%s opened a dialog: %q", what, texts)
	}
}

// TestText runs sentiment, keywords of a rule, a classifier trained on an
// imported table and labelling with it, through the Text screen; a rule
// that does not parse is refused in words and changes nothing.
func TestText(t *testing.T) {
	ws := demo(t)
	importTickets(t, ws)
	w, p := open(t, ws)
	s := newTextScreen(p)
	w.win.SetContent(s.content)
	s.shown()
	idle(t, p)

	if s.tableSel.Selected != "reviews" || s.colSel.Selected != "review_text" {
		t.Fatalf("starts on %s.%s, want reviews.review_text", s.tableSel.Selected, s.colSel.Selected)
	}
	if !strings.Contains(s.colInfo.Text, "free-text role") || s.sentBtn.Disabled() {
		t.Fatalf("column info %q; run disabled %v", s.colInfo.Text, s.sentBtn.Disabled())
	}
	if s.modelSel.Selected != core.DefaultSentiment {
		t.Errorf("default model %q", s.modelSel.Selected)
	}

	// Sentiment with the built-in model: counts, two new columns and the
	// comparison across the demo's segments.
	test.Tap(s.sentBtn)
	idle(t, p)
	noDialog(t, w, "sentiment")
	labels := map[string]bool{}
	for _, r := range s.counts.rows {
		labels[r[0]] = true
	}
	if len(s.counts.rows) != 2 || !labels["positive"] || !labels["negative"] {
		t.Fatalf("label counts %v", s.counts.rows)
	}
	if !strings.HasPrefix(s.sentInfo.Text, "Scored 4,316 texts of reviews.review_text") || !strings.Contains(s.sentInfo.Text, "Mean score 0.") {
		t.Errorf("sentiment info %q", s.sentInfo.Text)
	}
	cols := columnsOf(t, p, "reviews")
	if !slices.Contains(cols, "review_text_sentiment") || !slices.Contains(cols, "review_text_sentiment_label") {
		t.Fatalf("reviews columns after sentiment: %v", cols)
	}
	if s.segChart.img.Image == nil || s.segChart.save.Disabled() {
		t.Fatalf("no sentiment-by-segment chart: %q", s.segChart.msg.Text)
	}
	if len(s.counts.rows) == 0 {
		t.Fatal("refreshing the tables after the run cleared the counts")
	}

	// Keywords of the negative reviews.
	s.tabs.SelectIndex(1)
	s.groupSel.SetSelected(groupRule)
	if !s.rule.Visible() {
		t.Fatal("the rule entry is hidden for a rule group")
	}
	s.rule.SetText("review_text_sentiment_label = 'negative'")
	s.k.SetText("15")
	test.Tap(s.kwBtn)
	idle(t, p)
	noDialog(t, w, "keywords")
	if n := len(s.keywords.rows); n == 0 || n > 15 {
		t.Fatalf("%d keywords: %v", n, s.keywords.rows)
	}
	if !strings.Contains(s.kwInfo.Text, "texts in the group") || s.kwChart.img.Image == nil {
		t.Errorf("keywords info %q, chart %q", s.kwInfo.Text, s.kwChart.msg.Text)
	}
	before := slices.Clone(s.keywords.rows)

	// A rule that does not parse: an error in words, nothing changes.
	s.rule.SetText("review_text_sentiment_label =")
	test.Tap(s.kwBtn)
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("a bad rule was accepted silently")
	}
	msg, ok := find(top, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "filter:") })
	if !ok {
		t.Fatal("no error message about the rule")
	}
	t.Logf("bad rule: %q", msg.Text)
	w.win.Canvas().Overlays().Remove(top)
	if !slices.EqualFunc(before, s.keywords.rows, slices.Equal) {
		t.Error("a failed keyword search changed the keywords shown")
	}
	if got := columnsOf(t, p, "reviews"); !slices.Equal(got, cols) {
		t.Errorf("a failed keyword search changed reviews: %v", got)
	}
	if s.kwBtn.Disabled() {
		t.Error("Find keywords stays disabled after an error")
	}

	// A table without free text says so and offers nothing to run.
	s.tableSel.SetSelected("products")
	idle(t, p)
	if !strings.Contains(s.colInfo.Text, "has no text column") || !s.sentBtn.Disabled() || !s.trainBtn.Disabled() {
		t.Fatalf("products: %q, run disabled %v", s.colInfo.Text, s.sentBtn.Disabled())
	}

	// Train a classifier of the tickets into their topics.
	s.tableSel.SetSelected("tickets")
	idle(t, p)
	if s.colSel.Selected != "comment" {
		t.Fatalf("tickets text column %q of %v", s.colSel.Selected, s.colSel.Options)
	}
	s.tabs.SelectIndex(2)
	if !slices.Contains(s.labelSel.Options, "topic") {
		t.Fatalf("label columns %v", s.labelSel.Options)
	}
	s.labelSel.SetSelected("topic")
	s.name.SetText("topics")
	test.Tap(s.trainBtn)
	idle(t, p)
	noDialog(t, w, "training")
	if len(s.evalGrid.rows) != 2 || s.evalGrid.rows[0][0] != "delivery" || s.evalGrid.rows[1][0] != "quality" {
		t.Fatalf("per-label scores %v", s.evalGrid.rows)
	}
	if !strings.Contains(s.evalInfo.Text, "Accuracy ") || !strings.Contains(s.evalInfo.Text, "macro F1 ") {
		t.Errorf("evaluation %q", s.evalInfo.Text)
	}
	if len(s.models) != 1 || s.modelGrid.rows[0][0] != "topics" || s.modelGrid.rows[0][1] != "Naive Bayes" {
		t.Fatalf("text models %v", s.modelGrid.rows)
	}
	if !slices.Contains(s.modelSel.Options, "topics") || s.applySel.Selected != "topics" || s.applyBtn.Disabled() {
		t.Fatalf("the new model is not offered: %v / %q", s.modelSel.Options, s.applySel.Selected)
	}

	// Training again under the same name asks before replacing.
	test.Tap(s.trainBtn)
	tapDialogButton(t, w, "Yes")
	idle(t, p)
	noDialog(t, w, "replacing")
	if len(s.models) != 1 {
		t.Fatalf("after replacing: %d models", len(s.models))
	}

	// Label every ticket with it.
	test.Tap(s.applyBtn)
	idle(t, p)
	noDialog(t, w, "labelling")
	if !strings.HasPrefix(s.applyInfo.Text, "Labelled 42 texts of tickets.comment with topics") {
		t.Errorf("label info %q", s.applyInfo.Text)
	}
	if got := columnsOf(t, p, "tickets"); !slices.Contains(got, "comment_topics") || !slices.Contains(got, "comment_topics_p") {
		t.Fatalf("tickets columns after labelling: %v", got)
	}
}

// TestTextEmpty: a project without tables says what to do, opens no
// dialog and offers nothing to run.
func TestTextEmpty(t *testing.T) {
	ws, err := core.Create(filepath.Join(t.TempDir(), "empty"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	s := newTextScreen(p)
	w.win.SetContent(s.content)
	s.shown()
	idle(t, p)
	noDialog(t, w, "an empty project")
	if !strings.HasPrefix(s.colInfo.Text, "No tables yet.") {
		t.Errorf("column info %q", s.colInfo.Text)
	}
	for _, b := range []*widget.Button{s.sentBtn, s.kwBtn, s.trainBtn, s.applyBtn} {
		if !b.Disabled() {
			t.Errorf("%s is enabled without a text column", b.Text)
		}
	}
	if !strings.HasPrefix(s.modelsInfo.Text, "No text models yet.") {
		t.Errorf("models info %q", s.modelsInfo.Text)
	}
}
