// Package prep prepares feature matrices for the models in analytics:
// scaling, imputation, one-hot encoding, stratified splits and PCA, matching
// scikit-learn's preprocessing where one exists.
//
// Every transform is fitted on training rows only and keeps its fitted state
// in exported fields, so a model can store it (encoding/json) and apply the
// exact same transform at scoring time. Transform never modifies its input.
package prep

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Transformer is a numeric step: Fit learns state from training rows,
// Transform applies it to any rows with the same columns.
type Transformer interface {
	Fit(X *mat.Dense) error
	Transform(X *mat.Dense) (*mat.Dense, error)
}

var errNotFitted = errors.New("not fitted; call Fit first")

// check validates X for Fit: non-empty and, unless nan is true, free of NaN
// (scalers and PCA would silently spread NaN into every statistic) and ±Inf.
func check(who string, X *mat.Dense, nan bool) error {
	if X == nil || X.IsEmpty() {
		return fmt.Errorf("prep: %s: X is empty", who)
	}
	n, _ := X.Dims()
	for i := range n {
		for j, v := range X.RawRowView(i) {
			if math.IsInf(v, 0) || (!nan && math.IsNaN(v)) {
				return fmt.Errorf("prep: %s: X[%d,%d] is %v; impute missing values first", who, i, j, v)
			}
		}
	}
	return nil
}

// width checks that X has the k columns the step was fitted on.
func width(who string, X *mat.Dense, k int) error {
	if k == 0 {
		return fmt.Errorf("prep: %s: %w", who, errNotFitted)
	}
	if X == nil || X.IsEmpty() {
		return fmt.Errorf("prep: %s: X is empty", who)
	}
	if _, c := X.Dims(); c != k {
		return fmt.Errorf("prep: %s: X has %d columns, fitted on %d", who, c, k)
	}
	return nil
}

// affine returns (X - shift) / scale column by column.
func affine(X *mat.Dense, shift, scale []float64) *mat.Dense {
	n, k := X.Dims()
	out := mat.NewDense(n, k, nil)
	for i := range n {
		dst := out.RawRowView(i)
		for j, v := range X.RawRowView(i) {
			dst[j] = (v - shift[j]) / scale[j]
		}
	}
	return out
}
