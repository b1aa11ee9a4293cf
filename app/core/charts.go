package core

import (
	"context"
	"time"

	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/segment"
)

// Chart names understood by Chart.
const (
	ChartSegmentSize    = "segments"
	ChartSegmentRevenue = "segments-revenue"
	ChartRFMHeatmap     = "rfm-heatmap"
	ChartHistogram      = "histogram"
)

// ChartSpec says which chart to draw; Table and Column are for histograms.
type ChartSpec struct {
	Kind   string
	Table  string
	Column string
	Bins   int
}

// Chart builds a chart from the project's data. GUI and CLI render it.
func (w *Workspace) Chart(ctx context.Context, s ChartSpec) (*plot.Plot, error) {
	switch s.Kind {
	case ChartSegmentSize, ChartSegmentRevenue:
		sums, err := w.Segments(ctx)
		if err != nil {
			return nil, err
		}
		if len(sums) == 0 {
			return nil, i18n.Errorf("there are no segments yet; run RFM or create a segment first")
		}
		var bars []chart.Bar
		for _, s2 := range sums {
			if s2.Damaged != "" {
				continue // a damaged segment has no size; the list says why
			}
			v := float64(s2.Size)
			if s.Kind == ChartSegmentRevenue {
				if !s2.HasValue {
					continue
				}
				v = s2.Revenue
			}
			bars = append(bars, chart.Bar{Label: s2.Name, Value: v})
		}
		if s.Kind == ChartSegmentRevenue {
			return chart.Bars(i18n.T("Revenue by segment"), i18n.T("Revenue"), bars, chart.WithFormat(chart.Money("", 0)))
		}
		return chart.Bars(i18n.T("Customers by segment"), i18n.T("Customers"), bars)
	case ChartRFMHeatmap:
		cells, err := segment.Grid(ctx, w.Project)
		if err != nil {
			return nil, err
		}
		return chart.Heatmap(i18n.T("Customers by recency and frequency score"), cells, i18n.T("Recency score (5 = most recent)"), i18n.T("Frequency score (5 = most orders)"))
	case ChartHistogram:
		if s.Table == "" || s.Column == "" {
			return nil, i18n.Errorf("a histogram needs a table and a column")
		}
		bins, err := w.Histogram(ctx, s.Table, s.Column, s.Bins)
		if err != nil {
			return nil, err
		}
		cb := make([]chart.Bin, len(bins))
		for i, b := range bins {
			cb[i] = chart.Bin{Lo: b.Lo, Hi: b.Hi, Count: b.Count}
		}
		var opts []chart.Option
		if cols, err := w.Columns(ctx, s.Table); err == nil {
			for _, c := range cols {
				if c.Name == s.Column && c.IsTemporal() {
					// Date bins are day numbers since 1970; label them as dates.
					opts = append(opts, chart.WithFormat(func(d float64) string {
						return time.Unix(int64(d*86400), 0).UTC().Format("2006-01-02")
					}))
				}
			}
		}
		return chart.Histogram(i18n.T("%s of %s", s.Column, s.Table), s.Column, cb, opts...)
	}
	return nil, i18n.Errorf("unknown chart %q; choose segments, segments-revenue, rfm-heatmap or histogram", s.Kind)
}
