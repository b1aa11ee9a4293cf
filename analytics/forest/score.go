package forest

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Scoring. Every threshold of a fitted forest is a bin edge, at most 255
// distinct per feature, so PredictProba first turns each row into one
// uint8 code per feature, its position among the thresholds the forest
// uses for that feature, and then walks the trees comparing bytes: code
// ≤ c exactly when x ≤ the threshold of index c, NaN included, so the
// leaves, and the probabilities, are those of the float walk bit for bit.
// A block of 512 rows is 10 KB of codes at 20 features instead of 80 KB of
// floats, and a node 8 bytes instead of 16. Forests whose thresholds do
// not fit (only possible for hand-made saved files) keep the float walk.
//
// Rows go in super-blocks of up to 16,384 to the cores; within one, the
// trees go in groups of groupTrees, each group over every block of the
// super-block, so that the group's nodes and leaf values (~180 KB for
// four capped trees) stay in L2 cache instead of all trees passing through
// it once per block. Each row still adds its trees in order.

// scoreBlock is how many rows walk a tree in lockstep.
const scoreBlock = 512

// groupTrees is how many trees go over a super-block before the next ones.
const groupTrees = 4

// superBytes bounds a super-block's codes (rows × features bytes).
const superBytes = 320 << 10

// syncLevels is how many levels a block of rows walks in lockstep. Each
// step is a select, not a branch, and the rows are independent, so the CPU
// overlaps their node and code loads; a row that reached a leaf keeps
// stepping in place. Past it, rows of deep trees finish one by one. Capped
// trees (MaxDepth 12) never get there; in the full-depth benchmark forest
// (leaves at depth 22 on average, 47 at most) 32 levels finish ~94% of
// rows in lockstep. Scoring it on 1M rows took 9.0-13.1 s of CPU with 32
// levels, 11.0-14.3 s with 16, 12.2 s all the way down and 19.4 s one row
// at a time (machine shared, load 3-5, so only roughly).
const syncLevels = 32

// binned is a forest compiled for the walk on codes.
type binned struct {
	k int
	// used are the features some split tests, in increasing order; codes
	// of the others are never read.
	used []int
	// tabs[j] holds the keys (see key) of feature j's distinct thresholds
	// in increasing order, padded with the largest key (nil if unused).
	tabs []*[256]uint64
	// trees[t][i] is node i of tree t packed as right | feat<<32 | lim<<48:
	// rows whose code of feature feat is below lim go left (to node i+1),
	// others to right; lim is 1 + the index of the split's threshold in
	// tabs[feat]. At a leaf the word is just its own id: lim 0 sends every
	// row right, to itself, so a walk that keeps stepping stays put.
	trees [][]uint64
}

// compile builds the code walk of f; ok is false when it does not apply.
// It also checks the invariants the unchecked walk (stepCodes) relies on.
func (f *Forest) compile() (b *binned, ok bool) {
	k := f.NFeatures
	if k < 1 || k > math.MaxUint16+1 {
		return nil, false
	}
	thr := make([][]float64, k)
	for _, t := range f.Trees {
		n := len(t.nodes)
		if n == 0 || n > math.MaxInt32 {
			return nil, false
		}
		for i, nd := range t.nodes {
			if t.isLeaf(i) {
				continue
			}
			if nd.Feature < 0 || int(nd.Feature) >= k || i+1 >= n || int(nd.Right) <= i+1 || int(nd.Right) >= n {
				return nil, false
			}
			thr[nd.Feature] = append(thr[nd.Feature], nd.Threshold)
		}
	}
	b = &binned{k: k, tabs: make([]*[256]uint64, k), trees: make([][]uint64, len(f.Trees))}
	for j, v := range thr {
		if len(v) == 0 {
			continue
		}
		slices.Sort(v)
		v = slices.Compact(v)
		if len(v) > 255 || math.IsNaN(v[0]) || math.IsNaN(v[len(v)-1]) {
			return nil, false
		}
		tab := new([256]uint64)
		for i := range tab {
			tab[i] = math.MaxUint64
		}
		for i, t := range v {
			tab[i] = key(t)
		}
		b.tabs[j] = tab
		b.used = append(b.used, j)
		thr[j] = v
	}
	for ti, t := range f.Trees {
		bn := make([]uint64, len(t.nodes))
		for i, nd := range t.nodes {
			if t.isLeaf(i) {
				bn[i] = uint64(i)
				continue
			}
			c, _ := slices.BinarySearch(thr[nd.Feature], nd.Threshold)
			bn[i] = uint64(nd.Right) | uint64(nd.Feature)<<32 | uint64(c+1)<<48
		}
		b.trees[ti] = bn
	}
	return b, true
}

