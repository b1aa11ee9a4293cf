package explain

import (
	"fmt"
	"slices"

	"github.com/marketbench/marketbench/analytics/tree"
)

// TreeExplainer computes exact SHAP values for one CART tree with the
// path-dependent TreeSHAP algorithm (Lundberg, Erion & Lee 2018,
// "Consistent individualized feature attribution for tree ensembles",
// Algorithm 2). A feature left out of a coalition is integrated out by
// following both children of its splits, weighted by the share of
// training rows that went each way (Node.N), so no background data set is
// needed.
//
// SHAP values are linear in the model, so an ensemble's values are the
// weighted sum of its trees' values: AddSHAP accumulates them, and
// ForestExplainer does so for a forest.Forest.
type TreeExplainer struct {
	nodes []shapNode
	value []float64 // per node: the explained class's share of its rows (used at leaves)
	nf    int
	depth int
	base  float64
}

// shapNode is the part of a tree node TreeSHAP reads, whatever the model
// (32 bytes, as forests may have millions of nodes).
type shapNode struct {
	feature, left, right int32 // left and right are -1 at a leaf
	threshold, cover     float64
}

func (n *shapNode) leaf() bool { return n.left < 0 }

// newExplainer finishes an explainer whose nodes and values are filled:
// it checks the covers and computes the depth and the base value.
func newExplainer(nodes []shapNode, value []float64, nf int) (*TreeExplainer, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("explain: the tree has no nodes")
	}
	depth := make([]int, len(nodes))
	maxDepth := 0
	for i := range nodes {
		nd := &nodes[i]
		if !(nd.cover > 0) {
			return nil, fmt.Errorf("explain: node %d has no training rows; TreeSHAP needs them as weights", i)
		}
		if nd.leaf() {
			continue
		}
		// Children follow their parent (pre-order), so one pass finds depths
		// and rules out cycles.
		if int(nd.left) <= i || int(nd.right) <= i || int(nd.left) >= len(nodes) || int(nd.right) >= len(nodes) {
			return nil, fmt.Errorf("explain: node %d has children %d and %d; want later nodes", i, nd.left, nd.right)
		}
		if nd.feature < 0 || int(nd.feature) >= nf {
			return nil, fmt.Errorf("explain: node %d tests feature %d of %d", i, nd.feature, nf)
		}
		depth[nd.left], depth[nd.right] = depth[i]+1, depth[i]+1
		maxDepth = max(maxDepth, depth[i]+1)
	}
	e := &TreeExplainer{nodes: nodes, value: value, nf: nf, depth: maxDepth}
	e.base = e.expect(0)
	return e, nil
}

// NewTreeExplainer explains P(y = class) of t, where class is one of
// t.Classes (for churn, 1).
func NewTreeExplainer(t *tree.Tree, class int) (*TreeExplainer, error) {
	ci := slices.Index(t.Classes, class)
	if ci < 0 {
		return nil, fmt.Errorf("explain: class %d is not one of the tree's classes %v", class, t.Classes)
	}
	nodes := make([]shapNode, len(t.Nodes))
	value := make([]float64, len(t.Nodes))
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		nodes[i] = shapNode{feature: int32(nd.Feature), threshold: nd.Threshold, left: int32(nd.Left), right: int32(nd.Right), cover: float64(nd.N)}
		if nd.Leaf() {
			nodes[i].left, nodes[i].right = -1, -1
		}
		s := 0.0
		for _, v := range nd.Value {
			s += v
		}
		if len(nd.Value) > ci && s > 0 {
			value[i] = nd.Value[ci] / s
		}
	}
	return newExplainer(nodes, value, t.NFeatures)
}

// expect is the row-weighted mean of leaf values below node i: the tree's
// prediction when no feature is known.
func (e *TreeExplainer) expect(i int32) float64 {
	nd := &e.nodes[i]
	if nd.leaf() {
		return e.value[i]
	}
	l, r := &e.nodes[nd.left], &e.nodes[nd.right]
	return (l.cover*e.expect(nd.left) + r.cover*e.expect(nd.right)) / (l.cover + r.cover)
}

// ExpectedValue is the base value φ0: for any x,
// ExpectedValue() + Σ SHAP(x) equals the tree's predicted probability.
func (e *TreeExplainer) ExpectedValue() float64 { return e.base }

// SHAP returns one SHAP value per feature for the row x. Features the
// tree never splits on get exactly 0.
func (e *TreeExplainer) SHAP(x []float64) []float64 {
	phi := make([]float64, e.nf)
	e.AddSHAP(phi, x, 1)
	return phi
}

// AddSHAP adds weight·SHAP(x) to phi, so ensembles can accumulate without
// allocating per tree. It panics if x or phi do not have one entry per
// feature.
func (e *TreeExplainer) AddSHAP(phi, x []float64, weight float64) {
	if len(x) != e.nf || len(phi) != e.nf {
		panic(fmt.Sprintf("explain: x has %d and phi %d entries, tree has %d features", len(x), len(phi), e.nf))
	}
	e.addSHAP(phi, x, weight, nil)
}

