package model

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/logistic"
	"github.com/marketbench/marketbench/analytics/prep"
)

// synth makes n customers: tenure and spend (numbers, some missing), a
// contract category, and churn drawn from a known logistic model.
func synth(n int, seed uint64) (Data, Spec) {
	r := rand.New(rand.NewPCG(seed, 1))
	num := mat.NewDense(n, 2, nil)
	cat := make([][]string, n)
	target := make([]string, n)
	contracts := []string{"month", "year", "two-year"}
	for i := range n {
		tenure := r.Float64() * 60
		spend := 20 + r.NormFloat64()*10
		c := contracts[r.IntN(3)]
		z := 1.0 - 0.08*tenure + 0.03*spend
		if c == "month" {
			z += 1.2
		}
		if r.Float64() < 0.05 {
			spend = math.NaN()
		}
		num.Set(i, 0, tenure)
		num.Set(i, 1, spend)
		cat[i] = []string{c}
		if r.Float64() < 1/(1+math.Exp(-z)) {
			target[i] = "Yes"
		} else {
			target[i] = "No"
		}
	}
	return Data{Num: num, Cat: cat, Target: target},
		Spec{Target: "Churn", Numeric: []string{"tenure", "spend"}, Categorical: []string{"contract"}, Seed: 7}
}

