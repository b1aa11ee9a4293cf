package text

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Algorithms accepted in ClassifierOptions.Algo.
const (
	AlgoNB     = "nb"     // multinomial naive Bayes on TF-IDF
	AlgoLogReg = "logreg" // L2 logistic regression on TF-IDF
)

// MaxNGram is the largest word n-gram a tokeniser may use in a model.
const MaxNGram = 6

// maxParams caps labels × terms, so a label column picked by mistake (a
// different label on every row) fails with a message instead of exhausting
// memory.
const maxParams = 20_000_000

// ClassifierOptions configures TrainClassifier. The zero value is a sound
// default: naive Bayes on word unigrams and bigrams, every word kept.
type ClassifierOptions struct {
	// Algo is AlgoNB ("nb", the default when empty) or AlgoLogReg ("logreg").
	Algo string
	// NGram is the longest word sequence used as a feature: 1 is single
	// words, 2 (the default when 0) adds pairs such as "not good". At most
	// MaxNGram. Chinese always gets characters and character pairs.
	NGram int
	// Stop drops common function words ("the", "of", 的, 了). Negations are
	// never dropped.
	Stop bool
	// MinDF drops words found in fewer texts; 0 means 1 (keep all). 2 or 3
	// shrinks the model and removes typos at little cost in accuracy.
	MinDF int
	// MaxFeatures keeps only the most frequent terms; 0 keeps all.
	MaxFeatures int
	// Alpha is the naive Bayes smoothing; 0 means 1.
	Alpha float64
	// C is the inverse strength of the logistic regression penalty; 0 means
	// 1. Larger values fit the training texts more closely.
	C float64
	// Tol stops logistic regression once the largest gradient component of
	// the mean loss is below it; 0 means 1e-7, tight enough that results
	// agree with scikit-learn to about 1e-4 in probability.
	Tol float64
	// MaxIter caps the logistic regression iterations; 0 means 1000.
	MaxIter int
}

// Classifier sorts texts into labels chosen by the user. It is read-only
// after training or decoding, so one Classifier may serve many goroutines.
type Classifier struct {
	algo   string
	labels []string // sorted
	vec    *Vectorizer
	nb     *NB
	lr     *logReg
}

// TrainClassifier learns to predict labels[i] from texts[i]. Any number (at
// least two) of distinct labels may be used; they are case-sensitive and
// must not be empty.
func TrainClassifier(texts []string, labels []string, opt ClassifierOptions) (*Classifier, error) {
	if len(texts) == 0 {
		return nil, msg.Errorf("no texts to learn from")
	}
	if len(texts) != len(labels) {
		return nil, msg.Errorf("there are %d texts but %d labels: every text needs exactly one label", len(texts), len(labels))
	}
	if err := opt.fill(); err != nil {
		return nil, err
	}
	var names []string
	for i, l := range labels {
		if strings.TrimSpace(l) == "" {
			return nil, msg.Errorf("text %d has no label: label every text or leave it out", i+1)
		}
		names = append(names, l)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) < 2 {
		return nil, msg.Errorf("only one label found (%q): need at least two", names[0])
	}
	index := make(map[string]int, len(names))
	for i, l := range names {
		index[l] = i
	}
	y := make([]int, len(labels))
	for i, l := range labels {
		y[i] = index[l]
	}

	tok := Tokenizer{Stop: opt.Stop, NGram: opt.NGram}
	docs := make([][]string, len(texts))
	words := false
	for i, s := range texts {
		docs[i] = tok.Tokens(s)
		words = words || len(docs[i]) > 0
	}
	if !words {
		return nil, msg.Errorf("the texts contain no words")
	}
	v, err := FitTokens(docs, VecOptions{Tok: tok, MinDF: opt.MinDF, MaxFeatures: opt.MaxFeatures})
	if err != nil {
		return nil, msg.Errorf("no word appears in at least %d texts: lower the minimum document count", opt.MinDF)
	}
	if len(names)*len(v.Terms) > maxParams {
		return nil, msg.Errorf("%d labels × %d distinct words is too large a model: merge labels or raise the minimum document count", len(names), len(v.Terms))
	}
	X := make([]Vec, len(docs))
	for i, d := range docs {
		X[i] = v.TransformTokens(d)
	}
	c := &Classifier{algo: opt.Algo, labels: names, vec: v}
	switch opt.Algo {
	case AlgoNB:
		c.nb, err = FitNB(X, y, len(names), len(v.Terms), opt.Alpha)
	case AlgoLogReg:
		c.lr, _, err = fitLogReg(X, y, len(names), len(v.Terms), opt.C, opt.Tol, opt.MaxIter)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// fill applies the defaults and checks the ranges.
func (o *ClassifierOptions) fill() error {
	if o.Algo == "" {
		o.Algo = AlgoNB
	}
	if o.NGram == 0 {
		o.NGram = 2
	}
	if o.MinDF == 0 {
		o.MinDF = 1
	}
	if o.Alpha == 0 {
		o.Alpha = 1
	}
	if o.C == 0 {
		o.C = 1
	}
	if o.Tol == 0 {
		o.Tol = 1e-7
	}
	if o.MaxIter == 0 {
		o.MaxIter = 1000
	}
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) || x < 0 }
	switch {
	case o.Algo != AlgoNB && o.Algo != AlgoLogReg:
		return msg.Errorf("unknown algorithm %q: use %q (naive Bayes) or %q (logistic regression)", o.Algo, AlgoNB, AlgoLogReg)
	case o.NGram < 1 || o.NGram > MaxNGram:
		return msg.Errorf("n-gram length must be between 1 and %d, got %d", MaxNGram, o.NGram)
	case o.MinDF < 1:
		return msg.Errorf("minimum document count must be at least 1, got %d", o.MinDF)
	case o.MaxFeatures < 0:
		return msg.Errorf("maximum number of words must be 0 (no limit) or more, got %d", o.MaxFeatures)
	case bad(o.Alpha) || o.Alpha == 0:
		return msg.Errorf("smoothing (alpha) must be a positive number, got %v", o.Alpha)
	case bad(o.C) || o.C == 0:
		return msg.Errorf("C must be a positive number, got %v", o.C)
	case bad(o.Tol):
		return msg.Errorf("tolerance must be zero or positive, got %v", o.Tol)
	case o.MaxIter < 1:
		return msg.Errorf("maximum iterations must be at least 1, got %d", o.MaxIter)
	}
	return nil
}

