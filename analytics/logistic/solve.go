package logistic

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// memory is the number of (s, y) pairs L-BFGS keeps, scipy's L-BFGS-B
// default.
const memory = 10

// armijo is the sufficient-decrease constant of the line search.
const armijo = 1e-4

// solve minimises p's smooth objective plus l1·‖w‖₁ (l1 may be 0) from
// zero, with L-BFGS, or for l1 > 0 OWL-QN (Andrew & Gao 2007): L-BFGS on
// the pseudo-gradient (the smallest-norm subgradient), directions and steps
// kept in the orthant of the current point, coefficients that would cross
// zero set to exactly 0, and curvature pairs from the gradient of the
// smooth part only. The intercept (last parameter) is never in the L1 term.
// All gradients are scaled by 1/Σs_i, as Tol is.
//
// The line search backtracks from the quasi-Newton step (1/‖d‖ on the
// first iteration) until the Armijo condition holds. Near the optimum the
// decrease of a step falls below the rounding error of the objective,
// even summed with compensation (see problem.eval); then the convexity of
// the objective decides instead: along a segment on which no coefficient
// was clipped to zero, F(x+s) − F(x) ≤ ∇F(x+s)·s, so a step whose end
// slope ∇F(x+s)·s already meets the Armijo bound is accepted. That slope
// comes from gradients only, which stay accurate, so Tol can be tight
// (1e-14 is reached on all four fixtures; see TestTightTol).
//
// It stops when max|pseudo-gradient| ≤ opt.Tol (Converged), after
// opt.MaxIter iterations, or when no step decreases the objective, which
// happens only at rounding level.
func solve(p *problem, l1 float64, opt Options) *Model {
	k := p.k
	dim := k + 1
	pen := l1 > 0
	lam := l1 * p.scale // the L1 weight on the scale of the gradient

	vec := func() []float64 { return make([]float64, dim) }
	x, g, pg, d, xt, gt, step := vec(), vec(), vec(), vec(), vec(), vec(), vec()
	var sMem, yMem [memory][]float64
	for i := range memory {
		sMem[i], yMem[i] = vec(), vec()
	}
	var rho, alpha [memory]float64
	stored, newest := 0, -1

	fHi, fLo := p.eval(x, g)
	m := &Model{}
	for {
		copy(pg, g)
		if pen {
			for j := range k {
				switch {
				case x[j] > 0:
					pg[j] = g[j] + lam
				case x[j] < 0:
					pg[j] = g[j] - lam
				case g[j]+lam < 0:
					pg[j] = g[j] + lam
				case g[j]-lam > 0:
					pg[j] = g[j] - lam
				default:
					pg[j] = 0
				}
			}
		}
		if floats.Norm(pg, math.Inf(1)) <= opt.Tol {
			m.Converged = true
			break
		}
		if m.Iterations >= opt.MaxIter {
			break
		}

		// d = −H·pg by the two-loop recursion.
		for j := range d {
			d[j] = -pg[j]
		}
		for c, i := 0, newest; c < stored; c, i = c+1, (i+memory-1)%memory {
			alpha[i] = rho[i] * floats.Dot(sMem[i], d)
			floats.AddScaled(d, -alpha[i], yMem[i])
		}
		if stored > 0 {
			yy := floats.Dot(yMem[newest], yMem[newest])
			floats.Scale(1/(rho[newest]*yy), d)
		}
		for c, i := 0, (newest+memory-stored+1)%memory; c < stored; c, i = c+1, (i+1)%memory {
			beta := rho[i] * floats.Dot(yMem[i], d)
			floats.AddScaled(d, alpha[i]-beta, sMem[i])
		}
		if pen {
			// Keep each penalised coordinate moving against its
			// pseudo-gradient, or not at all.
			for j := range k {
				if d[j]*pg[j] >= 0 {
					d[j] = 0
				}
			}
		}
		if !(floats.Dot(pg, d) < 0) {
			// Not a descent direction: forget the history.
			stored, newest = 0, -1
			for j := range d {
				d[j] = -pg[j]
			}
		}

		// Backtrack, projecting onto the orthant of x (the sign of x_j, or
		// of −pg_j where x_j = 0).
		t := 1.0
		if stored == 0 {
			t = 1 / floats.Norm(d, 2)
		}
		accepted := false
		var tHi, tLo float64
		for range 64 {
			var l1Change float64
			clipped := false
			for j := range dim {
				xt[j] = x[j] + t*d[j]
				if pen && j < k {
					if orth := orthant(x[j], pg[j]); xt[j]*orth <= 0 && xt[j] != 0 {
						xt[j] = 0
						clipped = true
					}
					l1Change += math.Abs(xt[j]) - math.Abs(x[j])
				}
			}
			floats.SubTo(step, xt, x)
			if floats.Norm(step, math.Inf(1)) == 0 {
				break // the step underflowed
			}
			tHi, tLo = p.eval(xt, gt)
			bound := armijo * floats.Dot(pg, step)
			change := ((tHi-fHi)+(tLo-fLo))*p.scale + lam*l1Change
			if change <= bound {
				accepted = true
				break
			}
			if !clipped {
				slope := floats.Dot(gt, step)
				if pen {
					for j := range k {
						slope += lam * orthant(x[j], pg[j]) * step[j]
					}
				}
				if slope <= bound {
					accepted = true
					break
				}
			}
			t /= 2
		}
		if !accepted {
			// No decrease even for tiny steps: rounding noise at the
			// optimum. Keep x; Converged stays false.
			break
		}
		m.Iterations++

		i := (newest + 1) % memory
		copy(sMem[i], step)
		floats.SubTo(yMem[i], gt, g)
		if sy, yy := floats.Dot(sMem[i], yMem[i]), floats.Dot(yMem[i], yMem[i]); sy > 2.2e-16*yy && yy > 0 {
			rho[i] = 1 / sy
			newest = i
			stored = min(stored+1, memory)
		}
		x, xt = xt, x
		g, gt = gt, g
		fHi, fLo = tHi, tLo
	}
	m.Intercept = x[k]
	m.Coef = append([]float64(nil), x[:k]...)
	return m
}

// orthant returns the sign OWL-QN keeps coordinate j in: that of x_j, or
// where x_j = 0 that of −pg_j (0 if pg_j = 0, and then d_j is 0 too).
func orthant(xj, pgj float64) float64 {
	switch {
	case xj > 0:
		return 1
	case xj < 0:
		return -1
	case pgj < 0:
		return 1
	case pgj > 0:
		return -1
	}
	return 0
}
