package chart

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Heatmap draws a 5×5 grid of scores, typically recency score across and
// frequency score up, with each cell coloured by its value and the value
// printed in it. cells[x-1][y-1] is the value at x score x and y score y,
// so cells[r-1][f-1] for an R×F map. Values are formatted with [Number]
// unless [WithFormat] says otherwise (use [Percent] for shares).
func Heatmap(title string, cells [5][5]float64, xLabel, yLabel string, opts ...Option) (*plot.Plot, error) {
	cfg := newConfig(opts)
	lo, hi := 0.0, math.Inf(-1)
	whole := true
	for i, col := range cells {
		for j, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, i18n.Errorf("chart: %q: cell %d,%d has no finite value (%v)", title, i+1, j+1, v)
			}
			lo, hi = min(lo, v), max(hi, v)
			whole = whole && v == math.Trunc(v)
		}
	}
	if lo == 0 && hi == 0 {
		return nil, i18n.Errorf("%w: every cell of %q is zero", ErrNoData, title)
	}

	hm := &heat{cells: cells, lo: lo, hi: hi, whole: whole, format: cfg.format, scale: heatScale(), cellText: cfg.cellText}
	if hm.cellText == nil {
		hm.cellText = func(x, y int, v string) string { return i18n.T("%d, %d: %s", x, y, v) }
	}
	p := New(title, xLabel, yLabel)
	ticks := make(plot.ConstantTicks, 5)
	for i := range ticks {
		ticks[i] = plot.Tick{Value: float64(i + 1), Label: strconv.Itoa(i + 1)}
	}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Marker = ticks
		a.Tick.Label.Color = inkColor
		a.Padding = vg.Points(3)
		hideAxisLine(a) // the cells themselves show where each score is
	}
	p.Add(hm)
	return p, nil
}

// heatScale is the colour ramp, light for small values to dark for large.
// Brewer's Blues without its near-white end, so zero cells stay visible on
// the white background.
func heatScale() []color.Color {
	pal, err := brewer.GetPalette(brewer.TypeSequential, "Blues", 9)
	if err != nil {
		panic(err) // a fixed, known palette: cannot fail
	}
	return pal.Colors()[1:]
}

// heat draws the cells, their values and a colour bar. Drawn by hand
// rather than with plotter.HeatMap to get gaps between cells, per-cell
// text colour and a colour bar inside the same plot.
type heat struct {
	cells    [5][5]float64
	lo, hi   float64
	whole    bool // every value is a whole number (counts)
	format   func(float64) string
	scale    []color.Color
	cellText func(x, y int, v string) string
}

const (
	cellGap  = 2.5 // points of white between cells
	barWidth = 12  // points
	barGap   = 16  // points between the grid and the colour bar
	barSteps = 64  // bands in the colour bar
)

// color maps v to the ramp by linear interpolation between its stops.
func (h *heat) color(v float64) color.Color {
	t := 0.0
	if h.hi > h.lo {
		t = (v - h.lo) / (h.hi - h.lo)
	}
	t = min(max(t, 0), 1) * float64(len(h.scale)-1)
	i := min(int(t), len(h.scale)-2)
	return lerp(h.scale[i], h.scale[i+1], t-float64(i))
}

func lerp(a, b color.Color, t float64) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	mix := func(x, y uint32) uint8 { return uint8((float64(x)*(1-t) + float64(y)*t) / 257) }
	return color.RGBA{R: mix(ar, br), G: mix(ag, bg), B: mix(ab, bb), A: 0xFF}
}

// textOn returns the text colour, dark or white, that contrasts more with
// the background bg (WCAG contrast ratio).
func textOn(bg color.Color) color.Color {
	l := luminance(bg)
	// Pure black: against the mid-blues even a near-black misses WCAG's
	// 4.5:1, while black or white always reaches it.
	dark := color.Black
	if (l+0.05)/(luminance(dark)+0.05) >= 1.05/(l+0.05) {
		return dark
	}
	return onDark
}

