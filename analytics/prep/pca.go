package prep

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCA projects centred rows onto their principal components, computed by a
// thin SVD of the centred training matrix, like sklearn's
// PCA(svd_solver="full").
//
// Signs: an SVD fixes each component only up to sign. PCA makes the loading
// with the largest absolute value in each component positive (the first
// one on a tie), so a stored model's axes do not flip between refits or
// library versions. sklearn's svd_flip picks signs from U instead, so its
// components can differ from these by a sign per component.
type PCA struct {
	// N is the number of components to keep; 0 keeps min(rows, columns).
	N int

	Mean       []float64
	Components [][]float64 // one unit-length row per component, by variance
	Variance   []float64   // explained variance, s²/(n-1) as in sklearn
	Ratio      []float64   // share of the total variance of all components
}

// Fit finds the principal components of X; it needs at least 2 rows.
func (p *PCA) Fit(X *mat.Dense) error {
	if err := check("pca", X, false); err != nil {
		return err
	}
	n, k := X.Dims()
	if n < 2 {
		return errors.New("prep: pca: needs at least 2 rows")
	}
	r := min(n, k)
	if p.N < 0 || p.N > r {
		return fmt.Errorf("prep: pca: %d components asked, X (%d×%d) has at most %d", p.N, n, k, r)
	}
	mean := make([]float64, k)
	for i := range n {
		for j, v := range X.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	ones := make([]float64, k)
	for j := range ones {
		ones[j] = 1
	}
	var svd mat.SVD
	if !svd.Factorize(affine(X, mean, ones), mat.SVDThinV) {
		return errors.New("prep: pca: SVD did not converge")
	}
	s := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)

	keep := p.N
	if keep == 0 {
		keep = r
	}
	var total float64
	for _, x := range s {
		total += x * x / float64(n-1)
	}
	comps := make([][]float64, keep)
	vars, ratio := make([]float64, keep), make([]float64, keep)
	for c := range keep {
		comps[c] = mat.Col(nil, c, &v)
		big := 0
		for j, x := range comps[c] {
			if math.Abs(x) > math.Abs(comps[c][big]) {
				big = j
			}
		}
		if comps[c][big] < 0 {
			for j := range comps[c] {
				comps[c][j] = -comps[c][j]
			}
		}
		vars[c] = s[c] * s[c] / float64(n-1)
		if total > 0 {
			ratio[c] = vars[c] / total
		}
	}
	p.Mean, p.Components, p.Variance, p.Ratio = mean, comps, vars, ratio
	return nil
}

// Transform returns the scores (X - Mean)·Componentsᵀ.
func (p *PCA) Transform(X *mat.Dense) (*mat.Dense, error) {
	if err := width("pca", X, len(p.Mean)); err != nil {
		return nil, err
	}
	n, k := X.Dims()
	out := mat.NewDense(n, len(p.Components), nil)
	for i := range n {
		row, dst := X.RawRowView(i), out.RawRowView(i)
		for c, w := range p.Components {
			var s float64
			for j := range k {
				s += (row[j] - p.Mean[j]) * w[j]
			}
			dst[c] = s
		}
	}
	return out, nil
}
