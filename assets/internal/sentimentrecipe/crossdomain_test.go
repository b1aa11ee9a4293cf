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
// MinDF 2, naive Bayes stacked with the VADER lexicon's scores) on one
// source of the UCI sentences and scores the other: amazon → imdb and
// imdb → amazon. Issue 9's goal is a mean accuracy of at least 0.80; the
// test asserts it, and pins the figures docs/TEXT.md reports (and those of
// the n-gram model alone) so that a change that moves them is seen.
func TestEnglishCrossDomain(t *testing.T) {
	lex, err := LoadLexicon(lexf)
	if err != nil {
		t.Fatal(err)
	}
	// accuracy, AUC on the other source
	want := map[string][2]float64{"amazon": {0.801, 0.8862}, "imdb": {0.854, 0.9310}}
	if m := crossDomain(t, lex, want); m < 0.80 || math.Abs(m-0.8275) > 0.0005 {
		t.Errorf("mean cross-domain accuracy %.4f; issue 9 asks for 0.80 and docs/TEXT.md says 0.828", m)
	}
	want0 := map[string][2]float64{"amazon": {0.660, 0.7346}, "imdb": {0.733, 0.8190}}
	if m := crossDomain(t, nil, want0); math.Abs(m-0.6965) > 0.0005 {
		t.Errorf("n-grams alone: mean cross-domain accuracy %.4f; docs/TEXT.md says 0.697", m)
	}
}

// crossDomain trains on each source and tests on the other, checks the
// accuracy and AUC against want, and returns the mean accuracy.
func crossDomain(t *testing.T, lex *text.Lexicon, want map[string][2]float64) float64 {
	t.Helper()
	texts, labels, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	src, err := loadSources(data)
	if err != nil {
		t.Fatal(err)
	}
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
		m, err := text.TrainSentiment(trT, trL, Options(lex))
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
		t.Logf("lexicon %v: trained on %s (%d), tested on the other (%d): accuracy %.3f, AUC %.4f", lex != nil, train, len(trT), len(teT), acc, auc)
		if w := want[train]; math.Abs(acc-w[0]) > 0.0005 || math.Abs(auc-w[1]) > 0.00005 {
			t.Errorf("lexicon %v: trained on %s: accuracy %.3f, AUC %.4f; docs/TEXT.md says %.3f and %.4f", lex != nil, train, acc, auc, w[0], w[1])
		}
	}
	return mean
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

// TestLexiconAlone checks what docs/TEXT.md says of the lexicon by itself:
// positive when the adjusted sum is ≥ 0, it is right on 0.771 of each
// source's sentences, and 21 % of amazon's and 16 % of imdb's contain no
// lexicon word.
func TestLexiconAlone(t *testing.T) {
	lex, err := LoadLexicon(lexf)
	if err != nil {
		t.Fatal(err)
	}
	texts, labels, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	src, err := loadSources(data)
	if err != nil {
		t.Fatal(err)
	}
	hits, none, n := map[string]int{}, map[string]int{}, map[string]int{}
	for i, s := range texts {
		sc := lex.Score(s)
		if sc.Sum >= 0 == (labels[i] == 1) {
			hits[src[i]]++
		}
		if sc.Hits == 0 {
			none[src[i]]++
		}
		n[src[i]]++
	}
	if hits["amazon"] != 771 || hits["imdb"] != 771 || none["amazon"] != 207 || none["imdb"] != 160 || n["amazon"] != 1000 || n["imdb"] != 1000 {
		t.Errorf("right %v, without a lexicon word %v, of %v; docs/TEXT.md says 771, 207 (21 %%) and 160 (16 %%) of 1000", hits, none, n)
	}
}
