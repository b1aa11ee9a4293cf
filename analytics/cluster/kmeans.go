// Package cluster groups rows of a feature matrix: k-means (Lloyd and
// Elkan), silhouette scores, an elbow curve and per-cluster profiles. It
// follows scikit-learn's KMeans step for step, so that the same start gives
// the same centres, labels and iteration count.
package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Algorithm names a k-means iteration scheme.
const (
	Lloyd = "lloyd"
	Elkan = "elkan"
)

// DefaultTol is scikit-learn's default Tol.
const DefaultTol = 1e-4

// Options configures KMeans. Zero values mean sklearn's defaults except
// where noted.
type Options struct {
	// K is the number of clusters. It may be 0 when Init is set.
	K int
	// Init holds explicit initial centres (K×d). Nil means greedy
	// k-means++ seeding from Seed.
	Init *mat.Dense
	// NInit is the number of k-means++ restarts; the run with the lowest
	// inertia wins. 0 means 10 (sklearn 1.2's default). Explicit Init always
	// runs once, since every restart would be identical.
	NInit int
	// MaxIter caps the iterations of one run; 0 means 300.
	MaxIter int
	// Tol stops a run once the squared Frobenius norm of the centre shift
	// is at most Tol times the mean feature variance, as in sklearn. Unlike
	// other options, 0 is used as is: iterate until no label changes.
	// Use DefaultTol for sklearn's default.
	Tol float64
	// Seed drives k-means++ seeding.
	Seed uint64
	// Algorithm is Lloyd (the default, "") or Elkan.
	Algorithm string
	// Progress, when set, is called after every iteration with the start
	// (0..NInit-1) and the iteration within it (1-based), on the goroutine
	// that called KMeans. It lets a caller show progress, and lets tests
	// cancel while iterations run. It must return quickly.
	Progress func(start, iter int)
}

// Result is a fitted clustering.
type Result struct {
	Centres *mat.Dense // K×d, in the units of X
	Labels  []int      // cluster of each row, 0..K-1
	// Inertia is the sum of squared distances of rows to their centre.
	Inertia float64
	// Iterations counts the iterations of the winning run, as sklearn's
	// n_iter_: the iteration in which labels stopped changing is counted.
	Iterations int
	Sizes      []int // rows per cluster
}

// chunk is the number of rows one goroutine handles at a time. Partial sums
// are kept per chunk and added in chunk order, so results do not depend on
// the number of cores.
const chunk = 2048

// KMeans clusters the rows of X. X is not modified.
//
// Empty clusters are handled as in sklearn: after an assignment, each empty
// cluster (in index order) takes the row farthest from its own centre, the
// farthest first; ties go to the lower row index (sklearn's argpartition
// leaves that order unspecified). The row's contribution moves from its old
// cluster's mean to the empty one; its label changes at the next assignment.
func KMeans(X *mat.Dense, opt Options) (*Result, error) {
	return KMeansContext(context.Background(), X, opt)
}

