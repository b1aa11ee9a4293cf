package chart

import (
	"math"
	"strconv"
	"strings"
)

// Number formats v with thousands separators and at most two decimals,
// dropping trailing zeros: 1234567 → "1,234,567", 0.5 → "0.5".
func Number(v float64) string { return group(v, 2, true) }

// Money returns a formatter for amounts with the currency symbol in front
// and a fixed number of decimals: Money("$", 0)(-1234.5) → "-$1,235".
func Money(symbol string, decimals int) func(float64) string {
	return func(v float64) string {
		s := group(v, decimals, false)
		if strings.HasPrefix(s, "-") {
			return "-" + symbol + s[1:]
		}
		return symbol + s
	}
}

// Percent returns a formatter for shares in [0, 1]: Percent(1)(0.1234) →
// "12.3%".
func Percent(decimals int) func(float64) string {
	return func(v float64) string { return group(100*v, decimals, false) + "%" }
}

// group formats v with the given decimals and comma thousands separators.
func group(v float64, decimals int, trim bool) string {
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
