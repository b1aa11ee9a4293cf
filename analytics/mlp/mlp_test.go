package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randData(n, d int, seed uint64) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := mat.NewDense(n, d, nil)
	y := make([]float64, n)
	for i := range n {
		s := 0.0
		for j := range d {
			v := rng.NormFloat64()
			X.Set(i, j, v)
			s += v * float64(j%3-1)
		}
		if s+0.5*rng.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	return X, y
}

// penalised is the mean loss plus the L2 penalty that batch differentiates.
func penalised(t *trainer, X *mat.Dense, y, w []float64, idx []int) float64 {
	all := t.loss(X, y, w, idx)
	if w != nil {
		// loss() divides by the weight sum; batch divides by the rows.
		s := 0.0
		for _, k := range idx {
			s += w[k]
		}
		all *= s / float64(len(idx))
	}
	p := 0.0
	for _, c := range t.net.Coef {
		for _, v := range c {
			p += v * v
		}
	}
	return all + 0.5*t.opt.Alpha*p/float64(len(idx))
}

func TestGradientFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		name       string
		regression bool
		balanced   bool
	}{{"classifier", false, false}, {"balanced", false, true}, {"regression", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			X, y := randData(9, 3, 7)
			if tc.regression {
				for i := range y {
					y[i] = X.At(i, 0)*2 - X.At(i, 2) + 0.3
				}
			}
			opt := Options{Hidden: []int{5, 4}, Regression: tc.regression, Balanced: tc.balanced, Alpha: 0.3, BatchSize: 9}
			if err := opt.defaults(9); err != nil {
				t.Fatal(err)
			}
			net := &Net{Sizes: []int{3, 5, 4, 1}, Regression: tc.regression}
			tr := newTrainer(net, opt)
			tr.init(rand.New(rand.NewPCG(3, 3)))
			w := weights(y, opt)
			idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8}
			tr.batch(X, y, w, idx)
			grad := slices.Clone(tr.grad)
			const h = 1e-6
			worst := 0.0
			for i := range tr.params {
				old := tr.params[i]
				tr.params[i] = old + h
				up := penalised(tr, X, y, w, idx)
				tr.params[i] = old - h
				down := penalised(tr, X, y, w, idx)
				tr.params[i] = old
				num := (up - down) / (2 * h)
				worst = math.Max(worst, math.Abs(num-grad[i])/math.Max(1e-3, math.Abs(num)+math.Abs(grad[i])))
			}
			if worst > 1e-5 {
				t.Fatalf("gradient differs from finite differences: worst relative error %.3g", worst)
			}
		})
	}
}

