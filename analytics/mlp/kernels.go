package mlp

// The three matrix products of a layer, by gemm for the hidden layers.
// The one-unit output layer is a matrix-vector product, which plain loops
// do best.

// matmul sets z (r×out) = a (r×in) · w (in×out).
func matmul(r, in, out int, a, w, z []float64) {
	if out > 1 {
		gemm(r, out, in, a, in, 1, w, out, z, out)
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
		gemm(in, out, r, a, 1, in, d, out, g, out)
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

// backDelta sets p (r×in) = d · wᵀ, for d (r×out) and w (in×out); wt
// is scratch for wᵀ, which gemm needs row-major (nil allocates it).
func backDelta(r, in, out int, d, w, wt, p []float64) {
	if out > 1 {
		if len(wt) < in*out {
			wt = make([]float64, in*out)
		}
		for k := range in {
			for j, v := range w[k*out : (k+1)*out] {
				wt[j*in+k] = v
			}
		}
		gemm(r, in, out, d, out, 1, wt, in, p, in)
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
