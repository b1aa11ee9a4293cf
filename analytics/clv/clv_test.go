package clv

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestGradients compares the analytic gradients with central differences
// at points away from the optimum, for both repeat models and Gamma-Gamma.
func TestGradients(t *testing.T) {
	d := DataOf(cdnowSummary(t))
	for _, m := range []Model{BGNBD, MBGNBD} {
		for _, p := range []Params{{0.5, 3, 1.2, 2}, {0.2, 8, 0.6, 4.5}} {
			g := make([]float64, 4)
			m.logLik(p, &d, g)
			th := []float64{math.Log(p.R), math.Log(p.Alpha), math.Log(p.A), math.Log(p.B)}
			for i := range th {
				f := func(h float64) float64 {
					x := append([]float64(nil), th...)
					x[i] += h
					return m.logLik(Params{math.Exp(x[0]), math.Exp(x[1]), math.Exp(x[2]), math.Exp(x[3])}, &d, nil)
				}
				const h = 1e-5
				fd := (f(h) - f(-h)) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-4*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v %+v: d/dθ%d analytic %.8g, numeric %.8g", m, p, i, g[i], fd)
				}
			}
		}
	}
	var xs, ms, lm, ws []float64
	for i, x := range d.X {
		if x > 0 {
			xs, ms, lm, ws = append(xs, float64(x)), append(ms, d.Monetary[i]), append(lm, math.Log(d.Monetary[i])), append(ws, d.Weight[i])
		}
	}
	g := make([]float64, 3)
	p := []float64{math.Log(3), math.Log(2), math.Log(10)}
	spendLogLik(3, 2, 10, xs, ms, lm, ws, g)
	for i := range p {
		f := func(h float64) float64 {
			x := append([]float64(nil), p...)
			x[i] += h
			return spendLogLik(math.Exp(x[0]), math.Exp(x[1]), math.Exp(x[2]), xs, ms, lm, ws, nil)
		}
		fd := (f(1e-5) - f(-1e-5)) / 2e-5
		if math.Abs(fd-g[i]) > 1e-4*math.Max(1, math.Abs(fd)) {
			t.Errorf("Gamma-Gamma d/dθ%d analytic %.8g, numeric %.8g", i, g[i], fd)
		}
	}
}

// TestCDNOWConditional checks the worked example of FHL (2005), p. 280: a
// customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226
// purchases in the next 39 weeks.
func TestCDNOWConditional(t *testing.T) {
	f := &Fit{Model: BGNBD, Params: Params{0.243, 4.414, 0.793, 2.426}}
	if got := f.ConditionalExpected(39, 2, 30.43, 38.86); math.Abs(got-1.226) > 0.0005 {
		t.Errorf("E[Y(39) | 2, 30.43, 38.86] = %.4f, published 1.226", got)
	}
}

// simulate draws n customers from a model and watches each from its first
// purchase at time 0 to cal + hold.
func simulate(m Model, p Params, n int, cal, hold float64, seed uint64) (s []Summary, alive []bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for range n {
		lambda := gamma(rng, p.R) / p.Alpha
		drop := beta(rng, p.A, p.B)
		c := Summary{T: cal}
		live := !(m == MBGNBD && rng.Float64() < drop)
		at := 0.0
		for live {
			at += rng.ExpFloat64() / lambda
			if at > cal+hold {
				break
			}
			if at <= cal {
				c.Frequency++
				c.Recency = at
			} else {
				c.HoldoutFrequency++
			}
			if rng.Float64() < drop {
				live = false
			}
		}
		// Alive at the end of calibration: dropped out after a purchase
		// made after cal, or never.
		s = append(s, c)
		alive = append(alive, live || at > cal)
	}
	return s, alive
}

