package text

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/tokens.json")

// corpus mixes English and Chinese so the sklearn comparison covers Han
// unigrams and bigrams; labels give three classes for naive Bayes.
var corpus = []string{
	"The battery life is great, I love this phone.",
	"Terrible battery. It died after one day!",
	"Great value, great screen, fast delivery.",
	"Delivery was slow and the box was damaged.",
	"I don't like the camera; it's blurry.",
	"Customer service was helpful and friendly.",
	"这个手机很好，电池很耐用。",
	"电池太差了，一天就没电。",
	"物流很快，包装很好。",
	"客服态度不好，不推荐。",
	"Screen is bright 屏幕很亮 great",
	"Slow delivery again, not happy at all.",
}

var labels = []int{1, 0, 1, 2, 0, 1, 1, 0, 2, 0, 1, 2}

var tokenSets = []struct {
	name string
	tok  Tokenizer
}{
	{"plain", Tokenizer{}},
	{"stop_bigrams", Tokenizer{Stop: true, NGram: 2}},
}

type tokensFile struct {
	Texts  []string `json:"texts"`
	Labels []int    `json:"labels"`
	Sets   []struct {
		Name   string     `json:"name"`
		Tokens [][]string `json:"tokens"`
	} `json:"sets"`
}

func makeTokens() tokensFile {
	f := tokensFile{Texts: corpus, Labels: labels}
	for _, s := range tokenSets {
		var docs [][]string
		for _, c := range corpus {
			docs = append(docs, s.tok.Tokens(c))
		}
		f.Sets = append(f.Sets, struct {
			Name   string     `json:"name"`
			Tokens [][]string `json:"tokens"`
		}{s.name, docs})
	}
	return f
}

// TestTokensGolden pins the tokens the sklearn fixture was built from.
func TestTokensGolden(t *testing.T) {
	b, err := json.MarshalIndent(makeTokens(), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile("testdata/tokens.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile("testdata/tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, b) {
		t.Fatal("tokens changed; rerun with -update and then testdata/gen_fixtures.py")
	}
}

type skFixture struct {
	Sklearn string
	TFIDF   []struct {
		Set         string
		MinDF       int `json:"min_df"`
		MaxFeatures int `json:"max_features"`
		Terms       []string
		IDF         []float64
		X           [][]float64
	}
	NB []struct {
		Set            string
		Alpha          float64
		Terms          []string
		ClassLogPrior  []float64   `json:"class_log_prior"`
		FeatureLogProb [][]float64 `json:"feature_log_prob"`
		LogProba       [][]float64 `json:"log_proba"`
	}
}

func loadSK(t *testing.T) (skFixture, map[string][][]string) {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn.json")
	if err != nil {
		t.Fatal(err)
	}
	var f skFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	docs := map[string][][]string{}
	for _, s := range makeTokens().Sets {
		docs[s.Name] = s.Tokens
	}
	return f, docs
}

func dense(r Vec, n int) []float64 {
	d := make([]float64, n)
	for k, j := range r.Idx {
		d[j] = r.Val[k]
	}
	return d
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

func TestTFIDFSklearn(t *testing.T) {
	f, docs := loadSK(t)
	if len(f.TFIDF) == 0 {
		t.Fatal("no tfidf fixtures")
	}
	for _, c := range f.TFIDF {
		v, err := FitTokens(docs[c.Set], VecOptions{MinDF: c.MinDF, MaxFeatures: c.MaxFeatures})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v.Terms, c.Terms) {
			t.Fatalf("%s min_df=%d max=%d: terms\n%q\nwant\n%q", c.Set, c.MinDF, c.MaxFeatures, v.Terms, c.Terms)
		}
		near(t, c.Set+" idf", v.IDF, c.IDF, 1e-12)
		for i, d := range docs[c.Set] {
			near(t, c.Set+" row", dense(v.TransformTokens(d), len(v.Terms)), c.X[i], 1e-12)
		}
	}
	t.Logf("%d TF-IDF configurations match scikit-learn %s within 1e-12", len(f.TFIDF), f.Sklearn)
}

func TestNBSklearn(t *testing.T) {
	f, docs := loadSK(t)
	if len(f.NB) == 0 {
		t.Fatal("no nb fixtures")
	}
	for _, c := range f.NB {
		v, err := FitTokens(docs[c.Set], VecOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v.Terms, c.Terms) {
			t.Fatalf("%s: terms differ", c.Set)
		}
		X := make([]Vec, len(docs[c.Set]))
		for i, d := range docs[c.Set] {
			X[i] = v.Counts(d)
		}
		m, err := FitNB(X, labels, 3, len(v.Terms), c.Alpha)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "class_log_prior", m.ClassLogPrior, c.ClassLogPrior, 1e-9)
		for k := range m.FeatureLogProb {
			near(t, "feature_log_prob", m.FeatureLogProb[k], c.FeatureLogProb[k], 1e-9)
		}
		for i, x := range X {
			near(t, "log_proba", m.LogProba(x), c.LogProba[i], 1e-9)
		}
	}
	t.Logf("%d naive Bayes configurations match scikit-learn %s within 1e-9", len(f.NB), f.Sklearn)
}
