package demodata

import (
	"cmp"
	"math"
	"slices"
)

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
				ch = g.r.IntN(len(g.m.channels))
			}
			hour := g.sampleCum(g.hourCum[ch], 0, 23)
			sec := int64(day)*86400 + int64(hour)*3600 + int64(g.r.IntN(3600))

			cat := c.fav
			if !g.chance(0.4) {
				cat = g.sampleCum(g.catCum[g.month[day]], 0, len(g.m.categories)-1)
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
