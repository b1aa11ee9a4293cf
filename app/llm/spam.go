package llm

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Spam is the spam-trigger check of a text: the higher the score, the more
// likely spam filters (and readers) are to reject it.
type Spam struct {
	Score    int      `json:"score"`
	Level    string   `json:"level"` // "low", "medium" or "high"
	Triggers []string `json:"triggers,omitempty"`
}

// Spam score thresholds: from SpamMedium a variant gets a warning, from
// SpamHigh it should not be sent as is.
const (
	SpamMedium = 3
	SpamHigh   = 6
)

type trigger struct {
	re     *regexp.Regexp
	weight int
}

// spamPhrases are common spam-filter trigger phrases, matched as whole
// words, case-insensitively.
var spamPhrases = map[string]int{
	"free money": 4, "100% free": 4, "act now": 3, "cash bonus": 3, "earn money": 3, "make money": 3,
	"double your": 3, "you have been selected": 3, "you've been selected": 3, "winner": 2, "you won": 3,
	"risk-free": 2, "risk free": 2, "no obligation": 2, "guaranteed": 2, "click here": 2, "call now": 2,
	"buy now": 1, "order now": 1, "limited time": 1, "once in a lifetime": 2, "urgent": 2, "no catch": 2,
	"no strings attached": 2, "100% satisfied": 2, "miracle": 2, "lowest price": 2, "best price": 1,
	"cheap": 1, "credit card": 2, "no credit check": 3, "extra income": 3, "work from home": 2,
	"this is not spam": 4, "not junk": 3, "dear friend": 2, "congratulations": 1, "incredible deal": 2,
	"prize": 2, "bargain": 1, "apply now": 2, "what are you waiting for": 2, "don't delete": 3,
}

var spamPatterns = func() []trigger {
	keys := make([]string, 0, len(spamPhrases))
	for k := range spamPhrases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []trigger
	for _, k := range keys {
		out = append(out, trigger{regexp.MustCompile(`(?i)(^|[^\pL\pN])` + regexp.QuoteMeta(k) + `($|[^\pL\pN])`), spamPhrases[k]})
	}
	return out
}()

var (
	bangsRE    = regexp.MustCompile(`!{2,}`)
	moneyRE    = regexp.MustCompile(`[$£€¥]{2,}`)
	questionRE = regexp.MustCompile(`\?{2,}`)
	percentRE  = regexp.MustCompile(`\b(?:100|[5-9]\d)\s?% off\b`)
	wordRE     = regexp.MustCompile(`[\pL\pN']+`)
)

// capsOK are upper-case words that are not shouting.
var capsOK = map[string]bool{
	"SMS": true, "VIP": true, "FAQ": true, "USA": true, "UK": true, "EU": true, "STOP": true, "OK": true,
	"PS": true, "TV": true, "ID": true, "PIN": true, "URL": true, "DIY": true, "XL": true,
	"XXL": true, "USB": true, "GB": true, "CEO": true, "NYC": true, "UTC": true, "GMT": true,
}

// CheckSpam scores a text by the spam triggers it contains: trigger
// phrases ("free money", "act now", "100% free"...), words in ALL CAPS,
// runs of "!!" or "$$", many exclamation marks. Placeholders such as
// {{.first_name}} are ignored.
func CheckSpam(text string) Spam {
	text = fieldRE.ReplaceAllString(text, " ")
	var s Spam
	add := func(w int, what string) {
		s.Score += w
		s.Triggers = append(s.Triggers, what)
	}
	lower := strings.ToLower(text)
	for _, t := range spamPatterns {
		if m := t.re.FindString(lower); m != "" {
			add(t.weight, strings.TrimFunc(m, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '%' }))
		}
	}
	if m := bangsRE.FindString(text); m != "" {
		add(2, m)
	}
	if m := moneyRE.FindString(text); m != "" {
		add(3, m)
	}
	if m := questionRE.FindString(text); m != "" {
		add(1, m)
	}
	if m := percentRE.FindString(lower); m != "" {
		add(1, m)
	}
	if n := strings.Count(text, "!"); n > 3 {
		add(1, "many exclamation marks")
	}
	caps := 0
	for _, w := range wordRE.FindAllString(text, -1) {
		if isShouting(w) {
			if caps < 3 {
				add(1, w)
			} else {
				s.Score++
			}
			caps++
		}
	}
	switch {
	case s.Score >= SpamHigh:
		s.Level = "high"
	case s.Score >= SpamMedium:
		s.Level = "medium"
	default:
		s.Level = "low"
	}
	return s
}

// isShouting: a word of three or more letters, all upper case, that is
// not a common abbreviation.
func isShouting(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 3 && !capsOK[w]
}
