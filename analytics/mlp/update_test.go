package mlp

import (
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