// gamma draws from Gamma(k, 1) (Marsaglia & Tsang, with the boost for
// k < 1).
func gamma(rng *rand.Rand, k float64) float64 {
	if k < 1 {
		return gamma(rng, k+1) * math.Pow(rng.Float64(), 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if u := rng.Float64(); math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

func beta(rng *rand.Rand, a, b float64) float64 {
	x := gamma(rng, a)
	return x / (x + gamma(rng, b))
}

// TestPredictionsMatchSimulation checks the closed forms against the
// models' own generative story: the mean of E[X(t)] over new customers,
// and by the law of total expectation, the mean conditional expectation
// and P(alive) against what simulated customers did and were.
func TestPredictionsMatchSimulation(t *testing.T) {
	const n, cal, hold = 200000, 39.0, 39.0
	for _, m := range []Model{BGNBD, MBGNBD} {
		p := Params{R: 0.6, Alpha: 5, A: 1.5, B: 3}
		s, alive := simulate(m, p, n, cal, hold, 7)
		f := &Fit{Model: m, Params: p}
		var x, pa, cond, actual, live float64
		for i, c := range s {
			x += float64(c.Frequency)
			pa += f.PAlive(c.Frequency, c.Recency, c.T)
			cond += f.ConditionalExpected(hold, c.Frequency, c.Recency, c.T)
			actual += float64(c.HoldoutFrequency)
			if alive[i] {
				live++
			}
		}
		check := func(what string, got, want, tol float64) {
			if math.Abs(got-want) > tol*want {
				t.Errorf("%v: %s: formula %.4f, simulation %.4f", m, what, got, want)
			}
		}
		check("E[X(39)]", f.Expected(cal), x/n, 0.02)
		check("mean P(alive)", pa/n, live/n, 0.01)
		check("mean E[Y(39) | history]", cond/n, actual/n, 0.02)
	}
}

// TestFitRecoversParameters fits each model to data simulated from it.
func TestFitRecoversParameters(t *testing.T) {
	p := Params{R: 0.6, Alpha: 5, A: 1.5, B: 3}
	for _, m := range []Model{BGNBD, MBGNBD} {
		s, _ := simulate(m, p, 50000, 52, 0, 3)
		f, err := FitModel(m, DataOf(s))
		if err != nil {
			t.Fatal(m, err)
		}
		got := []float64{f.R, f.Alpha, f.A, f.B}
		for i, w := range []float64{p.R, p.Alpha, p.A, p.B} {
			if math.Abs(got[i]-w) > 0.15*w {
				t.Errorf("%v: parameter %d = %.3f, simulated with %.3f", m, i, got[i], w)
			}
		}
	}
}

// TestCDNOWChecks: the holdout by frequency and the tracking plot agree
// with what CDNOW's customers did (FHL 2005 figures 3 and 4 show a close
// fit; our tolerance is what those figures show by eye).
func TestCDNOWChecks(t *testing.T) {
	s := cdnowSummary(t)
	f, err := FitModel(BGNBD, DataOf(s))
	if err != nil {
		t.Fatal(err)
	}
	bins := HoldoutByFrequency(f, s, 39, 7)
	var n int
	for _, b := range bins {
		n += b.Customers
		t.Logf("x=%d: %d customers, actual %.3f, expected %.3f", b.Frequency, b.Customers, b.Actual, b.Expected)
		if math.Abs(b.Expected-b.Actual) > 0.35*b.Actual+0.05 {
			t.Errorf("frequency %d: expected %.3f against actual %.3f", b.Frequency, b.Expected, b.Actual)
		}
	}
	if n != len(s) || bins[0].Customers != 1411 {
		t.Errorf("bins hold %d customers (x=0: %d), want %d (1411)", n, bins[0].Customers, len(s))
	}
	tr := Tracking(f, s, cdnowTransactions(t), time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC), Week)
	if len(tr) < 70 {
		t.Fatalf("%d weeks tracked", len(tr))
	}
	last := tr[len(tr)-1]
	t.Logf("week %d (%s): actual %.0f, expected %.1f", len(tr), last.At.Format("2006-01-02"), last.Actual, last.Expected)
	for _, p := range tr {
		if p.At.Equal(calEnd) || (p.At.After(calEnd) && p.At.Before(calEnd.AddDate(0, 0, 7))) {
			if math.Abs(p.Expected-p.Actual) > 0.03*p.Actual {
				t.Errorf("at the end of calibration: expected %.1f, actual %.0f", p.Expected, p.Actual)
			}
		}
	}
	if math.Abs(last.Expected-last.Actual) > 0.1*last.Actual {
		t.Errorf("at the end: expected %.1f, actual %.0f", last.Expected, last.Actual)
	}
}

// TestConditionalExpectedAt: the shared series equals gonum's Hypergeo
// customer by customer, for both models and horizons near and far.
func TestConditionalExpectedAt(t *testing.T) {
	s := cdnowSummary(t)
	ts := []float64{0, 1, 4.3, 13, 26, 39, 52, 104, 520}
	out := make([]float64, len(ts))
	for _, m := range []Model{BGNBD, MBGNBD} {
		f := &Fit{Model: m, Params: Params{0.243, 4.414, 0.793, 2.426}}
		for _, c := range s {
			f.ConditionalExpectedAt(ts, c.Frequency, c.Recency, c.T, out)
			for k, h := range ts {
				want := f.ConditionalExpected(h, c.Frequency, c.Recency, c.T)
				if math.Abs(out[k]-want) > 1e-11*math.Max(1, math.Abs(want)) {
					t.Fatalf("%v customer %s at %g: %.15g, Hypergeo gives %.15g", m, c.Customer, h, out[k], want)
				}
			}
		}
	}
}
