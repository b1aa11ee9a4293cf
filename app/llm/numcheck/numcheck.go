// Package numcheck finds the numbers in a text written by a language model
// and checks each against the facts the text was written from, so an
// explanation can never pass on a number the app did not compute. It
// reads the ways writers put numbers in English and Chinese: 1,234,
// 12.5%, 3.4K, $1,200, 1.2万, 3亿, 百分之十二, 2.3 percentage points, 2.3个百分点,
// and accepts the roundings and percent conversions a writer would use.
package numcheck

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Fact is one number the app computed, with what it means in words.
type Fact struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	// Share says Value is a proportion (0.123 = 12.3%): a writer may give
	// it as a percentage.
	Share bool `json:"share,omitempty"`
}

// Number is one number found in a text.
type Number struct {
	Text  string  `json:"text"`
	Value float64 `json:"value"`
	// Percent: written as a percentage or in percentage points, so Value
	// is in hundredths.
	Percent bool `json:"percent,omitempty"`
	// Start and End are its byte offsets in the text.
	Start int `json:"-"`
	End   int `json:"-"`
	// Fact is the name of the fact it matches, "" when none does.
	Fact string `json:"fact,omitempty"`
	// precision is the place value of its last written digit.
	precision float64
}

// Verified says whether the number matched a fact.
func (n Number) Verified() bool { return n.Fact != "" }

// Mark is what Marked puts after a number no fact backs.
const Mark = "⚠"

var (
	// num: an optional currency sign, a sign, digits with or without
	// thousands separators, decimals, and a scale or percent suffix.
	numRE = regexp.MustCompile(`(?i)(百分之)?([$€£¥]|RMB\s?|US\$)?([-+−]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(%|‰|万亿|亿|万|千|k\b|m\b|b\b|thousand\b|million\b|billion\b|percentage points?\b|percent\b|pp\b|points?\b|个百分点|百分点)?`)
	// zhPercentRE: 百分之 with Chinese numerals.
	zhPercentRE = regexp.MustCompile(`百分之([零〇一二两三四五六七八九十百点]+)`)
	// skipRE: dates and times are not facts to check.
	skipRE = regexp.MustCompile(`\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月(\d{1,2}日)?|\d{1,2}:\d{2}`)
)

var scale = map[string]float64{"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "k": 1e3, "thousand": 1e3,
	"m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}

// normalise turns full-width digits and signs into ASCII.
func normalise(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return '0' + (r - '０')
	case r == '．':
		return '.'
	case r == '，':
		return '，' // a Chinese comma separates clauses, not thousands
	case r == '％':
		return '%'
	case r == '＄':
		return '$'
	case r == '￥':
		return '¥'
	}
	return r
}

