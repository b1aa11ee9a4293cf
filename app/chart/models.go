package chart

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Charts of a trained model: how well it ranks (ROC, gains), whether its
// probabilities can be taken at face value (calibration), where it errs
// (confusion) and, for k-means, how many clusters to choose (elbow). They
// take plain numbers, not the model package's types, so this package keeps
// depending on gonum/plot only.

// Point is one point of a curve.
type Point struct{ X, Y float64 }

// Decile is one group of a cumulative gains table: after contacting the
// top Share of customers by score, Gains of all positives have been found,
// Lift times the share random contact would find.
type Decile struct {
	Share, Gains, Lift float64
}

// CalBin is one bin of a calibration curve: customers whose predicted
// probability averaged Predicted turned out positive at rate Actual.
type CalBin struct {
	Predicted, Actual float64
	Count             int
}

// ROC draws a receiver operating characteristic curve with the diagonal
// of random guessing; auc, when not NaN, goes into the legend.
func ROC(title string, pts []Point, auc float64) (*plot.Plot, error) {
	if len(pts) == 0 {
		return nil, i18n.Errorf("%w: %q has no points", ErrNoData, title)
	}
	if err := unitPoints(title, pts); err != nil {
		return nil, err
	}
	p := unitPlot(title, i18n.T("False positive rate (share of negatives flagged)"), i18n.T("True positive rate (share of positives found)"))
	name := i18n.T("Model")
	if !math.IsNaN(auc) {
		name = i18n.T("Model (AUC %s)", strconv.FormatFloat(auc, 'f', 3, 64))
	}
	line := curve(pts, Colors[0], false)
	p.Add(line)
	p.Legend.Add(name, line)
	addDiagonal(p, i18n.T("Random guess"))
	legendAt(p, false, false)
	return p, nil
}

// Gains draws the cumulative gains curve by group (deciles, usually),
// from (0, 0), with the diagonal of random contact; each point is labelled
// with its cumulative lift.
func Gains(title string, deciles []Decile) (*plot.Plot, error) {
	if len(deciles) == 0 {
		return nil, i18n.Errorf("%w: %q has no groups", ErrNoData, title)
	}
	pts := []Point{{0, 0}}
	for i, d := range deciles {
		if bad(d.Share) || bad(d.Gains) || bad(d.Lift) || d.Share < 0 || d.Share > 1 || d.Gains < 0 || d.Gains > 1 {
			return nil, i18n.Errorf("chart: %q: group %d is out of range (share %v, gains %v, lift %v)", title, i+1, d.Share, d.Gains, d.Lift)
		}
		pts = append(pts, Point{d.Share, d.Gains})
	}
	p := unitPlot(title, i18n.T("Customers contacted, highest scores first"), i18n.T("Positives found"))
	line := curve(pts, Colors[0], true)
	p.Add(line)
	p.Legend.Add(i18n.T("Model"), line)
	addDiagonal(p, i18n.T("Random contact"))
	labels := make([]string, len(deciles))
	for i, d := range deciles {
		labels[i] = "×" + strconv.FormatFloat(d.Lift, 'f', 1, 64)
	}
	p.Add(&pointLabels{pts: pts[1:], labels: labels, style: style(sans, valueSize, inkColor)})
	legendAt(p, false, false)
	return p, nil
}

// Calibration draws the mean predicted probability of each bin against the
// share of positives in it, with the diagonal of perfect calibration.
func Calibration(title string, bins []CalBin) (*plot.Plot, error) {
	if len(bins) == 0 {
		return nil, i18n.Errorf("%w: %q has no bins", ErrNoData, title)
	}
	pts := make([]Point, len(bins))
	for i, b := range bins {
		pts[i] = Point{b.Predicted, b.Actual}
	}
	if err := unitPoints(title, pts); err != nil {
		return nil, err
	}
	p := unitPlot(title, i18n.T("Predicted probability"), i18n.T("Share that turned out positive"))
	line := curve(pts, Colors[0], true)
	p.Add(line)
	p.Legend.Add(i18n.T("Model"), line)
	addDiagonal(p, i18n.T("Perfectly calibrated"))
	legendAt(p, true, true)
	return p, nil
}

