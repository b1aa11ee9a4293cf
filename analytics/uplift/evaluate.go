package uplift

import (
	"fmt"
	"math"
	"sort"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Point is one point of a curve: X customers targeted (best first), Y the
// curve's value.
type Point struct{ X, Y float64 }

// Decile is a tenth of the held-out customers, by predicted uplift (the
// first holds the highest).
type Decile struct {
	Decile                   int
	Customers                int
	Treated, Control         int
	RateTreated, RateControl float64
	Uplift, PredictedUplift  float64
	ConvertedT, ConvertedC   float64
	HasBoth                  bool // both groups present, so Uplift is defined
}

// Result is how a model's uplift ranking did on held-out customers.
type Result struct {
	Customers, Treated, Control int
	// ATE is the average effect: conversion rate treated − control.
	ATE float64
	// Qini is the normalised Qini coefficient: the area between the Qini
	// curve and the random line, over the same area for the perfect
	// ranking (1 is perfect, 0 random, negative worse than random).
	Qini        float64
	QiniCurve   []Point // incremental conversions among the first X
	UpliftCurve []Point // (rate treated − rate control) among the first X, times X
	Deciles     []Decile
	pred        []float64
	treated     []bool
	y           []float64
	revenue     []float64
	order       []int
}

// Evaluate measures a ranking by predicted uplift against what happened.
func Evaluate(pred []float64, treated []bool, y []float64) (*Result, error) {
	n := len(pred)
	if len(treated) != n || len(y) != n {
		return nil, fmt.Errorf("internal: %d predictions, %d treatment flags and %d outcomes", n, len(treated), len(y))
	}
	r := &Result{Customers: n, pred: pred, treated: treated, y: y}
	var yt, yc float64
	for i := range n {
		if math.IsNaN(pred[i]) {
			return nil, msg.Errorf("a predicted uplift is not a number")
		}
		if treated[i] {
			r.Treated++
			yt += y[i]
		} else {
			r.Control++
			yc += y[i]
		}
	}
	if r.Treated == 0 || r.Control == 0 {
		return nil, msg.Errorf("the held-out customers need both treated and control customers")
	}
	r.ATE = yt/float64(r.Treated) - yc/float64(r.Control)
	r.order = byPrediction(pred)
	r.QiniCurve, r.UpliftCurve = curves(r.order, treated, y)
	// The perfect ranking: treated converters first, control converters last.
	perfect := make([]float64, n)
	for i := range n {
		switch {
		case treated[i] && y[i] == 1:
			perfect[i] = 1
		case !treated[i] && y[i] == 1:
			perfect[i] = -1
		}
	}
	pq, _ := curves(byPrediction(perfect), treated, y)
	random := area([]Point{{0, 0}, {float64(n), r.QiniCurve[n].Y}})
	if d := area(pq) - random; d != 0 {
		r.Qini = (area(r.QiniCurve) - random) / d
	}
	r.Deciles = deciles(r.order, pred, treated, y)
	return r, nil
}

// byPrediction orders customers by prediction, highest first; ties keep
// their order, so the result is the same on every run.
func byPrediction(pred []float64) []int {
	idx := make([]int, len(pred))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return pred[idx[a]] > pred[idx[b]] })
	return idx
}

// curves are the Qini and uplift curves from (0, 0), one point per
// customer.
func curves(order []int, treated []bool, y []float64) (qini, up []Point) {
	qini = append(make([]Point, 0, len(order)+1), Point{})
	up = append(make([]Point, 0, len(order)+1), Point{})
	var nt, nc, yt, yc float64
	for k, i := range order {
		if treated[i] {
			nt++
			yt += y[i]
		} else {
			nc++
			yc += y[i]
		}
		var q, u float64
		if nc > 0 {
			q = yt - yc*nt/nc
		} else {
			q = yt
		}
		if nt > 0 && nc > 0 {
			u = (yt/nt - yc/nc) * float64(k+1)
		}
		qini = append(qini, Point{float64(k + 1), q})
		up = append(up, Point{float64(k + 1), u})
	}
	return qini, up
}

// area is the trapezoid area under a curve.
func area(c []Point) float64 {
	var a float64
	for i := 1; i < len(c); i++ {
		a += (c[i].X - c[i-1].X) * (c[i].Y + c[i-1].Y) / 2
	}
	return a
}

func deciles(order []int, pred []float64, treated []bool, y []float64) []Decile {
	n := len(order)
	out := make([]Decile, 0, 10)
	for d := range 10 {
		lo, hi := d*n/10, (d+1)*n/10
		dc := Decile{Decile: d + 1, Customers: hi - lo}
		var sum float64
		for _, i := range order[lo:hi] {
			sum += pred[i]
			if treated[i] {
				dc.Treated++
				dc.ConvertedT += y[i]
			} else {
				dc.Control++
				dc.ConvertedC += y[i]
			}
		}
		if dc.Customers > 0 {
			dc.PredictedUplift = sum / float64(dc.Customers)
		}
		if dc.Treated > 0 {
			dc.RateTreated = dc.ConvertedT / float64(dc.Treated)
		}
		if dc.Control > 0 {
			dc.RateControl = dc.ConvertedC / float64(dc.Control)
		}
		dc.HasBoth = dc.Treated > 0 && dc.Control > 0
		if dc.HasBoth {
			dc.Uplift = dc.RateTreated - dc.RateControl
		}
		out = append(out, dc)
	}
	return out
}

// Targeting is what treating the top share of customers by predicted
// uplift did among the held-out customers.
type Targeting struct {
	Share     float64
	Customers int
	// Uplift is the conversion rate treated − control among them; Gain
	// is it over the average effect (how much better than treating a
	// random share).
	Uplift, Gain float64
	// Incremental is the conversions the treatment caused among them,
	// scaled from the held-out sample to all of them: Uplift × Customers.
	Incremental float64
	// RevenueUplift is the mean spend treated − control among them, and
	// IncrementalRevenue it times Customers (0 without revenue).
	RevenueUplift, IncrementalRevenue float64
}

// Top measures treating the share (0, 1] of customers with the highest
// predicted uplift.
func (r *Result) Top(share float64) (Targeting, error) {
	if !(share > 0 && share <= 1) {
		return Targeting{}, msg.Errorf("the share to treat must be above 0 and at most 1")
	}
	k := int(math.Ceil(share * float64(r.Customers)))
	var nt, nc, yt, yc, st, sc float64
	for _, i := range r.order[:k] {
		var s float64
		if r.revenue != nil {
			s = r.revenue[i]
		}
		if r.treated[i] {
			nt++
			yt += r.y[i]
			st += s
		} else {
			nc++
			yc += r.y[i]
			sc += s
		}
	}
	t := Targeting{Share: share, Customers: k}
	if nt == 0 || nc == 0 {
		return t, msg.Errorf("the top %d customers are all in one group; choose a larger share", k)
	}
	t.Uplift = yt/nt - yc/nc
	t.Incremental = t.Uplift * float64(k)
	t.RevenueUplift = st/nt - sc/nc
	t.IncrementalRevenue = t.RevenueUplift * float64(k)
	if r.ATE != 0 {
		t.Gain = t.Uplift / r.ATE
	}
	return t, nil
}