// Extract finds every number in text, leaving out dates, times and the
// digits inside names (ignore: segment, variant and category names the
// text may quote, like "VIP 2024").
func Extract(text string, ignore ...string) []Number {
	// Work on a copy where skipped spans are blanked byte for byte, so
	// offsets still point into text.
	work := []byte(text)
	blank := func(a, b int) {
		for i := a; i < b; i++ {
			work[i] = ' '
		}
	}
	for _, m := range skipRE.FindAllStringIndex(text, -1) {
		blank(m[0], m[1])
	}
	for _, name := range ignore {
		if name == "" || !strings.ContainsAny(name, "0123456789") {
			continue
		}
		for off := 0; ; {
			i := strings.Index(string(work[off:]), name)
			if i < 0 {
				break
			}
			blank(off+i, off+i+len(name))
			off += i + len(name)
		}
	}
	// s is work with full-width forms made ASCII; at[i] is where byte i of
	// s came from in text.
	var b strings.Builder
	var at []int
	for i, r := range string(work) {
		n := normalise(r)
		w := len(string(n))
		b.WriteRune(n)
		for k := 0; k < w; k++ {
			at = append(at, i)
		}
	}
	s := b.String()
	at = append(at, len(text))
	// span maps a match in s back to text: the end is where the next byte
	// of s came from.
	span := func(a, z int) (int, int) { return at[a], at[z] }

	var out []Number
	for _, m := range numRE.FindAllStringSubmatchIndex(s, -1) {
		start, end := m[0], m[1]
		// A digit run glued to letters ("A1", "x2") is a name, not a number.
		if start > 0 && isWordByte(s[start-1]) {
			continue
		}
		whole := strings.ReplaceAll(s[m[8]:m[9]], ",", "")
		frac := ""
		if m[10] >= 0 {
			frac = s[m[10]:m[11]]
		}
		v, err := strconv.ParseFloat(whole+frac, 64)
		if err != nil {
			continue
		}
		prec := 1.0
		if frac != "" {
			prec = math.Pow(10, -float64(len(frac)-1))
		} else {
			for t := whole; len(t) > 1 && strings.HasSuffix(t, "0"); t = t[:len(t)-1] {
				prec *= 10
			}
		}
		n := Number{Value: v, precision: prec}
		if sign := s[m[6]:m[7]]; sign == "-" || sign == "−" {
			n.Value = -v
		}
		suffix := ""
		if m[12] >= 0 {
			suffix = strings.ToLower(s[m[12]:m[13]])
		}
		switch {
		case m[2] >= 0 || suffix == "%" || strings.Contains(suffix, "point") || suffix == "percent" || suffix == "pp" || strings.Contains(suffix, "百分点"):
			n.Percent = true
		case suffix == "‰":
			n.Value, n.precision = n.Value/10, n.precision/10
			n.Percent = true
		case scale[suffix] > 0:
			n.Value *= scale[suffix]
			n.precision *= scale[suffix]
		}
		end = start + len(strings.TrimRight(s[start:end], " "))
		n.Start, n.End = span(start, end)
		n.Text = text[n.Start:n.End]
		out = append(out, n)
	}
	for _, m := range zhPercentRE.FindAllStringSubmatchIndex(s, -1) {
		v, prec, ok := chineseNumber(s[m[2]:m[3]])
		if !ok {
			continue
		}
		a, z := span(m[0], m[1])
		out = append(out, Number{Text: text[a:z], Value: v, Percent: true, Start: a, End: z, precision: prec})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

var zhDigit = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseNumber reads a Chinese numeral below a thousand, with decimals
// after 点: 十二 = 12, 三十 = 30, 一百 = 100, 十二点五 = 12.5.
func chineseNumber(s string) (v, precision float64, ok bool) {
	whole, frac, hasFrac := strings.Cut(s, "点")
	var total, cur int
	seen := false
	for _, r := range whole {
		switch {
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur, seen = 0, true
		case r == '百':
			total += cur * 100
			cur, seen = 0, true
		default:
			d, isDigit := zhDigit[r]
			if !isDigit {
				return 0, 0, false
			}
			cur, seen = cur*10+d, true
		}
	}
	if !seen {
		return 0, 0, false
	}
	v, precision = float64(total+cur), 1
	if hasFrac {
		for _, r := range frac {
			d, isDigit := zhDigit[r]
			if !isDigit {
				return 0, 0, false
			}
			precision /= 10
			v += float64(d) * precision
		}
	}
	return v, precision, true
}

// Check finds the numbers of text and matches each against facts.
// ignore are names the text may quote (see Extract).
func Check(text string, facts []Fact, ignore ...string) []Number {
	nums := Extract(text, ignore...)
	for i := range nums {
		nums[i].Fact = match(nums[i], facts)
	}
	return nums
}

// Unverified are the numbers no fact backs.
func Unverified(nums []Number) []Number {
	var out []Number
	for _, n := range nums {
		if !n.Verified() {
			out = append(out, n)
		}
	}
	return out
}

// Marked returns text with Mark after every number no fact backs.
func Marked(text string, nums []Number) string {
	var b strings.Builder
	last := 0
	for _, n := range nums {
		if n.Verified() || n.Start < last {
			continue
		}
		b.WriteString(text[last:n.End])
		b.WriteString(Mark)
		last = n.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// match is the name of the first fact n can be a rounding of.
func match(n Number, facts []Fact) string {
	for _, f := range facts {
		if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
			continue
		}
		v := math.Abs(f.Value)
		x, p := math.Abs(n.Value), n.precision
		if n.Percent {
			// 12.3% of a share 0.123; "12.3" for a fact already in percent.
			if f.Share && rounds(v, x/100, p/100) {
				return f.Name
			}
			if !f.Share && rounds(v, x, p) {
				return f.Name
			}
			continue
		}
		if rounds(v, x, p) || f.Share && rounds(v*100, x, p) && x > 1 {
			// A share written as a bare "12.3" (of a hundred) is accepted
			// only above 1, where it cannot be the share itself.
			return f.Name
		}
	}
	return ""
}

// rounds says whether written (with precision p, the place value of its
// last digit) is value rounded to that place. Trailing zeros of a whole
// number ("12,000") round more coarsely, but never by more than 5%, so a
// "10" is not a rounding of 14. Writers truncate too ("12%" for 12.8%).
func rounds(value, written, p float64) bool {
	const eps = 1e-9
	d := math.Abs(value - written)
	if p >= 10 {
		return d <= p/2+eps*p && d <= 0.05*math.Abs(value)+eps
	}
	truncated := written <= value+eps*p && value < written+p*(1-eps)
	return d <= p/2+eps*p || truncated
}
