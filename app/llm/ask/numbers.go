package ask

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// numberRE finds numbers as people write them: 1,234.5  -3  12.5%  1.2万
// ¥3,000. Digits inside words (a product code "A12") are skipped by the
// caller's boundary check.
var numberRE = regexp.MustCompile(`-?\d[\d,，]*(?:\.\d+)?\s*(?:%|％|万|亿|k\b|K\b|m\b|M\b|million|thousand)?`)

// Number is a number found in text: what was written and its value.
type Number struct {
	Text    string
	Value   float64
	Percent bool
	// Decimals written, for rounding; a scaled number (1.2万) is as exact
	// as its last written digit.
	Unit float64
}

// Numbers finds the numbers in text, skipping digits glued to letters
// (codes like "C000123" or "Q3" are not claims).
func Numbers(text string) []Number {
	var out []Number
	for _, loc := range numberRE.FindAllStringIndex(text, -1) {
		if loc[0] > 0 {
			prev := text[loc[0]-1]
			if prev >= 'A' && prev <= 'Z' || prev >= 'a' && prev <= 'z' || prev == '_' || prev == '.' {
				continue
			}
		}
		raw := strings.TrimSpace(text[loc[0]:loc[1]])
		if n, ok := parseNumber(raw); ok {
			out = append(out, n)
		}
	}
	return out
}

func parseNumber(raw string) (Number, bool) {
	n := Number{Text: raw}
	s := strings.NewReplacer(",", "", "，", "", " ", "").Replace(raw)
	scale := 1.0
	for _, suf := range []struct {
		s string
		f float64
	}{{"%", 0}, {"％", 0}, {"万", 1e4}, {"亿", 1e8}, {"million", 1e6}, {"thousand", 1e3}, {"k", 1e3}, {"K", 1e3}, {"m", 1e6}, {"M", 1e6}} {
		if strings.HasSuffix(s, suf.s) {
			s = strings.TrimSuffix(s, suf.s)
			if suf.f == 0 {
				n.Percent = true
			} else {
				scale = suf.f
			}
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return n, false
	}
	dec := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		dec = len(s) - i - 1
	}
	n.Value = v * scale
	n.Unit = math.Pow(10, -float64(dec)) * scale
	return n, true
}

// Facts are the numbers an answer may use: every number in the result's
// cells (dates give their parts, so "2026" and "8" of 2026-08-01), the
// row count and the numbers of the question.
type Facts struct {
	values []float64
}

// NewFacts collects the numbers of a result and a question.
func NewFacts(question string, rows [][]string, total int) *Facts {
	f := &Facts{values: []float64{float64(total)}}
	for _, n := range Numbers(question) {
		f.values = append(f.values, n.Value)
	}
	for _, r := range rows {
		for _, cell := range r {
			if v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64); err == nil {
				f.values = append(f.values, v)
				continue
			}
			for _, n := range Numbers(strings.NewReplacer("-", " ", ":", " ", "/", " ").Replace(cell)) {
				f.values = append(f.values, n.Value)
			}
		}
	}
	return f
}

// Has reports whether a number written in words comes from the facts: the
// same value rounded to the digits written (half a unit of the last digit
// either way), a share written as a percentage (0.125 as 12.5%), or a
// percentage the result holds as a number.
func (f *Facts) Has(n Number) bool {
	tol := n.Unit/2 + 1e-9*math.Abs(n.Value)
	for _, v := range f.values {
		if n.Percent {
			if math.Abs(v*100-n.Value) <= tol || math.Abs(v-n.Value) <= tol {
				return true
			}
			continue
		}
		if math.Abs(v-n.Value) <= tol || math.Abs(-v-n.Value) <= tol && n.Value > 0 {
			return true
		}
	}
	return false
}

// Check returns the numbers of words that are not in the facts.
func (f *Facts) Check(words string) []string {
	var out []string
	for _, n := range Numbers(words) {
		if !f.Has(n) {
			out = append(out, n.Text)
		}
	}
	return out
}

// Mark puts a marker after each unverified number of words.
func Mark(words string, unverified []string, marker string) string {
	if len(unverified) == 0 {
		return words
	}
	bad := map[string]bool{}
	for _, u := range unverified {
		bad[u] = true
	}
	var b strings.Builder
	last := 0
	for _, loc := range numberRE.FindAllStringIndex(words, -1) {
		raw := strings.TrimSpace(words[loc[0]:loc[1]])
		if !bad[raw] {
			continue
		}
		end := loc[0] + strings.Index(words[loc[0]:], raw) + len(raw)
		b.WriteString(words[last:end])
		b.WriteString(marker)
		last = end
	}
	b.WriteString(words[last:])
	return b.String()
}