// key maps x to an integer of the same order: for numbers x and t,
// key(t) < key(x) exactly when t < x (−0 and +0 get the same key). NaN,
// which no comparison holds for, gets the largest key.
func key(x float64) uint64 {
	u := math.Float64bits(x + 0) // x + 0 turns −0 into +0
	if x != x {
		return math.MaxUint64
	}
	return u ^ (uint64(int64(u)>>63) | 1<<63)
}

// code is the number of entries of tab below kx = key(x), so for the index
// c of a threshold t, code ≤ c exactly when x ≤ t; NaN gets past every
// threshold. The search is branch-free, as a branch here would be
// mispredicted half the time: bits.Sub64's borrow is 1 when tab[…] < kx.
func code(tab *[256]uint64, kx uint64) uint8 {
	_, lt := bits.Sub64(tab[127], kx, 0)
	i := 128 & -lt
	_, lt = bits.Sub64(tab[(i+63)&255], kx, 0)
	i += 64 & -lt
	_, lt = bits.Sub64(tab[(i+31)&255], kx, 0)
	i += 32 & -lt
	_, lt = bits.Sub64(tab[(i+15)&255], kx, 0)
	i += 16 & -lt
	_, lt = bits.Sub64(tab[(i+7)&255], kx, 0)
	i += 8 & -lt
	_, lt = bits.Sub64(tab[(i+3)&255], kx, 0)
	i += 4 & -lt
	_, lt = bits.Sub64(tab[(i+1)&255], kx, 0)
	i += 2 & -lt
	_, lt = bits.Sub64(tab[i&255], kx, 0)
	return uint8(i + lt)
}

// codes fills cs, a block's codes feature by feature (code of feature j of
// row r at j*scoreBlock+r), from the m ≤ scoreBlock rows of xs, stride
// apart.
func (b *binned) codes(cs []uint8, xs []float64, stride, m int) {
	cs = cs[:b.k*scoreBlock]
	for r := range m {
		x := xs[r*stride : r*stride+b.k]
		for _, j := range b.used {
			cs[j*scoreBlock+r] = code(b.tabs[j], key(x[j]))
		}
	}
}

// walk sets idx[r] to the leaf reached in tree ti by row r of the block
// whose codes are cs.
func (b *binned) walk(ti, depth int, cs []uint8, idx []int32) {
	if len(idx) > scoreBlock || len(cs) < b.k*scoreBlock {
		panic("forest: walk: block larger than its buffers")
	}
	nodes := b.trees[ti]
	clear(idx)
	steps := min(depth, syncLevels)
	for range steps {
		stepCodes(nodes, cs, idx)
	}
	if depth > steps {
		for r, i := range idx {
			idx[r] = leafOfCodes(nodes, i, cs, r)
		}
	}
}

// stepCodes moves every row r of the block from node idx[r] to the child
// it goes to. It is the hot loop of scoring and reads without bounds
// checks, which are a quarter of its instructions: compile checked that
// every split's children and feature are in range and leaves point to
// themselves, so idx[r] stays a node id, and walk that r < scoreBlock and
// cs holds k·scoreBlock codes.
func stepCodes(nodes []uint64, cs []uint8, idx []int32) {
	np := unsafe.Pointer(unsafe.SliceData(nodes))
	cp := unsafe.Pointer(unsafe.SliceData(cs))
	for r, i := range idx {
		u := *(*uint64)(unsafe.Add(np, uintptr(i)*8))
		c := *(*uint8)(unsafe.Add(cp, uintptr(u>>32&0xffff)*scoreBlock+uintptr(r)))
		j := i + 1
		if uint64(c) >= u>>48 {
			j = int32(u)
		}
		idx[r] = j
	}
}

// leafOfCodes returns the leaf that row r of the block reaches from node i.
func leafOfCodes(nodes []uint64, i int32, cs []uint8, r int) int32 {
	for {
		u := nodes[i]
		if u>>48 == 0 {
			return i
		}
		if uint64(cs[int(u>>32&0xffff)*scoreBlock+r]) < u>>48 {
			i++
		} else {
			i = int32(u)
		}
	}
}

// walk sets idx[r] to the leaf node reached by row r of xs (rows of k
// values, contiguous): the float walk, for forests compile rejects.
func (t *Tree) walk(xs []float64, k int, idx []int32) {
	clear(idx)
	steps := min(t.depth, syncLevels)
	for range steps {
		step(t.nodes, xs, k, idx)
	}
	if t.depth > steps {
		for r, i := range idx {
			idx[r] = t.leafOf(i, xs[r*k:r*k+k])
		}
	}
}