// Labels returns the labels in the order of Predict's probabilities
// (sorted, like scikit-learn's classes_).
func (c *Classifier) Labels() []string { return slices.Clone(c.labels) }

// Algo returns AlgoNB or AlgoLogReg.
func (c *Classifier) Algo() string { return c.algo }

// Terms returns the number of distinct terms (words, word n-grams, Chinese
// characters and character pairs) the classifier knows.
func (c *Classifier) Terms() int { return len(c.vec.Terms) }

// Predict returns the most probable label of text and the probability of
// each label, in the order of Labels. A text without any known word gets
// the labels' base rates (naive Bayes) or the intercepts (logistic
// regression). Ties go to the label that sorts first.
func (c *Classifier) Predict(text string) (label string, proba []float64) {
	x := c.vec.Transform(text)
	if c.nb != nil {
		proba = c.nb.LogProba(x)
		for i, lp := range proba {
			proba[i] = math.Exp(lp)
		}
	} else {
		proba = c.lr.proba(x)
	}
	best := 0
	for i, p := range proba {
		if p > proba[best] {
			best = i
		}
	}
	return c.labels[best], proba
}

// classifierFormat names the encoding, so another JSON file handed to
// UnmarshalClassifier is recognised as such.
const (
	classifierFormat  = "marketbench/text-classifier"
	classifierVersion = 1
)

type classifierFile struct {
	Format    string        `json:"format"`
	Version   int           `json:"version"`
	Algo      string        `json:"algo"`
	Labels    []string      `json:"labels"`
	Tokenizer tokenizerFile `json:"tokenizer"`
	Terms     []string      `json:"terms"`
	IDF       []float64     `json:"idf"`
	NB        *nbFile       `json:"nb,omitempty"`
	LogReg    *logRegFile   `json:"logreg,omitempty"`
}

type tokenizerFile struct {
	Stop  bool `json:"stop"`
	NGram int  `json:"ngram"`
}

type nbFile struct {
	ClassLogPrior  []float64   `json:"class_log_prior"`
	FeatureLogProb [][]float64 `json:"feature_log_prob"`
}

type logRegFile struct {
	// Coef has one row per weight vector: one for two labels (the second
	// label's log-odds), else one per label (softmax).
	Coef      [][]float64 `json:"coef"`
	Intercept []float64   `json:"intercept"`
}

// Marshal encodes the classifier as versioned JSON for the caller to store.
func (c *Classifier) Marshal() ([]byte, error) {
	f := classifierFile{
		Format: classifierFormat, Version: classifierVersion, Algo: c.algo, Labels: c.labels,
		Tokenizer: tokenizerFile{Stop: c.vec.Tok.Stop, NGram: c.vec.Tok.NGram},
		Terms:     c.vec.Terms, IDF: c.vec.IDF,
	}
	if c.nb != nil {
		f.NB = &nbFile{ClassLogPrior: c.nb.ClassLogPrior, FeatureLogProb: c.nb.FeatureLogProb}
	}
	if c.lr != nil {
		lf := &logRegFile{}
		for _, w := range c.lr.W {
			lf.Coef = append(lf.Coef, w[:len(w)-1])
			lf.Intercept = append(lf.Intercept, w[len(w)-1])
		}
		f.LogReg = lf
	}
	return json.Marshal(f)
}

