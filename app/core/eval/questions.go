// Package eval measures how well a language model answers questions about
// data: a fixed set of questions in English and Chinese over the demo
// projects, each with the SQL whose result is the right answer. A model is
// asked through an Asker (the assistant's Ask), its result compared with
// the expected one, and the accuracy reported, so a user can choose a model
// by measurement.
package eval

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// questions.json was written by hand for Marketbench (issue 15); its
// "about" says how. The expected answers are not stored: they are the
// results of each question's SQL on a fresh demo, so they follow the demo.
//
//go:embed questions.json
var questionsJSON []byte

// Languages of the question set, each asked over the demo in that language.
const (
	English = "en"
	Chinese = "zh"
)

// Item is one question with the SQL of its answer.
type Item struct {
	ID       string `json:"id"`
	Lang     string `json:"lang"`
	Question string `json:"question"`
	SQL      string `json:"sql"`
	// Ordered: the question asks for an order, so rows must come in it.
	Ordered bool `json:"ordered,omitempty"`
	// Ambiguous: a clarifying question is a right answer too.
	Ambiguous bool `json:"ambiguous,omitempty"`
}

// Questions returns the question set, or only the questions in lang ("en"
// or "zh"; "" for all).
func Questions(lang string) ([]Item, error) {
	var set struct {
		Questions []Item `json:"questions"`
	}
	if err := json.Unmarshal(questionsJSON, &set); err != nil {
		return nil, fmt.Errorf("eval: questions.json: %w", err)
	}
	lang = strings.ToLower(strings.TrimSpace(lang))
	switch lang {
	case "", English, Chinese:
	case "zh-cn", "zh-hans":
		lang = Chinese
	default:
		return nil, i18n.Errorf("no questions in %q; choose en (English) or zh (Chinese)", lang)
	}
	var out []Item
	for _, it := range set.Questions {
		if lang == "" || it.Lang == lang {
			out = append(out, it)
		}
	}
	return out, nil
}
