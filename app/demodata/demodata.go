package demodata

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options controls the size and randomness of the generated data set.
// Zero values (except Seed) are replaced by the defaults from Default.
type Options struct {
	Seed      uint64
	Customers int       // default 20000
	Orders    int       // exact number of order rows; default 200000
	Products  int       // default 500
	AsOf      time.Time // last day of data, inclusive; default 2026-10-31
}

// Files holds the paths of the generated CSV files.
type Files struct {
	Customers, Orders, Products, Reviews string
}

// Group is a hidden customer behaviour group; see the package comment.
type Group string

// Planted behaviour groups.
const (
	GroupLoyal          Group = "loyal"
	GroupRegular        Group = "regular"
	GroupOneTime        Group = "one_time"
	GroupChurned        Group = "churned"
	GroupNew            Group = "new"
	GroupHighValue      Group = "high_value"
	GroupNeverPurchased Group = "never_purchased"
)

// Channels, in CSV spelling.
var channels = [...]string{"web", "app", "store"}

const (
	chWeb = iota
	chApp
	chStore
)

// Default returns the documented default options.
func Default() Options {
	return Options{
		Seed:      1,
		Customers: 20000,
		Orders:    200000,
		Products:  500,
		AsOf:      time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
	}
}

func (o Options) normalize() (Options, error) {
	if o.Customers < 0 || o.Orders < 0 || o.Products < 0 {
		return o, errors.New("demodata: negative size in options")
	}
	d := Default()
	if o.Customers == 0 {
		o.Customers = d.Customers
	}
	if o.Orders == 0 {
		o.Orders = d.Orders
	}
	if o.Products == 0 {
		o.Products = d.Products
	}
	if o.AsOf.IsZero() {
		o.AsOf = d.AsOf
	}
	// Only the calendar day matters; dropping the zone keeps output
	// independent of the caller's location.
	y, m, day := o.AsOf.Date()
	o.AsOf = time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return o, nil
}

