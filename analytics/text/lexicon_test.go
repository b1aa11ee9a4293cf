package text

import (
	"math"
	"strings"
	"testing"
)

// testLex is a small VADER-format lexicon; the real one is in assets.
const testLex = `good	1.9	0.9	[2, 1]
great	3.1	0.7	[2, 4]
bad	-2.5	0.7	[-3, -2]
terrible	-2.1	0.8	[-2, -2]
love	3.2	0.4	[3, 3]
no	-1.2	0.6	[-1, -1]
:)	2.0	0.5	[2, 2]
:D	2.9	0.5	[3, 3]
ok	1.6	1.4	[0, 0]
ok	1.2	0.4	[1, 1]
`

func mustLex(t *testing.T) *Lexicon {
	t.Helper()
	l, err := ParseLexicon([]byte(testLex))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLexiconRules checks VADER's rules as our scorer applies them.
func TestLexiconRules(t *testing.T) {
	l := mustLex(t)
	if l.Len() != 8 {
		t.Errorf("%d tokens, want 8 (:D has a capital, ok is listed twice)", l.Len())
	}
	if v, _ := l.Valence("ok"); v != 1.2 {
		t.Errorf("ok = %v, want the last listing 1.2", v)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, c := range []struct {
		s    string
		sum  float64
		hits int
	}{
		{"good", 1.9, 1},
		{"not good", 1.9 * lexNegate, 1},
		{"isn't really good", (1.9 + lexBoost) * lexNegate, 1},
		{"very good", 1.9 + lexBoost, 1},
		{"very much good", 1.9 + lexBoost*0.95, 1},
		{"slightly bad", -2.5 + lexBoost, 1},
		{"Don’t love it", 3.2 * lexNegate, 1},
		{"no good", 1.9 * lexNegate, 2}, // "no" itself counts 0 before a listed word
		{"good but terrible", 1.9*lexButBefore - 2.1*lexButAfter, 2},
		{"it is GOOD here", 1.9 + lexCaps, 1},
		{"GOOD", 1.9, 1}, // capitals weigh more only among lower-case words
		{"good!!", 1.9 + 2*lexExclaim, 1},
		{"never so good", (1.9 + lexBoost) * lexNeverSo, 1}, // "so" boosts too
		{"nice :)", 2.0, 1},
		{"good, great.", 1.9 + 3.1, 2},
		{"zzz", 0, 0},
		{"", 0, 0},
	} {
		got := l.Score(c.s)
		if !near(got.Sum, c.sum) || got.Hits != c.hits {
			t.Errorf("Score(%q) = sum %v, %d hits; want %v, %d", c.s, got.Sum, got.Hits, c.sum, c.hits)
		}
	}
	s := l.Score("good but terrible")
	if !near(s.Pos, 1.9*lexButBefore) || !near(s.Neg, -2.1*lexButAfter) {
		t.Errorf("Pos %v, Neg %v", s.Pos, s.Neg)
	}
	if c := (LexScore{Sum: 1}).Compound(); !near(c, 0.25) {
		t.Errorf("Compound(1) = %v, want 1/4", c)
	}
}

func TestLexiconErrorsAndFingerprint(t *testing.T) {
	for _, bad := range []string{"", "good\n", "good\tx\n", "good\t99\n", "# only a comment\n"} {
		if _, err := ParseLexicon([]byte(bad)); err == nil {
			t.Errorf("ParseLexicon(%q) accepted", bad)
		}
	}
	if _, err := NewLexicon(map[string]float64{"Good": 1}); err == nil {
		t.Error("NewLexicon accepted a capital")
	}
	a := mustLex(t)
	b, err := NewLexicon(map[string]float64{"good": 1.9, "great": 3.1, "bad": -2.5, "terrible": -2.1, "love": 3.2, "no": -1.2, ":)": 2, "ok": 1.2})
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint() != b.Fingerprint() || len(a.Fingerprint()) != 16 {
		t.Errorf("fingerprints %s and %s of the same entries", a.Fingerprint(), b.Fingerprint())
	}
	c, _ := NewLexicon(map[string]float64{"good": 2})
	if a.Fingerprint() == c.Fingerprint() {
		t.Error("different lexicons share a fingerprint")
	}
}

// TestSentimentWithLexicon trains with lexicon features on the UCI
// sentences: the model must load only with its lexicon, round-trip
// exactly, and score a sentiment word it never saw in training.
func TestSentimentWithLexicon(t *testing.T) {
	texts, labels := loadSentences(t)
	tr, te := split(labels, 2015)
	lex := mustLex(t)
	m, fit, err := TrainSentimentFit(pick(texts, tr), pick(labels, tr), SentimentOptions{MinDF: 2, Lexicon: lex, LexCs: []float64{0.1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Lin == nil || m.NB != nil || m.Lex == nil || len(m.Lex.W) != NumLexFeatures || len(fit.CVAcc) != 2 || fit.C != 0.1 && fit.C != 1 {
		t.Fatalf("model %+v, fit %+v", m, fit)
	}
	if !(fit.NGramW > 0) || !(m.Lex.W[0]+m.Lex.W[1] > 0) {
		t.Errorf("n-gram weight %v, lexicon weights %v: both should count towards positive", fit.NGramW, m.Lex.W)
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Version":3`) || !strings.Contains(string(b), lex.Fingerprint()) {
		t.Errorf("file lacks version 3 or the fingerprint: %.80s", b)
	}
	if _, err := Unmarshal(b); err == nil || !strings.Contains(err.Error(), "lexicon") {
		t.Errorf("loading without the lexicon: %v", err)
	}
	other, _ := NewLexicon(map[string]float64{"good": 1})
	if _, err := Load(b, LoadOptions{Lex: other}); err == nil || !strings.Contains(err.Error(), "trained with lexicon") {
		t.Errorf("loading with another lexicon: %v", err)
	}
	m2, err := Load(b, LoadOptions{Lex: lex})
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for _, i := range te {
		p := m.Score(texts[i])
		if p2 := m2.Score(texts[i]); p != p2 {
			t.Fatalf("round trip changed Score(%q): %v, %v", texts[i], p, p2)
		}
		if Label(p) == labels[i] {
			hits++
		}
	}
	if hits < 320 {
		t.Errorf("held-out %d/400 with the lexicon", hits)
	}
	// "terrible" with an unknown word: the lexicon knows it, so it counts
	// as known, and it is more negative than the word alone.
	p, known := m.ScoreKnown("zzqx terrible")
	if p0, _ := m.ScoreKnown("zzqx"); !known || !(p < p0) {
		t.Errorf("ScoreKnown(zzqx terrible) = %v, %v; zzqx alone %v", p, known, p0)
	}
	if _, known := m.ScoreKnown("zzqx"); known {
		t.Error("zzqx is known")
	}
	for _, o := range []SentimentOptions{{Lexicon: lex, LexFolds: 1}, {Lexicon: lex, LexCs: []float64{}}, {Lexicon: lex, LexCs: []float64{-1}}} {
		if _, err := TrainSentiment(pick(texts, tr), pick(labels, tr), o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}
