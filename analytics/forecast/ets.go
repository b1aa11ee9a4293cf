package forecast

import (
	"math"
)

// Spec names one exponential smoothing model.
type Spec struct {
	MulError bool // multiplicative errors (y = μ(1+ε)) rather than additive
	Trend    bool // an additive trend
	Damped   bool // the trend damped by φ (needs Trend)
	Season   Season
	Period   int // the season's length (12 for months, 52 for weeks)
}

// Season is the kind of seasonality.
type Season int

// The seasonalities.
const (
	NoSeason Season = iota
	AddSeason
	MulSeason
)

// Name is the ETS short name statsmodels uses: error, trend, season, with
// "d" for a damped trend ("AAdA", "MNM").
func (s Spec) Name() string {
	b := []byte{'A', 'N'}
	if s.MulError {
		b[0] = 'M'
	}
	if s.Trend {
		b[1] = 'A'
	}
	if s.Damped {
		b = append(b, 'd')
	}
	b = append(b, "NAM"[s.Season])
	return string(b)
}

// Params are a model's smoothing parameters and initial states.
type Params struct {
	Alpha float64 `json:"alpha"`
	Beta  float64 `json:"beta,omitempty"`  // trend smoothing (0 without trend)
	Gamma float64 `json:"gamma,omitempty"` // seasonal smoothing
	Phi   float64 `json:"phi,omitempty"`   // damping (1 when not damped)
	Level float64 `json:"initial_level"`   // l₋₁
	Slope float64 `json:"initial_trend,omitempty"`
	// Seasonal are s₋ₘ … s₋₁ in time order; the first is fixed at 0 (1
	// when multiplicative).
	Seasonal []float64 `json:"initial_seasonal,omitempty"`
}

func (s Spec) phi(p Params) float64 {
	if s.Damped {
		return p.Phi
	}
	return 1
}

// smooth runs the model over y, writing the one-step forecasts to yhat,
// and returns the final level, slope and the last Period seasonal states
// (time order). The updates are those of the error-correction form, which
// are the same for additive and multiplicative errors.
func (s Spec) smooth(p Params, y, yhat []float64) (l, b float64, seas []float64) {
	phi := s.phi(p)
	m := s.Period
	l, b = p.Level, 0.0
	if s.Trend {
		b = p.Slope
	}
	var ring []float64
	if s.Season != NoSeason {
		ring = append([]float64(nil), p.Seasonal...) // ring[t%m] is s_{t-m}
	}
	for t, v := range y {
		T := l + phi*b
		var S float64
		mu := T
		switch s.Season {
		case AddSeason:
			S = ring[t%m]
			mu = T + S
		case MulSeason:
			S = ring[t%m]
			mu = T * S
		}
		yhat[t] = mu
		e := v - mu
		switch s.Season {
		case NoSeason:
			l, b = T+p.Alpha*e, phi*b+p.Beta*e
		case AddSeason:
			l, b = T+p.Alpha*e, phi*b+p.Beta*e
			ring[t%m] = S + p.Gamma*e
		case MulSeason:
			l, b = T+p.Alpha*e/S, phi*b+p.Beta*e/S
			ring[t%m] = S + p.Gamma*e/T
		}
	}
	if ring != nil {
		n := len(y)
		seas = make([]float64, m)
		for j := range m { // s_{n-m+j}
			seas[j] = ring[(n+j)%m]
		}
	}
	return l, b, seas
}

// logLik is the concentrated Gaussian log-likelihood of statsmodels'
// ETSModel: −n/2·(log(2π·σ̂²)+1), less Σ log ŷ for multiplicative errors,
// where σ̂² is the mean squared (relative, for multiplicative errors)
// one-step error.
func (s Spec) logLik(p Params, y, yhat []float64) float64 {
	s.smooth(p, y, yhat)
	n := float64(len(y))
	var ss, logs float64
	for t, v := range y {
		r := v - yhat[t]
		if s.MulError {
			r /= yhat[t]
			h := yhat[t]
			if h <= 0 { // as statsmodels: a negative forecast is all but impossible
				h = 1 / (1e-8 * (1 + math.Abs(h)))
			}
			logs += math.Log(h)
		}
		ss += r * r
	}
	return -n/2*(math.Log(2*math.Pi*ss/n)+1) - logs
}

// free counts the estimated parameters as statsmodels does (the fixed
// first seasonal state included), plus one for the variance.
func (s Spec) free() int {
	k := 2 // α and the initial level
	if s.Trend {
		k += 2
	}
	if s.Damped {
		k++
	}
	if s.Season != NoSeason {
		k += 1 + s.Period
	}
	return k + 1
}
