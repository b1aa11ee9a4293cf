package demodata

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

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

	cw := make([]float64, len(g.m.regions))
	for i, c := range g.m.regions {
		cw[i] = c.weight
	}
	countryCum := cumulative(cw)
	catW := make([]float64, len(g.m.categories))
	for ci, c := range g.m.categories {
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
		c.country = g.sampleCum(countryCum, 0, len(g.m.regions)-1)
		co := &g.m.regions[c.country]

		fn := co.first[g.r.IntN(len(co.first))]
		var ln pname
		if co.lastCum != nil {
			ln = co.last[g.sampleCum(co.lastCum, 0, len(co.last)-1)]
		} else {
			ln = co.last[g.r.IntN(len(co.last))]
		}
		c.first, c.last = fn.text, ln.text
		c.email = g.m.email(g, co, fn, ln, emails)
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
		c.fav = g.sampleCum(favCum, 0, len(g.m.categories)-1)
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

// email derives a unique, lowercase address from the name.
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
	return g.uniqueEmail(local, domain, seen)
}

// uniqueEmail numbers local until the address is new; ~2% get
// case/whitespace noise so cleaning steps have something to fix.
func (g *gen) uniqueEmail(local, domain string, seen map[string]bool) string {
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

// emailZH derives an address the way Chinese users pick them: pinyin of the
// name, often with a birth year, or a QQ number at QQ mail.
func (g *gen) emailZH(_ *country, fn, ln pname, seen map[string]bool) string {
	f, l := fn.ascii, ln.ascii
	host := g.pickOf(zhMailHosts)
	var local string
	switch g.r.IntN(5) {
	case 0:
		local = l + f
	case 1:
		local = l + "." + f
	case 2:
		local = l + f + strconv.Itoa(1965+g.r.IntN(40))
	case 3:
		local = f + "_" + l
	default:
		local = strconv.Itoa(1+g.r.IntN(9)) + g.digits(5+g.r.IntN(5))
		host = "qq.example.com"
	}
	return g.uniqueEmail(local, host, seen)
}
