package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/numcheck"
	"github.com/marketbench/marketbench/assets/i18n"
)

// ExplainRequest asks for an explanation of a segment, a model, a
// campaign's or a journey's results.
type ExplainRequest struct {
	Kind, Name string
	// URL and Model override the settings; Timeout and Idle bound the
	// model as for copy (0: the defaults).
	URL, Model    string
	Timeout, Idle time.Duration
}

// Explanation is a short text about results, written by the local model
// from the facts the app computed, with every number in it checked
// against those facts.
type Explanation struct {
	Kind  string        `json:"kind"`
	Name  string        `json:"name"`
	Facts []ExplainFact `json:"facts"`
	// Text is the model's text with ⚠ after each number no fact backs.
	Text string `json:"text"`
	// Numbers are the numbers found in the text and the fact each matched.
	Numbers []numcheck.Number `json:"numbers"`
	// Unverified are the numbers no fact backs (after one retry).
	Unverified []string `json:"unverified"`
	// Retried: the first text had such numbers and was written again.
	Retried  bool   `json:"retried"`
	Language string `json:"language"`
	Model    string `json:"model"`
	// System and Prompt are what the model was sent (facts only).
	System string `json:"system"`
	Prompt string `json:"prompt"`
}

// Verified says whether every number of the text matched a fact.
func (e *Explanation) Verified() bool { return len(e.Unverified) == 0 }

// Warning is what to tell the user about unverified numbers, "" if none.
func (e *Explanation) Warning() string {
	if e.Verified() {
		return ""
	}
	return i18n.T("%d numbers in this text are not in the facts (marked %s): %s. Trust the facts list, not those numbers.",
		len(e.Unverified), numcheck.Mark, strings.Join(e.Unverified, ", "))
}

// ExplainResults computes the facts of a result and has the local model
// explain them in the language of the interface. A text whose numbers are
// not all in the facts is written once more with the list of those
// numbers; numbers still not in the facts are marked and listed. When the
// model cannot be reached the facts are returned with the error.
func (w *Workspace) ExplainResults(ctx context.Context, req ExplainRequest) (*Explanation, error) {
	req.Kind = strings.ToLower(strings.TrimSpace(req.Kind))
	if strings.TrimSpace(req.Name) == "" {
		return nil, i18n.Errorf("name the %s to explain", req.Kind)
	}
	fl, err := w.explainFacts(ctx, req.Kind, req.Name)
	if err != nil {
		return nil, err
	}
	lang := "English"
	if i18n.IsChinese() {
		lang = "Simplified Chinese (简体中文)"
	}
	e := &Explanation{Kind: req.Kind, Name: req.Name, Facts: fl.facts, Language: lang, Unverified: []string{}}
	e.System, e.Prompt = explainPrompts(req.Kind, req.Name, fl.facts, lang)
	cfg, err := llmConfig(req.URL, req.Model, req.Timeout, req.Idle)
	if err != nil {
		return e, err
	}
	c, err := llm.NewClient(cfg)
	if err != nil {
		return e, err
	}
	e.Model = c.Model()
	facts := checkFacts(fl.facts)
	text, nums, err := explainOnce(ctx, c, e.System, e.Prompt, facts, fl.names)
	if err != nil {
		return e, err
	}
	if bad := numcheck.Unverified(nums); len(bad) > 0 {
		e.Retried = true
		retry := e.Prompt + "\n\n" + fmt.Sprintf("Your previous text had numbers that are not in the facts: %s. "+
			"Write the text again using only numbers from the facts, copied or rounded; do not calculate new numbers.", numberList(bad))
		text2, nums2, err := explainOnce(ctx, c, e.System, retry, facts, fl.names)
		if err != nil {
			return e, err
		}
		text, nums = text2, nums2
	}
	e.Text = numcheck.Marked(text, nums)
	e.Numbers = nums
	for _, n := range numcheck.Unverified(nums) {
		e.Unverified = append(e.Unverified, n.Text)
	}
	return e, nil
}

func explainOnce(ctx context.Context, c *llm.Client, system, user string, facts []numcheck.Fact, names []string) (string, []numcheck.Number, error) {
	text, err := c.Reply(ctx, system, user, 0.2)
	if errors.Is(err, context.Canceled) {
		return "", nil, ErrCancelled
	}
	if err != nil {
		return "", nil, err
	}
	text = strings.ReplaceAll(text, numcheck.Mark, "") // only the checker marks
	return text, numcheck.Check(text, facts, names...), nil
}

func numberList(ns []numcheck.Number) string {
	var s []string
	for _, n := range ns {
		s = append(s, n.Text)
	}
	return strings.Join(s, ", ")
}

// checkFacts are the numeric facts, for the checker.
func checkFacts(fs []ExplainFact) []numcheck.Fact {
	var out []numcheck.Fact
	for _, f := range fs {
		if f.Value != nil {
			out = append(out, numcheck.Fact{Name: f.Label, Value: *f.Value, Share: f.Share})
		}
	}
	return out
}

// explainPrompts are the system and user prompts: instructions in
// English (models follow them best) and the facts as the user sees them.
// Facts hold aggregates only, never one customer's data.
func explainPrompts(kind, name string, facts []ExplainFact, lang string) (system, user string) {
	system = "You explain marketing analytics results to a marketer in plain words. " +
		"Write 3 to 5 short sentences in " + lang + ". Use only the facts you are given. " +
		"Every number you write must be one of the facts' numbers, copied or rounded; " +
		"never calculate new numbers (no sums, differences or ratios) and never guess. " +
		"Say what the result means for the marketer and what to do next. No headings, no lists."
	var b strings.Builder
	fmt.Fprintf(&b, "Explain the results of the %s %q.\n\nFacts:\n", kind, name)
	for _, f := range facts {
		fmt.Fprintf(&b, "- %s: %s\n", f.Label, f.Text)
	}
	return system, strings.TrimRight(b.String(), "\n")
}
