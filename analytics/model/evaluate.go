package model

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/msg"
	"github.com/marketbench/marketbench/analytics/tree"
)

// RuleNoun names the rows in a tree's rules: "(78% of 1,234 customers)".
var RuleNoun = msg.New("customers")

// Evaluation is how the model did on its held-out test rows, plus what it
// learned, in forms the screens can show without the data.
type Evaluation struct {
	TrainRows int `json:"train_rows"`
	TestRows  int `json:"test_rows"`
	// Classes are the model's two outcomes (index 1 is the one scored), so
	// a screen can label a confusion matrix without loading the model.
	Classes []string `json:"classes,omitempty"`
	// BaseRate is the share of Classes[1] among the training rows.
	BaseRate float64 `json:"base_rate,omitempty"`

	// Yes/no models, with a 0.5 cut-off where one is needed.
	AUC       float64 `json:"auc,omitempty"`
	PRAUC     float64 `json:"pr_auc,omitempty"`
	Accuracy  float64 `json:"accuracy,omitempty"`
	LogLoss   float64 `json:"logloss,omitempty"`
	Brier     float64 `json:"brier,omitempty"`
	Precision float64 `json:"precision,omitempty"`
	Recall    float64 `json:"recall,omitempty"`
	F1        float64 `json:"f1,omitempty"`
	// Confusion counts [actual][predicted] over Classes.
	Confusion   [2][2]int64   `json:"confusion"`
	ROC         []Point       `json:"roc,omitempty"`
	Gains       []eval.Group  `json:"gains,omitempty"`
	Calibration []eval.CalBin `json:"calibration,omitempty"`
	Regression  bool          `json:"regression,omitempty"`
	RMSE        float64       `json:"rmse,omitempty"`
	MAE         float64       `json:"mae,omitempty"`
	R2          float64       `json:"r2,omitempty"`
	Importance  []Importance  `json:"importance,omitempty"`
	Coefs       []Coefficient `json:"coefficients,omitempty"`
	Rules       []string      `json:"rules,omitempty"`
	// RuleWords are the Rules as words, to be told in any language (see
	// tree.Words.Msg); models saved before they existed have only Rules.
	RuleWords []tree.Words   `json:"rule_words,omitempty"`
	OOB       map[string]any `json:"oob,omitempty"`
}

// Point is one point of a curve.
type Point struct{ X, Y float64 }

// Importance is how much the test metric (AUC, or RMSE for regression)
// worsens when one input column is shuffled: permutation importance over
// the user's columns, so a categorical column counts once.
type Importance struct {
	Feature string  `json:"feature"`
	Mean    float64 `json:"mean"`
	Std     float64 `json:"std"`
}

// Coefficient is one row of a logistic model's table: per standard
// deviation of a numeric feature (per indicator for a category), with Wald
// 95% intervals. For an L1 model P is -1 and the interval 0–0: not
// available.
type Coefficient struct {
	Feature      string  `json:"feature"`
	Coef         float64 `json:"coef"`
	OddsRatio    float64 `json:"odds_ratio"`
	OddsLo       float64 `json:"odds_lo"`
	OddsHi       float64 `json:"odds_hi"`
	P            float64 `json:"p"`
	Standardized float64 `json:"standardized"`
}

// importanceRows caps the test rows permutation importance shuffles: the
// ranking is stable long before the test set is used up, and shuffling
// costs 5 scorings per column.
const importanceRows = 5000

