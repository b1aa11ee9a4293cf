package mlp

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// gemm against gonum's Dgemm, plain and with A transposed, on the
// training shapes and odd ones, with the assembly on (where the CPU has
// it) and off: each within 1e-12 of Dgemm relative to Σ|a·b|, and the two
// paths equal to the bit.
func TestGemmMatchesDgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{100, 64, 20}, {100, 32, 64}, {20, 64, 100}, {64, 32, 100}, {100, 64, 32},
		{1, 1, 1}, {3, 7, 5}, {4, 8, 1}, {5, 9, 3}, {13, 17, 11}, {8, 24, 0}, {7, 1, 33}, {101, 65, 21}}
	for range 20 {
		shapes = append(shapes, [3]int{1 + rng.IntN(40), 1 + rng.IntN(40), 1 + rng.IntN(40)})
	}
	defer func(v bool) { useAVX2 = v }(useAVX2)
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, trans := range []bool{false, true} {
			a, b := randSlice(rng, m*k), randSlice(rng, k*n)
			lda, sai, sap, ta := k, k, 1, blas.NoTrans
			if trans { // a holds Aᵀ, k×m
				lda, sai, sap, ta = m, 1, m, blas.Trans
			}
			want := make([]float64, m*n)
			if k > 0 {
				impl.Dgemm(ta, blas.NoTrans, m, n, k, 1, a, max(lda, 1), b, n, 0, want, n)
			}
			var got [2][]float64
			for path, asm := range []bool{false, true} {
				useAVX2 = asm && hasAVX2()
				got[path] = randSlice(rng, m*n) // garbage gemm must overwrite
				gemm(m, n, k, a, sai, sap, b, n, got[path], n)
			}
			for i := range m {
				for j := range n {
					scale := 0.0
					for p := range k {
						scale += math.Abs(a[i*sai+p*sap] * b[p*n+j])
					}
					g, w := got[1][i*n+j], want[i*n+j]
					if math.Abs(g-w) > 1e-12*scale {
						t.Fatalf("%v trans %v: c[%d,%d] = %v, Dgemm %v", s, trans, i, j, g, w)
					}
					if g != got[0][i*n+j] {
						t.Fatalf("%v trans %v: c[%d,%d] assembly %v, Go %v", s, trans, i, j, g, got[0][i*n+j])
					}
				}
			}
		}
	}
}

// The output must not spill past n columns when ldc > n.
func TestGemmStridedOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k, ldc := 9, 19, 6, 23
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	for _, asm := range []bool{false, true} {
		defer func(v bool) { useAVX2 = v }(useAVX2)
		useAVX2 = asm && hasAVX2()
		c := make([]float64, (m-1)*ldc+n)
		for i := range c {
			c[i] = -7
		}
		gemm(m, n, k, a, k, 1, b, n, c, ldc)
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
