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
