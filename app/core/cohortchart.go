package core

import (
	"context"
	"math"
	"time"

	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/assets/i18n"
)

// cohortChart is the cohort heatmap: retention (default), revenue per
// customer or its running total, one row per cohort.
func (w *Workspace) cohortChart(ctx context.Context, s ChartSpec) (*plot.Plot, error) {
	r, err := w.Cohorts(ctx, CohortOptions{Orders: s.Table, By: s.By, Segment: s.Segment})
	if err != nil {
		return nil, err
	}
	return CohortHeatmap(r, s.Metric, w.CurrencySymbol(ctx))
}

// CohortHeatmap draws a cohort report's retention ("retention" or ""),
// revenue per customer ("revenue") or cumulative revenue per customer
// ("cumulative").
func CohortHeatmap(r *CohortReport, metric, currency string) (*plot.Plot, error) {
	var rows []string
	var cells [][]float64
	for _, c := range r.Cohorts {
		label := i18n.Date(c.Start)
		if r.By == "month" {
			label = monthLabel(c.Start)
		}
		rows = append(rows, label)
		switch metric {
		case "", "retention":
			cells = append(cells, c.Retention)
		case "revenue":
			cells = append(cells, c.RevenuePerCustomer)
		case "cumulative":
			cells = append(cells, c.Cumulative)
		default:
			return nil, i18n.Errorf("unknown cohort measure %q; choose retention, revenue or cumulative", metric)
		}
	}
	xl := i18n.T("Months since the first purchase")
	yl := i18n.T("First purchase month")
	if r.By == "week" {
		xl, yl = i18n.T("Weeks since the first purchase"), i18n.T("First purchase week")
	}
	who := ""
	if r.Segment != "" {
		who = " · " + r.Segment
	}
	switch metric {
	case "revenue":
		return chart.CohortHeatmap(i18n.T("Revenue per customer by cohort")+who, rows, cells, xl, yl, chart.WithMoney(currency, 0))
	case "cumulative":
		return chart.CohortHeatmap(i18n.T("Cumulative revenue per customer by cohort")+who, rows, cells, xl, yl, chart.WithMoney(currency, 0))
	}
	return chart.CohortHeatmap(i18n.T("Retention by cohort")+who, rows, cells, xl, yl, chart.WithFormat(chart.Percent(0)))
}

// forecastChart is the forecast with its interval band.
func (w *Workspace) forecastChart(ctx context.Context, s ChartSpec) (*plot.Plot, error) {
	h := s.Horizon
	if h == 0 {
		h = 12
		if s.By == "week" {
			h = 13
		}
	}
	r, err := w.Forecast(ctx, ForecastOptions{Orders: s.Table, By: s.By, Metric: s.Metric, Category: s.Category, Product: s.Product, Horizon: h}, nil)
	if err != nil {
		return nil, err
	}
	return ForecastChart(r, w.CurrencySymbol(ctx))
}

// ForecastChart draws a forecast report.
func ForecastChart(r *ForecastReport, currency string) (*plot.Plot, error) {
	var hist []chart.Dated
	for _, p := range r.History {
		hist = append(hist, chart.Dated{At: p.Start, Value: p.Value})
	}
	var band []chart.Band
	for _, s := range r.Steps {
		band = append(band, chart.Band{At: s.Start, Mean: s.Mean, Lower: math.Max(s.Lower, 0), Upper: s.Upper})
	}
	what, unit := i18n.T("Revenue"), i18n.T("Revenue per %s", PeriodName(r.By))
	opt := chart.WithMoney(currency, 0)
	if r.Metric == "orders" {
		what, unit, opt = i18n.T("Orders"), i18n.T("Orders per %s", PeriodName(r.By)), chart.WithFormat(chart.Number)
	}
	title := i18n.T("%s forecast (%s)", what, r.Model.Spec.Name())
	if r.Category != "" {
		title = i18n.T("%s forecast for %s (%s)", what, r.Category, r.Model.Spec.Name())
	} else if r.Product != "" {
		title = i18n.T("%s forecast for %s (%s)", what, r.Product, r.Model.Spec.Name())
	}
	return chart.ForecastBand(title, unit, hist, band, r.Level, opt)
}

// monthLabel names a month, "Jan 2011" or "2011年1月".
func monthLabel(t time.Time) string {
	if i18n.IsChinese() {
		return t.Format("2006年1月")
	}
	return t.Format("Jan 2006")
}
