package recommend

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// FPOptions controls frequent-itemset mining.
type FPOptions struct {
	// MinSupport is the minimum fraction of baskets an itemset must appear
	// in, in (0, 1].
	MinSupport float64
	// MaxLen caps the number of items in an itemset; 0 means no cap.
	MaxLen int
}

// FPItemset is a frequent itemset: Items ascending, Count the number of
// baskets holding all of them, Support = Count / number of baskets.
type FPItemset struct {
	Items   []int32
	Count   int
	Support float64
}

// FPResult holds the mined itemsets and the basket count they were mined
// from, which rule measures need.
type FPResult struct {
	Itemsets []FPItemset
	Baskets  int
	MinCount int
}

// FPMinCount is the smallest basket count meeting minSupport out of n
// baskets. The epsilon keeps e.g. 0.3 × 10 from rounding up to 4.
func FPMinCount(minSupport float64, n int) int {
	c := int(math.Ceil(minSupport*float64(n) - 1e-9))
	return max(c, 1)
}

// fpNode is one FP-tree node; links are indexes into fpTree.nodes so a tree
// is a few flat slices rather than a pointer graph.
type fpNode struct {
	rank   int32 // item rank: 0 is the most frequent item
	count  int
	parent int32
	next   int32 // next node with the same rank (header-table chain)
}

type fpTree struct {
	nodes    []fpNode
	children map[uint64]int32 // (parent, rank) -> child
	head     []int32          // per rank: first node in its chain, -1 if none
	count    []int            // per rank: total count in this tree
}

func fpNewTree(nRanks int) *fpTree {
	t := &fpTree{
		nodes:    []fpNode{{rank: -1, parent: -1, next: -1}},
		children: map[uint64]int32{},
		head:     make([]int32, nRanks),
		count:    make([]int, nRanks),
	}
	for i := range t.head {
		t.head[i] = -1
	}
	return t
}

// insert adds a path of ascending ranks with the given count.
func (t *fpTree) insert(path []int32, c int) {
	cur := int32(0)
	for _, r := range path {
		key := uint64(uint32(cur))<<32 | uint64(uint32(r))
		ch, ok := t.children[key]
		if !ok {
			ch = int32(len(t.nodes))
			t.nodes = append(t.nodes, fpNode{rank: r, parent: cur, next: t.head[r]})
			t.head[r] = ch
			t.children[key] = ch
		}
		t.nodes[ch].count += c
		t.count[r] += c
		cur = ch
	}
}

// FPGrowth mines all itemsets appearing in at least MinSupport of the
// baskets (Han, Pei & Yin 2000). Duplicate items within a basket count
// once. Itemsets are ordered by count descending, then length, then items.
func FPGrowth(baskets [][]int32, opt FPOptions) (*FPResult, error) {
	if !(opt.MinSupport > 0 && opt.MinSupport <= 1) {
		return nil, fmt.Errorf("recommend: min support %v must be in (0, 1]", opt.MinSupport)
	}
	if opt.MaxLen < 0 {
		return nil, errors.New("recommend: max itemset length must be >= 0")
	}
	n := len(baskets)
	res := &FPResult{Baskets: n}
	if n == 0 {
		return res, nil
	}
	minCount := FPMinCount(opt.MinSupport, n)
	res.MinCount = minCount

	// First pass: item frequencies, one count per basket.
	freq := map[int32]int{}
	var buf []int32
	for _, b := range baskets {
		buf = fpDedupe(append(buf[:0], b...))
		for _, it := range buf {
			if it < 0 {
				return nil, fmt.Errorf("recommend: negative item id %d", it)
			}
			freq[it]++
		}
	}
	// Rank frequent items by count descending (ties by id) so shared
	// prefixes are long and the tree small.
	var items []int32
	for it, c := range freq {
		if c >= minCount {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b int32) int {
		if freq[a] != freq[b] {
			return freq[b] - freq[a]
		}
		return int(a) - int(b)
	})
	rank := make(map[int32]int32, len(items))
	for r, it := range items {
		rank[it] = int32(r)
	}

	tree := fpNewTree(len(items))
	var path []int32
	for _, b := range baskets {
		path = path[:0]
		for _, it := range b {
			if r, ok := rank[it]; ok {
				path = append(path, r)
			}
		}
		path = fpDedupe(path)
		if len(path) > 0 {
			tree.insert(path, 1)
		}
	}

	m := &fpMiner{items: items, minCount: minCount, maxLen: opt.MaxLen, n: n}
	m.mine(tree, nil)
	slices.SortFunc(m.out, fpCompareItemsets)
	res.Itemsets = m.out
	return res, nil
}

type fpMiner struct {
	items    []int32
	minCount int
	maxLen   int
	n        int
	out      []FPItemset
}

// mine emits suffix ∪ {item} for every frequent item of t and recurses on
// that item's conditional tree.
func (m *fpMiner) mine(t *fpTree, suffix []int32) {
	for r := len(t.head) - 1; r >= 0; r-- {
		if t.head[r] < 0 || t.count[r] < m.minCount {
			continue
		}
		set := append(slices.Clone(suffix), int32(r))
		ids := make([]int32, len(set))
		for i, rr := range set {
			ids[i] = m.items[rr]
		}
		slices.Sort(ids)
		m.out = append(m.out, FPItemset{Items: ids, Count: t.count[r], Support: float64(t.count[r]) / float64(m.n)})
		if m.maxLen > 0 && len(set) >= m.maxLen {
			continue
		}
		// Conditional pattern base: the prefix path of every node of rank r,
		// weighted by that node's count. Only ranks < r can appear.
		condCount := make([]int, r)
		for nd := t.head[r]; nd >= 0; nd = t.nodes[nd].next {
			c := t.nodes[nd].count
			for p := t.nodes[nd].parent; p > 0; p = t.nodes[p].parent {
				condCount[t.nodes[p].rank] += c
			}
		}
		found := false
		for _, c := range condCount {
			if c >= m.minCount {
				found = true
				break
			}
		}
		if !found {
			continue
		}
		cond := fpNewTree(r)
		var path []int32
		for nd := t.head[r]; nd >= 0; nd = t.nodes[nd].next {
			path = path[:0]
			for p := t.nodes[nd].parent; p > 0; p = t.nodes[p].parent {
				if rr := t.nodes[p].rank; condCount[rr] >= m.minCount {
					path = append(path, rr)
				}
			}
			if len(path) == 0 {
				continue
			}
			slices.Reverse(path) // walked leaf to root; insert root first
			cond.insert(path, t.nodes[nd].count)
		}
		m.mine(cond, set)
	}
}

func fpCompareItemsets(a, b FPItemset) int {
	if a.Count != b.Count {
		return b.Count - a.Count
	}
	if len(a.Items) != len(b.Items) {
		return len(a.Items) - len(b.Items)
	}
	return slices.Compare(a.Items, b.Items)
}

// fpDedupe sorts s and removes repeats in place.
func fpDedupe(s []int32) []int32 {
	slices.Sort(s)
	return slices.Compact(s)
}
