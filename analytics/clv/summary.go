package clv

import (
	"math"
	"sort"
	"time"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Period is the time unit of a summary, in days.
type Period float64

// The periods a summary can be counted in. A month is a twelfth of a
// Julian year, so every month has the same length and T is exact.
const (
	Day   Period = 1
	Week  Period = 7
	Month Period = 365.25 / 12
)

// Transaction is one purchase. Value may be zero when spend is unknown.
type Transaction struct {
	Customer string
	At       time.Time
	Value    float64
}

// Summary is one customer's calibration summary and what happened in the
// holdout period after it.
type Summary struct {
	Customer string
	// Frequency is the number of repeat purchase days in calibration
	// (purchases on the first day do not count as repeats).
	Frequency int
	// Recency is the time from the first purchase to the last, and T the
	// time from the first purchase to the end of calibration, in periods.
	Recency, T float64
	// Monetary is the mean value of the repeat purchase days (0 without
	// repeats), as the Gamma-Gamma model needs.
	Monetary float64
	// First is the day of the first purchase.
	First time.Time
	// HoldoutFrequency and HoldoutValue are the purchase days and spend
	// after calibration up to the end of observation.
	HoldoutFrequency int
	HoldoutValue     float64
}

// Summarize builds the per-customer summaries from transactions.
// Purchases on one calendar day (in the time's own location) are merged
// into one, their values summed, as the BTYD literature does. Customers
// whose first purchase is after calibrationEnd are left out; purchases
// after observationEnd are ignored (a zero observationEnd means no
// holdout). Customers come back sorted by id.
func Summarize(tx []Transaction, calibrationEnd, observationEnd time.Time, period Period) ([]Summary, error) {
	if !(period > 0) || math.IsInf(float64(period), 0) {
		return nil, msg.Errorf("the period must be a positive number of days")
	}
	if calibrationEnd.IsZero() {
		return nil, msg.Errorf("give the end of the calibration period")
	}
	if !observationEnd.IsZero() && observationEnd.Before(calibrationEnd) {
		return nil, msg.Errorf("the observation end %s is before the calibration end %s",
			observationEnd.Format("2006-01-02"), calibrationEnd.Format("2006-01-02"))
	}
	endDay := dayOf(calibrationEnd)
	obsDay := endDay
	if !observationEnd.IsZero() {
		obsDay = dayOf(observationEnd)
	}
	// One entry per customer and day.
	type key struct {
		c string
		d int64
	}
	days := map[key]float64{}
	for _, t := range tx {
		if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			return nil, msg.Errorf("customer %s has a purchase value that is not a number", t.Customer)
		}
		d := dayOf(t.At)
		if d > obsDay {
			continue
		}
		days[key{t.Customer, d}] += t.Value
	}
	type day struct {
		d int64
		v float64
	}
	per := map[string][]day{}
	for k, v := range days {
		per[k.c] = append(per[k.c], day{k.d, v})
	}
	ids := make([]string, 0, len(per))
	for c := range per {
		ids = append(ids, c)
	}
	sort.Strings(ids)
	out := make([]Summary, 0, len(ids))
	for _, c := range ids {
		ds := per[c]
		sort.Slice(ds, func(i, j int) bool { return ds[i].d < ds[j].d })
		first := ds[0].d
		if first > endDay {
			continue
		}
		s := Summary{Customer: c, T: float64(endDay-first) / float64(period), First: time.Unix(first*86400, 0).UTC()}
		var spend float64
		for _, x := range ds[1:] {
			if x.d <= endDay {
				s.Frequency++
				s.Recency = float64(x.d-first) / float64(period)
				spend += x.v
			} else {
				s.HoldoutFrequency++
				s.HoldoutValue += x.v
			}
		}
		if s.Frequency > 0 {
			s.Monetary = spend / float64(s.Frequency)
		}
		out = append(out, s)
	}
	return out, nil
}

// dayOf numbers calendar days, taking the date as written in the time's
// own location, so an order at 23:30 local time stays on its day.
func dayOf(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
