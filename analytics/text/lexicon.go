package text

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Lexicon scores English text with a list of word valences (about −4 for
// the most negative words to +4 for the most positive), adjusted by the
// rules of VADER (Hutto & Gilbert, ICWSM 2014): a negation in the three
// words before a sentiment word flips and dampens it ("not good"), a
// booster strengthens it ("very good") and a dampener weakens it ("kind of
// good"), words in capitals among lower-case ones weigh more, and after
// "but" the clause counts more than the one before it. This package ships
// no word list: the lexicon is data, and assets.Lexicon provides one.
//
// The rules and their constants follow VADER's; the implementation is ours
// (it leaves out VADER's idiom lists and emoji descriptions). A Lexicon is
// read-only once built and safe for concurrent use.
type Lexicon struct {
	valence map[string]float64
}

// NewLexicon builds a Lexicon from lower-case tokens and their valences.
func NewLexicon(valence map[string]float64) (*Lexicon, error) {
	if len(valence) == 0 {
		return nil, errors.New("text: empty lexicon")
	}
	l := &Lexicon{valence: make(map[string]float64, len(valence))}
	for w, v := range valence {
		if w == "" || w != strings.ToLower(w) || math.IsNaN(v) || math.Abs(v) > 10 {
			return nil, fmt.Errorf("text: lexicon entry %q = %v: want a lower-case token and a valence within ±10", w, v)
		}
		l.valence[w] = v
	}
	return l, nil
}

// ParseLexicon reads a lexicon in VADER's format: one token per line, a tab,
// its mean valence, and optionally more tab-separated columns, which are
// ignored. Blank lines and lines starting with "#" are skipped. As in
// VADER, a token listed twice keeps its last valence, and tokens with
// capitals (emoticons such as ":D") are dropped, since words are looked up
// in lower case and they would never match.
func ParseLexicon(b []byte) (*Lexicon, error) {
	v := map[string]float64{}
	for n, line := range bytes.Split(b, []byte("\n")) {
		s := strings.TrimRight(string(line), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) < 2 {
			return nil, fmt.Errorf("text: lexicon line %d: want token<TAB>valence", n+1)
		}
		x, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("text: lexicon line %d: %w", n+1, err)
		}
		if f[0] == strings.ToLower(f[0]) {
			v[f[0]] = x
		}
	}
	return NewLexicon(v)
}

