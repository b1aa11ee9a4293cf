package assets

import (
	"bytes"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/analytics/text"
	"github.com/marketbench/marketbench/assets/internal/sentimentrecipe"
)

// The held-out score of the shipped model, as stated in docs/TEXT.md and
// assets/README.md.
const (
	heldOutHits  = 347
	heldOutTests = 400
	heldOutText  = "347/400"
)

func TestSentimentAsset(t *testing.T) {
	m, err := Sentiment()
	if err != nil {
		t.Fatal(err)
	}
	r, err := sentimentrecipe.Build(sentimentrecipe.Data, sentimentrecipe.Lexicon)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.JSON, sentimentEN) {
		// Go may fuse multiply-adds and math.Log has assembly on some
		// architectures, so the last bits can differ off amd64, where the
		// file was generated; there the scores must still agree.
		if runtime.GOARCH == "amd64" {
			t.Fatal("models/sentiment-en.json is not what the recipe produces; run go generate ./assets")
		}
		texts, _, err := sentimentrecipe.Load(sentimentrecipe.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			if a, b := m.Score(s), r.Model.Score(s); math.Abs(a-b) > 1e-9 {
				t.Fatalf("Score(%q): embedded %v, retrained %v", s, a, b)
			}
		}
	}
	if r.Hits != heldOutHits || r.Tests != heldOutTests {
		t.Fatalf("held-out accuracy %d/%d, documented %s: update docs/TEXT.md, assets/README.md and this test", r.Hits, r.Tests, heldOutText)
	}
	for _, doc := range []string{"../docs/TEXT.md", "README.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), heldOutText) {
			t.Errorf("%s does not state the held-out accuracy %s", doc, heldOutText)
		}
	}
	t.Logf("embedded model: %d bytes, %d terms, held-out accuracy %.4f (%d/%d)", len(sentimentEN), len(m.Vec.Terms), r.Accuracy(), r.Hits, r.Tests)

	for s, want := range map[string]int{
		"Great phone, works perfectly, I love it.":        1,
		"Terrible, it broke after a day. Waste of money.": 0,
		"The best movie I have seen this year.":           1,
		"Very disappointing, would not recommend.":        0,
	} {
		if p := m.Score(s); text.Label(p) != want {
			t.Errorf("Score(%q) = %.3f, want label %d", s, p, want)
		}
	}
}
