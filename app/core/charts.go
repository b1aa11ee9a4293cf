package core

import (
	"context"
	"sort"
	"time"

	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// Chart names understood by Chart. RFM segments and rule segments are
// charted apart: RFM segments split the customers, so their shares add up
// to 100%, while rule segments may overlap.
const (
	ChartSegmentSize    = "segments"         // customers per RFM segment
	ChartSegmentRevenue = "segments-revenue" // revenue per RFM segment
	ChartRuleSegments   = "rule-segments"    // customers per saved rule segment
	ChartRFMHeatmap     = "rfm-heatmap"
	ChartHistogram      = "histogram"
	ChartCohorts        = "cohorts"  // cohort heatmap (cohortchart.go)
	ChartForecast       = "forecast" // forecast with its interval band
)

// ChartKinds lists the chart names, for help texts.
var ChartKinds = []string{ChartSegmentSize, ChartSegmentRevenue, ChartRuleSegments, ChartRFMHeatmap, ChartHistogram, ChartCohorts, ChartForecast}

// ChartSpec says which chart to draw; Table and Column are for histograms.
type ChartSpec struct {
	Kind   string
	Table  string
	Column string
	Bins   int
	// For cohorts and forecasts: the order table (Table), the period,
	// the measure (cohorts: retention, revenue or cumulative; forecasts:
	// orders or revenue), a segment (cohorts), a category or product and
	// the horizon (forecasts).
	By, Metric, Segment, Category, Product string
	Horizon                                int
}

// Chart builds a chart from the project's data. GUI and CLI render it.
func (w *Workspace) Chart(ctx context.Context, s ChartSpec) (*plot.Plot, error) {
	switch s.Kind {
	case ChartSegmentSize, ChartSegmentRevenue:
		return w.rfmBars(ctx, s.Kind == ChartSegmentRevenue)
	case ChartRuleSegments:
		return w.ruleBars(ctx)
	case ChartRFMHeatmap:
		cells, err := segment.Grid(ctx, w.Project)
		if err != nil {
			return nil, err
		}
		return chart.Heatmap(i18n.T("Customers by recency and frequency score"), cells,
			i18n.T("Recency score (5 = most recent)"), i18n.T("Frequency score (5 = most orders)"),
			chart.WithCellText(func(r, f int, v string) string {
				return i18n.T("Recency %d, frequency %d: %s customers", r, f, v)
			}))
	case ChartHistogram:
		return w.histogramChart(ctx, s)
	case ChartCohorts:
		return w.cohortChart(ctx, s)
	case ChartForecast:
		return w.forecastChart(ctx, s)
	}
	return nil, i18n.Errorf("unknown chart %q; choose segments, segments-revenue, rule-segments, rfm-heatmap, histogram, cohorts or forecast", s.Kind)
}

// rfmBars charts the RFM segments of the latest run in the scheme's order
// (best customers first), each with its share of the customers or revenue.
func (w *Workspace) rfmBars(ctx context.Context, revenue bool) (*plot.Plot, error) {
	sums, err := segment.RFMSummary(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	if len(sums) == 0 {
		return nil, i18n.Errorf("there are no RFM segments yet; run RFM first")
	}
	var total float64
	for _, s := range sums {
		if revenue {
			total += s.Revenue
		} else {
			total += float64(s.Size)
		}
	}
	// Largest first: the scheme's own order reads as no order at all.
	bars := []chart.Bar{}
	for _, s := range sums {
		b := chart.Bar{Label: SegmentName(s), Key: s.Name, Value: float64(s.Size), Note: i18n.Percent(1, s.Share)}
		if revenue {
			b.Value = s.Revenue
			b.Note = ""
			if total > 0 {
				b.Note = i18n.Percent(1, s.Revenue/total)
			}
		}
		bars = append(bars, b)
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].Value > bars[j].Value })
	if revenue {
		return chart.Bars(i18n.T("Revenue by RFM segment"), i18n.T("Revenue (share of all revenue)"), bars, chart.WithMoney(w.CurrencySymbol(ctx), 0))
	}
	return chart.Bars(i18n.T("Customers by RFM segment"), i18n.T("Customers (share of all scored customers)"), bars)
}

// ruleBars charts saved rule segments, largest first. A customer can be in
// several, so the chart says its shares need not add up to 100%.
func (w *Workspace) ruleBars(ctx context.Context) (*plot.Plot, error) {
	sums, err := segment.RuleSummary(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	var ok []segment.Summary
	for _, s := range sums {
		if s.Damaged == "" { // a damaged segment has no size; the list says why
			ok = append(ok, s)
		}
	}
	if len(ok) == 0 {
		return nil, i18n.Errorf("there are no rule segments yet; build one in the rule builder")
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].Size > ok[j].Size })
	bars := make([]chart.Bar, len(ok))
	for i, s := range ok {
		bars[i] = chart.Bar{Label: s.Name, Key: s.Name, Value: float64(s.Size), Note: i18n.Percent(1, s.Share)}
	}
	return chart.Bars(i18n.T("Customers in each rule segment"),
		i18n.T("Customers (segments can overlap, so shares can add up to more than 100%)"), bars)
}

