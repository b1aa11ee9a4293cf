package chart

import (
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Line draws one series of values over dates, as a query that groups by
// day or month returns them, with dates on the x axis.
func Line(title, yLabel string, pts []Dated, opts ...Option) (*plot.Plot, error) {
	if len(pts) == 0 {
		return nil, i18n.Errorf("%w: %q has no points", ErrNoData, title)
	}
	cfg := newConfig(opts)
	p := New(title, i18n.T("Date"), yLabel)
	p.Y.Tick.Marker = valueTicks{format: cfg.format, compact: true}
	hideAxisLine(&p.Y)
	xy := make([]Point, len(pts))
	for i, d := range pts {
		if bad(d.Value) {
			return nil, i18n.Errorf("chart: %q: the value at %s is %v", title, i18n.Date(d.At), d.Value)
		}
		xy[i] = Point{float64(d.At.Unix()), d.Value}
	}
	const day = 24 * 60 * 60
	if span := xy[len(xy)-1].X - xy[0].X; span > 0 && span < 90*day {
		p.X.Tick.Marker = dayTicks{}
	} else {
		p.X.Tick.Marker = monthTicks{}
	}
	p.Add(gridLines(false))
	p.Add(curve(xy, Colors[0], len(xy) < 40))
	return p, nil
}
