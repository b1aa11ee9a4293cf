package clv

import (
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mathext"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Model says which repeat-purchase model a fit is.
type Model int

const (
	// BGNBD: a customer may drop out after each repeat purchase.
	BGNBD Model = iota
	// MBGNBD: also at the first purchase, so a customer who never came
	// back is not assumed alive (Batislam et al. 2007).
	MBGNBD
)

func (m Model) String() string {
	if m == MBGNBD {
		return "mbgnbd"
	}
	return "bgnbd"
}

// Params are the four parameters of BG/NBD and MBG/NBD: the purchase rate
// λ ~ Gamma(R, Alpha) (shape, rate) and the dropout probability
// p ~ Beta(A, B).
type Params struct {
	R, Alpha, A, B float64
}

// Fit is a fitted repeat-purchase model.
type Fit struct {
	Model Model
	Params
	// LogLik is the summed log-likelihood of the customers (FHL 2005
	// report -9582.4 for BG/NBD on CDNOW).
	LogLik    float64
	Customers int
	// Evaluations counts likelihood evaluations, for the record.
	Evaluations int
}

// Data are summaries as parallel slices, the form the likelihood is
// computed on. Weight counts identical customers (1 each when unset).
type Data struct {
	X         []int
	Tx, T     []float64
	Monetary  []float64
	Weight    []float64
	customers int
}

// DataOf turns summaries into Data, merging customers with the same
// (x, t_x, T, spend): a year of daily data has far fewer distinct
// summaries than customers, so the likelihood is cheaper to compute.
func DataOf(s []Summary) Data {
	type key struct {
		x        int
		tx, t, m float64
	}
	at := map[key]int{}
	var d Data
	for _, c := range s {
		k := key{c.Frequency, c.Recency, c.T, c.Monetary}
		if i, ok := at[k]; ok {
			d.Weight[i]++
			continue
		}
		at[k] = len(d.X)
		d.X = append(d.X, c.Frequency)
		d.Tx = append(d.Tx, c.Recency)
		d.T = append(d.T, c.T)
		d.Monetary = append(d.Monetary, c.Monetary)
		d.Weight = append(d.Weight, 1)
	}
	d.customers = len(s)
	return d
}

func (d *Data) check() error {
	n := len(d.X)
	if len(d.Tx) != n || len(d.T) != n || (d.Weight != nil && len(d.Weight) != n) {
		return msg.Errorf("the summary columns have different lengths")
	}
	if n == 0 {
		return msg.Errorf("there are no customers to fit")
	}
	for i := range n {
		x, tx, t := d.X[i], d.Tx[i], d.T[i]
		if x < 0 || !(tx >= 0) || !(t >= tx) || math.IsInf(t, 0) || (x == 0 && tx != 0) || (x > 0 && tx == 0) {
			return msg.Errorf("customer summary %d is not valid (frequency %d, recency %g, T %g): recency must be within 0 and T, and 0 exactly when there are no repeats", i+1, x, tx, t)
		}
		if d.Weight != nil && !(d.Weight[i] >= 0) {
			return msg.Errorf("customer summary %d has a negative weight", i+1)
		}
	}
	return nil
}

func (d *Data) weight(i int) float64 {
	if d.Weight == nil {
		return 1
	}
	return d.Weight[i]
}

// shift is 0 for BG/NBD and 1 for MBG/NBD: the two likelihoods differ
// only by that offset in b's terms and in whether x = 0 has a dropout term.
func (m Model) shift() float64 {
	if m == MBGNBD {
		return 1
	}
	return 0
}

// xTerms are the parts of the likelihood and gradient that depend on the
// parameters and on x only, computed once per distinct x.
type xTerms struct {
	lg, dr, da, db float64
	// l4 is log a − log(b+x−1+s), inv 1/(b+x−1+s): the dropout term's.
	l4, inv float64
}

// chunks is how many pieces the sums are split into: fixed, so the
// floating-point sum is the same for any number of cores.
const chunks = 64

// logLik returns the summed log-likelihood and, when grad is not nil, its
// gradient with respect to (log r, log α, log a, log b).
func (m Model) logLik(p Params, d *Data, grad []float64) float64 {
	r, alpha, a, b := p.R, p.Alpha, p.A, p.B
	s := m.shift()
	lgr, lgb, lgab := lgamma(r), lgamma(b), lgamma(a+b)
	psr, psb, psab := mathext.Digamma(r), mathext.Digamma(b), mathext.Digamma(a+b)
	maxX := 0
	for _, x := range d.X {
		maxX = max(maxX, x)
	}
	xs := make([]xTerms, maxX+1)
	seen := make([]bool, maxX+1)
	for _, x := range d.X {
		if seen[x] {
			continue
		}
		seen[x] = true
		fx := float64(x)
		xs[x] = xTerms{
			lg: lgamma(r+fx) - lgr + lgab + lgamma(b+fx+s) - lgb - lgamma(a+b+fx+s),
			dr: mathext.Digamma(r+fx) - psr,
			da: psab - mathext.Digamma(a+b+fx+s),
			db: psab + mathext.Digamma(b+fx+s) - psb - mathext.Digamma(a+b+fx+s),
		}
		if x > 0 || s > 0 {
			xs[x].l4 = math.Log(a) - math.Log(b+fx-1+s)
			xs[x].inv = 1 / (b + fx - 1 + s)
		}
	}
	lalpha := math.Log(alpha)
	var part [chunks][5]float64
	parallelChunks(len(d.X), func(c, lo, hi int) {
		var ll, gr, gal, ga, gb float64
		for i := lo; i < hi; i++ {
			w := d.weight(i)
			if w == 0 {
				continue
			}
			x := d.X[i]
			xt := &xs[x]
			fx := float64(x)
			la := math.Log(alpha + d.T[i])
			a3 := -(r + fx) * la
			l, p3, p4, lt := a3, 1.0, 0.0, 0.0
			if x > 0 || s > 0 {
				lt = math.Log(alpha + d.Tx[i])
				a4 := xt.l4 - (r+fx)*lt
				// log(e^a3 + e^a4) from the larger term, and the shares.
				if a3 >= a4 {
					e := math.Exp(a4 - a3)
					l, p3, p4 = a3+math.Log1p(e), 1/(1+e), e/(1+e)
				} else {
					e := math.Exp(a3 - a4)
					l, p3, p4 = a4+math.Log1p(e), e/(1+e), 1/(1+e)
				}
			}
			ll += w * (xt.lg + r*lalpha + l)
			if grad != nil {
				gr += w * (xt.dr + lalpha - p3*la - p4*lt)
				gal += w * (r/alpha - (r+fx)*(p3/(alpha+d.T[i])+p4/(alpha+d.Tx[i])))
				ga += w * (xt.da + p4/a)
				gb += w * (xt.db - p4*xt.inv)
			}
		}
		part[c] = [5]float64{ll, gr, gal, ga, gb}
	})
	var t [5]float64
	for _, p := range part {
		for k := range t {
			t[k] += p[k]
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = t[1]*r, t[2]*alpha, t[3]*a, t[4]*b
	}
	return t[0]
}

// parallelChunks splits [0, n) into the fixed chunks and runs fn on them
// on every core.
func parallelChunks(n int, fn func(c, lo, hi int)) {
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				fn(c, c*n/chunks, (c+1)*n/chunks)
			}
		}()
	}
	wg.Wait()
}