// evaluate measures the fitted model on the transformed test rows Xte; the
// raw sample (rows sampleRows of the test rows, with ySample) feeds
// permutation importance, which shuffles the user's columns.
func (m *Model) evaluate(ctx context.Context, Xtr *mat.Dense, yTrain []float64, Xte *mat.Dense, yTest []float64, sample Data, ySample []float64) error {
	e := &m.Eval
	e.TrainRows, e.TestRows = len(yTrain), len(yTest)
	e.Classes = m.Classes
	p, err := m.scoreX(Xte)
	if err != nil {
		return err
	}
	if Regression(m.Spec.Algo) {
		e.Regression = true
		e.RMSE, _ = eval.RMSE(yTest, p)
		e.MAE, _ = eval.MAE(yTest, p)
		e.R2, _ = eval.R2(yTest, p)
	} else if err := e.classification(yTrain, yTest, p); err != nil {
		return err
	}
	if m.Logistic != nil && m.Spec.L1 {
		// Wald intervals assume a smooth optimum; an L1 fit has none at the
		// zeroed coefficients, so only the estimates are reported.
		for j, c := range m.Logistic.Coef {
			e.Coefs = append(e.Coefs, Coefficient{Feature: m.Features[j], Coef: c, OddsRatio: math.Exp(c), P: -1})
		}
	} else if m.Logistic != nil {
		rep, err := explain.Logistic(m.Logistic, Xtr, yTrain, m.logisticOptions())
		if err == nil {
			for j, t := range rep.Coef {
				e.Coefs = append(e.Coefs, Coefficient{Feature: m.Features[j], Coef: t.Coef, OddsRatio: t.OddsRatio,
					OddsLo: t.OddsLo, OddsHi: t.OddsHi, P: t.P, Standardized: t.Standardized})
			}
		}
	}
	if m.Tree != nil {
		for _, r := range m.Tree.Rules(m.Features) {
			w := r.Words(m.Classes[r.Class])
			e.RuleWords = append(e.RuleWords, w)
			e.Rules = append(e.Rules, w.Msg(RuleNoun).String())
		}
	}
	if m.Forest != nil && m.Forest.OOBRows > 0 {
		e.OOB = map[string]any{"accuracy": m.Forest.OOBAccuracy, "rows": m.Forest.OOBRows}
		if !math.IsNaN(m.Forest.OOBAUC) {
			e.OOB["auc"] = m.Forest.OOBAUC
		}
	}
	e.Importance, err = m.importance(ctx, sample, ySample)
	return err
}

func (e *Evaluation) classification(yTrain, yTest, p []float64) error {
	for _, v := range yTrain {
		e.BaseRate += v
	}
	e.BaseRate /= float64(len(yTrain))
	yt := toInt(yTest)
	pred := make([]int, len(p))
	for i, v := range p {
		if v >= 0.5 {
			pred[i] = 1
		}
		e.Confusion[yt[i]][pred[i]]++
	}
	var err error
	if e.AUC, err = eval.ROCAUC(yt, p); err != nil {
		return msg.Errorf("the test rows cannot be scored: %v; use more rows or a larger test share", err)
	}
	e.PRAUC, _ = eval.PRAUC(yt, p)
	e.Accuracy, _ = eval.Accuracy(yt, pred)
	e.LogLoss, _ = eval.LogLoss(yt, p)
	e.Brier, _ = eval.Brier(yt, p)
	e.Precision, _ = eval.Precision(yt, pred)
	e.Recall, _ = eval.Recall(yt, pred)
	e.F1, _ = eval.F1(yt, pred)
	if c, err := eval.ROCCurve(yt, p); err == nil {
		e.ROC = thin(c.FPR, c.TPR, 200)
	}
	e.Gains, _ = eval.Gains(yt, p, 10)
	e.Calibration, _ = eval.Calibration(yt, p, 10, eval.Uniform)
	return nil
}

// thin keeps at most n+1 points of a curve, evenly spread by index and
// always including both ends, so a 200k-point ROC stores small and draws
// the same.
func thin(x, y []float64, n int) []Point {
	if len(x) == 0 {
		return nil
	}
	var out []Point
	step := max(1, len(x)/n)
	for i := 0; i < len(x); i += step {
		out = append(out, Point{x[i], y[i]})
	}
	if last := len(x) - 1; (last % step) != 0 {
		out = append(out, Point{x[last], y[last]})
	}
	return out
}

// importance shuffles each input column of (a sample of) the test rows.
// The columns are encoded in one float matrix, categories as level
// indices, so explain.Permutation can shuffle them uniformly.
// sampleRows picks up to importanceRows of n rows, evenly spread.
func sampleRows(n int) []int {
	idx := make([]int, 0, min(n, importanceRows))
	step := max(1, n/importanceRows)
	for i := 0; i < n && len(idx) < importanceRows; i += step {
		idx = append(idx, i)
	}
	return idx
}

