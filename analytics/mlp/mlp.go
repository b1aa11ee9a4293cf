// Package mlp is a multi-layer perceptron: dense ReLU hidden layers and one
// output, a sigmoid with cross-entropy for yes/no outcomes or the identity
// with squared error for amounts, trained by Adam on shuffled mini-batches
// with an L2 penalty and early stopping. It follows scikit-learn's
// MLPClassifier and MLPRegressor (their defaults, initialisation, loss and
// optimiser) so the two can be compared on the same data; the differences
// are documented on Options.
//
// Inputs should be standardised by the caller (analytics/model does it):
// the network, like scikit-learn's, trains poorly on raw units.
package mlp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// DefaultHidden are the hidden layer sizes when Options.Hidden is empty.
// Two layers of 64 and 32 matched or beat scikit-learn's single layer of
// 100 on the fixtures in testdata at half the arithmetic per row (see
// docs/MODELS.md).
var DefaultHidden = []int{64, 32}

// Limits on the network's shape, so a damaged or hostile stored model
// cannot ask for gigabytes.
const (
	MaxLayers = 5
	MaxWidth  = 1024
)

// Options control training. Zero values mean scikit-learn's defaults.
type Options struct {
	// Hidden are the hidden layer sizes; empty means DefaultHidden.
	Hidden []int
	// Regression predicts an amount (identity output, squared error)
	// instead of the probability of y = 1. The target is standardised
	// inside the network (scikit-learn does not), so Adam's step size
	// suits amounts of any scale; predictions are in the target's units.
	Regression bool
	// MaxIter is the most epochs (passes over the training rows); 0 is 200.
	MaxIter int
	// Alpha is the L2 penalty; 0 is 1e-4.
	Alpha float64
	// LearningRate is Adam's step size; 0 is 1e-3 (β1 0.9, β2 0.999, ε 1e-8).
	LearningRate float64
	// BatchSize is the rows per step; 0 is min(200, rows).
	BatchSize int
	// NoEarlyStopping trains on all rows and stops when the training loss
	// has not improved by Tol for NIterNoChange epochs (scikit-learn's
	// early_stopping=False). By default ValidationFraction of the rows
	// (stratified by class) are held out and training stops when their
	// loss has not improved by Tol for NIterNoChange epochs; the weights
	// of the best epoch are kept. scikit-learn watches the validation
	// accuracy instead, which barely moves for a rare outcome; the loss
	// does.
	NoEarlyStopping bool
	// Fixed runs exactly MaxIter epochs on all rows, with no stopping
	// rule: for timing against scikit-learn.
	Fixed bool
	// ValidationFraction is the held-out share for early stopping; 0 is 0.1.
	ValidationFraction float64
	// NIterNoChange is the patience in epochs; 0 is 10.
	NIterNoChange int
	// Tol is the improvement that counts; 0 is 1e-4.
	Tol float64
	// Balanced weights the two classes so each carries half the loss.
	Balanced bool
	// Seed fixes the initial weights, the validation split and the
	// shuffles: the same data, options and seed give the same network on
	// any machine.
	Seed uint64
	// Progress, if set, is called after each epoch with the share of
	// MaxIter done.
	Progress func(frac float64)
}

