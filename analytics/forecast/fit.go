package forecast

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/optimize"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Model is a fitted exponential smoothing model.
type Model struct {
	Spec   Spec
	Params Params
	LogLik float64
	AIC    float64
	AICc   float64
	// Sigma2 is the mean squared one-step error (relative for
	// multiplicative errors): the variance of the innovations.
	Sigma2 float64
	Fitted []float64 // one-step forecasts of the observations
	y      []float64
	level  float64
	slope  float64
	season []float64 // the last Period seasonal states, time order
}

const lo, hi = 1e-4, 1 - 1e-4 // statsmodels' bounds on α, β/α, γ/(1−α)

func squash(x, a, b float64) float64 { return a + (b-a)/(1+math.Exp(-x)) }
func unsquash(v, a, b float64) float64 {
	u := (v - a) / (b - a)
	u = min(max(u, 1e-9), 1-1e-9)
	return math.Log(u / (1 - u))
}

// MinLength is the fewest observations a model can be fitted to: two
// full seasons for a seasonal model (to separate season from level), and
// enough beyond the parameter count that AICc is defined.
func (s Spec) MinLength() int {
	n := s.free() + 2
	if s.Season != NoSeason {
		n = max(n, 2*s.Period)
	}
	return max(n, 4)
}

// Fit estimates a model by maximum likelihood. The series must be finite;
// multiplicative models need it positive.
func Fit(y []float64, s Spec) (*Model, error) {
	if err := s.check(y); err != nil {
		return nil, err
	}
	// Fit on y/c: the estimates scale with c and the log-likelihood shifts
	// by −n·log c, so the optimiser sees numbers near 1 whatever the unit.
	c := 0.0
	for _, v := range y {
		c += math.Abs(v)
	}
	c /= float64(len(y))
	if c == 0 {
		c = 1
	}
	ys := make([]float64, len(y))
	for i, v := range y {
		ys[i] = v / c
	}
	start := s.start(ys)
	yhat := make([]float64, len(ys))
	obj := func(x []float64) float64 {
		ll := s.logLik(s.params(x), ys, yhat)
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			return math.Inf(1)
		}
		return -ll
	}
	// statsmodels' start and a few more: the likelihood of a trend model
	// can have one optimum with a rigid trend and another with β near α.
	betas := []float64{start.Beta / start.Alpha}
	if s.Trend {
		betas = append(betas, 0.5, 0.99)
	}
	type run struct {
		x []float64
		f float64
	}
	var runs []run
	for _, a := range []float64{start.Alpha, 0.5, 0.9} {
		for _, bs := range betas {
			p := start
			p.Alpha, p.Beta = a, a*bs
			if x, f, ok := minimise(obj, s.vector(p)); ok {
				runs = append(runs, run{x, f})
			}
		}
	}
	// Nelder-Mead settles what the gradient steps leave on a flat ridge or
	// a bound. It is cheap for the few parameters of a model without a
	// season, so every start is polished; with a season's many initial
	// states only the best start is.
	slices.SortFunc(runs, func(a, b run) int { return cmp.Compare(a.f, b.f) })
	if len(runs) > 0 && len(runs[0].x) > 8 {
		runs = runs[:1]
	}
	var best []float64
	bestF := math.Inf(1)
	for _, r := range runs {
		if x, f, ok := polish(obj, r.x); ok && f < bestF {
			best, bestF = x, f
		}
	}
	if best == nil {
		return nil, msg.Errorf("the %s model did not converge; nothing was kept", s.Name())
	}
	p := s.params(best)
	p.Level *= c
	p.Slope *= c
	if s.Season == AddSeason {
		for i := range p.Seasonal {
			p.Seasonal[i] *= c
		}
	}
	return s.finish(y, p), nil
}

// Evaluate builds the model with given parameters (no estimation): for
// checking the likelihood against a reference at the same parameters.
func Evaluate(y []float64, s Spec, p Params) (*Model, error) {
	if err := s.check(y); err != nil {
		return nil, err
	}
	if s.Season != NoSeason && len(p.Seasonal) != s.Period {
		return nil, msg.Errorf("the model needs %d initial seasonal values, not %d", s.Period, len(p.Seasonal))
	}
	return s.finish(y, p), nil
}

