package model

import (
	"math"
	"slices"

	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/msg"
)

// Explain says why the model scores row i of d as it does: each input
// column's push on the prediction, the top ones worded for people. Pushes
// are in log-odds for logistic regression, in probability for trees and
// forests (exact SHAP values) and for the neural network (integrated
// gradients from the training means, see mlp.Net.Attribute), and in the
// target's units for regressions; a categorical column's indicators are
// summed into one push.
func (m *Model) Explain(d Data, i, top int) (score float64, ex explain.Explanation, err error) {
	if i < 0 || i >= d.Rows() {
		return 0, ex, msg.Errorf("row %d is out of range", i)
	}
	row := d.subset([]int{i})
	X, err := m.Transform(row)
	if err != nil {
		return 0, ex, err
	}
	p, err := m.scoreX(X)
	if err != nil {
		return 0, ex, err
	}
	x := X.RawRowView(0)
	phi, err := m.contributions(x)
	if err != nil {
		return 0, ex, err
	}
	var cs []explain.Contribution
	for j, name := range m.Spec.Numeric {
		v := row.Num.At(0, j)
		c := explain.Contribution{Name: name, Value: v, Amount: phi[j]}
		switch {
		case math.IsNaN(v):
			c.Text = msg.New("%s missing", name)
		case slices.Contains(m.Spec.Bools, name) && v == 1:
			c.Text = msg.New("%s yes", name)
		case slices.Contains(m.Spec.Bools, name):
			c.Text = msg.New("%s no", name)
		}
		cs = append(cs, c)
	}
	for j, name := range m.Spec.Categorical {
		v := row.Cat[0][j]
		sum := 0.0
		for k := len(m.Spec.Numeric); k < len(m.Features); k++ {
			if m.catColumn(k) == j {
				sum += phi[k]
			}
		}
		text := msg.Raw(name + " " + v)
		if v == "" {
			text = msg.New("%s missing", name)
		}
		cs = append(cs, explain.Contribution{Name: name, Text: text, Amount: sum})
	}
	opt := explain.ReasonOptions{TopK: top}
	if Regression(m.Spec.Algo) {
		opt.Positive, opt.Negative = msg.New("higher %s", m.Spec.Target), msg.New("lower %s", m.Spec.Target)
	} else {
		what := m.Spec.Target + " " + m.Classes[1]
		if positiveWord(m.Classes[1]) {
			what = m.Spec.Target // "more likely churned", not "churned yes"
		}
		opt.Positive, opt.Negative = msg.New("more likely %s", what), msg.New("less likely")
	}
	return p[0], explain.Reasons(cs, opt), nil
}

// catColumn returns which categorical column indicator feature k belongs
// to, counting the one-hot output in order.
func (m *Model) catColumn(k int) int {
	k -= len(m.Spec.Numeric)
	for j := range m.Pipeline.Cat.Categories {
		if k < m.Pipeline.Cat.Width(j) {
			return j
		}
		k -= m.Pipeline.Cat.Width(j)
	}
	return -1
}

// contributions returns one push per model feature for the transformed
// row x.
func (m *Model) contributions(x []float64) ([]float64, error) {
	switch {
	case m.Logistic != nil:
		return explain.LinearContributions(m.Logistic.Coef, x, m.Means), nil
	case m.Linear != nil:
		return explain.LinearContributions(m.Linear.Coef, x, m.Means), nil
	case m.Tree != nil:
		e, err := explain.NewTreeExplainer(m.Tree, 1)
		if err != nil {
			return nil, err
		}
		return e.SHAP(x), nil
	case m.Forest != nil:
		return m.forestSHAP(x)
	case m.MLP != nil:
		// 64 steps put the pushes' sum within about 1% of the move from
		// the baseline's score; each costs one row through the network.
		return m.MLP.Attribute(x, m.Means, 64), nil
	}
	return nil, msg.Errorf("the model holds no fitted algorithm")
}
