package clv

import (
	"math"

	"gonum.org/v1/gonum/mathext"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Spend is a fitted Gamma-Gamma model of the value of repeat purchases:
// each customer's purchase values are Gamma(P, ν) with ν ~ Gamma(Q, Gamma).
type Spend struct {
	P, Q, Gamma float64
	LogLik      float64
	// Customers is the number of repeat customers the model was fitted on.
	Customers int
}

// FitSpend fits the Gamma-Gamma model on the customers with repeat
// purchases and a positive mean repeat value; the others carry no
// information about spend and are left out (Skipped counts those with
// repeats but no positive value).
func FitSpend(d Data) (*Spend, int, error) {
	if err := d.check(); err != nil {
		return nil, 0, err
	}
	if len(d.Monetary) != len(d.X) {
		return nil, 0, msg.Errorf("the summaries have no purchase values; Gamma-Gamma needs the spend of each repeat purchase")
	}
	var xs, ms, ws []float64
	skipped, n := 0, 0.0
	for i, x := range d.X {
		if x == 0 || d.weight(i) == 0 {
			continue
		}
		m := d.Monetary[i]
		if !(m > 0) || math.IsInf(m, 0) {
			skipped += int(d.weight(i))
			continue
		}
		xs, ms, ws = append(xs, float64(x)), append(ms, m), append(ws, d.weight(i))
		n += d.weight(i)
	}
	if n < minRepeaters {
		return nil, skipped, msg.Errorf("only %d customers have repeat purchases with a value; the spend model needs at least %d", int(n), minRepeaters)
	}
	lm := make([]float64, len(ms))
	for i, m := range ms {
		lm[i] = math.Log(m)
	}
	th, ll, _, err := maximise(3, func(th, grad []float64) float64 {
		return spendLogLik(math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), xs, ms, lm, ws, grad)
	}, n)
	if err != nil {
		return nil, skipped, err
	}
	return &Spend{P: math.Exp(th[0]), Q: math.Exp(th[1]), Gamma: math.Exp(th[2]), LogLik: ll, Customers: int(n)}, skipped, nil
}

// spendLogLik is the Gamma-Gamma log-likelihood of mean repeat values m
// over x repeats, with its gradient in (log p, log q, log γ). Everything
// but the log(γ + x·m) term depends on x alone, so it is computed once per
// distinct x; lm holds log m, which never changes during a fit.
func spendLogLik(p, q, g float64, xs, ms, lm, ws, grad []float64) float64 {
	type term struct{ c, dp, dq float64 }
	lgq, psq, lg := lgamma(q), mathext.Digamma(q), math.Log(g)
	terms := map[float64]term{}
	for _, x := range xs {
		if _, ok := terms[x]; ok {
			continue
		}
		px := p * x
		d, lx := mathext.Digamma(px+q), math.Log(x)
		terms[x] = term{c: lgamma(px+q) - lgamma(px) - lgq + q*lg + px*lx, dp: x * (d - mathext.Digamma(px) + lx), dq: d - psq + lg}
	}
	var part [chunks][4]float64
	parallelChunks(len(xs), func(c, lo, hi int) {
		var ll, gp, gq, gg float64
		var last float64 = -1
		var t term
		for i := lo; i < hi; i++ {
			x, m, w := xs[i], ms[i], ws[i]
			if x != last {
				t, last = terms[x], x
			}
			px := p * x
			lxm := math.Log(g + x*m)
			ll += w * (t.c + (px-1)*lm[i] - (px+q)*lxm)
			if grad != nil {
				gp += w * (t.dp + x*(lm[i]-lxm))
				gq += w * (t.dq - lxm)
				gg += w * (q/g - (px+q)/(g+x*m))
			}
		}
		part[c] = [4]float64{ll, gp, gq, gg}
	})
	var s [4]float64
	for _, p := range part {
		for k := range s {
			s[k] += p[k]
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2] = s[1]*p, s[2]*q, s[3]*g
	}
	return s[0]
}

// ExpectedSpend is the expected value of a customer's future purchases
// given x repeats of mean value m; without repeats it is the population
// mean pγ/(q-1) (infinite when q ≤ 1, then NaN is returned).
func (s *Spend) ExpectedSpend(x int, m float64) float64 {
	if x == 0 || !(m > 0) {
		if s.Q <= 1 {
			return math.NaN()
		}
		return s.P * s.Gamma / (s.Q - 1)
	}
	fx := float64(x)
	return (s.Gamma + fx*m) * s.P / (s.P*fx + s.Q - 1)
}
