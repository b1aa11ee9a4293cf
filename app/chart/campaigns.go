package chart

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Charts of a campaign's results. Like the model charts they take plain
// numbers, so this package still depends on gonum/plot only.

// Rate is one group of an experiment: its conversion rate and the
// confidence interval around it.
type Rate struct {
	Label  string
	Rate   float64 // 0..1
	Lo, Hi float64 // the interval, 0..1, Lo <= Rate <= Hi
	// Control marks the group the others are compared with; it is drawn
	// in grey, with a dashed line at its rate across the chart.
	Control bool
}

// groupName is how a legend shows a group: the holdout and control groups
// by their translated names, variants by their own.
func groupName(name string) string {
	switch name {
	case "holdout":
		return i18n.T("holdout")
	case "control":
		return i18n.T("control")
	}
	return name
}

// RateIntervals draws one horizontal bar per group, first at the top, with
// its confidence interval as a whisker and "rate (lo–hi)" after it. A
// dashed line at the control's rate shows at a glance which intervals lie
// clear of it. level names the interval in the axis label, e.g. "95%".
func RateIntervals(title, level string, rates []Rate) (*plot.Plot, error) {
	if len(rates) == 0 {
		return nil, i18n.Errorf("%w: %q has no groups", ErrNoData, title)
	}
	ci := &rateBars{rates: rates, style: style(sans, tickSize, inkColor), control: math.NaN()}
	ticks := make(plot.ConstantTicks, len(rates))
	pct := Percent(1)
	rates = slices.Clone(rates)
	for i := range rates {
		// A Wilson bound for 0 conversions can come out as 1e-17 rather
		// than 0: rounding, not an interval that misses its rate.
		r := &rates[i]
		if r.Lo > r.Rate && r.Lo-r.Rate < 1e-9 {
			r.Lo = r.Rate
		}
		if r.Hi < r.Rate && r.Rate-r.Hi < 1e-9 {
			r.Hi = r.Rate
		}
	}
	for i, r := range rates {
		for _, v := range []float64{r.Rate, r.Lo, r.Hi} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
				return nil, i18n.Errorf("chart: %q: group %q has a rate or interval outside 0–100%% (%v, %v–%v)", title, r.Label, r.Rate, r.Lo, r.Hi)
			}
		}
		if r.Lo > r.Rate || r.Rate > r.Hi {
			return nil, i18n.Errorf("chart: %q: the interval of group %q (%v–%v) does not contain its rate %v", title, r.Label, r.Lo, r.Hi, r.Rate)
		}
		if r.Control {
			ci.control = r.Rate
		}
		ci.labels = append(ci.labels, fmt.Sprintf("%s  (%s–%s)", pct(r.Rate), pct(r.Lo), pct(r.Hi)))
		ticks[i] = plot.Tick{Value: ci.y(i), Label: shorten(r.Label)}
	}
	p := New(title, i18n.T("Rate, with its %s confidence interval", level), "")
	p.Y.Tick.Marker = ticks
	p.Y.Tick.Label.Color = inkColor
	hideAxisLine(&p.Y)
	p.Y.Padding = vg.Points(8)
	p.X.Tick.Marker = valueTicks{format: Percent(1)}
	hideAxisLine(&p.X)
	p.Add(gridLines(true), ci)
	p.X.Min = 0 // rates start at zero, as bars must
	if p.X.Max <= 0 {
		p.X.Max = 0.01
	}
	return p, nil
}

// rateBars draws the bars, whiskers, labels and the control line.
type rateBars struct {
	rates   []Rate
	labels  []string
	style   text.Style
	control float64 // NaN when no group is the control
}

func (b *rateBars) y(i int) float64 { return float64(len(b.rates) - 1 - i) }

// controlColor is a neutral grey: the control is the yardstick, not a
// contender.
var controlColor = rgb(0x9A9A9A)