// Confusion draws a 2×2 confusion matrix, counts[actual][predicted], as a
// heat map with each cell's count and its share of the row (of the actual
// class), shaded by that share. classes name the two outcomes, e.g. "no" and "yes".
func Confusion(title string, counts [2][2]int64, classes [2]string) (*plot.Plot, error) {
	var total int64
	for i := range counts {
		for j, v := range counts[i] {
			if v < 0 {
				return nil, i18n.Errorf("chart: %q: cell %d,%d has a negative count %d", title, i+1, j+1, v)
			}
			total += v
		}
	}
	if total == 0 {
		return nil, i18n.Errorf("%w: every cell of %q is zero", ErrNoData, title)
	}
	p := New(title, i18n.T("Predicted"), i18n.T("Actual"))
	for k, a := range []*plot.Axis{&p.X, &p.Y} {
		ticks := make(plot.ConstantTicks, 2)
		for i := range ticks {
			v := float64(i)
			if k == 1 {
				v = float64(1 - i) // actual "yes" at the bottom, as scikit-learn draws it
			}
			ticks[i] = plot.Tick{Value: v, Label: shorten(classes[i])}
		}
		a.Tick.Marker = ticks
		a.Tick.Label.Color = inkColor
		a.Padding = vg.Points(3)
		hideAxisLine(a)
	}
	p.Add(&confusion{counts: counts, classes: classes, scale: heatScale()})
	return p, nil
}

// Elbow draws the k-means inertia for each k, to choose k where adding a
// cluster stops paying off.
func Elbow(title string, ks []int, inertia []float64) (*plot.Plot, error) {
	if len(ks) == 0 || len(inertia) == 0 {
		return nil, i18n.Errorf("%w: %q has no values", ErrNoData, title)
	}
	if len(ks) != len(inertia) {
		return nil, i18n.Errorf("chart: %q: %d values of k but %d inertias", title, len(ks), len(inertia))
	}
	pts := make([]Point, len(ks))
	ticks := make(plot.ConstantTicks, len(ks))
	for i, k := range ks {
		if bad(inertia[i]) || inertia[i] < 0 {
			return nil, i18n.Errorf("chart: %q: inertia for k = %d is %v", title, k, inertia[i])
		}
		pts[i] = Point{float64(k), inertia[i]}
		ticks[i] = plot.Tick{Value: float64(k), Label: strconv.Itoa(k)}
	}
	p := New(title, i18n.T("Number of clusters (k)"), i18n.T("Inertia (within-cluster spread)"))
	p.X.Tick.Marker = ticks
	p.Y.Tick.Marker = valueTicks{format: Number, compact: true}
	hideAxisLine(&p.Y)
	p.Add(gridLines(false), curve(pts, Colors[0], true))
	p.Y.Min = 0
	if p.Y.Max <= 0 {
		p.Y.Max = 1
	}
	return p, nil
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// unitPoints checks that every point lies in the unit square.
func unitPoints(title string, pts []Point) error {
	const eps = 1e-9
	for i, pt := range pts {
		if bad(pt.X) || bad(pt.Y) || pt.X < -eps || pt.X > 1+eps || pt.Y < -eps || pt.Y > 1+eps {
			return i18n.Errorf("chart: %q: point %d (%v, %v) is outside 0..1", title, i+1, pt.X, pt.Y)
		}
	}
	return nil
}

// unitPlot is a plot of shares on both axes, 0 to 100%, with grid lines
// both ways and a legend in the theme.
func unitPlot(title, xLabel, yLabel string) *plot.Plot {
	p := New(title, xLabel, yLabel)
	pct := valueTicks{format: Percent(0)}
	p.X.Tick.Marker, p.Y.Tick.Marker = pct, pct
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	line := draw.LineStyle{Color: gridColor, Width: vg.Points(0.75)}
	p.Add(&plotter.Grid{Vertical: line, Horizontal: line})
	p.Legend.TextStyle = style(sans, tickSize, inkColor)
	p.Legend.TextStyle.XAlign, p.Legend.TextStyle.YAlign = draw.XLeft, draw.YBottom
	p.Legend.Padding = vg.Points(4)
	return p
}

// legendAt puts the legend in a corner of the data area, a little inside
// it so it clears the axes.
func legendAt(p *plot.Plot, left, top bool) {
	p.Legend.Left, p.Legend.Top = left, top
	in := vg.Points(10)
	p.Legend.XOffs, p.Legend.YOffs = -in, in
	if left {
		p.Legend.XOffs = in
	}
	if top {
		p.Legend.YOffs = -in
	}
}

// addDiagonal draws the dashed y = x line of a model that knows nothing.
func addDiagonal(p *plot.Plot, name string) {
	l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	l.LineStyle = draw.LineStyle{Color: axisColor, Width: vg.Points(1.25), Dashes: []vg.Length{vg.Points(5), vg.Points(4)}}
	p.Add(l)
	p.Legend.Add(name, l)
}

// curve is a line in the theme; with dots, its points are marked too.
func curve(pts []Point, c color.Color, dots bool) series {
	xys := make(plotter.XYs, len(pts))
	for i, pt := range pts {
		xys[i] = plotter.XY{X: pt.X, Y: pt.Y}
	}
	l, _ := plotter.NewLine(xys)
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(2)}
	if !dots {
		return l
	}
	s, _ := plotter.NewScatter(xys)
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	return &lineDots{Line: l, Scatter: s}
}

