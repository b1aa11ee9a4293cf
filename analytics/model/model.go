// Package model ties preprocessing, an algorithm, evaluation and
// explanations into one trained, storable model: what the product trains,
// scores customers with and explains. The algorithms themselves live in
// their own packages (logistic, linear, tree, forest); this package decides
// how they are used together, so the GUI, the CLI and the store agree.
//
// Like the rest of analytics it is pure computation: the caller loads the
// rows and stores the bytes of Marshal.
package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/forest"
	"github.com/marketbench/marketbench/analytics/linear"
	"github.com/marketbench/marketbench/analytics/logistic"
	"github.com/marketbench/marketbench/analytics/mlp"
	"github.com/marketbench/marketbench/analytics/msg"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/analytics/tree"
)

// Algorithms, as the user names them.
const (
	LogReg = "logreg"
	LinReg = "linreg"
	Tree   = "tree"
	Forest = "forest"
	// MLP and MLPReg are the neural network (a multi-layer perceptron) for
	// yes/no outcomes and for amounts. They are two names, as logreg and
	// linreg are, because the rest of the product (the target's encoding,
	// the metrics, the screens) asks the algorithm, not the data, whether a
	// model predicts a number.
	MLP    = "mlp"
	MLPReg = "mlpreg"
)

// algoList names the algorithms in errors.
const algoList = "logreg, tree, forest, mlp, linreg or mlpreg"

// Algo is a built-in algorithm: its name and, for people, a title and a
// one-line description.
type Algo struct {
	Name         string
	Title, About msg.Msg
}

// Algos lists the built-in algorithms.
func Algos() []Algo {
	return []Algo{
		{LogReg, msg.New("Logistic regression"), msg.New("Yes/no outcomes, explained by odds ratios.")},
		{Tree, msg.New("Decision tree"), msg.New("Yes/no outcomes as readable if-then rules.")},
		{Forest, msg.New("Random forest"), msg.New("Yes/no outcomes, usually the most accurate.")},
		{MLP, msg.New("Neural network"), msg.New("Yes/no outcomes from a multi-layer perceptron: finds interactions by itself, explained per customer.")},
		{LinReg, msg.New("Linear regression"), msg.New("Amounts such as customer value.")},
		{MLPReg, msg.New("Neural network regression"), msg.New("Amounts such as customer value, from a multi-layer perceptron.")},
	}
}

// Regression reports whether algo predicts a number rather than a yes/no.
func Regression(algo string) bool { return algo == LinReg || algo == MLPReg }

// isMLP reports the neural network algorithms.
func isMLP(algo string) bool { return algo == MLP || algo == MLPReg }

// Spec is everything the user chose for a model. Zero option values mean
// the defaults documented on each field.
type Spec struct {
	Algo   string `json:"algo"`
	Target string `json:"target"`
	// Numeric and Categorical are the feature columns. Missing numbers are
	// filled with the training median; categories become 0/1 indicators,
	// and a category unseen in training gets all zeros.
	Numeric     []string `json:"numeric,omitempty"`
	Categorical []string `json:"categorical,omitempty"`
	// Bools names the numeric features that are true/false (1/0), so
	// explanations say "email_consent yes" rather than "email_consent 1".
	Bools []string `json:"bools,omitempty"`
	// TestSize is the held-out share of rows for the metrics; 0 means 0.2.
	// The split is stratified by the target for yes/no outcomes.
	TestSize float64 `json:"test_size,omitempty"`
	Seed     uint64  `json:"seed"`

	// C is logistic regression's inverse penalty strength; 0 means 1.
	C float64 `json:"c,omitempty"`
	// L1 switches logistic regression's penalty from L2 to L1.
	L1 bool `json:"l1,omitempty"`
	// Balanced weights the two classes equally, for rare outcomes
	// (logistic regression and the neural network).
	Balanced bool `json:"balanced,omitempty"`
	// Alpha is the L2 penalty: linear regression's ridge (0 means OLS) and
	// the neural network's weight decay (0 means 1e-4).
	Alpha float64 `json:"alpha,omitempty"`
	// MaxDepth caps trees; 0 means 4 for a tree (so its rules stay
	// readable) and 12 for a forest (so scoring stays fast).
	MaxDepth int `json:"max_depth,omitempty"`
	// MinLeaf is the fewest training rows per leaf; 0 means 20.
	MinLeaf int `json:"min_leaf,omitempty"`
	// Trees is the forest size; 0 means 100.
	Trees int `json:"trees,omitempty"`
	// Criterion is "gini" (default) or "entropy" for a tree.
	Criterion string `json:"criterion,omitempty"`

	// Hidden are the neural network's hidden layer sizes; empty means
	// mlp.DefaultHidden (64, 32).
	Hidden []int `json:"hidden,omitempty"`
	// Epochs caps the network's passes over the training rows; 0 means 200.
	Epochs int `json:"epochs,omitempty"`
	// LearningRate is the network's Adam step size; 0 means 0.001.
	LearningRate float64 `json:"learning_rate,omitempty"`
	// NoEarlyStopping trains the network on all training rows until its
	// training loss stops improving, instead of holding out a tenth of
	// them and keeping the epoch that did best on those.
	NoEarlyStopping bool `json:"no_early_stopping,omitempty"`
}

