package text

import (
	"strings"
	"unicode"
)

// Tokenizer splits text into lower-case tokens. The zero value yields
// unigrams and keeps stop words.
//
// Words are runs of letters, digits and combining marks; an apostrophe
// (' or ’) between two letters stays inside the word ("don't"), so negations
// survive for sentiment. Han characters have no spaces between words: with
// a Segmenter each run of Han is cut into dictionary words; without one it
// is emitted as single characters plus character bigrams, which captures
// most two-character words without a dictionary.
type Tokenizer struct {
	// Stop drops English and Chinese stop words.
	Stop bool
	// NGram is the largest word n-gram (values below 1 mean 1). N-grams join
	// words with a space. Without Words they never span a Han run.
	NGram int
	// Words cuts Han runs into words with Seg; n-grams then join Chinese
	// words too ("不 好"). It is saved with a model, so that loading one
	// knows to ask for a segmenter; Seg itself is not saved.
	Words bool `json:",omitempty"`
	// Seg cuts Han runs when Words is set. Tokens falls back to characters
	// and pairs when it is nil, so loaders must supply it (see Unmarshal).
	Seg Segmenter `json:"-"`
}

// Segmenter cuts a run of Han characters into words. This package ships
// none, because a dictionary is data to load: assets.Segmenter provides one.
// Cut must return words whose concatenation is the run, and be safe for
// concurrent use.
type Segmenter interface {
	Cut(run string) []string
}

// Tokens returns the tokens of s: unigrams in order, then longer n-grams.
func (t Tokenizer) Tokens(s string) []string {
	rs := []rune(strings.ToLower(s))
	var out []string
	var seg []string   // words since the last Han run, for n-grams
	var grams []string // n-grams, appended after the unigrams
	flush := func() {
		grams = append(grams, ngrams(seg, t.NGram)...)
		seg = seg[:0]
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.Is(unicode.Han, r):
			j := i
			for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
				j++
			}
			if t.Words && t.Seg != nil {
				for _, w := range t.Seg.Cut(string(rs[i:j])) {
					if w != "" && (!t.Stop || !stopZH[w]) {
						out = append(out, w)
						seg = append(seg, w)
					}
				}
			} else {
				flush()
				out = t.han(out, rs[i:j])
			}
			i = j
		case isWord(r):
			var b strings.Builder
			j := i
			for j < len(rs) {
				c := rs[j]
				if isWord(c) && !unicode.Is(unicode.Han, c) {
					b.WriteRune(c)
					j++
					continue
				}
				if isApos(c) && j+1 < len(rs) && unicode.IsLetter(rs[j-1]) &&
					unicode.IsLetter(rs[j+1]) && !unicode.Is(unicode.Han, rs[j+1]) {
					b.WriteByte('\'')
					j++
					continue
				}
				break
			}
			w := b.String()
			if !t.Stop || !stopEN[w] {
				out = append(out, w)
				seg = append(seg, w)
			}
			i = j
		default:
			i++
		}
	}
	flush()
	return append(out, grams...)
}

// han appends the characters and bigrams of one Han run.
func (t Tokenizer) han(out []string, run []rune) []string {
	for k, r := range run {
		if c := string(r); !t.Stop || !stopZH[c] {
			out = append(out, c)
		}
		if k+1 < len(run) {
			if b := string(run[k : k+2]); !t.Stop || !stopZH[b] {
				out = append(out, b)
			}
		}
	}
	return out
}

// ngrams returns the 2..n-grams of ws.
func ngrams(ws []string, n int) []string {
	var out []string
	for k := 2; k <= n; k++ {
		for i := 0; i+k <= len(ws); i++ {
			out = append(out, strings.Join(ws[i:i+k], " "))
		}
	}
	return out
}

func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApos(r rune) bool { return r == '\'' || r == '’' }
