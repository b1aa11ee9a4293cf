package core

import (
	"context"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/marketbench/marketbench/analytics/clv"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/value"
)

// CLVOptions choose how a lifetime-value model is fitted.
type CLVOptions struct {
	Orders string // the order table; "" for the only one
	// CalibrationEnd ends the period the model learns from; the orders
	// after it (to the last order) are the holdout it is checked on.
	CalibrationEnd time.Time
	Period         string // "day", "week" (default) or "month"
	Model          string // "bgnbd" (default) or "mbgnbd"
}

// CLVFit is a fitted model with its checks.
type CLVFit struct {
	value.Saved
	Repeaters int // customers with a repeat purchase in calibration
	// Read says how many order rows were read and left out.
	Read value.Read
	// Holdout compares expected and actual purchases after calibration by
	// calibration frequency; Tracking the cumulative repeat purchases over
	// time. Both are empty without orders after the calibration end.
	HoldoutPeriods float64
	Holdout        []clv.FrequencyBin
	Tracking       []clv.TrackPoint
	SpendSkipped   int // repeat customers left out of the spend model
}

// FitCLV fits BG/NBD (or MBG/NBD) and Gamma-Gamma on the orders up to the
// calibration end and keeps the fit in the project, replacing the last.
// A fit that fails keeps nothing.
func (w *Workspace) FitCLV(ctx context.Context, opt CLVOptions, progress Progress) (*CLVFit, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if opt.Period == "" {
		opt.Period = "week"
	}
	if opt.Model == "" {
		opt.Model = "bgnbd"
	}
	period, ok := value.Periods[opt.Period]
	if !ok {
		return nil, i18n.Errorf("unknown period %q; choose day, week or month", opt.Period)
	}
	model := clv.BGNBD
	switch opt.Model {
	case "bgnbd":
	case "mbgnbd":
		model = clv.MBGNBD
	default:
		return nil, i18n.Errorf("unknown model %q; choose bgnbd or mbgnbd", opt.Model)
	}
	report(i18n.T("Reading orders"), 0.05)
	tx, rd, err := value.Transactions(ctx, w.Project, opt.Orders)
	if err != nil {
		return nil, err
	}
	if len(tx) == 0 {
		return nil, i18n.Errorf("%s has no purchases (rows with a customer, a date and an amount that is not negative)", rd.Table)
	}
	first, last := tx[0].At, tx[0].At
	for _, t := range tx {
		first, last = minTime(first, t.At), maxTime(last, t.At)
	}
	if opt.CalibrationEnd.IsZero() {
		return nil, i18n.Errorf("choose the calibration end: the model learns from the orders up to it and is checked on those after it")
	}
	if opt.CalibrationEnd.Before(first) {
		return nil, i18n.Errorf("the calibration end %s is before the first order (%s)", i18n.Date(opt.CalibrationEnd), i18n.Date(first))
	}
	obsEnd := last
	if obsEnd.Before(opt.CalibrationEnd) {
		obsEnd = opt.CalibrationEnd
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	report(i18n.T("Summarising customers"), 0.2)
	sum, err := clv.Summarize(tx, opt.CalibrationEnd, obsEnd, period)
	if err != nil {
		return nil, err
	}
	d := clv.DataOf(sum)
	report(i18n.T("Fitting the purchase model"), 0.4)
	fit, err := clv.FitModel(model, d)
	if err != nil {
		return nil, err
	}
	report(i18n.T("Fitting the spend model"), 0.6)
	spend, skipped, err := clv.FitSpend(d)
	if err != nil {
		return nil, err
	}
	out := &CLVFit{Read: rd, SpendSkipped: skipped, Saved: value.Saved{
		Table: rd.Table, Model: opt.Model, Period: opt.Period, CalibrationEnd: opt.CalibrationEnd, ObservationEnd: obsEnd,
		Params: fit.Params, LogLik: fit.LogLik, Customers: fit.Customers, Spend: spend, FittedAt: time.Now().UTC(),
	}}
	for _, s := range sum {
		if s.Frequency > 0 {
			out.Repeaters++
		}
	}
	if obsEnd.After(opt.CalibrationEnd) {
		report(i18n.T("Checking against the holdout"), 0.8)
		out.HoldoutPeriods = float64(dayNumber(obsEnd)-dayNumber(opt.CalibrationEnd)) / float64(period)
		out.Holdout = clv.HoldoutByFrequency(fit, sum, out.HoldoutPeriods, 7)
		out.Tracking = clv.Tracking(fit, sum, tx, obsEnd, period)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := value.SaveFit(ctx, w.Project, &out.Saved); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	return out, nil
}

// periodWords name the periods in the plural, for sentences.
var periodWords = map[string]string{"day": i18n.Mark("days"), "week": i18n.Mark("weeks"), "month": i18n.Mark("months")}

// PeriodWord is a period name ("week") as people read it ("weeks").
func PeriodWord(period string) string {
	if w, ok := periodWords[period]; ok {
		return i18n.T(w)
	}
	return period
}

// CLVModel returns the saved lifetime-value fit, or nil.
func (w *Workspace) CLVModel(ctx context.Context) (*value.Saved, error) {
	return value.LoadFit(ctx, w.Project)
}

// CLVScoreOptions say how far ahead lifetime value counts.
type CLVScoreOptions struct {
	// Horizon is in the fit's periods (e.g. 52 weeks).
	Horizon float64
	// Margin is the share of spend that is profit (default 1: revenue).
	Margin float64
	// Discount is the yearly discount rate (e.g. 0.1), applied monthly.
	Discount float64
}

// CLVScoreReport sums up a scoring.
type CLVScoreReport struct {
	Customers         int
	Total, Mean       float64 // lifetime value, over all customers
	MeanPAlive        float64
	ExpectedPurchases float64 // over all customers, in the horizon
	AsOf              time.Time
	Table             string
}

// ScoreCLV applies the saved fit to every customer's whole history (up
// to the last order) and writes clv_scores: P(alive), expected purchases
// and spend over the horizon, and the discounted lifetime value.
func (w *Workspace) ScoreCLV(ctx context.Context, opt CLVScoreOptions, progress Progress) (*CLVScoreReport, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	saved, err := value.LoadFit(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	if saved == nil {
		return nil, i18n.Errorf("fit a lifetime-value model first: marketbench clv fit --orders TABLE --calibration-end YYYY-MM-DD")
	}
	if opt.Margin == 0 {
		opt.Margin = 1
	}
	if !(opt.Horizon > 0) || math.IsInf(opt.Horizon, 0) || !(opt.Margin > 0 && opt.Margin <= 1) || !(opt.Discount >= 0 && opt.Discount < 10) {
		return nil, i18n.Errorf("the horizon must be positive, the margin in (0, 1] and the yearly discount rate at least 0")
	}
	if saved.Spend == nil {
		return nil, i18n.Errorf("the saved lifetime-value model has no spend model; fit it again (marketbench clv fit)")
	}
	period := value.Periods[saved.Period]
	report(i18n.T("Reading orders"), 0.05)
	tx, _, err := value.Transactions(ctx, w.Project, saved.Table)
	if err != nil {
		return nil, err
	}
	if len(tx) == 0 {
		return nil, i18n.Errorf("%s has no purchases (rows with a customer, a date and an amount that is not negative)", saved.Table)
	}
	asOf := tx[0].At
	for _, t := range tx {
		asOf = maxTime(asOf, t.At)
	}
	sum, err := clv.Summarize(tx, asOf, time.Time{}, period)
	if err != nil {
		return nil, err
	}
	// Discount monthly: the steps are months of the horizon.
	days := opt.Horizon * float64(period)
	steps := max(1, int(math.Ceil(days/float64(clv.Month))))
	vo := clv.ValueOptions{Horizon: opt.Horizon, Steps: steps, Margin: opt.Margin,
		Discount: math.Pow(1+opt.Discount, days/float64(steps)/365.25) - 1}
	fit := saved.Fit()
	rows := make([]value.Score, len(sum))
	report(i18n.T("Scoring customers"), 0.3)
	if err := scoreParallel(ctx, sum, rows, fit, saved.Spend, vo); err != nil {
		return nil, err
	}
	rep := &CLVScoreReport{Customers: len(rows), AsOf: asOf, Table: value.ScoresTable}
	for _, r := range rows {
		rep.Total += r.CLV
		rep.MeanPAlive += r.PAlive
		rep.ExpectedPurchases += r.ExpectedPurchases
	}
	if n := float64(len(rows)); n > 0 {
		rep.Mean, rep.MeanPAlive = rep.Total/n, rep.MeanPAlive/n
	}
	report(i18n.T("Saving scores"), 0.85)
	detail := i18n.T("%s over %g %s, margin %s, yearly discount %s", saved.Model, opt.Horizon, PeriodWord(saved.Period),
		i18n.Percent(0, opt.Margin), i18n.Percent(1, opt.Discount))
	if err := value.WriteScores(ctx, w.Project, rows, detail); err != nil {
		return nil, cancelled(ctx, err)
	}
	report(i18n.T("Done"), 1)
	return rep, nil
}

// scoreParallel fills rows from the summaries on every core: each
// customer needs a hypergeometric series per discounting step.
func scoreParallel(ctx context.Context, sum []clv.Summary, rows []value.Score, fit *clv.Fit, spend *clv.Spend, vo clv.ValueOptions) error {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk; i < len(sum); i += workers {
				if i%4096 == wk && ctx.Err() != nil {
					errs[wk] = ctx.Err()
					return
				}
				s := sum[i]
				v, e, err := clv.ValueAndPurchases(fit, spend, s, vo)
				if err != nil {
					errs[wk] = err
					return
				}
				rows[i] = value.Score{CustomerID: s.Customer, Frequency: s.Frequency, Recency: s.Recency, T: s.T, Monetary: s.Monetary,
					PAlive: fit.PAlive(s.Frequency, s.Recency, s.T), ExpectedPurchases: e,
					Spend: spend.ExpectedSpend(s.Frequency, s.Monetary), CLV: v}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// dayNumber numbers calendar days as the models count them.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