// MaxEpochs caps Spec.Epochs; MaxHiddenUnits caps each of Spec.Hidden.
const (
	MaxEpochs      = 10000
	MaxHiddenUnits = mlp.MaxWidth
)

// Features returns the input columns, numeric first.
func (s Spec) Features() []string {
	return append(slices.Clone(s.Numeric), s.Categorical...)
}

func (s Spec) testSize() float64 {
	if s.TestSize == 0 {
		return 0.2
	}
	return s.TestSize
}

func (s Spec) maxDepth() int {
	switch {
	case s.MaxDepth > 0:
		return s.MaxDepth
	case s.Algo == Tree:
		return 4
	}
	return 12
}

func (s Spec) minLeaf() int {
	if s.MinLeaf > 0 {
		return s.MinLeaf
	}
	return 20
}

// Validate checks the spec before any data is read.
func (s Spec) Validate() error {
	switch s.Algo {
	case LogReg, LinReg, Tree, Forest, MLP, MLPReg:
	case "":
		return msg.Errorf("choose an algorithm: %s", algoList)
	default:
		return msg.Errorf("unknown algorithm %q: use %s", s.Algo, algoList)
	}
	if s.Target == "" {
		return msg.Errorf("choose the column to predict (the target)")
	}
	if len(s.Numeric)+len(s.Categorical) == 0 {
		return msg.Errorf("choose at least one feature column")
	}
	seen := map[string]bool{strings.ToLower(s.Target): true}
	for _, f := range s.Features() {
		if seen[strings.ToLower(f)] {
			if strings.EqualFold(f, s.Target) {
				return msg.Errorf("%q is the target; it cannot also be a feature", f)
			}
			return msg.Errorf("feature %q is listed twice", f)
		}
		seen[strings.ToLower(f)] = true
	}
	if t := s.testSize(); t <= 0 || t >= 1 {
		return msg.Errorf("the test share must be between 0 and 1 (got %v)", s.TestSize)
	}
	if s.C < 0 || s.Alpha < 0 || s.MaxDepth < 0 || s.MinLeaf < 0 || s.Trees < 0 {
		return msg.Errorf("model options cannot be negative")
	}
	if s.Criterion != "" && s.Criterion != "gini" && s.Criterion != "entropy" {
		return msg.Errorf("unknown split criterion %q: use gini or entropy", s.Criterion)
	}
	return s.validateMLP()
}

// validateMLP checks the neural network's options.
func (s Spec) validateMLP() error {
	if len(s.Hidden) > mlp.MaxLayers-1 {
		return msg.Errorf("the neural network can have at most %d hidden layers (got %d)", mlp.MaxLayers-1, len(s.Hidden))
	}
	for _, h := range s.Hidden {
		if h < 1 || h > mlp.MaxWidth {
			return msg.Errorf("a hidden layer needs 1 to %d units (got %d)", mlp.MaxWidth, h)
		}
	}
	if s.Epochs < 0 || s.Epochs > MaxEpochs {
		return msg.Errorf("the number of epochs must be between 1 and %d (got %d)", MaxEpochs, s.Epochs)
	}
	if math.IsNaN(s.LearningRate) || s.LearningRate < 0 || s.LearningRate > 1 {
		return msg.Errorf("the learning rate must be between 0 and 1 (got %v)", s.LearningRate)
	}
	if math.IsNaN(s.Alpha) || math.IsInf(s.Alpha, 0) || math.IsNaN(s.C) || math.IsInf(s.C, 0) {
		return msg.Errorf("model options must be numbers")
	}
	return nil
}