// KMeansContext is KMeans that stops with ctx's error when ctx is done,
// checking between iterations.
func KMeansContext(ctx context.Context, X *mat.Dense, opt Options) (*Result, error) {
	n, d := X.Dims()
	if n == 0 || d == 0 {
		return nil, msg.Errorf("cluster: X is empty")
	}
	k := opt.K
	if opt.Init != nil {
		r, c := opt.Init.Dims()
		if k != 0 && k != r {
			return nil, msg.Errorf("cluster: K is %d but Init has %d centres", k, r)
		}
		if c != d {
			return nil, msg.Errorf("cluster: Init has %d columns but X has %d", c, d)
		}
		k = r
		for i := range r {
			for j := range c {
				if v := opt.Init.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, msg.Errorf("cluster: Init[%d,%d] is %v", i, j, v)
				}
			}
		}
	}
	switch {
	case k < 1:
		return nil, msg.Errorf("cluster: K must be ≥ 1, got %d", k)
	case k > n:
		return nil, msg.Errorf("cluster: K is %d but X has only %d rows", k, n)
	case opt.Algorithm != "" && opt.Algorithm != Lloyd && opt.Algorithm != Elkan:
		return nil, msg.Errorf("cluster: unknown algorithm %q (want %q or %q)", opt.Algorithm, Lloyd, Elkan)
	case opt.Tol < 0 || math.IsNaN(opt.Tol):
		return nil, msg.Errorf("cluster: Tol must be ≥ 0, got %v", opt.Tol)
	case opt.NInit < 0 || opt.MaxIter < 0:
		return nil, msg.Errorf("cluster: NInit and MaxIter must be ≥ 0")
	}
	maxIter := opt.MaxIter
	if maxIter == 0 {
		maxIter = 300
	}
	nInit := opt.NInit
	if nInit == 0 {
		nInit = 10
	}
	if opt.Init != nil {
		nInit = 1
	}

	// Centre the data as sklearn does: the dot-product distances lose
	// fewer digits, and the arithmetic stays the same as the reference's.
	// Both passes go over chunks of rows on all cores; the per-chunk sums
	// are added in chunk order, so the result does not depend on the cores.
	s := newState(make([]float64, n*d), n, d, k)
	s.ctx = ctx
	s.progress = opt.Progress
	nc := len(s.changed)
	colSums := make([]float64, nc*d)
	bad := make([]int, nc) // first non-finite value of each chunk, or -1
	s.parallel(func(ch, lo, hi int) {
		acc := colSums[ch*d : (ch+1)*d]
		bad[ch] = -1
		for i := lo; i < hi; i++ {
			row := X.RawRowView(i)
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad[ch] = i*d + j
					return
				}
				acc[j] += v
			}
		}
	})
	mean := make([]float64, d)
	for ch := range nc {
		if b := bad[ch]; b >= 0 {
			return nil, msg.Errorf("cluster: X[%d,%d] is %v", b/d, b%d, X.At(b/d, b%d))
		}
		for j, v := range colSums[ch*d : (ch+1)*d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	x := s.x
	s.parallel(func(ch, lo, hi int) {
		var t float64
		for i := lo; i < hi; i++ {
			row := x[i*d : (i+1)*d]
			for j, v := range X.RawRowView(i) {
				e := v - mean[j]
				row[j] = e
				t += e * e
			}
		}
		s.scratch[ch] = t
	})
	var variance float64
	for _, t := range s.scratch {
		variance += t
	}
	tol := opt.Tol * variance / float64(n*d)

	var best *run
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	for start := range nInit {
		s.start = start
		c := make([]float64, k*d)
		if opt.Init != nil {
			for i := range k {
				for j := range d {
					c[i*d+j] = opt.Init.At(i, j) - mean[j]
				}
			}
		} else {
			s.plusPlus(c, rng)
		}
		var r *run
		if opt.Algorithm == Elkan {
			r = s.elkan(c, maxIter, tol)
		} else {
			r = s.lloyd(c, maxIter, tol)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if best == nil || r.inertia < best.inertia {
			best = r
		}
	}

	res := &Result{
		Centres:    mat.NewDense(k, d, best.centres),
		Labels:     make([]int, n),
		Inertia:    best.inertia,
		Iterations: best.iter,
		Sizes:      make([]int, k),
	}
	for i := range k {
		for j := range d {
			best.centres[i*d+j] += mean[j]
		}
	}
	for i, l := range best.labels {
		res.Labels[i] = int(l)
		res.Sizes[l]++
	}
	return res, nil
}

// run is the outcome of one start.
type run struct {
	centres []float64
	labels  []int32
	inertia float64
	iter    int
}

// state holds the centred data and the buffers reused by every iteration,
// so that no work allocates per row.
type state struct {
	x       []float64 // n×d, centred
	n, d, k int
	sums    []float64 // per chunk: k×d centre sums
	counts  []int     // per chunk: k counts
	changed []int     // per chunk: labels changed
	scratch []float64 // per chunk: one partial sum
	ctx     context.Context
	// progress and start report iterations to Options.Progress.
	progress func(start, iter int)
	start    int
}

// stopped reports whether the caller gave up; runs end early then and
// their result is discarded.
func (s *state) stopped() bool { return s.ctx != nil && s.ctx.Err() != nil }

// report tells Options.Progress that iteration it of the current start is done.
func (s *state) report(it int) {
	if s.progress != nil {
		s.progress(s.start, it)
	}
}

func newState(x []float64, n, d, k int) *state {
	nc := (n + chunk - 1) / chunk
	s := &state{
		x: x, n: n, d: d, k: k,
		sums:    make([]float64, nc*k*d),
		counts:  make([]int, nc*k),
		changed: make([]int, nc),
		scratch: make([]float64, nc),
	}
	return s
}

// parallel calls f on every chunk of rows, spread over the cores.
func (s *state) parallel(f func(c, lo, hi int)) {
	nc := (s.n + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), nc)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1)) - 1
				if c >= nc {
					return
				}
				f(c, c*chunk, min((c+1)*chunk, s.n))
			}
		})
	}
	wg.Wait()
}

