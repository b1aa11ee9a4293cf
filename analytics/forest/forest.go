// Package forest fits random-forest classifiers built for speed on large
// tables: every feature is cut once into at most 255 quantile bins stored
// as uint8 codes, and each split is found from per-bin class histograms
// instead of by sorting. Trees are grown in parallel.
//
// Histograms are built only for the features drawn at each node, not
// derived by sibling subtraction: subtraction needs the parent's histogram
// of every feature a child might draw, which costs k·n per node against
// MaxFeatures·n for building the drawn ones directly (4 of 20 by default).
//
// It follows sklearn's RandomForestClassifier semantics (bootstrap rows
// weighted by how often they were drawn, sqrt(n_features) features tried
// per split, gini, min_samples_leaf counted in distinct rows, probability
// averaging, impurity-based importances) but not its random streams, so
// results agree with sklearn statistically, not bit for bit.
package forest

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/msg"
)

// Options configures Fit. The zero value means: 100 trees, sqrt(k)
// features per split, unlimited depth, MinSamplesLeaf 1, MinSamplesSplit
// 2, 255 bins, Seed 0, all cores.
type Options struct {
	// NTrees is the number of trees; 0 means 100.
	NTrees int
	// MaxFeatures is how many features each split tries; 0 means
	// max(1, floor(sqrt(k))), sklearn's "sqrt". As in sklearn, features
	// found constant in a node do not count towards it.
	MaxFeatures int
	// MaxDepth caps the depth (the root has depth 0); 0 means unlimited.
	MaxDepth int
	// MinSamplesLeaf is the fewest distinct training rows a leaf may hold.
	MinSamplesLeaf int
	// MinSamplesSplit is the fewest distinct rows a node needs to split.
	MinSamplesSplit int
	// MaxBins is the number of bins per feature, 2..256; 0 means 255.
	MaxBins int
	// Seed fixes the forest: tree t draws from a stream seeded by (Seed, t),
	// so results do not depend on Workers or scheduling.
	Seed uint64
	// Workers is how many trees grow at once; 0 means GOMAXPROCS.
	Workers int
}

// node is one node of a tree, 16 bytes so that a capped tree fits in L2
// cache. Nodes are in pre-order (a node, its left subtree, its right
// subtree, as sklearn numbers them), so a split's left child is the next
// node. At a split, rows with x[Feature] <= Threshold go left, others to
// Right. At a leaf Feature is 0, Threshold is NaN and Right is the leaf's
// own id: no comparison with NaN is true, so a walk that keeps stepping
// stays put, which lets scoring step a block of rows a fixed number of
// levels without testing for leaves.
type node struct {
	Threshold float64
	Feature   int32
	Right     int32
}

// Tree is one fitted tree of a forest.
type Tree struct {
	nodes []node
	// proba holds nc class probabilities per node, zeros at splits, so
	// that scoring finds a leaf's values from its node id in one load.
	proba []float64
	nc    int
	// cover[i] is the training weight that reached node i: the number of
	// bootstrap draws of its rows (sklearn's weighted_n_node_samples).
	cover []float64
	// depth is the depth of the deepest leaf (a single leaf has depth 0).
	depth int
	// imp is this tree's unnormalised weighted impurity decrease per
	// feature; only Fit uses it (Unmarshal leaves it nil).
	imp []float64
}

// NodeCount is the number of nodes in the tree.
func (t *Tree) NodeCount() int { return len(t.nodes) }

// Depth is the depth of the deepest leaf; the root has depth 0.
func (t *Tree) Depth() int { return t.depth }

// Node describes one node of a fitted tree.
type Node struct {
	// Feature is the column tested at a split; -1 at a leaf.
	Feature int
	// Threshold sends rows with x[Feature] <= Threshold to Left.
	Threshold float64
	// Left and Right are child node ids, -1 at a leaf. Nodes are numbered
	// in pre-order from the root 0, so Left is always the node's id + 1.
	Left, Right int
	// Cover is the training weight that reached the node: how many
	// bootstrap draws fell on its rows (sklearn's
	// tree_.weighted_n_node_samples). A split's cover is the sum of its
	// children's; TreeSHAP weighs the two branches by it.
	Cover float64
	// Proba is a leaf's class probabilities in Forest.Classes order, nil
	// at a split. It shares the tree's storage: do not modify it.
	Proba []float64
}

