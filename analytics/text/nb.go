package text

import (
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// NB is multinomial naive Bayes, matching scikit-learn's MultinomialNB
// (fit_prior=True) on the same non-negative features.
type NB struct {
	ClassLogPrior  []float64   // per class
	FeatureLogProb [][]float64 // [class][feature]
}

// FitNB fits on rows X with labels y in 0..k-1 over nf features. alpha is
// the additive smoothing (sklearn's default is 1); it must be positive so
// an unseen word never gives probability zero.
func FitNB(X []Vec, y []int, k, nf int, alpha float64) (*NB, error) {
	if len(X) == 0 || len(X) != len(y) {
		return nil, msg.Errorf("text: %d rows but %d labels", len(X), len(y))
	}
	if k < 2 || nf < 1 || alpha <= 0 {
		return nil, msg.Errorf("text: need ≥2 classes, ≥1 feature and alpha > 0")
	}
	fc := make([][]float64, k)
	for c := range fc {
		fc[c] = make([]float64, nf)
	}
	cc := make([]float64, k)
	for i, r := range X {
		c := y[i]
		if c < 0 || c >= k {
			return nil, msg.Errorf("text: label %d of row %d is outside 0..%d", c, i, k-1)
		}
		cc[c]++
		for p, j := range r.Idx {
			if r.Val[p] < 0 {
				return nil, msg.Errorf("text: row %d has a negative value", i)
			}
			fc[c][j] += r.Val[p]
		}
	}
	m := &NB{ClassLogPrior: make([]float64, k), FeatureLogProb: fc}
	for c := range k {
		if cc[c] == 0 {
			return nil, msg.Errorf("text: class %d has no rows", c)
		}
		m.ClassLogPrior[c] = math.Log(cc[c]) - math.Log(float64(len(X)))
		var tot float64
		for j := range fc[c] {
			fc[c][j] += alpha
			tot += fc[c][j]
		}
		lt := math.Log(tot)
		for j := range fc[c] {
			fc[c][j] = math.Log(fc[c][j]) - lt
		}
	}
	return m, nil
}

// LogProba returns log P(class|x) for each class.
func (m *NB) LogProba(x Vec) []float64 {
	jll := make([]float64, len(m.ClassLogPrior))
	mx := math.Inf(-1)
	for c := range jll {
		s := m.ClassLogPrior[c]
		for p, j := range x.Idx {
			s += x.Val[p] * m.FeatureLogProb[c][j]
		}
		jll[c] = s
		mx = max(mx, s)
	}
	var z float64
	for _, s := range jll {
		z += math.Exp(s - mx)
	}
	lz := mx + math.Log(z)
	for c := range jll {
		jll[c] -= lz
	}
	return jll
}
