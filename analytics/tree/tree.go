// Package tree fits CART classification trees (binary and multi-class),
// matching scikit-learn's DecisionTreeClassifier with max_features=None.
//
// At every node Fit tries every feature and every midpoint between
// consecutive distinct sorted values, and keeps the split with the largest
// impurity decrease. sklearn visits the features in a random order even
// when it tries them all, so when two splits are exactly equally good its
// choice depends on random_state; Fit instead keeps the first one found,
// visiting features in column order and thresholds in increasing order, so
// ties go to the lowest feature index and then the lowest threshold.
package tree

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Options configures Fit. The zero value means sklearn's defaults: gini,
// unlimited depth, MinSamplesSplit 2, MinSamplesLeaf 1.
type Options struct {
	// Criterion is "gini" (the default when empty) or "entropy".
	Criterion string
	// MaxDepth caps the depth (the root has depth 0); 0 means unlimited.
	MaxDepth int
	// MinSamplesSplit is the fewest rows a node needs to be split.
	MinSamplesSplit int
	// MinSamplesLeaf is the fewest rows each child of a split must keep.
	MinSamplesLeaf int
	// MinImpurityDecrease rejects splits whose weighted impurity decrease,
	// N_t/N·(impurity − N_l/N_t·left − N_r/N_t·right), is below it.
	MinImpurityDecrease float64
	// Seed is reserved for randomised variants (feature sampling, forests).
	// Fit ignores it: the exhaustive search with ordered tie-breaking is
	// already deterministic.
	Seed int64
}

// Node is one node of a fitted tree. Nodes are stored in pre-order (a node,
// then its left subtree, then its right), the same numbering as sklearn's
// tree_, so node ids can be compared directly.
type Node struct {
	// Feature is the column tested; -1 at a leaf.
	Feature int
	// Threshold sends rows with x[Feature] <= Threshold left.
	Threshold float64
	// Left and Right are child node ids; -1 at a leaf.
	Left, Right int
	// Value holds the training row count of each class, in Tree.Classes order.
	Value []float64
	// Impurity is the node's gini or entropy (in bits).
	Impurity float64
	// N is the number of training rows that reached the node.
	N int
}

// Leaf reports whether the node has no children.
func (n *Node) Leaf() bool { return n.Left < 0 }

// Tree is a fitted classification tree.
type Tree struct {
	Nodes []Node
	// Classes are the distinct labels of y in increasing order; they index
	// Node.Value and the columns of PredictProba.
	Classes   []int
	NFeatures int
	Criterion string
}

// featureThreshold is sklearn's FEATURE_THRESHOLD: sorted values closer than
// this are treated as equal, so no threshold is placed between them.
const featureThreshold = 1e-7

// eps is sklearn's EPSILON (float64 machine epsilon), used for the same
// "pure node" and "no real improvement" checks.
const eps = 0x1p-52

// Fit grows a tree on X (n×k) and integer class labels y. X is not modified
// and must be finite.
func Fit(X *mat.Dense, y []int, opt Options) (*Tree, error) {
	n, k := X.Dims()
	if n == 0 || k == 0 {
		return nil, errors.New("tree: X is empty")
	}
	if len(y) != n {
		return nil, fmt.Errorf("tree: X has %d rows but y has %d values", n, len(y))
	}
	if opt.Criterion == "" {
		opt.Criterion = "gini"
	}
	if opt.MinSamplesSplit == 0 {
		opt.MinSamplesSplit = 2
	}
	if opt.MinSamplesLeaf == 0 {
		opt.MinSamplesLeaf = 1
	}
	switch {
	case opt.Criterion != "gini" && opt.Criterion != "entropy":
		return nil, fmt.Errorf("tree: Criterion must be \"gini\" or \"entropy\", got %q", opt.Criterion)
	case opt.MaxDepth < 0:
		return nil, fmt.Errorf("tree: MaxDepth must be ≥ 0, got %d", opt.MaxDepth)
	case opt.MinSamplesSplit < 2:
		return nil, fmt.Errorf("tree: MinSamplesSplit must be ≥ 2, got %d", opt.MinSamplesSplit)
	case opt.MinSamplesLeaf < 1:
		return nil, fmt.Errorf("tree: MinSamplesLeaf must be ≥ 1, got %d", opt.MinSamplesLeaf)
	case math.IsNaN(opt.MinImpurityDecrease) || opt.MinImpurityDecrease < 0:
		return nil, fmt.Errorf("tree: MinImpurityDecrease must be ≥ 0, got %v", opt.MinImpurityDecrease)
	}
	if opt.MaxDepth == 0 {
		opt.MaxDepth = math.MaxInt
	}
	// Columns are copied once so each feature's values are contiguous.
	cols := make([][]float64, k)
	for j := range cols {
		cols[j] = mat.Col(nil, j, X)
		for i, v := range cols[j] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("tree: X[%d][%d] is %v; trees need finite values", i, j, v)
			}
		}
	}
	classes := slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	code := make([]int, n)
	for i, v := range y {
		code[i], _ = slices.BinarySearch(classes, v)
	}
	b := &builder{
		opt: opt, cols: cols, y: code, nc: len(classes), n: n,
		entropy: opt.Criterion == "entropy",
		t:       &Tree{Classes: classes, NFeatures: k, Criterion: opt.Criterion},
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	counts := b.count(rows)
	b.grow(rows, counts, b.impurity(counts, float64(n)), 0)
	return b.t, nil
}

