package demodata

import (
	"cmp"
	"math"
	"slices"
)

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
		// Peak season (Nov 20 - Dec 31; Singles' Day and Spring Festival in
		// China) strains delivery.
		od := g.start.AddDate(0, 0, int(o.sec/86400))
		if g.m.peak(od) {
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
			text:   g.m.review(g, rating, pr.noun, forced),
		})
	}
	slices.SortStableFunc(g.revs, func(a, b review) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.order, b.order))
	})
}
