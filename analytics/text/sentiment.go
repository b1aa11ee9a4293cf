package text

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Model is a binary sentiment model: TF-IDF features and multinomial naive
// Bayes. Label 1 is positive, 0 negative.
type Model struct {
	Vec *Vectorizer
	NB  *NB
}

// SentimentOptions configures TrainSentiment; the zero value is a sound
// default.
type SentimentOptions struct {
	// Tok tokenises; nil means word unigrams and bigrams with stop words
	// kept, since "not good" carries the sentiment.
	Tok *Tokenizer
	// MinDF drops rarer terms; 0 means 1.
	MinDF int
	// Alpha is the naive Bayes smoothing; 0 means 1.
	Alpha float64
}

// TrainSentiment fits a model on texts with labels 0 (negative) or 1
// (positive); both must occur.
func TrainSentiment(texts []string, labels []int, opt SentimentOptions) (*Model, error) {
	if len(texts) != len(labels) {
		return nil, fmt.Errorf("text: %d texts but %d labels", len(texts), len(labels))
	}
	for i, l := range labels {
		if l != 0 && l != 1 {
			return nil, fmt.Errorf("text: label %d of row %d is not 0 or 1", l, i)
		}
	}
	tok := Tokenizer{NGram: 2}
	if opt.Tok != nil {
		tok = *opt.Tok
	}
	if opt.Alpha == 0 {
		opt.Alpha = 1
	}
	v, err := Fit(texts, VecOptions{Tok: tok, MinDF: opt.MinDF})
	if err != nil {
		return nil, err
	}
	nb, err := FitNB(v.TransformAll(texts), labels, 2, len(v.Terms), opt.Alpha)
	if err != nil {
		return nil, err
	}
	return &Model{Vec: v, NB: nb}, nil
}

// Score returns the probability that text is positive. Text with no known
// words gets the class prior.
func (m *Model) Score(text string) float64 {
	lp := m.NB.LogProba(m.Vec.Transform(text))
	return sigmoid(lp[1] - lp[0])
}

// Label turns a Score into 1 (positive) or 0 (negative).
func Label(prob float64) int {
	if prob >= 0.5 {
		return 1
	}
	return 0
}

// modelVersion is written by Marshal. Files from before versioning have
// no Version and are still read.
const modelVersion = 1

type modelFile struct {
	Version int `json:",omitempty"`
	Vec     *Vectorizer
	NB      *NB
}

// Marshal encodes the model as versioned JSON, so a default model can ship
// as an asset.
func (m *Model) Marshal() ([]byte, error) {
	return json.Marshal(modelFile{Version: modelVersion, Vec: m.Vec, NB: m.NB})
}

// Unmarshal decodes a model written by Marshal and checks its shape and
// values, so a corrupt asset fails here rather than panicking in Score.
func Unmarshal(b []byte) (*Model, error) {
	var f modelFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("text: decoding sentiment model: %w", err)
	}
	if f.Version > modelVersion {
		return nil, fmt.Errorf("text: sentiment model has format %d; this program reads up to %d", f.Version, modelVersion)
	}
	bad := errors.New("text: sentiment model is incomplete or inconsistent")
	if f.Version < 0 || f.Vec == nil || f.NB == nil {
		return nil, bad
	}
	v, err := checkVectorizer(f.Vec.Tok, f.Vec.Terms, f.Vec.IDF)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", bad, err)
	}
	if err := checkNB(f.NB.ClassLogPrior, f.NB.FeatureLogProb, 2, len(v.Terms)); err != nil {
		return nil, fmt.Errorf("%w: %v", bad, err)
	}
	return &Model{Vec: v, NB: f.NB}, nil
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
