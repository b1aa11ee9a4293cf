package forest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// code must agree with the float comparison for every threshold: code ≤ c
// exactly when x ≤ t[c], for thresholds themselves, their neighbours,
// signed zeros, infinities and NaN.
func TestCode(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{1, 2, 3, 127, 128, 200, 254, 255} {
		v := make([]float64, 0, n)
		for len(v) < n {
			v = append(v, math.Round(r.NormFloat64()*1e3)/1e2)
			slices.Sort(v)
			v = slices.Compact(v)
		}
		if n > 2 {
			v[n/2] = 0 // a zero threshold, for −0 and +0
			slices.Sort(v)
			v = slices.Compact(v)
		}
		tab := new([256]uint64)
		for i := range tab {
			tab[i] = math.MaxUint64
		}
		for i, x := range v {
			tab[i] = key(x)
		}
		xs := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), math.MaxFloat64, -math.MaxFloat64, 5e-324, -5e-324}
		for _, x := range v {
			xs = append(xs, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
		}
		for range 200 {
			xs = append(xs, r.NormFloat64()*10)
		}
		for _, x := range xs {
			c := int(code(tab, key(x)))
			for i, th := range v {
				if (c <= i) != (x <= th) {
					t.Fatalf("%d thresholds: x=%v code %d, threshold %d = %v", len(v), x, c, i, th)
				}
			}
		}
	}
}

// Forests whose thresholds do not fit in codes (only hand-made ones) use
// the float walk, with the same results as the reference walk; so do rows
// with infinities, signed zeros and NaN in the code walk.
func TestPredictFallback(t *testing.T) {
	X, y := synth(2000, 4, 9)
	f, err := Fit(X, y, Options{NTrees: 5, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	test := mat.NewDense(5000, 4, nil) // several blocks per super-block
	r := rand.New(rand.NewPCG(1, 2))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	for i := range 5000 {
		for j := range 4 {
			v := r.NormFloat64()
			if i%7 == 0 {
				v = special[(i/7+j)%len(special)]
			}
			test.Set(i, j, v)
		}
	}
	check := func(name string) {
		t.Helper()
		p, err := f.PredictProba(test)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5000 {
			x := test.RawRowView(i)
			ref := make([]float64, 2)
			for _, tr := range f.Trees {
				l := tr.leafOf(0, x)
				ref[0] += tr.proba[2*l]
				ref[1] += tr.proba[2*l+1]
			}
			ref[0] /= float64(len(f.Trees))
			ref[1] /= float64(len(f.Trees))
			if !slices.Equal(ref, p.RawRowView(i)) {
				t.Fatalf("%s: row %d %v: %v, reference %v", name, i, x, p.RawRowView(i), ref)
			}
		}
	}
	if _, ok := f.compile(); !ok {
		t.Fatal("a fitted forest should compile to codes")
	}
	check("codes")
	// Nudge thresholds so that feature 0 has more than 255 distinct ones.
	m := 0
	for _, tr := range f.Trees {
		for i := range tr.nodes {
			if !tr.isLeaf(i) && tr.nodes[i].Feature == 0 {
				tr.nodes[i].Threshold += float64(m) * 1e-9
				m++
			}
		}
	}
	if m <= 255 {
		t.Fatalf("only %d splits on feature 0", m)
	}
	if _, ok := f.compile(); ok {
		t.Fatal("more than 255 thresholds should not compile to codes")
	}
	check("float")
}
