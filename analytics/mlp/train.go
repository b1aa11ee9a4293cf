package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// parts is how many pieces each mini-batch is split into, each forward-
// and back-propagated by its own goroutine. It is fixed, not the number of
// cores, so the sums (and so the network) are the same on every machine;
// at least 2 (reduce adds the first two in one pass).
const parts = 2

// forward holds the activations of a block of rows, allocated once.
type forward struct {
	sizes []int
	acts  [][]float64 // acts[l]: rows × sizes[l]; acts[0] is the input
}

func newForward(sizes []int, rows int) *forward {
	f := &forward{sizes: sizes, acts: make([][]float64, len(sizes))}
	for l, s := range sizes {
		f.acts[l] = make([]float64, rows*s)
	}
	return f
}

// run propagates the first r rows of acts[0] and returns the output
// layer's values (before the sigmoid): a view of acts[L].
func (f *forward) run(net *Net, r int) []float64 {
	L := len(f.sizes) - 1
	for l := range L {
		in, out := f.sizes[l], f.sizes[l+1]
		a, z := f.acts[l][:r*in], f.acts[l+1][:r*out]
		layerForward(r, in, out, a, net.Coef[l], net.Intercept[l], z, l < L-1)
	}
	return f.acts[L][:r]
}

// worker forward- and back-propagates one part of a mini-batch into its
// own gradient.
type worker struct {
	*forward
	deltas [][]float64 // deltas[l]: rows × sizes[l], for l ≥ 1
	wt     []float64   // scratch for a transposed weight matrix
	grad   []float64   // same layout as trainer.params
	gc, gb [][]float64 // views of grad
	y, w   []float64
	loss   float64
}

type trainer struct {
	net    *Net
	opt    Options
	params []float64 // every weight; net.Coef and net.Intercept are views
	grad   []float64
	m, v   []float64
	segs   []segment
	helper *handoff // to the helper goroutine, while it runs
	spin   int
	best   []float64
	step   int
	lr     float64 // this step's Adam step size
	inv    float64 // 1 / this batch's rows
	pen    float64 // the helper's part of Σ‖W‖²
	ws     []*worker
}

// job is the helper goroutine's share of a step: part 0 of the batch's
// rows, or the parameters [lo, hi) to update.
type job struct {
	idx          []int
	update, stop bool
	lo, hi       int
}

// layout cuts a flat slice into the weight matrices and biases of sizes.
func layout(sizes []int, flat []float64) (coef, inter [][]float64) {
	off := 0
	for l := range len(sizes) - 1 {
		in, out := sizes[l], sizes[l+1]
		coef = append(coef, flat[off:off+in*out:off+in*out])
		off += in * out
		inter = append(inter, flat[off:off+out:off+out])
		off += out
	}
	return coef, inter
}

func nparams(sizes []int) int {
	k := 0
	for l := range len(sizes) - 1 {
		k += (sizes[l] + 1) * sizes[l+1]
	}
	return k
}

func newTrainer(net *Net, opt Options) *trainer {
	k := nparams(net.Sizes)
	t := &trainer{net: net, opt: opt, params: make([]float64, k), grad: make([]float64, k), m: make([]float64, k), v: make([]float64, k)}
	net.Coef, net.Intercept = layout(net.Sizes, t.params)
	t.segs = segments(net.Sizes)
	rows := (opt.BatchSize + parts - 1) / parts
	for range parts {
		wk := &worker{forward: newForward(net.Sizes, rows), grad: make([]float64, k), y: make([]float64, rows), w: make([]float64, rows)}
		wk.gc, wk.gb = layout(net.Sizes, wk.grad)
		wk.deltas = make([][]float64, len(net.Sizes))
		for l := 1; l < len(net.Sizes); l++ {
			wk.deltas[l] = make([]float64, rows*net.Sizes[l])
			wk.wt = make([]float64, max(len(wk.wt), net.Sizes[l-1]*net.Sizes[l]))
		}
		t.ws = append(t.ws, wk)
	}
	return t
}

// init draws Glorot-uniform weights and biases as scikit-learn does for
// ReLU networks: U(±√(6/(fan_in+fan_out))).
func (t *trainer) init(rng *rand.Rand) {
	for l := range t.net.Coef {
		bound := math.Sqrt(6 / float64(t.net.Sizes[l]+t.net.Sizes[l+1]))
		for _, s := range [][]float64{t.net.Coef[l], t.net.Intercept[l]} {
			for i := range s {
				s[i] = bound * (2*rng.Float64() - 1)
			}
		}
	}
}

// batch computes the gradient of the penalised mean loss over rows idx
// into t.grad and returns the summed (weighted) loss of the rows.
func (t *trainer) batch(X *mat.Dense, y, w []float64, idx []int) float64 {
	loss := t.backprops(X, y, w, idx)
	t.reduce(0, len(t.grad))
	return loss
}

// backprops runs each worker's part of rows idx, part 0 on the helper
// goroutine (started by start) while the others run here: a handoff
// allocates nothing, a new goroutine would. It returns the summed loss,
// leaving the workers' gradients to reduce.
func (t *trainer) backprops(X *mat.Dense, y, w []float64, idx []int) float64 {
	r := len(idx)
	per := (r + parts - 1) / parts
	t.inv = 1 / float64(r)
	if t.helper != nil {
		t.helper.send(job{idx: idx[:min(per, r)]})
	} else {
		t.ws[0].backprop(t.net, X, y, w, idx[:min(per, r)])
	}
	for p := 1; p < parts; p++ {
		t.ws[p].backprop(t.net, X, y, w, idx[min(p*per, r):min((p+1)*per, r)])
	}
	if t.helper != nil {
		t.helper.wait(t.spin)
	}
	loss := 0.0
	for _, wk := range t.ws {
		loss += wk.loss
	}
	return loss
}