// luminance is the WCAG relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func (h *heat) cellStyle(bg color.Color) text.Style {
	return style(sans, vg.Points(12.5), textOn(bg))
}

func (h *heat) barStyle() text.Style {
	s := style(sans, valueSize, softInk)
	s.XAlign = draw.XLeft
	return s
}

// onDark is white text on dark cells: one step off the paper white, so a
// dark theme, which swaps the paper for its background, leaves it white.
var onDark = rgb(0xFEFEFE)

// barTicks are the values labelled on the colour bar: round values in
// the range, whole numbers for counts (a count of 320.5 customers reads
// as an error).
func (h *heat) barTicks() []float64 {
	var out []float64
	for _, t := range (valueTicks{format: h.format, whole: h.whole}).Ticks(h.lo, h.hi) {
		if t.Value >= h.lo && t.Value <= h.hi {
			out = append(out, t.Value)
		}
	}
	// Too few round values inside (a narrow range): the ends instead.
	if len(out) < 2 && h.hi > h.lo {
		out = []float64{h.lo, h.hi}
		if h.whole {
			out = []float64{math.Ceil(h.lo), math.Floor(h.hi)}
		}
	}
	return out
}

func (h *heat) Plot(c draw.Canvas, p *plot.Plot) {
	noteDrawn(h, c, p)
	trX, trY := p.Transforms(&c)
	half := vg.Points(cellGap) / 2
	for i, col := range h.cells {
		for j, v := range col {
			x0, x1 := trX(float64(i)+0.5)+half, trX(float64(i)+1.5)-half
			y0, y1 := trY(float64(j)+0.5)+half, trY(float64(j)+1.5)-half
			bg := h.color(v)
			c.FillPolygon(bg, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			s := h.cellStyle(bg)
			c.FillText(s, centred(s, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}), h.format(v))
		}
	}

	// The colour bar sits right of the grid, as tall as the grid.
	bx0 := trX(5.5) + vg.Points(barGap)
	bx1 := bx0 + vg.Points(barWidth)
	by0, by1 := trY(0.5), trY(5.5)
	step := (by1 - by0) / barSteps
	for k := range barSteps {
		v := h.lo + (h.hi-h.lo)*(float64(k)+0.5)/barSteps
		y := by0 + vg.Length(k)*step
		// Overlap the bands slightly so no hairline gaps show when rasterised.
		c.FillPolygon(h.color(v), []vg.Point{{X: bx0, Y: y}, {X: bx1, Y: y}, {X: bx1, Y: y + step + 0.5}, {X: bx0, Y: y + step + 0.5}})
	}
	for _, v := range h.barTicks() {
		y := by0 + (by1-by0)*vg.Length(h.norm(v))
		c.StrokeLine2(draw.LineStyle{Color: softInk, Width: vg.Points(0.75)}, bx1, y, bx1+vg.Points(3), y)
		c.FillText(h.barStyle(), centred(h.barStyle(), vg.Point{X: bx1 + vg.Points(5), Y: y}), h.format(v))
	}
}

func (h *heat) norm(v float64) float64 {
	if h.hi == h.lo {
		return 0
	}
	return (v - h.lo) / (h.hi - h.lo)
}

func (h *heat) DataRange() (xmin, xmax, ymin, ymax float64) { return 0.5, 5.5, 0.5, 5.5 }

// GlyphBoxes reserves room right of the grid for the colour bar and its
// labels, which are drawn outside the data area.
func (h *heat) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	var boxes []plot.GlyphBox
	for _, v := range h.barTicks() {
		r := h.barStyle().Rectangle(h.format(v))
		r = r.Add(vg.Point{X: vg.Points(barGap + barWidth + 5)})
		boxes = append(boxes, plot.GlyphBox{X: 1, Y: h.norm(v), Rectangle: r})
	}
	return boxes
}
