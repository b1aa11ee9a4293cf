package wechat

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The value rules of category templates, by parameter type (the key
// without its trailing digits: thing3 is a "thing"). Written from the
// table "类目模板消息参数值内容限制说明" in WeChat's template message and
// subscribe message documentation:
//
//	thing             20个以内字符, 可汉字、数字、字母或符号组合
//	number            32位以内数字, 只能数字，可带小数
//	letter            32位以内字母, 只能字母
//	symbol            5位以内符号, 只能符号
//	character_string  32位以内数字、字母或符号
//	time              24小时制时间格式（支持+年月日）, 例如 15:01，或 2019年10月1日 15:01
//	date              年月日格式（支持+24小时制时间）, 例如 2019年10月1日，或 2019年10月1日 15:01
//	amount            1个币种符号+10位以内纯数字，可带小数，结尾可带“元”
//	phone_number      17位以内，数字、符号, 例 +86-0766-66888866
//	car_number        8位以内，第一位与最后一位可为汉字，其余为字母或数字, 例 粤A8Z888挂
//	name              10个以内纯汉字或20个以内纯字母或符号
//	phrase            5个以内纯汉字, 例如 配送中
//
// plus: 符号表示除中文、英文、数字外的常见符号，不能带有换行等控制字符;
// 时间格式支持HH:MM:SS或者HH:MM; 日期为y年m月d日、y年m月、m月d日，或者用
// ‘-’、‘/’、‘.’符号连接; time and date also take a period: two points
// joined by "~".
//
// The fake answers 47003 "argument invalid! data.KEY.value invalid" when
// a value breaks its rule, as WeChat does.

var digitsSuffix = regexp.MustCompile(`[0-9]+$`)

// paramType is a key's type: its name without the trailing digits.
func paramType(key string) string { return digitsSuffix.ReplaceAllString(key, "") }

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// isSymbol: a printable character that is not Chinese, a letter or a digit.
func isSymbol(r rune) bool {
	return unicode.IsPrint(r) && !isHan(r) && !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func all(s string, ok func(rune) bool) bool {
	for _, r := range s {
		if !ok(r) {
			return false
		}
	}
	return true
}

var (
	fakeDate = `(\d{4}年\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2})`
	fakeTime = `([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?`
	timeRE   = regexp.MustCompile(`^(` + fakeDate + `\s*)?` + fakeTime + `$`)
	dateRE   = regexp.MustCompile(`^` + fakeDate + `(\s*` + fakeTime + `)?$`)
	numberRE = regexp.MustCompile(`^\d+(\.\d+)?$`)
	// A currency sign (or none), digits with an optional decimal part,
	// and an optional 元.
	amountRE = regexp.MustCompile(`^([^\d\s.])?(\d{1,10})(\.\d+)?元?$`)
)

// period checks each point of "a~b" with re.
func period(v string, re *regexp.Regexp) bool {
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

// validValue says whether WeChat accepts v for a key of this type. Keys
// of types the table does not list (keyword1, first, const...) only need
// a value without control characters.
func validValue(key, v string) bool {
	if v == "" || strings.ContainsFunc(v, unicode.IsControl) {
		return false
	}
	n := utf8.RuneCountInString(v)
	switch paramType(key) {
	case "thing":
		return n <= 20
	case "number":
		return n <= 32 && numberRE.MatchString(v)
	case "letter":
		return n <= 32 && all(v, isASCIILetter)
	case "symbol":
		return n <= 5 && all(v, isSymbol)
	case "character_string":
		return n <= 32 && all(v, func(r rune) bool { return r < 0x80 && unicode.IsPrint(r) })
	case "time":
		return period(v, timeRE)
	case "date":
		return period(v, dateRE)
	case "amount":
		return amountRE.MatchString(v)
	case "phone_number":
		return n <= 17 && all(v, func(r rune) bool { return isASCIIDigit(r) || (r < 0x80 && isSymbol(r)) })
	case "car_number":
		rs := []rune(v)
		if n > 8 {
			return false
		}
		for i, r := range rs {
			if isASCIILetter(r) || isASCIIDigit(r) || (isHan(r) && (i == 0 || i == len(rs)-1)) {
				continue
			}
			return false
		}
		return true
	case "name":
		if strings.ContainsFunc(v, isHan) {
			return n <= 10
		}
		return n <= 20 && all(v, func(r rune) bool { return isASCIILetter(r) || isSymbol(r) })
	case "phrase":
		return n <= 5 && all(v, isHan)
	}
	return true
}
