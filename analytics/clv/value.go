package clv

import (
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// ValueOptions say how lifetime value is counted.
type ValueOptions struct {
	// Horizon is how far ahead to count, in periods, in Steps equal
	// steps; each step's purchases are discounted by (1+Discount)^step.
	Horizon  float64
	Steps    int
	Discount float64 // per step, e.g. a monthly rate
	Margin   float64 // share of spend that is profit, in (0, 1]
}

// Value is a customer's expected lifetime value over the horizon: the
// expected purchases in each step times the expected spend and margin,
// discounted to today.
func Value(f *Fit, s *Spend, c Summary, o ValueOptions) (float64, error) {
	v, _, err := ValueAndPurchases(f, s, c, o)
	return v, err
}

// ValueAndPurchases is Value and the expected purchases over the whole
// horizon, computed together.
func ValueAndPurchases(f *Fit, s *Spend, c Summary, o ValueOptions) (float64, float64, error) {
	if !(o.Horizon > 0) || o.Steps < 1 || !(o.Discount >= 0) || !(o.Margin > 0 && o.Margin <= 1) {
		return 0, 0, msg.Errorf("the horizon must be positive, with at least one step; the discount rate at least 0 and the margin in (0, 1]")
	}
	spend := s.ExpectedSpend(c.Frequency, c.Monetary)
	if math.IsNaN(spend) {
		return 0, 0, msg.Errorf("the spend model has no finite mean (q ≤ 1); the value of customers without repeat purchases is unknown")
	}
	ts := make([]float64, o.Steps)
	for i := range ts {
		ts[i] = o.Horizon * float64(i+1) / float64(o.Steps)
	}
	cum := make([]float64, o.Steps)
	f.ConditionalExpectedAt(ts, c.Frequency, c.Recency, c.T, cum)
	var v, prev float64
	for i, e := range cum {
		v += (e - prev) * spend * o.Margin / math.Pow(1+o.Discount, float64(i+1))
		prev = e
	}
	return v, prev, nil
}