// series is a plotted curve that can show in a legend.
type series interface {
	plot.Plotter
	plot.Thumbnailer
}

// lineDots draws a line with its points marked, and shows both in the
// legend.
type lineDots struct {
	*plotter.Line
	*plotter.Scatter
}

func (l *lineDots) Plot(c draw.Canvas, p *plot.Plot) {
	noteDrawn(l, c, p)
	l.Line.Plot(c, p)
	l.Scatter.Plot(c, p)
}

func (l *lineDots) DataRange() (xmin, xmax, ymin, ymax float64) { return l.Line.DataRange() }

func (l *lineDots) GlyphBoxes(p *plot.Plot) []plot.GlyphBox { return l.Scatter.GlyphBoxes(p) }

func (l *lineDots) Thumbnail(c *draw.Canvas) {
	l.Line.Thumbnail(c)
	l.Scatter.Thumbnail(c)
}

// pointLabels prints a short label above and left of each point, where
// a rising curve leaves room.
type pointLabels struct {
	pts    []Point
	labels []string
	style  text.Style
}

func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	s := l.labelStyle()
	for i, pt := range l.pts {
		c.FillText(s, vg.Point{X: trX(pt.X) - vg.Points(3), Y: trY(pt.Y) + vg.Points(5)}, l.labels[i])
	}
}

func (l *pointLabels) labelStyle() text.Style {
	s := l.style
	s.XAlign, s.YAlign = draw.XRight, draw.YBottom
	return s
}

func (l *pointLabels) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(l.pts))
	for i, pt := range l.pts {
		boxes[i] = plot.GlyphBox{X: p.X.Norm(pt.X), Y: p.Y.Norm(pt.Y),
			Rectangle: l.labelStyle().Rectangle(l.labels[i]).Add(vg.Point{X: -vg.Points(3), Y: vg.Points(5)})}
	}
	return boxes
}

// confusion draws the four cells of a confusion matrix.
type confusion struct {
	counts  [2][2]int64
	classes [2]string
	scale   []color.Color
}

func (m *confusion) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	// Shaded by the share of the actual class, not the count: a good model
	// has a dark diagonal even when one class is rare.
	h := &heat{lo: 0, hi: 1, scale: m.scale}
	half := vg.Points(cellGap) / 2
	big := style(sans, vg.Points(16), inkColor)
	small := style(sans, valueSize, inkColor)
	for actual, row := range m.counts {
		var rowTotal int64
		for _, v := range row {
			rowTotal += v
		}
		for pred, v := range row {
			x, y := float64(pred), float64(1-actual)
			x0, x1 := trX(x-0.5)+half, trX(x+0.5)-half
			y0, y1 := trY(y-0.5)+half, trY(y+0.5)-half
			share := 0.0
			if rowTotal > 0 {
				share = float64(v) / float64(rowTotal)
			}
			bg := h.color(share)
			c.FillPolygon(bg, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			mid := vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}
			big.Color, small.Color = textOn(bg), textOn(bg)
			c.FillText(big, centred(big, vg.Point{X: mid.X, Y: mid.Y + vg.Points(9)}), Number(float64(v)))
			c.FillText(small, centred(small, vg.Point{X: mid.X, Y: mid.Y - vg.Points(11)}), i18n.T("%s of actual %s", Percent(1)(share), m.classes[actual]))
		}
	}
}

func (m *confusion) DataRange() (xmin, xmax, ymin, ymax float64) { return -0.5, 1.5, -0.5, 1.5 }