// Fingerprint identifies the lexicon's contents: the first 16 hex digits
// of the SHA-256 of its sorted "token<TAB>valence" lines. A model trained
// with a lexicon records it, so it cannot be loaded with another.
func (l *Lexicon) Fingerprint() string {
	ws := make([]string, 0, len(l.valence))
	for w := range l.valence {
		ws = append(ws, w)
	}
	sort.Strings(ws)
	h := sha256.New()
	for _, w := range ws {
		fmt.Fprintf(h, "%s\t%s\n", w, strconv.FormatFloat(l.valence[w], 'g', -1, 64))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Len is the number of tokens in the lexicon.
func (l *Lexicon) Len() int { return len(l.valence) }

// Valence is the listed valence of a lower-case token, and whether it is
// listed.
func (l *Lexicon) Valence(token string) (float64, bool) {
	v, ok := l.valence[token]
	return v, ok
}

// LexScore is what a Lexicon finds in one text.
type LexScore struct {
	// Sum is the sum of the adjusted valences, with VADER's emphasis for
	// exclamation marks; Pos and Neg split it by sign (Neg ≤ 0), before
	// that emphasis.
	Sum, Pos, Neg float64
	// Hits counts the words found in the lexicon.
	Hits int
}

// Compound maps Sum into (−1, 1) as VADER does: Sum/√(Sum²+15).
func (s LexScore) Compound() float64 { return s.Sum / math.Sqrt(s.Sum*s.Sum+15) }

// VADER's constants.
const (
	lexBoost     = 0.293 // a booster's or dampener's change
	lexCaps      = 0.733 // a word in capitals among lower-case words
	lexNegate    = -0.74 // the factor of a negated word
	lexNeverSo   = 1.25  // "never so good"
	lexButBefore = 0.5   // words before "but"
	lexButAfter  = 1.5   // words after it
	lexExclaim   = 0.292 // per "!", at most lexMaxExclaim of them
	lexMaxExcl   = 4
	lexQuestion  = 0.18 // per "?" when there are 2 or 3; 0.96 for more
	lexMaxQuest  = 0.96
)

// Score finds the sentiment words of s and adds up their adjusted valences.
func (l *Lexicon) Score(s string) LexScore {
	words := lexWords(s, l.valence)
	lower := make([]string, len(words))
	upper, mixed := 0, 0
	for i, w := range words {
		lower[i] = strings.ToLower(w)
		if isAllCaps(w) {
			upper++
		} else {
			mixed++
		}
	}
	capDiff := upper > 0 && mixed > 0
	vals := make([]float64, len(words))
	var out LexScore
	for i, w := range lower {
		v, ok := l.valence[w]
		if !ok || lexBoosters[w] != 0 || w == "kind" && i+1 < len(lower) && lower[i+1] == "of" {
			continue
		}
		out.Hits++
		if w == "no" && i+1 < len(lower) {
			if _, next := l.valence[lower[i+1]]; next {
				v = 0 // "no" before a sentiment word only negates it
			}
		}
		if i > 0 && lower[i-1] == "no" || i > 1 && lower[i-2] == "no" ||
			i > 2 && lower[i-3] == "no" && (lower[i-1] == "or" || lower[i-1] == "nor") {
			v *= lexNegate
		}
		if capDiff && isAllCaps(words[i]) {
			v += math.Copysign(lexCaps, v)
		}
		for k := 1; k <= 3 && i-k >= 0; k++ {
			p := lower[i-k]
			if _, listed := l.valence[p]; listed && lexBoosters[p] == 0 {
				continue
			}
			if b := lexBoosters[p]; b != 0 && v != 0 {
				b = math.Copysign(1, v) * b
				if capDiff && isAllCaps(words[i-k]) {
					b += math.Copysign(lexCaps, v)
				}
				v += b * []float64{1, 0.95, 0.9}[k-1]
			}
			switch {
			case k > 1 && lower[i-k] == "never" && (lower[i-k+1] == "so" || lower[i-k+1] == "this" || lower[i-1] == "so" || lower[i-1] == "this"):
				v *= lexNeverSo
			case k > 1 && lower[i-k] == "without" && (lower[i-k+1] == "doubt" || lower[i-1] == "doubt"):
			case isNegation(p):
				v *= lexNegate
			}
		}
		if i > 0 && lower[i-1] == "least" {
			if i == 1 || lower[i-2] != "at" && lower[i-2] != "very" {
				v *= lexNegate
			}
		}
		vals[i] = v
	}
	for i, w := range lower {
		if w == "but" {
			for j := range vals {
				if j < i {
					vals[j] *= lexButBefore
				} else if j > i {
					vals[j] *= lexButAfter
				}
			}
			break
		}
	}
	for _, v := range vals {
		out.Sum += v
		if v > 0 {
			out.Pos += v
		} else {
			out.Neg += v
		}
	}
	if out.Sum != 0 {
		out.Sum += math.Copysign(punctEmphasis(s), out.Sum)
	}
	return out
}

// punctEmphasis is VADER's boost for exclamation and question marks.
func punctEmphasis(s string) float64 {
	e := float64(min(strings.Count(s, "!"), lexMaxExcl)) * lexExclaim
	switch q := strings.Count(s, "?"); {
	case q > 3:
		e += lexMaxQuest
	case q > 1:
		e += float64(q) * lexQuestion
	}
	return e
}

// lexWords splits s into words for the lexicon, keeping their case: a
// whitespace-separated piece that is listed as it is (an emoticon such as
// ":)") stays whole; other pieces are cut into runs of letters and digits,
// with an apostrophe between letters kept ("don't") and ’ read as '.
func lexWords(s string, valence map[string]float64) []string {
	var out []string
	for _, piece := range strings.Fields(strings.ReplaceAll(s, "’", "'")) {
		if _, ok := valence[strings.ToLower(piece)]; ok && !isWordy(piece) {
			out = append(out, piece)
			continue
		}
		rs := []rune(piece)
		for i := 0; i < len(rs); {
			if !isWord(rs[i]) {
				i++
				continue
			}
			j := i
			for j < len(rs) && (isWord(rs[j]) || rs[j] == '\'' && j+1 < len(rs) && unicode.IsLetter(rs[j-1]) && unicode.IsLetter(rs[j+1])) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		}
	}
	return out
}

// isWordy reports whether piece is letters only, so a listed word with
// punctuation attached ("good!") is cut like any other piece.
func isWordy(piece string) bool {
	for _, r := range piece {
		if !unicode.IsLetter(r) && r != '\'' {
			return false
		}
	}
	return true
}

func isAllCaps(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters > 0
}

// isNegation reports a negating word: VADER's list, and any word with n't.
func isNegation(w string) bool { return lexNegations[w] || strings.Contains(w, "n't") }

var lexNegations = setOf("aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"neednt", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"without", "wont", "wouldnt", "rarely", "seldom", "despite")

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// lexBoosters are VADER's intensifiers (+) and dampeners (−).
var lexBoosters = func() map[string]float64 {
	m := map[string]float64{}
	for _, w := range strings.Fields(`absolutely amazingly awfully completely considerable considerably
		decidedly deeply effing enormous enormously entirely especially exceptional exceptionally
		extreme extremely fabulously flipping flippin frackin fracking fricking frickin frigging
		friggin fully fuckin fucking fuggin fugging greatly hella highly hugely incredible
		incredibly intensely major majorly more most particularly purely quite really remarkably
		so substantially thoroughly total totally tremendous tremendously uber unbelievably
		unusually utter utterly very`) {
		m[w] = lexBoost
	}
	for _, w := range strings.Fields(`almost barely hardly kinda kindof less little marginal
		marginally occasional occasionally partly scarce scarcely slight slightly somewhat
		sorta sortof`) {
		m[w] = -lexBoost
	}
	return m
}()