// backprop forward- and back-propagates rows idx, leaving the summed
// (not yet averaged) gradient in wk.grad and the summed loss in wk.loss.
func (wk *worker) backprop(net *Net, X *mat.Dense, y, w []float64, idx []int) {
	r := len(idx)
	wk.loss = 0
	if r == 0 {
		clear(wk.grad)
		return
	}
	// Every gradient is set below (gradW and colSums overwrite), so no
	// clear first.
	d := net.Sizes[0]
	for i, k := range idx {
		copy(wk.acts[0][i*d:(i+1)*d], X.RawRowView(k))
		wk.y[i] = y[k]
		wk.w[i] = 1
		if w != nil {
			wk.w[i] = w[k]
		}
	}
	z := wk.run(net, r)
	L := len(net.Sizes) - 1
	delta := wk.deltas[L][:r]
	for i, v := range z {
		yi, wi := wk.y[i], wk.w[i]
		if net.Regression {
			e := v - yi
			wk.loss += wi * 0.5 * e * e
			delta[i] = wi * e
		} else {
			// Cross-entropy from the logit, stable for any z.
			wk.loss += wi * (math.Max(v, 0) - yi*v + math.Log1p(math.Exp(-math.Abs(v))))
			delta[i] = wi * (sigmoid(v) - yi)
		}
	}
	for l := L - 1; l >= 0; l-- {
		in, out := net.Sizes[l], net.Sizes[l+1]
		a, dl := wk.acts[l][:r*in], wk.deltas[l+1][:r*out]
		gradW(r, in, out, a, dl, wk.gc[l])
		colSums(r, out, dl, wk.gb[l])
		if l == 0 {
			break
		}
		backDelta(r, in, out, dl, net.Coef[l], wk.wt, a, wk.deltas[l][:r*in])
	}
}

// start runs the helper goroutine that takes its share of each step; the
// returned func stops it.
func (t *trainer) start(X *mat.Dense, y, w []float64) (stop func()) {
	h := &handoff{posted: signal{wake: make(chan struct{}, 1)}, done: signal{wake: make(chan struct{}, 1)}}
	t.helper, t.spin = h, spins()
	go func() {
		for {
			switch j := h.receive(t.spin); {
			case j.stop:
				return
			case j.update:
				t.pen = t.update(j.lo, j.hi)
			default:
				t.ws[0].backprop(t.net, X, y, w, j.idx)
			}
			h.done.post()
		}
	}()
	return func() { h.send(job{stop: true}); t.helper = nil }
}

// run trains epoch by epoch until the stopping rule or MaxIter.
func (t *trainer) run(ctx context.Context, X *mat.Dense, y, w []float64, train, val []int, rng *rand.Rand) error {
	o, net := t.opt, t.net
	order := slices.Clone(train)
	bs := min(o.BatchSize, len(order))
	bestLoss, noChange := math.Inf(1), 0
	defer t.start(X, y, w)()
	for epoch := 1; epoch <= o.MaxIter; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		total := 0.0
		for lo := 0; lo < len(order); lo += bs {
			loss, penalty := t.train(X, y, w, order[lo:min(lo+bs, len(order))])
			total += loss
			total += 0.5 * o.Alpha * penalty // per batch: (α/2)‖W‖²/r × r rows
		}
		net.Epochs = epoch
		net.Loss = total / float64(len(order))
		if o.Progress != nil {
			o.Progress(float64(epoch) / float64(o.MaxIter))
		}
		if math.IsNaN(net.Loss) || math.IsInf(net.Loss, 0) {
			return errNotFinite
		}
		if o.Fixed {
			continue
		}
		score := net.Loss
		if val != nil {
			score = t.loss(X, y, w, val)
		}
		if score > bestLoss-o.Tol {
			noChange++
		} else {
			noChange = 0
		}
		if score < bestLoss {
			bestLoss = score
			if val != nil {
				t.best = append(t.best[:0], t.params...)
				net.ValidationLoss = score
			}
		}
		if noChange > o.NIterNoChange {
			net.Converged = true
			break
		}
	}
	if t.best != nil {
		copy(t.params, t.best)
	}
	return nil
}

// loss is the mean (weighted) loss of rows idx, without the penalty.
func (t *trainer) loss(X *mat.Dense, y, w []float64, idx []int) float64 {
	f := newForward(t.net.Sizes, min(len(idx), 4096))
	d := t.net.Sizes[0]
	total, wsum := 0.0, 0.0
	for lo := 0; lo < len(idx); lo += 4096 {
		part := idx[lo:min(lo+4096, len(idx))]
		for i, k := range part {
			copy(f.acts[0][i*d:(i+1)*d], X.RawRowView(k))
		}
		for i, z := range f.run(t.net, len(part)) {
			k := part[i]
			wi := 1.0
			if w != nil {
				wi = w[k]
			}
			wsum += wi
			if t.net.Regression {
				total += wi * 0.5 * (z - y[k]) * (z - y[k])
			} else {
				total += wi * (math.Max(z, 0) - y[k]*z + math.Log1p(math.Exp(-math.Abs(z))))
			}
		}
	}
	return total / wsum
}

// errNotFinite is what a diverging run returns.
var errNotFinite = msg.Errorf("the training loss is no longer a number; lower the learning rate")

// parallel runs f over [0, n) in chunks on up to GOMAXPROCS goroutines.
func parallel(n, chunk int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	if workers <= 1 {
		for lo := 0; lo < n; lo += chunk {
			f(lo, min(lo+chunk, n))
		}
		return
	}
	next := make(chan int, (n+chunk-1)/chunk)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				f(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
