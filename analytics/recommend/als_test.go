package recommend

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type alsProblem struct {
	nU, nI int
	u, i   []int32
	w      []float64
}

func alsRandomProblem(seed uint64, nU, nI int, density float64) alsProblem {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := alsProblem{nU: nU, nI: nI}
	for u := range nU {
		for i := range nI {
			if rng.Float64() < density {
				p.u = append(p.u, int32(u))
				p.i = append(p.i, int32(i))
				p.w = append(p.w, float64(1+rng.IntN(5)))
			}
		}
	}
	// A duplicate pair: must be summed, as in the reference below.
	p.u, p.i, p.w = append(p.u, 0), append(p.i, 0), append(p.w, 2)
	return p
}

// alsNaiveSweep solves every row exactly: x = (YᵀCY + λI)⁻¹ YᵀCp over all
// columns, with dense C and p built from the full matrix.
func alsNaiveSweep(t *testing.T, X, Y []float64, R *mat.Dense, k int, alpha, lambda float64) {
	nRows, nCols := R.Dims()
	Ym := mat.NewDense(nCols, k, Y)
	for u := range nRows {
		A := mat.NewDense(k, k, nil)
		b := mat.NewVecDense(k, nil)
		for i := range nCols {
			r := R.At(u, i)
			c, p := 1+alpha*r, 0.0
			if r > 0 {
				p = 1
			}
			y := Ym.RawRowView(i)
			for a := range k {
				for bb := range k {
					A.Set(a, bb, A.At(a, bb)+c*y[a]*y[bb])
				}
				b.SetVec(a, b.AtVec(a)+c*p*y[a])
			}
		}
		for a := range k {
			A.Set(a, a, A.At(a, a)+lambda)
		}
		var x mat.VecDense
		if err := x.SolveVec(A, b); err != nil {
			t.Fatal(err)
		}
		for a := range k {
			X[u*k+a] = x.AtVec(a)
		}
	}
}

func TestALSMatchesNaiveReference(t *testing.T) {
	p := alsRandomProblem(3, 9, 7, 0.35)
	opt := ALSOptions{Factors: 4, Iterations: 5, Lambda: 0.1, Alpha: 2, CGSteps: 12, Seed: 42, Workers: 2}
	m, err := TrainALS(p.nU, p.nI, p.u, p.i, p.w, opt)
	if err != nil {
		t.Fatal(err)
	}
	R := mat.NewDense(p.nU, p.nI, nil)
	for k := range p.u {
		R.Set(int(p.u[k]), int(p.i[k]), R.At(int(p.u[k]), int(p.i[k]))+p.w[k])
	}
	o := opt
	o.defaults()
	ref := alsInit(p.nU, p.nI, o)
	for range opt.Iterations {
		alsNaiveSweep(t, ref.UserFactors, ref.ItemFactors, R, opt.Factors, opt.Alpha, opt.Lambda)
		alsNaiveSweep(t, ref.ItemFactors, ref.UserFactors, mat.DenseCopyOf(R.T()), opt.Factors, opt.Alpha, opt.Lambda)
	}
	check := func(name string, got, want []float64) {
		for i := range want {
			if d := math.Abs(got[i] - want[i]); d > 1e-9*(1+math.Abs(want[i])) {
				t.Fatalf("%s[%d] = %v, reference %v (diff %g)", name, i, got[i], want[i], d)
			}
		}
	}
	check("user factors", m.UserFactors, ref.UserFactors)
	check("item factors", m.ItemFactors, ref.ItemFactors)

	// The fast objective equals the direct O(users·items) sum.
	obj, err := m.Objective(p.u, p.i, p.w)
	if err != nil {
		t.Fatal(err)
	}
	direct := 0.0
	k := m.K
	for u := range p.nU {
		for i := range p.nI {
			r := R.At(u, i)
			c, pr := 1+opt.Alpha*r, 0.0
			if r > 0 {
				pr = 1
			}
			s := alsDot(m.UserFactors[u*k:u*k+k], m.ItemFactors[i*k:i*k+k])
			direct += c * (pr - s) * (pr - s)
		}
	}
	direct += opt.Lambda * (alsDot(m.UserFactors, m.UserFactors) + alsDot(m.ItemFactors, m.ItemFactors))
	if math.Abs(obj-direct) > 1e-10*direct {
		t.Fatalf("objective %v, direct sum %v", obj, direct)
	}
}

func TestALSObjectiveDecreases(t *testing.T) {
	p := alsRandomProblem(5, 60, 40, 0.1)
	for _, steps := range []int{1, 3} {
		m, err := TrainALS(p.nU, p.nI, p.u, p.i, p.w, ALSOptions{Factors: 8, Iterations: 12, Lambda: 0.05, Alpha: 10, CGSteps: steps, Seed: 1, TrackObjective: true})
		if err != nil {
			t.Fatal(err)
		}
		// Initial objective, before any sweep.
		m0 := alsInit(p.nU, p.nI, ALSOptions{Factors: 8, Seed: 1, Alpha: 10, Lambda: 0.05})
		prev, _ := m0.Objective(p.u, p.i, p.w)
		for it, o := range m.Objectives {
			if !(o < prev) {
				t.Fatalf("CG steps %d, iteration %d: objective %v did not decrease from %v", steps, it, o, prev)
			}
			prev = o
		}
	}
}

func TestALSDeterministic(t *testing.T) {
	p := alsRandomProblem(9, 300, 80, 0.05)
	train := func(seed uint64, workers int) *ALSModel {
		m, err := TrainALS(p.nU, p.nI, p.u, p.i, p.w, ALSOptions{Factors: 6, Iterations: 4, Seed: seed, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b, c := train(11, 1), train(11, 2), train(12, 2)
	if !slices.Equal(a.UserFactors, b.UserFactors) || !slices.Equal(a.ItemFactors, b.ItemFactors) {
		t.Fatal("same seed, different workers: factors differ")
	}
	if slices.Equal(a.UserFactors, c.UserFactors) {
		t.Fatal("different seeds gave identical factors")
	}
	s := a.Scores(3, nil)
	k := a.K
	for i := range s {
		if s[i] != alsDot(a.UserFactors[3*k:4*k], a.ItemFactors[i*k:i*k+k]) {
			t.Fatal("Scores disagrees with the factor product")
		}
	}
}

func TestALSBadInput(t *testing.T) {
	if _, err := TrainALS(2, 2, []int32{0}, []int32{2}, []float64{1}, ALSOptions{}); err == nil {
		t.Fatal("out-of-range item accepted")
	}
	if _, err := TrainALS(2, 2, []int32{0}, []int32{1}, []float64{-1}, ALSOptions{}); err == nil {
		t.Fatal("negative weight accepted")
	}
	if _, err := TrainALS(2, 2, []int32{0}, []int32{1}, []float64{math.NaN()}, ALSOptions{}); err == nil {
		t.Fatal("NaN weight accepted")
	}
	if _, err := TrainALS(2, 2, []int32{0, 1}, []int32{1}, []float64{1}, ALSOptions{}); err == nil {
		t.Fatal("ragged slices accepted")
	}
	// No interactions at all: trains to zero factors without failing.
	m, err := TrainALS(3, 2, nil, nil, nil, ALSOptions{Factors: 2, Iterations: 2})
	if err != nil || len(m.Scores(0, nil)) != 2 {
		t.Fatalf("empty data: %v", err)
	}
}