// Node returns node i (0 ≤ i < NodeCount(); 0 is the root).
func (t *Tree) Node(i int) Node {
	nd := &t.nodes[i]
	if t.isLeaf(i) {
		nc := t.nc
		return Node{Feature: -1, Left: -1, Right: -1, Cover: t.cover[i], Proba: t.proba[i*nc : (i+1)*nc : (i+1)*nc]}
	}
	return Node{Feature: int(nd.Feature), Threshold: nd.Threshold, Left: i + 1, Right: int(nd.Right), Cover: t.cover[i]}
}

func (t *Tree) isLeaf(i int) bool { return int(t.nodes[i].Right) == i }

// Forest is a fitted random forest.
type Forest struct {
	Trees []*Tree
	// Classes are the distinct labels of y in increasing order; they index
	// the columns of PredictProba.
	Classes   []int
	NFeatures int
	// OOBAccuracy is the accuracy of the out-of-bag vote over training rows
	// left out of at least one tree (sklearn's oob_score_).
	OOBAccuracy float64
	// OOBAUC is the ROC AUC of the out-of-bag probability of Classes[1]
	// for two-class problems; NaN otherwise or if one class has no OOB row.
	OOBAUC float64
	// OOBRows is how many training rows had an out-of-bag prediction.
	OOBRows int
	// Importances is the mean impurity decrease per feature, each tree's
	// normalised to sum 1, averaged, and normalised again (as sklearn).
	Importances []float64
}

// Fit grows a forest on X (n×k, finite) and integer class labels y.
func Fit(X *mat.Dense, y []int, opt Options) (*Forest, error) {
	return FitContext(context.Background(), X, y, opt)
}

// FitContext is Fit that stops early with ctx's error when ctx is done;
// cancellation is checked between trees.
func FitContext(ctx context.Context, X *mat.Dense, y []int, opt Options) (*Forest, error) {
	n, k := X.Dims()
	if n == 0 || k == 0 {
		return nil, msg.Errorf("forest: X is empty")
	}
	if len(y) != n {
		return nil, msg.Errorf("forest: X has %d rows but y has %d values", n, len(y))
	}
	if n > math.MaxInt32 {
		return nil, msg.Errorf("forest: %d rows is more than %d", n, math.MaxInt32)
	}
	opt, err := defaults(opt, k)
	if err != nil {
		return nil, err
	}
	classes := slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	if len(classes) < 2 {
		return nil, msg.Errorf("forest: y has only one class (%d); need at least two", classes[0])
	}
	code := make([]int32, n)
	for i, v := range y {
		c, _ := slices.BinarySearch(classes, v)
		code[i] = int32(c)
	}
	d, err := binData(X, opt.MaxBins, opt.Workers)
	if err != nil {
		return nil, err
	}
	d.y, d.nc = code, len(classes)

	f := &Forest{Trees: make([]*Tree, opt.NTrees), Classes: classes, NFeatures: k}
	acc := newOOBAcc(d)
	next := make(chan int)
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newGrower(d, opt)
			for t := range next {
				tr, hits := g.tree(t)
				f.Trees[t] = tr
				acc.add(t, tr, hits)
			}
		}()
	}
	var cerr error
	for t := range opt.NTrees {
		if cerr = ctx.Err(); cerr != nil {
			break
		}
		next <- t
	}
	close(next)
	wg.Wait()
	if cerr != nil {
		return nil, cerr
	}
	f.importances()
	f.oob(d, acc)
	return f, nil
}