// LogLik is the summed log-likelihood of the data under p.
func (m Model) LogLik(p Params, d Data) (float64, error) {
	if err := d.check(); err != nil {
		return 0, err
	}
	return m.logLik(p, &d, nil), nil
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// FitModel fits BG/NBD or MBG/NBD by maximum likelihood. It needs some
// customers with repeat purchases; a fit that does not converge is an
// error and nothing is returned.
func FitModel(m Model, d Data) (*Fit, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	var repeat, total float64
	for i, x := range d.X {
		total += d.weight(i)
		if x > 0 {
			repeat += d.weight(i)
		}
	}
	if repeat < minRepeaters {
		return nil, msg.Errorf("only %d customers bought again in the calibration period; the model needs at least %d (choose a later calibration end or a longer history)", int(repeat), minRepeaters)
	}
	if repeat == total {
		return nil, msg.Errorf("every customer bought again in the calibration period, so nothing tells how customers drop out; choose an earlier calibration end")
	}
	f := func(th []float64) Params {
		return Params{R: math.Exp(th[0]), Alpha: math.Exp(th[1]), A: math.Exp(th[2]), B: math.Exp(th[3])}
	}
	x, ll, evals, err := maximise(4, func(th, grad []float64) float64 {
		return m.logLik(f(th), &d, grad)
	}, total)
	if err != nil {
		return nil, err
	}
	n := d.customers
	if n == 0 {
		n = int(total)
	}
	return &Fit{Model: m, Params: f(x), LogLik: ll, Customers: n, Evaluations: evals}, nil
}

// minRepeaters is the fewest repeat customers a fit is attempted with:
// below it the dropout and rate parameters are not identified and the
// optimiser wanders.
const minRepeaters = 20
