// Package privacy finds personal data in a project's tables. The detectors
// in this file are pure: they look at one value (or one column name) and
// say which kind of personal data it is, with a confidence; scan.go samples
// the tables and combines the detectors with the columns' roles.
package privacy

import (
	"math/big"
	"net/netip"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/marketbench/marketbench/sdk/phone"
)

// Kind is a kind of personal data.
type Kind string

// The kinds of personal data discovery knows.
const (
	KindEmail      Kind = "email"
	KindPhone      Kind = "phone"
	KindNationalID Kind = "national_id"  // an 18-digit Chinese resident identity number
	KindCard       Kind = "payment_card" // a payment card number
	KindIBAN       Kind = "iban"
	KindIP         Kind = "ip_address"
	KindBirthDate  Kind = "date_of_birth"
	KindAddress    Kind = "postal_address"
	KindName       Kind = "name"
	KindCustomerID Kind = "customer_id" // a customer number: it points at a person
	KindOnlineID   Kind = "online_id"   // a WeChat openid or a device push token
)

// Kinds lists every kind in the order reports show them.
var Kinds = []Kind{KindName, KindEmail, KindPhone, KindNationalID, KindBirthDate, KindAddress, KindCard, KindIBAN, KindIP, KindCustomerID, KindOnlineID}

// Match is one detector's verdict on a value.
type Match struct {
	Kind       Kind
	Confidence float64 // 0..1: how sure the detector is that a matching value is this kind
}

// DetectValue runs every content detector on one value of a column and
// returns what it is. Detectors that need the column's name to be sure
// (dates of birth, IP addresses in a "version" column) use column.
func DetectValue(column, value string, now time.Time) []Match {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil
	}
	var out []Match
	add := func(k Kind, c float64) { out = append(out, Match{k, c}) }
	if IsEmail(v) {
		add(KindEmail, 0.95)
	}
	if _, c, ok := Phone(v); ok {
		add(KindPhone, c)
	}
	if IsChineseID(v) {
		add(KindNationalID, 0.98)
	} else if IsCard(v) { // an ID of Gansu (62…) may pass Luhn too
		add(KindCard, 0.9)
	}
	if IsIBAN(v) {
		add(KindIBAN, 0.98)
	}
	if IsIP(v) && !versionColumn(column) {
		add(KindIP, 0.85)
	}
	if BirthColumn(column) && IsBirthDate(v, now) {
		add(KindBirthDate, 0.9)
	}
	if IsAddress(v) {
		add(KindAddress, 0.75)
	}
	return out
}

