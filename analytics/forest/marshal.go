package forest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The saved form of a forest, version 1. All integers are unsigned
// varints (encoding/binary's Uvarint) except the classes, which are
// signed varints; floats are 8 little-endian bytes (IEEE 754 bits, so
// they round-trip exactly).
//
//	"MBRF" version
//	nfeatures nclasses class…
//	OOBAccuracy OOBAUC OOBRows
//	Importances (nfeatures floats)
//	per feature: nthresholds threshold… (increasing)
//	ntrees, then per tree: nnodes node…
//
// Nodes are in pre-order, so the tree's shape follows from which nodes are
// leaves: a split is feature+1 and the index of its threshold in its
// feature's table; a leaf is 0 and its bootstrap weight per class
// (integers: how many draws of its rows had each class). A leaf's class
// probabilities are weight/Σweight, computed as Fit computes them, and
// each node's cover is the sum of its leaves' weights, so a loaded forest
// predicts bit for bit what the saved one did. Thresholds are bin edges,
// at most 255 distinct per feature for forests Fit grows, so a split takes
// about 3 bytes and a leaf about 1 + nclasses.
const (
	magic         = "MBRF"
	formatVersion = 1
	// maxWeight bounds a leaf's class weight so that sums of weights stay
	// exact in float64.
	maxWeight = 1 << 40
)

// Marshal encodes the forest in a compact, versioned binary form that
// Unmarshal reads back. It fails only for forests not grown by Fit (for
// example leaf probabilities that are not ratios of bootstrap counts).
func (f *Forest) Marshal() ([]byte, error) {
	nc, k := len(f.Classes), f.NFeatures
	if nc < 2 || k < 1 || len(f.Trees) == 0 {
		return nil, errors.New("forest: Marshal: not a fitted forest")
	}
	// Each feature's distinct thresholds, sorted, and a lookup of their index.
	tables := make([][]float64, k)
	for _, t := range f.Trees {
		for i, nd := range t.nodes {
			if !t.isLeaf(i) {
				tables[nd.Feature] = append(tables[nd.Feature], nd.Threshold)
			}
		}
	}
	index := make([]map[float64]uint64, k)
	for j := range tables {
		slices.Sort(tables[j])
		tables[j] = slices.Compact(tables[j])
		index[j] = make(map[float64]uint64, len(tables[j]))
		for i, v := range tables[j] {
			index[j][v] = uint64(i)
		}
	}
	b := make([]byte, 0, 1024)
	b = append(b, magic...)
	b = binary.AppendUvarint(b, formatVersion)
	b = binary.AppendUvarint(b, uint64(k))
	b = binary.AppendUvarint(b, uint64(nc))
	for _, c := range f.Classes {
		b = binary.AppendVarint(b, int64(c))
	}
	b = appendFloat(b, f.OOBAccuracy)
	b = appendFloat(b, f.OOBAUC)
	b = binary.AppendUvarint(b, uint64(f.OOBRows))
	imp := f.Importances
	if imp == nil {
		imp = make([]float64, k)
	}
	if len(imp) != k {
		return nil, fmt.Errorf("forest: Marshal: %d importances for %d features", len(imp), k)
	}
	for _, v := range imp {
		b = appendFloat(b, v)
	}
	for _, tab := range tables {
		b = binary.AppendUvarint(b, uint64(len(tab)))
		for _, v := range tab {
			b = appendFloat(b, v)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(f.Trees)))
	for ti, t := range f.Trees {
		if t.nc != nc {
			return nil, fmt.Errorf("forest: Marshal: tree %d has %d classes, the forest %d", ti, t.nc, nc)
		}
		b = binary.AppendUvarint(b, uint64(len(t.nodes)))
		for i, nd := range t.nodes {
			if !t.isLeaf(i) {
				b = binary.AppendUvarint(b, uint64(nd.Feature)+1)
				b = binary.AppendUvarint(b, index[nd.Feature][nd.Threshold])
				continue
			}
			b = append(b, 0)
			w := t.cover[i]
			p := t.proba[i*nc : (i+1)*nc]
			var tot float64
			for _, v := range p {
				c := math.Round(v * w)
				if c < 0 || c > maxWeight || c/w != v {
					return nil, fmt.Errorf("forest: Marshal: tree %d leaf %d: probabilities are not bootstrap counts over cover %v", ti, i, w)
				}
				tot += c
				b = binary.AppendUvarint(b, uint64(c))
			}
			if tot != w {
				return nil, fmt.Errorf("forest: Marshal: tree %d leaf %d: class weights sum to %v, cover is %v", ti, i, tot, w)
			}
		}
	}
	return b, nil
}

func appendFloat(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// decoder reads the saved form; the first error sticks and later reads
// return zeros.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("forest: Unmarshal: "+format, args...)
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad or truncated %s", what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad or truncated %s", what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) float(what string) float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated %s", what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// count reads a length and checks that at least min bytes per item remain,
// so corrupt input cannot make Unmarshal allocate more than it was given.
func (d *decoder) count(what string, min int) int {
	v := d.uvarint(what)
	if d.err == nil && v > uint64(len(d.b)/min) {
		d.fail("%s %d is more than the %d bytes left can hold", what, v, len(d.b))
		return 0
	}
	return int(v)
}

