package sentimentrecipe

import (
	"encoding/csv"
	"math"
	"os"
	"testing"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/text"
)

// TestEnglishCrossDomain trains the English recipe (words and word pairs,
// MinDF 2, naive Bayes) on one source of the UCI sentences and scores the
// other: amazon → imdb and imdb → amazon. Issue 9's goal is 0.80; the
// recipe does not reach it, and this test pins what docs/TEXT.md reports
// so that a change that moves it is seen.
func TestEnglishCrossDomain(t *testing.T) {
	texts, labels, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	src, err := loadSources(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{"amazon": {0.660, 0.7346}, "imdb": {0.733, 0.8190}} // accuracy, AUC on the other source
	var mean float64
	for _, train := range []string{"amazon", "imdb"} {
		var trT, teT []string
		var trL, teL []int
		for i := range texts {
			if src[i] == train {
				trT, trL = append(trT, texts[i]), append(trL, labels[i])
			} else {
				teT, teL = append(teT, texts[i]), append(teL, labels[i])
			}
		}
		m, err := text.TrainSentiment(trT, trL, text.SentimentOptions{Tok: &text.Tokenizer{NGram: NGram}, MinDF: MinDF})
		if err != nil {
			t.Fatal(err)
		}
		p := make([]float64, len(teT))
		hits := 0
		for i, s := range teT {
			p[i] = m.Score(s)
			if text.Label(p[i]) == teL[i] {
				hits++
			}
		}
		auc, err := eval.ROCAUC(teL, p)
		if err != nil {
			t.Fatal(err)
		}
		acc := float64(hits) / float64(len(teT))
		mean += acc / 2
		t.Logf("trained on %s (%d), tested on the other (%d): accuracy %.3f, AUC %.4f", train, len(trT), len(teT), acc, auc)
		if w := want[train]; math.Abs(acc-w[0]) > 0.0005 || math.Abs(auc-w[1]) > 0.00005 {
			t.Errorf("trained on %s: accuracy %.3f, AUC %.4f; docs/TEXT.md says %.3f and %.4f", train, acc, auc, w[0], w[1])
		}
	}
	if math.Abs(mean-0.6965) > 0.0005 {
		t.Errorf("mean cross-domain accuracy %.4f; docs/TEXT.md says 0.697", mean)
	}
}

// loadSources reads the source column (amazon or imdb) of the CSV.
func loadSources(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[2])
	}
	return out, nil
}
