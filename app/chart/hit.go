package chart

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Kind says what an [Element] is.
type Kind int

const (
	BarElement   Kind = iota + 1 // a bar of [Bars] or [RateIntervals]
	BinElement                   // a bin of [Histogram]
	CellElement                  // a cell of [Heatmap]
	PointElement                 // a marked point of a curve
)

// Element is what a person points at on a chart, with the value behind it.
type Element struct {
	Kind  Kind
	Index int     // of the bar, bin or point, in the order given
	Key   string  // Bar.Key: what the caller needs to act on the bar
	Label string  // the bar's label
	Value float64 // the bar's value, the bin's count, the cell's value, the point's y
	// Lo and Hi bound a bin; Last says it is the last one, which also
	// holds values equal to Hi.
	Lo, Hi float64
	Last   bool
	// X and Y are a cell's scores (1–5) or a point's coordinates.
	X, Y float64
	// Text says what the element shows, for a tooltip.
	Text string
}

// hitter is a plotter whose elements can be pointed at.
type hitter interface {
	hit(c draw.Canvas, p *plot.Plot, pt vg.Point) (Element, bool)
}

// inside reports whether pt lies in c's rectangle.
func inside(c draw.Canvas, pt vg.Point) bool {
	return pt.X >= c.Min.X && pt.X <= c.Max.X && pt.Y >= c.Min.Y && pt.Y <= c.Max.Y
}

// hit finds the bar whose row pt is in: the whole band across the data
// area, so short and thin bars are as easy to point at as long ones.
func (b *hbars) hit(c draw.Canvas, p *plot.Plot, pt vg.Point) (Element, bool) {
	if !inside(c, pt) {
		return Element{}, false
	}
	_, trY := p.Transforms(&c)
	for i, v := range b.values {
		yc := trY(b.y(i))
		band := (trY(1) - trY(0)) / 2
		if pt.Y >= yc-band && pt.Y < yc+band {
			return Element{Kind: BarElement, Index: i, Key: b.keys[i], Label: b.names[i], Value: v,
				Text: i18n.T("%s: %s", b.names[i], b.labels[i])}, true
		}
	}
	return Element{}, false
}

// hit finds the bin whose column pt is in.
func (h *histBars) hit(c draw.Canvas, p *plot.Plot, pt vg.Point) (Element, bool) {
	if !inside(c, pt) {
		return Element{}, false
	}
	trX, _ := p.Transforms(&c)
	for i, b := range h.bins {
		if pt.X >= trX(b.Lo) && pt.X < trX(b.Hi) {
			last := i == len(h.bins)-1
			return Element{Kind: BinElement, Index: i, Value: float64(b.Count), Lo: b.Lo, Hi: b.Hi, Last: last,
				Text: i18n.T("%s to %s: %s", h.format(b.Lo), h.format(b.Hi), Number(float64(b.Count)))}, true
		}
	}
	return Element{}, false
}

// hit finds the cell pt is in.
func (h *heat) hit(c draw.Canvas, p *plot.Plot, pt vg.Point) (Element, bool) {
	if !inside(c, pt) {
		return Element{}, false
	}
	trX, trY := p.Transforms(&c)
	for i, col := range h.cells {
		for j, v := range col {
			if pt.X >= trX(float64(i)+0.5) && pt.X < trX(float64(i)+1.5) && pt.Y >= trY(float64(j)+0.5) && pt.Y < trY(float64(j)+1.5) {
				return Element{Kind: CellElement, Index: i*5 + j, X: float64(i + 1), Y: float64(j + 1), Value: v,
					Text: h.cellText(i+1, j+1, h.format(v))}, true
			}
		}
	}
	return Element{}, false
}

// pointReach is how near a point the pointer must be, in points.
const pointReach = 8

// hit finds the marked point nearest pt, within pointReach.
func (l *lineDots) hit(c draw.Canvas, p *plot.Plot, pt vg.Point) (Element, bool) {
	trX, trY := p.Transforms(&c)
	best, at := -1, vg.Length(pointReach)
	for i, xy := range l.Scatter.XYs {
		d := vg.Length(math.Hypot(float64(trX(xy.X)-pt.X), float64(trY(xy.Y)-pt.Y)))
		if d <= at {
			best, at = i, d
		}
	}
	if best < 0 {
		return Element{}, false
	}
	xy := l.Scatter.XYs[best]
	x, y := p.X.Tick.Marker, p.Y.Tick.Marker
	return Element{Kind: PointElement, Index: best, X: xy.X, Y: xy.Y, Value: xy.Y,
		Text: i18n.T("%s, %s", tickText(x, xy.X), tickText(y, xy.Y))}, true
}

// tickText formats v the way the axis labels it, where the axis is ours.
func tickText(m plot.Ticker, v float64) string {
	if vt, ok := m.(valueTicks); ok && vt.format != nil {
		return vt.format(v)
	}
	if tt, ok := m.(plot.TimeTicks); ok {
		at := plot.UTCUnixTime
		if tt.Time != nil {
			at = tt.Time
		}
		return at(v).Format(tt.Format)
	}
	return Number(v)
}

// hit finds the group whose row pt is in.
func (b *rateBars) hit(c draw.Canvas, p *plot.Plot, pt vg.Point) (Element, bool) {
	if !inside(c, pt) {
		return Element{}, false
	}
	_, trY := p.Transforms(&c)
	band := (trY(1) - trY(0)) / 2
	for i, r := range b.rates {
		yc := trY(b.y(i))
		if pt.Y >= yc-band && pt.Y < yc+band {
			return Element{Kind: BarElement, Index: i, Key: r.Label, Label: groupName(r.Label), Value: r.Rate,
				Text: i18n.T("%s: %s", groupName(r.Label), b.labels[i])}, true
		}
	}
	return Element{}, false
}
