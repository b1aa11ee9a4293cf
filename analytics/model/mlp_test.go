package model

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// nonlinear makes a regression target from synth's rows that a line cannot
// follow: spend peaks in the middle of the tenure range.
func nonlinear(d Data) Data {
	tgt := make([]string, d.Rows())
	num := mat.NewDense(d.Rows(), 1, nil)
	for i := range tgt {
		x := d.Num.At(i, 0)
		num.Set(i, 0, x)
		v := 500 - 0.5*(x-30)*(x-30) + 40*float64(len(d.Cat[i][0]))
		tgt[i] = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return Data{Num: num, Cat: d.Cat, Target: tgt}
}

func TestMLPTrainScoreExplain(t *testing.T) {
	for _, algo := range []string{MLP, MLPReg} {
		t.Run(algo, func(t *testing.T) {
			d, s := synth(3000, 2)
			s.Algo = algo
			if algo == MLPReg {
				s.Target, s.Numeric = "spend", []string{"tenure"}
				d = nonlinear(d)
			}
			m, err := Train(context.Background(), d, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			ref := s
			ref.Algo = LogReg
			if algo == MLPReg {
				ref.Algo = LinReg
			}
			base, err := Train(context.Background(), d, ref, nil)
			if err != nil {
				t.Fatal(err)
			}
			if algo == MLP {
				// The data are logistic: the network should do as well.
				if m.Eval.AUC < base.Eval.AUC-0.02 {
					t.Errorf("test AUC %.3f, logistic regression %.3f", m.Eval.AUC, base.Eval.AUC)
				}
			} else if m.Eval.R2 < 0.95 || m.Eval.R2 < base.Eval.R2+0.1 {
				// The target is a parabola in tenure: a line misses it.
				t.Errorf("test R² %.3f, linear regression %.3f", m.Eval.R2, base.Eval.R2)
			}
			if len(m.Eval.Importance) == 0 || m.Eval.Importance[0].Feature != "tenure" {
				t.Errorf("importance %+v: tenure should lead", m.Eval.Importance)
			}
			b, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			m2, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			p1, _ := m.Score(d)
			p2, err := m2.Score(d)
			if err != nil {
				t.Fatal(err)
			}
			for i := range p1 {
				if p1[i] != p2[i] {
					t.Fatalf("row %d: %v before, %v after a round trip", i, p1[i], p2[i])
				}
			}
			// The pushes add up to the score's distance from the score of
			// the training means (the baseline), up to the path integral's
			// error.
			pm := m2.MLP.Predict(mat.NewDense(1, len(m2.Means), m2.Means))[0]
			for _, i := range []int{0, 5, 17} {
				score, ex, err := m2.Explain(d, i, 3)
				if err != nil {
					t.Fatal(err)
				}
				X, _ := m2.Transform(d.subset([]int{i}))
				phi, err := m2.contributions(X.RawRowView(0))
				if err != nil {
					t.Fatal(err)
				}
				sum := 0.0
				for _, v := range phi {
					sum += v
				}
				tol := math.Max(2e-3, 0.01*math.Abs(score-pm))
				if score != p1[i] || math.Abs(sum-(score-pm)) > tol || ex.Text == "" {
					t.Errorf("row %d: score %v (want %v), pushes sum %v, want %v; %q", i, score, p1[i], sum, score-pm, ex.Text)
				}
			}
		})
	}
}

func TestMLPBalanced(t *testing.T) {
	d, s := synth(2000, 3)
	s.Algo, s.Epochs = MLP, 30
	plain, err := Train(context.Background(), d, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Balanced = true
	bal, err := Train(context.Background(), d, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Weighting the classes equally moves the mean score to about one half.
	mean := func(m *Model) float64 {
		p, _ := m.Score(d)
		sum := 0.0
		for _, v := range p {
			sum += v
		}
		return sum / float64(len(p))
	}
	if a, b := mean(plain), mean(bal); math.Abs(b-0.5) > 0.05 || math.Abs(a-plain.Eval.BaseRate) > 0.05 {
		t.Fatalf("mean score %.3f plain (base rate %.3f), %.3f balanced", a, plain.Eval.BaseRate, b)
	}
}

func TestMLPSpecErrors(t *testing.T) {
	for name, s := range map[string]Spec{
		"hidden 0":      {Hidden: []int{0}},
		"too deep":      {Hidden: []int{4, 4, 4, 4, 4}},
		"too wide":      {Hidden: []int{5000}},
		"epochs":        {Epochs: -1},
		"many epochs":   {Epochs: MaxEpochs + 1},
		"learning rate": {LearningRate: 2},
		"NaN rate":      {LearningRate: math.NaN()},
	} {
		s.Algo, s.Target, s.Numeric = MLP, "y", []string{"x"}
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A stored network that does not fit its model is refused on loading.
func TestMLPDamagedRefused(t *testing.T) {
	d, s := synth(500, 6)
	s.Algo, s.Epochs, s.Hidden = MLP, 5, []int{3}
	m, err := Train(context.Background(), d, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.Marshal()
	sizes := []byte(fmt.Sprintf(`"sizes":[%d,3,1]`, len(m.Features)))
	swap := func(b []byte, to string) []byte { return bytes.Replace(b, sizes, []byte(to), 1) }
	for name, damage := range map[string]func([]byte) []byte{
		"sizes":   func(b []byte) []byte { return swap(b, `"sizes":[5,9,1]`) },
		"outputs": func(b []byte) []byte { return swap(b, `"sizes":[5,3,2]`) },
		"inputs":  func(b []byte) []byte { return swap(b, `"sizes":[4,3,1]`) },
		"regression": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"sizes":`), []byte(`"regression":true,"sizes":`), 1)
		},
		"algorithm": func(b []byte) []byte { return bytes.Replace(b, []byte(`"algo":"mlp"`), []byte(`"algo":"forest"`), 1) },
		"weights":   func(b []byte) []byte { return bytes.Replace(b, []byte(`"coef":[[`), []byte(`"coef":[[1e999,`), 1) },
	} {
		bad := damage(b)
		if bytes.Equal(bad, b) {
			t.Fatalf("%s: the damage did not apply", name)
		}
		if _, err := Unmarshal(bad); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("%s: error %v, want a damaged model", name, err)
		}
	}
}