func dot(a, b []float64) float64 {
	var t float64
	for i, v := range a {
		t += v * b[i]
	}
	return t
}

// nearest returns the index of the centre nearest to row. ‖x‖² is the same
// for every centre, so the argmin needs only ‖c‖² − 2x·c. Four centres are
// scored per pass over the row: four independent sums hide the latency of
// floating-point adds (measured about 1.5× faster than one at a time). Ties
// go to the lower index, as in sklearn.
func nearest(row, c, csq []float64) int {
	d := len(row)
	best, bd := 0, math.Inf(1)
	j := 0
	for ; j+4 <= len(csq); j += 4 {
		c0 := c[j*d : (j+1)*d][:len(row)]
		c1 := c[(j+1)*d : (j+2)*d][:len(row)]
		c2 := c[(j+2)*d : (j+3)*d][:len(row)]
		c3 := c[(j+3)*d : (j+4)*d][:len(row)]
		var t0, t1, t2, t3 float64
		for i, v := range row {
			t0 += v * c0[i]
			t1 += v * c1[i]
			t2 += v * c2[i]
			t3 += v * c3[i]
		}
		if v := csq[j] - 2*t0; v < bd {
			best, bd = j, v
		}
		if v := csq[j+1] - 2*t1; v < bd {
			best, bd = j+1, v
		}
		if v := csq[j+2] - 2*t2; v < bd {
			best, bd = j+2, v
		}
		if v := csq[j+3] - 2*t3; v < bd {
			best, bd = j+3, v
		}
	}
	for ; j < len(csq); j++ {
		ce := c[j*d : (j+1)*d][:len(row)]
		var t float64
		for i, v := range row {
			t += v * ce[i]
		}
		if v := csq[j] - 2*t; v < bd {
			best, bd = j, v
		}
	}
	return best
}

func sqDist(a, b []float64) float64 {
	var t float64
	for i, v := range a {
		e := v - b[i]
		t += e * e
	}
	return t
}

