package assets

import (
	"bytes"
	"math"
	"os"
	"runtime"
	"testing"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/text"
	"github.com/marketbench/marketbench/assets/internal/sentimentrecipe"
)

// The goals of issue 9 for reviews from a domain the model was not
// trained on.
const (
	zhGoalAccuracy = 0.85
	zhGoalAUC      = 0.92
)

// TestChineseSentimentHeldOutDomain scores the shipped Chinese model on
// every ChnSentiCorp hotel review (testdata): it was trained on shopping
// reviews without the hotel category, so hotels are an unseen domain.
func TestChineseSentimentHeldOutDomain(t *testing.T) {
	m, err := SentimentZH()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := sentimentrecipe.LoadZH("testdata/ChnSentiCorp_htl_all.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	y := make([]int, len(rs))
	p := make([]float64, len(rs))
	hits := 0
	for i, r := range rs {
		y[i], p[i] = r.Label, m.Score(r.Text)
		if text.Label(p[i]) == r.Label {
			hits++
		}
	}
	auc, err := eval.ROCAUC(y, p)
	if err != nil {
		t.Fatal(err)
	}
	acc := float64(hits) / float64(len(rs))
	t.Logf("ChnSentiCorp hotels: %d reviews, accuracy %.4f (%d), ROC AUC %.4f", len(rs), acc, hits, auc)
	if acc < zhGoalAccuracy || auc < zhGoalAUC {
		t.Errorf("accuracy %.4f, AUC %.4f: the goals are %.2f and %.2f", acc, auc, zhGoalAccuracy, zhGoalAUC)
	}
	if len(rs) != zhHotelReviews || hits != zhHotelHits || math.Abs(auc-zhHotelAUC) > 0.00005 {
		t.Errorf("%d reviews, %d right, AUC %.4f; docs/TEXT.md says %d, %d and %.4f", len(rs), hits, auc, zhHotelReviews, zhHotelHits, zhHotelAUC)
	}
}

// What docs/TEXT.md reports for the hotel reviews.
const (
	zhHotelReviews = 7765
	zhHotelHits    = 6628
	zhHotelAUC     = 0.9283
)

// TestChineseSentimentAsset retrains the Chinese model when the training
// corpus is beside the repository (a fresh clone has no shared folder, and
// the test then only checks what it can) and compares it with the file.
func TestChineseSentimentAsset(t *testing.T) {
	m, err := SentimentZH()
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]int{
		"物流很快，质量不错，性价比很高": 1,
		"客服态度很差，退货太麻烦了":   0,
		"送货太慢了，包装也坏了":     0,
		"房间干净，早餐丰富，下次还来":  1,
	} {
		if p := m.Score(s); text.Label(p) != want {
			t.Errorf("Score(%q) = %.3f, want label %d", s, p, want)
		}
	}
	if testing.Short() {
		t.Skip("retraining takes about 15 s")
	}
	if _, err := os.Stat(sentimentrecipe.ZHData); err != nil {
		t.Skipf("training corpus not here (%v): the embedded file is not re-derived", err)
	}
	seg, err := Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	r, err := sentimentrecipe.BuildZH(sentimentrecipe.ZHData, seg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.JSON, sentimentZH) && runtime.GOARCH == "amd64" {
		t.Fatal("models/sentiment-zh.json is not what the recipe produces; run go generate ./assets")
	}
	t.Logf("embedded model: %d bytes, %d terms, trained on %d reviews", len(sentimentZH), len(m.Vec.Terms), r.Train)
}
