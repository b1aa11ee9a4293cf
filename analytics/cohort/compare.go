package cohort

// Curve is retention and spend by period since the first purchase for a
// group of customers: one cohort, or several pooled.
type Curve struct {
	// Customers is, for each period, how many customers could be seen
	// that far (the cohorts old enough); the rates are over them.
	Customers          []int     `json:"customers"`
	Retention          []float64 `json:"retention"`
	RevenuePerCustomer []float64 `json:"revenue_per_customer"`
	Cumulative         []float64 `json:"cumulative_revenue_per_customer"`
}

// CurveOf is one cohort's curve.
func CurveOf(c Cohort) Curve {
	out := Curve{Retention: c.Retention, RevenuePerCustomer: c.RevenuePerCustomer, Cumulative: c.Cumulative}
	for range c.Active {
		out.Customers = append(out.Customers, c.Customers)
	}
	return out
}

// Pooled is the curve of all the table's customers: for each period, the
// cohorts observed that long, weighted by their size. The cumulative
// spend adds the pooled per-period spend, so each step counts the
// customers who can be seen at that step.
func (t *Table) Pooled() Curve {
	var out Curve
	var active []float64
	var revenue []float64
	for _, c := range t.Cohorts {
		for k := range c.Active {
			if k == len(out.Customers) {
				out.Customers = append(out.Customers, 0)
				active = append(active, 0)
				revenue = append(revenue, 0)
			}
			out.Customers[k] += c.Customers
			active[k] += float64(c.Active[k])
			revenue[k] += c.Revenue[k]
		}
	}
	cum := 0.0
	for k, n := range out.Customers {
		out.Retention = append(out.Retention, active[k]/float64(n))
		out.RevenuePerCustomer = append(out.RevenuePerCustomer, revenue[k]/float64(n))
		cum += revenue[k] / float64(n)
		out.Cumulative = append(out.Cumulative, cum)
	}
	return out
}

// Comparison is two curves and their difference (A − B) over the periods
// both reach.
type Comparison struct {
	A, B Curve
	// Retention and Cumulative are the differences in retention (a
	// fraction) and in cumulative revenue per customer.
	Retention  []float64 `json:"retention_difference"`
	Cumulative []float64 `json:"cumulative_difference"`
}

// Compare lines up two curves period by period.
func Compare(a, b Curve) Comparison {
	n := min(len(a.Retention), len(b.Retention))
	out := Comparison{A: a, B: b}
	for k := range n {
		out.Retention = append(out.Retention, a.Retention[k]-b.Retention[k])
		out.Cumulative = append(out.Cumulative, a.Cumulative[k]-b.Cumulative[k])
	}
	return out
}
