package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/analytics/model"
)

// TestTrainMLP trains the neural network through the Train tab on the demo
// project: its options follow the algorithm, a bad layer list is refused
// in words, and the trained model is listed, stored with the options
// given, and explains a customer in points.
func TestTrainMLP(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Models")
	idle(t, p)
	s, f := p.models, p.models.train
	if !slices.ContainsFunc(algos, func(a algoChoice) bool { return a.name == model.MLPReg }) {
		t.Fatal("the algorithm list lacks the network for amounts")
	}
	f.source.SetSelected(srcChurn)
	f.algo.SetSelected(algoTitle(model.MLP))
	if f.hidden.Disabled() || f.epochs.Disabled() || f.rate.Disabled() || f.early.Disabled() || f.balanced.Disabled() || !f.c.Disabled() || !f.trees.Disabled() {
		t.Fatal("the advanced options do not follow the neural network")
	}
	if !f.early.Checked {
		t.Error("early stopping is not on by default")
	}

	f.hidden.SetText("16, x")
	test.Tap(f.trainBtn)
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("a bad layer list opened no dialog")
	}
	l, _ := find(top, func(l *widget.Label) bool { return strings.Contains(l.Text, "Hidden layers") })
	if l == nil || !strings.Contains(l.Text, `"x" is not a whole number`) {
		t.Fatalf("bad layers told as %v", l)
	}
	w.win.Canvas().Overlays().Remove(top)

	f.hidden.SetText("16, 8")
	f.epochs.SetText("40")
	test.Tap(f.trainBtn)
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		l, _ := find(top, func(*widget.Label) bool { return true })
		t.Fatalf("training opened a dialog: %v", l.Text)
	}
	if s.selected != "churn_mlp" {
		t.Fatalf("selected %q; models %v", s.selected, s.list.rows)
	}
	row := s.list.rows[slices.IndexFunc(s.list.rows, func(r []string) bool { return r[0] == "churn_mlp" })]
	if row[1] != "Neural network" {
		t.Errorf("list row %v", row)
	}
	spec := s.detail.info.Spec
	if !slices.Equal(spec.Hidden, []int{16, 8}) || spec.Epochs != 40 || spec.NoEarlyStopping {
		t.Errorf("stored options: hidden %v, epochs %d, no early stopping %v", spec.Hidden, spec.Epochs, spec.NoEarlyStopping)
	}
	if ev := s.detail.info.Eval; ev.AUC < 0.6 || len(ev.Importance) == 0 {
		t.Errorf("test AUC %.3f, %d importances", ev.AUC, len(ev.Importance))
	}
	if c := s.detail.charts[chImportance]; c.img.Image == nil {
		t.Errorf("no importance chart: %q", c.msg.Text)
	}

	res, err := p.ws.SQL(context.Background(), "SELECT min(customer_id) FROM churn_training")
	if err != nil {
		t.Fatal(err)
	}
	s.detail.customer.SetText(res.Rows[0][0])
	test.Tap(s.detail.explain)
	idle(t, p)
	if !strings.HasSuffix(s.detail.exScore.Text, "% likely to churn") || !strings.Contains(s.detail.exUp.Text+s.detail.exDown.Text, " points)") {
		t.Fatalf("explanation %q / %q / %q", s.detail.exScore.Text, s.detail.exUp.Text, s.detail.exDown.Text)
	}
}