// Generate writes customers.csv, products.csv, orders.csv and reviews.csv
// into dir (created if needed) and returns their paths.
func Generate(dir string, opt Options) (Files, error) {
	opt, err := opt.normalize()
	if err != nil {
		return Files{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, err
	}
	g := newGen(opt)
	g.products()
	g.customers()
	g.orders()
	g.reviews()

	f := Files{
		Customers: filepath.Join(dir, "customers.csv"),
		Orders:    filepath.Join(dir, "orders.csv"),
		Products:  filepath.Join(dir, "products.csv"),
		Reviews:   filepath.Join(dir, "reviews.csv"),
	}
	for _, w := range []struct {
		path string
		fn   func(*csv.Writer) error
	}{
		{f.Customers, g.writeCustomers},
		{f.Products, g.writeProducts},
		{f.Orders, g.writeOrders},
		{f.Reviews, g.writeReviews},
	} {
		if err := writeCSV(w.path, w.fn); err != nil {
			return Files{}, err
		}
	}
	return f, nil
}

// Groups returns the planted behaviour group of every customer_id that
// Generate would write for opt. It is meant for tests and documentation.
func Groups(opt Options) (map[string]Group, error) {
	opt, err := opt.normalize()
	if err != nil {
		return nil, err
	}
	g := newGen(opt)
	g.products()
	g.customers()
	out := make(map[string]Group, len(g.custs))
	for i := range g.custs {
		out[g.custs[i].id] = g.custs[i].group
	}
	return out, nil
}

// writeCSV writes via a temp file and rename so a failed run never leaves a
// truncated file that looks valid.
func writeCSV(path string, fn func(*csv.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	err = fn(w)
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("demodata: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

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
		_, m, day := t.Date()
		w := weekday[t.Weekday()] * monthly[m-1] * (1 + 0.08*float64(d)/365)
		if m == time.November && t.Weekday() == time.Friday && day >= 23 && day <= 29 {
			w *= 2.5 // Black Friday: day after the 4th Thursday
		}
		if m == time.November && t.Weekday() == time.Monday && day >= 26 ||
			m == time.December && t.Weekday() == time.Monday && day <= 2 {
			w *= 2.0 // Cyber Monday
		}
		if m == time.December && day == 25 {
			w *= 0.15
		}
		if m == time.December && day == 26 {
			w *= 1.4
		}
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

// --- products ---

func (g *gen) products() {
	n := g.opt.Products
	g.prods = make([]product, n)
	g.byCat = make([][]int32, len(categories))
	seen := make(map[string]bool, n)
	for i := range g.prods {
		// Round-robin first so every category exists when n >= 10.
		ci := i % len(categories)
		c := &categories[ci]
		var name, noun string
		for try := 0; ; try++ {
			noun = g.pickOf(c.nouns)
			name = g.pickOf(c.adj) + " " + noun
			if try > 0 {
				name += " - " + g.pickOf(variants)
			}
			if try > 20 {
				name += " #" + strconv.Itoa(try)
			}
			if !seen[name] {
				break
			}
		}
		seen[name] = true
		price := c.median * g.lognorm(0.5)
		cents := int64(math.Floor(price))*100 + 99 // charm pricing: x.99
		if g.chance(0.2) {
			cents -= 50 // some x.49
		}
		g.prods[i] = product{
			name:    name,
			noun:    strings.ToLower(noun),
			cat:     ci,
			cents:   max(cents, 49),
			problem: g.chance(0.05),
		}
	}
	// Shuffle so IDs are not grouped by category.
	g.r.Shuffle(n, func(i, j int) { g.prods[i], g.prods[j] = g.prods[j], g.prods[i] })
	for i := range g.prods {
		g.prods[i].id = fmt.Sprintf("P%04d", i+1)
		g.byCat[g.prods[i].cat] = append(g.byCat[g.prods[i].cat], int32(i))
	}
	for ci := range g.byCat {
		slices.SortStableFunc(g.byCat[ci], func(a, b int32) int {
			return cmp.Compare(g.prods[a].cents, g.prods[b].cents)
		})
	}
	for m := range 12 {
		w := make([]float64, len(categories))
		for ci, c := range categories {
			if len(g.byCat[ci]) > 0 {
				w[ci] = c.weight * c.monthly[m]
			}
		}
		g.catCum[m] = cumulative(w)
	}
}

// --- customers ---

var groupShares = []struct {
	g     Group
	share float64
}{
	{GroupLoyal, 0.15},
	{GroupOneTime, 0.25},
	{GroupChurned, 0.12},
	{GroupNew, 0.08},
	{GroupHighValue, 0.03},
	{GroupNeverPurchased, 0.04},
	// GroupRegular fills the remainder.
}

// Relative yearly purchase rates; absolute rates are scaled so the total
// matches Options.Orders.
var groupRate = map[Group]float64{
	GroupLoyal:     24,
	GroupRegular:   4,
	GroupHighValue: 10,
	GroupChurned:   12,
	GroupNew:       6,
}

func (g *gen) customers() {
	n := g.opt.Customers
	groups := make([]Group, 0, n)
	for _, s := range groupShares {
		k := int(math.Round(s.share * float64(n)))
		for range min(k, n-len(groups)) {
			groups = append(groups, s.g)
		}
	}
	for len(groups) < n {
		groups = append(groups, GroupRegular)
	}
	g.r.Shuffle(n, func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })

	cw := make([]float64, len(countries))
	for i, c := range countries {
		cw[i] = c.weight
	}
	countryCum := cumulative(cw)
	catW := make([]float64, len(categories))
	for ci, c := range categories {
		if len(g.byCat[ci]) > 0 {
			catW[ci] = c.weight
		}
	}
	favCum := cumulative(catW)
	emails := make(map[string]bool, n)
	last := g.days - 1

	g.custs = make([]customer, n)
	for i := range g.custs {
		c := &g.custs[i]
		c.group = groups[i]
		c.country = g.sampleCum(countryCum, 0, len(countries)-1)
		co := &countries[c.country]

		fn, ln := co.first[g.r.IntN(len(co.first))], co.last[g.r.IntN(len(co.last))]
		c.first, c.last = fn.text, ln.text
		c.email = g.email(co, fn, ln, emails)
		if !g.chance(0.04) {
			c.phone = co.phone(g)
		}
		if !g.chance(0.03) {
			c.city = co.cities[g.zipf(len(co.cities))]
		}
		c.emailOK = g.chance(0.6)
		// SMS opt-in is rarer and mostly given by email opt-ins.
		if c.emailOK {
			c.smsOK = g.chance(0.45)
		} else {
			c.smsOK = g.chance(0.15)
		}
		switch u := g.r.Float64(); {
		case u < co.appShare:
			c.channel = chApp
		case u < co.appShare+0.2:
			c.channel = chStore
		default:
			c.channel = chWeb
		}
		c.fav = g.sampleCum(favCum, 0, len(categories)-1)
		c.tilt = co.aov * g.lognorm(0.25)

		// Signup day and active window depend on the group.
		c.end = last
		switch c.group {
		case GroupNew:
			c.signup = last - g.r.IntN(90)
		case GroupChurned:
			// Signed up >= ~16 months ago, active early in the window.
			c.signup = last - 487 - g.r.IntN(1000)
			c.start = max(c.signup, 0)
			c.end = min(max(c.start+45, 150+g.r.IntN(180)), last-270)
		default:
			// Existing base: 70% signed up in the three years before the
			// window, the rest during it but not in the last 100 days
			// (those are GroupNew's). Keeps year-on-year growth moderate.
			if g.chance(0.7) {
				c.signup = -1 - g.r.IntN(3*365)
			} else {
				c.signup = g.r.IntN(last - 100)
			}
		}
		if c.group != GroupChurned {
			c.start = max(c.signup, 0)
		}
		c.start = min(c.start, c.end)

		rate := groupRate[c.group] * float64(c.end-c.start+1) / 365 * g.lognorm(0.4)
		if c.emailOK {
			rate *= 1.4
		}
		if c.channel == chApp {
			rate *= 1.5
		}
		c.rate = rate
		if c.group == GroupHighValue {
			c.tilt *= 5
		}
	}

	// IDs follow signup order, like a real auto-increment key.
	slices.SortStableFunc(g.custs, func(a, b customer) int { return cmp.Compare(a.signup, b.signup) })
	for i := range g.custs {
		g.custs[i].id = fmt.Sprintf("C%06d", i+1)
	}
}

// zipf returns an index in [0,n) with weight 1/(i+1): big cities and the
// cheaper products of a category (sorted by price) dominate.
func (g *gen) zipf(n int) int {
	c, ok := g.zipfCum[n]
	if !ok {
		w := make([]float64, n)
		for i := range w {
			w[i] = 1 / float64(i+1)
		}
		c = cumulative(w)
		g.zipfCum[n] = c
	}
	return g.sampleCum(c, 0, n-1)
}

func asciiName(p pname) string {
	if p.ascii != "" {
		return p.ascii
	}
	var b strings.Builder
	for _, r := range strings.ToLower(p.text) {
		switch {
		case r >= 'a' && r <= 'z' || r == '-':
			b.WriteRune(r)
		case fold[r] != "":
			b.WriteString(fold[r])
		}
	}
	return b.String()
}

var emailDomains = []string{"example.com", "example.com", "example.net", "example.org"}

// email derives a unique, lowercase address from the name; ~2% get
// case/whitespace noise so cleaning steps have something to fix.
func (g *gen) email(co *country, fn, ln pname, seen map[string]bool) string {
	f, l := asciiName(fn), asciiName(ln)
	var local string
	switch g.r.IntN(6) {
	case 0:
		local = f + "." + l
	case 1:
		local = f + l
	case 2:
		local = f[:1] + "." + l
	case 3:
		local = f + "_" + l
	case 4:
		local = l + "." + f
	default:
		local = f + l[:1]
	}
	if g.chance(0.5) {
		local += strconv.Itoa(10 + g.r.IntN(90))
	}
	domain := g.pickOf(emailDomains)
	if g.chance(0.3) {
		domain = co.code + "." + domain
	}
	e := local + "@" + domain
	for k := 2; seen[e]; k++ {
		e = local + strconv.Itoa(k) + "@" + domain
	}
	seen[e] = true
	if g.chance(0.02) {
		switch g.r.IntN(4) {
		case 0:
			e = strings.ToUpper(e)
		case 1:
			e = " " + e
		case 2:
			e += " "
		default:
			e = strings.ToUpper(e[:1]) + e[1:] + "  "
		}
	}
	return e
}

// --- orders ---

func (g *gen) orders() {
	g.assignCounts()
	total := 0
	for i := range g.custs {
		total += g.custs[i].n
	}
	g.ords = make([]order, 0, total)
	for ci := range g.custs {
		c := &g.custs[ci]
		for range c.n {
			day := g.sampleCum(g.dayCum, c.start, c.end)
			ch := c.channel
			if g.chance(0.2) {
				ch = g.r.IntN(len(channels))
			}
			hour := g.sampleCum(g.hourCum[ch], 0, 23)
			sec := int64(day)*86400 + int64(hour)*3600 + int64(g.r.IntN(3600))

			cat := c.fav
			if !g.chance(0.4) {
				cat = g.sampleCum(g.catCum[g.month[day]], 0, len(categories)-1)
			}
			ps := g.byCat[cat]
			var p int32
			if g.chance(0.7) {
				// Price tilt: u^(1/tilt) skews toward the expensive end.
				p = ps[int(float64(len(ps))*math.Pow(g.r.Float64(), 1/c.tilt))]
			} else {
				p = ps[g.zipf(len(ps))]
			}
			qty := 1
			for qty < 12 && g.chance(math.Min(0.75, 0.28*math.Sqrt(c.tilt))) {
				qty++
			}
			g.ords = append(g.ords, order{sec: sec, cust: int32(ci), prod: p, qty: int32(qty), ch: int8(ch)})
		}
	}
	// Full-key comparison so ties cannot make the output depend on the sort
	// algorithm; the time key decides almost always, so check it first.
	slices.SortFunc(g.ords, func(a, b order) int {
		if a.sec != b.sec {
			return cmp.Compare(a.sec, b.sec)
		}
		return cmp.Or(cmp.Compare(a.cust, b.cust), cmp.Compare(a.prod, b.prod),
			cmp.Compare(a.qty, b.qty), cmp.Compare(a.ch, b.ch))
	})
}

// assignCounts gives every customer an order count so the total is exactly
// Options.Orders while keeping group structure: one-time buyers get 1,
// never-purchased 0, new >= 1, churned >= 2, others proportional to rate.
func (g *gen) assignCounts() {
	target := g.opt.Orders
	fixed, rateSum := 0, 0.0
	for i := range g.custs {
		c := &g.custs[i]
		switch c.group {
		case GroupOneTime, GroupNew:
			fixed++
		case GroupChurned:
			fixed += 2
		}
		if c.group != GroupOneTime {
			rateSum += c.rate
		}
	}
	scale := 0.0
	if rateSum > 0 {
		scale = math.Max(0, float64(target-fixed)) / rateSum
	}
	sum := 0
	for i := range g.custs {
		c := &g.custs[i]
		x := int(c.rate*scale + g.r.Float64())
		switch c.group {
		case GroupOneTime:
			x = 1
		case GroupNeverPurchased:
			x = 0
		case GroupNew:
			x = 1 + int(c.rate*scale*0.5+g.r.Float64())
		case GroupChurned:
			x = max(x, 2)
		}
		c.n = x
		sum += x
	}

	// Fix the rounding difference, preferring customers whose counts are
	// free (loyal/regular/high-value); fall back to others only when the
	// requested total is too small or large for the group structure.
	perm := g.r.Perm(len(g.custs))
	flex := func(c *customer) bool {
		return c.group == GroupLoyal || c.group == GroupRegular || c.group == GroupHighValue
	}
	adjust := func(ok func(*customer) bool, step int) {
		for progress := true; sum != target && progress; {
			progress = false
			for _, i := range perm {
				if sum == target {
					return
				}
				c := &g.custs[i]
				if ok(c) {
					c.n += step
					sum += step
					progress = true
				}
			}
		}
	}
	if sum < target {
		adjust(flex, 1)
		adjust(func(c *customer) bool { return c.group != GroupNeverPurchased && c.group != GroupOneTime }, 1)
		adjust(func(*customer) bool { return true }, 1)
	}
	if sum > target {
		adjust(func(c *customer) bool { return flex(c) && c.n > 1 }, -1)
		adjust(func(c *customer) bool { return c.n > 1 }, -1)
		adjust(func(c *customer) bool { return c.n > 0 }, -1)
	}
}

// --- reviews ---

func (g *gen) reviews() {
	p := 0.02 // about one review per 50 orders
	for oi, o := range g.ords {
		pr := &g.prods[o.prod]
		c := &g.custs[o.cust]
		pp := p
		if pr.problem {
			pp *= 2.5 // unhappy buyers review more
		}
		if !g.chance(pp) {
			continue
		}
		day := int(o.sec/86400) + 2 + g.r.IntN(20)
		if day >= g.days {
			continue
		}
		score := 4.4 + 0.9*g.r.NormFloat64()
		forced := map[aspect]sentiment{}
		if pr.problem {
			score -= 2
			forced[aspQuality] = negative
		}
		if c.group == GroupChurned {
			score -= 0.8
		}
		// Peak season (Nov 20 - Dec 31) strains delivery.
		od := g.start.AddDate(0, 0, int(o.sec/86400))
		if od.Month() == time.December || od.Month() == time.November && od.Day() >= 20 {
			if g.chance(0.3) {
				score -= 1.5
				forced[aspDelivery] = negative
			}
		}
		if g.chance(0.06) {
			score = 1 // the occasional furious one-star
		}
		rating := min(max(int(math.Round(score)), 1), 5)
		g.revs = append(g.revs, review{
			day:    day,
			order:  int32(oi),
			rating: rating,
			text:   g.reviewText(rating, pr.noun, forced),
		})
	}
	slices.SortStableFunc(g.revs, func(a, b review) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.order, b.order))
	})
}