func train(t *testing.T, algo string, n int) (*Model, Data) {
	t.Helper()
	d, s := synth(n, 1)
	s.Algo = algo
	m, err := Train(context.Background(), d, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, d
}

// The model must be exactly the pipeline and logistic.Fit composed by hand
// on the same split: Train adds no hidden behaviour.
func TestLogisticMatchesManualPipeline(t *testing.T) {
	m, d := train(t, LogReg, 3000)
	if m.Classes[1] != "Yes" {
		t.Fatalf("positive class %q, want Yes", m.Classes[1])
	}
	y := make([]int, len(d.Target))
	yf := make([]float64, len(d.Target))
	for i, v := range d.Target {
		if v == "Yes" {
			y[i], yf[i] = 1, 1
		}
	}
	tr, te, err := prep.Split(y, 0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	p := &prep.Pipeline{Steps: []prep.Step{{Impute: &prep.Imputer{Strategy: prep.Median}}, {Standard: &prep.StandardScaler{}}},
		Cat: &prep.OneHot{Columns: []string{"contract"}}}
	train := d.subset(tr)
	if err := p.Fit(train.Num, train.Cat); err != nil {
		t.Fatal(err)
	}
	X, _ := p.Transform(train.Num, train.Cat)
	ref, err := logistic.Fit(X, pick(yf, tr), logistic.Options{MaxIter: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if m.Logistic.Intercept != ref.Intercept {
		t.Errorf("intercept %v, manual %v", m.Logistic.Intercept, ref.Intercept)
	}
	for j := range ref.Coef {
		if m.Logistic.Coef[j] != ref.Coef[j] {
			t.Errorf("coef %d (%s) %v, manual %v", j, m.Features[j], m.Logistic.Coef[j], ref.Coef[j])
		}
	}
	test := d.subset(te)
	Xte, _ := p.Transform(test.Num, test.Cat)
	auc, _ := eval.ROCAUC(pickInt(y, te), ref.PredictProba(Xte))
	if m.Eval.AUC != auc || m.Eval.TestRows != len(te) || m.Eval.TrainRows != len(tr) {
		t.Errorf("eval AUC %v on %d/%d rows, manual %v on %d/%d", m.Eval.AUC, m.Eval.TrainRows, m.Eval.TestRows, auc, len(tr), len(te))
	}
	if m.Eval.AUC < 0.75 {
		t.Errorf("AUC %v is too low for this signal", m.Eval.AUC)
	}
	// Evaluating the stored model on its own test rows gives the same numbers.
	ev, err := m.Evaluate(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	if ev.AUC != m.Eval.AUC || ev.LogLoss != m.Eval.LogLoss || ev.Confusion != m.Eval.Confusion {
		t.Errorf("Evaluate on the test rows: AUC %v logloss %v, Train said %v %v", ev.AUC, ev.LogLoss, m.Eval.AUC, m.Eval.LogLoss)
	}
	if len(m.Eval.Coefs) != len(m.Features) || len(m.Eval.Importance) != 3 {
		t.Fatalf("%d coefficients, %d importances", len(m.Eval.Coefs), len(m.Eval.Importance))
	}
	if m.Eval.Importance[0].Feature != "tenure" {
		t.Errorf("most important %q, want tenure (the strongest effect)", m.Eval.Importance[0].Feature)
	}
}

func pickInt(y []int, idx []int) []int {
	out := make([]int, len(idx))
	for i, r := range idx {
		out[i] = y[r]
	}
	return out
}

func TestRoundTripAndExplain(t *testing.T) {
	for _, algo := range []string{LogReg, Tree, Forest, LinReg} {
		t.Run(algo, func(t *testing.T) {
			d, s := synth(2000, 2)
			s.Algo = algo
			if algo == LinReg {
				// Predict spend from tenure and contract instead.
				s.Target, s.Numeric = "spend", []string{"tenure"}
				tgt := make([]string, d.Rows())
				num := mat.NewDense(d.Rows(), 1, nil)
				for i := range tgt {
					num.Set(i, 0, d.Num.At(i, 0))
					tgt[i] = strconv.FormatFloat(3*d.Num.At(i, 0)+float64(len(d.Cat[i][0])), 'g', -1, 64)
				}
				d = Data{Num: num, Cat: d.Cat, Target: tgt}
			}
			if algo == Forest {
				s.Trees = 20
			}
			m, err := Train(context.Background(), d, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			m2, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			p1, err := m.Score(d)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := m2.Score(d)
			if err != nil {
				t.Fatal(err)
			}
			for i := range p1 {
				if p1[i] != p2[i] {
					t.Fatalf("row %d: %v before, %v after a round trip", i, p1[i], p2[i])
				}
			}
			// Contributions add up to the prediction's distance from the
			// baseline: exact for SHAP and for linear margins.
			for _, i := range []int{0, 5, 17} {
				X, _ := m2.Transform(d.subset([]int{i}))
				phi, err := m2.contributions(X.RawRowView(0))
				if err != nil {
					t.Fatal(err)
				}
				sum := 0.0
				for _, v := range phi {
					sum += v
				}
				got, want := sum, 0.0
				switch algo {
				case LogReg:
					want = logit(p1[i]) - m2.Logistic.Intercept - dot(m2.Logistic.Coef, m2.Means)
				case LinReg:
					want = p1[i] - m2.Linear.Intercept - dot(m2.Linear.Coef, m2.Means)
				default:
					base := m2.expectedValue(t)
					want = p1[i] - base
				}
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("row %d: contributions sum to %v, want %v", i, got, want)
				}
				score, ex, err := m2.Explain(d, i, 3)
				if err != nil {
					t.Fatal(err)
				}
				if score != p1[i] || ex.Text == "" || len(ex.Up)+len(ex.Down) > 3 {
					t.Errorf("row %d: explain score %v text %q", i, score, ex.Text)
				}
			}
		})
	}
}

// expectedValue is the SHAP base value of a tree or forest model.
func (m *Model) expectedValue(t *testing.T) float64 {
	t.Helper()
	if m.Tree != nil {
		e, err := explain.NewTreeExplainer(m.Tree, 1)
		if err != nil {
			t.Fatal(err)
		}
		return e.ExpectedValue()
	}
	e, err := explain.NewForestExplainer(m.Forest, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e.ExpectedValue()
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestTargetErrors(t *testing.T) {
	d, s := synth(100, 3)
	s.Algo = LogReg
	one := make([]string, 100)
	for i := range one {
		one[i] = "No"
	}
	many := make([]string, 100)
	for i := range many {
		many[i] = strconv.Itoa(i % 7)
	}
	text := append([]string(nil), many...)
	text[3] = "n/a"
	for _, c := range []struct {
		algo   string
		target []string
		want   string
	}{
		{LogReg, one, "only one value"},
		{LogReg, many, "7 different values"},
		{LinReg, text, `"n/a", not a number`},
	} {
		d.Target = c.target
		s.Algo = c.algo
		_, err := Train(context.Background(), d, s, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to say %q", c.algo, err, c.want)
		}
	}
	for _, bad := range []Spec{{Algo: "svm", Target: "y", Numeric: []string{"a"}}, {Algo: LogReg, Target: "y"},
		{Algo: LogReg, Target: "y", Numeric: []string{"y"}}, {Algo: LogReg, Target: "y", Numeric: []string{"a", "A"}}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// An unseen category and missing numbers still score: the imputer and the
// one-hot encoder handle them as trained.
func TestScoreUnseen(t *testing.T) {
	m, _ := train(t, LogReg, 500)
	d := Data{Num: mat.NewDense(1, 2, []float64{math.NaN(), 30}), Cat: [][]string{{"weekly"}}}
	p, err := m.Score(d)
	if err != nil || math.IsNaN(p[0]) || p[0] <= 0 || p[0] >= 1 {
		t.Fatalf("score %v, %v", p, err)
	}
	_, ex, err := m.Explain(d, 0, 5)
	if err != nil || !strings.Contains(ex.Text, "tenure missing") && !strings.Contains(ex.Text, "contract weekly") {
		t.Errorf("explanation %q, %v", ex.Text, err)
	}
}

func TestCancel(t *testing.T) {
	d, s := synth(3000, 4)
	s.Algo = Forest
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, d, s, nil); err != context.Canceled {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	d, s := synth(200, 5)
	s.Algo = Tree
	m, err := Train(context.Background(), d, s, nil)
	if err != nil {
		f.Fatal(err)
	}
	b, _ := m.Marshal()
	f.Add(b)
	s.Algo, s.Epochs, s.Hidden = MLP, 3, []int{4}
	if m, err = Train(context.Background(), d, s, nil); err != nil {
		f.Fatal(err)
	}
	b, _ = m.Marshal()
	f.Add(b)
	f.Add([]byte(`{"version":1,"model":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err == nil {
			m.Score(d)
		}
	})
}

// L1 zeroes weak coefficients and reports no Wald intervals for them.
func TestL1(t *testing.T) {
	d, s := synth(2000, 6)
	s.Algo, s.L1, s.C = LogReg, true, 0.01
	m, err := Train(context.Background(), d, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, c := range m.Logistic.Coef {
		if c == 0 {
			zeros++
		}
	}
	if zeros == 0 || zeros == len(m.Logistic.Coef) {
		t.Errorf("coefficients %v: want some but not all exactly 0", m.Logistic.Coef)
	}
	for _, c := range m.Eval.Coefs {
		if c.P != -1 {
			t.Fatalf("L1 coefficient %+v has a p-value", c)
		}
	}
}
