// Package chart draws the app's charts with gonum/plot, so the GUI and the
// CLI show the same pictures: bars for per-segment totals, an R×F heat map
// and histograms of values binned elsewhere (in SQL).
//
// Every chart gets the same theme: sans-serif text sized to be read at
// [DefaultWidth]×[DefaultHeight], light grid lines behind the data, and
// value labels on the data itself so readers do not have to estimate from
// an axis. Builders return a *plot.Plot; [Save], [Render] and [PNG] turn it
// into a file, a stream or an image for the screen.
package chart

import (
	"errors"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// ErrNoData is returned (wrapped) when there is nothing to draw, so callers
// can show "no data yet" instead of an empty frame.
var ErrNoData = errors.New("chart: nothing to draw")

// Colors is the palette for data series, in order of use. It is the
// Okabe–Ito set, which stays distinguishable for colour-blind readers.
var Colors = []color.Color{
	rgb(0x0072B2), // blue
	rgb(0xE69F00), // orange
	rgb(0x009E73), // green
	rgb(0xCC79A7), // pink
	rgb(0x56B4E9), // sky blue
	rgb(0xD55E00), // vermillion
	rgb(0xF0E442), // yellow
	rgb(0x000000), // black
}

// The theme. Sizes are in points; at the default size and 96 dpi the
// smallest text is about 13 px high.
var (
	// No bold: gonum/plot v0.17's PDF backend registers bold faces under
	// the wrong style and fails to write them, so hierarchy comes from size.
	sans       = font.Font{Typeface: "Liberation", Variant: "Sans"}
	titleSize  = vg.Points(15)
	labelSize  = vg.Points(11.5)
	tickSize   = vg.Points(10.5)
	valueSize  = vg.Points(10)
	inkColor   = rgb(0x222222) // titles and values
	softInk    = rgb(0x4D4D4D) // axis labels and ticks
	gridColor  = rgb(0xE3E3E3)
	axisColor  = rgb(0xA0A0A0)
	margin     = vg.Points(12) // around the whole chart, so text never touches the edge
	valueGap   = vg.Points(4)  // between a bar's end and its label
	maxLabelRs = 30            // longer category labels are shortened with an ellipsis
)

func rgb(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xFF}
}

func style(f font.Font, size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(f, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: handler,
	}
}

// New returns an empty plot in the app's theme, for charts this package
// does not build itself. It never changes gonum/plot's package defaults,
// which other code may rely on.
func New(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = paper

	p.Title.Text = title
	p.Title.TextStyle = style(sans, titleSize, inkColor)
	p.Title.TextStyle.YAlign = draw.YTop
	p.Title.Padding = vg.Points(10)

	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = style(sans, labelSize, softInk)
		a.Label.Padding = vg.Points(6)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Label.Color = softInk
		a.Tick.LineStyle = draw.LineStyle{Color: axisColor, Width: vg.Points(0.75)}
		a.Tick.Length = vg.Points(4)
		a.LineStyle = draw.LineStyle{Color: axisColor, Width: vg.Points(0.75)}
		a.Padding = 0
	}
	p.X.Label.Text = xLabel
	p.X.Label.TextStyle.YAlign = draw.YBottom
	p.Y.Label.Text = yLabel
	p.Y.Label.TextStyle.YAlign = draw.YBottom
	useHandler(p)
	return p
}

// hideAxisLine removes an axis's line and tick marks but keeps its labels:
// grid lines or category labels already tell the reader where things are.
func hideAxisLine(a *plot.Axis) {
	a.LineStyle.Width = 0
	a.Tick.Length = 0
}

// gridLines returns light grid lines at the major ticks of the value axis
// only; lines across categories would just add clutter.
func gridLines(vertical bool) *plotter.Grid {
	line := draw.LineStyle{Color: gridColor, Width: vg.Points(0.75)}
	if vertical {
		return &plotter.Grid{Vertical: line}
	}
	return &plotter.Grid{Horizontal: line}
}

// Option changes how a chart shows its values.
type Option func(*config)

type config struct {
	format func(float64) string
	// compact lets the value axis abbreviate large numbers where the
	// language does (see [valueTicks]): true for plain numbers and for
	// amounts given with [WithMoney], whose symbol then goes in front.
	compact bool
	symbol  string
	// note is a line under a histogram's x axis label.
	note string
	// cellText says what a heat map cell holds, for tooltips.
	cellText func(x, y int, v string) string
}

// WithNote adds a line under a histogram's axis label, such as how many
// values lie beyond the range drawn.
func WithNote(note string) Option { return func(c *config) { c.note = note } }

// WithCellText says what a heat map cell at scores x, y holds, given its
// formatted value v, for the tooltip of the cell.
func WithCellText(f func(x, y int, v string) string) Option {
	return func(c *config) { c.cellText = f }
}

