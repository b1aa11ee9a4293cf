package recommend

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func fpRandomBaskets(rng *rand.Rand, n, nItems, maxLen int) [][]int32 {
	bs := make([][]int32, n)
	for i := range bs {
		l := rng.IntN(maxLen + 1)
		for range l {
			// Skewed so some items are frequent and itemsets get long.
			it := int32(math.Floor(float64(nItems) * rng.Float64() * rng.Float64()))
			bs[i] = append(bs[i], it)
		}
	}
	return bs
}

// fpBruteItemsets counts every subset of 0..nItems-1 directly.
func fpBruteItemsets(bs [][]int32, nItems, minCount, maxLen int) []FPItemset {
	sets := make([]uint32, len(bs))
	for i, b := range bs {
		for _, it := range b {
			sets[i] |= 1 << it
		}
	}
	var out []FPItemset
	for mask := uint32(1); mask < 1<<nItems; mask++ {
		var items []int32
		for it := range nItems {
			if mask&(1<<it) != 0 {
				items = append(items, int32(it))
			}
		}
		if maxLen > 0 && len(items) > maxLen {
			continue
		}
		c := 0
		for _, s := range sets {
			if s&mask == mask {
				c++
			}
		}
		if c >= minCount {
			out = append(out, FPItemset{Items: items, Count: c, Support: float64(c) / float64(len(bs))})
		}
	}
	slices.SortFunc(out, fpCompareItemsets)
	return out
}

func fpRatFloat(num, den int64) float64 {
	f, _ := new(big.Rat).SetFrac64(num, den).Float64()
	return f
}

// fpBruteRules builds rules from brute-force counts with exact rational
// arithmetic, so equality with Rules checks rounding too.
func fpBruteRules(sets []FPItemset, n int, f RuleFilter) []Rule {
	cnt := map[string]int{}
	for _, s := range sets {
		cnt[fpItemKey(s.Items)] = s.Count
	}
	has := func(items, of []int32) bool {
		for _, it := range items {
			if slices.Contains(of, it) {
				return true
			}
		}
		return false
	}
	N := int64(n)
	var out []Rule
	for _, s := range sets {
		L := len(s.Items)
		if L < 2 || (f.MaxLen > 0 && L > f.MaxLen) {
			continue
		}
		if len(f.Include) > 0 && !has(s.Items, f.Include) || has(s.Items, f.Exclude) {
			continue
		}
		for mask := 1; mask < 1<<L-1; mask++ {
			var a, c []int32
			for i, it := range s.Items {
				if mask&(1<<i) != 0 {
					a = append(a, it)
				} else {
					c = append(c, it)
				}
			}
			nab, na, nc := int64(s.Count), int64(cnt[fpItemKey(a)]), int64(cnt[fpItemKey(c)])
			r := Rule{Antecedent: a, Consequent: c, Count: s.Count,
				Support:    fpRatFloat(nab, N),
				Confidence: fpRatFloat(nab, na),
				Lift:       fpRatFloat(nab*N, na*nc),
				Leverage:   fpRatFloat(nab*N-na*nc, N*N),
				Conviction: math.Inf(1),
			}
			if nab != na {
				r.Conviction = fpRatFloat(na*(N-nc), N*(na-nab))
			}
			if r.Support < f.MinSupport || r.Confidence < f.MinConfidence || r.Lift < f.MinLift {
				continue
			}
			out = append(out, r)
		}
	}
	slices.SortFunc(out, ruleCompare)
	return out
}

func fpSameRule(a, b Rule) bool {
	return slices.Equal(a.Antecedent, b.Antecedent) && slices.Equal(a.Consequent, b.Consequent) &&
		a.Count == b.Count && a.Support == b.Support && a.Confidence == b.Confidence &&
		a.Lift == b.Lift && a.Leverage == b.Leverage && a.Conviction == b.Conviction
}

func TestFPGrowthMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	filters := []RuleFilter{
		{},
		{MinConfidence: 0.5},
		{MinLift: 1.2, MaxLen: 3},
		{MinSupport: 0.1, Include: []int32{0, 3}},
		{Exclude: []int32{1}, MinConfidence: 0.3},
	}
	totalRules, infConv := 0, 0
	for trial := range 60 {
		nItems := 4 + rng.IntN(7)
		bs := fpRandomBaskets(rng, 10+rng.IntN(60), nItems, 1+rng.IntN(8))
		minSup := []float64{0.02, 0.05, 0.1, 0.2, 0.3}[rng.IntN(5)]
		maxLen := rng.IntN(5)
		fp, err := FPGrowth(bs, FPOptions{MinSupport: minSup, MaxLen: maxLen})
		if err != nil {
			t.Fatal(err)
		}
		want := fpBruteItemsets(bs, nItems, FPMinCount(minSup, len(bs)), maxLen)
		if len(fp.Itemsets) != len(want) {
			t.Fatalf("trial %d: %d itemsets, brute force %d", trial, len(fp.Itemsets), len(want))
		}
		for i := range want {
			g, w := fp.Itemsets[i], want[i]
			if !slices.Equal(g.Items, w.Items) || g.Count != w.Count || g.Support != w.Support {
				t.Fatalf("trial %d itemset %d: got %+v want %+v", trial, i, g, w)
			}
		}
		for _, f := range filters {
			got, err := Rules(fp, f)
			if err != nil {
				t.Fatal(err)
			}
			wr := fpBruteRules(want, len(bs), f)
			if len(got) != len(wr) {
				t.Fatalf("trial %d filter %+v: %d rules, brute force %d", trial, f, len(got), len(wr))
			}
			for i := range wr {
				if !fpSameRule(got[i], wr[i]) {
					t.Fatalf("trial %d filter %+v rule %d:\n got %+v\nwant %+v", trial, f, i, got[i], wr[i])
				}
				if math.IsInf(got[i].Conviction, 1) {
					infConv++
				}
			}
			totalRules += len(got)
		}
	}
	// Guard against a vacuous pass.
	if totalRules < 1000 || infConv == 0 {
		t.Fatalf("too few rules checked: %d (%d with infinite conviction)", totalRules, infConv)
	}
}

func TestFPGrowthKnownExample(t *testing.T) {
	// Han et al.'s textbook transactions, items renumbered.
	bs := [][]int32{{0, 1, 4}, {1, 3}, {1, 2}, {0, 1, 3}, {0, 2}, {1, 2}, {0, 2}, {0, 1, 2, 4}, {0, 1, 2}}
	fp, err := FPGrowth(bs, FPOptions{MinSupport: 2.0 / 9})
	if err != nil {
		t.Fatal(err)
	}
	if len(fp.Itemsets) != 13 {
		t.Fatalf("got %d itemsets, want 13: %+v", len(fp.Itemsets), fp.Itemsets)
	}
	rules, _ := Rules(fp, RuleFilter{MinConfidence: 1})
	for _, r := range rules {
		if !math.IsInf(r.Conviction, 1) || r.Confidence != 1 {
			t.Fatalf("confidence-1 rule without infinite conviction: %+v", r)
		}
	}
	if len(rules) == 0 {
		t.Fatal("expected confidence-1 rules (e.g. {4} ⇒ {1})")
	}
}

func TestFPGrowthBadInput(t *testing.T) {
	if _, err := FPGrowth([][]int32{{1}}, FPOptions{MinSupport: 0}); err == nil {
		t.Fatal("zero min support accepted")
	}
	if _, err := FPGrowth([][]int32{{-1}}, FPOptions{MinSupport: 0.5}); err == nil {
		t.Fatal("negative item accepted")
	}
	fp, err := FPGrowth(nil, FPOptions{MinSupport: 0.5})
	if err != nil || len(fp.Itemsets) != 0 {
		t.Fatalf("empty input: %v %v", fp, err)
	}
	// Duplicate items in a basket count once.
	fp, _ = FPGrowth([][]int32{{2, 2, 2}, {3}}, FPOptions{MinSupport: 0.5})
	if len(fp.Itemsets) != 2 || fp.Itemsets[0].Count != 1 {
		t.Fatalf("duplicates: %+v", fp.Itemsets)
	}
}
