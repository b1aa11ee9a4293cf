package forecast

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Forecast is the forecast h steps ahead with a prediction interval.
type Forecast struct {
	Step        int     `json:"step"`
	Mean        float64 `json:"mean"`
	Lower       float64 `json:"lower"`
	Upper       float64 `json:"upper"`
	SD          float64 `json:"sd"`
	Simulated   bool    `json:"simulated"`
	simulations []float64
}

// Analytic reports whether the model's intervals have a closed form: the
// additive-error models with additive (or no) trend and season.
func (s Spec) Analytic() bool { return !s.MulError && s.Season != MulSeason }

// Paths is how many sample paths a simulated interval draws.
const Paths = 5000

// Predict forecasts h steps with a central interval of the given level
// (0.95 for 95%).
func (m *Model) Predict(h int, level float64) []Forecast {
	out := make([]Forecast, h)
	s := m.Spec
	phi := s.phi(m.Params)
	damp := 0.0
	for i := range out {
		damp += math.Pow(phi, float64(i+1))
		T := m.level + damp*m.slope
		mu := T
		switch s.Season {
		case AddSeason:
			mu += m.season[i%s.Period]
		case MulSeason:
			mu *= m.season[i%s.Period]
		}
		out[i] = Forecast{Step: i + 1, Mean: mu}
	}
	if s.Analytic() {
		z := distuv.UnitNormal.Quantile(0.5 + level/2)
		for i := range out {
			sd := math.Sqrt(m.Sigma2 * m.relVar(i+1))
			out[i].SD = sd
			out[i].Lower, out[i].Upper = out[i].Mean-z*sd, out[i].Mean+z*sd
		}
		return out
	}
	m.simulate(out)
	for i := range out {
		f := &out[i]
		f.Simulated = true
		slices.Sort(f.simulations)
		f.Lower, f.Upper = quantile(f.simulations, (1-level)/2), quantile(f.simulations, (1+level)/2)
		var mean, ss float64
		for _, v := range f.simulations {
			mean += v
		}
		mean /= float64(len(f.simulations))
		for _, v := range f.simulations {
			ss += (v - mean) * (v - mean)
		}
		f.SD = math.Sqrt(ss / float64(len(f.simulations)-1))
		f.simulations = nil
	}
	return out
}

// relVar is the h-step forecast variance relative to σ² (Hyndman &
// Athanasopoulos, table 8.8; statsmodels' _relative_forecast_variance).
func (m *Model) relVar(h int) float64 {
	p, s := m.Params, m.Spec
	a, b, g, phi := p.Alpha, p.Beta, p.Gamma, s.phi(p)
	H := float64(h)
	var k, mm float64
	if s.Season != NoSeason {
		mm = float64(s.Period)
		k = float64((h - 1) / s.Period)
	}
	v := 1.0
	switch {
	case !s.Trend:
		v += a * a * (H - 1)
	case !s.Damped:
		v += (H - 1) * (a*a + a*b*H + b*b*H/6*(2*H-1))
	default:
		v += a*a*(H-1) + b*phi*H/((1-phi)*(1-phi))*(2*a*(1-phi)+b*phi) -
			b*phi*(1-math.Pow(phi, H))/((1-phi)*(1-phi)*(1-phi*phi))*(2*a*(1-phi*phi)+b*phi*(1+2*phi-math.Pow(phi, H)))
	}
	if s.Season != NoSeason {
		switch {
		case !s.Trend:
			v += g * k * (2*a + g)
		case !s.Damped:
			v += g * k * (2*a + g + b*mm*(k+1))
		default:
			pm := math.Pow(phi, mm)
			v += g*k*(2*a+g) + 2*b*g*phi/((1-phi)*(1-pm))*(k*(1-pm)-pm*(1-math.Pow(phi, mm*k)))
		}
	}
	return v
}

// simulate draws sample paths from the end of the series with Gaussian
// innovations of variance σ², with a fixed seed so the same fit gives
// the same interval.
func (m *Model) simulate(out []Forecast) {
	s, p := m.Spec, m.Params
	phi := s.phi(p)
	rng := rand.New(rand.NewPCG(1, 2))
	sd := math.Sqrt(m.Sigma2)
	for i := range out {
		out[i].simulations = make([]float64, Paths)
	}
	ring := make([]float64, len(m.season))
	for r := range Paths {
		l, b := m.level, m.slope
		copy(ring, m.season)
		for t := range out {
			T := l + phi*b
			S, mu := 0.0, T
			switch s.Season {
			case AddSeason:
				S = ring[t%s.Period]
				mu = T + S
			case MulSeason:
				S = ring[t%s.Period]
				mu = T * S
			}
			eps := rng.NormFloat64() * sd
			e := eps
			if s.MulError {
				e = mu * eps
			}
			out[t].simulations[r] = mu + e
			switch s.Season {
			case NoSeason:
				l, b = T+p.Alpha*e, phi*b+p.Beta*e
			case AddSeason:
				l, b = T+p.Alpha*e, phi*b+p.Beta*e
				ring[t%s.Period] = S + p.Gamma*e
			case MulSeason:
				l, b = T+p.Alpha*e/S, phi*b+p.Beta*e/S
				ring[t%s.Period] = S + p.Gamma*e/T
			}
		}
	}
}

// quantile of sorted values with linear interpolation (numpy's default).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}
