// Package evaltest helps test the evaluation harness without the
// assistant: a minimal real asker (the question and the schema to Ollama
// through langchaingo, the SQL it returns run read-only like the console),
// a script for the fake Ollama that answers chosen questions wrongly, and a
// scan of prompts for the project's personal data.
package evaltest

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/eval"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

// ClarifyPrefix starts a reply that asks back instead of answering.
const ClarifyPrefix = "CLARIFY:"

// SQLAsker asks the Ollama at url with a prompt built from the project's
// table and column names only, and runs the SELECT it returns with the
// console's guard and limits.
func SQLAsker(url, defaultModel string) eval.Asker {
	return func(ctx context.Context, w *core.Workspace, question, model string) (*eval.Answer, error) {
		if model == "" {
			model = defaultModel
		}
		tables, err := w.Tables(ctx)
		if err != nil {
			return nil, err
		}
		var schema strings.Builder
		for _, t := range tables {
			var cols []string
			for _, c := range t.Columns {
				cols = append(cols, c.Name+" "+c.Type)
			}
			fmt.Fprintf(&schema, "%s(%s)\n", t.Name, strings.Join(cols, ", "))
		}
		m, err := ollama.New(ollama.WithServerURL(url), ollama.WithModel(model))
		if err != nil {
			return nil, err
		}
		resp, err := m.GenerateContent(ctx, []llms.MessageContent{
			llms.TextParts(llms.ChatMessageTypeSystem, "Answer with one DuckDB SELECT statement over these tables, or "+ClarifyPrefix+
				" and a question when the question is ambiguous.\n"+schema.String()),
			llms.TextParts(llms.ChatMessageTypeHuman, question),
		}, llms.WithTemperature(0))
		if err != nil {
			return nil, classify(ctx, url, model, err)
		}
		reply := strings.TrimSpace(resp.Choices[0].Content)
		if q, ok := strings.CutPrefix(reply, ClarifyPrefix); ok {
			return &eval.Answer{Clarify: strings.TrimSpace(q)}, nil
		}
		sql := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(reply, "```sql"), "```"), "```"))
		res, err := w.SQL(ctx, sql)
		if err != nil {
			return nil, err
		}
		ans := &eval.Answer{SQL: sql, Columns: res.Columns}
		for _, r := range res.Rows {
			row := make([]any, len(r))
			for i, v := range r {
				row[i] = v
			}
			ans.Rows = append(ans.Rows, row)
		}
		return ans, nil
	}
}

// classify gives the errors that stop a run the app's types.
func classify(ctx context.Context, url, model string, err error) error {
	var ue *neturl.Error
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case strings.Contains(err.Error(), "not found"):
		return &llm.ModelMissingError{Model: model}
	case errors.As(err, &ue), errors.As(err, &ne):
		return &llm.UnreachableError{URL: url, Err: err}
	}
	return err
}

// Script makes s answer every question of the set with its expected SQL,
// except those in wrong, which get the SQL given there (or, when it starts
// with ClarifyPrefix, a clarifying question).
func Script(s *ollamatest.Server, wrong map[string]string) error {
	items, err := eval.Questions("")
	if err != nil {
		return err
	}
	byQuestion := map[string]string{}
	for _, it := range items {
		byQuestion[it.Question] = it.SQL
		if w, ok := wrong[it.ID]; ok {
			byQuestion[it.Question] = w
		}
	}
	s.OnFunc(func(r ollamatest.Request) (string, bool) {
		if a, ok := byQuestion[strings.TrimSpace(r.User)]; ok {
			return a, true
		}
		// The assistant's prompt: the schema, then "Question: Q" last. (Its
		// prompt for the answer in words goes on after the question, so it
		// does not match and gets no words.)
		if i := strings.LastIndex(r.User, "Question: "); i >= 0 {
			a, ok := byQuestion[strings.TrimSpace(r.User[i+len("Question: "):])]
			return a, ok
		}
		return "", false
	})
	return nil
}

var hanName = regexp.MustCompile(`^\p{Han}+$`)

// PersonalValues are the values of the demo's personal-data columns in w:
// customer ids, e-mail addresses, phone numbers and full names.
func PersonalValues(ctx context.Context, w *core.Workspace) ([]string, error) {
	res, err := w.ReadOnly(ctx, `SELECT customer_id, email, phone, first_name || ' ' || last_name, last_name || first_name FROM customers`, 0, core.ConsoleTimeout)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range res.Rows {
		for i, v := range r {
			// Chinese full names are written surname first, without a space.
			if v = strings.TrimSpace(v); v != "" && (i != 4 || hanName.MatchString(v)) {
				seen[v] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out, nil
}

// Leaks returns the values that occur in any of the prompts.
func Leaks(prompts []string, values []string) []string {
	all := strings.Join(prompts, "\n")
	var out []string
	for _, v := range values {
		if strings.Contains(all, v) {
			out = append(out, v)
		}
	}
	return out
}
