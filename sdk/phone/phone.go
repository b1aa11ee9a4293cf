// Package phone puts telephone numbers as customers' exports hold them
// ("138 1234 5678", "0044 20 7946 0018", "(415) 555-2671") into E.164 form
// ("+8613812345678") for SMS providers, which refuse anything else. A
// number without a country code is read in the region a channel is set up
// for. Chinese numbers must be mobiles (1[3-9] and nine more digits): the
// providers deliver SMS to nothing else in China.
package phone

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmpty is returned for a blank number.
var ErrEmpty = errors.New("no phone number")

// Error says why a number cannot be used, in the user's words.
type Error struct {
	Number string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("phone number %q: %s", e.Number, e.Reason) }

// callingCodes are the country calling codes of the regions a number
// without one may be read in (ISO 3166 alpha-2).
var callingCodes = map[string]string{
	"CN": "86", "HK": "852", "MO": "853", "TW": "886", "SG": "65", "MY": "60", "JP": "81", "KR": "82",
	"IN": "91", "TH": "66", "VN": "84", "ID": "62", "PH": "63", "AU": "61", "NZ": "64",
	"US": "1", "CA": "1", "MX": "52", "BR": "55", "AR": "54",
	"GB": "44", "IE": "353", "DE": "49", "FR": "33", "ES": "34", "IT": "39", "NL": "31", "BE": "32",
	"LU": "352", "CH": "41", "AT": "43", "SE": "46", "NO": "47", "DK": "45", "FI": "358", "PL": "48",
	"PT": "351", "CZ": "420", "GR": "30", "TR": "90", "AE": "971", "SA": "966", "IL": "972", "ZA": "27",
}

// keepsZero are regions whose national numbers keep their leading 0 after
// the country code (Italy's landlines); elsewhere a leading 0 is the trunk
// prefix and is dropped.
var keepsZero = map[string]bool{"IT": true}

// CallingCode returns a region's country calling code ("CN" → "86"). A
// region may also be given as its calling code ("+86" or "86").
func CallingCode(region string) (string, bool) {
	r := strings.ToUpper(strings.TrimSpace(region))
	if c, ok := callingCodes[r]; ok {
		return c, true
	}
	r = strings.TrimPrefix(r, "+")
	if r != "" && len(r) <= 3 && digitsOnly(r) && r[0] != '0' {
		return r, true
	}
	return "", false
}

// Regions lists the regions CallingCode knows by name.
func Regions() []string {
	out := make([]string, 0, len(callingCodes))
	for r := range callingCodes {
		out = append(out, r)
	}
	return out
}

// E164 returns raw in E.164 form. International forms ("+44 …", "0044 …")
// are kept; a national number is read in region (a code such as "CN", or
// "+86"); a Chinese number must be a mobile.
func E164(raw, region string) (string, error) {
	s, err := strip(raw)
	if err != nil {
		return "", err
	}
	var full string // country code and national number, digits only
	switch {
	case strings.HasPrefix(s, "+"):
		full = s[1:]
	case strings.HasPrefix(s, "00"):
		full = s[2:]
	default:
		code, ok := CallingCode(region)
		if !ok {
			return "", &Error{raw, "it has no country code and no region is set to read it in"}
		}
		full = national(s, code, strings.ToUpper(strings.TrimSpace(region)))
	}
	if len(full) < 8 || len(full) > 15 {
		return "", &Error{raw, "an international number has 8 to 15 digits with its country code"}
	}
	if full[0] == '0' {
		return "", &Error{raw, "a country code cannot start with 0"}
	}
	if strings.HasPrefix(full, "86") && !chinaMobile(full[2:]) {
		return "", &Error{raw, "not a Chinese mobile number (11 digits starting 13 to 19)"}
	}
	if strings.HasPrefix(full, "1") && len(full) != 11 {
		return "", &Error{raw, "a North American number has 10 digits after +1"}
	}
	return "+" + full, nil
}

// national prefixes a national number with its calling code, after the
// trunk prefix goes; numbers that already start with the code and are
// otherwise too long are taken to include it ("8613812345678").
func national(s, code, region string) string {
	switch {
	case code == "86" && len(s) == 13 && strings.HasPrefix(s, "86"):
		return s
	case code == "1" && len(s) == 11 && s[0] == '1':
		return s
	case code == "1":
		return code + s
	case strings.HasPrefix(s, "0") && !keepsZero[region]:
		return code + strings.TrimLeft(s, "0")
	}
	return code + s
}

// IsChinaMobile says whether an E.164 number is a mainland China mobile.
func IsChinaMobile(e164 string) bool {
	return strings.HasPrefix(e164, "+86") && chinaMobile(e164[3:])
}

func chinaMobile(n string) bool {
	return len(n) == 11 && n[0] == '1' && n[1] >= '3' && n[1] <= '9' && digitsOnly(n)
}

// strip drops the spaces, dashes, dots, slashes and brackets people write
// numbers with; anything else but digits and one leading + is an error.
func strip(raw string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case strings.ContainsRune(" -.()/\u00a0\u3000", r):
		case r >= '０' && r <= '９': // full-width digits, as typed with a Chinese IME
			b.WriteRune('0' + (r - '０'))
		case r == '＋' && i == 0:
			b.WriteRune('+')
		default:
			return "", &Error{raw, fmt.Sprintf("%q is not part of a phone number", r)}
		}
	}
	if b.Len() == 0 || b.String() == "+" {
		return "", ErrEmpty
	}
	return b.String(), nil
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
