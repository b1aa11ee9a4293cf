package main

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// param is one template parameter: data.KEY.value.
type param struct{ key, value string }

var keyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseParams reads the variant's rendered text: one "key: value" per line
// ("key=value" and the full-width "key：value" too); blank lines are
// skipped. The first separator ends the key, so values may hold colons
// ("time2: 15:01").
func parseParams(text string) ([]param, error) {
	var ps []param
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cut := strings.IndexAny(line, ":=：")
		if cut < 0 {
			return nil, fmt.Errorf("line %d is not \"key: value\"", i+1)
		}
		_, size := utf8.DecodeRuneInString(line[cut:])
		key, value := strings.TrimSpace(line[:cut]), strings.TrimSpace(line[cut+size:])
		switch {
		case !keyRE.MatchString(key):
			return nil, fmt.Errorf("line %d: %q is not a template key like thing1", i+1, key)
		case seen[key]:
			return nil, fmt.Errorf("%s is given twice", key)
		}
		seen[key] = true
		ps = append(ps, param{key, value})
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("the message has no template parameters (one \"key: value\" per line)")
	}
	return ps, nil
}

// templateKeys reads the template_keys setting: keys separated by commas
// (or spaces).
func templateKeys(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || unicode.IsSpace(r) })
}

// WeChat's limits on parameter values by type (the key without its
// trailing digits), from the documented table of category template
// parameters (类目模板消息参数值内容限制说明). A value breaking one is
// refused with 47003 "argument invalid! data.KEY.value invalid".
var (
	trailingDigits = regexp.MustCompile(`\d+$`)
	datePart       = `(\d{4}年\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?|\d{1,2}[-/.]\d{1,2})`
	timePart       = `([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?`
	timeValue      = regexp.MustCompile(`^(` + datePart + `\s*)?` + timePart + `$`)
	dateValue      = regexp.MustCompile(`^` + datePart + `(\s*` + timePart + `)?$`)
	numberValue    = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	amountValue    = regexp.MustCompile(`^[^0-9\s.]?[0-9]{1,10}(\.[0-9]+)?元?$`)
)

func han(r rune) bool    { return unicode.Is(unicode.Han, r) }
func letter(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }
func digit(r rune) bool  { return r >= '0' && r <= '9' }
func symbol(r rune) bool {
	return unicode.IsPrint(r) && !han(r) && !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
func ascii(r rune) bool    { return r >= 0x20 && r < 0x7f }
func asciiSym(r rune) bool { return ascii(r) && symbol(r) }

func only(s string, ok func(rune) bool) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !ok(r) })
}

// periodOf checks a value that may be one point or two joined by "~".
func periodOf(v string, re *regexp.Regexp) bool {
	parts := strings.Split(v, "~")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if !re.MatchString(strings.TrimSpace(p)) {
			return false
		}
	}
	return true
}

// valueProblem says what WeChat will refuse about a parameter's value, in
// the same words for the same problem, or "".
func valueProblem(key, v string) string {
	if v == "" {
		return key + " is empty"
	}
	if strings.ContainsFunc(v, unicode.IsControl) {
		return key + " contains a control character"
	}
	n := utf8.RuneCountInString(v)
	switch trailingDigits.ReplaceAllString(key, "") {
	case "thing":
		if n > 20 {
			return key + " is longer than 20 characters"
		}
	case "number":
		if n > 32 || !numberValue.MatchString(v) {
			return key + " must be a number of at most 32 digits"
		}
	case "letter":
		if n > 32 || !only(v, letter) {
			return key + " must be at most 32 letters (A-Z)"
		}
	case "symbol":
		if n > 5 || !only(v, symbol) {
			return key + " must be at most 5 symbols"
		}
	case "character_string":
		if n > 32 || !only(v, ascii) {
			return key + " must be at most 32 letters, digits or symbols, no Chinese"
		}
	case "time":
		if !periodOf(v, timeValue) {
			return key + " must be a time such as 15:01 or 2026-12-31 15:01"
		}
	case "date":
		if !periodOf(v, dateValue) {
			return key + " must be a date such as 2026-12-31 or 2026年12月31日"
		}
	case "amount":
		if !amountValue.MatchString(v) {
			return key + " must be an amount such as ¥39.80 or 39.8元"
		}
	case "phone_number":
		if n > 17 || !only(v, func(r rune) bool { return digit(r) || asciiSym(r) }) {
			return key + " must be a phone number of at most 17 digits and symbols"
		}
	case "car_number":
		rs := []rune(v)
		for i, r := range rs {
			if !(letter(r) || digit(r) || (han(r) && (i == 0 || i == len(rs)-1))) || n > 8 {
				return key + " must be a plate number such as 粤A8Z888挂"
			}
		}
	case "name":
		if strings.ContainsFunc(v, han) {
			if n > 10 {
				return key + " is longer than 10 Chinese characters"
			}
		} else if n > 20 || !only(v, func(r rune) bool { return letter(r) || symbol(r) }) {
			return key + " must be at most 10 Chinese characters or 20 letters"
		}
	case "phrase":
		if n > 5 || !only(v, han) {
			return key + " must be at most 5 Chinese characters"
		}
	}
	return ""
}
