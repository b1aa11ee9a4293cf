package chart

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gonum.org/v1/plot"
)

// valueCharts are the customer-value charts the render tests draw.
func valueCharts(t *testing.T) map[string]*plot.Plot {
	t.Helper()
	must := func(p *plot.Plot, err error) *plot.Plot {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A Qini curve of 5,000 customers: rising, then flattening.
	var qini []Point
	for i := 0; i <= 5000; i++ {
		x := float64(i)
		qini = append(qini, Point{x, 120 * math.Sqrt(x/5000)})
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var at []time.Time
	var act, exp []float64
	for w := range 78 {
		at = append(at, start.AddDate(0, 0, 7*w))
		act = append(act, float64(w*w)/3+float64(w%5))
		exp = append(exp, float64(w*w)/3)
	}
	return map[string]*plot.Plot{
		"holdout":  must(HoldoutCheck("Calibration check", "Repeat purchases in calibration", []string{"0", "1", "2", "3", "4", "5", "6", "7+"}, []float64{0.23, 0.69, 1.2, 1.7, 2.5, 2.6, 3.3, 4.1}, []float64{0.22, 0.63, 1.2, 1.8, 2.2, 2.7, 3.4, 4.6})),
		"tracking": must(Tracking("Tracking", at, act, exp, start.AddDate(0, 0, 7*39))),
		"qini":     must(UpliftCurve("Qini curve", "Incremental conversions", qini, 0.3)),
	}
}

func TestValueChartsRender(t *testing.T) {
	for name, p := range valueCharts(t) {
		var buf bytes.Buffer
		if err := Render(p, "png", DefaultWidth, DefaultHeight, &buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if buf.Len() < 1000 {
			t.Errorf("%s: only %d bytes", name, buf.Len())
		}
		img, err := PNG(p, 640, 400)
		if err != nil {
			t.Fatalf("%s on screen: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 400 {
			t.Errorf("%s: image is %v", name, b)
		}
		if *samples != "" {
			os.MkdirAll(*samples, 0o755)
			f, err := os.Create(filepath.Join(*samples, "value-"+name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, img)
			f.Close()
		}
	}
}

// TestUpliftCurveShape: a curve of thousands of customers is thinned to
// a few hundred points on a 0–100% axis that still ends where the data
// ends, and the random line joins its ends.
func TestUpliftCurveShape(t *testing.T) {
	pts := []Point{{0, 0}}
	for i := 1; i <= 10001; i++ {
		pts = append(pts, Point{float64(i), float64(i % 7)})
	}
	line := thin(pts, 10001)
	if len(line) > maxCurvePoints+2 || len(line) < maxCurvePoints/2 {
		t.Errorf("%d points kept", len(line))
	}
	if line[0] != (Point{0, 0}) || line[len(line)-1] != (Point{1, float64(10001 % 7)}) {
		t.Errorf("ends %v and %v", line[0], line[len(line)-1])
	}
	p, err := UpliftCurve("q", "y", pts, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != 0 || p.X.Max != 1 {
		t.Errorf("x axis %v..%v", p.X.Min, p.X.Max)
	}
}
func TestValueChartsRefuseBadInput(t *testing.T) {
	if _, err := HoldoutCheck("h", "x", nil, nil, nil); !errors.Is(err, ErrNoData) {
		t.Errorf("no groups: %v", err)
	}
	if _, err := HoldoutCheck("h", "x", []string{"0"}, []float64{1}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if _, err := HoldoutCheck("h", "x", []string{"0"}, []float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Tracking("t", nil, nil, nil, time.Time{}); !errors.Is(err, ErrNoData) {
		t.Errorf("no points: %v", err)
	}
	if _, err := UpliftCurve("q", "y", []Point{{0, 0}}, 0.3); !errors.Is(err, ErrNoData) {
		t.Errorf("one point: %v", err)
	}
	if _, err := UpliftCurve("q", "y", []Point{{0, 0}, {0, 1}}, 0.3); err == nil {
		t.Error("a curve of no customers accepted")
	}
}
