package recommend

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// ALSOptions configures implicit-feedback ALS (Hu, Koren & Volinsky 2008).
type ALSOptions struct {
	Factors    int     // latent dimension k; default 32
	Iterations int     // full user+item sweeps; default 15
	Lambda     float64 // L2 regularisation; default 0.01
	Alpha      float64 // confidence c = 1 + Alpha·r; default 40
	// CGSteps is the number of conjugate-gradient steps per factor update
	// (Takács et al. 2011); default 3. CG warm-starts from the previous
	// factors, so a few steps suffice; Factors steps solve exactly.
	CGSteps int
	Seed    uint64
	Workers int // default runtime.GOMAXPROCS(0)
	// TrackObjective records the objective after every iteration in
	// ALSModel.Objectives (costs about one extra half-sweep of work).
	TrackObjective bool
}

func (o *ALSOptions) defaults() {
	if o.Factors == 0 {
		o.Factors = 32
	}
	if o.Iterations == 0 {
		o.Iterations = 15
	}
	if o.Lambda == 0 {
		o.Lambda = 0.01
	}
	if o.Alpha == 0 {
		o.Alpha = 40
	}
	if o.CGSteps == 0 {
		o.CGSteps = 3
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

// ALSModel holds row-major factors: user u is UserFactors[u*K:(u+1)*K].
type ALSModel struct {
	NUsers, NItems, K int
	UserFactors       []float64
	ItemFactors       []float64
	Alpha, Lambda     float64
	// Objectives[t] is the objective after iteration t (TrackObjective only).
	Objectives []float64
}

// alsCSR is a sparse matrix in compressed rows with duplicate entries summed.
type alsCSR struct {
	ptr []int
	idx []int32
	val []float64
}

func alsBuildCSR(nRows int, rows, cols []int32, vals []float64) alsCSR {
	m := alsCSR{ptr: make([]int, nRows+1), idx: make([]int32, len(rows)), val: make([]float64, len(rows))}
	for _, r := range rows {
		m.ptr[r+1]++
	}
	for i := range nRows {
		m.ptr[i+1] += m.ptr[i]
	}
	fill := slices.Clone(m.ptr[:nRows])
	for k, r := range rows {
		m.idx[fill[r]] = cols[k]
		m.val[fill[r]] = vals[k]
		fill[r]++
	}
	// Sort each row and merge duplicate (row, col) pairs.
	out := 0
	type e struct {
		c int32
		v float64
	}
	var buf []e
	for r := range nRows {
		buf = buf[:0]
		for k := m.ptr[r]; k < m.ptr[r+1]; k++ {
			buf = append(buf, e{m.idx[k], m.val[k]})
		}
		slices.SortFunc(buf, func(a, b e) int { return int(a.c) - int(b.c) })
		m.ptr[r] = out
		for i, x := range buf {
			if i > 0 && x.c == buf[i-1].c {
				m.val[out-1] += x.v
				continue
			}
			m.idx[out], m.val[out] = x.c, x.v
			out++
		}
	}
	m.ptr[nRows] = out
	m.idx, m.val = m.idx[:out], m.val[:out]
	return m
}

// alsData is the interaction matrix by user and by item.
type alsData struct {
	byUser, byItem alsCSR
}

func alsNewData(nUsers, nItems int, users, items []int32, weights []float64) (*alsData, error) {
	if len(users) != len(items) || len(users) != len(weights) {
		return nil, errors.New("recommend: users, items and weights must have equal length")
	}
	if nUsers < 0 || nItems < 0 || nUsers > math.MaxInt32 || nItems > math.MaxInt32 {
		return nil, errors.New("recommend: bad user or item count")
	}
	// Zero weights are dropped: r = 0 is the same as no interaction.
	var u, it []int32
	var w []float64
	for k := range users {
		if users[k] < 0 || int(users[k]) >= nUsers || items[k] < 0 || int(items[k]) >= nItems {
			return nil, fmt.Errorf("recommend: interaction %d (user %d, item %d) out of range", k, users[k], items[k])
		}
		if !(weights[k] >= 0) || math.IsInf(weights[k], 0) {
			return nil, fmt.Errorf("recommend: interaction %d has weight %v; weights must be finite and >= 0", k, weights[k])
		}
		if weights[k] > 0 {
			u, it, w = append(u, users[k]), append(it, items[k]), append(w, weights[k])
		}
	}
	return &alsData{byUser: alsBuildCSR(nUsers, u, it, w), byItem: alsBuildCSR(nItems, it, u, w)}, nil
}

// TrainALS factorises the implicit-feedback matrix given as parallel slices
// (duplicate user-item pairs are summed). Training is deterministic for a
// given Seed regardless of Workers: every row update is independent.
func TrainALS(nUsers, nItems int, users, items []int32, weights []float64, opt ALSOptions) (*ALSModel, error) {
	opt.defaults()
	if opt.Factors < 1 || opt.Iterations < 0 || opt.Lambda < 0 || opt.Alpha < 0 || opt.CGSteps < 1 {
		return nil, fmt.Errorf("recommend: bad ALS options %+v", opt)
	}
	d, err := alsNewData(nUsers, nItems, users, items, weights)
	if err != nil {
		return nil, err
	}
	m := alsInit(nUsers, nItems, opt)
	for range opt.Iterations {
		alsSweep(m.UserFactors, m.ItemFactors, d.byUser, opt)
		alsSweep(m.ItemFactors, m.UserFactors, d.byItem, opt)
		if opt.TrackObjective {
			m.Objectives = append(m.Objectives, m.objective(d))
		}
	}
	return m, nil
}

// alsInit draws small random factors; small so initial scores are near 0
// and the first sweep is dominated by the data.
func alsInit(nUsers, nItems int, opt ALSOptions) *ALSModel {
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed_a15))
	k := opt.Factors
	m := &ALSModel{NUsers: nUsers, NItems: nItems, K: k, Alpha: opt.Alpha, Lambda: opt.Lambda,
		UserFactors: make([]float64, nUsers*k), ItemFactors: make([]float64, nItems*k)}
	for i := range m.UserFactors {
		m.UserFactors[i] = rng.Float64() * 0.01
	}
	for i := range m.ItemFactors {
		m.ItemFactors[i] = rng.Float64() * 0.01
	}
	return m
}

