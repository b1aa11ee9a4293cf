package clv

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestBadInput: each way the data can be unusable gives an error that
// says what is needed, and no fit.
func TestBadInput(t *testing.T) {
	few := make([]Summary, 100)
	for i := range few {
		few[i].T = 30
	}
	for i := range 5 {
		few[i].Frequency, few[i].Recency = 1, 3
	}
	all := make([]Summary, 50)
	for i := range all {
		all[i] = Summary{Frequency: 2, Recency: 10, T: 20, Monetary: 5}
	}
	for name, c := range map[string]struct {
		d    Data
		want string
	}{
		"none":            {Data{}, "no customers"},
		"few repeaters":   {DataOf(few), "only 5 customers bought again"},
		"all repeaters":   {DataOf(all), "every customer bought again"},
		"recency after T": {DataOf([]Summary{{Frequency: 1, Recency: 9, T: 5}}), "not valid"},
		"x=0 recency":     {DataOf([]Summary{{Frequency: 0, Recency: 2, T: 5}}), "not valid"},
		"NaN T":           {DataOf([]Summary{{Frequency: 1, Recency: 1, T: math.NaN()}}), "not valid"},
	} {
		for _, m := range []Model{BGNBD, MBGNBD} {
			f, err := FitModel(m, c.d)
			if err == nil || f != nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s, %v: fit %v, error %v; want %q", name, m, f, err, c.want)
			}
		}
	}
	if _, _, err := FitSpend(DataOf(few)); err == nil || !strings.Contains(err.Error(), "spend model needs") {
		t.Errorf("spend on 5 repeaters: %v", err)
	}
	_, err := Summarize([]Transaction{{Customer: "a", At: time.Now(), Value: math.Inf(1)}}, time.Now(), time.Time{}, Week)
	if err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Errorf("infinite value: %v", err)
	}
	if _, err := Summarize(nil, time.Now(), time.Now().AddDate(0, 0, -1), Week); err == nil {
		t.Error("observation end before calibration end accepted")
	}
}

// TestValue: without discounting the steps add up to the conditional
// expectation times spend and margin; a discount lowers it by the
// per-step factors.
func TestValue(t *testing.T) {
	f := &Fit{Model: BGNBD, Params: Params{0.243, 4.414, 0.793, 2.426}}
	sp := &Spend{P: 6.25, Q: 3.74, Gamma: 15.44}
	c := Summary{Frequency: 2, Recency: 30.43, T: 38.86, Monetary: 22.35}
	v, err := Value(f, sp, c, ValueOptions{Horizon: 52, Steps: 12, Margin: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	want := f.ConditionalExpected(52, 2, 30.43, 38.86) * sp.ExpectedSpend(2, 22.35) * 0.3
	if math.Abs(v-want) > 1e-9 {
		t.Errorf("undiscounted value %.6f, want %.6f", v, want)
	}
	d, _ := Value(f, sp, c, ValueOptions{Horizon: 52, Steps: 2, Margin: 0.3, Discount: 0.1})
	e1 := f.ConditionalExpected(26, 2, 30.43, 38.86)
	e2 := f.ConditionalExpected(52, 2, 30.43, 38.86) - e1
	hand := (e1/1.1 + e2/1.21) * sp.ExpectedSpend(2, 22.35) * 0.3
	if math.Abs(d-hand) > 1e-9 {
		t.Errorf("discounted value %.6f, by hand %.6f", d, hand)
	}
	// Fader & Hardie's note: E[Z | p, q, γ] for a customer with x = 2
	// and mean 22.35 shrinks the mean toward the population's.
	if s := sp.ExpectedSpend(2, 22.35); !(s > 22.35 && s < sp.ExpectedSpend(0, 0)+1) {
		t.Errorf("expected spend %.2f is not between the customer's mean and the population's %.2f", s, sp.ExpectedSpend(0, 0))
	}
	if _, err := Value(f, sp, c, ValueOptions{Horizon: 52, Steps: 1, Margin: 1.5}); err == nil {
		t.Error("a margin of 150% was accepted")
	}
}
