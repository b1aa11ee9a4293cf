package demodata

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func (g *gen) products() {
	n := g.opt.Products
	g.prods = make([]product, n)
	g.byCat = make([][]int32, len(g.m.categories))
	seen := make(map[string]bool, n)
	for i := range g.prods {
		// Round-robin first so every category exists when n >= 10.
		ci := i % len(g.m.categories)
		c := &g.m.categories[ci]
		var name, noun string
		for try := 0; ; try++ {
			noun = g.pickOf(c.nouns)
			adj, variant, suffix := g.pickOf(c.adj), "", ""
			if try > 0 {
				variant = g.pickOf(g.m.variants)
			}
			if try > 20 {
				suffix = " #" + strconv.Itoa(try)
			}
			name = g.m.productName(adj, noun, variant, suffix)
			if !seen[name] {
				break
			}
		}
		seen[name] = true
		cents := g.m.price(g, c.median)
		g.prods[i] = product{
			name:    name,
			noun:    strings.ToLower(noun),
			cat:     ci,
			cents:   cents,
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
		w := make([]float64, len(g.m.categories))
		for ci, c := range g.m.categories {
			if len(g.byCat[ci]) > 0 {
				w[ci] = c.weight * c.monthly[m]
			}
		}
		g.catCum[m] = cumulative(w)
	}
}