// addSHAP is AddSHAP reusing buf as the path buffer if it is big enough;
// it returns the buffer used.
func (e *TreeExplainer) addSHAP(phi, x []float64, weight float64, buf []pathElem) []pathElem {
	// The path holds at most depth+2 elements (a dummy root element plus
	// one per distinct feature on the way down); one buffer per level
	// replaces the reference code's copy-on-recurse stack.
	maxLen := e.depth + 2
	if need := (maxLen*(maxLen+1))/2 + maxLen; len(buf) < need {
		buf = make([]pathElem, need)
	}
	s := &shapState{e: e, x: x, phi: phi, w: weight, buf: buf}
	s.recurse(0, 0, 0, 1, 1, -1)
	return buf
}

// pathElem is one feature on the current root-to-node path: the fraction
// of "feature unknown" paths (zero) and "feature known" paths (one) that
// flow through, and the permutation weight of subsets of this size.
type pathElem struct {
	feature   int
	zero, one float64
	pweight   float64
}

type shapState struct {
	e   *TreeExplainer
	x   []float64
	phi []float64
	w   float64
	buf []pathElem
}

// recurse visits node j. The parent's path occupies buf[off:off+depth];
// this call works on a copy after it so siblings see the parent's path.
func (s *shapState) recurse(j int32, off, depth int, pz, po float64, pi int) {
	path := s.buf[off+depth : off+2*depth+1]
	copy(path, s.buf[off:off+depth])
	extend(path, depth, pz, po, pi)
	nd := &s.e.nodes[j]
	if nd.leaf() {
		for i := 1; i <= depth; i++ {
			w := unwoundSum(path, depth, i)
			el := path[i]
			s.phi[el.feature] += s.w * w * (el.one - el.zero) * s.e.value[j]
		}
		return
	}
	// As the models do, x goes left when x <= threshold, so a NaN goes right.
	hot, cold := nd.left, nd.right
	if !(s.x[nd.feature] <= nd.threshold) {
		hot, cold = cold, hot
	}
	iz, io := 1.0, 1.0
	// A feature split on twice along a path must appear once: undo its
	// earlier extension and carry its fractions into this split.
	k := 1
	for ; k <= depth; k++ {
		if path[k].feature == int(nd.feature) {
			break
		}
	}
	d := depth
	if k <= depth {
		iz, io = path[k].zero, path[k].one
		unwind(path, d, k)
		d--
	}
	n := nd.cover
	noff := off + depth
	s.recurse(hot, noff, d+1, iz*s.e.nodes[hot].cover/n, io, int(nd.feature))
	s.recurse(cold, noff, d+1, iz*s.e.nodes[cold].cover/n, 0, int(nd.feature))
}

// extend adds a feature with fractions (pz, po) at index d of path,
// updating the subset-size weights (EXTEND in the paper).
func extend(path []pathElem, d int, pz, po float64, pi int) {
	path[d] = pathElem{feature: pi, zero: pz, one: po}
	if d == 0 {
		path[d].pweight = 1
	}
	for i := d - 1; i >= 0; i-- {
		path[i+1].pweight += po * path[i].pweight * float64(i+1) / float64(d+1)
		path[i].pweight = pz * path[i].pweight * float64(d-i) / float64(d+1)
	}
}

// unwind removes element k from path[:d+1], the inverse of extend
// (UNWIND in the paper).
func unwind(path []pathElem, d, k int) {
	po, pz := path[k].one, path[k].zero
	next := path[d].pweight
	for i := d - 1; i >= 0; i-- {
		if po != 0 {
			tmp := path[i].pweight
			path[i].pweight = next * float64(d+1) / (float64(i+1) * po)
			next = tmp - path[i].pweight*pz*float64(d-i)/float64(d+1)
		} else {
			path[i].pweight = path[i].pweight * float64(d+1) / (pz * float64(d-i))
		}
	}
	for i := k; i < d; i++ {
		path[i].feature, path[i].zero, path[i].one = path[i+1].feature, path[i+1].zero, path[i+1].one
	}
}

// unwoundSum is the total permutation weight of the path with element k
// removed, without modifying it.
func unwoundSum(path []pathElem, d, k int) float64 {
	po, pz := path[k].one, path[k].zero
	next := path[d].pweight
	total := 0.0
	for i := d - 1; i >= 0; i-- {
		if po != 0 {
			tmp := next * float64(d+1) / (float64(i+1) * po)
			total += tmp
			next = path[i].pweight - tmp*pz*float64(d-i)/float64(d+1)
		} else {
			total += path[i].pweight / pz * float64(d+1) / float64(d-i)
		}
	}
	return total
}
