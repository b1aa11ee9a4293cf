// Package text turns free text into features and simple models: a
// Unicode-aware tokeniser (dictionary-free for Chinese), a TF-IDF vectoriser
// matching scikit-learn's TfidfVectorizer defaults, multinomial naive Bayes,
// per-group keywords, a binary sentiment model and a Classifier for any
// set of user labels (naive Bayes or logistic regression). docs/TEXT.md
// describes them.
//
// Everything is pure computation; models serialise to bytes and the caller
// stores them.
package text