// --- writers ---

func cents(c int64) string {
	b := strconv.AppendInt(nil, c/100, 10)
	return string(append(b, '.', byte('0'+c%100/10), byte('0'+c%10)))
}

func (g *gen) date(day int) string {
	return g.start.AddDate(0, 0, day).Format(time.DateOnly)
}

func (g *gen) writeCustomers(w *csv.Writer) error {
	w.Write([]string{"customer_id", "first_name", "last_name", "email", "phone",
		"city", "country", "signup_date", "email_consent", "sms_consent"})
	for i := range g.custs {
		c := &g.custs[i]
		w.Write([]string{c.id, c.first, c.last, c.email, c.phone, c.city,
			countries[c.country].name, g.date(c.signup),
			strconv.FormatBool(c.emailOK), strconv.FormatBool(c.smsOK)})
	}
	return w.Error()
}

func (g *gen) writeProducts(w *csv.Writer) error {
	w.Write([]string{"product_id", "product_name", "category", "unit_price"})
	for i := range g.prods {
		p := &g.prods[i]
		w.Write([]string{p.id, p.name, categories[p.cat].name, cents(p.cents)})
	}
	return w.Error()
}

func (g *gen) writeOrders(w *csv.Writer) error {
	w.Write([]string{"order_id", "customer_id", "order_date", "product_id",
		"quantity", "unit_price", "amount", "channel"})
	rec := make([]string, 8)
	for i, o := range g.ords {
		p := &g.prods[o.prod]
		rec[0] = fmt.Sprintf("O%07d", i+1)
		rec[1] = g.custs[o.cust].id
		rec[2] = g.start.Add(time.Duration(o.sec) * time.Second).Format(time.DateTime)
		rec[3] = p.id
		rec[4] = strconv.Itoa(int(o.qty))
		rec[5] = cents(p.cents)
		rec[6] = cents(int64(o.qty) * p.cents)
		rec[7] = channels[o.ch]
		w.Write(rec)
	}
	return w.Error()
}

func (g *gen) writeReviews(w *csv.Writer) error {
	w.Write([]string{"review_id", "customer_id", "product_id", "review_date",
		"rating", "review_text"})
	for i, r := range g.revs {
		o := &g.ords[r.order]
		w.Write([]string{fmt.Sprintf("R%06d", i+1), g.custs[o.cust].id,
			g.prods[o.prod].id, g.date(r.day), strconv.Itoa(r.rating), r.text})
	}
	return w.Error()
}
