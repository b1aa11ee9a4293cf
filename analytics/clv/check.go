package clv

import (
	"math"
	"sort"
	"time"
)

// FrequencyBin compares, for customers with one calibration frequency,
// the mean repeat purchases the model expected in the holdout period
// with the mean they made (FHL 2005, figure 4).
type FrequencyBin struct {
	Frequency int // the last bin holds this frequency and above
	Customers int
	Actual    float64
	Expected  float64
}

// HoldoutByFrequency groups customers by calibration frequency, the last
// bin holding maxBin and above, over a holdout of the given length in
// periods.
func HoldoutByFrequency(f *Fit, s []Summary, holdout float64, maxBin int) []FrequencyBin {
	bins := make([]FrequencyBin, maxBin+1)
	for i := range bins {
		bins[i].Frequency = i
	}
	for _, c := range s {
		b := &bins[min(c.Frequency, maxBin)]
		b.Customers++
		b.Actual += float64(c.HoldoutFrequency)
		b.Expected += f.ConditionalExpected(holdout, c.Frequency, c.Recency, c.T)
	}
	for i := range bins {
		if n := float64(bins[i].Customers); n > 0 {
			bins[i].Actual /= n
			bins[i].Expected /= n
		}
	}
	return bins
}

// TrackPoint is the cumulative number of repeat purchases up to a time,
// made and expected.
type TrackPoint struct {
	At       time.Time
	Actual   float64
	Expected float64
}

// Tracking follows the customers of the summaries (their first purchase
// and their repeat purchase days) from the first first purchase to end,
// one point per period: cumulative repeat purchases made, against the
// model's expectation for customers of those ages (FHL 2005, figure 3).
// Actual counts come from the transactions, merged per day as Summarize
// does.
func Tracking(f *Fit, s []Summary, tx []Transaction, end time.Time, period Period) []TrackPoint {
	if len(s) == 0 || !(period > 0) {
		return nil
	}
	first := map[string]int64{}
	births := map[int64]float64{} // customers per first-purchase day
	start := int64(math.MaxInt64)
	for _, c := range s {
		d := dayOf(c.First)
		first[c.Customer] = d
		births[d]++
		start = min(start, d)
	}
	endDay := dayOf(end)
	seen := map[[2]int64]bool{}
	ids := map[string]int64{}
	var repeats []int64
	for _, t := range tx {
		f0, ok := first[t.Customer]
		d := dayOf(t.At)
		if !ok || d <= f0 || d > endDay {
			continue
		}
		id, ok := ids[t.Customer]
		if !ok {
			id = int64(len(ids))
			ids[t.Customer] = id
		}
		if k := [2]int64{id, d}; !seen[k] {
			seen[k] = true
			repeats = append(repeats, d)
		}
	}
	sort.Slice(repeats, func(i, j int) bool { return repeats[i] < repeats[j] })
	var out []TrackPoint
	j := 0
	for step := 1; ; step++ {
		day := start + int64(math.Round(float64(step)*float64(period)))
		if day > endDay {
			break
		}
		for j < len(repeats) && repeats[j] <= day {
			j++
		}
		var e float64
		for b, n := range births {
			e += n * f.Expected(float64(day-b)/float64(period))
		}
		out = append(out, TrackPoint{At: time.Unix(day*86400, 0).UTC(), Actual: float64(j), Expected: e})
	}
	return out
}
