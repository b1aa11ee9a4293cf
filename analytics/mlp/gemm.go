package mlp

// epi is what gemm does to each sum before storing it, so the ReLU costs
// no pass of its own, nor a branch per unit that the CPU mispredicts half
// the time.
type epi struct {
	mode int       // plain, biasReLU or reluMask
	e    []float64 // the bias (n), or the mask (laid out as c)
}

const (
	plain    = iota
	biasReLU // c = max(c + e[j], 0), NaN kept (and -0 too, as the assembly's VMAXPD)
	reluMask // c = 0 where e[i*ldc+j] ≤ 0: the ReLU's derivative
)

// gemm sets c (m×n, row stride ldc) to A·B, where A(i, p) = a[i*sai+p*sap]
// (so Aᵀ is the same call with the strides swapped) and B(p, j) =
// b[p*ldb+j], then applies ep. Every path sums each element over p in
// order with each product rounded first (float64(x*y) stops the compiler
// fusing them into an FMA), as the assembly does, so all give the same
// bits and the network does not depend on the CPU.
func gemm(m, n, k int, a []float64, sai, sap int, b []float64, ldb int, c []float64, ldc int, ep epi) {
	if m == 0 || n == 0 {
		return
	}
	// The assembly does not check bounds: touch the last element of each.
	_ = c[(m-1)*ldc+n-1]
	switch ep.mode {
	case biasReLU:
		_ = ep.e[n-1]
	case reluMask:
		_ = ep.e[(m-1)*ldc+n-1]
	}
	if k == 0 {
		gemmGo(m, n, 0, nil, 0, 0, nil, 0, c, ldc, ep)
		return
	}
	_ = a[(m-1)*sai+(k-1)*sap]
	_ = b[(k-1)*ldb+n-1]
	m4, n8 := 0, 0
	if useAVX2 && m >= 4 && n >= 8 {
		m4, n8 = m&^3, n&^7
		var e *float64
		for i := 0; i < m4; i += 4 {
			switch ep.mode {
			case biasReLU:
				e = &ep.e[0]
			case reluMask:
				e = &ep.e[i*ldc]
			}
			gemm4x8(k, &a[i*sai], sai, sap, &b[0], ldb, &c[i*ldc], ldc, n8, e, ep.mode)
		}
		if n8 < n {
			gemmGo(m4, n-n8, k, a, sai, sap, b[n8:], ldb, c[n8:], ldc, ep.from(0, n8, ldc))
		}
	}
	if m4 < m {
		gemmGo(m-m4, n, k, a[m4*sai:], sai, sap, b, ldb, c[m4*ldc:], ldc, ep.from(m4, 0, ldc))
	}
}

// from is ep for the block of c starting at row i, column j.
func (ep epi) from(i, j, ldc int) epi {
	switch ep.mode {
	case biasReLU:
		ep.e = ep.e[j:]
	case reluMask:
		ep.e = ep.e[i*ldc+j:]
	}
	return ep
}

// gemmGo is gemm in Go, two rows by four columns at a time so the sums
// stay in registers.
func gemmGo(m, n, k int, a []float64, sai, sap int, b []float64, ldb int, c []float64, ldc int, ep epi) {
	i := 0
	for ; i+2 <= m; i += 2 {
		a0, a1 := i*sai, (i+1)*sai
		c0, c1 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 float64
			for p := range k {
				x0, x1 := a[a0+p*sap], a[a1+p*sap]
				bp := b[p*ldb+j : p*ldb+j+4 : p*ldb+j+4]
				s00 += float64(x0 * bp[0])
				s01 += float64(x0 * bp[1])
				s02 += float64(x0 * bp[2])
				s03 += float64(x0 * bp[3])
				s10 += float64(x1 * bp[0])
				s11 += float64(x1 * bp[1])
				s12 += float64(x1 * bp[2])
				s13 += float64(x1 * bp[3])
			}
			c0[j], c0[j+1], c0[j+2], c0[j+3] = s00, s01, s02, s03
			c1[j], c1[j+1], c1[j+2], c1[j+3] = s10, s11, s12, s13
		}
		for ; j < n; j++ {
			c0[j] = dotStrided(k, a[a0:], sap, b[j:], ldb)
			c1[j] = dotStrided(k, a[a1:], sap, b[j:], ldb)
		}
	}
	for ; i < m; i++ {
		for j := range n {
			c[i*ldc+j] = dotStrided(k, a[i*sai:], sap, b[j:], ldb)
		}
	}
	ep.apply(m, n, c, ldc)
}

// apply does the epilogue over c in a pass of its own, for gemmGo.
func (ep epi) apply(m, n int, c []float64, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch ep.mode {
		case biasReLU:
			for j, b := range ep.e[:len(row)] {
				if s := row[j] + b; s < 0 {
					row[j] = 0
				} else {
					row[j] = s
				}
			}
		case reluMask:
			for j, v := range ep.e[i*ldc : i*ldc+len(row)] {
				if v <= 0 {
					row[j] = 0
				}
			}
		}
	}
}

// dotStrided is Σ_p x[p*sx]·y[p*sy], in order.
func dotStrided(k int, x []float64, sx int, y []float64, sy int) float64 {
	s := 0.0
	if sx == 1 && sy == 1 { // the output layer: no bounds checks in the loop
		y = y[:k]
		for p, v := range x[:k] {
			s += float64(v * y[p])
		}
		return s
	}
	for p := range k {
		s += float64(x[p*sx] * y[p*sy])
	}
	return s
}
