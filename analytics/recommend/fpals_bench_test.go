package recommend

import (
	"math/rand/v2"
	"testing"
)

// Roughly Online Retail's shape: ~20k baskets of ~20 items from ~4k
// products with a skewed popularity.
func BenchmarkFPGrowthRetailShape(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	bs := make([][]int32, 20000)
	for i := range bs {
		for range 1 + rng.IntN(40) {
			bs[i] = append(bs[i], int32(4000*rng.Float64()*rng.Float64()*rng.Float64()))
		}
	}
	for b.Loop() {
		fp, err := FPGrowth(bs, FPOptions{MinSupport: 0.005})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Rules(fp, RuleFilter{MinConfidence: 0.1, MaxLen: 4}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrainALS(b *testing.B) {
	p := alsRandomProblem(1, 5000, 1000, 0.01)
	for b.Loop() {
		if _, err := TrainALS(p.nU, p.nI, p.u, p.i, p.w, ALSOptions{Factors: 32, Iterations: 5, Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
}
