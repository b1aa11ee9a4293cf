package recommend

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// Rule is an association rule Antecedent ⇒ Consequent (both ascending,
// disjoint). Count is the number of baskets holding every item of both.
//
// Conviction is math.Inf(1) when Confidence is 1 (the consequent never
// fails given the antecedent); callers rendering it should show "∞".
type Rule struct {
	Antecedent []int32
	Consequent []int32
	Count      int
	Support    float64 // Count / baskets
	Confidence float64 // Count / count(antecedent)
	Lift       float64 // Confidence / support(consequent)
	Leverage   float64 // Support − support(antecedent) · support(consequent)
	Conviction float64 // (1 − support(consequent)) / (1 − Confidence)
}

// RuleFilter selects rules; zero values disable a filter.
type RuleFilter struct {
	MinSupport    float64
	MinConfidence float64
	MinLift       float64
	// MaxLen caps antecedent plus consequent items.
	MaxLen int
	// Include: a rule must contain at least one of these items (either side).
	Include []int32
	// Exclude: a rule must contain none of these items.
	Exclude []int32
}

// RulesMaxItemset bounds the itemset length rules are generated from:
// every itemset of length L yields 2^L − 2 candidate rules.
const RulesMaxItemset = 20

// Rules derives every association rule from the frequent itemsets in fp
// that passes f, ordered by lift, confidence and support (all descending),
// then antecedent and consequent items ascending.
//
// Every subset of a frequent itemset is frequent, so the antecedent and
// consequent counts come from fp itself.
func Rules(fp *FPResult, f RuleFilter) ([]Rule, error) {
	if fp == nil || fp.Baskets == 0 {
		return nil, nil
	}
	counts := make(map[string]int, len(fp.Itemsets))
	for _, s := range fp.Itemsets {
		counts[fpItemKey(s.Items)] = s.Count
	}
	include := fpDedupe(slices.Clone(f.Include))
	exclude := fpDedupe(slices.Clone(f.Exclude))
	n := int64(fp.Baskets)
	var out []Rule
	var ante, cons []int32
	for _, s := range fp.Itemsets {
		L := len(s.Items)
		if L < 2 || (f.MaxLen > 0 && L > f.MaxLen) {
			continue
		}
		if L > RulesMaxItemset {
			return nil, errors.New("recommend: itemset too long for rule generation; set a max length")
		}
		if len(include) > 0 && !fpIntersects(s.Items, include) {
			continue
		}
		if len(exclude) > 0 && fpIntersects(s.Items, exclude) {
			continue
		}
		support := float64(s.Count) / float64(n)
		if support < f.MinSupport {
			continue
		}
		c := int64(s.Count)
		for mask := 1; mask < 1<<L-1; mask++ {
			ante, cons = ante[:0], cons[:0]
			for i, it := range s.Items {
				if mask&(1<<i) != 0 {
					ante = append(ante, it)
				} else {
					cons = append(cons, it)
				}
			}
			ca, okA := counts[fpItemKey(ante)]
			cc, okC := counts[fpItemKey(cons)]
			if !okA || !okC {
				return nil, errors.New("recommend: itemsets are not closed under subsets (not from FPGrowth?)")
			}
			r := ruleMeasures(c, int64(ca), int64(cc), n)
			if r.Confidence < f.MinConfidence || r.Lift < f.MinLift {
				continue
			}
			r.Antecedent = slices.Clone(ante)
			r.Consequent = slices.Clone(cons)
			r.Count = s.Count
			out = append(out, r)
		}
	}
	slices.SortFunc(out, ruleCompare)
	return out, nil
}

// ruleMeasures computes every measure as one division of exact integers so
// each is correctly rounded and independent of evaluation order.
func ruleMeasures(c, ca, cc, n int64) Rule {
	r := Rule{
		Support:    float64(c) / float64(n),
		Confidence: float64(c) / float64(ca),
		Lift:       float64(c*n) / float64(ca*cc),
		Leverage:   float64(c*n-ca*cc) / float64(n*n),
	}
	if c == ca {
		r.Conviction = math.Inf(1)
	} else {
		r.Conviction = float64(ca*(n-cc)) / float64(n*(ca-c))
	}
	return r
}

func ruleCompare(a, b Rule) int {
	switch {
	case a.Lift != b.Lift:
		return ruleCmpDesc(a.Lift, b.Lift)
	case a.Confidence != b.Confidence:
		return ruleCmpDesc(a.Confidence, b.Confidence)
	case a.Support != b.Support:
		return ruleCmpDesc(a.Support, b.Support)
	}
	if c := slices.Compare(a.Antecedent, b.Antecedent); c != 0 {
		return c
	}
	return slices.Compare(a.Consequent, b.Consequent)
}

func ruleCmpDesc(a, b float64) int {
	if a > b {
		return -1
	}
	return 1
}

// fpIntersects reports whether sorted a and b share an element.
func fpIntersects(a, b []int32) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func fpItemKey(items []int32) string {
	b := make([]byte, 4*len(items))
	for i, it := range items {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(it))
	}
	return string(b)
}