func TestLearnsXOR(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 800
	X := mat.NewDense(n, 2, nil)
	y := make([]float64, n)
	for i := range n {
		a, b := rng.Float64()*2-1, rng.Float64()*2-1
		X.Set(i, 0, a)
		X.Set(i, 1, b)
		if a*b > 0 {
			y[i] = 1
		}
	}
	net, err := Fit(context.Background(), X, y, Options{Hidden: []int{16, 8}, LearningRate: 0.01, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := net.Predict(X)
	right := 0
	for i, v := range p {
		if (v >= 0.5) == (y[i] == 1) {
			right++
		}
	}
	if acc := float64(right) / float64(n); acc < 0.95 {
		t.Fatalf("XOR accuracy %.3f after %d epochs, want ≥ 0.95", acc, net.Epochs)
	}
	if !net.Converged || net.ValidationLoss == 0 {
		t.Fatalf("early stopping did not run: converged %v, validation loss %v", net.Converged, net.ValidationLoss)
	}
}

func TestRegressionLearnsScale(t *testing.T) {
	X, _ := randData(600, 3, 5)
	y := make([]float64, 600)
	for i := range y {
		y[i] = 1000 + 300*X.At(i, 0) - 200*math.Abs(X.At(i, 1))
	}
	net, err := Fit(context.Background(), X, y, Options{Regression: true, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := net.Predict(X)
	var ss, st float64
	for i := range y {
		ss += (y[i] - p[i]) * (y[i] - p[i])
		st += (y[i] - 1000) * (y[i] - 1000)
	}
	if r2 := 1 - ss/st; r2 < 0.95 {
		t.Fatalf("R² %.3f, want ≥ 0.95", r2)
	}
}

func TestDeterministic(t *testing.T) {
	X, y := randData(500, 4, 9)
	fit := func(seed uint64) []float64 {
		net, err := Fit(context.Background(), X, y, Options{Seed: seed, MaxIter: 20})
		if err != nil {
			t.Fatal(err)
		}
		return net.Predict(X)
	}
	a, b, c := fit(1), fit(1), fit(2)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave different networks")
	}
	if slices.Equal(a, c) {
		t.Fatal("different seeds gave the same network")
	}
}

func TestFixedEpochs(t *testing.T) {
	X, y := randData(300, 4, 9)
	net, err := Fit(context.Background(), X, y, Options{Fixed: true, MaxIter: 7})
	if err != nil {
		t.Fatal(err)
	}
	if net.Epochs != 7 || net.Converged {
		t.Fatalf("%d epochs (converged %v), want exactly 7", net.Epochs, net.Converged)
	}
}

func TestAttributeAddsUp(t *testing.T) {
	X, y := randData(400, 5, 11)
	for _, reg := range []bool{false, true} {
		net, err := Fit(context.Background(), X, y, Options{Regression: reg, Seed: 4, MaxIter: 30})
		if err != nil {
			t.Fatal(err)
		}
		x, base := X.RawRowView(3), make([]float64, 5)
		phi := net.Attribute(x, base, 256)
		p := net.Predict(mat.NewDense(2, 5, append(slices.Clone(x), base...)))
		sum := 0.0
		for _, v := range phi {
			sum += v
		}
		if math.Abs(sum-(p[0]-p[1])) > 2e-3 {
			t.Fatalf("regression %v: attributions sum to %.5f, prediction moved %.5f", reg, sum, p[0]-p[1])
		}
	}
}

func TestBadInput(t *testing.T) {
	X, y := randData(50, 2, 1)
	ctx := context.Background()
	bad := []struct {
		name string
		X    *mat.Dense
		y    []float64
		opt  Options
	}{
		{"length", X, y[:10], Options{}},
		{"not 0/1", X, append(slices.Clone(y[:49]), 2), Options{}},
		{"NaN", mat.NewDense(2, 1, []float64{math.NaN(), 1}), []float64{0, 1}, Options{}},
		{"wide", X, y, Options{Hidden: []int{MaxWidth + 1}}},
		{"deep", X, y, Options{Hidden: []int{2, 2, 2, 2, 2}}},
		{"negative", X, y, Options{Alpha: -1}},
		{"validation", X, y, Options{ValidationFraction: 0.9}},
		{"exploding", X, y, Options{LearningRate: 1e300, Regression: true}},
	}
	for _, b := range bad {
		if _, err := Fit(ctx, b.X, b.y, b.opt); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fit(cctx, X, y, Options{}); err == nil {
		t.Error("a cancelled fit returned no error")
	}
}

func TestCheck(t *testing.T) {
	X, y := randData(100, 3, 1)
	net, err := Fit(context.Background(), X, y, Options{MaxIter: 3, Hidden: []int{4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Check(3); err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func(n *Net){
		"inputs":  func(n *Net) { n.Sizes[0] = 4 },
		"weights": func(n *Net) { n.Coef[0] = n.Coef[0][:5] },
		"NaN":     func(n *Net) { n.Intercept[1][0] = math.NaN() },
		"layers":  func(n *Net) { n.Coef = n.Coef[:1] },
		"outputs": func(n *Net) { n.Sizes[2] = 2 },
	} {
		c := &Net{Sizes: slices.Clone(net.Sizes)}
		for l := range net.Coef {
			c.Coef = append(c.Coef, slices.Clone(net.Coef[l]))
			c.Intercept = append(c.Intercept, slices.Clone(net.Intercept[l]))
		}
		damage(c)
		if err := c.Check(3); err == nil {
			t.Errorf("%s: damaged net passed the check", name)
		}
	}
}

// A training step allocates nothing: with a thousand steps per epoch on
// 200k rows, garbage would cost more than the arithmetic.
func TestStepAllocatesNothing(t *testing.T) {
	X, y := randData(400, 20, 3)
	opt := Options{}
	if err := opt.defaults(400); err != nil {
		t.Fatal(err)
	}
	net := &Net{Sizes: []int{20, 64, 32, 1}}
	tr := newTrainer(net, opt)
	tr.init(rand.New(rand.NewPCG(1, 1)))
	defer tr.start(X, y, nil)()
	idx := make([]int, 200)
	for i := range idx {
		idx[i] = i
	}
	if n := testing.AllocsPerRun(20, func() { tr.train(X, y, nil, idx) }); n != 0 {
		t.Fatalf("%v allocations per step", n)
	}
}
