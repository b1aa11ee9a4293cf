// Package assets holds resources built into the binary.
package assets

import (
	_ "embed"
	"fmt"

	"github.com/marketbench/marketbench/analytics/text"
)

//go:generate go run ./gensentiment

// Icon is the application icon (256×256 PNG).
//
//go:embed icon.png
var Icon []byte

// sentimentEN is the default English sentiment model, written by
// gensentiment (see docs/TEXT.md for its data and held-out accuracy).
//
//go:embed models/sentiment-en.json
var sentimentEN []byte

// Sentiment decodes the built-in English sentiment model: TF-IDF and naive
// Bayes trained on 1,600 UCI Sentiment Labelled Sentences (Kotzias et al.,
// KDD 2015), 78.75 % accurate on the 400 held out. Each call returns a new
// Model; a Model is read-only once decoded, so callers may keep and share
// one.
func Sentiment() (*text.Model, error) {
	m, err := text.Unmarshal(sentimentEN)
	if err != nil {
		return nil, fmt.Errorf("assets: built-in sentiment model: %w", err)
	}
	return m, nil
}
