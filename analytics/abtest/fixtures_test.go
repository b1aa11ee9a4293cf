package abtest

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// num reads the fixtures' numbers, where NaN and ±Inf are written as strings.
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	switch s := strings.Trim(string(b), `"`); s {
	case "NaN":
		*n = num(math.NaN())
	case "+Inf":
		*n = num(math.Inf(1))
	case "-Inf":
		*n = num(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = num(f)
	}
	return nil
}

type fxGroup struct {
	Name        string
	N           int64
	Conversions int64
	Rate        num
	Wilson      [2]num
	Wald        [2]num
	Revenue     *struct {
		N    int64
		Mean num
		SD   num
	}
	RevenueCI [2]num `json:"revenue_ci"`
}

type fxChi struct {
	Chi2 num
	DF   int
	P    num
}

type fxExperiment struct {
	Name        string
	Confidence  float64
	Groups      []fxGroup
	Comparisons []struct {
		Name             string
		AbsLift          num    `json:"abs_lift"`
		RelLift          num    `json:"rel_lift"`
		AbsCI            [2]num `json:"abs_ci"`
		RelCI            [2]num `json:"rel_ci"`
		Z                num
		PZ               num `json:"p_z"`
		Chi2             num
		PChi2            num    `json:"p_chi2"`
		Chi2Yates        num    `json:"chi2_yates"`
		PChi2Yates       num    `json:"p_chi2_yates"`
		ProbBeat         num    `json:"prob_beat"`
		ProbControlBeats num    `json:"prob_control_beats"`
		LossVariant      num    `json:"loss_variant"`
		LossControl      num    `json:"loss_control"`
		WelchT           *num   `json:"welch_t"`
		WelchP           num    `json:"welch_p"`
		WelchDF          num    `json:"welch_df"`
		MeanDiff         num    `json:"mean_diff"`
		MeanDiffCI       [2]num `json:"mean_diff_ci"`
		RelMeanLift      num    `json:"rel_mean_lift"`
	}
	Holm         []num
	Bonferroni   []num
	HolmWelch    []num `json:"holm_welch"`
	Overall      fxChi
	OverallYates fxChi `json:"overall_yates"`
	Split        []float64
	SRM          *struct {
		Chi2     num
		P        num
		Mismatch bool
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// Tolerance: 1e-9 relative everywhere. The largest relative difference
// seen is logged (go test -v) so drift is visible long before it fails.
const tol = 1e-9

var worst struct {
	rel  float64
	what string
	n    int // comparisons made
}

func relErr(got, want float64) float64 {
	if got == want || (math.IsNaN(got) && math.IsNaN(want)) {
		return 0
	}
	return math.Abs(got-want) / math.Abs(want)
}

func track(what string, e float64) {
	worst.n++
	if e > worst.rel && !math.IsInf(e, 0) {
		worst.rel, worst.what = e, what
	}
}

// near compares with relative tolerance tol plus an absolute floor of
// 1e-15, for quantities of order 1e-6 or more whose reference may come out
// as a difference of nearly equal numbers (interval ends, lifts near 0).
func near(t *testing.T, what string, got float64, want num) {
	t.Helper()
	w := float64(want)
	if got == w || (math.IsNaN(got) && math.IsNaN(w)) {
		return
	}
	if math.IsNaN(got) || math.IsNaN(w) || math.IsInf(got, 0) || math.IsInf(w, 0) ||
		math.Abs(got-w) > tol*math.Abs(w)+1e-15 {
		t.Errorf("%s = %.17g, reference %.17g", what, got, w)
		return
	}
	if math.Abs(w) > 1e-6 {
		track(what, relErr(got, w))
	} else {
		track(what, 0)
	}
}

// nearRel is purely relative, for p-values and tail probabilities that may
// be as small as 1e-117: their digits matter, not their distance from 0.
func nearRel(t *testing.T, what string, got float64, want num) {
	t.Helper()
	w := float64(want)
	e := relErr(got, w)
	if math.IsNaN(e) || e > tol {
		t.Errorf("%s = %.17g, reference %.17g (relative error %.2g)", what, got, w, e)
		return
	}
	track(what, e)
}

func nearCI(t *testing.T, what string, got Interval, want [2]num) {
	t.Helper()
	near(t, what+".Lo", got.Lo, want[0])
	near(t, what+".Hi", got.Hi, want[1])
}

func groupsOf(e fxExperiment) (Group, []Group) {
	var gs []Group
	for _, g := range e.Groups {
		x := Group{Name: g.Name, N: g.N, Conversions: g.Conversions}
		if g.Revenue != nil {
			x.Revenue = &Revenue{N: g.Revenue.N, Mean: float64(g.Revenue.Mean), SD: float64(g.Revenue.SD)}
		}
		gs = append(gs, x)
	}
	return gs[0], gs[1:]
}

func checkGroup(t *testing.T, p string, got GroupResult, want fxGroup) {
	t.Helper()
	if got.Name != want.Name || got.N != want.N || got.Conversions != want.Conversions {
		t.Errorf("%s: group %q %d/%d, reference %q %d/%d", p, got.Name, got.Conversions, got.N, want.Name, want.Conversions, want.N)
	}
	near(t, p+".Rate", got.Rate, want.Rate)
	nearCI(t, p+".Wilson", got.Wilson, want.Wilson)
	nearCI(t, p+".Wald", got.Wald, want.Wald)
	if (got.Revenue != nil) != (want.Revenue != nil) {
		t.Fatalf("%s: revenue present %v, reference %v", p, got.Revenue != nil, want.Revenue != nil)
	}
	if got.Revenue != nil {
		nearCI(t, p+".Revenue.CI", got.Revenue.CI, want.RevenueCI)
	}
}

// checkExperiment runs Analyze three ways (Holm, Bonferroni with Yates,
// none) and compares every number with the reference.
func checkExperiment(t *testing.T, e fxExperiment, control Group, variants []Group) {
	t.Helper()
	for _, opt := range []Options{
		{Confidence: e.Confidence, Adjust: AdjustHolm, Split: e.Split},
		{Confidence: e.Confidence, Adjust: AdjustBonferroni, Yates: true},
		{Confidence: e.Confidence},
	} {
		r, err := Analyze(control, variants, opt)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		p := fmt.Sprintf("%s [%v yates=%v]", e.Name, opt.Adjust, opt.Yates)
		checkGroup(t, p+" control", r.Control, e.Groups[0])
		overall := e.Overall
		if opt.Yates {
			overall = e.OverallYates
		}
		nearRel(t, p+" overall chi2", r.Overall.Stat, overall.Chi2)
		nearRel(t, p+" overall p", r.Overall.P, overall.P)
		if r.Overall.DF != overall.DF {
			t.Errorf("%s overall df = %d, reference %d", p, r.Overall.DF, overall.DF)
		}
		if len(r.Variants) != len(e.Comparisons) {
			t.Fatalf("%s: %d comparisons, reference %d", p, len(r.Variants), len(e.Comparisons))
		}
		for i, k := range r.Variants {
			w := e.Comparisons[i]
			q := p + " " + w.Name
			checkGroup(t, q, k.Variant, e.Groups[i+1])
			near(t, q+" AbsLift", k.AbsLift, w.AbsLift)
			near(t, q+" RelLift", k.RelLift, w.RelLift)
			nearCI(t, q+" AbsLiftCI", k.AbsLiftCI, w.AbsCI)
			nearCI(t, q+" RelLiftCI", k.RelLiftCI, w.RelCI)
			nearRel(t, q+" Z", k.ZTest.Z, w.Z)
			nearRel(t, q+" P(z)", k.ZTest.P, w.PZ)
			wantAdj := w.PZ
			switch opt.Adjust {
			case AdjustHolm:
				wantAdj = e.Holm[i]
			case AdjustBonferroni:
				wantAdj = e.Bonferroni[i]
			}
			nearRel(t, q+" P(z) adjusted", k.ZTest.PAdjusted, wantAdj)
			if k.Significant != (float64(wantAdj) < 1-e.Confidence) {
				t.Errorf("%s Significant = %v with adjusted p %g", q, k.Significant, float64(wantAdj))
			}
			chi, pchi := w.Chi2, w.PChi2
			if opt.Yates {
				chi, pchi = w.Chi2Yates, w.PChi2Yates
			}
			nearRel(t, q+" chi2", k.ChiSquare.Stat, chi)
			nearRel(t, q+" P(chi2)", k.ChiSquare.P, pchi)
			nearRel(t, q+" P(beat)", k.Bayes.ProbBeatControl, w.ProbBeat)
			nearRel(t, q+" P(control wins)", k.Bayes.ProbControlWins, w.ProbControlBeats)
			nearRel(t, q+" loss(variant)", k.Bayes.LossVariant, w.LossVariant)
			nearRel(t, q+" loss(control)", k.Bayes.LossControl, w.LossControl)
			if (k.Revenue != nil) != (w.WelchT != nil) {
				t.Fatalf("%s: Welch present %v, reference %v", q, k.Revenue != nil, w.WelchT != nil)
			}
			if k.Revenue != nil {
				near(t, q+" revenue diff", k.Revenue.Diff, w.MeanDiff)
				nearCI(t, q+" revenue diff CI", k.Revenue.DiffCI, w.MeanDiffCI)
				near(t, q+" revenue rel lift", k.Revenue.RelLift, w.RelMeanLift)
				nearRel(t, q+" Welch t", k.Revenue.T, *w.WelchT)
				nearRel(t, q+" Welch df", k.Revenue.DF, w.WelchDF)
				nearRel(t, q+" Welch p", k.Revenue.P, w.WelchP)
				if opt.Adjust == AdjustHolm {
					nearRel(t, q+" Welch p Holm", k.Revenue.PAdjusted, e.HolmWelch[i])
				}
			}
		}
		if opt.Split != nil {
			if r.SRM == nil {
				t.Fatalf("%s: no SRM result", p)
			}
			nearRel(t, p+" SRM chi2", r.SRM.Stat, e.SRM.Chi2)
			nearRel(t, p+" SRM p", r.SRM.P, e.SRM.P)
			if r.SRM.Mismatch != e.SRM.Mismatch {
				t.Errorf("%s: SRM mismatch %v, reference %v", p, r.SRM.Mismatch, e.SRM.Mismatch)
			}
		} else if r.SRM != nil {
			t.Errorf("%s: SRM result without a planned split", p)
		}
	}
}

type synthetic struct {
	Experiments []fxExperiment
	Planning    []struct {
		Baseline, Effect      float64
		Relative              bool
		Alpha, Power          float64
		Target                num
		FleissN               num     `json:"fleiss_n"`
		ArcsineN              num     `json:"arcsine_n"`
		StatsmodelsSolvePower num     `json:"statsmodels_solve_power"`
		PowerAtN              float64 `json:"power_at_n"`
		FleissPowerAt         num     `json:"fleiss_power_at"`
		ArcsinePowerAt        num     `json:"arcsine_power_at"`
	}
	Bayes []struct {
		Control, Variant [2]int64
		ProbBeat         num `json:"prob_beat"`
		ProbControlBeats num `json:"prob_control_beats"`
		LossVariant      num `json:"loss_variant"`
		LossControl      num `json:"loss_control"`
	}
	RevenueValues struct {
		Values   []float64
		Mean, SD num
	} `json:"revenue_values"`
}

func TestSyntheticFixtures(t *testing.T) {
	var s synthetic
	readJSON(t, "synthetic.json", &s)
	if len(s.Experiments) == 0 {
		t.Fatal("no experiments in synthetic.json")
	}
	for _, e := range s.Experiments {
		control, variants := groupsOf(e)
		t.Run(e.Name, func(t *testing.T) { checkExperiment(t, e, control, variants) })
	}
	t.Logf("%d comparisons; largest relative difference from the references (values above 1e-6): %.2g (%s)", worst.n, worst.rel, worst.what)
}

func TestBayesFixtures(t *testing.T) {
	var s synthetic
	readJSON(t, "synthetic.json", &s)
	for _, c := range s.Bayes {
		what := fmt.Sprintf("control %d/%d variant %d/%d", c.Control[0], c.Control[1], c.Variant[0], c.Variant[1])
		p, err := ProbabilityToBeat(c.Variant[0], c.Variant[1], c.Control[0], c.Control[1])
		if err != nil {
			t.Fatal(err)
		}
		nearRel(t, what+" P(beat)", p, c.ProbBeat)
		lv, lc, err := ExpectedLoss(c.Variant[0], c.Variant[1], c.Control[0], c.Control[1])
		if err != nil {
			t.Fatal(err)
		}
		nearRel(t, what+" loss(variant)", lv, c.LossVariant)
		nearRel(t, what+" loss(control)", lc, c.LossControl)
		b := bayes(c.Control[0], c.Control[1], c.Variant[0], c.Variant[1])
		nearRel(t, what+" P(control wins)", b.ProbControlWins, c.ProbControlBeats)
	}
}

func TestPlanningFixtures(t *testing.T) {
	var s synthetic
	readJSON(t, "synthetic.json", &s)
	for _, c := range s.Planning {
		for _, m := range []PowerMethod{Fleiss, Arcsine} {
			d := Design{Baseline: c.Baseline, MDE: c.Effect, Relative: c.Relative, Alpha: c.Alpha, Method: m}
			what := fmt.Sprintf("%v base %v effect %v rel %v alpha %v power %v", m, c.Baseline, c.Effect, c.Relative, c.Alpha, c.Power)
			plan, err := SampleSize(d, c.Power)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			near(t, what+" target", plan.Target, c.Target)
			want, wantPow := c.FleissN, c.FleissPowerAt
			if m == Arcsine {
				want, wantPow = c.ArcsineN, c.ArcsinePowerAt
				// statsmodels' own solve_power stops its root search
				// earlier (about 1e-11 relative here).
				if e := relErr(plan.Exact, float64(c.StatsmodelsSolvePower)); e > 1e-9 {
					t.Errorf("%s: n = %.17g, statsmodels solve_power %.17g", what, plan.Exact, float64(c.StatsmodelsSolvePower))
				}
			}
			nearRel(t, what+" n", plan.Exact, want)
			if plan.PerGroup != int64(math.Ceil(float64(want))) {
				t.Errorf("%s: PerGroup %d, want ceil(%v)", what, plan.PerGroup, float64(want))
			}
			pw, err := Power(d, c.PowerAtN)
			if err != nil {
				t.Fatal(err)
			}
			nearRel(t, what+" power at n", pw, wantPow)
			// Power and SampleSize invert each other.
			back, _ := Power(d, plan.Exact)
			if math.Abs(back-c.Power) > 1e-12 {
				t.Errorf("%s: power at the planned n = %.15g, want %v", what, back, c.Power)
			}
		}
	}
}

// R's ?power.prop.test example: power.prop.test(p1 = .50, p2 = .75,
// power = .90) "=> n = 76.7" (the Fleiss formula); statsmodels gives 76.65.
func TestSampleSizePublishedExample(t *testing.T) {
	p, err := SampleSize(Design{Baseline: 0.5, MDE: 0.25}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if math.Round(p.Exact*10)/10 != 76.7 || p.PerGroup != 77 {
		t.Errorf("Fleiss n = %v (%d), R says 76.7", p.Exact, p.PerGroup)
	}
	p, _ = SampleSize(Design{Baseline: 0.5, MDE: 0.25, Method: Arcsine}, 0.9)
	if math.Round(p.Exact*100)/100 != 76.65 {
		t.Errorf("arcsine n = %v, statsmodels says 76.65", p.Exact)
	}
}

func TestSummarizeRevenue(t *testing.T) {
	var s synthetic
	readJSON(t, "synthetic.json", &s)
	r, err := SummarizeRevenue(s.RevenueValues.Values)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != int64(len(s.RevenueValues.Values)) {
		t.Errorf("N = %d", r.N)
	}
	near(t, "mean", r.Mean, s.RevenueValues.Mean)
	near(t, "sd", r.SD, s.RevenueValues.SD)
}
