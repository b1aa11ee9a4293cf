package text

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The classifier fixtures: classify_tokens.json holds texts, labels and the
// Go tokeniser's tokens; gen_fixtures.py fits scikit-learn on those tokens
// and writes sklearn_classify.json.

type clsLabeling struct {
	Name  string   `json:"name"`
	Train []string `json:"train"`
}

type clsDataset struct {
	Name        string        `json:"name"`
	Stop        bool          `json:"stop"`
	NGram       int           `json:"ngram"`
	TrainTexts  []string      `json:"train_texts"`
	TestTexts   []string      `json:"test_texts"`
	Labelings   []clsLabeling `json:"labelings"`
	TrainTokens [][]string    `json:"train_tokens"`
	TestTokens  [][]string    `json:"test_tokens"`
}

var mixedTest = []string{
	"电池很好，屏幕很亮",
	"Slow delivery, box damaged 包装不好",
	"great phone",
	"完全没有已知的字 qwerty",
	"",
	"Not happy with the battery, it died.",
}

// zhLabels names the three classes of labels (0, 1, 2) in Chinese, so the
// fixture also checks that label order matches numpy's sort.
var zhLabels = []string{"差评", "好评", "物流"}
var enLabels = []string{"complaint", "praise", "delivery"}

// uciSubset picks 300 training and 100 test sentences from the UCI data,
// stratified by source × sentiment.
func uciSubset(t testing.TB) (trainTexts, testTexts []string, srcSent, src []string, testSrcSent []string) {
	texts, labels, sources := loadSentencesSource(t)
	four := make([]string, len(texts))
	for i := range texts {
		four[i] = sources[i] + "/" + map[int]string{0: "negative", 1: "positive"}[labels[i]]
	}
	_, pool := StratifiedSplit(four, 0.2, 7)
	tr, te := StratifiedSplit(pick(four, pool), 0.25, 8)
	for _, k := range tr {
		i := pool[k]
		trainTexts = append(trainTexts, texts[i])
		srcSent = append(srcSent, four[i])
		src = append(src, sources[i])
	}
	for _, k := range te {
		i := pool[k]
		testTexts = append(testTexts, texts[i])
		testSrcSent = append(testSrcSent, four[i])
	}
	return
}

