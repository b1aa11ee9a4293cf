package explain

import (
	"math"
	"testing"

	"github.com/marketbench/marketbench/analytics/msg"
)

func TestReasons(t *testing.T) {
	cs := []Contribution{
		{Name: "monthly charges", Value: 19.95, Unit: "$", Amount: -0.08},
		{Name: "tenure", Value: 2, Unit: "months", UnitOne: "month", Amount: 0.2149},
		{Text: msg.Raw("month-to-month contract"), Value: 1, Amount: 0.12},
		{Name: "senior", Value: 0, Amount: 0},                  // no reason either way
		{Name: "total charges", Value: 1234.5, Amount: 0.0012}, // below the top 3
		{Name: "paperless billing", Value: 1, Amount: math.NaN()},
	}
	opt := ReasonOptions{Positive: msg.New("likely to churn"), Negative: msg.New("less likely")}
	ex := Reasons(cs, opt)
	want := "likely to churn: tenure 2 months (+0.21), month-to-month contract (+0.12); less likely: monthly charges 19.95 $ (-0.08)"
	if ex.Text != want {
		t.Errorf("got  %q\nwant %q", ex.Text, want)
	}
	if len(ex.Up) != 2 || len(ex.Down) != 1 {
		t.Errorf("up %d down %d, want 2 and 1", len(ex.Up), len(ex.Down))
	}

	opt.TopK = 10
	ex = Reasons(cs, opt)
	want = "likely to churn: tenure 2 months (+0.21), month-to-month contract (+0.12), total charges 1,234.5 (+0.0012); less likely: monthly charges 19.95 $ (-0.08)"
	if ex.Text != want {
		t.Errorf("TopK 10: got  %q\nwant %q", ex.Text, want)
	}

	// Only negative reasons, a singular unit and the default headings.
	ex = Reasons([]Contribution{{Name: "tenure", Value: 1, Unit: "years", UnitOne: "year", Amount: -0.3}}, ReasonOptions{})
	if want := "less likely: tenure 1 year (-0.30)"; ex.Text != want {
		t.Errorf("got %q, want %q", ex.Text, want)
	}
	if ex := Reasons(nil, ReasonOptions{}); ex.Text != "" || ex.Up != nil || ex.Down != nil {
		t.Errorf("no contributions: got %+v", ex)
	}
	// Equal magnitudes keep input order.
	ex = Reasons([]Contribution{{Name: "a", Amount: 0.1}, {Name: "b", Amount: -0.1}, {Name: "c", Amount: 0.1}}, ReasonOptions{TopK: 2})
	if want := "more likely: a 0 (+0.10); less likely: b 0 (-0.10)"; ex.Text != want {
		t.Errorf("ties: got %q, want %q", ex.Text, want)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {2, "2"}, {-2, "-2"}, {19.95, "19.95"}, {0.5, "0.5"},
		{1234.5, "1,234.5"}, {-1234567.891, "-1,234,567.89"}, {999.999, "1,000"},
		{100, "100"}, {0.0012345, "0.0012"}, {-0.00004, "-0.00004"},
		{-0.001, "-0.001"}, {math.Inf(1), "+Inf"}, {math.NaN(), "NaN"},
	} {
		if got := FormatNumber(tc.v); got != tc.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a    float64
		want string
	}{{0.2149, "+0.21"}, {-0.08, "-0.08"}, {0.0012, "+0.0012"}, {-0.00004, "-0.00004"}, {1.5, "+1.50"}} {
		if got := formatAmount(tc.a); got != tc.want {
			t.Errorf("formatAmount(%v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestLinearContributions(t *testing.T) {
	got := LinearContributions([]float64{2, -1}, []float64{3, 1}, []float64{1, 0.5})
	if got[0] != 4 || got[1] != -0.5 {
		t.Errorf("got %v, want [4 -0.5]", got)
	}
}

// Log-odds pushes in percentage points, checked by hand: p = 0.596 has
// log-odds 0.3888; without a push of 0.5 they are -0.1112, p = 0.4722.
func TestPointsFromLogOdds(t *testing.T) {
	for _, c := range []struct{ p, push, want float64 }{
		{0.596, 0.5, 12.38}, {0.596, 0, 0}, {0.5, -1, -23.11}, {0.999, 10, 95.56}, {0, 1, 0}, {1, 1, 0},
	} {
		if got := PointsFromLogOdds(c.p, c.push); math.Abs(got-c.want) > 0.01 {
			t.Errorf("PointsFromLogOdds(%v, %v) = %.4f, want %.2f", c.p, c.push, got, c.want)
		}
	}
}