func (s Spec) finish(y []float64, p Params) *Model {
	if !s.Damped {
		p.Phi = 1
	}
	m := &Model{Spec: s, Params: p, y: slices.Clone(y), Fitted: make([]float64, len(y))}
	m.LogLik = s.logLik(p, y, m.Fitted)
	m.level, m.slope, m.season = s.smooth(p, y, m.Fitted)
	var ss float64
	for t, v := range y {
		r := v - m.Fitted[t]
		if s.MulError {
			r /= m.Fitted[t]
		}
		ss += r * r
	}
	n, k := float64(len(y)), float64(s.free())
	m.Sigma2 = ss / n
	m.AIC = -2*m.LogLik + 2*k
	m.AICc = m.AIC + 2*k*(k+1)/(n-k-1)
	return m
}

func (s Spec) check(y []float64) error {
	if s.Damped && !s.Trend {
		return msg.Errorf("a damped model needs a trend")
	}
	if s.Season != NoSeason && s.Period < 2 {
		return msg.Errorf("a seasonal model needs a season of at least 2 periods")
	}
	if len(y) > 0 && slices.Min(y) == slices.Max(y) {
		return msg.Errorf("every value of the series is %v: there is nothing to model (the forecast is that value)", y[0])
	}
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return msg.Errorf("the series has a value that is not a number")
		}
		if (s.MulError || s.Season == MulSeason) && v <= 0 {
			return msg.Errorf("a multiplicative model needs every value above zero")
		}
	}
	if n := s.MinLength(); len(y) < n {
		if s.Season != NoSeason {
			return msg.Errorf("a seasonal model with a season of %d needs at least %d values (two full seasons); the series has %d", s.Period, n, len(y))
		}
		return msg.Errorf("the %s model needs at least %d values; the series has %d", s.Name(), n, len(y))
	}
	return nil
}

// vector maps parameters to the optimiser's unbounded coordinates.
func (s Spec) vector(p Params) []float64 {
	x := []float64{unsquash(p.Alpha, lo, hi)}
	if s.Trend {
		x = append(x, unsquash(p.Beta/p.Alpha, lo, hi))
	}
	if s.Season != NoSeason {
		x = append(x, unsquash(p.Gamma/(1-p.Alpha), lo, hi))
	}
	if s.Damped {
		x = append(x, unsquash(p.Phi, 0.8, 0.98))
	}
	x = append(x, p.Level)
	if s.Trend {
		x = append(x, p.Slope)
	}
	if s.Season != NoSeason {
		x = append(x, p.Seasonal[1:]...)
	}
	return x
}

func (s Spec) params(x []float64) Params {
	var p Params
	i := 0
	next := func() float64 { i++; return x[i-1] }
	p.Alpha = squash(next(), lo, hi)
	if s.Trend {
		p.Beta = p.Alpha * squash(next(), lo, hi)
	}
	if s.Season != NoSeason {
		p.Gamma = (1 - p.Alpha) * squash(next(), lo, hi)
	}
	p.Phi = 1
	if s.Damped {
		p.Phi = squash(next(), 0.8, 0.98)
	}
	p.Level = next()
	if s.Trend {
		p.Slope = next()
	}
	if s.Season != NoSeason {
		p.Seasonal = make([]float64, s.Period)
		if s.Season == MulSeason {
			p.Seasonal[0] = 1
		}
		copy(p.Seasonal[1:], x[i:])
	}
	return p
}

// minimise runs L-BFGS on a numerical gradient from x0. ok is false when
// it ends on no finite value.
func minimise(f func([]float64) float64, x0 []float64) ([]float64, float64, bool) {
	p := optimize.Problem{Func: f, Grad: func(g, x []float64) {
		fd.Gradient(g, f, x, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	}}
	r, _ := optimize.Minimize(p, x0, &optimize.Settings{MajorIterations: 3000, GradientThreshold: 1e-7,
		Converger: &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 100}}, &optimize.LBFGS{})
	if r == nil || math.IsInf(r.F, 0) || math.IsNaN(r.F) {
		return nil, 0, false
	}
	return r.X, r.F, true
}

// polish runs Nelder-Mead from the best start, to settle on optima that
// are flat or on a bound, where the gradient steps stall. ok is false
// when it ends on no finite value or without converging.
func polish(f func([]float64) float64, x0 []float64) ([]float64, float64, bool) {
	r, err := optimize.Minimize(optimize.Problem{Func: f}, x0, &optimize.Settings{MajorIterations: 20000, FuncEvaluations: 200000,
		Converger: &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 500}}, &optimize.NelderMead{})
	if r == nil || math.IsInf(r.F, 0) || math.IsNaN(r.F) {
		return nil, 0, false
	}
	if err != nil && r.Status != optimize.FunctionConvergence {
		return nil, 0, false
	}
	return r.X, r.F, true
}
