package core

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// The example: a 10% holdout of 278 came out as 17. The split
// says what chance allows: 28 expected, 15 to 41 normal.
func TestPreviewSplit(t *testing.T) {
	pv := &Preview{Groups: map[string]int{campaign.Holdout: 17, "A": 141, "B": 120},
		Planned: map[string]float64{campaign.Holdout: 10, "A": 45, "B": 45}}
	got := pv.Split()
	if len(got) != 3 || got[0].Group != "A" || got[2].Group != campaign.Holdout {
		t.Fatalf("split %+v", got)
	}
	h := got[2]
	if h.Actual != 17 || math.Abs(h.Expected-27.8) > 1e-9 || h.Lo != 15 || h.Hi != 41 {
		t.Errorf("holdout %+v, want 17 of 27.8 expected, 15 to 41", h)
	}
	if a := got[0]; math.Abs(a.Expected-125.1) > 1e-9 || a.Actual < a.Lo || a.Actual > a.Hi {
		t.Errorf("A %+v: 141 is within what chance gives", a)
	}
	if g, n := pv.Smallest(); g != campaign.Holdout || n != 17 {
		t.Errorf("smallest %s %d", g, n)
	}
	// No holdout planned: it is not a group of the split.
	pv = &Preview{Groups: map[string]int{"A": 10}, Planned: map[string]float64{campaign.Holdout: 0, "A": 100}}
	if got := pv.Split(); len(got) != 1 || got[0].Lo != 10 || got[0].Hi != 10 {
		t.Errorf("one group %+v", got)
	}
}

func TestPreviewPlanned(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	if err := w.SaveCampaign(ctx, spring(sdk.Config{"mode": "ok"}), false); err != nil {
		t.Fatal(err)
	}
	pv, err := w.PreviewCampaign(ctx, "Spring sale", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Planned[campaign.Holdout] != 20 || pv.Planned["A"] != 40 || pv.Planned["B"] != 40 {
		t.Errorf("planned %v", pv.Planned)
	}
	fields, err := w.MergeFields(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// Role names first, then the columns as templates see them.
	if !slices.Equal(fields, []string{"first_name", "email", "customer_id", "email_consent"}) {
		t.Errorf("merge fields %v", fields)
	}
}

func TestVerdicts(t *testing.T) {
	analyze := func(ctl abtest.Group, vs ...abtest.Group) *abtest.Report {
		r, err := abtest.Analyze(ctl, vs, abtest.Options{Adjust: abtest.AdjustHolm})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Before responses: no data, and nothing but "too early".
	r := analyze(abtest.Group{Name: "holdout", N: 17}, abtest.Group{Name: "A", N: 141}, abtest.Group{Name: "B", N: 120})
	if HasData(r) {
		t.Error("a readout without conversions has data")
	}
	for _, v := range Verdicts(r) {
		if v.Kind != TooEarly {
			t.Errorf("%s: %s with no conversions", v.Variant, v.Kind)
		}
	}
	r = analyze(abtest.Group{Name: "holdout", N: 5000, Conversions: 250},
		abtest.Group{Name: "A", N: 5000, Conversions: 360}, // 7.2% against 5%: real
		abtest.Group{Name: "B", N: 5000, Conversions: 262}, // 5.24%: could be chance
		abtest.Group{Name: "C", N: 5000, Conversions: 160}, // 3.2%: really worse
		abtest.Group{Name: "D", N: 40, Conversions: 3})     // too few
	if !HasData(r) {
		t.Fatal("no data")
	}
	got := map[string]Verdict{}
	for _, v := range Verdicts(r) {
		got[v.Variant] = v
	}
	if v := got["A"]; v.Kind != Better || v.Points < 2.19 || v.Points > 2.21 || v.Chance < 0.99 || v.Control != "holdout" {
		t.Errorf("A %+v", v)
	}
	if got["B"].Kind != Unclear || got["C"].Kind != Worse || got["C"].Chance < 0.99 || got["D"].Kind != TooEarly {
		t.Errorf("B %+v, C %+v, D %+v", got["B"], got["C"], got["D"])
	}
}

func TestCheckVariant(t *testing.T) {
	fields := []string{"first_name", "email", "customer_id", "city"}
	problems := func(v campaign.Variant) []string {
		var out []string
		for _, p := range CheckVariant(v, fields) {
			out = append(out, p.Part+": "+p.Err.Error())
		}
		return out
	}
	if got := problems(campaign.Variant{Name: "A", Subject: "Hi {{.first_name}}", Text: `{{index . "city"}} {{$.email}} {{with .city}}{{.y}}{{end}}`}); len(got) != 0 {
		t.Errorf("a good variant: %v", got)
	}
	got := problems(campaign.Variant{Name: "A", Subject: "Hi {{.frist_name}}", Text: `{{if .vip}}{{index . "cty"}}{{end}}`, HTML: "<p>{{.First_Name}}"})
	want := []string{
		"subject: {{.frist_name}} is not a field of the customer table; did you mean {{.first_name}}?",
		"text: {{.vip}} is not a field of the customer table",
		"text: {{.cty}} is not a field of the customer table; did you mean {{.city}}?",
		"html: {{.First_Name}} is not a field of the customer table; did you mean {{.first_name}}?",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := problems(campaign.Variant{Name: "A", Text: "Hi {{.first_name"}); len(got) != 1 || !strings.HasPrefix(got[0], "text: variant A, text:") {
		t.Errorf("syntax: %v", got)
	}
	// Without the fields known yet, only the syntax is checked.
	if got := CheckVariant(campaign.Variant{Name: "A", Text: "{{.frist_name}}"}, nil); len(got) != 0 {
		t.Errorf("unknown fields: %v", got)
	}
}
