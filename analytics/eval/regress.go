package eval

import (
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

func checkReg(y, p []float64) error {
	if err := checkLen(len(y), len(p)); err != nil {
		return err
	}
	if err := checkFinite("true value", y); err != nil {
		return err
	}
	return checkFinite("prediction", p)
}

// RMSE is the root mean squared error, as sklearn's
// mean_squared_error(squared=False).
func RMSE(y, p []float64) (float64, error) {
	if err := checkReg(y, p); err != nil {
		return 0, err
	}
	sq := make([]float64, len(y))
	for i := range y {
		d := y[i] - p[i]
		sq[i] = d * d
	}
	return math.Sqrt(mean(sq)), nil
}

// MAE is the mean absolute error.
func MAE(y, p []float64) (float64, error) {
	if err := checkReg(y, p); err != nil {
		return 0, err
	}
	ab := make([]float64, len(y))
	for i := range y {
		ab[i] = math.Abs(y[i] - p[i])
	}
	return mean(ab), nil
}

// R2 is the coefficient of determination, as sklearn's r2_score. When y is
// constant R2 is undefined; like sklearn (force_finite=True) it is then 1
// for a perfect prediction and 0 otherwise. sklearn returns NaN for fewer
// than two samples; this returns an error.
func R2(y, p []float64) (float64, error) {
	if err := checkReg(y, p); err != nil {
		return 0, err
	}
	if len(y) < 2 {
		return 0, msg.Errorf("eval: R2 needs at least two samples")
	}
	m := mean(y)
	num := make([]float64, len(y))
	den := make([]float64, len(y))
	for i := range y {
		d := y[i] - p[i]
		num[i] = d * d
		e := y[i] - m
		den[i] = e * e
	}
	sn, sd := sum(num), sum(den)
	switch {
	case sd != 0:
		return 1 - sn/sd, nil
	case sn == 0:
		return 1, nil
	default:
		return 0, nil
	}
}