func (o *Options) defaults(n int) error {
	if len(o.Hidden) == 0 {
		o.Hidden = DefaultHidden
	}
	if len(o.Hidden) > MaxLayers-1 {
		return fmt.Errorf("at most %d hidden layers", MaxLayers-1)
	}
	for _, h := range o.Hidden {
		if h < 1 || h > MaxWidth {
			return fmt.Errorf("a hidden layer needs 1 to %d units (got %d)", MaxWidth, h)
		}
	}
	if o.MaxIter == 0 {
		o.MaxIter = 200
	}
	if o.Alpha == 0 {
		o.Alpha = 1e-4
	}
	if o.LearningRate == 0 {
		o.LearningRate = 1e-3
	}
	if o.BatchSize == 0 {
		o.BatchSize = 200
	}
	if o.ValidationFraction == 0 {
		o.ValidationFraction = 0.1
	}
	if o.NIterNoChange == 0 {
		o.NIterNoChange = 10
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	switch {
	case o.MaxIter < 0, o.Alpha < 0, o.LearningRate < 0, o.BatchSize < 0, o.NIterNoChange < 0, o.Tol < 0:
		return errors.New("options cannot be negative")
	case o.ValidationFraction <= 0 || o.ValidationFraction >= 0.5:
		return fmt.Errorf("the validation share must be between 0 and 0.5 (got %v)", o.ValidationFraction)
	case math.IsNaN(o.Alpha) || math.IsInf(o.Alpha, 0) || math.IsNaN(o.LearningRate) || math.IsInf(o.LearningRate, 0):
		return errors.New("options must be finite numbers")
	}
	return nil
}

// Net is a trained network.
type Net struct {
	// Sizes are the layer widths: inputs, hidden layers, 1 output.
	Sizes []int `json:"sizes"`
	// Coef[l] is the Sizes[l] × Sizes[l+1] weight matrix, row-major;
	// Intercept[l] its Sizes[l+1] biases.
	Coef      [][]float64 `json:"coef"`
	Intercept [][]float64 `json:"intercept"`
	// Regression nets predict YMean + YScale × output.
	Regression bool    `json:"regression,omitempty"`
	YMean      float64 `json:"y_mean,omitempty"`
	YScale     float64 `json:"y_scale,omitempty"`

	// Epochs trained, the last training loss, and, with early stopping,
	// the best validation loss (whose weights were kept).
	Epochs         int     `json:"epochs"`
	Loss           float64 `json:"loss"`
	ValidationLoss float64 `json:"validation_loss,omitempty"`
	// Converged is false when MaxIter ran out before the stopping rule
	// fired (always false for Fixed).
	Converged bool `json:"converged"`
}

// Fit trains a network on the rows of X with targets y: 0/1 for a
// classifier, amounts for a regression.
func Fit(ctx context.Context, X *mat.Dense, y []float64, opt Options) (*Net, error) {
	n, d := X.Dims()
	if n != len(y) {
		return nil, fmt.Errorf("%d targets for %d rows", len(y), n)
	}
	if n < 2 || d == 0 {
		return nil, errors.New("too little data: need at least 2 rows and 1 column")
	}
	if err := opt.defaults(n); err != nil {
		return nil, err
	}
	for i := range n {
		for _, v := range X.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("row %d has a missing or infinite value", i+1)
			}
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, fmt.Errorf("target %d is missing or infinite", i+1)
		}
		if !opt.Regression && y[i] != 0 && y[i] != 1 {
			return nil, fmt.Errorf("target %d is %v, not 0 or 1", i+1, y[i])
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6d6c70))
	net := &Net{Sizes: append(append([]int{d}, opt.Hidden...), 1), Regression: opt.Regression}
	t := newTrainer(net, opt)
	t.init(rng)

	yt := slices.Clone(y)
	if opt.Regression {
		net.YMean, net.YScale = meanStd(y)
		for i := range yt {
			yt[i] = (yt[i] - net.YMean) / net.YScale
		}
	}
	w := weights(y, opt)

	trainIdx := make([]int, n)
	for i := range trainIdx {
		trainIdx[i] = i
	}
	var valIdx []int
	early := !opt.NoEarlyStopping && !opt.Fixed
	if early {
		trainIdx, valIdx = validationSplit(y, opt, rng)
		if len(valIdx) == 0 || len(trainIdx) == 0 {
			return nil, msg.Errorf("too few rows to hold some out for early stopping; use more rows or turn early stopping off")
		}
	}
	if err := t.run(ctx, X, yt, w, trainIdx, valIdx, rng); err != nil {
		return nil, err
	}
	return net, nil
}