// step moves every row r of xs from node idx[r] to the child it goes to.
func step(nodes []node, xs []float64, k int, idx []int32) {
	off := 0
	for r, i := range idx {
		// Copy the node so that Right is loaded either way and the
		// choice compiles to a conditional move, not a branch.
		nd := nodes[i]
		j := i + 1
		if !(xs[off+int(nd.Feature)] <= nd.Threshold) {
			j = nd.Right
		}
		idx[r] = j
		off += k
	}
}

// PredictProba returns an n×len(Classes) matrix of class probabilities,
// the mean over trees. Each row sums its trees in order and divides once,
// so results do not depend on the core count or blocking.
func (f *Forest) PredictProba(X *mat.Dense) (*mat.Dense, error) {
	n, k := X.Dims()
	if k != f.NFeatures {
		return nil, fmt.Errorf("forest: X has %d columns but the forest was fitted on %d", k, f.NFeatures)
	}
	nc := len(f.Classes)
	out := mat.NewDense(n, nc, nil)
	if n == 0 {
		return out, nil
	}
	raw := X.RawMatrix()
	workers := runtime.GOMAXPROCS(0)
	// Super-blocks: at most superBytes of codes, at least one block, and
	// about four per core so that the cores finish together.
	sb := min(max(superBytes/k, scoreBlock), (n+4*workers-1)/(4*workers))
	sb = max((sb+scoreBlock-1)/scoreBlock, 1) * scoreBlock
	bf, useCodes := f.compile()
	ns := (n + sb - 1) / sb
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, ns) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := scorer{f: f, bf: bf, k: k, nc: nc, raw: raw, p: out.RawMatrix().Data, idx: make([]int32, scoreBlock)}
			if useCodes {
				s.cs = make([]uint8, sb*k)
			}
			for {
				b := int(next.Add(1) - 1)
				if b >= ns {
					return
				}
				s.super(b*sb, min((b+1)*sb, n))
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// scorer is one core's state in PredictProba.
type scorer struct {
	f     *Forest
	bf    *binned // nil for the float walk
	k, nc int
	raw   blas64.General
	p     []float64 // the output, n×nc
	idx   []int32
	cs    []uint8   // codes of a super-block, scoreBlock rows after another
	buf   []float64 // a block of a strided X, for the float walk
}

// super scores rows lo..hi-1.
func (s *scorer) super(lo, hi int) {
	f, k, nc, raw := s.f, s.k, s.nc, s.raw
	if s.bf != nil {
		for b := lo; b < hi; b += scoreBlock {
			m := min(scoreBlock, hi-b)
			o := (b - lo) / scoreBlock * k * scoreBlock
			s.bf.codes(s.cs[o:o+k*scoreBlock], raw.Data[b*raw.Stride:], raw.Stride, m)
		}
	}
	for g := 0; g < len(f.Trees); g += groupTrees {
		trees := f.Trees[g:min(g+groupTrees, len(f.Trees))]
		for b := lo; b < hi; b += scoreBlock {
			m := min(scoreBlock, hi-b)
			ix := s.idx[:m]
			var cs []uint8
			var xs []float64
			switch {
			case s.bf != nil:
				o := (b - lo) / scoreBlock * k * scoreBlock
				cs = s.cs[o : o+k*scoreBlock]
			case raw.Stride == k:
				xs = raw.Data[b*k : (b+m)*k]
			default:
				// A strided view: copy the block so its rows are contiguous.
				s.buf = slices.Grow(s.buf[:0], m*k)[:m*k]
				for r := range m {
					copy(s.buf[r*k:(r+1)*k], raw.Data[(b+r)*raw.Stride:])
				}
				xs = s.buf
			}
			q := s.p[b*nc : (b+m)*nc]
			for ti, t := range trees {
				if s.bf != nil {
					s.bf.walk(g+ti, t.depth, cs, ix)
				} else {
					t.walk(xs, k, ix)
				}
				if nc == 2 {
					q := q[:2*m]
					for r, i := range ix {
						l := 2 * int(i)
						pr := t.proba[l : l+2]
						q[2*r] += pr[0]
						q[2*r+1] += pr[1]
					}
					continue
				}
				for r, i := range ix {
					l := nc * int(i)
					for c, v := range t.proba[l : l+nc] {
						q[r*nc+c] += v
					}
				}
			}
		}
	}
	ntrees := float64(len(f.Trees))
	q := s.p[lo*nc : hi*nc]
	for i := range q {
		q[i] /= ntrees
	}
}
