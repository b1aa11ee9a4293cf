package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Bar is one labelled value of a bar chart.
type Bar struct {
	Label string
	Value float64
	// Note follows the value label, e.g. a share: "1,234  12.3%".
	Note string
	// Key is handed back in the [Element] of the bar, so a caller can act
	// on it (a segment's name as stored, not as shown).
	Key string
}

// Bars draws one horizontal bar per item, first item at the top, with its
// value printed at the end of the bar. Bars are horizontal because segment
// and product names such as "Can't Lose Them" do not fit under vertical
// bars without rotation, and rotated text is hard to read. valueLabel names
// the value axis.
func Bars(title, valueLabel string, bars []Bar, opts ...Option) (*plot.Plot, error) {
	if len(bars) == 0 {
		return nil, i18n.Errorf("%w: %q has no bars", ErrNoData, title)
	}
	cfg := newConfig(opts)
	hb := &hbars{
		values: make([]float64, len(bars)),
		labels: make([]string, len(bars)),
		names:  make([]string, len(bars)),
		keys:   make([]string, len(bars)),
		color:  Colors[0],
		// Same size as the category labels, so each pair shares a baseline.
		style: style(sans, tickSize, inkColor),
	}
	ticks := make(plot.ConstantTicks, len(bars))
	whole := true // counts: keep fractions off the axis
	for i, b := range bars {
		if math.IsNaN(b.Value) || math.IsInf(b.Value, 0) {
			return nil, i18n.Errorf("chart: %q: bar %q has no finite value (%v)", title, b.Label, b.Value)
		}
		hb.values[i] = b.Value
		whole = whole && b.Value == math.Trunc(b.Value)
		hb.labels[i] = cfg.format(b.Value)
		if b.Note != "" {
			hb.labels[i] += "  " + b.Note
		}
		hb.names[i], hb.keys[i] = b.Label, b.Key
		ticks[i] = plot.Tick{Value: hb.y(i), Label: shorten(b.Label)}
	}

	p := New(title, valueLabel, "")
	p.Y.Tick.Marker = ticks
	p.Y.Tick.Label.Color = inkColor
	hideAxisLine(&p.Y)
	// Room between category labels and the data, where the label of a
	// negative bar may sit.
	p.Y.Padding = vg.Points(8)
	p.X.Tick.Marker = cfg.ticks(whole)
	hideAxisLine(&p.X)
	p.Add(gridLines(true), hb)
	// Bars grow from zero: starting the axis anywhere else exaggerates
	// differences.
	p.X.Min, p.X.Max = min(p.X.Min, 0), max(p.X.Max, 0)
	if p.X.Min == p.X.Max {
		p.X.Max = 1
	}
	return p, nil
}

// hbars draws horizontal bars with value labels. gonum's BarChart plus
// Labels cannot place a label after a bar's end in points, which is what
// keeps labels legible at every size.
type hbars struct {
	values []float64
	labels []string
	names  []string // full labels, for tooltips
	keys   []string
	color  color.Color
	style  text.Style
}

// barFill is the share of each category's band a bar fills, up to
// maxThickness so that a chart of three bars does not look like a wall.
const (
	barFill      = 0.7
	maxThickness = vg.Length(30) // points
)

// y returns the category coordinate of bar i; the first bar is on top.
func (b *hbars) y(i int) float64 { return float64(len(b.values) - 1 - i) }

func (b *hbars) Plot(c draw.Canvas, p *plot.Plot) {
	noteDrawn(b, c, p)
	trX, trY := p.Transforms(&c)
	half := min(trY(barFill)-trY(0), maxThickness) / 2
	for i, v := range b.values {
		yc := trY(b.y(i))
		x0, x1 := trX(0), trX(v)
		y0, y1 := yc-half, yc+half
		c.FillPolygon(b.color, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		// Offset by the descent exactly as the category axis does.
		s := b.labelStyle(v)
		c.FillText(s, vg.Point{X: x1 + b.gap(v), Y: yc + s.FontExtents().Descent}, b.labels[i])
	}
}

// labelStyle puts the label outside the bar's end: right of positive bars,
// left of negative ones.
func (b *hbars) labelStyle(v float64) text.Style {
	s := b.style
	s.XAlign = draw.XLeft
	if v < 0 {
		s.XAlign = draw.XRight
	}
	return s
}

func (b *hbars) gap(v float64) vg.Length {
	if v < 0 {
		return -valueGap
	}
	return valueGap
}

func (b *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, v := range b.values {
		xmin, xmax = min(xmin, v), max(xmax, v)
	}
	return xmin, xmax, -0.5, float64(len(b.values)) - 0.5
}

// GlyphBoxes lets the plot shrink its data area until every value label
// fits, instead of clipping the label of the longest bar.
func (b *hbars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(b.values))
	for i, v := range b.values {
		boxes[i] = plot.GlyphBox{
			X:         p.X.Norm(v),
			Y:         p.Y.Norm(b.y(i)),
			Rectangle: b.labelStyle(v).Rectangle(b.labels[i]).Add(vg.Point{X: b.gap(v)}),
		}
	}
	return boxes
}
