package forecast

import "math"

// start gives statsmodels' starting point: α 0.1, β 0.01, γ 0.01, φ 0.98
// (each nudged 1e-3 off its bound as it does), and initial states from the
// heuristic of Hyndman et al. (2008, §2.6) when the series is long enough
// (10 + 2·⌊m/2⌋ values), else from the simple rule (first values).
func (s Spec) start(y []float64) Params {
	p := Params{Alpha: 0.101, Beta: 0.011, Gamma: 0.011, Phi: 0.98}
	m := s.Period
	if s.Season == NoSeason {
		m = 1
	}
	seasonal := s.Season != NoSeason
	var level, slope float64
	var seas []float64
	if len(y) >= 10+2*(m/2) && len(y) >= 10 {
		level, slope, seas = heuristic(y, s.Season, m)
	} else {
		level, slope, seas = simple(y, s.Season, m)
	}
	p.Level, p.Slope = level, slope
	if !s.Trend {
		p.Slope = 0
	}
	if seasonal {
		// Anchor the fixed (oldest) state: move its value into the level.
		a := seas[0]
		for i := range seas {
			if s.Season == MulSeason {
				seas[i] /= a
			} else {
				seas[i] -= a
			}
		}
		if s.Season == MulSeason {
			p.Level *= a
		} else {
			p.Level += a
		}
		p.Seasonal = seas
	}
	return p
}

func simple(y []float64, season Season, m int) (level, slope float64, seas []float64) {
	if season == NoSeason {
		return y[0], y[1] - y[0], nil
	}
	for _, v := range y[:m] {
		level += v
	}
	level /= float64(m)
	for i := range m {
		slope += (y[m+i] - y[i]) / float64(m)
	}
	slope /= float64(m)
	seas = make([]float64, m)
	for i := range m {
		if season == MulSeason {
			seas[i] = y[i] / level
		} else {
			seas[i] = y[i] - level
		}
	}
	return level, slope, seas
}

func heuristic(y []float64, season Season, m int) (level, slope float64, seas []float64) {
	base := y
	if season != NoSeason {
		minObs := 10 + 2*(m/2)
		k := min(5, len(y)/m)
		k = max(k, int(math.Ceil(float64(minObs)/float64(m))))
		k = min(k, len(y)/m) // never past the data
		series := y[:m*k]
		trend := centredMA(series, m)
		seas = make([]float64, m)
		cnt := make([]float64, m)
		for i, v := range series {
			if math.IsNaN(trend[i]) {
				continue
			}
			d := v - trend[i]
			if season == MulSeason {
				d = v / trend[i]
			}
			seas[i%m] += d
			cnt[i%m]++
		}
		var mean float64
		for i := range seas {
			seas[i] /= cnt[i]
			mean += seas[i] / float64(m)
		}
		for i := range seas {
			if season == MulSeason {
				seas[i] /= mean
			} else {
				seas[i] -= mean
			}
		}
		base = nil
		for _, v := range trend {
			if !math.IsNaN(v) {
				base = append(base, v)
			}
		}
	}
	// Least squares line through the first ten values at x = 1…10.
	var sx, sy, sxx, sxy float64
	for i := range 10 {
		x := float64(i + 1)
		sx, sy, sxx, sxy = sx+x, sy+base[i], sxx+x*x, sxy+x*base[i]
	}
	slope = (10*sxy - sx*sy) / (10*sxx - sx*sx)
	level = (sy - slope*sx) / 10
	return level, slope, seas
}

// centredMA is pandas' rolling(m, center=True).mean(), followed for an
// even m by shift(−1).rolling(2).mean(): the 2×m moving average.
func centredMA(y []float64, m int) []float64 {
	n := len(y)
	ma := make([]float64, n)
	for i := range ma {
		ma[i] = math.NaN()
	}
	// pandas centres a window of m at i by covering i−m/2 … i−m/2+m−1.
	for i := range n {
		a := i - m/2
		if m%2 == 1 {
			a = i - (m-1)/2
		}
		if a < 0 || a+m > n {
			continue
		}
		var s float64
		for _, v := range y[a : a+m] {
			s += v
		}
		ma[i] = s / float64(m)
	}
	if m%2 == 1 {
		return ma
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
		if i >= 1 && i+1 < n {
			out[i] = (ma[i] + ma[i+1]) / 2 // shift(−1) then mean of two
		}
	}
	return out
}
