package assets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"strings"
	"testing"
)

// TestDocumentedSentimentLimits checks what docs/TEXT.md says of the
// shipped model: its size, its number of terms, and the scores it quotes
// under "Limits" (to the two decimals shown).
func TestDocumentedSentimentLimits(t *testing.T) {
	m, err := Sentiment()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Vec.Terms); n != 3387 {
		t.Errorf("%d terms, docs/TEXT.md says 3,387", n)
	}
	if st, err := os.Stat("models/sentiment-en.json"); err != nil || math.Round(float64(st.Size())/1000) != 94 {
		t.Errorf("model file: %v; docs/TEXT.md says 94 KB", err)
	}
	for s, want := range map[string]float64{
		"Delivery was late and the box was damaged.": 0.15,
		"not good":       0.04,
		"Not bad at all": 0.01,
		"送货太慢了，包装也坏了":    0.405,
		"":               0.405,
		"zzqx wvvk":      0.405,
	} {
		got, known := m.ScoreKnown(s)
		if math.Abs(got-want) > 0.005 || want == 0.405 && math.Abs(got-want) > 0.0005 {
			t.Errorf("Score(%q) = %.4f, docs/TEXT.md says %.2f", s, got, want)
		}
		if want == 0.405 && (known || math.Abs(got-1/(1+math.Exp(-m.Lin.B))) > 1e-12) {
			t.Errorf("Score(%q) = %.4f, known %v: want the intercept alone and not known", s, got, known)
		}
	}
}

// TestLexiconAsset checks the embedded VADER lexicon against its NOTICE:
// the bytes (SHA-256), the line count, and the tokens a model can match.
func TestLexiconAsset(t *testing.T) {
	sum := sha256.Sum256(vaderLexicon)
	const want = "b70b105b9172d1f5b80cbe14f18afebd1b5abc11546a123b4648ae7d6644d085"
	if hex.EncodeToString(sum[:]) != want || bytes.Count(vaderLexicon, []byte("\n")) != 7518 {
		t.Errorf("lexicon/vader_lexicon.txt is not the file lexicon/NOTICE describes")
	}
	notice, err := os.ReadFile("lexicon/NOTICE")
	if err != nil || !strings.Contains(string(notice), want) || !strings.Contains(string(notice), "MIT License") {
		t.Errorf("lexicon/NOTICE lacks the checksum or the licence: %v", err)
	}
	if _, err := os.Stat("lexicon/LICENSE-vaderSentiment.txt"); err != nil {
		t.Error(err)
	}
	l, err := Lexicon()
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 7490 {
		t.Errorf("%d tokens; assets.Lexicon's comment says 7,490", l.Len())
	}
	for w, v := range map[string]float64{"good": 1.9, "great": 3.1, "disappointing": -2.2} {
		if got, ok := l.Valence(w); !ok || got != v {
			t.Errorf("valence of %q = %v, %v; want %v", w, got, ok, v)
		}
	}
}