func makeClassifyData(t testing.TB) []clsDataset {
	zh := make([]string, len(labels))
	en := make([]string, len(labels))
	for i, l := range labels {
		zh[i], en[i] = zhLabels[l], enLabels[l]
	}
	trT, teT, four, src, _ := uciSubset(t)
	ds := []clsDataset{
		{Name: "mixed_bi", NGram: 2, TrainTexts: corpus, TestTexts: mixedTest,
			Labelings: []clsLabeling{{Name: "zh", Train: zh}, {Name: "en", Train: en}}},
		{Name: "mixed_uni_stop", Stop: true, NGram: 1, TrainTexts: corpus, TestTexts: mixedTest,
			Labelings: []clsLabeling{{Name: "zh", Train: zh}}},
		{Name: "uci_bi", NGram: 2, TrainTexts: trT, TestTexts: teT,
			Labelings: []clsLabeling{{Name: "source_sentiment", Train: four}, {Name: "source", Train: src}}},
	}
	for i := range ds {
		tok := Tokenizer{Stop: ds[i].Stop, NGram: ds[i].NGram}
		for _, s := range ds[i].TrainTexts {
			ds[i].TrainTokens = append(ds[i].TrainTokens, tok.Tokens(s))
		}
		for _, s := range ds[i].TestTexts {
			ds[i].TestTokens = append(ds[i].TestTokens, tok.Tokens(s))
		}
	}
	return ds
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func loadSentencesSource(t testing.TB) ([]string, []int, []string) {
	t.Helper()
	texts, labels := loadSentences(t)
	rows := readCSV(t, "testdata/sentiment_labelled_sentences.csv")
	var src []string
	for _, r := range rows[1:] {
		src = append(src, r[2])
	}
	return texts, labels, src
}

// TestClassifyTokensGolden pins the inputs of the classifier fixtures.
func TestClassifyTokensGolden(t *testing.T) {
	b, err := json.MarshalIndent(struct {
		Datasets []clsDataset `json:"datasets"`
	}{makeClassifyData(t)}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile("testdata/classify_tokens.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile("testdata/classify_tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, b) {
		t.Fatal("classifier inputs changed; rerun with -update and then testdata/gen_fixtures.py")
	}
}

type skClsCase struct {
	Dataset   string
	Labeling  string
	Algo      string
	MinDF     int `json:"min_df"`
	Alpha     float64
	C         float64
	Classes   []string
	NTerms    int         `json:"n_terms"`
	ProbaTest [][]float64 `json:"proba_test"`
	// ProbaLBFGS is sklearn's default solver, stopped by scipy's ftol.
	ProbaLBFGS [][]float64 `json:"proba_test_lbfgs"`
}

func TestClassifierSklearn(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn_classify.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Sklearn string
		Cases   []skClsCase
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	ds := map[string]clsDataset{}
	for _, d := range makeClassifyData(t) {
		ds[d.Name] = d
	}
	if len(f.Cases) < 12 {
		t.Fatalf("only %d fixture cases", len(f.Cases))
	}
	var worst [4]float64
	for _, c := range f.Cases {
		d := ds[c.Dataset]
		var y []string
		for _, l := range d.Labelings {
			if l.Name == c.Labeling {
				y = l.Train
			}
		}
		opt := ClassifierOptions{Algo: c.Algo, NGram: d.NGram, Stop: d.Stop, MinDF: c.MinDF, Alpha: c.Alpha, C: c.C}
		name := c.Dataset + "/" + c.Labeling + "/" + c.Algo
		tol := 1e-6
		if c.Algo == AlgoLogReg {
			// The default tolerance must land near the optimum too, nearer
			// than sklearn's default lbfgs (which scipy's ftol stops up to
			// ~1e-4 away).
			m, err := TrainClassifier(d.TrainTexts, y, opt)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range d.TestTexts {
				_, p := m.Predict(s)
				for k := range p {
					e := math.Abs(p[k] - c.ProbaTest[i][k])
					if e > 1e-5 {
						t.Errorf("%s C=%g default tol: P(%s|%q) = %.8f, optimum %.8f", name, c.C, c.Classes[k], s, p[k], c.ProbaTest[i][k])
					}
					worst[2] = max(worst[2], e)
					worst[3] = max(worst[3], math.Abs(c.ProbaLBFGS[i][k]-c.ProbaTest[i][k]))
				}
			}
			// Solved tightly, against the optimum.
			opt.Tol, opt.MaxIter = 1e-10, 10000
		}
		m, err := TrainClassifier(d.TrainTexts, y, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.Labels(), c.Classes) || m.Terms() != c.NTerms {
			t.Fatalf("%s: labels %q with %d terms, want %q with %d", name, m.Labels(), m.Terms(), c.Classes, c.NTerms)
		}
		for i, s := range d.TestTexts {
			label, p := m.Predict(s)
			for k := range p {
				e := math.Abs(p[k] - c.ProbaTest[i][k])
				if e > tol {
					t.Errorf("%s min_df=%d: P(%s|%q) = %.10f, sklearn %.10f", name, c.MinDF, c.Classes[k], s, p[k], c.ProbaTest[i][k])
				}
				if c.Algo == AlgoNB {
					worst[0] = max(worst[0], e)
				} else {
					worst[1] = max(worst[1], e)
				}
			}
			if want := c.Classes[argmax(c.ProbaTest[i])]; label != want && math.Abs(maxOf(p)-secondOf(p)) > 1e-6 {
				t.Errorf("%s: Predict(%q) = %q, sklearn %q", name, s, label, want)
			}
		}
	}
	t.Logf("%d cases match scikit-learn %s: largest probability error %.1e (naive Bayes), %.1e (logistic, Tol 1e-10), %.1e (logistic, default Tol); sklearn's default lbfgs is %.1e from the optimum", len(f.Cases), f.Sklearn, worst[0], worst[1], worst[2], worst[3])
}

func argmax(p []float64) int {
	b := 0
	for i := range p {
		if p[i] > p[b] {
			b = i
		}
	}
	return b
}

func maxOf(p []float64) float64 { return p[argmax(p)] }

func secondOf(p []float64) float64 {
	b, s := argmax(p), math.Inf(-1)
	for i, v := range p {
		if i != b {
			s = max(s, v)
		}
	}
	return s
}

func TestClassifierHeldOut(t *testing.T) {
	texts, labels, src := loadSentencesSource(t)
	four := make([]string, len(texts))
	for i := range texts {
		four[i] = src[i] + "/" + []string{"negative", "positive"}[labels[i]]
	}
	tr, te := StratifiedSplit(four, 0.2, 2015)
	for _, algo := range []string{AlgoNB, AlgoLogReg} {
		m, err := TrainClassifier(pick(texts, tr), pick(four, tr), ClassifierOptions{Algo: algo})
		if err != nil {
			t.Fatal(err)
		}
		var hit int
		for _, i := range te {
			if l, p := m.Predict(texts[i]); l == four[i] {
				hit++
			} else if len(p) != 4 {
				t.Fatalf("%d probabilities", len(p))
			}
		}
		acc := float64(hit) / float64(len(te))
		t.Logf("%s: source×sentiment (4 labels) held-out accuracy %.4f (%d/%d)", algo, acc, hit, len(te))
		if acc < 0.6 {
			t.Errorf("%s: accuracy %.4f below 0.6", algo, acc)
		}
		roundTrip(t, m, pick(texts, te[:40]))
	}
}

func roundTrip(t *testing.T, m *Classifier, texts []string) {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := UnmarshalClassifier(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range texts {
		l1, p1 := m.Predict(s)
		l2, p2 := m2.Predict(s)
		if l1 != l2 || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("prediction changed after round trip: %q %v vs %q %v", l1, p1, l2, p2)
		}
	}
	b2, err := m2.Marshal()
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("re-encoding differs (err %v)", err)
	}
}

func TestClassifierBinaryAndRoundTrip(t *testing.T) {
	texts := []string{"great product love it", "awful broke fast", "love the screen", "broke on day one", "great value", "awful support"}
	ys := []string{"good", "bad", "good", "bad", "good", "bad"}
	for _, algo := range []string{AlgoNB, AlgoLogReg} {
		m, err := TrainClassifier(texts, ys, ClassifierOptions{Algo: algo, C: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Labels(); !reflect.DeepEqual(got, []string{"bad", "good"}) {
			t.Fatalf("labels %q", got)
		}
		if m.Algo() != algo {
			t.Fatalf("Algo() = %q", m.Algo())
		}
		if l, p := m.Predict("I love it, great"); l != "good" || p[1] <= 0.5 || math.Abs(p[0]+p[1]-1) > 1e-12 {
			t.Errorf("%s: Predict = %q %v", algo, l, p)
		}
		if l, _ := m.Predict("it broke, awful"); l != "bad" {
			t.Errorf("%s: Predict = %q", algo, l)
		}
		// No known word: naive Bayes falls back on the base rates, equal
		// here, and the tie goes to the first label.
		if l, p := m.Predict("xyzzy"); algo == AlgoNB && (l != "bad" || p[0] != 0.5) {
			t.Errorf("%s: unknown text gave %q %v", algo, l, p)
		}
		roundTrip(t, m, append(texts, "", "xyzzy 手机"))
	}
}

func TestTrainClassifierErrors(t *testing.T) {
	two := []string{"good phone", "bad phone"}
	cases := []struct {
		texts, labels []string
		opt           ClassifierOptions
		want          string
	}{
		{nil, nil, ClassifierOptions{}, "no texts"},
		{two, []string{"a"}, ClassifierOptions{}, "2 texts but 1 labels"},
		{two, []string{"a", " "}, ClassifierOptions{}, "text 2 has no label"},
		{two, []string{"spam", "spam"}, ClassifierOptions{}, `only one label found ("spam"): need at least two`},
		{[]string{"!!", "?"}, []string{"a", "b"}, ClassifierOptions{}, "no words"},
		{two, []string{"a", "b"}, ClassifierOptions{MinDF: 3}, "at least 3 texts"},
		{two, []string{"a", "b"}, ClassifierOptions{Algo: "svm"}, `unknown algorithm "svm"`},
		{two, []string{"a", "b"}, ClassifierOptions{NGram: 9}, "n-gram"},
		{two, []string{"a", "b"}, ClassifierOptions{MinDF: -1}, "minimum document count"},
		{two, []string{"a", "b"}, ClassifierOptions{Alpha: -1}, "alpha"},
		{two, []string{"a", "b"}, ClassifierOptions{C: math.NaN()}, "C must"},
		{two, []string{"a", "b"}, ClassifierOptions{Tol: -1}, "tolerance"},
		{two, []string{"a", "b"}, ClassifierOptions{MaxIter: -1}, "iterations"},
		{two, []string{"a", "b"}, ClassifierOptions{MaxFeatures: -1}, "maximum number of words"},
	}
	for _, c := range cases {
		_, err := TrainClassifier(c.texts, c.labels, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("TrainClassifier(%q, %q, %+v) error %v, want %q", c.texts, c.labels, c.opt, err, c.want)
		}
	}
}

func TestUnmarshalClassifierErrors(t *testing.T) {
	m, err := TrainClassifier([]string{"good", "bad", "ok"}, []string{"p", "n", "m"}, ClassifierOptions{Algo: AlgoLogReg})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := m.Marshal()
	var base map[string]any
	if err := json.Unmarshal(good, &base); err != nil {
		t.Fatal(err)
	}
	edit := func(k string, v any) string {
		c := map[string]any{}
		for kk, vv := range base {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		b, _ := json.Marshal(c)
		return string(b)
	}
	for _, c := range []struct{ in, want string }{
		{"", "not a saved text classifier"},
		{"[]", "not a saved text classifier"},
		{`{"Vec":{}}`, "not a saved text classifier"},
		{edit("version", 2), "newer version"},
		{edit("version", 0), "invalid format version"},
		{edit("labels", []string{"p"}), "fewer than two labels"},
		{edit("labels", []string{"p", "n", "m"}), "out of order"},
		{edit("algo", "nb"), "naive Bayes parameters missing"},
		{edit("algo", "tree"), "unknown algorithm"},
		{edit("terms", []string{"a"}), "idf of the wrong size"},
		{edit("terms", []string{"ok", "good", "bad"}), "not sorted"},
		{edit("idf", []float64{1, 0, 1}), "idf out of range"},
		{edit("tokenizer", map[string]any{"ngram": 1 << 40}), "n-gram"},
		{edit("logreg", map[string]any{"coef": [][]float64{{1, 2, 3}}, "intercept": []float64{0}}), "number of weight vectors"},
		{edit("logreg", map[string]any{"coef": [][]float64{{1, 2, 3}, {1, 2}, {1, 2, 3}}, "intercept": []float64{0, 0, 0}}), "wrong size"},
		{edit("logreg", map[string]any{"coef": [][]float64{{1, 2, 3}, {1, 2, 1e300}, {1, 2, 3}}, "intercept": []float64{0, 0, 0}}), "out of range"},
	} {
		_, err := UnmarshalClassifier([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("UnmarshalClassifier(%.80s) error %v, want %q", c.in, err, c.want)
		}
	}
}

func FuzzUnmarshalClassifier(f *testing.F) {
	for _, algo := range []string{AlgoNB, AlgoLogReg} {
		for _, ys := range [][]string{{"a", "b", "a"}, {"x", "y", "z"}} {
			m, err := TrainClassifier([]string{"good 好", "bad", "fine ok"}, ys, ClassifierOptions{Algo: algo})
			if err != nil {
				f.Fatal(err)
			}
			b, _ := m.Marshal()
			f.Add(b)
		}
	}
	f.Add([]byte(`{"format":"marketbench/text-classifier","version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalClassifier(b)
		if err != nil {
			return
		}
		for _, s := range []string{"", "good bad 好", "fine"} {
			l, p := m.Predict(s)
			if len(p) != len(m.Labels()) || !strings.Contains(strings.Join(m.Labels(), "\x00")+"\x00", l+"\x00") {
				t.Fatalf("Predict(%q) = %q %v for labels %q", s, l, p, m.Labels())
			}
			var sum float64
			for _, v := range p {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("probability %v", v)
				}
				sum += v
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("probabilities sum to %v", sum)
			}
		}
		b2, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := UnmarshalClassifier(b2); err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
	})
}

func TestStratifiedSplit(t *testing.T) {
	ys := []string{"a", "b", "a", "a", "b", "c", "a", "b", "a", "a"}
	tr, te := StratifiedSplit(ys, 0.2, 1)
	if len(tr)+len(te) != len(ys) {
		t.Fatalf("%d + %d rows", len(tr), len(te))
	}
	count := map[string]int{}
	for _, i := range te {
		count[ys[i]]++
	}
	// round(0.2·6)=1 a, round(0.2·3)=1 b, round(0.2·1)=0 c.
	if count["a"] != 1 || count["b"] != 1 || count["c"] != 0 {
		t.Fatalf("test counts %v", count)
	}
	tr2, te2 := StratifiedSplit(ys, 0.2, 1)
	if !reflect.DeepEqual(tr, tr2) || !reflect.DeepEqual(te, te2) {
		t.Fatal("same seed, different split")
	}
}

// TestClassifierConcurrent shares one decoded classifier and one decoded
// sentiment model between goroutines; run with -race.
func TestClassifierConcurrent(t *testing.T) {
	c, err := TrainClassifier(corpus, enLabelsOf(labels), ClassifierOptions{Algo: AlgoLogReg})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Marshal()
	c, err = UnmarshalClassifier(b)
	if err != nil {
		t.Fatal(err)
	}
	m, err := TrainSentiment(corpus, []int{1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0}, SentimentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = m.Marshal()
	if m, err = Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 4 {
		go func() {
			for _, s := range mixedTest {
				c.Predict(s)
				m.Score(s)
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}

func enLabelsOf(ys []int) []string {
	out := make([]string, len(ys))
	for i, y := range ys {
		out[i] = enLabels[y]
	}
	return out
}
