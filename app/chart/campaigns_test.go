package chart

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
)

var rates = []Rate{
	{Label: "holdout", Rate: 0.031, Lo: 0.024, Hi: 0.040, Control: true},
	{Label: "A: Spring is here", Rate: 0.052, Lo: 0.044, Hi: 0.061},
	{Label: "B: 20% off", Rate: 0.034, Lo: 0.027, Hi: 0.043},
}

func TestRateIntervalsRender(t *testing.T) {
	p, err := RateIntervals("Conversion rate per variant", "95%", rates)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"png", "svg", "pdf"} {
		var buf bytes.Buffer
		if err := Render(p, format, DefaultWidth, DefaultHeight, &buf); err != nil {
			t.Fatalf("as %s: %v", format, err)
		}
		if buf.Len() < 1000 {
			t.Errorf("as %s: only %d bytes", format, buf.Len())
		}
	}
	var svg bytes.Buffer
	if err := Render(p, "svg", DefaultWidth, DefaultHeight, &svg); err != nil {
		t.Fatal(err)
	}
	// Each group's rate and interval are printed on the chart.
	for _, want := range []string{"5.2%  (4.4%–6.1%)", "3.1%  (2.4%–4.0%)", "holdout", "95% confidence interval"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("the chart does not show %q", want)
		}
	}
	// One row per group, first group on top.
	ticks := p.Y.Tick.Marker.Ticks(0, 0)
	if len(ticks) != 3 || ticks[0].Value != 2 || ticks[2].Value != 0 || ticks[0].Label != "holdout" {
		t.Errorf("group rows %+v", ticks)
	}
	// The axis starts at zero and reaches the widest interval.
	if p.X.Min != 0 || p.X.Max < 0.061 {
		t.Errorf("x axis %v–%v", p.X.Min, p.X.Max)
	}
	img, err := PNG(p, 640, 400)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 400 {
		t.Errorf("image is %v", b)
	}
	if *samples != "" {
		os.MkdirAll(*samples, 0o755)
		f, err := os.Create(filepath.Join(*samples, "campaign-rates.png"))
		if err != nil {
			t.Fatal(err)
		}
		big, _ := PNG(p, 1100, 680)
		png.Encode(f, big)
		f.Close()
	}
}

func TestRateIntervalsZero(t *testing.T) {
	// Nobody converted anywhere: still a chart, not a division by zero.
	p, err := RateIntervals("No conversions yet", "95%", []Rate{{Label: "holdout", Control: true}, {Label: "A"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PNG(p, 640, 400); err != nil {
		t.Fatal(err)
	}
}

// A Wilson lower bound of 1e-17 for a rate of 0 is rounding: drawn, not
// refused with the raw numbers (issue 10).
func TestRateIntervalsRounding(t *testing.T) {
	p, err := RateIntervals("Rounding", "95%", []Rate{{Label: "holdout", Lo: 1.3877787807814457e-17, Hi: 0.18431813500885175, Control: true}, {Label: "A", Hi: 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PNG(p, 640, 400); err != nil {
		t.Fatal(err)
	}
}

func TestRateIntervalsBadInput(t *testing.T) {
	if p, err := RateIntervals("Empty", "95%", nil); !errors.Is(err, ErrNoData) || p != nil {
		t.Errorf("no groups: %v, %v; want ErrNoData", p, err)
	}
	for name, r := range map[string]Rate{
		"above-one":   {Label: "A", Rate: 1.2, Lo: 1, Hi: 1.3},
		"nan":         {Label: "A", Rate: math.NaN()},
		"outside-int": {Label: "A", Rate: 0.5, Lo: 0.1, Hi: 0.2},
	} {
		p, err := RateIntervals("Bad", "95%", []Rate{r})
		if err == nil || p != nil || !strings.Contains(err.Error(), "chart:") || errors.Is(err, ErrNoData) {
			t.Errorf("%s: %v, %v", name, p, err)
		}
	}
}

func TestCumulative(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 3, day, 0, 0, 0, 0, time.UTC) }
	p, err := Cumulative("Conversions over time", []DaySeries{
		{Name: "holdout", Days: []time.Time{d(1), d(3)}, Values: []float64{1, 4}},
		{Name: "A", Days: []time.Time{d(1), d(2), d(3)}, Values: []float64{2, 5, 9}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(p, "png", 6*vg.Inch, 4*vg.Inch, &buf); err != nil || buf.Len() == 0 {
		t.Fatal(err)
	}
	// gonum spaces legend entries by their text's height above the
	// anchor: centred text counts half of it, and the entries overlap.
	if r := p.Legend.TextStyle.Rectangle("holdout"); r.Max.Y < 0.75*(r.Max.Y-r.Min.Y) {
		t.Errorf("legend entries %v apart for text %v high: they overlap", r.Max.Y, r.Max.Y-r.Min.Y)
	}
	if _, err := Cumulative("x", nil); !errors.Is(err, ErrNoData) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Cumulative("x", []DaySeries{{Name: "A", Days: []time.Time{d(1)}, Values: []float64{-1}}}); err == nil {
		t.Error("negative count accepted")
	}
}

// Every day on the time axis is labelled at most once, at midnight, and a
// long span gets about eight labels (issue 10: "Dec 7" appeared twice).
func TestDayTicks(t *testing.T) {
	const day = 24 * 60 * 60
	d0 := float64(time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC).Unix())
	for _, span := range []float64{0.5, 2.4, 3, 12, 45, 400} {
		seen := map[string]bool{}
		labels := 0
		for _, tk := range (dayTicks{}).Ticks(d0-0.3*day, d0+span*day) {
			if math.Mod(tk.Value, day) != 0 {
				t.Errorf("span %v: tick at %v is not a midnight", span, tk.Value)
			}
			if tk.Label == "" {
				continue
			}
			if seen[tk.Label] {
				t.Errorf("span %v: %q twice", span, tk.Label)
			}
			seen[tk.Label] = true
			labels++
		}
		if labels == 0 || labels > 9 {
			t.Errorf("span %v days: %d labels", span, labels)
		}
	}
}