type builder struct {
	opt     Options
	cols    [][]float64
	y       []int
	nc, n   int
	entropy bool
	t       *Tree
}

func (b *builder) count(rows []int) []float64 {
	c := make([]float64, b.nc)
	for _, i := range rows {
		c[b.y[i]]++
	}
	return c
}

// impurity is gini or entropy in bits, computed in sklearn's order of
// operations so values agree to the last bit or so.
func (b *builder) impurity(c []float64, w float64) float64 {
	if b.entropy {
		e := 0.0
		for _, v := range c {
			if v > 0 {
				p := v / w
				e -= p * math.Log2(p)
			}
		}
		return e
	}
	sq := 0.0
	for _, v := range c {
		sq += v * v
	}
	return 1 - sq/(w*w)
}

// split is the best split found at a node.
type split struct {
	feature           int
	threshold         float64
	pos               int // rows[:pos] go left after sorting by feature
	left, right       []float64
	impLeft, impRight float64
	proxy             float64
}

// grow adds the node for rows (pre-order) and returns its id.
func (b *builder) grow(rows []int, counts []float64, imp float64, depth int) int {
	id := len(b.t.Nodes)
	b.t.Nodes = append(b.t.Nodes, Node{Feature: -1, Left: -1, Right: -1, Value: counts, Impurity: imp, N: len(rows)})
	o := b.opt
	m := len(rows)
	if depth >= o.MaxDepth || m < o.MinSamplesSplit || m < 2*o.MinSamplesLeaf || imp <= eps {
		return id
	}
	s, ok := b.best(rows, counts)
	if !ok {
		return id
	}
	w, wl, wr := float64(m), float64(s.pos), float64(m-s.pos)
	gain := w / float64(b.n) * (imp - wr/w*s.impRight - wl/w*s.impLeft)
	if gain+eps < o.MinImpurityDecrease {
		return id
	}
	col := b.cols[s.feature]
	sort.Slice(rows, func(a, c int) bool { return col[rows[a]] < col[rows[c]] })
	l := b.grow(rows[:s.pos], s.left, s.impLeft, depth+1)
	r := b.grow(rows[s.pos:], s.right, s.impRight, depth+1)
	nd := &b.t.Nodes[id]
	nd.Feature, nd.Threshold, nd.Left, nd.Right = s.feature, s.threshold, l, r
	return id
}

// best scans every feature and threshold. Like sklearn it ranks splits by
// the proxy −(N_l·imp_l + N_r·imp_r), which orders them as the impurity
// decrease does, and keeps a new split only if strictly better.
func (b *builder) best(rows []int, counts []float64) (split, bool) {
	m := len(rows)
	minLeaf := b.opt.MinSamplesLeaf
	order := slices.Clone(rows)
	xs := make([]float64, m)
	left := make([]float64, b.nc)
	right := make([]float64, b.nc)
	var best split
	found := false
	for f, col := range b.cols {
		sort.Slice(order, func(a, c int) bool { return col[order[a]] < col[order[c]] })
		for i, r := range order {
			xs[i] = col[r]
		}
		if xs[m-1] <= xs[0]+featureThreshold {
			continue // constant here
		}
		clear(left)
		copy(right, counts)
		moved := 0
		for p := 0; p < m; {
			for p+1 < m && xs[p+1] <= xs[p]+featureThreshold {
				p++
			}
			p++
			if p >= m {
				break
			}
			if p < minLeaf || m-p < minLeaf {
				continue
			}
			for ; moved < p; moved++ {
				c := b.y[order[moved]]
				left[c]++
				right[c]--
			}
			wl, wr := float64(p), float64(m-p)
			il, ir := b.impurity(left, wl), b.impurity(right, wr)
			proxy := -wr*ir - wl*il
			if found && proxy <= best.proxy {
				continue
			}
			// The midpoint, computed as sklearn does; fall back to the
			// lower value if rounding lands it on the upper one.
			t := xs[p-1]/2 + xs[p]/2
			if t == xs[p] || math.IsInf(t, 0) {
				t = xs[p-1]
			}
			best = split{feature: f, threshold: t, pos: p, impLeft: il, impRight: ir, proxy: proxy,
				left: slices.Clone(left), right: slices.Clone(right)}
			found = true
		}
	}
	return best, found
}