// Unmarshal decodes a forest saved by Marshal. It checks the input fully
// (format version, tree shapes, feature and threshold indices, class
// weights) and returns an error, never panics, on anything malformed; the
// forest it returns predicts exactly as the one saved.
func Unmarshal(b []byte) (*Forest, error) {
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		return nil, errors.New("forest: Unmarshal: not a saved forest (bad magic)")
	}
	d := &decoder{b: b[len(magic):]}
	if v := d.uvarint("version"); d.err == nil && v != formatVersion {
		return nil, fmt.Errorf("forest: Unmarshal: format version %d is not supported (this build reads version %d)", v, formatVersion)
	}
	k := d.count("feature count", 8) // each feature has an 8-byte importance
	nc := d.count("class count", 1)
	if d.err == nil && (k < 1 || k > math.MaxInt32 || nc < 2) {
		d.fail("%d features and %d classes; need at least 1 and 2", k, nc)
	}
	if d.err != nil {
		return nil, d.err
	}
	f := &Forest{NFeatures: k, Classes: make([]int, nc)}
	for c := range f.Classes {
		v := d.varint("class")
		if v < math.MinInt || v > math.MaxInt {
			d.fail("class %d out of range", v)
		}
		f.Classes[c] = int(v)
		if c > 0 && f.Classes[c] <= f.Classes[c-1] && d.err == nil {
			d.fail("classes are not strictly increasing")
		}
	}
	f.OOBAccuracy = d.float("OOBAccuracy")
	f.OOBAUC = d.float("OOBAUC")
	if r := d.uvarint("OOBRows"); r > math.MaxInt32 {
		d.fail("OOBRows %d out of range", r)
	} else {
		f.OOBRows = int(r)
	}
	f.Importances = make([]float64, k)
	for j := range f.Importances {
		f.Importances[j] = d.float("importance")
	}
	tables := make([][]float64, k)
	for j := range tables {
		n := d.count("threshold count", 8)
		if d.err != nil {
			return nil, d.err
		}
		tables[j] = make([]float64, n)
		for i := range tables[j] {
			v := d.float("threshold")
			if math.IsNaN(v) || (i > 0 && v <= tables[j][i-1]) {
				d.fail("feature %d: thresholds are not increasing numbers", j)
			}
			tables[j][i] = v
		}
	}
	nt := d.count("tree count", 2+nc) // a tree is at least a count and a leaf
	if d.err == nil && nt < 1 {
		d.fail("no trees")
	}
	if d.err != nil {
		return nil, d.err
	}
	f.Trees = make([]*Tree, nt)
	for ti := range f.Trees {
		t, err := d.tree(k, nc, tables)
		if err != nil {
			return nil, fmt.Errorf("%w (tree %d)", err, ti)
		}
		f.Trees[ti] = t
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail("%d bytes after the last tree", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return f, nil
}

// tree decodes one tree: nodes in pre-order, rebuilding each split's right
// child with a stack of the splits whose right subtree is still to come.
func (d *decoder) tree(k, nc int, tables [][]float64) (*Tree, error) {
	n := d.count("node count", 2)
	if d.err == nil && (n < 1 || n > math.MaxInt32) {
		d.fail("node count %d", n)
	}
	if d.err != nil {
		return nil, d.err
	}
	t := &Tree{nodes: make([]node, n), proba: make([]float64, n*nc), cover: make([]float64, n), nc: nc}
	type open struct{ id, depth int }
	var stack []open
	depth := 0 // of the node being read
	for i := range n {
		if i > 0 {
			if t.isSplitRead(i - 1) {
				depth++ // the left child follows its parent
			} else {
				if len(stack) == 0 {
					d.fail("the tree ends after %d of %d nodes", i, n)
					return nil, d.err
				}
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				t.nodes[p.id].Right = int32(i)
				depth = p.depth + 1
			}
		}
		t.depth = max(t.depth, depth)
		tag := d.uvarint("node")
		if d.err != nil {
			return nil, d.err
		}
		if tag == 0 {
			t.nodes[i] = node{Threshold: math.NaN(), Right: int32(i)}
			w := 0.0
			for c := range nc {
				v := d.uvarint("class weight")
				if v > maxWeight {
					d.fail("class weight %d is too large", v)
				}
				t.proba[i*nc+c] = float64(v) // weights for now, probabilities below
				w += float64(v)
			}
			if d.err == nil && w <= 0 {
				d.fail("leaf %d has no weight", i)
			}
			if d.err != nil {
				return nil, d.err
			}
			t.cover[i] = w
			for c := range nc {
				t.proba[i*nc+c] /= w
			}
			continue
		}
		if tag > uint64(k) {
			d.fail("node %d tests feature %d of %d", i, tag-1, k)
			return nil, d.err
		}
		j := int(tag - 1)
		ti := d.uvarint("threshold index")
		if d.err == nil && ti >= uint64(len(tables[j])) {
			d.fail("node %d: threshold %d of feature %d, which has %d", i, ti, j, len(tables[j]))
		}
		if d.err != nil {
			return nil, d.err
		}
		// Right is set when the left subtree ends; -1 marks "not yet".
		t.nodes[i] = node{Threshold: tables[j][ti], Feature: int32(j), Right: -1}
		stack = append(stack, open{i, depth})
	}
	if len(stack) > 0 || !t.isLeaf(n-1) {
		d.fail("the tree is cut short: %d splits have no right subtree", max(len(stack), 1))
		return nil, d.err
	}
	// Children have larger ids than their parent: sum covers bottom-up.
	for i := n - 1; i >= 0; i-- {
		if !t.isLeaf(i) {
			t.cover[i] = t.cover[i+1] + t.cover[t.nodes[i].Right]
		}
	}
	if t.cover[0] > 1<<53 {
		d.fail("total weight %v is too large", t.cover[0])
		return nil, d.err
	}
	return t, nil
}

// isSplitRead reports whether node i, already decoded, is a split.
func (t *Tree) isSplitRead(i int) bool { return int(t.nodes[i].Right) != i }
