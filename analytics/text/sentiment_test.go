package text

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

func loadSentences(t testing.TB) ([]string, []int) {
	t.Helper()
	f, err := os.Open("testdata/sentiment_labelled_sentences.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var labels []int
	for _, r := range rows[1:] {
		l, err := strconv.Atoi(r[1])
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, r[0])
		labels = append(labels, l)
	}
	return texts, labels
}

// split returns a seeded 80/20 split stratified by label.
func split(labels []int, seed uint64) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, 0))
	by := map[int][]int{}
	for i, l := range labels {
		by[l] = append(by[l], i)
	}
	for l := range 2 {
		idx := by[l]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		k := int(math.Round(0.2 * float64(len(idx))))
		test = append(test, idx[:k]...)
		train = append(train, idx[k:]...)
	}
	return train, test
}

func pick[T any](xs []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

func TestSentimentHeldOut(t *testing.T) {
	texts, labels := loadSentences(t)
	if len(texts) != 2000 {
		t.Fatalf("read %d sentences, want 2000", len(texts))
	}
	tr, te := split(labels, 2015)
	m, err := TrainSentiment(pick(texts, tr), pick(labels, tr), SentimentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var hit int
	for _, i := range te {
		if Label(m.Score(texts[i])) == labels[i] {
			hit++
		}
	}
	acc := float64(hit) / float64(len(te))
	t.Logf("held-out accuracy %.4f (%d/%d), train %d, vocabulary %d terms", acc, hit, len(te), len(tr), len(m.Vec.Terms))
	if acc < 0.75 {
		t.Fatalf("held-out accuracy %.4f is below the 0.75 floor", acc)
	}

	// A round trip through bytes must score identically.
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range te[:50] {
		if a, b := m.Score(texts[i]), m2.Score(texts[i]); a != b {
			t.Fatalf("score changed after round trip: %v vs %v", a, b)
		}
	}
	for s, want := range map[string]int{
		"Great phone, works perfectly, I love it.":        1,
		"Terrible, it broke after a day. Waste of money.": 0,
	} {
		if p := m.Score(s); Label(p) != want {
			t.Errorf("Score(%q) = %.3f, want label %d", s, p, want)
		}
	}
}

func TestTrainSentimentErrors(t *testing.T) {
	cases := map[string]struct {
		texts  []string
		labels []int
	}{
		"length":    {[]string{"a"}, []int{0, 1}},
		"label":     {[]string{"a", "b"}, []int{0, 2}},
		"one class": {[]string{"good", "fine"}, []int{1, 1}},
		"no words":  {[]string{"!", "?"}, []int{0, 1}},
	}
	for name, c := range cases {
		if _, err := TrainSentiment(c.texts, c.labels, SentimentOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for _, b := range []string{"", "{}", `{"Vec":{"Terms":["a"],"IDF":[1]},"NB":{"ClassLogPrior":[0,0],"FeatureLogProb":[[0],[]]}}`} {
		if _, err := Unmarshal([]byte(b)); err == nil {
			t.Errorf("Unmarshal(%q): no error", b)
		}
	}
}

func TestKeywords(t *testing.T) {
	docs := []string{"cheap fast shipping", "cheap price good", "slow shipping broken", "broken screen slow"}
	v, err := Fit(docs, VecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kw := Keywords(v.TransformAll(docs), []bool{true, true, false, false}, v.Terms, 2)
	if len(kw) != 2 || kw[0].Term != "cheap" {
		t.Fatalf("Keywords = %+v, want cheap first", kw)
	}
	for _, k := range kw {
		if k.Term == "shipping" || k.Score <= 0 {
			t.Fatalf("Keywords = %+v: shared or negative term", kw)
		}
	}
	if kw := Keywords(nil, nil, v.Terms, 3); kw != nil {
		t.Fatalf("empty group gave %+v", kw)
	}
}

func FuzzUnmarshal(f *testing.F) {
	m, err := TrainSentiment([]string{"good fine", "bad awful", "好 很好"}, []int{1, 0, 1}, SentimentOptions{})
	if err != nil {
		f.Fatal(err)
	}
	b, _ := m.Marshal()
	f.Add(b)
	f.Add([]byte(`{"Vec":{"Tok":{"NGram":2},"Terms":["a"],"IDF":[1]},"NB":{"ClassLogPrior":[0,0],"FeatureLogProb":[[0],[0]]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			return
		}
		for _, s := range []string{"", "good a", "很好"} {
			if p := m.Score(s); !(p >= 0 && p <= 1) {
				t.Fatalf("Score(%q) = %v", s, p)
			}
		}
	})
}