// Data is a table of rows in the columns of a Spec.
type Data struct {
	// Num has one column per Spec.Numeric; NaN is missing.
	Num *mat.Dense
	// Cat has one row per row of Num and one entry per Spec.Categorical;
	// "" is missing (a category of its own).
	Cat [][]string
	// Target holds the raw target values as text ("" for missing), only
	// for training and evaluation.
	Target []string
}

// Rows is the number of rows in d.
func (d Data) Rows() int {
	if d.Num != nil {
		r, _ := d.Num.Dims()
		return r
	}
	return len(d.Cat)
}

func (d Data) check(s Spec) error {
	n := d.Rows()
	if d.Num != nil {
		if _, c := d.Num.Dims(); c != len(s.Numeric) {
			return fmt.Errorf("internal: %d numeric columns for %d features", c, len(s.Numeric))
		}
	} else if len(s.Numeric) > 0 {
		return errors.New("internal: numeric features without numeric data")
	}
	if len(s.Categorical) > 0 && len(d.Cat) != n {
		return errors.New("internal: categorical rows do not match numeric rows")
	}
	for _, r := range d.Cat {
		if len(r) != len(s.Categorical) {
			return errors.New("internal: ragged categorical rows")
		}
	}
	return nil
}

// Model is a trained model with everything needed to score and explain new
// rows the same way, and the evaluation on its held-out rows.
type Model struct {
	Spec Spec `json:"spec"`
	// Classes names the two outcomes (index 1 is the one predicted, e.g.
	// "Yes" for churn); empty for regression.
	Classes []string `json:"classes,omitempty"`
	// Pipeline turns raw columns into Features.
	Pipeline *prep.Pipeline `json:"pipeline"`
	// Features names the model's input columns after the pipeline: numeric
	// names, then "column=category" indicators.
	Features []string `json:"features"`
	// Means are the training means of Features, the baseline of linear
	// explanations.
	Means []float64 `json:"means"`

	Logistic *logistic.Model `json:"logistic,omitempty"`
	Linear   *linear.Model   `json:"linear,omitempty"`
	Tree     *tree.Tree      `json:"tree,omitempty"`
	Forest   *forest.Forest  `json:"-"`
	MLP      *mlp.Net        `json:"mlp,omitempty"`

	Eval Evaluation `json:"eval"`
}

// Progress receives a stage name and the overall fraction done, 0..1.
type Progress func(stage string, frac float64)

