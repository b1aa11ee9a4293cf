package chart

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Bin is one bar of a histogram: Count values fell in [Lo, Hi).
type Bin struct {
	Lo, Hi float64
	Count  int64
}

// Histogram draws bins that were counted elsewhere, usually in SQL, so
// that millions of rows never pass through Go. Bins must be in increasing
// order and must not overlap; gaps between them are drawn as gaps. Bar
// heights are counts, so only bins of equal width compare fairly by area.
// Counts are printed on the bars when every one of them fits.
// [WithFormat] formats the x axis (for example [Money] for order values).
func Histogram(title, xLabel string, bins []Bin, opts ...Option) (*plot.Plot, error) {
	if len(bins) == 0 {
		return nil, i18n.Errorf("%w: %q has no bins", ErrNoData, title)
	}
	for i, b := range bins {
		switch {
		case math.IsNaN(b.Lo) || math.IsNaN(b.Hi) || math.IsInf(b.Lo, 0) || math.IsInf(b.Hi, 0):
			return nil, i18n.Errorf("chart: %q: bin %d has an infinite or missing edge [%v, %v)", title, i+1, b.Lo, b.Hi)
		case b.Lo >= b.Hi:
			return nil, i18n.Errorf("chart: %q: bin %d is empty or reversed: [%v, %v)", title, i+1, b.Lo, b.Hi)
		case b.Count < 0:
			return nil, i18n.Errorf("chart: %q: bin %d has a negative count %d", title, i+1, b.Count)
		case i > 0 && b.Lo < bins[i-1].Hi:
			return nil, i18n.Errorf("chart: %q: bin %d [%v, %v) overlaps or precedes bin %d [%v, %v)",
				title, i+1, b.Lo, b.Hi, i, bins[i-1].Lo, bins[i-1].Hi)
		}
	}
	cfg := newConfig(opts)
	if cfg.note != "" {
		// Under the axis label, where the reader looks for what the axis leaves out.
		xLabel += "\n" + cfg.note
	}
	p := New(title, xLabel, i18n.T("Count"))
	p.X.Tick.Marker = cfg.ticks(false)
	p.Y.Tick.Marker = valueTicks{format: Number, whole: true, compact: true}
	hideAxisLine(&p.Y)
	p.Add(gridLines(false), &histBars{bins: bins, style: style(sans, valueSize, inkColor), format: cfg.format})
	p.Y.Min = 0
	if p.Y.Max <= 0 {
		p.Y.Max = 1 // all counts zero: still draw a sensible axis
	}
	return p, nil
}

// maxCountLabels is the most bins that get their count printed; beyond it
// the labels would collide.
const maxCountLabels = 20

type histBars struct {
	bins   []Bin
	style  text.Style
	format func(float64) string // of the bin edges
}

func (h *histBars) labelStyle() text.Style {
	s := h.style
	s.YAlign = draw.YBottom
	return s
}

func (h *histBars) Plot(c draw.Canvas, p *plot.Plot) {
	noteDrawn(h, c, p)
	trX, trY := p.Transforms(&c)
	// A hairline of background between adjacent bars keeps them apart.
	half := vg.Points(0.5)
	showCounts := len(h.bins) <= maxCountLabels
	if showCounts {
		for _, b := range h.bins {
			if h.labelStyle().Width(Number(float64(b.Count))) > trX(b.Hi)-trX(b.Lo) {
				showCounts = false // one label would not fit its bar; show none rather than some
				break
			}
		}
	}
	for _, b := range h.bins {
		x0, x1 := trX(b.Lo)+half, trX(b.Hi)-half
		y0, y1 := trY(0), trY(float64(b.Count))
		c.FillPolygon(Colors[0], []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		if showCounts {
			c.FillText(h.labelStyle(), vg.Point{X: (x0 + x1) / 2, Y: y1 + valueGap}, Number(float64(b.Count)))
		}
	}
}

func (h *histBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymax = math.Inf(-1)
	for _, b := range h.bins {
		ymax = max(ymax, float64(b.Count))
	}
	return h.bins[0].Lo, h.bins[len(h.bins)-1].Hi, 0, ymax
}

// GlyphBoxes keeps room above the tallest bars for their counts.
func (h *histBars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	if len(h.bins) > maxCountLabels {
		return nil
	}
	boxes := make([]plot.GlyphBox, len(h.bins))
	for i, b := range h.bins {
		boxes[i] = plot.GlyphBox{
			X:         p.X.Norm((b.Lo + b.Hi) / 2),
			Y:         p.Y.Norm(float64(b.Count)),
			Rectangle: h.labelStyle().Rectangle(Number(float64(b.Count))).Add(vg.Point{Y: valueGap}),
		}
	}
	return boxes
}
