// Package assets holds resources built into the binary.
package assets

import (
	"embed"
	"fmt"
	"sync"

	"github.com/marketbench/marketbench/analytics/text"
)

//go:generate go run ./gensentiment

// Icon is the application icon (256×256 PNG).
//
//go:embed icon.png
var Icon []byte

// CJKFont is Droid Sans Fallback (DroidSansFallbackFull.ttf, 4 MB,
// TrueType outlines), which covers Chinese, Japanese and Korean as well as
// basic Latin. Charts draw with it the text their Latin font lacks when the
// system has no CJK font. Apache License 2.0; see fonts/NOTICE.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var CJKFont []byte

// sentimentEN is the default English sentiment model, written by
// gensentiment (see docs/TEXT.md for its data and held-out accuracy).
//
//go:embed models/sentiment-en.json
var sentimentEN []byte

// vaderLexicon is the VADER sentiment lexicon (Hutto & Gilbert, ICWSM
// 2014; MIT License): see lexicon/NOTICE.
//
//go:embed lexicon/vader_lexicon.txt
var vaderLexicon []byte

var lexicon = sync.OnceValues(func() (*text.Lexicon, error) {
	l, err := text.ParseLexicon(vaderLexicon)
	if err != nil {
		return nil, fmt.Errorf("assets: built-in lexicon: %w", err)
	}
	return l, nil
})

// Lexicon returns the VADER English sentiment lexicon (7,490 lower-case
// tokens with valences from −4 to +4), parsed once and shared: a Lexicon
// is read-only.
func Lexicon() (*text.Lexicon, error) { return lexicon() }

// Sentiment decodes the built-in English sentiment model: TF-IDF naive
// Bayes on words and word pairs, stacked with the VADER lexicon's scores,
// trained on 1,600 UCI Sentiment Labelled Sentences (Kotzias et al., KDD
// 2015); see docs/TEXT.md for its accuracy. Each call returns a new Model;
// a Model is read-only once decoded, so callers may keep and share one.
func Sentiment() (*text.Model, error) {
	lex, err := Lexicon()
	if err != nil {
		return nil, err
	}
	m, err := text.Load(sentimentEN, text.LoadOptions{Lex: lex})
	if err != nil {
		return nil, fmt.Errorf("assets: built-in sentiment model: %w", err)
	}
	return m, nil
}

// sentimentZH is the default Chinese sentiment model, written by
// gensentiment (see docs/TEXT.md).
//
//go:embed models/sentiment-zh.json
var sentimentZH []byte

// SentimentZH decodes the built-in Chinese sentiment model: TF-IDF on
// words cut by Segmenter, naive Bayes blended with logistic regression,
// trained on online shopping reviews (SophonPlus/ChineseNlpCorpus) without
// the hotel category. The first call loads the segmenter.
func SentimentZH() (*text.Model, error) {
	seg, err := Segmenter()
	if err != nil {
		return nil, err
	}
	m, err := text.UnmarshalWith(sentimentZH, seg)
	if err != nil {
		return nil, fmt.Errorf("assets: built-in Chinese sentiment model: %w", err)
	}
	return m, nil
}

// SentimentBilingual pairs the English and Chinese models: each text is
// scored by the model of its language (text.IsChinese).
func SentimentBilingual() (text.Bilingual, error) {
	en, err := Sentiment()
	if err != nil {
		return text.Bilingual{}, err
	}
	zh, err := SentimentZH()
	if err != nil {
		return text.Bilingual{}, err
	}
	return text.Bilingual{EN: en, ZH: zh}, nil
}

// prompts are the default prompt templates (Go text/template), read by
// app/llm; a user's file of the same name overrides one.
//
//go:embed prompts/*.tmpl
var prompts embed.FS

// Prompt returns a built-in prompt template by file name ("sms.tmpl").
func Prompt(name string) (string, error) {
	b, err := prompts.ReadFile("prompts/" + name)
	if err != nil {
		return "", fmt.Errorf("assets: no built-in prompt %q", name)
	}
	return string(b), nil
}

// PromptNames lists the built-in prompt templates, sorted.
func PromptNames() []string {
	entries, _ := prompts.ReadDir("prompts")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
