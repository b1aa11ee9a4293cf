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

	"gonum.org/v1/plot"
)

var (
	rocPts = []Point{{0, 0}, {0.05, 0.3}, {0.1, 0.48}, {0.2, 0.66}, {0.4, 0.84}, {0.7, 0.95}, {1, 1}}
	gains  = []Decile{
		{0.1, 0.29, 2.9}, {0.2, 0.48, 2.4}, {0.3, 0.62, 2.07}, {0.4, 0.73, 1.83}, {0.5, 0.82, 1.64},
		{0.6, 0.88, 1.47}, {0.7, 0.93, 1.33}, {0.8, 0.97, 1.21}, {0.9, 0.99, 1.1}, {1, 1, 1},
	}
	calBins = []CalBin{{0.05, 0.04, 900}, {0.15, 0.17, 400}, {0.25, 0.22, 250}, {0.45, 0.5, 120}, {0.75, 0.81, 60}, {0.92, 0.88, 20}}
)

// modelCharts are the model charts the render tests draw.
func modelCharts(t *testing.T) map[string]*plot.Plot {
	t.Helper()
	must := func(p *plot.Plot, err error) *plot.Plot {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return map[string]*plot.Plot{
		"roc":          must(ROC("ROC curve", rocPts, 0.812)),
		"roc-noauc":    must(ROC("ROC curve", rocPts, math.NaN())),
		"gains":        must(Gains("Cumulative gains", gains)),
		"calibration":  must(Calibration("Calibration", calBins)),
		"confusion":    must(Confusion("Confusion matrix (cut-off 0.5)", [2][2]int64{{1520, 130}, {210, 340}}, [2]string{"no", "yes"})),
		"confusion-0s": must(Confusion("One class predicted", [2][2]int64{{10, 0}, {4, 0}}, [2]string{"stayed", "churned"})),
		"elbow":        must(Elbow("Elbow", []int{2, 3, 4, 5, 6, 7, 8}, []float64{9100, 6200, 4100, 3600, 3300, 3050, 2900})),
	}
}

func TestModelChartsRender(t *testing.T) {
	for name, p := range modelCharts(t) {
		for _, format := range []string{"png", "svg", "pdf"} {
			var buf bytes.Buffer
			if err := Render(p, format, DefaultWidth, DefaultHeight, &buf); err != nil {
				t.Fatalf("%s as %s: %v", name, format, err)
			}
			if buf.Len() < 1000 {
				t.Errorf("%s as %s: only %d bytes", name, format, buf.Len())
			}
		}
		img, err := PNG(p, 640, 400)
		if err != nil {
			t.Fatalf("%s on screen: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 400 {
			t.Errorf("%s: image is %v", name, b)
		}
		if *samples != "" {
			if err := os.MkdirAll(*samples, 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(filepath.Join(*samples, "model-"+name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			big, err := PNG(p, 1100, 680)
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, big)
			f.Close()
		}
	}
}

func TestModelChartsEmpty(t *testing.T) {
	for name, f := range map[string]func() (*plot.Plot, error){
		"roc":         func() (*plot.Plot, error) { return ROC("ROC", nil, 0.5) },
		"gains":       func() (*plot.Plot, error) { return Gains("Gains", nil) },
		"calibration": func() (*plot.Plot, error) { return Calibration("Calibration", []CalBin{}) },
		"confusion":   func() (*plot.Plot, error) { return Confusion("Confusion", [2][2]int64{}, [2]string{"no", "yes"}) },
		"elbow":       func() (*plot.Plot, error) { return Elbow("Elbow", nil, nil) },
	} {
		p, err := f()
		if !errors.Is(err, ErrNoData) || p != nil {
			t.Errorf("%s with no data: %v, %v; want ErrNoData", name, p, err)
		}
	}
}

func TestModelChartsBadInput(t *testing.T) {
	for name, f := range map[string]func() (*plot.Plot, error){
		"roc-outside":   func() (*plot.Plot, error) { return ROC("ROC", []Point{{0, 0}, {1.5, 1}}, 0.5) },
		"roc-nan":       func() (*plot.Plot, error) { return ROC("ROC", []Point{{0, math.NaN()}}, 0.5) },
		"gains-range":   func() (*plot.Plot, error) { return Gains("Gains", []Decile{{0.1, 1.2, 2}}) },
		"gains-inf":     func() (*plot.Plot, error) { return Gains("Gains", []Decile{{0.1, 0.2, math.Inf(1)}}) },
		"cal-negative":  func() (*plot.Plot, error) { return Calibration("Cal", []CalBin{{-0.2, 0.1, 3}}) },
		"confusion-neg": func() (*plot.Plot, error) { return Confusion("C", [2][2]int64{{1, -1}, {0, 2}}, [2]string{"a", "b"}) },
		"elbow-len":     func() (*plot.Plot, error) { return Elbow("Elbow", []int{2, 3}, []float64{1}) },
		"elbow-nan":     func() (*plot.Plot, error) { return Elbow("Elbow", []int{2}, []float64{math.NaN()}) },
	} {
		p, err := f()
		if err == nil || p != nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "chart:") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}
