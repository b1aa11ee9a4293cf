package clv

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// PAlive is the probability that a customer with frequency x, recency tx
// and age T is still a customer.
func (f *Fit) PAlive(x int, tx, T float64) float64 {
	if x == 0 && f.Model == BGNBD {
		return 1
	}
	return 1 / (1 + f.oddsDead(x, tx, T))
}

// oddsDead is P(dead)/P(alive) given the history.
func (f *Fit) oddsDead(x int, tx, T float64) float64 {
	if x == 0 && f.Model == BGNBD {
		return 0
	}
	r, al, a, b, fx := f.R, f.Alpha, f.A, f.B, float64(x)
	return a / (b + fx - 1 + f.Model.shift()) * math.Exp((r+fx)*(math.Log(al+T)-math.Log(al+tx)))
}

// ConditionalExpected is the expected number of purchases in the next t
// periods of a customer with frequency x, recency tx and age T.
func (f *Fit) ConditionalExpected(t float64, x int, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	r, al, a, b, fx, s := f.R, f.Alpha, f.A, f.B, float64(x), f.Model.shift()
	z := t / (al + T + t)
	h := mathext.Hypergeo(r+fx, b+fx+s, a+b+fx-1+s, z)
	num := (a + b + fx - 1 + s) / (a - 1) * (1 - math.Exp((r+fx)*math.Log((al+T)/(al+T+t)))*h)
	return num / (1 + f.oddsDead(x, tx, T))
}

// Expected is the expected number of repeat purchases of a new customer
// in the first t periods after the first purchase.
func (f *Fit) Expected(t float64) float64 {
	if t <= 0 {
		return 0
	}
	r, al, a, b, s := f.R, f.Alpha, f.A, f.B, f.Model.shift()
	z := t / (al + t)
	h := mathext.Hypergeo(r, b+s, a+b-1+s, z)
	c := (a + b - 1) / (a - 1)
	if f.Model == MBGNBD {
		// Surviving the first purchase has probability 1-p; weighting
		// Beta(a, b) by it gives b/(a+b) times Beta(a, b+1).
		c = b / (a - 1)
	}
	return c * (1 - math.Exp(r*math.Log(al/(al+t)))*h)
}

// ConditionalExpectedAt fills out[k] with ConditionalExpected(ts[k], …):
// the cumulative expected purchases at several horizons for one customer,
// as lifetime value needs them. The hypergeometric series has the same
// coefficients at every horizon, so they are computed once and summed
// for all horizons together; a horizon whose series would converge slowly
// (z > 0.9) falls back to gonum's Hypergeo.
func (f *Fit) ConditionalExpectedAt(ts []float64, x int, tx, T float64, out []float64) {
	r, al, a, b, fx, s := f.R, f.Alpha, f.A, f.B, float64(x), f.Model.shift()
	ha, hb, hc := r+fx, b+fx+s, a+b+fx-1+s
	lead := (a + b + fx - 1 + s) / (a - 1) / (1 + f.oddsDead(x, tx, T))
	var zs [maxSeries]float64
	var pow [maxSeries]float64
	var sum [maxSeries]float64
	var idx [maxSeries]int
	n := 0
	for k, t := range ts {
		out[k] = 0
		if t <= 0 {
			continue
		}
		z := t / (al + T + t)
		if z > 0.9 || n == maxSeries {
			out[k] = lead * (1 - math.Exp(ha*math.Log((al+T)/(al+T+t)))*mathext.Hypergeo(ha, hb, hc, z))
			continue
		}
		zs[n], pow[n], sum[n], idx[n] = z, 1, 1, k
		n++
	}
	if n > 0 {
		// Terms c_j z^j with c_j = (a)_j (b)_j / ((c)_j j!); stop when the
		// largest z's term is below the last bits of its sum.
		c := 1.0
		zmax := 0.0
		for i := range n {
			zmax = max(zmax, zs[i])
		}
		for j := 0; j < 10000; j++ {
			fj := float64(j)
			c *= (ha + fj) * (hb + fj) / ((hc + fj) * (fj + 1))
			done := true
			for i := range n {
				pow[i] *= zs[i]
				term := c * pow[i]
				sum[i] += term
				if math.Abs(term) > 1e-17*math.Abs(sum[i]) {
					done = false
				}
			}
			if done {
				break
			}
		}
		for i := range n {
			t := ts[idx[i]]
			out[idx[i]] = lead * (1 - math.Exp(ha*math.Log((al+T)/(al+T+t)))*sum[i])
		}
	}
}

// maxSeries is how many horizons ConditionalExpectedAt sums together.
const maxSeries = 64
