package abtest

import (
	"math"
	"strings"
	"testing"
)

func TestInvalidInput(t *testing.T) {
	ok := Group{Name: "control", N: 100, Conversions: 5}
	v := Group{Name: "B", N: 100, Conversions: 7}
	cases := []struct {
		name     string
		control  Group
		variants []Group
		opt      Options
		want     string // part of the message
	}{
		{"empty group", Group{Name: "control"}, []Group{v}, Options{}, `control "control" has no customers (n = 0)`},
		{"negative n", ok, []Group{{Name: "B", N: -3}}, Options{}, "cannot be negative"},
		{"conversions above n", ok, []Group{{Name: "B", N: 20, Conversions: 30}}, Options{}, `variant "B" has 30 conversions but only 20 customers`},
		{"negative conversions", ok, []Group{{Name: "B", N: 20, Conversions: -1}}, Options{}, "conversions cannot be negative"},
		{"no variants", ok, nil, Options{}, "at least one variant"},
		{"split not 100", ok, []Group{v}, Options{Split: []float64{50, 40}}, "adds up to 90%, not 100%"},
		{"split wrong length", ok, []Group{v}, Options{Split: []float64{100}}, "1 percentages but there are 2 groups"},
		{"split zero share", ok, []Group{v}, Options{Split: []float64{100, 0}}, "share above 0%"},
		{"confidence as percent", ok, []Group{v}, Options{Confidence: 95}, "not between 0 and 1"},
		{"revenue misses customers", ok, []Group{{Name: "B", N: 100, Conversions: 7, Revenue: &Revenue{N: 7, Mean: 3, SD: 1}}}, Options{}, "include customers who spent nothing as 0"},
		{"revenue negative sd", ok, []Group{{Name: "B", N: 100, Conversions: 7, Revenue: &Revenue{N: 100, Mean: 3, SD: -1}}}, Options{}, "standard deviation"},
		{"revenue NaN", ok, []Group{{Name: "B", N: 100, Conversions: 7, Revenue: &Revenue{N: 100, Mean: math.NaN(), SD: 1}}}, Options{}, "mean revenue is NaN"},
		{"unknown adjustment", ok, []Group{v}, Options{Adjust: 7}, "unknown p-value adjustment"},
	}
	for _, c := range cases {
		_, err := Analyze(c.control, c.variants, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}

	if _, err := WilsonInterval(5, 0, 0.95); err == nil {
		t.Error("WilsonInterval with n = 0 gave no error")
	}
	if _, err := ProbabilityToBeat(3, 2, 1, 10); err == nil || !strings.Contains(err.Error(), "cannot exceed") {
		t.Errorf("ProbabilityToBeat(3 of 2): %v", err)
	}
	if _, err := SummarizeRevenue([]float64{1}); err == nil {
		t.Error("SummarizeRevenue of one value gave no error")
	}
	if _, err := SummarizeRevenue([]float64{1, math.Inf(1)}); err == nil {
		t.Error("SummarizeRevenue with +Inf gave no error")
	}
	if _, err := ChiSquareIndependence([][]int64{{0, 5}, {0, 7}}, false); err == nil {
		t.Error("chi-square with an all-zero column gave no error")
	}
	if _, err := AdjustPValues([]float64{0.5, 1.2}, AdjustHolm); err == nil {
		t.Error("AdjustPValues accepted p = 1.2")
	}
	for _, d := range []struct {
		d     Design
		power float64
		want  string
	}{
		{Design{Baseline: 5, MDE: 0.01}, 0.8, "write 5 % as 0.05"},
		{Design{Baseline: 0.05}, 0.8, "non-zero"},
		{Design{Baseline: 0.95, MDE: 0.1}, 0.8, "not between 0 and 1"},
		{Design{Baseline: 0.05, MDE: -2, Relative: true}, 0.8, "not between 0 and 1"},
		{Design{Baseline: 0.05, MDE: 0.01}, 80, "power 80"},
		{Design{Baseline: 0.05, MDE: 0.01, Alpha: 5}, 0.8, "alpha 5"},
	} {
		if _, err := SampleSize(d.d, d.power); err == nil || !strings.Contains(err.Error(), d.want) {
			t.Errorf("SampleSize(%+v, %v): %v, want %q", d.d, d.power, err, d.want)
		}
	}
	if _, err := Power(Design{Baseline: 0.05, MDE: 0.01}, 0); err == nil {
		t.Error("Power with 0 customers gave no error")
	}
}

func TestUndefinedTestsAreNaNWithANote(t *testing.T) {
	r, err := Analyze(Group{Name: "control", N: 50}, []Group{{Name: "B", N: 40}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := r.Variants[0]
	if !math.IsNaN(k.ZTest.P) || !math.IsNaN(k.ChiSquare.P) || !math.IsNaN(k.RelLift) || !math.IsNaN(r.Overall.P) {
		t.Errorf("no conversions anywhere: %+v", k)
	}
	if k.Significant {
		t.Error("an undefined test was called significant")
	}
	if len(r.Notes) == 0 {
		t.Error("no note explains the undefined numbers")
	}
	if k.Bayes.ProbBeatControl <= 0.5 || k.Bayes.ProbBeatControl >= 0.6 {
		// Same zero rate, but the variant's posterior is wider (fewer customers).
		t.Errorf("P(beat) = %v", k.Bayes.ProbBeatControl)
	}
}

func TestSRMMessages(t *testing.T) {
	s, err := SampleRatioCheck([]int64{10300, 9700}, []float64{50, 50})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Mismatch || !strings.Contains(s.Message.String(), "Sample ratio mismatch") || !strings.Contains(s.Message.String(), "51.5% / 48.5%") {
		t.Errorf("10300 vs 9700 planned 50/50: %+v", s)
	}
	s, err = SampleRatioCheck([]int64{3334, 3333, 3333}, []float64{33.33, 33.33, 33.33})
	if err != nil {
		t.Fatal(err)
	}
	if s.Mismatch || s.P < 0.99 || !strings.Contains(s.Message.String(), "fit the planned split") {
		t.Errorf("even three-way split: %+v", s)
	}
}

// Identities that hold whatever the reference says.
func TestIdentities(t *testing.T) {
	for _, c := range [][4]int64{{12, 200, 20, 210}, {122, 21306, 267, 21307}, {0, 30, 2, 30}, {9, 10, 10, 10}, {2262, 21306, 3894, 21307}} {
		k0, n0, k1, n1 := c[0], c[1], c[2], c[3]
		z, _ := ProportionsZTest(k1, n1, k0, n0)
		chi, _ := ChiSquareIndependence([][]int64{{k1, n1 - k1}, {k0, n0 - k0}}, false)
		if math.Abs(z*z-chi.Stat) > 1e-9*chi.Stat {
			t.Errorf("%v: z² = %v, chi-square %v", c, z*z, chi.Stat)
		}
		b := bayes(k0, n0, k1, n1)
		if s := b.ProbBeatControl + b.ProbControlWins; math.Abs(s-1) > 1e-13 {
			t.Errorf("%v: P(B>A) + P(A>B) = %.17g", c, s)
		}
		mA, mB := float64(1+k0)/float64(2+n0), float64(1+k1)/float64(2+n1)
		if d := b.LossControl - b.LossVariant - (mB - mA); math.Abs(d) > 1e-14 {
			t.Errorf("%v: loss(control) - loss(variant) - (mB - mA) = %g", c, d)
		}
		// Swapping the arms swaps the answers.
		s := bayes(k1, n1, k0, n0)
		if s.ProbBeatControl != b.ProbControlWins || s.LossVariant != b.LossControl {
			t.Errorf("%v: not symmetric", c)
		}
	}
	// Holm is never above Bonferroni and never below the raw p.
	p := []float64{0.01, 0.04, 0.03, math.NaN(), 0.5}
	h, _ := AdjustPValues(p, AdjustHolm)
	bo, _ := AdjustPValues(p, AdjustBonferroni)
	want := []float64{0.04, 0.09, 0.09, math.NaN(), 0.5}
	for i := range p {
		if math.IsNaN(p[i]) {
			if !math.IsNaN(h[i]) || !math.IsNaN(bo[i]) {
				t.Errorf("NaN p-value adjusted to %v, %v", h[i], bo[i])
			}
			continue
		}
		if h[i] < p[i] || h[i] > bo[i] || math.Abs(h[i]-want[i]) > 1e-15 {
			t.Errorf("p %v: Holm %v, Bonferroni %v, want Holm %v", p[i], h[i], bo[i], want[i])
		}
	}
}

// A million customers per arm stays fast and exact enough: P(B>A) + P(A>B)
// = 1 to 1e-12.
func TestBayesLarge(t *testing.T) {
	b := bayes(230000, 10000000, 231500, 10000000)
	if s := b.ProbBeatControl + b.ProbControlWins; math.Abs(s-1) > 1e-12 {
		t.Errorf("P(B>A) + P(A>B) = %.17g", s)
	}
	if !(b.ProbBeatControl > 0.9 && b.ProbBeatControl < 1) {
		t.Errorf("P(B>A) = %v", b.ProbBeatControl)
	}
}

// FuzzAnalyze: any counts either give an error or a report whose
// probabilities are probabilities; nothing panics.
func FuzzAnalyze(f *testing.F) {
	f.Add(int64(100), int64(5), int64(100), int64(7), 95.0)
	f.Add(int64(1), int64(0), int64(1), int64(1), 0.0)
	f.Add(int64(20), int64(20), int64(20), int64(20), 50.0)
	f.Fuzz(func(t *testing.T, n0, k0, n1, k1 int64, split float64) {
		if n0 > 1e5 || n1 > 1e5 { // keep the exact Bayesian sum quick
			return
		}
		var s []float64
		if split > 0 && split < 100 {
			s = []float64{split, 100 - split}
		}
		r, err := Analyze(Group{Name: "c", N: n0, Conversions: k0}, []Group{{Name: "v", N: n1, Conversions: k1}}, Options{Split: s, Adjust: AdjustHolm})
		if err != nil {
			return
		}
		k := r.Variants[0]
		for _, p := range []float64{k.ZTest.P, k.ChiSquare.P, k.ZTest.PAdjusted, r.Overall.P} {
			if !math.IsNaN(p) && (p < 0 || p > 1) {
				t.Fatalf("p-value %v", p)
			}
		}
		b := k.Bayes
		if b.ProbBeatControl < 0 || b.ProbBeatControl > 1 || b.LossVariant < 0 || b.LossControl < 0 || math.IsNaN(b.LossVariant) {
			t.Fatalf("Bayes %+v", b)
		}
		if r.Control.Wilson.Lo < -1e-15 || r.Control.Wilson.Hi > 1+1e-15 {
			t.Fatalf("Wilson %+v", r.Control.Wilson)
		}
	})
}