var emailRe = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$`)

// IsEmail says whether s is an e-mail address (ASCII local part, a domain
// with a letter top-level part).
func IsEmail(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) > 254 || !emailRe.MatchString(s) {
		return false
	}
	local := s[:strings.LastIndexByte(s, '@')]
	return len(local) <= 64 && !strings.HasPrefix(local, ".") && !strings.HasSuffix(local, ".") && !strings.Contains(local, "..")
}

// naRe is a North American number written the way people write one:
// (415) 555-2671, 415-555-2671, 415.555.2671.
var naRe = regexp.MustCompile(`^(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}$`)

// trunkRe is a national number with its trunk 0 written in groups, as in
// Europe: 06 77 70 72 42 (France, frRe), 07651 578890 (Britain).
var (
	trunkRe = regexp.MustCompile(`^0\d{1,4}(?:[ -]\d{2,8}){1,4}$`)
	frRe    = regexp.MustCompile(`^0\d(?:[ .]\d\d){4}$`)
)

// Phone says whether s is a telephone number and returns it in E.164 form
// with the confidence. International numbers (+44 …, 0044 …) are read as
// they are; a national number is read in a guessed region: China for an
// 11-digit mobile (1[3-9]…), North America for (415) 555-2671, France or
// Britain for a trunk 0 and groups (06 77 70 72 42, 07651 578890). Other bare
// digit strings are not taken for numbers: order ids, prices and dates
// would be.
func Phone(s string) (e164 string, confidence float64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, false
	}
	switch {
	case strings.HasPrefix(s, "+"), strings.HasPrefix(s, "＋"), strings.HasPrefix(s, "00") && len(digits(s)) >= 10:
		if e, err := phone.E164(s, ""); err == nil {
			return e, 0.85, true
		}
	case naRe.MatchString(s):
		if e, err := phone.E164(s, "US"); err == nil {
			return e, 0.7, true
		}
	case trunkRe.MatchString(s) && len(digits(s)) >= 10 && len(digits(s)) <= 11, frRe.MatchString(s):
		region := "GB" // a guess: only the number's shape tells
		if frRe.MatchString(s) {
			region = "FR"
		}
		if e, err := phone.E164(s, region); err == nil {
			return e, 0.6, true
		}
	default:
		d := digits(s)
		if len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && onlyPhoneChars(s) {
			if e, err := phone.E164(s, "CN"); err == nil && phone.IsChinaMobile(e) {
				return e, 0.85, true
			}
		}
	}
	return "", 0, false
}

func onlyPhoneChars(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) && !strings.ContainsRune(" -", r) {
			return false
		}
	}
	return true
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// chinaAreas are the first two digits of a resident ID: the province.
var chinaAreas = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true, "71": true, "81": true, "82": true, "83": true, "91": true,
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IsChineseID says whether s is an 18-digit resident identity number
// (GB 11643): a province code, a real birth date from 1900 to today, and
// the ISO 7064 MOD 11-2 check character (0-9 or X).
func IsChineseID(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 || !chinaAreas[s[:2]] {
		return false
	}
	sum := 0
	for i := range 17 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * idWeights[i]
	}
	if s[17] != "10X98765432"[sum%11] {
		return false
	}
	born, err := time.Parse("20060102", s[6:14])
	return err == nil && born.Year() >= 1900 && !born.After(time.Now())
}

// IsCard says whether s is a payment card number: 13 to 19 digits (spaces
// or dashes allowed), a Luhn check digit and the prefix and length of a
// known scheme (Visa, Mastercard, American Express, UnionPay, JCB,
// Discover, Diners Club).
func IsCard(s string) bool {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if !(r >= '0' && r <= '9') && r != ' ' && r != '-' {
			return false
		}
	}
	d := digits(s)
	n := len(d)
	if n < 13 || n > 19 || !luhn(d) {
		return false
	}
	p := func(k int) int { // the first k digits as a number
		v := 0
		for i := range k {
			v = v*10 + int(d[i]-'0')
		}
		return v
	}
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p(2) >= 51 && p(2) <= 55, p(4) >= 2221 && p(4) <= 2720: // Mastercard
		return n == 16
	case p(2) == 34 || p(2) == 37: // American Express
		return n == 15
	case p(2) == 62: // UnionPay
		return n >= 16
	case p(4) >= 3528 && p(4) <= 3589: // JCB
		return n >= 16
	case p(4) == 6011, p(2) == 65, p(3) >= 644 && p(3) <= 649: // Discover
		return n >= 16
	case p(3) >= 300 && p(3) <= 305, p(2) == 36, p(2) == 38: // Diners Club
		return n >= 14
	}
	return false
}

func luhn(d string) bool {
	sum := 0
	for i := range len(d) {
		x := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}

// ibanLengths are the IBAN lengths of the countries that use one.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// IsIBAN says whether s is an International Bank Account Number: a known
// country, that country's length and the mod-97 check (ISO 13616). Spaces
// between groups are allowed.
func IsIBAN(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(s) < 15 || ibanLengths[s[:min(2, len(s))]] != len(s) || s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' {
		return false
	}
	var b strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteString(big.NewInt(int64(r - 'A' + 10)).String())
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// IsIP says whether s is an IPv4 or IPv6 address.
func IsIP(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, ".:") {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

func versionColumn(col string) bool {
	n := normName(col)
	return strings.Contains(n, "version") || n == "ver" || strings.Contains(n, "版本")
}

// normName is a column name in lower case without spaces, _, - or dots.
func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if !strings.ContainsRune(" _-.", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// BirthColumn says whether a column's name says it holds dates of birth.
func BirthColumn(col string) bool {
	n := normName(col)
	for _, w := range []string{"dob", "birthday", "birthdate", "dateofbirth", "birth", "born", "生日", "出生日期", "出生年月", "出生年月日", "出生"} {
		if n == w {
			return true
		}
	}
	return strings.Contains(n, "birth") || strings.Contains(n, "出生") || strings.Contains(n, "生日")
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006.01.02", "20060102", "2006-1-2", "2006/1/2", "02/01/2006", "01/02/2006",
	"2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05-07", "2006年1月2日"}

// IsBirthDate says whether s is a date a living person may be born on:
// within the last 120 years and not in the future.
func IsBirthDate(s string, now time.Time) bool {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.After(now.AddDate(-120, 0, 0)) && !t.After(now)
		}
	}
	return false
}

var (
	streetRe = regexp.MustCompile(`(?i)\b\d+[a-z]?,?\s+(?:[\p{L}'.-]+\s+){0,4}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|square|sq|terrace|close|crescent|highway|hwy|strasse|straße|rue)\b\.?`)
	// A Chinese address: a road, street, lane or alley with a house number
	// (中山路100号, 幸福里3弄), or a province/city and a district/county.
	zhStreetRe = regexp.MustCompile(`[\p{Han}]+(?:路|街|道|巷|弄|胡同|大道)\s*\d+\s*(?:号|弄|栋|幢)`)
	zhAreaRe   = regexp.MustCompile(`[\p{Han}]{2,}(?:省|市|自治区)[\p{Han}]{1,}(?:市|区|县|旗)[\p{Han}\d]*(?:路|街|道|巷|镇|乡|村|号|园|苑|小区|大厦|广场)`)
)

// IsAddress says whether s looks like a postal address: a house number and
// a street word (12 Baker Street, 350 Fifth Ave) or a Chinese address
// (北京市朝阳区建国路88号).
func IsAddress(s string) bool {
	s = strings.TrimSpace(s)
	if len([]rune(s)) < 6 {
		return false
	}
	return streetRe.MatchString(s) || zhStreetRe.MatchString(s) || zhAreaRe.MatchString(s)
}

// nameColumns are column names (normalised) that hold people's names.
var nameColumns = []string{"firstname", "givenname", "forename", "lastname", "surname", "familyname", "fullname", "name",
	"customername", "clientname", "contactname", "membername", "username", "recipient", "recipientname", "receiver",
	"姓名", "名字", "姓", "名", "客户姓名", "客户名称", "联系人", "收货人", "收件人", "会员姓名"}

// addressColumns are column names (normalised) that hold postal addresses.
var addressColumns = []string{"address", "addr", "street", "streetaddress", "address1", "address2", "addressline1", "addressline2",
	"shippingaddress", "billingaddress", "homeaddress", "mailingaddress", "postaladdress", "地址", "收货地址", "详细地址", "住址", "家庭住址", "联系地址", "通讯地址", "街道"}

// NameKind says which kind of personal data a column's name alone points
// at: a person's name, a postal address or a date of birth.
func NameKind(col string) (Kind, bool) {
	n := normName(col)
	for _, w := range nameColumns {
		if n == w {
			return KindName, true
		}
	}
	for _, w := range addressColumns {
		if n == w {
			return KindAddress, true
		}
	}
	if BirthColumn(col) {
		return KindBirthDate, true
	}
	return "", false
}
