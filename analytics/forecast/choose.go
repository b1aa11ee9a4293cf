package forecast

import (
	"context"
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Candidate is one model tried in a choice.
type Candidate struct {
	Name   string  `json:"name"`
	LogLik float64 `json:"loglik"`
	AIC    float64 `json:"aic"`
	AICc   float64 `json:"aicc"`
	// Err says why the model was not fitted (too short, did not converge).
	Err error `json:"-"`
}

// Choice is the model chosen by AICc among the candidates.
type Choice struct {
	Best       *Model
	Candidates []Candidate
	// Notes say which families were left out and why (a series too short
	// for its season, values at or below zero).
	Notes []msg.Msg
}

// Candidates lists the models tried for a series with the given season
// length (0 for none): simple, Holt and damped Holt, each with additive
// seasonality, and with multiplicative seasonality (and errors) when every
// value is above zero. The notes say what was left out and what it needs.
func Candidates(y []float64, period int) ([]Spec, []msg.Msg) {
	var out []Spec
	var notes []msg.Msg
	seasonal := period >= 2
	if seasonal && len(y) < 2*period {
		notes = append(notes, msg.New("Seasonality was not modelled: a season of %d periods needs at least %d values (two full seasons), and the series has %d", period, 2*period, len(y)))
		seasonal = false
	}
	positive := true
	for _, v := range y {
		positive = positive && v > 0
	}
	if seasonal && !positive {
		notes = append(notes, msg.New("Multiplicative seasonality was not tried: it needs every value above zero"))
	}
	for _, t := range []struct{ trend, damped bool }{{false, false}, {true, false}, {true, true}} {
		out = append(out, Spec{Trend: t.trend, Damped: t.damped})
		if seasonal {
			out = append(out, Spec{Trend: t.trend, Damped: t.damped, Season: AddSeason, Period: period})
			if positive {
				out = append(out, Spec{MulError: true, Trend: t.trend, Damped: t.damped, Season: MulSeason, Period: period})
			}
		}
	}
	return out, notes
}

// Choose fits every candidate and keeps the one with the smallest AICc.
// It fails only when no candidate could be fitted, saying why, or when
// ctx is cancelled. done, when not nil, is told after each candidate how
// many of how many are fitted.
func Choose(ctx context.Context, y []float64, period int, done func(fitted, of int)) (*Choice, error) {
	specs, notes := Candidates(y, period)
	c := &Choice{Notes: notes}
	best := math.Inf(1)
	var firstErr error
	for i, s := range specs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if done != nil && i > 0 {
			done(i, len(specs))
		}
		m, err := Fit(y, s)
		cand := Candidate{Name: s.Name(), Err: err}
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			cand.LogLik, cand.AIC, cand.AICc = math.NaN(), math.NaN(), math.NaN()
			c.Candidates = append(c.Candidates, cand)
			continue
		}
		cand.LogLik, cand.AIC, cand.AICc = m.LogLik, m.AIC, m.AICc
		c.Candidates = append(c.Candidates, cand)
		if m.AICc < best {
			best, c.Best = m.AICc, m
		}
	}
	if c.Best == nil {
		return nil, firstErr
	}
	return c, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
