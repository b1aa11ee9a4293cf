// Package sentimentrecipe is the one recipe for the default English
// sentiment model, shared by the generator (assets/gensentiment) and the
// test that checks the embedded file against it.
package sentimentrecipe

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"

	"github.com/marketbench/marketbench/analytics/text"
)

// The recipe. Changing any of these changes the shipped model: regenerate
// it (go generate ./assets) and update the accuracy in docs/TEXT.md.
const (
	// Data is the UCI Sentiment Labelled Sentences (Kotzias et al., KDD
	// 2015; amazon and imdb parts), relative to the assets directory.
	Data = "../analytics/text/testdata/sentiment_labelled_sentences.csv"
	// Seed and TestFrac fix the stratified split; the model is trained on
	// the other 80 % only, so the held-out score is honest.
	Seed     = 2015
	TestFrac = 0.2
	// NGram 2 keeps word pairs ("not good"); MinDF 2 drops terms seen in a
	// single sentence, which shrinks the file from 1.1 MB to 0.2 MB.
	NGram = 2
	MinDF = 2
	// Lexicon is the VADER lexicon (assets/lexicon, MIT License), relative
	// to the assets directory. Its scores are stacked with the naive Bayes
	// log-odds (text.SentimentOptions.Lexicon): 10 folds, C chosen among
	// 0.01 … 100 by cross-validation on the training sentences only.
	Lexicon = "lexicon/vader_lexicon.txt"
	// Digits rounds the weights and idf to 6 significant digits, which
	// changes no score by more than 1e-5 and keeps the file small.
	Digits = 6
)

// Result is a trained default model and its held-out score.
type Result struct {
	Model       *text.Model
	Fit         *text.LexFit // how the lexicon was weighed
	JSON        []byte       // the asset: Model.Marshal plus a final newline
	Train       int          // training sentences
	Hits, Tests int          // correct held-out predictions, held-out sentences
}

// LoadLexicon reads and parses a lexicon file.
func LoadLexicon(path string) (*text.Lexicon, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return text.ParseLexicon(b)
}

// Options are the recipe's training options; lex nil gives the n-gram
// model alone (the recipe before the lexicon), for comparison.
func Options(lex *text.Lexicon) text.SentimentOptions {
	return text.SentimentOptions{Tok: &text.Tokenizer{NGram: NGram}, MinDF: MinDF, Lexicon: lex}
}

// Accuracy is Hits/Tests.
func (r *Result) Accuracy() float64 { return float64(r.Hits) / float64(r.Tests) }

// Load reads the sentence,label,source CSV.
func Load(path string) (texts []string, labels []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 || len(rows[0]) < 2 || rows[0][0] != "sentence" || rows[0][1] != "label" {
		return nil, nil, fmt.Errorf("%s: want a sentence,label,… header", path)
	}
	for i, r := range rows[1:] {
		l, err := strconv.Atoi(r[1])
		if err != nil || l != 0 && l != 1 {
			return nil, nil, fmt.Errorf("%s: line %d: label %q is not 0 or 1", path, i+2, r[1])
		}
		texts = append(texts, r[0])
		labels = append(labels, l)
	}
	return texts, labels, nil
}

// Build trains the default model on the training part of the split and
// scores it on the held-out part; data and lexicon are file paths.
func Build(data, lexicon string) (*Result, error) {
	lex, err := LoadLexicon(lexicon)
	if err != nil {
		return nil, err
	}
	return BuildWith(data, lex, Seed)
}

// BuildWith is the recipe with another split seed, or without the lexicon
// (lex nil): how the figures in docs/TEXT.md were measured (and are
// checked).
func BuildWith(path string, lex *text.Lexicon, seed uint64) (*Result, error) {
	texts, labels, err := Load(path)
	if err != nil {
		return nil, err
	}
	tr, te := text.StratifiedSplit(labels, TestFrac, seed)
	trT := make([]string, len(tr))
	trL := make([]int, len(tr))
	for k, i := range tr {
		trT[k], trL[k] = texts[i], labels[i]
	}
	m, fit, err := text.TrainSentimentFit(trT, trL, Options(lex))
	if err != nil {
		return nil, err
	}
	if lex != nil {
		// Round, and score with the weights as they are read back.
		roundTo(m.Vec.IDF, Digits)
		roundTo(m.Lin.W, Digits)
		roundTo(m.Lex.W, Digits)
		m.Lin.B = roundOne(m.Lin.B, Digits)
	}
	r := &Result{Model: m, Fit: fit, Train: len(tr), Tests: len(te)}
	if r.JSON, err = m.Marshal(); err != nil {
		return nil, err
	}
	if r.Model, err = text.Load(r.JSON, text.LoadOptions{Lex: lex}); err != nil {
		return nil, err
	}
	r.JSON = append(r.JSON, '\n')
	for _, i := range te {
		if text.Label(r.Model.Score(texts[i])) == labels[i] {
			r.Hits++
		}
	}
	return r, nil
}