// alsGram returns FᵀF + λI (k×k, row-major) for row-major F.
func alsGram(F []float64, k int, lambda float64) []float64 {
	g := make([]float64, k*k)
	for r := 0; r+k <= len(F); r += k {
		row := F[r : r+k]
		for a, va := range row {
			if va == 0 {
				continue
			}
			ga := g[a*k : a*k+k]
			for b, vb := range row {
				ga[b] += va * vb
			}
		}
	}
	for a := range k {
		g[a*k+a] += lambda
	}
	return g
}

// alsSweep updates every row of X given fixed Y. Row u minimises
// xᵀ(YᵀY + λI + Yᵀ(Cᵤ−I)Y)x − 2xᵀYᵀCᵤp(u); the matrix is never formed —
// CG needs only products with it, costing O(k² + nnz(u)·k) per step.
func alsSweep(X, Y []float64, R alsCSR, opt ALSOptions) {
	k := opt.Factors
	YtY := alsGram(Y, k, opt.Lambda)
	nRows := len(R.ptr) - 1
	const block = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(opt.Workers, (nRows+block-1)/block) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, p, ap := make([]float64, k), make([]float64, k), make([]float64, k)
			for {
				lo := int(next.Add(block)) - block
				if lo >= nRows {
					return
				}
				for u := lo; u < min(lo+block, nRows); u++ {
					alsCGUpdate(X[u*k:u*k+k], Y, YtY, R.idx[R.ptr[u]:R.ptr[u+1]], R.val[R.ptr[u]:R.ptr[u+1]], opt, r, p, ap)
				}
			}
		}()
	}
	wg.Wait()
}

