package mlp

import (
	"context"
	"testing"
)

// BenchmarkFit20k trains the benchmark's shape (20 → 64 → 32 → 1, batches
// of 200) on 20k random rows for 2 epochs: small enough to run under
// callgrind, for instruction counts that a busy machine does not blur.
func BenchmarkFit20k(b *testing.B) {
	X, y := randData(20_000, 20, 5)
	b.ResetTimer()
	for range b.N {
		if _, err := Fit(context.Background(), X, y, Options{Hidden: []int{64, 32}, MaxIter: 2, Fixed: true}); err != nil {
			b.Fatal(err)
		}
	}
}