// Train fits a model on d by spec: it splits off the test rows, fits the
// pipeline and the algorithm on the rest, and evaluates on the test rows.
func Train(ctx context.Context, d Data, spec Spec, progress Progress) (*Model, error) {
	if progress == nil {
		progress = func(string, float64) {}
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := d.check(spec); err != nil {
		return nil, err
	}
	if len(d.Target) != d.Rows() {
		return nil, errors.New("internal: target length does not match the rows")
	}
	m := &Model{Spec: spec}
	y, keep, err := m.encodeTarget(d.Target)
	if err != nil {
		return nil, err
	}
	if len(keep) < d.Rows() {
		d = d.subset(keep)
	}
	if d.Rows() < 10 {
		return nil, msg.Errorf("only %d rows have a value for %q; a model needs at least 10", d.Rows(), spec.Target)
	}
	progress("splitting", 0.02)
	strata := make([]int, len(y))
	if !Regression(spec.Algo) {
		for i, v := range y {
			strata[i] = int(v)
		}
	}
	trainIdx, testIdx, err := prep.Split(strata, spec.testSize(), spec.Seed)
	if err != nil {
		return nil, msg.Errorf("cannot split the rows into training and test: %v", err)
	}
	train, test := d.subset(trainIdx), d.subset(testIdx)
	yTrain, yTest := pick(y, trainIdx), pick(y, testIdx)

	progress("preparing features", 0.05)
	m.Pipeline = &prep.Pipeline{}
	if len(spec.Numeric) > 0 {
		m.Pipeline.Steps = []prep.Step{{Impute: &prep.Imputer{Strategy: prep.Median}}}
		if spec.Algo == LogReg || spec.Algo == LinReg || isMLP(spec.Algo) {
			// Scaling makes the penalty fair across units and the coefficients
			// comparable, and a network trains well only on inputs of similar
			// scale; trees skip it so their rules read in the user's units.
			m.Pipeline.Steps = append(m.Pipeline.Steps, prep.Step{Standard: &prep.StandardScaler{}})
		}
	}
	if len(spec.Categorical) > 0 {
		// Least squares with an intercept needs a reference level.
		m.Pipeline.Cat = &prep.OneHot{Columns: spec.Categorical, DropFirst: spec.Algo == LinReg}
	}
	// train and test are Train's own copies, so the pipeline may work in
	// place: with a million rows every avoided copy is 8 bytes per value.
	// The test rows are kept raw too, for permutation importance.
	testRaw := test.subset(sampleRows(test.Rows()))
	Xtr, err := m.Pipeline.FitTransformOwned(train.Num, train.Cat)
	if err != nil {
		return nil, msg.Errorf("cannot prepare the features: %v", err)
	}
	train = Data{}
	m.Features = slices.Clone(spec.Numeric)
	if m.Pipeline.Cat != nil {
		m.Features = append(m.Features, m.Pipeline.Cat.FeatureNames()...)
	}
	m.Means = colMeans(Xtr)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	progress("fitting "+spec.Algo, 0.1)
	if err := m.fit(ctx, Xtr, yTrain, progress); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress("evaluating", 0.8)
	Xte, err := m.Pipeline.TransformOwned(test.Num, test.Cat)
	if err != nil {
		return nil, err
	}
	if err := m.evaluate(ctx, Xtr, yTrain, Xte, yTest, testRaw, pick(yTest, sampleRows(len(yTest)))); err != nil {
		return nil, err
	}
	progress("done", 1)
	return m, nil
}

func (m *Model) fit(ctx context.Context, X *mat.Dense, y []float64, progress Progress) error {
	s := m.Spec
	switch s.Algo {
	case LogReg:
		lm, err := logistic.Fit(X, y, m.logisticOptions())
		if err != nil {
			return msg.Errorf("logistic regression failed: %v", err)
		}
		m.Logistic = lm
	case LinReg:
		lm, err := linear.Fit(X, y, linear.Options{Alpha: s.Alpha})
		var ce *linear.CollinearError
		if errors.As(err, &ce) {
			if len(ce.With) == 0 {
				return msg.Errorf("%s is the same in every training row; drop it", m.Features[ce.Column])
			}
			with := make([]string, len(ce.With))
			for i, j := range ce.With {
				with[i] = m.Features[j]
			}
			return msg.Errorf("%s is fully determined by %s, so ordinary least squares has no single answer; drop one of these features or set a ridge penalty (alpha)",
				m.Features[ce.Column], strings.Join(with, ", "))
		}
		if err != nil {
			return msg.Errorf("linear regression failed: %v", err)
		}
		m.Linear = lm
	case Tree:
		t, err := tree.Fit(X, toInt(y), tree.Options{Criterion: s.Criterion, MaxDepth: s.maxDepth(), MinSamplesLeaf: s.minLeaf()})
		if err != nil {
			return msg.Errorf("decision tree failed: %v", err)
		}
		m.Tree = t
	case Forest:
		f, err := forest.FitContext(ctx, X, toInt(y), forest.Options{NTrees: s.Trees, MaxDepth: s.maxDepth(), MinSamplesLeaf: s.minLeaf(), Seed: s.Seed})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return msg.Errorf("random forest failed: %v", err)
		}
		m.Forest = f
	case MLP, MLPReg:
		opt := mlp.Options{Hidden: s.Hidden, Regression: s.Algo == MLPReg, MaxIter: s.Epochs, Alpha: s.Alpha,
			LearningRate: s.LearningRate, NoEarlyStopping: s.NoEarlyStopping, Balanced: s.Balanced, Seed: s.Seed,
			Progress: func(f float64) { progress("fitting "+s.Algo, 0.1+0.7*f) }}
		net, err := mlp.Fit(ctx, X, y, opt)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return msg.Errorf("the neural network failed: %v", err)
		}
		m.MLP = net
	}
	return nil
}

func (m *Model) logisticOptions() logistic.Options {
	o := logistic.Options{C: m.Spec.C, Balanced: m.Spec.Balanced, MaxIter: 1000}
	if m.Spec.L1 {
		o.Penalty = "l1"
	}
	return o
}

