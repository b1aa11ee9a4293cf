package text

import "unicode"

// HanShare is the share of Han characters among the letters of s (Han
// counts as letters; digits, spaces and punctuation do not), or 0 for text
// without letters.
func HanShare(s string) float64 {
	var han, letters int
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			han++
			letters++
		} else if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return 0
	}
	return float64(han) / float64(letters)
}

// ChineseShare is the HanShare from which IsChinese calls a text Chinese.
// One Han character is about one English word of four or five letters, so
// a review that is mostly Chinese with a brand name or two ("iPhone手机很好用",
// 5 of 11 letters) still counts, while English with one Chinese name does
// not.
const ChineseShare = 0.2

// IsChinese reports whether s reads as Chinese: HanShare(s) ≥ ChineseShare.
func IsChinese(s string) bool { return HanShare(s) >= ChineseShare }

// Bilingual scores each text with the Chinese model when IsChinese and the
// English one otherwise, so a column mixing both languages is scored
// text by text.
type Bilingual struct {
	EN, ZH *Model
}

// Score returns P(positive) from the model for the text's language, that
// language ("zh" or "en"), and whether the model knew any of its terms.
func (b Bilingual) Score(s string) (p float64, lang string, known bool) {
	if IsChinese(s) {
		p, known = b.ZH.ScoreKnown(s)
		return p, "zh", known
	}
	p, known = b.EN.ScoreKnown(s)
	return p, "en", known
}
