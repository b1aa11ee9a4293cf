// Package cohort groups customers by the month (or week) of their first
// purchase and follows each group over the periods since: how many are
// still buying (retention), what they spend per customer in each period,
// and what they have spent in total so far. Two cohorts, or the pooled
// curves of two segments, are compared period by period.
package cohort

import (
	"slices"
	"time"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Purchase is one purchase of a customer. Amount may be zero (a free
// item); the caller leaves out returns.
type Purchase struct {
	Customer string
	At       time.Time
	Amount   float64
}

// Period is the length of a cohort and of the steps after it.
type Period int

// The periods. A week starts on Monday (ISO 8601).
const (
	Month Period = iota
	Week
)

// Start is the first day of the period that holds t (UTC date).
func (p Period) Start(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if p == Week {
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	return d.AddDate(0, 0, 1-d.Day())
}

// Index counts periods from a start to the period holding t.
func (p Period) Index(from, t time.Time) int {
	s := p.Start(t)
	if p == Week {
		return int(s.Sub(from).Hours()+12) / (24 * 7)
	}
	return (s.Year()-from.Year())*12 + int(s.Month()) - int(from.Month())
}

// Cohort is the customers whose first purchase fell in one period, and
// what they did in that period (index 0) and each one after, up to the
// last period of the data.
type Cohort struct {
	Start     time.Time `json:"start"`
	Customers int       `json:"customers"`
	// Active counts the customers who bought in each period; Retention is
	// Active over Customers (1 in period 0).
	Active    []int     `json:"active"`
	Retention []float64 `json:"retention"`
	// Revenue is the cohort's spend in each period; RevenuePerCustomer
	// divides it by the cohort's size, and Cumulative adds those up.
	Revenue            []float64 `json:"revenue"`
	RevenuePerCustomer []float64 `json:"revenue_per_customer"`
	Cumulative         []float64 `json:"cumulative_revenue_per_customer"`
}

// Table is every cohort in time order.
type Table struct {
	By      Period
	Cohorts []Cohort
	// Last is the start of the last period with a purchase: the end of
	// what can be seen (a cohort has Index(Start, Last)+1 periods).
	Last time.Time
}

// Build makes the cohort table of the purchases, up to the period of the
// last purchase. Customers with an empty id are left out. The last period
// may be partly observed: it is kept, and the caller says so.
func Build(ps []Purchase, by Period) (*Table, error) { return BuildTo(ps, by, time.Time{}) }

// BuildTo is Build up to the period holding end when that is later than
// the last purchase: a group of customers (a segment) that stopped buying
// is still seen, with nobody active, to the end of the data.
func BuildTo(ps []Purchase, by Period, end time.Time) (*Table, error) {
	if by != Month && by != Week {
		return nil, msg.Errorf("unknown cohort period")
	}
	first, last := firsts(ps, by)
	if len(first) == 0 {
		return nil, msg.Errorf("there are no purchases with a customer to group into cohorts")
	}
	if !end.IsZero() && by.Start(end).After(last) {
		last = by.Start(end)
	}
	var starts []time.Time
	index := map[time.Time]int{}
	for _, s := range first {
		if _, ok := index[s]; !ok {
			index[s] = 0
			starts = append(starts, s)
		}
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	t := &Table{By: by, Last: last, Cohorts: make([]Cohort, len(starts))}
	for i, s := range starts {
		index[s] = i
		n := by.Index(s, last) + 1
		t.Cohorts[i] = Cohort{Start: s, Active: make([]int, n), Revenue: make([]float64, n)}
	}
	for _, s := range first {
		t.Cohorts[index[s]].Customers++
	}
	// Active counts each customer once per period.
	type key struct {
		customer string
		k        int
	}
	seen := map[key]bool{}
	for _, p := range ps {
		if p.Customer == "" {
			continue
		}
		f := first[p.Customer]
		c := &t.Cohorts[index[f]]
		k := by.Index(f, p.At)
		c.Revenue[k] += p.Amount
		if kk := (key{p.Customer, k}); !seen[kk] {
			seen[kk] = true
			c.Active[k]++
		}
	}
	for i := range t.Cohorts {
		c := &t.Cohorts[i]
		n := float64(c.Customers)
		cum := 0.0
		for k := range c.Active {
			c.Retention = append(c.Retention, float64(c.Active[k])/n)
			c.RevenuePerCustomer = append(c.RevenuePerCustomer, c.Revenue[k]/n)
			cum += c.Revenue[k] / n
			c.Cumulative = append(c.Cumulative, cum)
		}
	}
	return t, nil
}

// Find returns the cohort that starts in the period holding t, or nil.
func (t *Table) Find(at time.Time) *Cohort {
	s := t.By.Start(at)
	for i := range t.Cohorts {
		if t.Cohorts[i].Start.Equal(s) {
			return &t.Cohorts[i]
		}
	}
	return nil
}

// firsts is the start of each customer's first period, and the start of
// the last period with a purchase.
func firsts(ps []Purchase, by Period) (map[string]time.Time, time.Time) {
	first := map[string]time.Time{}
	var last time.Time
	for _, p := range ps {
		if p.Customer == "" {
			continue
		}
		s := by.Start(p.At)
		if f, ok := first[p.Customer]; !ok || s.Before(f) {
			first[p.Customer] = s
		}
		if s.After(last) {
			last = s
		}
	}
	return first, last
}

// Members are the customers of the cohort that starts in the period
// holding at, sorted; none when no cohort starts there. They are the
// customers Build counts in that cohort.
func Members(ps []Purchase, by Period, at time.Time) []string {
	first, _ := firsts(ps, by)
	s := by.Start(at)
	var out []string
	for c, f := range first {
		if f.Equal(s) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}
