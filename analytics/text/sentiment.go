package text

import (
	"encoding/json"
	"math"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Model is a binary sentiment model on TF-IDF features: multinomial naive
// Bayes, or (Lin) one linear score. Label 1 is positive, 0 negative.
type Model struct {
	Vec *Vectorizer
	NB  *NB     // nil when Lin is set
	Lin *Linear // nil for a naive Bayes model
}

// Linear is a logistic score P(positive) = sigmoid(B + W·x).
type Linear struct {
	W []float64 // per term
	B float64
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
	// Blend also fits L2 logistic regression (with C; 0 means 1) on the
	// same features and keeps the mean of the two models' log-odds. Both
	// are linear in x, so the blend is one weight per term: no bigger than
	// naive Bayes, and in our tests steadier across domains than either.
	Blend bool
	C     float64
}

// TrainSentiment fits a model on texts with labels 0 (negative) or 1
// (positive); both must occur.
func TrainSentiment(texts []string, labels []int, opt SentimentOptions) (*Model, error) {
	if len(texts) != len(labels) {
		return nil, msg.Errorf("text: %d texts but %d labels", len(texts), len(labels))
	}
	for i, l := range labels {
		if l != 0 && l != 1 {
			return nil, msg.Errorf("text: label %d of row %d is not 0 or 1", l, i)
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
	X := v.TransformAll(texts)
	nb, err := FitNB(X, labels, 2, len(v.Terms), opt.Alpha)
	if err != nil {
		return nil, err
	}
	if !opt.Blend {
		return &Model{Vec: v, NB: nb}, nil
	}
	if opt.C == 0 {
		opt.C = 1
	}
	// A loose tolerance suffices: the blend moves far more than 1e-5.
	lr, _, err := fitLogReg(X, labels, 2, len(v.Terms), opt.C, 1e-5, 300)
	if err != nil {
		return nil, err
	}
	// NB's log-odds are prior1-prior0 + Σ x_j (logp1_j - logp0_j).
	lin := &Linear{W: make([]float64, len(v.Terms))}
	w := lr.W[0]
	for j := range lin.W {
		lin.W[j] = 0.5*(nb.FeatureLogProb[1][j]-nb.FeatureLogProb[0][j]) + 0.5*w[j]
	}
	lin.B = 0.5*(nb.ClassLogPrior[1]-nb.ClassLogPrior[0]) + 0.5*w[len(w)-1]
	return &Model{Vec: v, Lin: lin}, nil
}

// Score returns the probability that text is positive. Text with no known
// words gets the class prior (naive Bayes) or sigmoid(B) (Lin).
func (m *Model) Score(text string) float64 {
	p, _ := m.ScoreKnown(text)
	return p
}

// ScoreKnown is Score, and whether any term of text is in the model's
// vocabulary: without one the score is only the base rate.
func (m *Model) ScoreKnown(text string) (p float64, known bool) {
	x := m.Vec.Transform(text)
	return m.score(x), len(x.Idx) > 0
}

func (m *Model) score(x Vec) float64 {
	if m.Lin != nil {
		z := m.Lin.B
		for p, j := range x.Idx {
			z += m.Lin.W[j] * x.Val[p]
		}
		return sigmoid(z)
	}
	lp := m.NB.LogProba(x)
	return sigmoid(lp[1] - lp[0])
}

// Label turns a Score into 1 (positive) or 0 (negative).
func Label(prob float64) int {
	if prob >= 0.5 {
		return 1
	}
	return 0
}

// modelVersion is the newest format Marshal writes: 1 for naive Bayes, 2
// once a model has Lin or cuts Chinese into words, so older readers refuse
// what they cannot score. Files from before versioning have no Version and
// are still read.
const modelVersion = 2

type modelFile struct {
	Version int `json:",omitempty"`
	Vec     *Vectorizer
	NB      *NB     `json:",omitempty"`
	Lin     *Linear `json:",omitempty"`
}

// Marshal encodes the model as versioned JSON, so a default model can ship
// as an asset.
func (m *Model) Marshal() ([]byte, error) {
	v := 1
	if m.Lin != nil || m.Vec.Tok.Words {
		v = 2
	}
	return json.Marshal(modelFile{Version: v, Vec: m.Vec, NB: m.NB, Lin: m.Lin})
}

// Unmarshal decodes a model written by Marshal and checks its shape and
// values, so a corrupt asset fails here rather than panicking in Score. A
// model that cuts Chinese into words needs UnmarshalWith.
func Unmarshal(b []byte) (*Model, error) { return UnmarshalWith(b, nil) }

// UnmarshalWith is Unmarshal with the segmenter that a model fitted with
// Tokenizer.Words scores with; seg may be nil for other models.
func UnmarshalWith(b []byte, seg Segmenter) (*Model, error) {
	var f modelFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, msg.Errorf("text: decoding sentiment model: %w", err)
	}
	if f.Version > modelVersion {
		return nil, msg.Errorf("text: sentiment model has format %d; this program reads up to %d", f.Version, modelVersion)
	}
	bad := msg.Errorf("text: sentiment model is incomplete or inconsistent")
	if f.Version < 0 || f.Vec == nil || (f.NB == nil) == (f.Lin == nil) {
		return nil, bad
	}
	if f.Vec.Tok.Words {
		if seg == nil {
			return nil, msg.Errorf("text: this sentiment model cuts Chinese into words: load it with a segmenter")
		}
		f.Vec.Tok.Seg = seg
	}
	v, err := checkVectorizer(f.Vec.Tok, f.Vec.Terms, f.Vec.IDF)
	if err != nil {
		return nil, msg.Errorf("%w: %v", bad, err)
	}
	if f.Lin != nil {
		if len(f.Lin.W) != len(v.Terms) || !finite(f.Lin.W, maxAbs) || !finite([]float64{f.Lin.B}, maxAbs) {
			return nil, msg.Errorf("%w: linear weights of the wrong size or out of range", bad)
		}
		return &Model{Vec: v, Lin: f.Lin}, nil
	}
	if err := checkNB(f.NB.ClassLogPrior, f.NB.FeatureLogProb, 2, len(v.Terms)); err != nil {
		return nil, msg.Errorf("%w: %v", bad, err)
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
