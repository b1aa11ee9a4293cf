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
// SHAP values are linear in the model, so a forest's values are the
// average of its trees' values: call AddSHAP for each tree with weight
// 1/len(trees) into one slice, and average ExpectedValue the same way.
type TreeExplainer struct {
	nodes []tree.Node
	value []float64 // per node: the explained class's share of its rows
	nf    int
	depth int
	base  float64
}

// NewTreeExplainer explains P(y = class) of t, where class is one of
// t.Classes (for churn, 1).
func NewTreeExplainer(t *tree.Tree, class int) (*TreeExplainer, error) {
	ci := slices.Index(t.Classes, class)
	if ci < 0 {
		return nil, fmt.Errorf("explain: class %d is not one of the tree's classes %v", class, t.Classes)
	}
	if len(t.Nodes) == 0 {
		return nil, fmt.Errorf("explain: the tree has no nodes")
	}
	e := &TreeExplainer{nodes: t.Nodes, value: make([]float64, len(t.Nodes)), nf: t.NFeatures, depth: t.Depth()}
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		if nd.N <= 0 {
			return nil, fmt.Errorf("explain: node %d has no training rows; TreeSHAP needs them as weights", i)
		}
		s := 0.0
		for _, v := range nd.Value {
			s += v
		}
		e.value[i] = nd.Value[ci] / s
	}
	e.base = e.expect(0)
	return e, nil
}

// expect is the row-weighted mean of leaf values below node i: the tree's
// prediction when no feature is known.
func (e *TreeExplainer) expect(i int) float64 {
	nd := &e.nodes[i]
	if nd.Leaf() {
		return e.value[i]
	}
	l, r := &e.nodes[nd.Left], &e.nodes[nd.Right]
	return (float64(l.N)*e.expect(nd.Left) + float64(r.N)*e.expect(nd.Right)) / float64(l.N+r.N)
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
	// The path holds at most depth+2 elements (a dummy root element plus
	// one per distinct feature on the way down); one buffer per level
	// replaces the reference code's copy-on-recurse stack.
	s := &shapState{e: e, x: x, phi: phi, w: weight}
	maxLen := e.depth + 2
	s.buf = make([]pathElem, (maxLen*(maxLen+1))/2+maxLen)
	s.recurse(0, 0, 0, 1, 1, -1)
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
func (s *shapState) recurse(j, off, depth int, pz, po float64, pi int) {
	path := s.buf[off+depth : off+2*depth+1]
	copy(path, s.buf[off:off+depth])
	extend(path, depth, pz, po, pi)
	nd := &s.e.nodes[j]
	if nd.Leaf() {
		for i := 1; i <= depth; i++ {
			w := unwoundSum(path, depth, i)
			el := path[i]
			s.phi[el.feature] += s.w * w * (el.one - el.zero) * s.e.value[j]
		}
		return
	}
	hot, cold := nd.Left, nd.Right
	if s.x[nd.Feature] > nd.Threshold {
		hot, cold = cold, hot
	}
	iz, io := 1.0, 1.0
	// A feature split on twice along a path must appear once: undo its
	// earlier extension and carry its fractions into this split.
	k := 1
	for ; k <= depth; k++ {
		if path[k].feature == nd.Feature {
			break
		}
	}
	d := depth
	if k <= depth {
		iz, io = path[k].zero, path[k].one
		unwind(path, d, k)
		d--
	}
	n := float64(nd.N)
	noff := off + depth
	s.recurse(hot, noff, d+1, iz*float64(s.e.nodes[hot].N)/n, io, nd.Feature)
	s.recurse(cold, noff, d+1, iz*float64(s.e.nodes[cold].N)/n, 0, nd.Feature)
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
