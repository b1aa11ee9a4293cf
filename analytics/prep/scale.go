package prep

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// StandardScaler centres each column on its training mean and divides by its
// training standard deviation, like sklearn's StandardScaler.
type StandardScaler struct {
	Mean []float64
	// Scale is the population (ddof=0) standard deviation, as in sklearn;
	// a constant column gets 1 so it maps to 0 instead of NaN.
	Scale []float64
}

// Fit learns the column means and standard deviations of X.
func (s *StandardScaler) Fit(X *mat.Dense) error {
	if err := check("standard scaler", X, false); err != nil {
		return err
	}
	n, k := X.Dims()
	mean, sd := make([]float64, k), make([]float64, k)
	for i := range n {
		for j, v := range X.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	// Two passes: summing squared deviations from the mean avoids the
	// cancellation of E[x²]-E[x]² on columns like TotalCharges.
	for i := range n {
		for j, v := range X.RawRowView(i) {
			d := v - mean[j]
			sd[j] += d * d
		}
	}
	for j := range sd {
		v := sd[j] / float64(n)
		// sklearn's test for a constant column: a variance within the
		// two-pass algorithm's rounding bound (Chan, Golub & LeVeque).
		if v <= float64(n)*eps*v+math.Pow(float64(n)*mean[j]*eps, 2) {
			sd[j] = 1
		} else {
			sd[j] = math.Sqrt(v)
		}
	}
	s.Mean, s.Scale = mean, sd
	return nil
}

// eps is float64's machine epsilon.
const eps = 0x1p-52

// Transform returns (X - Mean) / Scale.
func (s *StandardScaler) Transform(X *mat.Dense) (*mat.Dense, error) {
	if err := width("standard scaler", X, len(s.Mean)); err != nil {
		return nil, err
	}
	return affine(X, s.Mean, s.Scale), nil
}

// MinMaxScaler maps each column's training range onto [0, 1], like sklearn's
// MinMaxScaler with the default feature_range. Rows outside the training
// range map outside [0, 1]; they are not clipped.
type MinMaxScaler struct {
	Min, Max []float64
}

// Fit learns the column minima and maxima of X.
func (s *MinMaxScaler) Fit(X *mat.Dense) error {
	if err := check("min-max scaler", X, false); err != nil {
		return err
	}
	n, k := X.Dims()
	lo, hi := make([]float64, k), make([]float64, k)
	copy(lo, X.RawRowView(0))
	copy(hi, X.RawRowView(0))
	for i := 1; i < n; i++ {
		for j, v := range X.RawRowView(i) {
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	s.Min, s.Max = lo, hi
	return nil
}

// Transform returns (X - Min) / (Max - Min); a constant column uses a range
// of 1, as sklearn does, so it maps to 0.
func (s *MinMaxScaler) Transform(X *mat.Dense) (*mat.Dense, error) {
	if err := width("min-max scaler", X, len(s.Min)); err != nil {
		return nil, err
	}
	r := make([]float64, len(s.Min))
	for j := range r {
		r[j] = s.Max[j] - s.Min[j]
		if r[j] < 10*eps { // sklearn's cut-off for a zero range

			r[j] = 1
		}
	}
	return affine(X, s.Min, r), nil
}
