package llm

import (
	"regexp"
	"strings"
)

// Profile describes an audience in aggregates only. It is what a prompt
// knows of the customers, so it has no field that could hold one
// customer's data: counts, shares and averages, the names of segments and
// categories (each shared by several customers), and the names (not
// values) of the personalisation fields. Sanitize checks even those.
type Profile struct {
	// Segment is the audience's segment name ("" for all customers).
	Segment string `json:"segment,omitempty"`
	// Customers is the audience size; Share its part of all customers.
	Customers int64   `json:"customers"`
	Share     float64 `json:"share,omitempty"`
	// RFM is the mix of RFM segments in the audience, largest first.
	RFM []Part `json:"rfm,omitempty"`
	// TopCategories are the product categories the audience buys most, by
	// share of their order lines.
	TopCategories []Part `json:"top_categories,omitempty"`
	// AOV is the average order value; AvgOrders the orders per customer;
	// AvgRecencyDays the days since their last order. 0 when unknown.
	AOV            float64 `json:"aov,omitempty"`
	AvgOrders      float64 `json:"avg_orders,omitempty"`
	AvgRecencyDays float64 `json:"avg_recency_days,omitempty"`
	// Fields are the personalisation fields copy may use, by name
	// ("first_name"), written in copy as {{.first_name}}.
	Fields []string `json:"fields,omitempty"`
}

// Part is a named share of an audience.
type Part struct {
	Name  string  `json:"name"`
	Share float64 `json:"share"`
}

var (
	emailRE = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	phoneRE = regexp.MustCompile(`\+?\d[\d\s().-]{6,}\d`)
	dateRE  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)
)

// Redacted replaces e-mail addresses and phone numbers in s and says
// whether it did.
func Redacted(s string) (string, bool) {
	out := emailRE.ReplaceAllString(s, "[e-mail removed]")
	out = phoneRE.ReplaceAllStringFunc(out, func(m string) string {
		// A phone number has at least 9 digits; a date or an amount rarely does.
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits < 9 || dateRE.MatchString(m) {
			return m
		}
		return "[number removed]"
	})
	return out, out != s
}

// Sanitize returns the profile with every name cut to 60 characters and
// anything that looks like an e-mail address or phone number removed;
// field names that are not plain identifiers are dropped.
func (p Profile) Sanitize() Profile {
	clean := func(s string) string {
		s, _ = Redacted(strings.Join(strings.Fields(s), " "))
		if r := []rune(s); len(r) > 60 {
			s = string(r[:60])
		}
		return s
	}
	parts := func(ps []Part) []Part {
		var out []Part
		for _, x := range ps {
			if n := clean(x.Name); n != "" {
				out = append(out, Part{Name: n, Share: x.Share})
			}
		}
		return out
	}
	p.Segment = clean(p.Segment)
	p.RFM = parts(p.RFM)
	p.TopCategories = parts(p.TopCategories)
	var fields []string
	for _, f := range p.Fields {
		if identRE.MatchString(f) {
			fields = append(fields, f)
		}
	}
	p.Fields = fields
	return p
}