// encodeTarget maps the raw target to 0/1 (classification) or numbers and
// returns the rows that have a value.
func (m *Model) encodeTarget(raw []string) (y []float64, keep []int, err error) {
	name := m.Spec.Target
	if Regression(m.Spec.Algo) {
		for i, v := range raw {
			if v == "" {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				if m.Spec.Algo == MLPReg {
					return nil, nil, msg.Errorf("%q holds %q, not a number; neural network regression predicts amounts, use mlp for yes/no outcomes", name, v)
				}
				return nil, nil, msg.Errorf("%q holds %q, not a number; linear regression predicts amounts, use logreg, tree or forest for categories", name, v)
			}
			y = append(y, f)
			keep = append(keep, i)
		}
		return y, keep, nil
	}
	set := map[string]bool{}
	for _, v := range raw {
		if v != "" {
			set[v] = true
		}
	}
	levels := make([]string, 0, len(set))
	for v := range set {
		levels = append(levels, v)
	}
	slices.Sort(levels)
	switch {
	case len(levels) < 2:
		return nil, nil, msg.Errorf("%q has only one value (%s); a yes/no model needs both outcomes in the data", name, strings.Join(levels, ""))
	case len(levels) > 2:
		shown := levels
		if len(shown) > 5 {
			shown = shown[:5]
		}
		return nil, nil, msg.Errorf("%q has %d different values (%s…); these models predict a yes/no outcome, so pick a column with two values or build one (e.g. a churn target)", name, len(levels), strings.Join(shown, ", "))
	}
	if positiveWord(levels[0]) && !positiveWord(levels[1]) {
		levels[0], levels[1] = levels[1], levels[0]
	}
	m.Classes = levels
	for i, v := range raw {
		if v == "" {
			continue
		}
		keep = append(keep, i)
		if v == levels[1] {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	return y, keep, nil
}

// positiveWord reports values that name the "yes" outcome, so Yes/No and
// true/false targets predict Yes rather than whichever sorts last.
func positiveWord(s string) bool {
	switch strings.ToLower(s) {
	case "1", "yes", "y", "true", "t", "churn", "churned", "positive", "是":
		return true
	}
	return false
}

// Score returns one prediction per row of d: the probability of
// Classes[1], or the predicted amount for regression.
func (m *Model) Score(d Data) ([]float64, error) {
	X, err := m.Transform(d)
	if err != nil {
		return nil, err
	}
	return m.scoreX(X)
}

// Transform applies the model's pipeline to d.
func (m *Model) Transform(d Data) (*mat.Dense, error) {
	if err := d.check(m.Spec); err != nil {
		return nil, err
	}
	return m.Pipeline.Transform(d.Num, d.Cat)
}

func (m *Model) scoreX(X *mat.Dense) ([]float64, error) {
	switch {
	case m.Logistic != nil:
		return m.Logistic.PredictProba(X), nil
	case m.Linear != nil:
		return m.Linear.Predict(X), nil
	case m.Tree != nil:
		return col(m.Tree.PredictProba(X), 1), nil
	case m.Forest != nil:
		p, err := m.Forest.PredictProba(X)
		if err != nil {
			return nil, err
		}
		return col(p, 1), nil
	case m.MLP != nil:
		return m.MLP.Predict(X), nil
	}
	return nil, msg.Errorf("the model holds no fitted algorithm")
}

// Subset returns the rows idx of d, copied.
func (d Data) Subset(idx []int) Data { return d.subset(idx) }

func (d Data) subset(idx []int) Data {
	out := Data{}
	if d.Num != nil {
		_, c := d.Num.Dims()
		if c > 0 && len(idx) > 0 {
			out.Num = mat.NewDense(len(idx), c, nil)
			for i, r := range idx {
				out.Num.SetRow(i, d.Num.RawRowView(r))
			}
		}
	}
	if d.Cat != nil {
		out.Cat = make([][]string, len(idx))
		for i, r := range idx {
			out.Cat[i] = d.Cat[r]
		}
	}
	if d.Target != nil {
		out.Target = make([]string, len(idx))
		for i, r := range idx {
			out.Target[i] = d.Target[r]
		}
	}
	return out
}

func pick(y []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, r := range idx {
		out[i] = y[r]
	}
	return out
}

func toInt(y []float64) []int {
	out := make([]int, len(y))
	for i, v := range y {
		out[i] = int(v)
	}
	return out
}

func col(p *mat.Dense, j int) []float64 {
	r, _ := p.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = p.At(i, j)
	}
	return out
}

func colMeans(X *mat.Dense) []float64 {
	r, c := X.Dims()
	out := make([]float64, c)
	for i := range r {
		for j, v := range X.RawRowView(i) {
			out[j] += v
		}
	}
	for j := range out {
		out[j] /= float64(r)
	}
	return out
}