// lloyd runs sklearn's _kmeans_single_lloyd from centres c (overwritten).
func (s *state) lloyd(c []float64, maxIter int, tol float64) *run {
	n, d, k := s.n, s.d, s.k
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = -1
	}
	next := make([]float64, k*d)
	csq := make([]float64, k)
	shift := make([]float64, k)
	strict := false
	it := 0
	for it < maxIter && !s.stopped() {
		it++
		for j := range k {
			csq[j] = dot(c[j*d:(j+1)*d], c[j*d:(j+1)*d])
		}
		s.parallel(func(ch, lo, hi int) {
			sums := s.sums[ch*k*d : (ch+1)*k*d]
			counts := s.counts[ch*k : (ch+1)*k]
			clear(sums)
			clear(counts)
			if d == 8 {
				s.changed[ch] = lloydChunk8(s.x[lo*8:hi*8], labels[lo:hi], c, csq, sums, counts)
				return
			}
			changed := 0
			for i := lo; i < hi; i++ {
				row := s.x[i*d : (i+1)*d]
				best := nearest(row, c, csq)
				if labels[i] != int32(best) {
					labels[i] = int32(best)
					changed++
				}
				counts[best]++
				acc := sums[best*d : (best+1)*d]
				for j, v := range row {
					acc[j] += v
				}
			}
			s.changed[ch] = changed
		})
		changed := s.update(c, next, labels, shift)
		c, next = next, c
		s.report(it)
		if changed == 0 {
			strict = true
			break
		}
		var tot float64
		for _, v := range shift {
			tot += v
		}
		if tot <= tol {
			break
		}
	}
	if s.stopped() {
		// The caller gave up and discards the run: skip the last pass.
		return &run{centres: c, labels: labels, iter: it}
	}
	// Unless the labels are already those of the final centres, reassign
	// them (in the same pass as the inertia).
	return &run{centres: c, labels: labels, inertia: s.finish(c, labels, !strict), iter: it}
}

// update reduces the chunk sums into new centres next, relocates empty
// clusters, stores each centre's squared shift in shift and returns the
// number of changed labels.
func (s *state) update(old, next []float64, labels []int32, shift []float64) int {
	d, k := s.d, s.k
	nc := len(s.changed)
	clear(next)
	counts := make([]int, k)
	changed := 0
	for ch := range nc {
		sums := s.sums[ch*k*d : (ch+1)*k*d]
		for i, v := range sums {
			next[i] += v
		}
		for j := range k {
			counts[j] += s.counts[ch*k+j]
		}
		changed += s.changed[ch]
	}
	s.relocate(old, next, counts, labels)
	for j := range k {
		cj := next[j*d : (j+1)*d]
		if counts[j] > 0 {
			for i := range cj {
				cj[i] /= float64(counts[j])
			}
		} else {
			// Only when K > distinct rows: keep the centre where it was.
			copy(cj, old[j*d:(j+1)*d])
		}
		shift[j] = sqDist(cj, old[j*d:(j+1)*d])
	}
	return changed
}

// relocate moves the rows farthest from their centres into empty clusters,
// as sklearn's _relocate_empty_clusters_dense. next holds sums, not means.
func (s *state) relocate(old, next []float64, counts []int, labels []int32) {
	var empty []int
	for j, c := range counts {
		if c == 0 {
			empty = append(empty, j)
		}
	}
	if len(empty) == 0 {
		return
	}
	d := s.d
	dist := make([]float64, s.n)
	for i := range s.n {
		l := int(labels[i])
		dist[i] = sqDist(s.x[i*d:(i+1)*d], old[l*d:(l+1)*d])
	}
	for _, e := range empty {
		far := -1
		for i, v := range dist {
			if v >= 0 && (far < 0 || v > dist[far]) {
				far = i
			}
		}
		if far < 0 {
			return
		}
		dist[far] = -1 // taken
		row := s.x[far*d : (far+1)*d]
		l := int(labels[far])
		for j, v := range row {
			next[l*d+j] -= v
			next[e*d+j] = v
		}
		counts[l]--
		counts[e] = 1
	}
}