// PredictProba returns the class shares of the leaf each row of X reaches,
// one column per entry of Classes. It panics if X does not have NFeatures
// columns.
func (t *Tree) PredictProba(X *mat.Dense) *mat.Dense {
	n := t.rows(X)
	out := mat.NewDense(n, len(t.Classes), nil)
	for i := range n {
		v := t.Nodes[t.leaf(X.RawRowView(i))].Value
		s := 0.0
		for _, c := range v {
			s += c
		}
		for j, c := range v {
			out.Set(i, j, c/s)
		}
	}
	return out
}

// Predict returns the majority class label of the leaf each row reaches;
// ties go to the smaller label, like sklearn's argmax. It panics if X does
// not have NFeatures columns.
func (t *Tree) Predict(X *mat.Dense) []int {
	out := make([]int, t.rows(X))
	for i := range out {
		out[i] = t.Classes[argmax(t.Nodes[t.leaf(X.RawRowView(i))].Value)]
	}
	return out
}

// Apply returns the id of the leaf each row of X reaches, like sklearn's
// apply. It panics if X does not have NFeatures columns.
func (t *Tree) Apply(X *mat.Dense) []int {
	out := make([]int, t.rows(X))
	for i := range out {
		out[i] = t.leaf(X.RawRowView(i))
	}
	return out
}

func (t *Tree) rows(X *mat.Dense) int {
	n, k := X.Dims()
	if k != t.NFeatures {
		panic(fmt.Sprintf("tree: X has %d columns, tree has %d", k, t.NFeatures))
	}
	return n
}

func (t *Tree) leaf(x []float64) int {
	i := 0
	for !t.Nodes[i].Leaf() {
		nd := &t.Nodes[i]
		if x[nd.Feature] <= nd.Threshold {
			i = nd.Left
		} else {
			i = nd.Right
		}
	}
	return i
}

func argmax(v []float64) int {
	best := 0
	for j, c := range v {
		if c > v[best] {
			best = j
		}
	}
	return best
}

// NodeCount returns the number of nodes, leaves included.
func (t *Tree) NodeCount() int { return len(t.Nodes) }

// Leaves returns the number of leaves.
func (t *Tree) Leaves() int {
	n := 0
	for i := range t.Nodes {
		if t.Nodes[i].Leaf() {
			n++
		}
	}
	return n
}

// Depth returns the length of the longest root-to-leaf path (0 for a
// single leaf).
func (t *Tree) Depth() int {
	var walk func(i int) int
	walk = func(i int) int {
		nd := &t.Nodes[i]
		if nd.Leaf() {
			return 0
		}
		return 1 + max(walk(nd.Left), walk(nd.Right))
	}
	return walk(0)
}

// Importances returns each feature's total weighted impurity decrease,
// normalised to sum to 1 (all zero for a single leaf), like sklearn's
// feature_importances_.
func (t *Tree) Importances() []float64 {
	imp := make([]float64, t.NFeatures)
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		if nd.Leaf() {
			continue
		}
		l, r := &t.Nodes[nd.Left], &t.Nodes[nd.Right]
		imp[nd.Feature] += float64(nd.N)*nd.Impurity - float64(l.N)*l.Impurity - float64(r.N)*r.Impurity
	}
	s := 0.0
	for j := range imp {
		imp[j] /= float64(t.Nodes[0].N)
		s += imp[j]
	}
	if s > 0 {
		for j := range imp {
			imp[j] /= s
		}
	}
	return imp
}