// alsCGUpdate runs CG on A x = b from the current x, with
// A = YᵀY + λI + Σᵢ (cᵢ−1) yᵢyᵢᵀ and b = Σᵢ cᵢ yᵢ over the row's items.
func alsCGUpdate(x, Y, YtY []float64, idx []int32, val []float64, opt ALSOptions, r, p, ap []float64) {
	k := len(x)
	// r = b − A x
	alsMatVec(r, YtY, x)
	for a := range r {
		r[a] = -r[a]
	}
	for j, i := range idx {
		y := Y[int(i)*k : int(i)*k+k]
		c := 1 + opt.Alpha*val[j]
		alsAxpy(r, c-(c-1)*alsDot(y, x), y)
	}
	copy(p, r)
	rsold := alsDot(r, r)
	for range opt.CGSteps {
		if rsold < 1e-30 {
			return
		}
		alsMatVec(ap, YtY, p)
		for j, i := range idx {
			y := Y[int(i)*k : int(i)*k+k]
			alsAxpy(ap, opt.Alpha*val[j]*alsDot(y, p), y)
		}
		pap := alsDot(p, ap)
		if !(pap > 0) {
			return // A is positive definite for λ > 0; guard λ = 0 with no data
		}
		step := rsold / pap
		alsAxpy(x, step, p)
		alsAxpy(r, -step, ap)
		rsnew := alsDot(r, r)
		for a := range p {
			p[a] = r[a] + rsnew/rsold*p[a]
		}
		rsold = rsnew
	}
}

func alsDot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func alsAxpy(dst []float64, a float64, x []float64) {
	for i, v := range x {
		dst[i] += a * v
	}
}

func alsMatVec(dst, m, x []float64) {
	k := len(x)
	for a := range dst {
		dst[a] = alsDot(m[a*k:a*k+k], x)
	}
}

// Objective is the implicit-feedback loss of m on the given interactions:
// Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ(Σ|x_u|² + Σ|y_i|²).
func (m *ALSModel) Objective(users, items []int32, weights []float64) (float64, error) {
	d, err := alsNewData(m.NUsers, m.NItems, users, items, weights)
	if err != nil {
		return 0, err
	}
	return m.objective(d), nil
}

// objective avoids the O(users·items) sum: unobserved pairs have c = 1,
// p = 0, so Σ_all (x·y)² = Σ_ab (XᵀX)_ab (YᵀY)_ab plus, per observed pair,
// c(1 − s)² − s² with s = x·y.
func (m *ALSModel) objective(d *alsData) float64 {
	k := m.K
	XtX, YtY := alsGram(m.UserFactors, k, 0), alsGram(m.ItemFactors, k, 0)
	loss := alsDot(XtX, YtY)
	R := d.byUser
	for u := range m.NUsers {
		x := m.UserFactors[u*k : u*k+k]
		for j := R.ptr[u]; j < R.ptr[u+1]; j++ {
			i := int(R.idx[j])
			s := alsDot(x, m.ItemFactors[i*k:i*k+k])
			c := 1 + m.Alpha*R.val[j]
			loss += c*(1-s)*(1-s) - s*s
		}
	}
	trX, trY := 0.0, 0.0
	for a := range k {
		trX += XtX[a*k+a]
		trY += YtY[a*k+a]
	}
	return loss + m.Lambda*(trX+trY)
}

// Scores writes x_u·y_i for every item into dst (grown if short) and
// returns it.
func (m *ALSModel) Scores(u int32, dst []float64) []float64 {
	if cap(dst) < m.NItems {
		dst = make([]float64, m.NItems)
	}
	dst = dst[:m.NItems]
	k := m.K
	x := m.UserFactors[int(u)*k : int(u)*k+k]
	for i := range dst {
		dst[i] = alsDot(x, m.ItemFactors[i*k:i*k+k])
	}
	return dst
}