func defaults(opt Options, k int) (Options, error) {
	switch {
	case opt.NTrees < 0:
		return opt, msg.Errorf("forest: NTrees must be ≥ 1, got %d", opt.NTrees)
	case opt.MaxFeatures < 0 || opt.MaxFeatures > k:
		return opt, msg.Errorf("forest: MaxFeatures must be in 1..%d (the number of features), got %d", k, opt.MaxFeatures)
	case opt.MaxDepth < 0:
		return opt, msg.Errorf("forest: MaxDepth must be ≥ 0, got %d", opt.MaxDepth)
	case opt.MinSamplesLeaf < 0:
		return opt, msg.Errorf("forest: MinSamplesLeaf must be ≥ 1, got %d", opt.MinSamplesLeaf)
	case opt.MinSamplesSplit == 1 || opt.MinSamplesSplit < 0:
		return opt, msg.Errorf("forest: MinSamplesSplit must be ≥ 2, got %d", opt.MinSamplesSplit)
	case opt.MaxBins == 1 || opt.MaxBins < 0 || opt.MaxBins > 256:
		return opt, msg.Errorf("forest: MaxBins must be in 2..256, got %d", opt.MaxBins)
	case opt.Workers < 0:
		return opt, msg.Errorf("forest: Workers must be ≥ 0, got %d", opt.Workers)
	}
	if opt.NTrees == 0 {
		opt.NTrees = 100
	}
	if opt.MaxFeatures == 0 {
		opt.MaxFeatures = max(1, int(math.Sqrt(float64(k))))
	}
	if opt.MaxDepth == 0 {
		opt.MaxDepth = math.MaxInt
	}
	opt.MinSamplesLeaf = max(opt.MinSamplesLeaf, 1)
	opt.MinSamplesSplit = max(opt.MinSamplesSplit, 2)
	if opt.MaxBins == 0 {
		opt.MaxBins = 255
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	opt.Workers = min(opt.Workers, opt.NTrees)
	return opt, nil
}

// data is the binned training set shared read-only by all growers.
type data struct {
	n, k, nc int
	// codes[j][i] is row i's bin of feature j; column-major so that
	// building one feature's histogram reads one contiguous array.
	codes [][]uint8
	// edges[j][b] is the upper bound of bin b of feature j; the last bin
	// has no upper bound.
	edges [][]float64
	y     []int32
}

// binData computes each feature's bin edges and codes, features in parallel.
func binData(X *mat.Dense, maxBins, workers int) (*data, error) {
	n, k := X.Dims()
	d := &data{n: n, k: k, codes: make([][]uint8, k), edges: make([][]float64, k)}
	errs := make([]error, k)
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for j := range k {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			col := mat.Col(nil, j, X)
			for i, v := range col {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					errs[j] = msg.Errorf("forest: X[%d][%d] is %v; forests need finite values", i, j, v)
					return
				}
			}
			e := binEdges(col, maxBins)
			c := make([]uint8, n)
			for i, v := range col {
				c[i] = uint8(sort.SearchFloat64s(e, v))
			}
			d.edges[j], d.codes[j] = e, c
		}()
	}
	wg.Wait()
	return d, errors.Join(errs...)
}

// binEdges returns at most maxBins-1 increasing cut points. With few
// distinct values every gap gets its own cut, at the midpoint as in exact
// CART; otherwise cuts sit at midpoints around evenly spaced quantiles.
func binEdges(col []float64, maxBins int) []float64 {
	s := slices.Clone(col)
	slices.Sort(s)
	u := slices.Compact(slices.Clone(s))
	var e []float64
	if len(u) <= maxBins {
		for i := 1; i < len(u); i++ {
			e = append(e, u[i-1]+(u[i]-u[i-1])/2)
		}
		return e
	}
	n := len(s)
	for b := 1; b < maxBins; b++ {
		i := b * n / maxBins
		lo, hi := s[i-1], s[i]
		if lo == hi {
			// Inside a run of equal values: cut after the run instead.
			j := sort.SearchFloat64s(s, math.Nextafter(lo, math.Inf(1)))
			if j >= n {
				continue
			}
			hi = s[j]
		}
		c := lo + (hi-lo)/2
		if len(e) == 0 || c > e[len(e)-1] {
			e = append(e, c)
		}
	}
	return e
}

