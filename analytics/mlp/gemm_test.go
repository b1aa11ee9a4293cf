package mlp

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemm against gonum's Dgemm, plain and with A transposed, with each
// epilogue, on the training shapes and odd ones, with the assembly on
// (where the CPU has it) and off: each within 1e-12 of Dgemm relative to
// Σ|a·b|, and the two paths equal to the bit.
func TestGemmMatchesDgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{100, 64, 20}, {100, 32, 64}, {20, 64, 100}, {64, 32, 100}, {100, 64, 32}, {100, 32, 1},
		{1, 1, 1}, {3, 7, 5}, {4, 8, 1}, {5, 9, 3}, {13, 17, 11}, {8, 24, 0}, {7, 1, 33}, {101, 65, 21}}
	for range 20 {
		shapes = append(shapes, [3]int{1 + rng.IntN(40), 1 + rng.IntN(40), 1 + rng.IntN(40)})
	}
	t.Logf("assembly: %v", hasAVX2())
	defer func(v bool) { useAVX2 = v }(useAVX2)
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, trans := range []bool{false, true} {
			for mode := range 3 {
				a, b := randSlice(rng, m*k), randSlice(rng, k*n)
				lda, sai, sap, ta := k, k, 1, blas.NoTrans
				if trans { // a holds Aᵀ, k×m
					lda, sai, sap, ta = m, 1, m, blas.Trans
				}
				ep := epi{mode: mode}
				switch mode {
				case biasReLU:
					ep.e = randSlice(rng, n)
				case reluMask:
					ep.e = randSlice(rng, m*n)
					for i := range ep.e {
						switch rng.IntN(8) {
						case 0:
							ep.e[i] = 0
						case 1:
							ep.e[i] = math.NaN()
						}
					}
				}
				want := make([]float64, m*n)
				if k > 0 {
					blas64.Implementation().Dgemm(ta, blas.NoTrans, m, n, k, 1, a, max(lda, 1), b, n, 0, want, n)
				}
				var got [2][]float64
				for path, asm := range []bool{false, true} {
					useAVX2 = asm && hasAVX2()
					got[path] = randSlice(rng, m*n) // garbage gemm must overwrite
					gemm(m, n, k, a, sai, sap, b, n, got[path], n, ep)
				}
				for i := range m {
					for j := range n {
						scale := 0.0
						for p := range k {
							scale += math.Abs(a[i*sai+p*sap] * b[p*n+j])
						}
						w := want[i*n+j]
						switch mode {
						case biasReLU:
							w = max(w+ep.e[j], 0)
							scale += math.Abs(ep.e[j])
						case reluMask:
							if ep.e[i*n+j] <= 0 {
								w = 0
							}
						}
						g := got[1][i*n+j]
						if math.Abs(g-w) > 1e-12*scale {
							t.Fatalf("%v trans %v mode %d: c[%d,%d] = %v, Dgemm %v", s, trans, mode, i, j, g, w)
						}
						if math.Float64bits(g) != math.Float64bits(got[0][i*n+j]) {
							t.Fatalf("%v trans %v mode %d: c[%d,%d] assembly %v, Go %v", s, trans, mode, i, j, g, got[0][i*n+j])
						}
					}
				}
			}
		}
	}
}

// The epilogues' edge cases: a NaN sum stays NaN through the ReLU, and a
// NaN mask keeps the value, on both paths.
func TestGemmEpilogueNaN(t *testing.T) {
	m, n, k := 4, 8, 1
	a := []float64{1, 1, 1, 1}
	b := []float64{math.NaN(), -1, 1, 2, -2, 0, 3, math.Inf(1)}
	defer func(v bool) { useAVX2 = v }(useAVX2)
	for _, asm := range []bool{false, true} {
		useAVX2 = asm && hasAVX2()
		c := make([]float64, m*n)
		gemm(m, n, k, a, 1, 1, b, n, c, n, epi{biasReLU, make([]float64, n)})
		if !math.IsNaN(c[0]) || c[1] != 0 || c[2] != 1 || c[7] != math.Inf(1) {
			t.Fatalf("asm %v: ReLU row %v", asm, c[:n])
		}
		mask := make([]float64, m*n)
		for i := range mask {
			mask[i] = []float64{math.NaN(), 1, -1, 0}[i%4]
		}
		gemm(m, n, k, a, 1, 1, []float64{-1, 1, 2, 3, 4, 5, 6, 7}, n, c, n, epi{reluMask, mask})
		for i, want := range []float64{-1, 1, 0, 0, 4, 5, 0, 0} {
			if c[i] != want {
				t.Fatalf("asm %v: masked row %v", asm, c[:n])
			}
		}
	}
}

// The output must not spill past n columns when ldc > n.
func TestGemmStridedOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k, ldc := 9, 19, 6, 23
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	defer func(v bool) { useAVX2 = v }(useAVX2)
	for _, asm := range []bool{false, true} {
		useAVX2 = asm && hasAVX2()
		c := make([]float64, (m-1)*ldc+n)
		for i := range c {
			c[i] = -7
		}
		gemm(m, n, k, a, k, 1, b, n, c, ldc, epi{})
		for i := range m {
			for j := n; j < ldc && i*ldc+j < len(c); j++ {
				if c[i*ldc+j] != -7 {
					t.Fatalf("asm %v: wrote c[%d,%d]", asm, i, j)
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// colSums sums each column in row order, as the plain loop it replaced.
func TestColSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, out := range []int{1, 7, 8, 13, 32, 64} {
		r := 1 + rng.IntN(120)
		d := randSlice(rng, r*out)
		got := randSlice(rng, out)
		colSums(r, out, d, got)
		for j := range out {
			want := 0.0
			for i := range r {
				want += d[i*out+j]
			}
			if got[j] != want {
				t.Fatalf("out %d: column %d sums to %v, want %v", out, j, got[j], want)
			}
		}
	}
}