// finish returns the inertia of labels under centres c, first labelling
// every row with its nearest centre when reassign is set. With or without
// the reassignment the inertia is added up exactly as inertia does.
func (s *state) finish(c []float64, labels []int32, reassign bool) float64 {
	if !reassign {
		return s.inertia(c, labels)
	}
	d, k := s.d, s.k
	csq := make([]float64, k)
	for j := range k {
		csq[j] = dot(c[j*d:(j+1)*d], c[j*d:(j+1)*d])
	}
	s.parallel(func(ch, lo, hi int) {
		if d == 8 {
			// The sums are scratch here.
			sums := s.sums[ch*k*d : (ch+1)*k*d]
			counts := s.counts[ch*k : (ch+1)*k]
			clear(sums)
			clear(counts)
			lloydChunk8(s.x[lo*8:hi*8], labels[lo:hi], c, csq, sums, counts)
		} else {
			for i := lo; i < hi; i++ {
				labels[i] = int32(nearest(s.x[i*d:(i+1)*d], c, csq))
			}
		}
		s.scratch[ch] = s.chunkInertia(c, labels, lo, hi)
	})
	var t float64
	for _, v := range s.scratch {
		t += v
	}
	return t
}

// chunkInertia is Σ‖x_i − c_label‖² over rows lo..hi−1, in row order.
func (s *state) chunkInertia(c []float64, labels []int32, lo, hi int) float64 {
	d := s.d
	var t float64
	for i := lo; i < hi; i++ {
		l := int(labels[i])
		t += sqDist(s.x[i*d:(i+1)*d], c[l*d:(l+1)*d])
	}
	return t
}

// inertia is Σ‖x_i − c_label‖², computed directly like sklearn's _inertia.
func (s *state) inertia(c []float64, labels []int32) float64 {
	s.parallel(func(ch, lo, hi int) {
		s.scratch[ch] = s.chunkInertia(c, labels, lo, hi)
	})
	var t float64
	for ch := range len(s.changed) {
		t += s.scratch[ch]
	}
	return t
}

// plusPlus fills c with greedy k-means++ centres (Arthur & Vassilvitskii,
// with sklearn's 2+⌊ln k⌋ candidates per step, keeping the candidate that
// lowers the potential most).
func (s *state) plusPlus(c []float64, rng *rand.Rand) {
	n, d, k := s.n, s.d, s.k
	trials := 2 + int(math.Log(float64(k)))
	closest := make([]float64, n)
	cand := make([]float64, n)
	bestCand := make([]float64, n)
	first := rng.IntN(n)
	copy(c[:d], s.x[first*d:(first+1)*d])
	pot := s.distTo(c[:d], closest, nil)
	for ci := 1; ci < k; ci++ {
		bestPot, bestIdx := math.Inf(1), -1
		for range trials {
			idx := sample(closest, pot, rng)
			p := s.distTo(s.x[idx*d:(idx+1)*d], cand, closest)
			if p < bestPot {
				bestPot, bestIdx = p, idx
				cand, bestCand = bestCand, cand
			}
		}
		copy(c[ci*d:(ci+1)*d], s.x[bestIdx*d:(bestIdx+1)*d])
		closest, bestCand = bestCand, closest
		pot = bestPot
	}
}

// sample draws a row with probability proportional to w (total tot).
func sample(w []float64, tot float64, rng *rand.Rand) int {
	r := rng.Float64() * tot
	var acc float64
	last := 0
	for i, v := range w {
		if v > 0 {
			last = i
		}
		acc += v
		if acc > r {
			return i
		}
	}
	return last // rounding: r landed past the final sum
}

// distTo writes into out the squared distance of each row to centre, capped
// by bound when non-nil, and returns the sum.
func (s *state) distTo(centre, out, bound []float64) float64 {
	d := s.d
	s.parallel(func(ch, lo, hi int) {
		var t float64
		for i := lo; i < hi; i++ {
			v := sqDist(s.x[i*d:(i+1)*d], centre)
			if bound != nil && bound[i] < v {
				v = bound[i]
			}
			out[i] = v
			t += v
		}
		s.scratch[ch] = t
	})
	var t float64
	for ch := range len(s.changed) {
		t += s.scratch[ch]
	}
	return t
}