// UnmarshalClassifier decodes a classifier written by Marshal. It checks
// every size and value, so a damaged or foreign file gives an error, never a
// panic or NaN probabilities later.
func UnmarshalClassifier(b []byte) (*Classifier, error) {
	var f classifierFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, msg.Errorf("this is not a saved text classifier (%v)", err)
	}
	if f.Format != classifierFormat {
		return nil, msg.Errorf("this is not a saved text classifier")
	}
	if f.Version > classifierVersion {
		return nil, msg.Errorf("this classifier was saved by a newer version of the program (format %d; this one reads up to %d)", f.Version, classifierVersion)
	}
	if f.Version < 1 {
		return nil, msg.Errorf("saved text classifier has an invalid format version %d", f.Version)
	}
	bad := func(what string) error { return msg.Errorf("saved text classifier is damaged: %s", what) }
	k := len(f.Labels)
	if k < 2 {
		return nil, bad("fewer than two labels")
	}
	for i, l := range f.Labels {
		if strings.TrimSpace(l) == "" || i > 0 && l <= f.Labels[i-1] {
			return nil, bad("labels are empty, repeated or out of order")
		}
	}
	v, err := checkVectorizer(Tokenizer{Stop: f.Tokenizer.Stop, NGram: f.Tokenizer.NGram}, f.Terms, f.IDF)
	if err != nil {
		return nil, bad(err.Error())
	}
	nf := len(v.Terms)
	if k*nf > maxParams {
		return nil, bad("too many labels and terms")
	}
	c := &Classifier{algo: f.Algo, labels: f.Labels, vec: v}
	switch f.Algo {
	case AlgoNB:
		if f.NB == nil || f.LogReg != nil {
			return nil, bad("naive Bayes parameters missing")
		}
		if err := checkNB(f.NB.ClassLogPrior, f.NB.FeatureLogProb, k, nf); err != nil {
			return nil, bad(err.Error())
		}
		c.nb = &NB{ClassLogPrior: f.NB.ClassLogPrior, FeatureLogProb: f.NB.FeatureLogProb}
	case AlgoLogReg:
		if f.LogReg == nil || f.NB != nil {
			return nil, bad("logistic regression parameters missing")
		}
		nv := k
		if k == 2 {
			nv = 1
		}
		if len(f.LogReg.Coef) != nv || len(f.LogReg.Intercept) != nv {
			return nil, bad("wrong number of weight vectors")
		}
		c.lr = &logReg{W: make([][]float64, nv)}
		for i, w := range f.LogReg.Coef {
			if len(w) != nf || !finite(w, maxAbs) || !finite(f.LogReg.Intercept[i:i+1], maxAbs) {
				return nil, bad("weights have the wrong size or are out of range")
			}
			c.lr.W[i] = append(slices.Clip(w), f.LogReg.Intercept[i])
		}
	default:
		return nil, bad(fmt.Sprintf("unknown algorithm %q", f.Algo))
	}
	return c, nil
}

// maxAbs bounds decoded parameters. Trained values are far smaller; the
// bound keeps sums of at most a few thousand terms finite.
const maxAbs = 1e12

func finite(xs []float64, bound float64) bool {
	for _, x := range xs {
		if !(math.Abs(x) <= bound) {
			return false
		}
	}
	return true
}

// checkVectorizer validates decoded vectoriser parts and returns a ready
// Vectorizer.
func checkVectorizer(tok Tokenizer, terms []string, idf []float64) (*Vectorizer, error) {
	if tok.NGram < 0 || tok.NGram > MaxNGram {
		return nil, fmt.Errorf("n-gram length %d out of range", tok.NGram)
	}
	if len(terms) == 0 || len(idf) != len(terms) {
		return nil, errors.New("vocabulary missing or idf of the wrong size")
	}
	for i, w := range terms {
		if w == "" || i > 0 && w <= terms[i-1] {
			return nil, errors.New("vocabulary is not sorted and unique")
		}
	}
	for _, x := range idf {
		if !(x > 0 && x <= maxAbs) {
			return nil, errors.New("idf out of range")
		}
	}
	v := &Vectorizer{Tok: tok, Terms: terms, IDF: idf}
	v.buildIndex()
	return v, nil
}

// checkNB validates decoded naive Bayes log-probabilities for k classes
// over nf features.
func checkNB(prior []float64, flp [][]float64, k, nf int) error {
	if len(prior) != k || len(flp) != k || !finite(prior, maxAbs) {
		return errors.New("naive Bayes priors have the wrong size or are out of range")
	}
	for _, f := range flp {
		if len(f) != nf || !finite(f, maxAbs) {
			return errors.New("naive Bayes word weights have the wrong size or are out of range")
		}
	}
	return nil
}

// StratifiedSplit returns row numbers for a random train/test split that
// keeps each label's share: round(testFrac·count) rows of each label go to
// test. The same seed gives the same split. Labels are visited in order of
// first appearance, and each label's rows are shuffled with one PCG stream.
func StratifiedSplit[L comparable](labels []L, testFrac float64, seed uint64) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, 0))
	var order []L
	by := map[L][]int{}
	for i, l := range labels {
		if _, ok := by[l]; !ok {
			order = append(order, l)
		}
		by[l] = append(by[l], i)
	}
	for _, l := range order {
		idx := by[l]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		k := int(math.Round(min(max(testFrac, 0), 1) * float64(len(idx))))
		test = append(test, idx[:k]...)
		train = append(train, idx[k:]...)
	}
	sort.Ints(train)
	sort.Ints(test)
	return train, test
}
