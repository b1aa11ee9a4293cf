package mlp

import "gonum.org/v1/gonum/blas"

// The three matrix products of a layer. gonum's Dgemm handles the hidden
// layers well, but for the one-unit output layer it makes one call per
// element, which cost as much as the hidden layers together; plain loops
// do that layer instead.

// matmul sets z (r×out) = a (r×in) · w (in×out).
func matmul(r, in, out int, a, w, z []float64) {
	if out > 1 {
		impl.Dgemm(blas.NoTrans, blas.NoTrans, r, out, in, 1, a, in, w, out, 0, z, out)
		return
	}
	w = w[:in]
	for i := range r {
		s := 0.0
		for k, v := range a[i*in : (i+1)*in] {
			s += v * w[k]
		}
		z[i] = s
	}
}

// gradW sets g (in×out) = aᵀ · d, for a (r×in) and d (r×out).
func gradW(r, in, out int, a, d, g []float64) {
	if out > 1 {
		impl.Dgemm(blas.Trans, blas.NoTrans, in, out, r, 1, a, in, d, out, 0, g, out)
		return
	}
	g = g[:in]
	clear(g)
	for i, di := range d[:r] {
		for k, v := range a[i*in : (i+1)*in] {
			g[k] += di * v
		}
	}
}

// backDelta sets p (r×in) = d · wᵀ, for d (r×out) and w (in×out).
func backDelta(r, in, out int, d, w, p []float64) {
	if out > 1 {
		impl.Dgemm(blas.NoTrans, blas.Trans, r, in, out, 1, d, out, w, out, 0, p, in)
		return
	}
	w = w[:in]
	for i, di := range d[:r] {
		row := p[i*in : (i+1)*in]
		for k, v := range w {
			row[k] = di * v
		}
	}
}
