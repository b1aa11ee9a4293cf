package tree

import (
	"fmt"
	"math"
)

// Minimal cost-complexity pruning (Breiman et al. 1984, ch. 3), following
// sklearn's order of operations: the cost of a subtree is the sum over its
// leaves of N_leaf/N·impurity, and each step collapses the internal node
// whose collapse costs the least per leaf removed, the lowest node id on
// ties, so Path and Prune agree with cost_complexity_pruning_path and
// ccp_alpha.

// Path returns the effective alphas of the pruning sequence and the total
// leaf impurity of the tree after each step, like sklearn's
// cost_complexity_pruning_path: alphas[0] is 0 with the unpruned tree's
// impurity, and the last step collapses the root.
func (t *Tree) Path() (alphas, impurities []float64) {
	_, alphas, impurities = t.prune(math.Inf(1))
	return alphas, impurities
}

// Prune returns a copy of t with every subtree collapsed whose effective
// alpha is at most alpha, like fitting with sklearn's ccp_alpha. Node ids
// are renumbered in pre-order; t is not modified.
func (t *Tree) Prune(alpha float64) (*Tree, error) {
	if math.IsNaN(alpha) || alpha < 0 {
		return nil, fmt.Errorf("tree: alpha must be ≥ 0, got %v", alpha)
	}
	leaf, _, _ := t.prune(alpha)
	p := &Tree{Classes: t.Classes, NFeatures: t.NFeatures, Criterion: t.Criterion}
	var copyNode func(i int) int
	copyNode = func(i int) int {
		nd := t.Nodes[i]
		nd.Value = append([]float64(nil), nd.Value...)
		id := len(p.Nodes)
		if leaf[i] {
			nd.Feature, nd.Threshold, nd.Left, nd.Right = -1, 0, -1, -1
			p.Nodes = append(p.Nodes, nd)
			return id
		}
		p.Nodes = append(p.Nodes, nd)
		l := copyNode(nd.Left)
		r := copyNode(nd.Right)
		p.Nodes[id].Left, p.Nodes[id].Right = l, r
		return id
	}
	copyNode(0)
	return p, nil
}

// prune runs the pruning sequence while the effective alpha is at most
// limit. It returns which nodes are leaves of the resulting subtree and each
// step's alpha and total leaf impurity, starting with 0 and the unpruned
// tree's.
func (t *Tree) prune(limit float64) (leaf []bool, alphas, impurities []float64) {
	n := len(t.Nodes)
	total := float64(t.Nodes[0].N)
	parent := make([]int, n)
	parent[0] = -1
	rNode := make([]float64, n)   // this node's cost as a leaf
	rBranch := make([]float64, n) // its subtree's cost
	nLeaves := make([]int, n)
	leaf = make([]bool, n)
	candidate := make([]bool, n) // internal and still in the subtree
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		rNode[i] = float64(nd.N) * nd.Impurity / total
		if nd.Leaf() {
			leaf[i] = true
		} else {
			parent[nd.Left], parent[nd.Right] = i, i
			candidate[i] = true
		}
	}
	for i := range n {
		if !leaf[i] {
			continue
		}
		rBranch[i] = rNode[i]
		for j := i; j != 0; {
			j = parent[j]
			rBranch[j] += rNode[i]
			nLeaves[j]++
		}
	}
	alphas, impurities = []float64{0}, []float64{rBranch[0]}
	for candidate[0] {
		alpha := math.MaxFloat64
		node := -1
		for i := range n {
			if !candidate[i] {
				continue
			}
			if a := (rNode[i] - rBranch[i]) / float64(nLeaves[i]-1); a < alpha {
				alpha, node = a, i
			}
		}
		if alpha > limit {
			break
		}
		// Drop node's descendants and make it a leaf.
		stack := []int{node}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			candidate[i], leaf[i] = false, false
			if nd := &t.Nodes[i]; !nd.Leaf() {
				stack = append(stack, nd.Left, nd.Right)
			}
		}
		leaf[node] = true
		removed := nLeaves[node] - 1
		diff := rNode[node] - rBranch[node]
		nLeaves[node] = 1
		rBranch[node] = rNode[node]
		for j := parent[node]; j != -1; j = parent[j] {
			nLeaves[j] -= removed
			rBranch[j] += diff
		}
		alphas = append(alphas, alpha)
		impurities = append(impurities, rBranch[0])
	}
	return leaf, alphas, impurities
}
