package demodata

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Locale selects the language and market of the generated data.
type Locale string

// Supported locales.
const (
	// English is the default: customers in eight countries, English product
	// names, categories and reviews, western holidays.
	English Locale = "en"
	// Chinese is mainland China: provinces and cities, Chinese names and
	// mobile numbers, Chinese products, categories and reviews, prices in
	// yuan, and the shopping festivals (Singles' Day, 618, Spring Festival).
	Chinese Locale = "zh-CN"
)

// ParseLocale accepts a locale as a user or the system spells it: "", "C",
// "en", "en-US", "en_GB.UTF-8" are English; "zh", "zh-CN", "zh_CN.UTF-8",
// "zh-Hans" are Chinese. Traditional Chinese (zh-TW) is not offered.
func ParseLocale(s string) (Locale, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexByte(t, '.'); i >= 0 {
		t = t[:i] // drop an encoding suffix such as .UTF-8
	}
	t = strings.ReplaceAll(t, "_", "-")
	switch {
	case t == "" || t == "c" || t == "posix" || t == "en" || strings.HasPrefix(t, "en-"):
		return English, nil
	case t == "zh" || t == "zh-cn" || t == "zh-hans" || t == "zh-hans-cn":
		return Chinese, nil
	}
	return "", fmt.Errorf("demodata: unknown locale %q; choose en or zh-CN", s)
}

// market holds everything that differs between locales. The generator's
// logic (groups, planted effects, counts) is shared, so every locale has
// the same statistical shape.
type market struct {
	regions    []country // countries (English) or provinces (Chinese)
	regionCol  string    // customers.csv column naming the region
	categories []category
	channels   [3]string // web, app, store in CSV spelling
	// productName composes a name from a category's words; variant and
	// suffix are empty or disambiguate a repeated name.
	productName func(adj, noun, variant, suffix string) string
	variants    []string
	price       func(g *gen, median float64) int64 // unit price in cents
	event       func(t time.Time) float64          // holiday demand multiplier
	peak        func(t time.Time) bool             // delivery strained
	email       func(g *gen, co *country, fn, ln pname, seen map[string]bool) string
	review      func(g *gen, rating int, noun string, forced map[aspect]sentiment) string
	// wechat: customers follow an Official Account (openid and follower
	// columns), as Chinese customer exports have them.
	wechat bool
}

func (l Locale) market() *market {
	if l == Chinese {
		return &chinese
	}
	return &english
}

var english = market{
	regions:    countries,
	regionCol:  "country",
	categories: categories,
	channels:   [3]string{"web", "app", "store"},
	productName: func(adj, noun, variant, suffix string) string {
		name := adj + " " + noun
		if variant != "" {
			name += " - " + variant
		}
		return name + suffix
	},
	variants: variants,
	price: func(g *gen, median float64) int64 {
		price := median * g.lognorm(0.5)
		cents := int64(math.Floor(price))*100 + 99 // charm pricing: x.99
		if g.chance(0.2) {
			cents -= 50 // some x.49
		}
		return max(cents, 49)
	},
	event: westernHolidays,
	peak: func(t time.Time) bool {
		return t.Month() == time.December || t.Month() == time.November && t.Day() >= 20
	},
	email:  (*gen).email,
	review: (*gen).reviewText,
}

// westernHolidays: Black Friday, Cyber Monday, Christmas and Boxing Day.
func westernHolidays(t time.Time) float64 {
	_, m, day := t.Date()
	switch {
	case m == time.November && t.Weekday() == time.Friday && day >= 23 && day <= 29:
		return 2.5 // Black Friday: day after the 4th Thursday
	case m == time.November && t.Weekday() == time.Monday && day >= 26,
		m == time.December && t.Weekday() == time.Monday && day <= 2:
		return 2.0 // Cyber Monday
	case m == time.December && day == 25:
		return 0.15
	case m == time.December && day == 26:
		return 1.4
	}
	return 1
}

var chinese = market{
	wechat:     true,
	regions:    provinces,
	regionCol:  "province",
	categories: zhCategories,
	channels:   [3]string{"官网", "App", "门店"},
	productName: func(adj, noun, variant, suffix string) string {
		name := adj + noun
		if variant != "" {
			name += "（" + variant + "）"
		}
		return name + suffix
	},
	variants: zhVariants,
	price: func(g *gen, median float64) int64 {
		// Whole yuan ending in 9, some in 8: ¥39, ¥129, ¥198.
		y := int64(median*g.lognorm(0.5))/10*10 + 9
		if g.chance(0.2) {
			y--
		}
		return y * 100
	},
	event:  chineseFestivals,
	peak:   chinesePeak,
	email:  (*gen).emailZH,
	review: (*gen).reviewTextZH,
}

// springFestival is the first day of the lunar new year; the calendar
// is astronomical, so a table is the honest source. Years outside it get
// no Spring Festival effect.
var springFestival = map[int]time.Time{
	2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
	2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
	2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
	2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// daysFromSpringFestival is t minus that year's festival in days, and
// false for years outside the table.
func daysFromSpringFestival(t time.Time) (int, bool) {
	sf, ok := springFestival[t.Year()]
	if !ok {
		return 0, false
	}
	return int(t.Sub(sf).Hours() / 24), true
}

// chineseFestivals: Singles' Day (11.11) and its pre-sales, 618, Double
// 12, and the Spring Festival week when couriers stop.
func chineseFestivals(t time.Time) float64 {
	_, m, day := t.Date()
	if d, ok := daysFromSpringFestival(t); ok && d >= -1 && d <= 6 {
		return 0.3
	}
	switch {
	case m == time.November && day == 11:
		return 3.0
	case m == time.November && day == 10, m == time.November && day == 1:
		return 1.5 // eve and the first pre-sale payment day
	case m == time.June && day == 18:
		return 2.2
	case m == time.December && day == 12:
		return 1.8
	}
	return 1
}

// chinesePeak: parcels pile up after Singles' Day and stop over the
// Spring Festival.
func chinesePeak(t time.Time) bool {
	if d, ok := daysFromSpringFestival(t); ok && d >= -7 && d <= 7 {
		return true
	}
	return t.Month() == time.November && t.Day() >= 10 && t.Day() <= 25
}
