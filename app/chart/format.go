package chart

import "github.com/marketbench/marketbench/assets/i18n"

// Number formats v with thousands separators and at most two decimals,
// dropping trailing zeros: 1234567 → "1,234,567", 0.5 → "0.5".
func Number(v float64) string { return i18n.Number(v) }

// Money returns a formatter for amounts with the currency symbol in front
// and a fixed number of decimals: Money("$", 0)(-1234.5) → "-$1,235".
func Money(symbol string, decimals int) func(float64) string {
	return func(v float64) string { return i18n.Money(symbol, decimals, v) }
}

// Percent returns a formatter for shares in [0, 1]: Percent(1)(0.1234) →
// "12.3%".
func Percent(decimals int) func(float64) string {
	return func(v float64) string { return i18n.Percent(decimals, v) }
}
