package abtest

import (
	"math"
	"strings"
	"testing"
)

// hillstrom.json is written by testdata/gen_fixtures.py from the 64,000
// rows of Kevin Hillstrom's MineThatData e-mail challenge (see
// testdata/README.md): per-segment counts (the input here) and every
// statistic recomputed by pandas / scipy / statsmodels / mpmath from the
// raw rows (the reference).
type hillstromFixture struct {
	SHA256  string
	Rows    int
	Summary []struct {
		Segment     string
		Customers   int64
		Visits      int64
		Conversions int64
		SpendCents  int64   `json:"spend_cents"`
		SpendMean   float64 `json:"spend_mean"`
		SpendSD     float64 `json:"spend_sd"`
	}
	Analyses map[string]fxExperiment
}

// The counts, as pandas found them in the CSV (also in hillstrom.json).
var hillstromCounts = []struct {
	segment                   string
	customers, visits, orders int64
	spendCents                int64
	visitRate, conversionRate float64 // as published, rounded
}{
	{"No E-Mail", 21306, 2262, 122, 1390833, 0.106, 0.0057},
	{"Mens E-Mail", 21307, 3894, 267, 3031169, 0.183, 0.0125},
	{"Womens E-Mail", 21387, 3238, 189, 2303811, 0.151, 0.0088},
}

func TestHillstrom(t *testing.T) {
	var h hillstromFixture
	readJSON(t, "hillstrom.json", &h)
	worst.rel, worst.what, worst.n = 0, "", 0
	defer func() {
		t.Logf("%d comparisons; largest relative difference from the raw-row references: %.2g (%s)", worst.n, worst.rel, worst.what)
	}()
	if h.SHA256 != "0e5893329d8b93cefecc571777672028290ab69865718020c78c7284f291aece" || h.Rows != 64000 {
		t.Fatalf("hillstrom.json was made from another file: sha256 %s, %d rows", h.SHA256, h.Rows)
	}
	if len(h.Summary) != 3 {
		t.Fatalf("%d segments in the summary, want 3", len(h.Summary))
	}
	var total int64
	for i, want := range hillstromCounts {
		got := h.Summary[i]
		if got.Segment != want.segment || got.Customers != want.customers || got.Visits != want.visits ||
			got.Conversions != want.orders || got.SpendCents != want.spendCents {
			t.Errorf("summary row %d = %+v, want %+v", i, got, want)
		}
		if math.Abs(got.SpendMean*float64(got.Customers)*100-float64(got.SpendCents)) > 1e-6 {
			t.Errorf("%s: mean spend %v does not match %d cents", got.Segment, got.SpendMean, got.SpendCents)
		}
		total += got.Customers
	}
	if total != 64000 {
		t.Errorf("%d customers in all, want 64,000", total)
	}

	for _, metric := range []string{"visit", "conversion"} {
		var groups []Group
		for _, s := range h.Summary {
			k := s.Visits
			if metric == "conversion" {
				k = s.Conversions
			}
			groups = append(groups, Group{Name: s.Segment, N: s.Customers, Conversions: k,
				Revenue: &Revenue{N: s.Customers, Mean: s.SpendMean, SD: s.SpendSD}})
		}
		e := h.Analyses[metric]
		t.Run(metric+" against the raw-row references", func(t *testing.T) {
			checkExperiment(t, e, groups[0], groups[1:])
		})
		r, err := Analyze(groups[0], groups[1:], Options{Adjust: AdjustHolm, Split: []float64{100. / 3, 100. / 3, 100. / 3}})
		if err != nil {
			t.Fatal(err)
		}
		// The published picture, checked on the Go output.
		for i, g := range append([]GroupResult{r.Control}, variantResults(r)...) {
			want := hillstromCounts[i].visitRate
			digits := 1000.0
			if metric == "conversion" {
				want, digits = hillstromCounts[i].conversionRate, 10000
			}
			if math.Round(g.Rate*digits)/digits != want {
				t.Errorf("%s rate of %s = %.5f, published about %v", metric, g.Name, g.Rate, want)
			}
			if g.Rate < g.Wilson.Lo || g.Rate > g.Wilson.Hi {
				t.Errorf("%s: rate outside its own interval", g.Name)
			}
		}
		for _, k := range r.Variants {
			if !(k.ZTest.PAdjusted < 0.001) || !(k.ChiSquare.P < 0.001) || !k.Significant || k.AbsLift <= 0 || k.AbsLiftCI.Lo <= 0 {
				t.Errorf("%s lift of %s: %+v; both e-mails lift it far beyond chance", metric, k.Variant.Name, k)
			}
			if k.Bayes.ProbBeatControl < 0.9999 {
				t.Errorf("%s: P(beat) = %v", k.Variant.Name, k.Bayes.ProbBeatControl)
			}
			// Spend per customer lifts as well (Womens: p = 0.0011, so
			// significant at 1 % but not at 0.1 %).
			if w := k.Revenue; w.Diff <= 0 || !(w.PAdjusted < 0.01) || w.DiffCI.Lo <= 0 {
				t.Errorf("spend lift of %s: %+v", k.Variant.Name, *w)
			}
		}
		if !(r.Overall.P < 1e-10) {
			t.Errorf("%s overall chi-square p = %v", metric, r.Overall.P)
		}
		if r.SRM == nil || r.SRM.Mismatch || !strings.Contains(r.SRM.Message.String(), "fit the planned split") {
			t.Errorf("Hillstrom's randomisation is fine, got %+v", r.SRM)
		}
		t.Logf("%s: control %.4f; %s %.4f (+%.1f %%, p = %.3g); %s %.4f (+%.1f %%, p = %.3g); spend lifts %.3f (p = %.2g), %.3f (p = %.2g); SRM p = %.3f",
			metric, r.Control.Rate,
			r.Variants[0].Variant.Name, r.Variants[0].Variant.Rate, 100*r.Variants[0].RelLift, r.Variants[0].ZTest.P,
			r.Variants[1].Variant.Name, r.Variants[1].Variant.Rate, 100*r.Variants[1].RelLift, r.Variants[1].ZTest.P,
			r.Variants[0].Revenue.Diff, r.Variants[0].Revenue.P, r.Variants[1].Revenue.Diff, r.Variants[1].Revenue.P, r.SRM.P)
	}
}

func variantResults(r *Report) []GroupResult {
	var out []GroupResult
	for _, k := range r.Variants {
		out = append(out, k.Variant)
	}
	return out
}
