package forecast

import (
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Backtest compares a model's forecasts of a held-out end of the series
// with the seasonal naive forecast (each value the one a season before;
// the last value without a season).
type Backtest struct {
	Model   string `json:"model"`
	Holdout int    `json:"holdout"` // values held out at the end
	// Season is the naive forecast's season (0: the last value repeated).
	Season   int       `json:"season"`
	Actual   []float64 `json:"actual"`
	Forecast []float64 `json:"forecast"`
	Naive    []float64 `json:"naive"`
	// MAPE and sMAPE in percent; MAPE leaves out actual zeros (Zeros
	// counts them) and is NaN when all are zero.
	MAPE, SMAPE           float64
	NaiveMAPE, NaiveSMAPE float64
	Zeros                 int
}

// RunBacktest holds out the last season (or, without a season, the last
// h values, at most a fifth of the series), fits spec to the rest and
// scores both forecasts.
func RunBacktest(y []float64, s Spec, h int) (*Backtest, error) {
	hold := h
	if s.Season != NoSeason {
		hold = s.Period
	} else {
		hold = min(hold, len(y)/5)
	}
	if hold < 1 {
		return nil, msg.Errorf("the series is too short to hold any values out for a backtest")
	}
	train := y[:len(y)-hold]
	if len(train) < s.MinLength() {
		return nil, msg.Errorf("a backtest of the %s model needs at least %d values before the %d held out; the series has %d", s.Name(), s.MinLength(), hold, len(y))
	}
	m, err := Fit(train, s)
	if err != nil {
		return nil, err
	}
	fc := m.Predict(hold, 0.95)
	b := &Backtest{Model: s.Name(), Holdout: hold, Actual: append([]float64(nil), y[len(train):]...)}
	period := 1
	if s.Season != NoSeason {
		period, b.Season = s.Period, s.Period
	}
	for i := range hold {
		b.Forecast = append(b.Forecast, fc[i].Mean)
		b.Naive = append(b.Naive, train[len(train)-period+i%period])
	}
	b.MAPE, b.SMAPE, b.Zeros = Errors(b.Actual, b.Forecast)
	b.NaiveMAPE, b.NaiveSMAPE, _ = Errors(b.Actual, b.Naive)
	return b, nil
}

// Errors are MAPE (over the non-zero actuals; NaN when there are none)
// and sMAPE (2|F−A|/(|A|+|F|), 0 when both are 0), in percent, and the
// count of zero actuals.
func Errors(actual, fc []float64) (mape, smape float64, zeros int) {
	var n int
	for i, a := range actual {
		f := fc[i]
		if a == 0 {
			zeros++
		} else {
			mape += math.Abs((f - a) / a)
			n++
		}
		if d := math.Abs(a) + math.Abs(f); d > 0 {
			smape += 2 * math.Abs(f-a) / d
		}
	}
	if n == 0 {
		mape = math.NaN()
	} else {
		mape = 100 * mape / float64(n)
	}
	return mape, 100 * smape / float64(len(actual)), zeros
}
