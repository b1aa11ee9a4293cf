package chart

import (
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Charts of customer value: whether a lifetime-value model's expectations
// held on the orders after its calibration period (by frequency, and over
// time), and how an uplift ranking compares with contacting at random.

// HoldoutCheck draws, for each group of customers (labels, e.g. how many
// repeat purchases they made in calibration), the mean repeat purchases
// they made after it against those the model expected (FHL 2005, fig. 4).
func HoldoutCheck(title, xLabel string, labels []string, actual, expected []float64) (*plot.Plot, error) {
	if len(labels) == 0 {
		return nil, i18n.Errorf("%w: %q has no groups", ErrNoData, title)
	}
	if len(actual) != len(labels) || len(expected) != len(labels) {
		return nil, i18n.Errorf("chart: %q: %d groups but %d actual and %d expected values", title, len(labels), len(actual), len(expected))
	}
	act, exp := make([]Point, len(labels)), make([]Point, len(labels))
	ticks := make(plot.ConstantTicks, len(labels))
	for i := range labels {
		if bad(actual[i]) || bad(expected[i]) || actual[i] < 0 || expected[i] < 0 {
			return nil, i18n.Errorf("chart: %q: group %s has %v actual and %v expected", title, labels[i], actual[i], expected[i])
		}
		act[i], exp[i] = Point{float64(i), actual[i]}, Point{float64(i), expected[i]}
		ticks[i] = plot.Tick{Value: float64(i), Label: shorten(labels[i])}
	}
	p := twoLines(title, xLabel, i18n.T("Mean purchases after calibration"), act, exp)
	p.X.Tick.Marker = ticks
	p.X.Padding = vg.Points(6)
	return p, nil
}

// Tracking draws cumulative repeat purchases over time, made and expected,
// with a dashed line where the calibration period ends (FHL 2005, fig. 3).
func Tracking(title string, at []time.Time, actual, expected []float64, calibrationEnd time.Time) (*plot.Plot, error) {
	if len(at) == 0 {
		return nil, i18n.Errorf("%w: %q has no points", ErrNoData, title)
	}
	if len(actual) != len(at) || len(expected) != len(at) {
		return nil, i18n.Errorf("chart: %q: %d times but %d actual and %d expected values", title, len(at), len(actual), len(expected))
	}
	act, exp := make([]Point, len(at)), make([]Point, len(at))
	for i, t := range at {
		if bad(actual[i]) || bad(expected[i]) {
			return nil, i18n.Errorf("chart: %q: point %d has %v actual and %v expected", title, i+1, actual[i], expected[i])
		}
		x := dayOf(t)
		act[i], exp[i] = Point{x, actual[i]}, Point{x, expected[i]}
	}
	p := twoLines(title, "", i18n.T("Repeat purchases, cumulative"), act, exp)
	p.X.Tick.Marker = valueTicks{format: dayFormat}
	if !calibrationEnd.IsZero() {
		x := dayOf(calibrationEnd)
		lo, hi := p.Y.Min, p.Y.Max
		l, _ := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
		l.LineStyle = draw.LineStyle{Color: axisColor, Width: vg.Points(1.25), Dashes: []vg.Length{vg.Points(5), vg.Points(4)}}
		p.Add(l)
		p.Legend.Add(i18n.T("Calibration end"), l)
	}
	return p, nil
}

// dayOf is a time as days since 1970, the x of time axes here.
func dayOf(t time.Time) float64 { return float64(t.Unix()) / 86400 }

func dayFormat(d float64) string {
	return i18n.Date(time.Unix(int64(math.Round(d*86400)), 0).UTC())
}

// twoLines draws what happened (a solid line) against what a model
// expected (dashed), on a value axis from 0.
func twoLines(title, xLabel, yLabel string, actual, expected []Point) *plot.Plot {
	p := New(title, xLabel, yLabel)
	p.Y.Tick.Marker = valueTicks{format: Number, compact: true}
	hideAxisLine(&p.Y)
	p.Add(gridLines(false))
	a := curve(actual, Colors[0], len(actual) <= 40)
	e := curve(expected, Colors[1], false)
	if l, ok := e.(*plotter.Line); ok {
		l.LineStyle.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	p.Add(a, e)
	p.Legend.Add(i18n.T("Actual"), a)
	p.Legend.Add(i18n.T("Expected by the model"), e)
	p.Legend.TextStyle = style(sans, tickSize, inkColor)
	p.Legend.TextStyle.XAlign, p.Legend.TextStyle.YAlign = draw.XLeft, draw.YBottom
	p.Legend.Padding = vg.Points(4)
	legendAt(p, true, true)
	p.Y.Min = 0
	if p.Y.Max <= 0 {
		p.Y.Max = 1
	}
	return p
}

// maxCurvePoints bounds the points drawn of a curve with one point per
// customer: more would not show on a screen.
const maxCurvePoints = 400

// thin keeps at most about maxCurvePoints of pts, evenly spaced and with
// the last, with X as a share of n.
func thin(pts []Point, n float64) []Point {
	step := max(1, (len(pts)-1)/maxCurvePoints)
	var line []Point
	for i := 0; i < len(pts); i += step {
		line = append(line, Point{pts[i].X / n, pts[i].Y})
	}
	if last := pts[len(pts)-1]; line[len(line)-1].X != last.X/n {
		line = append(line, Point{last.X / n, last.Y})
	}
	return line
}

// UpliftCurve draws a Qini or uplift curve (pts: X customers targeted,
// best first, from (0, 0); Y the curve's value) against the straight line
// of targeting at random, with the x axis as the share of customers. A
// share in (0, 1) is marked with a dotted line: the top share chosen.
func UpliftCurve(title, yLabel string, pts []Point, share float64) (*plot.Plot, error) {
	if len(pts) < 2 {
		return nil, i18n.Errorf("%w: %q has no points", ErrNoData, title)
	}
	n := pts[len(pts)-1].X
	if !(n > 0) || bad(n) {
		return nil, i18n.Errorf("chart: %q: the last point counts %v customers", title, n)
	}
	for i, pt := range pts {
		if bad(pt.X) || bad(pt.Y) {
			return nil, i18n.Errorf("chart: %q: point %d is (%v, %v)", title, i+1, pt.X, pt.Y)
		}
	}
	line := thin(pts, n)
	p := New(title, i18n.T("Customers targeted, highest predicted uplift first"), yLabel)
	p.X.Tick.Marker = valueTicks{format: Percent(0)}
	p.Y.Tick.Marker = valueTicks{format: Number, compact: true}
	p.X.Min, p.X.Max = 0, 1
	hideAxisLine(&p.Y)
	p.Add(gridLines(false))
	model := curve(line, Colors[0], false)
	p.Add(model)
	p.Legend.Add(i18n.T("Model"), model)
	random, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: line[0].Y}, {X: 1, Y: line[len(line)-1].Y}})
	random.LineStyle = draw.LineStyle{Color: axisColor, Width: vg.Points(1.25), Dashes: []vg.Length{vg.Points(5), vg.Points(4)}}
	p.Add(random)
	p.Legend.Add(i18n.T("Random targeting"), random)
	if share > 0 && share < 1 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, pt := range line {
			lo, hi = min(lo, pt.Y), max(hi, pt.Y)
		}
		lo, hi = min(lo, 0), max(hi, 0)
		m, _ := plotter.NewLine(plotter.XYs{{X: share, Y: lo}, {X: share, Y: hi}})
		m.LineStyle = draw.LineStyle{Color: Colors[1], Width: vg.Points(1.25), Dashes: []vg.Length{vg.Points(2), vg.Points(3)}}
		p.Add(m)
		p.Legend.Add(i18n.T("Top %s", Percent(0)(share)), m)
	}
	p.Legend.TextStyle = style(sans, tickSize, inkColor)
	p.Legend.TextStyle.XAlign, p.Legend.TextStyle.YAlign = draw.XLeft, draw.YBottom
	p.Legend.Padding = vg.Points(4)
	legendAt(p, false, false)
	return p, nil
}