func (b *rateBars) Plot(c draw.Canvas, p *plot.Plot) {
	noteDrawn(b, c, p)
	trX, trY := p.Transforms(&c)
	half := min(trY(barFill)-trY(0), maxThickness) / 2
	whisker := draw.LineStyle{Color: inkColor, Width: vg.Points(1.5)}
	if !math.IsNaN(b.control) {
		x := trX(b.control)
		dash := draw.LineStyle{Color: softInk, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		c.StrokeLine2(dash, x, c.Min.Y, x, c.Max.Y)
	}
	for i, r := range b.rates {
		yc := trY(b.y(i))
		col := color.Color(Colors[0])
		if r.Control {
			col = controlColor
		}
		x0, x1 := trX(0), trX(r.Rate)
		c.FillPolygon(col, []vg.Point{{X: x0, Y: yc - half}, {X: x1, Y: yc - half}, {X: x1, Y: yc + half}, {X: x0, Y: yc + half}})
		lo, hi := trX(r.Lo), trX(r.Hi)
		capH := half * 0.6
		c.StrokeLine2(whisker, lo, yc, hi, yc)
		c.StrokeLine2(whisker, lo, yc-capH, lo, yc+capH)
		c.StrokeLine2(whisker, hi, yc-capH, hi, yc+capH)
		s := b.labelStyle()
		c.FillText(s, vg.Point{X: hi + valueGap, Y: yc + s.FontExtents().Descent}, b.labels[i])
	}
}

func (b *rateBars) labelStyle() text.Style {
	s := b.style
	s.XAlign = draw.XLeft
	return s
}

func (b *rateBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmax = 0
	for _, r := range b.rates {
		xmax = max(xmax, r.Hi)
	}
	return 0, xmax, -0.5, float64(len(b.rates)) - 0.5
}

// GlyphBoxes reserves room right of each whisker for its label.
func (b *rateBars) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(b.rates))
	for i, r := range b.rates {
		boxes[i] = plot.GlyphBox{
			X:         p.X.Norm(r.Hi),
			Y:         p.Y.Norm(b.y(i)),
			Rectangle: b.labelStyle().Rectangle(b.labels[i]).Add(vg.Point{X: valueGap}),
		}
	}
	return boxes
}

// DaySeries is one group's cumulative count by day.
type DaySeries struct {
	Name   string // "holdout" and "control" are shown translated
	Days   []time.Time
	Values []float64
	// Control marks the holdout or control group, drawn in grey; a series
	// named "holdout" or "control" is one too.
	Control bool
}

// Cumulative draws cumulative conversions over time, one line per group
// (the control grey), with dates on the x axis.
func Cumulative(title string, series []DaySeries) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, i18n.Errorf("%w: %q has no conversions with a date", ErrNoData, title)
	}
	p := New(title, i18n.T("Day"), i18n.T("Customers converted (cumulative)"))
	p.Y.Tick.Marker = valueTicks{format: Number, compact: true}
	hideAxisLine(&p.Y)
	p.X.Tick.Marker = dayTicks{}
	p.Add(gridLines(false))
	for i, s := range series {
		if len(s.Days) != len(s.Values) || len(s.Days) == 0 {
			return nil, i18n.Errorf("chart: %q: series %q has %d days and %d values", title, s.Name, len(s.Days), len(s.Values))
		}
		pts := make([]Point, len(s.Days))
		for k := range s.Days {
			if bad(s.Values[k]) || s.Values[k] < 0 {
				return nil, i18n.Errorf("chart: %q: %s has the value %v", title, s.Name, s.Values[k])
			}
			pts[k] = Point{float64(s.Days[k].Unix()), s.Values[k]}
		}
		c := Colors[(i)%len(Colors)]
		if s.Control || s.Name == "holdout" || s.Name == "control" {
			c = axisColor
		}
		l := curve(pts, c, len(pts) < 40)
		p.Add(l)
		p.Legend.Add(groupName(s.Name), l)
	}
	p.Y.Min = 0
	// Aligned as unitPlot's legends: centred text makes gonum measure
	// each entry half as tall, and the entries overlap.
	p.Legend.TextStyle = style(sans, tickSize, inkColor)
	p.Legend.TextStyle.XAlign, p.Legend.TextStyle.YAlign = draw.XLeft, draw.YBottom
	p.Legend.Padding = vg.Points(4)
	legendAt(p, true, true)
	return p, nil
}

// dayTicks labels whole days, each at most once: plot.TimeTicks puts ticks
// at round numbers of seconds, so two ticks could fall on one day and
// both read "Dec 7". Days are midnights in UTC, as Cumulative's callers
// give them; every day gets a minor tick, and at most about eight a label.
type dayTicks struct{}

func (dayTicks) Ticks(lo, hi float64) []plot.Tick {
	const day = 24 * 60 * 60
	first := math.Ceil(lo/day) * day
	n := int(math.Floor((hi-first)/day)) + 1
	if n <= 0 {
		return nil
	}
	step := max(1, (n+7)/8)
	format := "Jan 2"
	if i18n.IsChinese() {
		format = "1月2日"
	}
	var ticks []plot.Tick
	for i := 0; i < n; i++ {
		t := plot.Tick{Value: first + float64(i)*day}
		if i%step == 0 {
			t.Label = time.Unix(int64(t.Value), 0).UTC().Format(format)
		}
		ticks = append(ticks, t)
	}
	return ticks
}