// importance computes permutation importance on (a sample of) rows.
func (m *Model) importance(ctx context.Context, rows Data, yRows []float64) ([]Importance, error) {
	idx := sampleRows(rows.Rows())
	sample := rows.subset(idx)
	y := pick(yRows, idx)
	nn, nc := len(m.Spec.Numeric), len(m.Spec.Categorical)
	levels := make([][]string, nc)
	code := make([]map[string]int, nc)
	R := mat.NewDense(len(idx), nn+nc, nil)
	for i := range idx {
		for j := range nn {
			R.Set(i, j, sample.Num.At(i, j))
		}
		for j := range nc {
			if code[j] == nil {
				code[j] = map[string]int{}
			}
			v := sample.Cat[i][j]
			k, ok := code[j][v]
			if !ok {
				k = len(levels[j])
				code[j][v] = k
				levels[j] = append(levels[j], v)
			}
			R.Set(i, nn+j, float64(k))
		}
	}
	score := func(X *mat.Dense) []float64 {
		r, _ := X.Dims()
		d := Data{}
		if nn > 0 {
			d.Num = mat.NewDense(r, nn, nil)
		}
		if nc > 0 {
			d.Cat = make([][]string, r)
		}
		for i := range r {
			row := X.RawRowView(i)
			if nn > 0 {
				copy(d.Num.RawRowView(i), row[:nn])
			}
			if nc > 0 {
				d.Cat[i] = make([]string, nc)
				for j := range nc {
					d.Cat[i][j] = levels[j][int(row[nn+j])]
				}
			}
		}
		p, err := m.Score(d)
		if err != nil {
			return make([]float64, r)
		}
		return p
	}
	var imps []explain.Importance
	var err error
	opt := explain.PermutationOptions{Seed: m.Spec.Seed}
	if Regression(m.Spec.Algo) {
		opt.LowerIsBetter = true
		_, imps, err = explain.Permutation(ctx, R, y, score, eval.RMSE, opt)
	} else {
		_, imps, err = explain.Permutation(ctx, R, toInt(y), score, eval.ROCAUC, opt)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// One class in the sample, for instance: the model is still good,
		// it just has no importance table.
		return nil, nil
	}
	names := m.Spec.Features()
	out := make([]Importance, len(imps))
	for j, im := range imps {
		out[j] = Importance{Feature: names[j], Mean: im.Mean, Std: im.Std}
	}
	slices.SortStableFunc(out, func(a, b Importance) int { return cmp.Compare(b.Mean, a.Mean) })
	return out, nil
}

// Evaluate scores the rows of d that have a target value and measures the
// model on them, for checking a stored model on other data (a later
// period, another segment). What the model learned (coefficients, rules)
// is not repeated; it is in m.Eval.
func (m *Model) Evaluate(ctx context.Context, d Data) (*Evaluation, error) {
	if len(d.Target) != d.Rows() {
		return nil, errors.New("internal: target length does not match the rows")
	}
	var y []float64
	var keep []int
	if Regression(m.Spec.Algo) {
		var err error
		if y, keep, err = m.encodeTarget(d.Target); err != nil {
			return nil, err
		}
	} else {
		for i, v := range d.Target {
			switch v {
			case "":
				continue
			case m.Classes[1]:
				y = append(y, 1)
			case m.Classes[0]:
				y = append(y, 0)
			default:
				return nil, msg.Errorf("%q holds %q, but the model knows only %q and %q", m.Spec.Target, v, m.Classes[0], m.Classes[1])
			}
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return nil, msg.Errorf("no row has a value for %q", m.Spec.Target)
	}
	d = d.subset(keep)
	X, err := m.Transform(d)
	if err != nil {
		return nil, err
	}
	p, err := m.scoreX(X)
	if err != nil {
		return nil, err
	}
	e := &Evaluation{TestRows: len(y)}
	if Regression(m.Spec.Algo) {
		e.Regression = true
		e.RMSE, _ = eval.RMSE(y, p)
		e.MAE, _ = eval.MAE(y, p)
		e.R2, _ = eval.R2(y, p)
	} else if err := e.classification(y, y, p); err != nil {
		return nil, err
	}
	if e.Importance, err = m.importance(ctx, d, y); err != nil {
		return nil, err
	}
	return e, nil
}

// EncodeTarget maps raw target values the way Train does for spec's
// algorithm: 0/1 with the "yes" class second for yes/no outcomes, numbers
// for regression. It returns the rows that have a value. Model plugins use
// it so their targets mean what built-in models' do.
func EncodeTarget(spec Spec, raw []string) (y []float64, classes []string, keep []int, err error) {
	m := &Model{Spec: spec}
	y, keep, err = m.encodeTarget(raw)
	return y, m.Classes, keep, err
}

// ScoreEvaluation measures predictions p of held-out targets y (0/1, or
// amounts for regression) with the same metrics as a trained model's
// evaluation; trainY gives the base rate.
func ScoreEvaluation(y, p, trainY []float64, regression bool) (*Evaluation, error) {
	if len(y) != len(p) || len(y) == 0 {
		return nil, fmt.Errorf("%d scores for %d rows", len(p), len(y))
	}
	e := &Evaluation{TrainRows: len(trainY), TestRows: len(y)}
	if regression {
		e.Regression = true
		e.RMSE, _ = eval.RMSE(y, p)
		e.MAE, _ = eval.MAE(y, p)
		e.R2, _ = eval.R2(y, p)
		return e, nil
	}
	for _, v := range p {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return nil, fmt.Errorf("a score of %v is not a probability", v)
		}
	}
	return e, e.classification(trainY, y, p)
}
