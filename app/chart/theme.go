package chart

import (
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Theme is the colours a chart is drawn in on screen. Charts are built in
// the light theme (files saved for slides and reports stay light); [Draw]
// swaps its colours for the theme's while drawing, so one built plot can be
// shown in any theme, at any size, by several goroutines at once.
type Theme struct {
	Background color.Color // behind everything
	Ink        color.Color // titles, category labels, values
	SoftInk    color.Color // axis labels and ticks
	Grid       color.Color // grid lines
	Axis       color.Color // axis lines, reference lines, the control group
}

// Light is the theme charts are built in.
var Light = Theme{Background: paper, Ink: inkColor, SoftInk: softInk, Grid: gridColor, Axis: axisColor}

// paper is the background charts are built on. Text drawn on dark heat map
// cells uses a white one step off it (see textOn), so it is not swapped.
var paper = rgb(0xFFFFFF)

// ThemeFrom derives a theme from an interface's background and text
// colours: secondary ink, grid and axis colours are the text colour mixed
// into the background, so they keep their weight in dark and light.
func ThemeFrom(bg, fg color.Color) Theme {
	return Theme{
		Background: opaque(bg),
		Ink:        opaque(fg),
		SoftInk:    lerp(opaque(bg), opaque(fg), 0.8),
		Grid:       lerp(opaque(bg), opaque(fg), 0.14),
		Axis:       lerp(opaque(bg), opaque(fg), 0.45),
	}
}

// opaque drops transparency: a chart's colours are painted onto its own
// background, never blended with what is behind the image.
func opaque(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	if a == 0 {
		return paper
	}
	// Un-premultiply, then treat the result as solid.
	return color.RGBA{R: uint8(r * 0xFF / a), G: uint8(g * 0xFF / a), B: uint8(b * 0xFF / a), A: 0xFF}
}

// swap returns the theme's colour for one of the light theme's, and any
// other colour (data, heat map cells) unchanged.
func (t Theme) swap(c color.Color) color.Color {
	if c == nil {
		return c
	}
	switch same := func(a color.Color) bool { return equal(a, c) }; {
	case same(paper):
		return t.Background
	case same(inkColor):
		return t.Ink
	case same(softInk):
		return t.SoftInk
	case same(gridColor):
		return t.Grid
	case same(axisColor):
		return t.Axis
	}
	return c
}

func equal(a, b color.Color) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	return ar == br && ag == bg && ab == bb && aa == ba
}

// themed draws on a canvas in another theme. It also notes where each
// element that can be pointed at was drawn (see [Frame]), because plot
// keeps its plotters to itself.
type themed struct {
	*vgimg.Canvas
	theme Theme
	hits  []drawn
}

func (c *themed) SetColor(col color.Color) { c.Canvas.SetColor(c.theme.swap(col)) }

// drawn is a plotter that can be pointed at, with where it was drawn.
type drawn struct {
	h    hitter
	c    draw.Canvas
	plot *plot.Plot
}

// noteDrawn records h for hit-testing when c is a screen canvas.
func noteDrawn(h hitter, c draw.Canvas, p *plot.Plot) {
	if t := screenOf(c.Canvas); t != nil {
		t.hits = append(t.hits, drawn{h: h, c: c, plot: p})
	}
}

// screenOf finds the themed canvas under the canvases that draw.Crop
// wraps around each other, or nil when drawing to a file.
func screenOf(v vg.Canvas) *themed {
	for {
		switch x := v.(type) {
		case *themed:
			return x
		case draw.Canvas:
			v = x.Canvas
		case *draw.Canvas:
			v = x.Canvas
		default:
			return nil
		}
	}
}

// Draw renders p for a screen: wPx×hPx pixels at scale (1 = 96 dpi, 2 on
// a HiDPI screen), so text has its point size whatever the pane's size,
// in theme t. The Frame it returns finds the element under a pixel.
func Draw(p *plot.Plot, wPx, hPx int, scale float64, t Theme) (image.Image, *Frame, error) {
	if wPx <= 0 || hPx <= 0 || !(scale > 0) {
		return nil, nil, i18n.Errorf("chart: image size %d×%d px must be positive", wPx, hPx)
	}
	dpi := screenDPI * scale
	w := vg.Length(wPx) * vg.Inch / vg.Length(dpi)
	h := vg.Length(hPx) * vg.Inch / vg.Length(dpi)
	if err := check(p, w, h); err != nil {
		return nil, nil, err
	}
	if err := checkPixels(w, h, dpi); err != nil {
		return nil, nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, wPx, hPx))
	c := &themed{Canvas: vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(int(dpi+0.5))), theme: t}
	if err := drawSafe(p, c); err != nil {
		return nil, nil, err
	}
	return c.Image(), &Frame{hits: c.hits, dpi: dpi, hPx: hPx}, nil
}

// Frame is a chart as drawn at one size: it maps a pixel back to the bar,
// bin, cell or point under it.
type Frame struct {
	hits []drawn
	dpi  float64
	hPx  int
}

// At returns the element under pixel (x, y) of the image, counted from its
// top left corner.
func (f *Frame) At(x, y float64) (Element, bool) {
	if f == nil {
		return Element{}, false
	}
	pt := vg.Point{X: vg.Length(x * 72 / f.dpi), Y: vg.Length((float64(f.hPx) - y) * 72 / f.dpi)}
	// Last drawn is on top.
	for i := len(f.hits) - 1; i >= 0; i-- {
		d := f.hits[i]
		if e, ok := d.h.hit(d.c, d.plot, pt); ok {
			return e, true
		}
	}
	return Element{}, false
}

// rowHeight is the least height of a category row (a bar, a heat map
// row) for its label to stay apart from its neighbours'; chartOverhead is
// the height of the title, the value axis and the margins.
var (
	rowHeight     = 2 * tickSize
	chartOverhead = vg.Points(120)
)

// MinHeight is the least height, in pixels at 96 dpi, at which p's
// category labels do not overlap: a chart of many bars needs more than a
// pane may give, and is better scrolled than squashed.
func MinHeight(p *plot.Plot) int {
	if p == nil {
		return 0
	}
	ticks, ok := p.Y.Tick.Marker.(plot.ConstantTicks)
	if !ok {
		return 0
	}
	h := chartOverhead + vg.Length(len(ticks))*rowHeight
	return int(h.Dots(screenDPI) + 0.5)
}
