package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Training's step (the update split between two goroutines) moves the
// weights to the same bits as batch then adam, and its penalty is ‖W‖²
// before the step (summed in two halves, so to rounding).
func TestTrainStepMatchesBatchAdam(t *testing.T) {
	X, y := randData(300, 20, 4)
	opt := Options{}
	if err := opt.defaults(300); err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 200)
	for i := range idx {
		idx[i] = i + 50
	}
	var trs [2]*trainer
	for i := range trs {
		trs[i] = newTrainer(&Net{Sizes: []int{20, 64, 32, 1}}, opt)
		trs[i].init(rand.New(rand.NewPCG(1, 1)))
	}
	defer trs[1].start(X, y, nil)()
	for range 3 {
		want := 0.0
		for _, c := range trs[1].net.Coef {
			for _, v := range c {
				want += v * v
			}
		}
		loss0 := trs[0].batch(X, y, nil, idx)
		trs[0].adam()
		loss1, pen := trs[1].train(X, y, nil, idx)
		if loss0 != loss1 || !slices.Equal(trs[0].params, trs[1].params) {
			t.Fatalf("loss %v vs %v, or the weights differ", loss0, loss1)
		}
		if math.Abs(pen-want) > 1e-12*want {
			t.Fatalf("penalty %v, want %v", pen, want)
		}
	}
}

// The assembly's Adam step gives the Go loop's bits, for any length.
func TestAdamAssemblyMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	defer func(v bool) { useAVX2 = v }(useAVX2)
	for _, k := range []int{1, 3, 4, 9, 64, 3457} {
		var trs [2]*trainer
		for i := range trs {
			trs[i] = &trainer{opt: Options{LearningRate: 1e-3}}
		}
		for _, s := range []*[]float64{&trs[0].params, &trs[0].grad, &trs[0].m, &trs[0].v} {
			*s = randSlice(rng, k)
		}
		for i, v := range trs[0].v {
			trs[0].v[i] = v * v
		}
		trs[1].params, trs[1].grad = slices.Clone(trs[0].params), slices.Clone(trs[0].grad)
		trs[1].m, trs[1].v = slices.Clone(trs[0].m), slices.Clone(trs[0].v)
		for step := range 3 {
			for i, tr := range trs {
				useAVX2 = i == 1 && hasAVX2()
				tr.nextStep()
				tr.adamRange(step%2, k) // an odd start too
			}
			for _, pair := range [][2][]float64{{trs[0].params, trs[1].params}, {trs[0].m, trs[1].m}, {trs[0].v, trs[1].v}} {
				for i := range pair[0] {
					if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
						t.Fatalf("k %d step %d: element %d: Go %v, assembly %v", k, step, i, pair[0][i], pair[1][i])
					}
				}
			}
		}
	}
}

// The whole fit gives the same network with the assembly as with the
// pure-Go fallback, to the bit.
func TestFallbackSameNetwork(t *testing.T) {
	if !hasAVX2() {
		t.Skip("no AVX2: only the Go path runs here")
	}
	X, y := randData(1000, 20, 9)
	defer func(v bool) { useAVX2 = v }(useAVX2)
	var nets [2]*Net
	for i, asm := range []bool{false, true} {
		useAVX2 = asm
		net, err := Fit(context.Background(), X, y, Options{MaxIter: 5, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		nets[i] = net
	}
	for l := range nets[0].Coef {
		if !slices.Equal(nets[0].Coef[l], nets[1].Coef[l]) || !slices.Equal(nets[0].Intercept[l], nets[1].Intercept[l]) {
			t.Fatalf("layer %d differs between the Go and assembly paths", l)
		}
	}
	if nets[0].Loss != nets[1].Loss {
		t.Fatalf("loss %v (Go) vs %v (assembly)", nets[0].Loss, nets[1].Loss)
	}
}
