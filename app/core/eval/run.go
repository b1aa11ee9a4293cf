package eval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Answer is what the assistant gave: the SQL it ran and its result, or a
// clarifying question instead.
type Answer struct {
	SQL     string
	Columns []string
	Rows    [][]any
	Clarify string
}

// Asker asks the assistant one question about w's project with model ("":
// the configured one). It is the assistant's Ask behind a small adapter.
type Asker func(ctx context.Context, w *core.Workspace, question, model string) (*Answer, error)

// Assistant is the Asker users have: the workspace's own Ask (the
// configured Ollama, the same prompt, guard and retry as `marketbench ask`).
func Assistant(ctx context.Context, w *core.Workspace, question, model string) (*Answer, error) {
	a, err := w.Ask(ctx, core.AskRequest{Question: question, Model: model})
	if a == nil {
		return nil, err
	}
	// A failed attempt still has the SQL it tried; the error says why.
	return &Answer{SQL: a.SQL, Columns: a.Columns, Rows: a.Rows, Clarify: a.Clarify}, err
}

// DefaultTimeout bounds one question: a local model on a laptop may need a
// minute to load and another to write.
const DefaultTimeout = 2 * time.Minute

// Options of a run.
type Options struct {
	// Model is passed to the Asker and named in the report.
	Model string
	// Lang is "en", "zh" or "" for both.
	Lang string
	// Timeout bounds each question; 0 means DefaultTimeout.
	Timeout time.Duration
	// Demo sets the demo projects' sizes (its Locale is ignored); the
	// zero value is the demo as users get it.
	Demo core.DemoOptions
	// Progress, when set, hears each stage.
	Progress core.Progress
}

// ItemResult is one question's outcome.
type ItemResult struct {
	ID        string  `json:"id"`
	Lang      string  `json:"lang"`
	Question  string  `json:"question"`
	Correct   bool    `json:"correct"`
	Reason    string  `json:"reason,omitempty"`
	SQL       string  `json:"sql,omitempty"`
	Clarify   string  `json:"clarify,omitempty"`
	Ambiguous bool    `json:"ambiguous,omitempty"`
	Seconds   float64 `json:"seconds"`
}

// Score is the accuracy over some questions.
type Score struct {
	Lang      string  `json:"lang,omitempty"`
	Questions int     `json:"questions"`
	Correct   int     `json:"correct"`
	Accuracy  float64 `json:"accuracy"`
}

func (s *Score) add(ok bool) {
	s.Questions++
	if ok {
		s.Correct++
	}
	s.Accuracy = float64(s.Correct) / float64(s.Questions)
}

// Report is a whole run.
type Report struct {
	Model string `json:"model"`
	Score
	ByLang  []Score      `json:"by_lang"`
	Items   []ItemResult `json:"items"`
	Seconds float64      `json:"seconds"`
}

// Failed lists the questions answered wrongly.
func (r *Report) Failed() []ItemResult {
	var out []ItemResult
	for _, it := range r.Items {
		if !it.Correct {
			out = append(out, it)
		}
	}
	return out
}

var demoLocale = map[string]string{English: "en", Chinese: "zh-CN"}

// Run creates the demo project of each language in a temporary folder
// (removed afterwards), asks every question through ask, one at a time
// with opt.Timeout each, and compares each answer with the result of the
// question's SQL. A question that fails or times out is wrong and the run
// goes on; Ollama missing (not running, no such model) stops the run with
// its error, and so does cancelling ctx (core.ErrCancelled).
func Run(ctx context.Context, ask Asker, opt Options) (*Report, error) {
	if ask == nil {
		return nil, i18n.Errorf("no assistant to evaluate")
	}
	items, err := Questions(opt.Lang)
	if err != nil {
		return nil, err
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	progress := func(stage string, f float64) {
		if opt.Progress != nil {
			opt.Progress(stage, f)
		}
	}
	dir, err := os.MkdirTemp("", "mb-eval-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	rep := &Report{Model: opt.Model}
	byLang := map[string]*Score{}
	done := 0
	for _, lang := range []string{English, Chinese} {
		var mine []Item
		for _, it := range items {
			if it.Lang == lang {
				mine = append(mine, it)
			}
		}
		if len(mine) == 0 {
			continue
		}
		progress(i18n.T("Creating the demo project (%s)", lang), float64(done)/float64(len(items)))
		demo := opt.Demo
		demo.Locale = demoLocale[lang]
		w, err := core.CreateDemo(ctx, filepath.Join(dir, "demo-"+lang+storage.Ext), demo, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, core.ErrCancelled
			}
			return nil, i18n.Errorf("creating the demo project for the evaluation: %w", err)
		}
		score := &Score{Lang: lang}
		byLang[lang] = score
		for _, it := range mine {
			progress(i18n.T("Question %d of %d", done+1, len(items)), float64(done)/float64(len(items)))
			res, err := askOne(ctx, w, ask, it, opt)
			if err != nil {
				w.Close()
				return nil, err
			}
			rep.Items = append(rep.Items, *res)
			score.add(res.Correct)
			rep.Score.add(res.Correct)
			done++
		}
		w.Close()
		rep.ByLang = append(rep.ByLang, *score)
	}
	rep.Seconds = time.Since(start).Seconds()
	progress(i18n.T("Done"), 1)
	return rep, nil
}

// askOne asks one question and judges the answer. Only errors that end
// the run are returned.
func askOne(ctx context.Context, w *core.Workspace, ask Asker, it Item, opt Options) (*ItemResult, error) {
	res := &ItemResult{ID: it.ID, Lang: it.Lang, Question: it.Question, Ambiguous: it.Ambiguous}
	want, err := w.ReadOnly(ctx, it.SQL, 0, core.ConsoleTimeout)
	if err != nil {
		if ctx.Err() != nil {
			return nil, core.ErrCancelled
		}
		return nil, i18n.Errorf("the expected answer of %s could not be computed: %w", it.ID, err)
	}
	qctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	start := time.Now()
	ans, err := ask(qctx, w, it.Question, opt.Model)
	res.Seconds = time.Since(start).Seconds()
	switch {
	case ctx.Err() != nil:
		return nil, core.ErrCancelled
	case err != nil && (errors.Is(qctx.Err(), context.DeadlineExceeded) || isTimeout(err)):
		res.Reason = i18n.T("no answer within %s", opt.Timeout)
		return res, nil
	case llm.Fallback(err):
		// Ollama is not running or lacks the model: every question would
		// fail the same way, so say so once.
		return nil, err
	case err != nil:
		res.Reason = i18n.T("the assistant failed: %s", oneLine(i18n.Error(err)))
		return res, nil
	case ans == nil:
		res.Reason = i18n.T("the assistant gave no answer")
		return res, nil
	}
	res.SQL = ans.SQL
	if strings.TrimSpace(ans.Clarify) != "" {
		res.Clarify = ans.Clarify
		if it.Ambiguous {
			res.Correct = true
			res.Reason = i18n.T("asked a clarifying question, as this question deserves")
		} else {
			res.Reason = i18n.T("asked a clarifying question instead of answering")
		}
		return res, nil
	}
	cols := len(ans.Columns)
	for _, r := range ans.Rows {
		cols = max(cols, len(r))
	}
	v := Compare(want, ans.Rows, cols, it.Ordered)
	res.Correct, res.Reason = v.Correct, v.Reason
	return res, nil
}

func isTimeout(err error) bool {
	var t *llm.TimeoutError
	return errors.As(err, &t)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
