package assets

import (
	"math"
	"os"
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
	if st, err := os.Stat("models/sentiment-en.json"); err != nil || math.Round(float64(st.Size())/1000) != 224 {
		t.Errorf("model file: %v; docs/TEXT.md says 224 KB", err)
	}
	for s, want := range map[string]float64{
		"Delivery was late and the box was damaged.": 0.52,
		"not good":       0.28,
		"Not bad at all": 0.06,
		"送货太慢了，包装也坏了":    0.5,
		"":               0.5,
		"zzqx wvvk":      0.5,
	} {
		got := m.Score(s)
		if want == 0.5 && got != 0.5 || math.Abs(got-want) > 0.005 {
			t.Errorf("Score(%q) = %.4f, docs/TEXT.md says %.2f", s, got, want)
		}
	}
}
