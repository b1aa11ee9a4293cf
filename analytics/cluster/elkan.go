package cluster

import "math"

// elkan runs sklearn's _kmeans_single_elkan from centres c (overwritten).
// It keeps, per row, an upper bound on the distance to its own centre and a
// lower bound on the distance to every centre; together with the distances
// between centres (triangle inequality) they skip most distance
// computations while giving exactly Lloyd's assignments.
func (s *state) elkan(c []float64, maxIter int, tol float64) *run {
	n, d, k := s.n, s.d, s.k
	labels := make([]int32, n)
	upper := make([]float64, n)
	lower := make([]float64, n*k)
	half := make([]float64, k*k) // half the distance between centres
	near := make([]float64, k)   // half the distance to the nearest other centre
	next := make([]float64, k*d)
	shift := make([]float64, k)
	s.halves(c, half, near)

	// Initial bounds: scan the centres in order, skipping those that the
	// triangle inequality rules out.
	s.parallel(func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := s.x[i*d : (i+1)*d]
			lb := lower[i*k : (i+1)*k]
			best := 0
			m := math.Sqrt(sqDist(row, c[:d]))
			lb[0] = m
			for j := 1; j < k; j++ {
				if m > half[best*k+j] {
					v := math.Sqrt(sqDist(row, c[j*d:(j+1)*d]))
					lb[j] = v
					if v < m {
						m, best = v, j
					}
				}
			}
			labels[i] = int32(best)
			upper[i] = m
		}
	})

	strict := false
	it := 0
	for it < maxIter && !s.stopped() {
		it++
		s.parallel(func(ch, lo, hi int) {
			sums := s.sums[ch*k*d : (ch+1)*k*d]
			counts := s.counts[ch*k : (ch+1)*k]
			clear(sums)
			clear(counts)
			changed := 0
			for i := lo; i < hi; i++ {
				l := s.elkanRow(i, c, labels, upper, lower, half, near)
				if l != int(labels[i]) {
					labels[i] = int32(l)
					changed++
				}
				counts[l]++
				acc := sums[l*d : (l+1)*d]
				for j, v := range s.x[i*d : (i+1)*d] {
					acc[j] += v
				}
			}
			s.changed[ch] = changed
		})
		changed := s.update(c, next, labels, shift)
		if it == 1 {
			// sklearn compares against labels of -1 here, not the labels
			// from the initial bounds, so the first iteration never counts
			// as converged.
			changed = n
		}
		for j := range shift {
			shift[j] = math.Sqrt(shift[j])
		}
		s.parallel(func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				upper[i] += shift[labels[i]]
				lb := lower[i*k : (i+1)*k]
				for j := range lb {
					lb[j] = max(lb[j]-shift[j], 0)
				}
			}
		})
		s.halves(next, half, near)
		c, next = next, c
		s.report(it)
		if changed == 0 {
			strict = true
			break
		}
		var tot float64
		for _, v := range shift {
			tot += v * v
		}
		if tot <= tol {
			break
		}
	}
	if s.stopped() {
		// The caller gave up and discards the run: skip the last pass.
		return &run{centres: c, labels: labels, iter: it}
	}
	if !strict {
		s.parallel(func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				labels[i] = int32(s.elkanRow(i, c, labels, upper, lower, half, near))
			}
		})
	}
	return &run{centres: c, labels: labels, inertia: s.inertia(c, labels), iter: it}
}

// elkanRow returns the nearest centre of row i, tightening its bounds only
// where the triangle inequality cannot rule a centre out. It writes upper[i]
// and lower[i,·] but not labels[i].
func (s *state) elkanRow(i int, c []float64, labels []int32, upper, lower, half, near []float64) int {
	d, k := s.d, s.k
	row := s.x[i*d : (i+1)*d]
	lb := lower[i*k : (i+1)*k]
	ub := upper[i]
	l := int(labels[i])
	tight := false
	// Written as !(a >= b) like sklearn so that NaN never skips the scan.
	if !(near[l] >= ub) {
		for j := range k {
			if j == l || ub <= lb[j] || ub <= half[l*k+j] {
				continue
			}
			if !tight {
				ub = math.Sqrt(sqDist(row, c[l*d:(l+1)*d]))
				lb[l] = ub
				tight = true
				if ub <= lb[j] && ub <= half[l*k+j] {
					continue
				}
			}
			v := math.Sqrt(sqDist(row, c[j*d:(j+1)*d]))
			lb[j] = v
			if v < ub {
				l, ub = j, v
			}
		}
	}
	upper[i] = ub
	return l
}

// halves fills half with half the distances between centres and near with
// each centre's half distance to its nearest other centre.
func (s *state) halves(c, half, near []float64) {
	d, k := s.d, s.k
	for a := range k {
		near[a] = math.Inf(1)
	}
	for a := range k {
		half[a*k+a] = 0
		for b := a + 1; b < k; b++ {
			v := math.Sqrt(sqDist(c[a*d:(a+1)*d], c[b*d:(b+1)*d])) / 2
			half[a*k+b], half[b*k+a] = v, v
			near[a] = min(near[a], v)
			near[b] = min(near[b], v)
		}
	}
}
