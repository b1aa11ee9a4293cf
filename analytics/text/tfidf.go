package text

import (
	"math"
	"sort"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Vec is a sparse row: Val[k] is the value of column Idx[k], Idx ascending.
type Vec struct {
	Idx []int
	Val []float64
}

// Vectorizer is a fitted TF-IDF vocabulary. With the default options it
// matches scikit-learn's TfidfVectorizer (smooth_idf=True, sublinear_tf=False,
// norm="l2") given the same tokens: idf = ln((1+n)/(1+df)) + 1, a row is
// count·idf scaled to unit length.
type Vectorizer struct {
	Tok   Tokenizer
	Terms []string  // sorted, like sklearn's feature order
	IDF   []float64 // per term
	index map[string]int
}

// VecOptions configures Fit.
type VecOptions struct {
	Tok Tokenizer
	// MinDF drops terms found in fewer documents (like an integer min_df).
	MinDF int
	// MaxFeatures keeps the terms with the highest corpus counts; 0 keeps all.
	// Ties go to the alphabetically first term.
	MaxFeatures int
}

// Fit tokenises texts and fits the vocabulary and idf.
func Fit(texts []string, opt VecOptions) (*Vectorizer, error) {
	docs := make([][]string, len(texts))
	for i, s := range texts {
		docs[i] = opt.Tok.Tokens(s)
	}
	return FitTokens(docs, opt)
}

// FitTokens fits on documents that are already tokens; opt.Tok is kept for
// Transform of raw text.
func FitTokens(docs [][]string, opt VecOptions) (*Vectorizer, error) {
	if len(docs) == 0 {
		return nil, msg.Errorf("text: no documents")
	}
	df := map[string]int{}
	tf := map[string]int{}
	for _, d := range docs {
		seen := map[string]bool{}
		for _, w := range d {
			tf[w]++
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	var terms []string
	for w, n := range df {
		if n >= opt.MinDF {
			terms = append(terms, w)
		}
	}
	if len(terms) == 0 {
		return nil, msg.Errorf("text: no terms left; lower MinDF or add text")
	}
	sort.Strings(terms)
	if opt.MaxFeatures > 0 && len(terms) > opt.MaxFeatures {
		// Stable on the sorted terms, so ties keep alphabetical order.
		sort.SliceStable(terms, func(i, j int) bool { return tf[terms[i]] > tf[terms[j]] })
		terms = terms[:opt.MaxFeatures]
		sort.Strings(terms)
	}
	n := float64(len(docs))
	idf := make([]float64, len(terms))
	for i, w := range terms {
		idf[i] = math.Log((1+n)/(1+float64(df[w]))) + 1
	}
	v := &Vectorizer{Tok: opt.Tok, Terms: terms, IDF: idf}
	v.buildIndex()
	return v, nil
}

// buildIndex maps terms to columns. Fit and the decoders call it up front so
// that a fitted or decoded Vectorizer is read-only afterwards and safe to
// share between goroutines; Counts builds it lazily only for a Vectorizer
// assembled by hand.
func (v *Vectorizer) buildIndex() {
	v.index = make(map[string]int, len(v.Terms))
	for i, w := range v.Terms {
		v.index[w] = i
	}
}

// Transform returns the TF-IDF row of one text.
func (v *Vectorizer) Transform(s string) Vec { return v.TransformTokens(v.Tok.Tokens(s)) }

// TransformTokens returns the unit-length TF-IDF row of a token list;
// unknown tokens are ignored and a document without known tokens is empty.
func (v *Vectorizer) TransformTokens(toks []string) Vec {
	r := v.Counts(toks)
	var ss float64
	for k, j := range r.Idx {
		r.Val[k] *= v.IDF[j]
		ss += r.Val[k] * r.Val[k]
	}
	if ss > 0 {
		nrm := math.Sqrt(ss)
		for k := range r.Val {
			r.Val[k] /= nrm
		}
	}
	return r
}

// Counts returns the raw term counts of a token list over the vocabulary.
func (v *Vectorizer) Counts(toks []string) Vec {
	if v.index == nil {
		v.buildIndex()
	}
	c := map[int]float64{}
	for _, w := range toks {
		if j, ok := v.index[w]; ok {
			c[j]++
		}
	}
	r := Vec{Idx: make([]int, 0, len(c)), Val: make([]float64, 0, len(c))}
	for j := range c {
		r.Idx = append(r.Idx, j)
	}
	sort.Ints(r.Idx)
	for _, j := range r.Idx {
		r.Val = append(r.Val, c[j])
	}
	return r
}

// TransformAll returns one TF-IDF row per text.
func (v *Vectorizer) TransformAll(texts []string) []Vec {
	out := make([]Vec, len(texts))
	for i, s := range texts {
		out[i] = v.Transform(s)
	}
	return out
}
