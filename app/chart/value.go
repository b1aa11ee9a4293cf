package chart

import (
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// CohortHeatmap draws a cohort table: one row per cohort (rows[i] its
// label, the oldest on top), one column per period since the first
// purchase, each cell coloured by its value and the value printed when the
// cell is wide enough. cells[i] may be shorter than the widest row (young
// cohorts); NaN cells are left blank. Values are formatted with [Number]
// unless [WithFormat] says otherwise ([Percent] for retention).
func CohortHeatmap(title string, rows []string, cells [][]float64, xLabel, yLabel string, opts ...Option) (*plot.Plot, error) {
	cfg := newConfig(opts)
	if len(rows) == 0 || len(rows) != len(cells) {
		return nil, i18n.Errorf("%w: %q has no cohorts", ErrNoData, title)
	}
	lo, hi, cols, err := cohortRange(title, cells)
	if err != nil {
		return nil, err
	}
	p := New(title, xLabel, yLabel)
	xt := plot.ConstantTicks{}
	step := max(1, (cols+11)/12)
	for k := 0; k < cols; k += step {
		xt = append(xt, plot.Tick{Value: float64(k), Label: strconv.Itoa(k)})
	}
	yt := plot.ConstantTicks{}
	ystep := max(1, (len(rows)+17)/18)
	for i := 0; i < len(rows); i += ystep {
		yt = append(yt, plot.Tick{Value: float64(len(rows) - 1 - i), Label: rows[i]})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Color = inkColor
		a.Padding = vg.Points(3)
		hideAxisLine(a)
	}
	p.Add(&cohortCells{cells: cells, lo: lo, hi: hi, cols: cols, format: cfg.format, scale: heatScale()})
	return p, nil
}

// cohortRange is the colour range and the widest row. Period 0 is every
// cohort's whole size (retention 100%): the colours spread over the later
// periods, and period 0 takes the darkest.
func cohortRange(title string, cells [][]float64) (lo, hi float64, cols int, err error) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range cells {
		cols = max(cols, len(r))
	}
	for i, r := range cells {
		for j, v := range r {
			if math.IsInf(v, 0) {
				return 0, 0, 0, i18n.Errorf("chart: %q: cell %d,%d has no finite value (%v)", title, i+1, j, v)
			}
			if !math.IsNaN(v) && (j > 0 || cols == 1) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 0, 0, i18n.Errorf("%w: every cell of %q is empty", ErrNoData, title)
	}
	return lo, hi, cols, nil
}

type cohortCells struct {
	cells  [][]float64
	lo, hi float64
	cols   int
	format func(float64) string
	scale  []color.Color
}

func (h *cohortCells) color(v float64) color.Color {
	return (&heat{lo: h.lo, hi: h.hi, scale: h.scale}).color(v)
}

func (h *cohortCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(h.cells)
	// A white gap between cells, thinner as cells get small (a weekly
	// table has a hundred rows) so they do not turn into hairlines.
	cw, ch := trX(1)-trX(0), trY(1)-trY(0)
	half := min(vg.Points(1), cw/10, ch/10)
	for i, row := range h.cells {
		y := float64(n - 1 - i)
		for k, v := range row {
			if math.IsNaN(v) {
				continue
			}
			x0, x1 := trX(float64(k)-0.5)+half, trX(float64(k)+0.5)-half
			y0, y1 := trY(y-0.5)+half, trY(y+0.5)-half
			bg := h.color(v)
			c.FillPolygon(bg, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			label := h.format(v)
			s := style(sans, vg.Points(8), textOn(bg))
			if r := s.Rectangle(label); r.Size().X < x1-x0-vg.Points(2) && r.Size().Y < y1-y0 {
				c.FillText(s, centred(s, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}), label)
			}
		}
	}
}

func (h *cohortCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(h.cols) - 0.5, -0.5, float64(len(h.cells)) - 0.5
}

// Dated is a value at a date.
type Dated struct {
	At    time.Time
	Value float64
}

// Band is a forecast with its prediction interval at a date.
type Band struct {
	At                 time.Time
	Mean, Lower, Upper float64
}

// ForecastBand draws the history as a line, the forecast as a dashed line
// after it and the prediction interval as a shaded band around the
// forecast, with dates on the x axis.
func ForecastBand(title, yLabel string, history []Dated, forecast []Band, level float64, opts ...Option) (*plot.Plot, error) {
	cfg := newConfig(opts)
	if len(history) == 0 || len(forecast) == 0 {
		return nil, i18n.Errorf("%w: %q has no history or no forecast", ErrNoData, title)
	}
	p := New(title, i18n.T("Period"), yLabel)
	p.Y.Tick.Marker = valueTicks{format: cfg.format, compact: true}
	hideAxisLine(&p.Y)
	p.X.Tick.Marker = monthTicks{}
	p.Add(gridLines(false))
	hist := make(plotter.XYs, len(history))
	for i, h := range history {
		if bad(h.Value) {
			return nil, i18n.Errorf("chart: %q: the history has the value %v", title, h.Value)
		}
		hist[i] = plotter.XY{X: float64(h.At.Unix()), Y: h.Value}
	}
	// The forecast line starts at the last observation so the two join.
	last := history[len(history)-1]
	mean := plotter.XYs{{X: float64(last.At.Unix()), Y: last.Value}}
	poly := plotter.XYs{{X: float64(last.At.Unix()), Y: last.Value}}
	for _, f := range forecast {
		if bad(f.Mean) || bad(f.Lower) || bad(f.Upper) {
			return nil, i18n.Errorf("chart: %q: the forecast has no finite value at %s", title, i18n.Date(f.At))
		}
		mean = append(mean, plotter.XY{X: float64(f.At.Unix()), Y: f.Mean})
		poly = append(poly, plotter.XY{X: float64(f.At.Unix()), Y: f.Upper})
	}
	for i := len(forecast) - 1; i >= 0; i-- {
		poly = append(poly, plotter.XY{X: float64(forecast[i].At.Unix()), Y: forecast[i].Lower})
	}
	band, err := plotter.NewPolygon(poly)
	if err != nil {
		return nil, err
	}
	band.Color = lerp(Colors[0], color.White, 0.75)
	band.LineStyle.Width = 0
	p.Add(band)
	hl, _ := plotter.NewLine(hist)
	hl.LineStyle = draw.LineStyle{Color: inkColor, Width: vg.Points(1.75)}
	p.Add(hl)
	fl, _ := plotter.NewLine(mean)
	fl.LineStyle = draw.LineStyle{Color: Colors[0], Width: vg.Points(2), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
	p.Add(fl)
	p.Legend.Add(i18n.T("Actual"), hl)
	p.Legend.Add(i18n.T("Forecast"), fl)
	p.Legend.Add(i18n.T("%s prediction interval", i18n.Percent(0, level)), band)
	p.Legend.TextStyle = style(sans, tickSize, inkColor)
	p.Legend.TextStyle.XAlign, p.Legend.TextStyle.YAlign = draw.XLeft, draw.YBottom
	p.Legend.Padding = vg.Points(4)
	legendAt(p, true, true)
	return p, nil
}

// monthTicks label about eight evenly spaced dates with month and year
// (weeks and months both read well that way).
type monthTicks struct{}

func (monthTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return nil
	}
	a, b := time.Unix(int64(lo), 0).UTC(), time.Unix(int64(hi), 0).UTC()
	months := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) + 1
	step := max(1, (months+7)/8)
	format := "Jan 2006"
	if i18n.IsChinese() {
		format = "2006年1月"
	}
	var ticks []plot.Tick
	d := time.Date(a.Year(), a.Month(), 1, 0, 0, 0, 0, time.UTC)
	if d.Before(a) {
		d = d.AddDate(0, 1, 0)
	}
	for i := 0; !d.After(b); i, d = i+1, d.AddDate(0, 1, 0) {
		t := plot.Tick{Value: float64(d.Unix())}
		if i%step == 0 {
			t.Label = d.Format(format)
		}
		ticks = append(ticks, t)
	}
	return ticks
}