func newConfig(opts []Option) config {
	c := config{format: Number, compact: true}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// ticks returns the value axis marker for the chart's values.
func (c config) ticks(whole bool) valueTicks {
	return valueTicks{format: c.format, whole: whole, compact: c.compact, symbol: c.symbol}
}

// WithFormat formats the chart's values (bar labels, heat map cells, the
// histogram's x axis) with f, for example [Money] or [Percent]. The axis
// shows them with f too; for amounts prefer [WithMoney], whose axis can
// abbreviate large values.
func WithFormat(f func(float64) string) Option {
	return func(c *config) {
		if f != nil {
			c.format, c.compact, c.symbol = f, false, ""
		}
	}
}

// WithMoney formats the chart's values as amounts, [Money](symbol,
// decimals); in Chinese the value axis counts large amounts in 万 and 亿
// (¥25万) as readers there expect.
func WithMoney(symbol string, decimals int) Option {
	return func(c *config) {
		c.format, c.compact, c.symbol = Money(symbol, decimals), true, symbol
	}
}

// valueTicks labels round values (steps of 1, 2, 2.5 or 5 times a power
// of ten) with format, so axes use the same thousands separators and
// currency as the value labels. It aims at six ticks, since gonum's
// default three are too few to read values off a wide chart, and when
// width is known (see fitTicks) takes fewer so wide labels never overlap.
//
// With compact set, an axis reaching 10万 in Chinese counts in 万 (or 亿
// from 1亿 up), "0, 25万, 50万", which Chinese readers take in faster than
// "250,000"; symbol goes in front of amounts. English keeps whole numbers
// with separators, which its readers are used to on axes.
type valueTicks struct {
	format  func(float64) string
	whole   bool       // counts: never label fractions
	compact bool       // large values may be abbreviated (see above)
	symbol  string     // currency symbol of compact amounts
	width   vg.Length  // of a horizontal axis; 0 if unknown
	height  vg.Length  // of a vertical axis; 0 if unknown
	style   text.Style // of the labels, to measure them against width
}

func (t valueTicks) Ticks(lo, hi float64) []plot.Tick {
	step := niceStep((hi - lo) / 6)
	if t.whole {
		step = max(step, 1)
	}
	ticks := t.ticks(lo, hi, step)
	for (t.width > 0 || t.height > 0) && len(ticks) > 2 && !t.fits(ticks) {
		step = niceStep(step * (1 + 1e-6)) // the next round step up
		ticks = t.ticks(lo, hi, step)
	}
	return ticks
}

func (t valueTicks) ticks(lo, hi, step float64) []plot.Tick {
	var ticks []plot.Tick
	seen := make(map[string]bool)
	repeated := false
	format := t.format
	if t.compact {
		format = t.compactFormat(lo, hi, format)
	}
	for k := math.Ceil(lo / step); k*step <= hi+step*1e-9; k++ {
		v := k * step
		if v == 0 {
			v = 0 // not -0
		}
		label := format(v)
		repeated = repeated || seen[label]
		seen[label] = true
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	if repeated {
		// The format rounds too much for this range (whole dollars for
		// 0.5 steps, say): exact numbers beat repeated labels.
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}

// compactFormat returns the tick format for an axis from lo to hi: in
// Chinese, from 10万 up, values in 万 or 亿 with as many decimals as the
// step needs (0.25亿), so every label stays exact; otherwise format.
func (t valueTicks) compactFormat(lo, hi float64, format func(float64) string) func(float64) string {
	top := max(math.Abs(lo), math.Abs(hi))
	if !i18n.IsChinese() || !(top >= 1e5) || math.IsInf(top, 0) {
		return format
	}
	unit, suffix := 1e4, "万"
	if top >= 1e8 {
		unit, suffix = 1e8, "亿"
	}
	return func(v float64) string {
		if v == 0 {
			return "0"
		}
		s := i18n.Group(v/unit, 4, true) + suffix
		if strings.HasPrefix(s, "-") {
			return "-" + t.symbol + s[1:]
		}
		return t.symbol + s
	}
}

// fits reports whether the labels fit side by side in t.width with at
// least two spaces between neighbours, or one above the other in t.height
// with a line between them.
func (t valueTicks) fits(ticks []plot.Tick) bool {
	if t.height > 0 {
		return vg.Length(len(ticks))*2*t.style.Height("0") <= t.height
	}
	var widest vg.Length
	for _, tk := range ticks {
		widest = max(widest, t.style.Width(tk.Label))
	}
	gap := 2 * t.style.Width(" ")
	return vg.Length(len(ticks))*(widest+gap) <= t.width
}

// fitTicks returns a copy of p whose axis ticks, if they are ours, know
// how long each axis will be on c. Drawing a copy leaves p untouched
// (plot.Draw normalises axis ranges in place), so one plot can be drawn at
// several sizes, even concurrently.
func fitTicks(p *plot.Plot, c draw.Canvas) *plot.Plot {
	q := *p
	vt, ok := q.X.Tick.Marker.(valueTicks)
	if ok {
		da := q.DataCanvas(c)
		vt.width, vt.style = da.Max.X-da.Min.X, q.X.Tick.Label
		q.X.Tick.Marker = vt
	}
	// The value axis of a short chart (a pane of a small window) gets
	// fewer labels rather than labels on top of each other.
	if vt, ok := q.Y.Tick.Marker.(valueTicks); ok {
		da := q.DataCanvas(c)
		vt.height, vt.style = da.Max.Y-da.Min.Y, q.Y.Tick.Label
		q.Y.Tick.Marker = vt
	}
	return &q
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if x <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// centred returns where to draw one line of text aligned YCenter so that
// its digits and capitals, rather than its whole box with descenders, are
// centred on pt.
func centred(s text.Style, pt vg.Point) vg.Point {
	pt.Y += s.FontExtents().Descent / 2
	return pt
}

// shorten cuts labels longer than maxLabelRs runes so one long product
// name cannot squeeze the plot area to nothing.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= maxLabelRs {
		return s
	}
	return string(r[:maxLabelRs-1]) + "…"
}
