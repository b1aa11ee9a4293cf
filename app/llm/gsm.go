package llm

import (
	"strings"
	"unicode/utf16"
)

// Single-message SMS limits and the per-part limits of a multipart SMS
// (the rest of each part is the concatenation header).
const (
	GSMLimit     = 160
	UCS2Limit    = 70
	GSMPartLimit = 153
	UCSPartLimit = 67
)

// SMS encodings.
const (
	GSM7 = "GSM-7"
	UCS2 = "UCS-2"
)

// gsmBasic is the GSM 03.38 default alphabet (without the escape code
// 0x1B), each character one septet.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension are the characters of the extension table: an escape plus
// the character, so each counts as two septets.
const gsmExtension = "\f^{}\\[~]|€"

var gsmBasicSet, gsmExtSet = runeSet(gsmBasic), runeSet(gsmExtension)

func runeSet(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}

// SMSLength is how an SMS text is encoded and how long it is.
type SMSLength struct {
	// Encoding is GSM-7 when every character is in the GSM alphabet
	// (basic or extension), else UCS-2.
	Encoding string `json:"encoding"`
	// Units are septets for GSM-7 (extension characters count 2) or UTF-16
	// code units for UCS-2 (an emoji counts 2).
	Units int `json:"units"`
	// Limit is the single-message limit for the encoding: 160 or 70.
	Limit int `json:"limit"`
	// Parts is how many messages the text is sent as.
	Parts int `json:"parts"`
	// NotGSM lists the characters that force UCS-2, each once.
	NotGSM []string `json:"not_gsm,omitempty"`
}

// Fits says whether the text goes in one message.
func (l SMSLength) Fits() bool { return l.Units <= l.Limit }

// IsGSM says whether every character of s is in the GSM-7 alphabet.
func IsGSM(s string) bool {
	for _, r := range s {
		if !gsmBasicSet[r] && !gsmExtSet[r] {
			return false
		}
	}
	return true
}

// MeasureSMS measures an SMS text.
func MeasureSMS(s string) SMSLength {
	l := SMSLength{Encoding: GSM7, Limit: GSMLimit}
	seen := map[rune]bool{}
	for _, r := range s {
		switch {
		case gsmBasicSet[r]:
			l.Units++
		case gsmExtSet[r]:
			l.Units += 2
		default:
			if !seen[r] {
				seen[r] = true
				l.NotGSM = append(l.NotGSM, string(r))
			}
		}
	}
	part := GSMPartLimit
	if len(l.NotGSM) > 0 {
		l.Encoding, l.Limit, part = UCS2, UCS2Limit, UCSPartLimit
		l.Units = len(utf16.Encode([]rune(s)))
	}
	l.Parts = 1
	if l.Units > l.Limit {
		l.Parts = (l.Units + part - 1) / part
	}
	return l
}

// gsmFriendly replaces typographic characters language models like to
// write with their GSM-7 equivalents, so one curly apostrophe does not
// halve an SMS to 70 characters.
var gsmFriendly = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u201B", "'",
	"\u201C", `"`, "\u201D", `"`, "\u201E", `"`,
	"\u2013", "-", "\u2014", "-", "\u2212", "-",
	"\u2026", "...", "\u00A0", " ", "\u2009", " ", "\u202F", " ",
	"\t", " ",
)
