package mlp

// The three matrix products of a layer, by gemm. The one-unit output
// layer's weight gradient is a matrix-vector product, which a plain loop
// does best.

// layerForward sets z (r×out) = a (r×in) · w (in×out) + b, then the ReLU
// for a hidden layer.
func layerForward(r, in, out int, a, w, b, z []float64, relu bool) {
	if relu {
		gemm(r, out, in, a, in, 1, w, out, z, out, epi{biasReLU, b})
		return
	}
	gemm(r, out, in, a, in, 1, w, out, z, out, epi{})
	b = b[:out]
	for i := range r {
		row := z[i*out : (i+1)*out]
		for j := range row[:len(b)] {
			row[j] += b[j]
		}
	}
}

// gradW sets g (in×out) = aᵀ · d, for a (r×in) and d (r×out).
func gradW(r, in, out int, a, d, g []float64) {
	if out > 1 {
		gemm(in, out, r, a, 1, in, d, out, g, out, epi{})
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

// backDelta sets p (r×in) = d · wᵀ, for d (r×out) and w (in×out), and
// zeroes it where mask (r×in, the layer's ReLU outputs; nil for none) is
// ≤ 0. wt is scratch for wᵀ, which gemm needs row-major (nil allocates
// it); for one output, w is already its own transpose.
func backDelta(r, in, out int, d, w, wt, mask, p []float64) {
	if out > 1 {
		if len(wt) < in*out {
			wt = make([]float64, in*out)
		}
		for k := range in {
			for j, v := range w[k*out : (k+1)*out] {
				wt[j*in+k] = v
			}
		}
		w = wt
	}
	ep := epi{}
	if mask != nil {
		ep = epi{reluMask, mask}
	}
	gemm(r, in, out, d, out, 1, w, in, p, in, ep)
}

// colSums sets s (out) to the column sums of d (r×out), each summed over
// the rows in order, eight columns at a time in registers.
func colSums(r, out int, d, s []float64) {
	s = s[:out]
	j := 0
	for ; j+8 <= out; j += 8 {
		var s0, s1, s2, s3, s4, s5, s6, s7 float64
		for i := range r {
			row := d[i*out+j : i*out+j+8 : i*out+j+8]
			s0 += row[0]
			s1 += row[1]
			s2 += row[2]
			s3 += row[3]
			s4 += row[4]
			s5 += row[5]
			s6 += row[6]
			s7 += row[7]
		}
		s[j], s[j+1], s[j+2], s[j+3], s[j+4], s[j+5], s[j+6], s[j+7] = s0, s1, s2, s3, s4, s5, s6, s7
	}
	for ; j < out; j++ {
		v := 0.0
		for i := range r {
			v += d[i*out+j]
		}
		s[j] = v
	}
}