// grower grows trees one at a time with reusable scratch buffers.
type grower struct {
	d   *data
	opt Options
	rng *rand.Rand
	w   []float64 // bootstrap count of each row for the current tree
	// rows are the distinct in-bag rows with their class and bootstrap
	// weight alongside, partitioned in place by node, so that histogram
	// building reads them sequentially and only the bin code at random.
	rows []item
	hist []float64 // per-bin weighted class counts, nc per bin
	cnt  []int32   // per-bin distinct-row counts
	perm []int
	left []item // partition scratch
	t    *Tree
	bins []uint8 // bin code of each split of t, for route
}

func newGrower(d *data, opt Options) *grower {
	return &grower{
		d: d, opt: opt, w: make([]float64, d.n),
		hist: make([]float64, 256*d.nc), cnt: make([]int32, 256),
		perm: make([]int, d.k), left: make([]item, 0, d.n),
	}
}

// tree grows tree ti and returns it with the leaf of each out-of-bag row.
func (g *grower) tree(ti int) (*Tree, []oobHit) {
	d := g.d
	g.rng = rand.New(rand.NewPCG(g.opt.Seed, uint64(ti)))
	clear(g.w)
	for range d.n {
		g.w[g.rng.IntN(d.n)]++
	}
	t := &Tree{imp: make([]float64, d.k), nc: d.nc}
	g.rows = g.rows[:0]
	var out []int32
	counts := make([]float64, d.nc)
	for i, w := range g.w {
		if w > 0 {
			g.rows = append(g.rows, item{int32(i), d.y[i], w})
			counts[d.y[i]] += w
		} else {
			out = append(out, int32(i))
		}
	}
	g.t, g.bins = t, g.bins[:0]
	g.grow(0, len(g.rows), counts, 0)
	g.t = nil
	return t, g.route(t, 0, out, make([]oobHit, 0, len(out)))
}

type oobHit struct{ row, leaf int32 }