// skewed reports whether most values fall in the first bin, which is what
// a few very large values (one order of 50,000 among orders of 50) do to
// equal-width bins.
func skewed(bins []storage.Bin) bool {
	var total int64
	for _, b := range bins {
		total += b.Count
	}
	return len(bins) > 1 && total > 0 && bins[0].Count*2 > total
}

// histogramChart bins a column; when a few large values squeeze the rest
// into the first bar, it draws the values up to a high quantile and notes
// how many lie above.
func (w *Workspace) histogramChart(ctx context.Context, s ChartSpec) (*plot.Plot, error) {
	if s.Table == "" || s.Column == "" {
		return nil, i18n.Errorf("a histogram needs a table and a column")
	}
	bins, note, temporal, format, err := w.histogram(ctx, s)
	if err != nil {
		return nil, err
	}
	cb := make([]chart.Bin, len(bins))
	for i, b := range bins {
		cb[i] = chart.Bin{Lo: b.Lo, Hi: b.Hi, Count: b.Count}
	}
	var opts []chart.Option
	switch {
	case temporal:
		opts = append(opts, chart.WithFormat(format))
	case w.isAmount(ctx, s.Table, s.Column):
		opts = append(opts, chart.WithMoney(w.CurrencySymbol(ctx), 0))
	}
	if note != "" {
		opts = append(opts, chart.WithNote(note))
	}
	return chart.Histogram(i18n.T("%s of %s", s.Column, s.Table), s.Column, cb, opts...)
}

// clipQuantiles are the cut-offs tried, in turn, for a skewed histogram.
var clipQuantiles = []float64{0.99, 0.95}

// histogram returns the bins of a column, clipped when skewed (see
// histogramChart), the note saying what was left out, whether the column
// holds dates, and how to format its values.
func (w *Workspace) histogram(ctx context.Context, s ChartSpec) (bins []storage.Bin, note string, temporal bool, format func(float64) string, err error) {
	bins, err = w.Histogram(ctx, s.Table, s.Column, s.Bins)
	if err != nil {
		return nil, "", false, nil, err
	}
	format = chart.Number
	if cols, err := w.Columns(ctx, s.Table); err == nil {
		for _, c := range cols {
			if c.Name == s.Column && c.IsTemporal() {
				temporal = true
				// Date bins are day numbers since 1970; label them as dates.
				format = func(d float64) string { return time.Unix(int64(d*86400), 0).UTC().Format("2006-01-02") }
			}
		}
	}
	if temporal {
		return bins, "", true, format, nil
	}
	if w.isAmount(ctx, s.Table, s.Column) {
		format = chart.Money(w.CurrencySymbol(ctx), 0)
	}
	lo, hi := bins[0].Lo, bins[len(bins)-1].Hi
	for _, q := range clipQuantiles {
		if !skewed(bins) {
			break
		}
		cut, err := w.Quantile(ctx, s.Table, s.Column, q)
		if err != nil || !(cut > lo) || cut >= hi {
			continue
		}
		clipped, above, err := w.HistogramUpTo(ctx, s.Table, s.Column, lo, cut, s.Bins)
		if err != nil {
			return nil, "", false, nil, err
		}
		bins = clipped
		note = i18n.T("%s values above %s not shown", i18n.Number(float64(above)), format(cut))
	}
	return bins, note, false, format, nil
}

// isAmount reports whether a column holds money: an amount or unit price.
func (w *Workspace) isAmount(ctx context.Context, table, column string) bool {
	roles, err := w.ColumnRoles(ctx, table)
	if err != nil {
		return false
	}
	return roles[column] == storage.Amount || roles[column] == storage.UnitPrice
}

// SegmentName is how a segment is shown to people: the names of RFM
// segments, which the schemes give in English (or Chinese), in the
// language in use; rule segments by the name their author gave.
func SegmentName(s segment.Summary) string {
	if s.Kind == "rfm" {
		return i18n.T(s.Name)
	}
	return s.Name
}

// SegmentKind is a segment's kind ("rfm", "rule" or "list") for people.
func SegmentKind(kind string) string {
	switch kind {
	case "rfm":
		return i18n.T("rfm")
	case segment.KindRule:
		return i18n.T("rule")
	case segment.KindList:
		return i18n.T("fixed list")
	}
	return kind
}