func meanStd(y []float64) (mean, std float64) {
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	for _, v := range y {
		std += (v - mean) * (v - mean)
	}
	std = math.Sqrt(std / float64(len(y)))
	if std == 0 || math.IsNaN(std) {
		std = 1
	}
	return mean, std
}

// weights returns per-row weights (nil for all ones): for Balanced, each
// class gets n/(2·count), as scikit-learn's class_weight="balanced".
func weights(y []float64, opt Options) []float64 {
	if !opt.Balanced || opt.Regression {
		return nil
	}
	var pos float64
	for _, v := range y {
		pos += v
	}
	n := float64(len(y))
	if pos == 0 || pos == n {
		return nil
	}
	w := make([]float64, len(y))
	for i, v := range y {
		if v == 1 {
			w[i] = n / (2 * pos)
		} else {
			w[i] = n / (2 * (n - pos))
		}
	}
	return w
}

// validationSplit holds out opt.ValidationFraction of the rows, stratified
// by class for a classifier, at least one row per class where possible.
func validationSplit(y []float64, opt Options, rng *rand.Rand) (train, val []int) {
	groups := [][]int{nil}
	if !opt.Regression {
		groups = [][]int{nil, nil}
	}
	for i, v := range y {
		g := 0
		if !opt.Regression {
			g = int(v)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range groups {
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		k := int(math.Round(opt.ValidationFraction * float64(len(g))))
		if k == 0 && len(g) >= 2 {
			k = 1
		}
		val = append(val, g[:k]...)
		train = append(train, g[k:]...)
	}
	slices.Sort(train)
	slices.Sort(val)
	return train, val
}

// Predict returns one prediction per row of X: the probability of y = 1,
// or the amount for a regression net.
func (net *Net) Predict(X *mat.Dense) []float64 {
	n, _ := X.Dims()
	out := make([]float64, n)
	const chunk = 1024
	parallel(n, chunk, func(lo, hi int) {
		f := newForward(net.Sizes, hi-lo)
		for i := lo; i < hi; i++ {
			copy(f.acts[0][(i-lo)*net.Sizes[0]:], X.RawRowView(i))
		}
		z := f.run(net, hi-lo)
		for i, v := range z {
			out[lo+i] = net.output(v)
		}
	})
	return out
}

// output turns the last layer's value into a prediction.
func (net *Net) output(z float64) float64 {
	if net.Regression {
		return net.YMean + net.YScale*z
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Check reports whether the net is well formed for inputs columns: what
// a stored model must pass before it is used.
func (net *Net) Check(inputs int) error {
	L := len(net.Sizes) - 1
	switch {
	case L < 1 || L > MaxLayers:
		return errors.New("the network has a wrong number of layers")
	case net.Sizes[0] != inputs:
		return fmt.Errorf("the network takes %d inputs, the model has %d features", net.Sizes[0], inputs)
	case net.Sizes[L] != 1:
		return errors.New("the network must have one output")
	case len(net.Coef) != L || len(net.Intercept) != L:
		return errors.New("the network's weights do not match its layers")
	}
	for l := range L {
		in, out := net.Sizes[l], net.Sizes[l+1]
		if in < 1 || out < 1 || out > MaxWidth || in > 1<<20 {
			return errors.New("the network has a layer of impossible width")
		}
		if len(net.Coef[l]) != in*out || len(net.Intercept[l]) != out {
			return fmt.Errorf("layer %d's weights do not match its size", l+1)
		}
		for _, v := range append(slices.Clone(net.Coef[l]), net.Intercept[l]...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("layer %d has a weight that is not a number", l+1)
			}
		}
	}
	if net.Regression && (!(net.YScale > 0) || math.IsInf(net.YScale, 0) || math.IsNaN(net.YMean) || math.IsInf(net.YMean, 0)) {
		return errors.New("the network's target scale is not a positive number")
	}
	return nil
}
