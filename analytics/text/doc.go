// Package text turns free text into features and simple models: a
// Unicode-aware tokeniser (dictionary-free for Chinese), a TF-IDF vectoriser
// matching scikit-learn's TfidfVectorizer defaults, multinomial naive Bayes,
// per-group keywords and a binary sentiment model.
//
// Everything is pure computation; models serialise to bytes and the caller
// stores them.
package text
