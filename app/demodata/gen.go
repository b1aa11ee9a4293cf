package demodata

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

type customer struct {
	id, first, last, email, phone, city string
	country                             int
	signup                              int // day index relative to window start; may be negative
	emailOK, smsOK                      bool
	group                               Group
	channel                             int     // preferred channel
	fav                                 int     // favourite category
	tilt                                float64 // >1 buys pricier items and more units
	rate                                float64 // relative expected order count before scaling
	start, end                          int     // active window, day indices inclusive
	n                                   int     // number of orders
}

type product struct {
	id, name, noun string
	cat            int
	cents          int64
	problem        bool // planted low-quality product
}

type order struct {
	sec  int64 // seconds since window start
	cust int32
	prod int32
	qty  int32
	ch   int8
}

type review struct {
	day    int
	order  int32
	rating int
	text   string
}

type gen struct {
	opt     Options
	m       *market
	r       *rand.Rand
	start   time.Time // first day of the order window
	days    int       // number of days in the window
	dayCum  []float64 // cumulative daily demand weight, len days+1
	month   []int     // calendar month (0-11) per window day
	hourCum [3][]float64
	zipfCum map[int][]float64

	prods  []product
	byCat  [][]int32 // product indices per category, ascending price
	catCum [12][]float64
	custs  []customer
	ords   []order
	revs   []review
}

func newGen(opt Options) *gen {
	g := &gen{
		opt: opt,
		m:   opt.Locale.market(),
		// Second PCG word is fixed so Seed alone selects the stream.
		r:       rand.New(rand.NewPCG(opt.Seed, 0x6d61726b65746265)),
		start:   opt.AsOf.AddDate(-2, 0, 1),
		zipfCum: map[int][]float64{},
	}
	g.days = int(opt.AsOf.Sub(g.start).Hours()/24+0.5) + 1
	g.calendar()
	return g
}

// Weekly demand by time.Weekday (Sunday first): weekend and Monday busiest.
var weekday = [7]float64{1.25, 1.10, 0.95, 0.88, 0.92, 0.98, 1.18}

// Monthly demand, January first: Nov/Dec peak, summer dip.
var monthly = [12]float64{0.90, 0.85, 0.95, 0.95, 0.95, 0.85, 0.78, 0.80, 0.95, 1.00, 1.35, 1.55}

// Hour-of-day demand per channel.
var hourly = [3][24]float64{
	chWeb:   {2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 6, 6, 6, 7, 8, 10, 11, 11, 8, 4},
	chApp:   {3, 2, 1, 1, 1, 1, 3, 7, 8, 5, 4, 5, 8, 7, 5, 4, 5, 6, 7, 9, 11, 12, 10, 6},
	chStore: {0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 7, 8, 10, 10, 10, 9, 9, 8, 7, 5, 3, 0, 0, 0},
}

func (g *gen) calendar() {
	g.dayCum = make([]float64, g.days+1)
	g.month = make([]int, g.days)
	for d := 0; d < g.days; d++ {
		t := g.start.AddDate(0, 0, d)
		_, m, _ := t.Date()
		w := weekday[t.Weekday()] * monthly[m-1] * (1 + 0.08*float64(d)/365)
		w *= g.m.event(t)
		g.month[d] = int(m) - 1
		g.dayCum[d+1] = g.dayCum[d] + w
	}
	for ch := range hourly {
		c := make([]float64, 25)
		for h, w := range hourly[ch] {
			c[h+1] = c[h] + w
		}
		g.hourCum[ch] = c
	}
}

// --- random helpers ---

func (g *gen) pick(s ...string) string    { return s[g.r.IntN(len(s))] }
func (g *gen) pickOf(s []string) string   { return s[g.r.IntN(len(s))] }
func (g *gen) chance(p float64) bool      { return g.r.Float64() < p }
func (g *gen) lognorm(sd float64) float64 { return math.Exp(sd * g.r.NormFloat64()) }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// sampleCum draws an index in [lo, hi] with probability proportional to
// the weights encoded by cum (cum[i+1]-cum[i] is the weight of i).
func (g *gen) sampleCum(cum []float64, lo, hi int) int {
	u := cum[lo] + g.r.Float64()*(cum[hi+1]-cum[lo])
	i := sort.Search(len(cum), func(i int) bool { return cum[i] > u }) - 1
	return min(max(i, lo), hi)
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w)+1)
	for i, x := range w {
		c[i+1] = c[i] + x
	}
	return c
}
