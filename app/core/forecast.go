package core

import (
	"context"
	"time"

	"github.com/marketbench/marketbench/analytics/forecast"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/sales"
)

// ForecastOptions choose what to forecast.
type ForecastOptions struct {
	Orders string // the order table; "" for the only one
	By     string // "month" (default) or "week"
	// Category or Product narrows the orders to one category (by role, in
	// the order table or a product table) or one product id.
	Category, Product string
	Metric            string // "revenue" (default) or "orders"
	Horizon           int    // periods ahead, at least 1
	Level             float64
}

// ForecastPoint is one period of the history with the model's one-step
// forecast of it.
type ForecastPoint struct {
	Start  time.Time `json:"start"`
	Value  float64   `json:"value"`
	Fitted float64   `json:"fitted"`
}

// ForecastStep is one period ahead.
type ForecastStep struct {
	Start time.Time `json:"start"`
	forecast.Forecast
}

// ForecastReport is the chosen model, its forecast and its backtest.
type ForecastReport struct {
	Table, By, Metric, Category, Product string
	Read                                 sales.Read
	History                              []ForecastPoint
	Model                                *forecast.Model
	Candidates                           []forecast.Candidate
	Steps                                []ForecastStep
	Level                                float64
	// Backtest is nil when the series is too short for one (BacktestErr
	// says why).
	Backtest    *forecast.Backtest
	BacktestErr error
	// Notes say what was left out: incomplete first or last periods,
	// seasonality the series is too short for.
	Notes []string
}

// Season is the season length for a period: a year.
func Season(by string) int {
	if by == "week" {
		return 52
	}
	return 12
}

// MaxHorizon caps how far ahead a forecast goes: two years.
func MaxHorizon(by string) int { return 2 * Season(by) }

// Forecast fits exponential smoothing models to the orders or revenue per
// week or month, chooses one by AICc, forecasts with a prediction
// interval and backtests the choice against the seasonal naive forecast.
// Nothing is stored.
func (w *Workspace) Forecast(ctx context.Context, opt ForecastOptions, progress Progress) (*ForecastReport, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if opt.By == "" {
		opt.By = "month"
	}
	if opt.Metric == "" {
		opt.Metric = "revenue"
	}
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if opt.By != "week" && opt.By != "month" {
		return nil, i18n.Errorf("unknown period %q; choose week or month", opt.By)
	}
	if opt.Metric != "revenue" && opt.Metric != "orders" {
		return nil, i18n.Errorf("unknown metric %q; choose orders or revenue", opt.Metric)
	}
	if opt.Category != "" && opt.Product != "" {
		return nil, i18n.Errorf("choose a category or a product, not both")
	}
	if opt.Horizon < 1 || opt.Horizon > MaxHorizon(opt.By) {
		return nil, i18n.Errorf("the horizon must be from 1 to %d %s", MaxHorizon(opt.By), PeriodWord(opt.By))
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return nil, i18n.Errorf("the interval level must be between 0 and 1 (0.95 for %s)", i18n.Percent(0, 0.95))
	}
	report(i18n.T("Reading orders"), 0.05)
	s, err := sales.PeriodSeries(ctx, w.Project, opt.Orders, opt.By, sales.Filter{Category: opt.Category, Product: opt.Product})
	if err != nil {
		return nil, err
	}
	r := &ForecastReport{Table: s.Read.Table, By: opt.By, Metric: opt.Metric, Category: opt.Category, Product: opt.Product, Read: s.Read, Level: opt.Level}
	if len(s.Start) == 0 {
		switch {
		case opt.Category != "":
			return nil, i18n.Errorf("no orders in %s have the category %q", r.Table, opt.Category)
		case opt.Product != "":
			return nil, i18n.Errorf("no orders in %s have the product %q", r.Table, opt.Product)
		}
		return nil, i18n.Errorf("%s has no orders with a date and an amount that is not negative", r.Table)
	}
	ys := s.Revenue
	if opt.Metric == "orders" {
		ys = s.Orders
	}
	starts := s.Start
	// A period the data only partly cover would read as a slump.
	if len(starts) > 0 && starts[0].Before(s.First) && dayOf(s.First).After(starts[0]) {
		r.Notes = append(r.Notes, i18n.T("The first %s (from %s) is incomplete in the data and was left out.", PeriodName(opt.By), i18n.Date(starts[0])))
		starts, ys = starts[1:], ys[1:]
	}
	if n := len(starts); n > 0 && dayOf(s.Last).Before(sales.Next(opt.By, starts[n-1]).AddDate(0, 0, -1)) &&
		!dayOf(s.Last).Before(starts[n-1]) {
		r.Notes = append(r.Notes, i18n.T("The last %s (from %s) is incomplete in the data and was left out.", PeriodName(opt.By), i18n.Date(starts[n-1])))
		starts, ys = starts[:n-1], ys[:n-1]
	}
	if min := (forecast.Spec{}).MinLength(); len(ys) < min {
		return nil, i18n.Errorf("a forecast needs at least %d complete %s of orders; there are %d", min, PeriodWord(opt.By), len(ys))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	season := Season(opt.By)
	report(i18n.T("Fitting the models"), 0.1)
	choice, err := forecast.Choose(ctx, ys, season, func(i, n int) { report(i18n.T("Fitting the models"), 0.1+0.75*float64(i)/float64(n)) })
	if err != nil {
		return nil, err
	}
	for _, n := range choice.Notes {
		r.Notes = append(r.Notes, i18n.Say(n))
	}
	r.Model, r.Candidates = choice.Best, choice.Candidates
	for i, d := range starts {
		r.History = append(r.History, ForecastPoint{Start: d, Value: ys[i], Fitted: r.Model.Fitted[i]})
	}
	next := sales.Next(opt.By, starts[len(starts)-1])
	for _, f := range r.Model.Predict(opt.Horizon, opt.Level) {
		r.Steps = append(r.Steps, ForecastStep{Start: next, Forecast: f})
		next = sales.Next(opt.By, next)
	}
	report(i18n.T("Backtesting"), 0.9)
	r.Backtest, r.BacktestErr = forecast.RunBacktest(ys, r.Model.Spec, opt.Horizon)
	report(i18n.T("Done"), 1)
	return r, nil
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// periodNames name a period in the singular, for sentences.
var periodNames = map[string]string{"day": i18n.Mark("day"), "week": i18n.Mark("week"), "month": i18n.Mark("month")}

// PeriodName is a period ("week") as people read it in a sentence.
func PeriodName(by string) string {
	if n, ok := periodNames[by]; ok {
		return i18n.T(n)
	}
	return by
}