// route sends rows down the finished tree by partitioning them at each
// split, as training did, which reads each bin column sequentially instead
// of walking the tree once per row; it appends each row's leaf to hits.
func (g *grower) route(t *Tree, id int32, rows []int32, hits []oobHit) []oobHit {
	if len(rows) == 0 {
		return hits
	}
	if t.isLeaf(int(id)) {
		for _, r := range rows {
			hits = append(hits, oobHit{r, id})
		}
		return hits
	}
	nd := &t.nodes[id]
	col, bin := g.d.codes[nd.Feature], g.bins[id]
	i, j := 0, len(rows)
	for i < j {
		if col[rows[i]] <= bin {
			i++
		} else {
			j--
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	hits = g.route(t, id+1, rows[:i], hits)
	return g.route(t, nd.Right, rows[i:], hits)
}

// oobAcc sums out-of-bag probabilities. Trees finish in any order, but
// their contributions are added strictly in tree order, so the sums (and
// the OOB scores) do not depend on scheduling or core count.
type oobAcc struct {
	mu      sync.Mutex
	nc      int
	p       []float64
	seen    []bool
	next    int
	pending map[int]pendingTree
}

type pendingTree struct {
	t    *Tree
	hits []oobHit
}

func newOOBAcc(d *data) *oobAcc {
	return &oobAcc{nc: d.nc, p: make([]float64, d.n*d.nc), seen: make([]bool, d.n), pending: map[int]pendingTree{}}
}

func (a *oobAcc) add(ti int, t *Tree, hits []oobHit) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending[ti] = pendingTree{t, hits}
	for {
		pt, ok := a.pending[a.next]
		if !ok {
			return
		}
		delete(a.pending, a.next)
		a.next++
		nc := a.nc
		for _, h := range pt.hits {
			a.seen[h.row] = true
			q := a.p[int(h.row)*nc : int(h.row+1)*nc]
			for c, v := range pt.t.proba[int(h.leaf)*nc : int(h.leaf+1)*nc] {
				q[c] += v
			}
		}
	}
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func gini(c []float64, w float64) float64 {
	s := 0.0
	for _, x := range c {
		s += x * x
	}
	return 1 - s/(w*w)
}

// grow builds the subtree over g.rows[lo:hi] whose weighted class counts
// are counts, and returns its node id (pre-order, like sklearn).
func (g *grower) grow(lo, hi int, counts []float64, depth int) int32 {
	t := g.t
	id := int32(len(t.nodes))
	w := sum(counts)
	t.nodes = append(t.nodes, node{Threshold: math.NaN(), Right: id})
	for range g.d.nc {
		t.proba = append(t.proba, 0)
	}
	t.cover = append(t.cover, w)
	g.bins = append(g.bins, 0)
	t.depth = max(t.depth, depth)
	imp := gini(counts, w)
	n := hi - lo
	leaf := depth >= g.opt.MaxDepth || n < g.opt.MinSamplesSplit ||
		n < 2*g.opt.MinSamplesLeaf || imp <= 0x1p-52
	var s split
	if !leaf {
		s, leaf = g.best(lo, hi, counts, w)
		leaf = !leaf
	}
	if leaf {
		for c, v := range counts {
			t.proba[int(id)*g.d.nc+c] = v / w
		}
		return id
	}
	mid := g.partition(lo, hi, s.feature, s.bin)
	rc := make([]float64, len(counts))
	for c := range counts {
		rc[c] = counts[c] - s.left[c]
	}
	wl, wr := sum(s.left), sum(rc)
	t.imp[s.feature] += w*imp - wl*gini(s.left, wl) - wr*gini(rc, wr)
	t.nodes[id].Feature = int32(s.feature)
	t.nodes[id].Threshold = g.d.edges[s.feature][s.bin]
	g.bins[id] = s.bin
	g.grow(lo, mid, s.left, depth+1) // the left child is id+1
	t.nodes[id].Right = g.grow(mid, hi, rc, depth+1)
	return id
}

type item struct {
	row, cls int32
	w        float64
}

type split struct {
	feature int
	bin     uint8
	left    []float64
}

// best finds the best split of rows[lo:hi] over randomly drawn features,
// drawing until MaxFeatures non-constant features were tried (sklearn's
// rule). ok is false when no allowed split exists.
func (g *grower) best(lo, hi int, counts []float64, w float64) (s split, ok bool) {
	d, nc := g.d, g.d.nc
	rows := g.rows[lo:hi]
	minLeaf := int32(g.opt.MinSamplesLeaf)
	n := int32(hi - lo)
	for j := range g.perm {
		g.perm[j] = j
	}
	bestScore := math.Inf(-1)
	tried := 0
	left := make([]float64, nc)
	for i := 0; i < d.k && tried < g.opt.MaxFeatures; i++ {
		r := i + g.rng.IntN(d.k-i)
		g.perm[i], g.perm[r] = g.perm[r], g.perm[i]
		f := g.perm[i]
		col := d.codes[f]
		hist, cnt := g.hist, g.cnt
		bmin, bmax := 255, 0
		if nc == 2 {
			// The hot loop of training: fixed-size views and a uint8
			// index let the compiler drop the bounds checks.
			h, ct := (*[512]float64)(hist), (*[256]int32)(cnt)
			if len(rows) < 1024 {
				for _, it := range rows {
					b := col[it.row]
					bmin, bmax = min(bmin, int(b)), max(bmax, int(b))
					h[int(b)<<1|int(it.cls&1)] += it.w
					ct[b]++
				}
			} else {
				// Big node: finding the occupied bin range afterwards costs
				// 256 steps, less than a min/max chain through every row.
				for _, it := range rows {
					b := col[it.row]
					h[int(b)<<1|int(it.cls&1)] += it.w
					ct[b]++
				}
				for bmin = 0; ct[bmin] == 0; bmin++ {
				}
				for bmax = 255; ct[bmax] == 0; bmax-- {
				}
			}
		} else {
			for _, it := range rows {
				b := int(col[it.row])
				bmin, bmax = min(bmin, b), max(bmax, b)
				hist[b*nc+int(it.cls)] += it.w
				cnt[b]++
			}
		}
		if bmin == bmax {
			clear(hist[bmin*nc : bmin*nc+nc])
			cnt[bmin] = 0
			continue
		}
		tried++
		// Scan cut points after each non-empty bin; the gini proxy
		// sum_c l_c²/wl + sum_c r_c²/wr is maximised where the weighted
		// impurity of the children is smallest.
		clear(left)
		var nl int32
		for b := bmin; b < bmax; b++ {
			if cnt[b] == 0 {
				continue
			}
			nl += cnt[b]
			wl, ssl, ssr := 0.0, 0.0, 0.0
			for c := range nc {
				left[c] += hist[b*nc+c]
				wl += left[c]
				ssl += left[c] * left[c]
				rc := counts[c] - left[c]
				ssr += rc * rc
			}
			if nl < minLeaf || n-nl < minLeaf {
				continue
			}
			score := ssl/wl + ssr/(w-wl)
			if score > bestScore {
				bestScore = score
				s.feature, s.bin = f, uint8(b)
				s.left = append(s.left[:0], left...)
				ok = true
			}
		}
		clear(hist[bmin*nc : (bmax+1)*nc])
		clear(cnt[bmin : bmax+1])
	}
	return s, ok
}

// partition reorders rows[lo:hi] so rows going left come first (keeping
// relative order) and returns the boundary.
func (g *grower) partition(lo, hi, f int, bin uint8) int {
	col := g.d.codes[f]
	rows := g.rows[lo:hi]
	g.left = g.left[:0]
	k := 0
	for _, r := range rows {
		if col[r.row] <= bin {
			g.left = append(g.left, r)
		} else {
			rows[k] = r
			k++
		}
	}
	// rows now holds the right rows first; shift them after the left ones.
	nl := len(g.left)
	copy(rows[nl:], rows[:k])
	copy(rows, g.left)
	return lo + nl
}

// leafOf returns the leaf node that x reaches from node i.
func (t *Tree) leafOf(i int32, x []float64) int32 {
	nodes := t.nodes
	for {
		nd := &nodes[i]
		if nd.Right == i {
			return i
		}
		if x[nd.Feature] <= nd.Threshold {
			i++
		} else {
			i = nd.Right
		}
	}
}

// Predict returns the most probable class of each row (the first of equal
// ones, as sklearn's argmax).
func (f *Forest) Predict(X *mat.Dense) ([]int, error) {
	p, err := f.PredictProba(X)
	if err != nil {
		return nil, err
	}
	n, _ := p.Dims()
	out := make([]int, n)
	for i := range out {
		out[i] = f.Classes[argmax(p.RawRowView(i))]
	}
	return out, nil
}

func argmax(v []float64) int {
	b := 0
	for i, x := range v {
		if x > v[b] {
			b = i
		}
	}
	return b
}

func (f *Forest) importances() {
	f.Importances = make([]float64, f.NFeatures)
	for _, t := range f.Trees {
		s := sum(t.imp)
		if s <= 0 {
			continue // a single-leaf tree contributes zeros, as in sklearn
		}
		for j, v := range t.imp {
			f.Importances[j] += v / s
		}
	}
	if s := sum(f.Importances); s > 0 {
		for j := range f.Importances {
			f.Importances[j] /= s
		}
	}
}

// oob scores each training row by the trees that did not draw it.
func (f *Forest) oob(d *data, a *oobAcc) {
	nc, p, has := a.nc, a.p, a.seen
	var yt []int
	var sc []float64
	right := 0
	for i := range d.n {
		if !has[i] {
			continue
		}
		q := p[i*nc : (i+1)*nc]
		if argmax(q) == int(d.y[i]) {
			right++
		}
		yt = append(yt, int(d.y[i]))
		s := sum(q)
		sc = append(sc, q[min(1, nc-1)]/s)
	}
	f.OOBRows = len(yt)
	f.OOBAccuracy, f.OOBAUC = math.NaN(), math.NaN()
	if len(yt) > 0 {
		f.OOBAccuracy = float64(right) / float64(len(yt))
	}
	if nc == 2 {
		if a, err := eval.ROCAUC(yt, sc); err == nil {
			f.OOBAUC = a
		}
	}
}
