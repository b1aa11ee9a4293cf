package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Number formats v with thousands separators and at most two decimals,
// dropping trailing zeros: 1234567 → "1,234,567", 0.5 → "0.5". Chinese
// groups digits the same way.
func Number(v float64) string { return Group(v, 2, true) }

// Group formats v with the given decimals and comma thousands separators;
// trim drops trailing zeros.
func Group(v float64, decimals int, trim bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	decimals = max(decimals, 0)
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	if trim {
		frac = strings.TrimRight(frac, "0")
	}
	var b strings.Builder
	// No "-0": a value that rounds to zero has no sign.
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Compact abbreviates large numbers the way readers of the language in use
// expect: 12,500 → "12.5K" and 3,400,000 → "3.4M" in English; 12,500 →
// "1.25万" and 340,000,000 → "3.4亿" in Chinese, which counts in ten
// thousands. Numbers below the first step are grouped as Number does.
func Compact(v float64) string {
	type step struct {
		size   float64
		suffix string
	}
	steps := []step{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}}
	if IsChinese() {
		steps = []step{{1e12, "万亿"}, {1e8, "亿"}, {1e4, "万"}}
	}
	a := math.Abs(v)
	for _, s := range steps {
		if a >= s.size {
			// Three significant digits: 1.25万, 12.5万, 125万.
			q := v / s.size
			dec := 2
			switch {
			case math.Abs(q) >= 100:
				dec = 0
			case math.Abs(q) >= 10:
				dec = 1
			}
			return Group(q, dec, true) + s.suffix
		}
	}
	return Number(v)
}

// Currencies lists the currency symbols a project can choose, by ISO code.
var Currencies = []struct{ Code, Symbol string }{
	{"CNY", "¥"}, {"USD", "$"}, {"EUR", "€"}, {"GBP", "£"}, {"JPY", "¥"}, {"HKD", "HK$"}, {"TWD", "NT$"},
	{"AUD", "A$"}, {"CAD", "C$"}, {"CHF", "CHF "}, {"SGD", "S$"}, {"INR", "₹"}, {"KRW", "₩"},
}

// Symbol returns the symbol of an ISO currency code ("" for an unknown one).
func Symbol(code string) string {
	for _, c := range Currencies {
		if strings.EqualFold(c.Code, code) {
			return c.Symbol
		}
	}
	return ""
}

// DefaultCurrency is the currency a new project gets: yuan in Chinese,
// dollars otherwise.
func DefaultCurrency() string {
	if IsChinese() {
		return "CNY"
	}
	return "USD"
}

// Money formats an amount with the currency symbol in front and fixed
// decimals: Money("¥", 2, 1234.5) → "¥1,234.50", with the minus first.
func Money(symbol string, decimals int, v float64) string {
	s := Group(v, decimals, false)
	if strings.HasPrefix(s, "-") {
		return "-" + symbol + s[1:]
	}
	return symbol + s
}

// Date formats a day for people: "15 Mar 2024" in English, "2024年3月15日"
// in Chinese.
func Date(t time.Time) string {
	if IsChinese() {
		return t.Format("2006年1月2日")
	}
	return t.Format("2 Jan 2006")
}

// DateTime formats a moment to the minute.
func DateTime(t time.Time) string {
	if IsChinese() {
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// Percent formats a share in [0, 1] with the given decimals: "12.3%".
func Percent(decimals int, v float64) string { return Group(100*v, decimals, false) + "%" }
