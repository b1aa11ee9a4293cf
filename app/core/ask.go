package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/ask"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// AskRequest is a question about the project's data in words.
type AskRequest struct {
	Question string
	// AllowValues lets this request send personal values of the result
	// (names, e-mails…) to the model to phrase the answer; without it
	// they are withheld.
	AllowValues bool
	Model       string // "" = the configured model
}

// AskAnswer is what Ask found. When the query failed twice Ask returns
// the answer so far (the SQL, to edit) with the error.
type AskAnswer struct {
	Question, SQL string
	Clarify       string // non-empty: the model asked this instead of answering
	Columns       []string
	Rows          [][]any // numbers as int64 or float64, the rest as text
	Chart         string  // the chart kind chosen ("" none), see AskChartKinds
	Words         string  // short answer in words, numbers checked
	Unverified    []string
	Attempts      int
	Truncated     bool // the result had more rows than the console shows
}

// AskTimeout bounds each answer of the model and AskIdle its silence; 0
// means llm's defaults.
var AskTimeout, AskIdle time.Duration

// AskUnverifiedMark follows a number in Words that the result does not hold.
const AskUnverifiedMark = " [?]"

// AskFailedError is the query still failing after the retry.
type AskFailedError struct {
	SQL string
	Err error
}

func (e *AskFailedError) Error() string {
	f, args := e.Message()
	return fmt.Sprintf(f, args...)
}

// Message is the error as a format and its arguments, which i18n.Error
// translates.
func (e *AskFailedError) Message() (string, []any) {
	return i18n.Mark("the model's query failed twice (%s); the SQL is shown: fix it and run it, or ask in other words (name the table or column)"),
		[]any{e.Err}
}

func (e *AskFailedError) Unwrap() error { return e.Err }

// ErrNoQuery means the model answered with neither a query nor a question.
var ErrNoQuery = errors.New(i18n.Mark("the model answered without a query"))

// Ask answers a question in words: the model writes one SELECT from the
// schema, the roles and aggregates (no personal values), the query passes
// the console's guard and runs read-only with its limits; a failure is
// given back to the model once. The model then phrases the answer from
// the result, and every number of its words is checked against the result.
func (w *Workspace) Ask(ctx context.Context, r AskRequest) (*AskAnswer, error) {
	q := strings.TrimSpace(r.Question)
	if q == "" {
		return nil, i18n.Errorf("ask a question first, e.g. \"how many customers per city?\"")
	}
	cfg, err := llmConfig("", r.Model, AskTimeout, AskIdle)
	if err != nil {
		return nil, err
	}
	c, err := llm.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	sch, err := w.askSchema(ctx)
	if err != nil {
		return nil, err
	}
	sys, user := ask.Prompt(sch, q)
	msgs := []llm.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}
	a := &AskAnswer{Question: q}
	var res *storage.Result
	for a.Attempts < 2 {
		a.Attempts++
		reply, err := c.Chat(ctx, msgs, 0)
		if err != nil {
			return nil, err
		}
		p := ask.Parse(reply)
		if p.Clarify != "" {
			a.Clarify, a.SQL = p.Clarify, ""
			return a, nil
		}
		a.SQL = p.SQL
		var problem error
		if p.SQL == "" {
			problem = ErrNoQuery
		} else {
			res, problem = w.askRun(ctx, p.SQL)
		}
		if problem == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if a.Attempts == 2 {
			return a, &AskFailedError{SQL: a.SQL, Err: problem}
		}
		msgs = append(msgs, llm.Message{Role: "assistant", Content: reply},
			llm.Message{Role: "user", Content: ask.RetryPrompt(withholdQuoted(problem.Error(), p.SQL))})
	}
	w.fill(a, res)
	if len(res.Rows) > 0 {
		words, err := w.askWords(ctx, c, a, res, r.AllowValues)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Without words the answer still stands: the table says it.
		if err == nil {
			a.Words, a.Unverified = words.text, words.unverified
		}
	}
	return a, nil
}

// AskSQL runs an edited query through the same guard and limits as Ask.
func (w *Workspace) AskSQL(ctx context.Context, sql string) (*AskAnswer, error) {
	sql = strings.TrimSpace(sql)
	for strings.HasSuffix(sql, ";") {
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
	}
	res, err := w.askRun(ctx, sql)
	if err != nil {
		return nil, err
	}
	a := &AskAnswer{SQL: sql}
	w.fill(a, res)
	return a, nil
}

// fill copies a result into an answer and chooses its chart.
func (w *Workspace) fill(a *AskAnswer, res *storage.Result) {
	a.Columns, a.Truncated = res.Columns, res.Truncated
	a.Rows = make([][]any, len(res.Rows))
	for i, row := range res.Rows {
		a.Rows[i] = make([]any, len(row))
		for j, v := range row {
			a.Rows[i][j] = typedCell(res.Types[j], v)
		}
	}
	a.Chart = askChartKind(res)
}

// typedCell turns a formatted value back into a number for number columns.
func typedCell(typ, v string) any {
	if v == "" {
		return nil
	}
	c := storage.Column{Type: typ}
	if !c.IsNumeric() {
		return v
	}
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	return v
}

// askRun checks a query (the console's guard, then the tables and columns
// it names) and runs it read-only with the console's limits.
func (w *Workspace) askRun(ctx context.Context, sql string) (*storage.Result, error) {
	if err := w.CheckSelect(ctx, sql); err != nil {
		return nil, err
	}
	if err := w.askNames(ctx, sql); err != nil {
		return nil, err
	}
	return w.ReadOnly(ctx, sql, ConsoleRows, ConsoleTimeout)
}

// askNames refuses tables other than the project's own (no metadata, no
// files, no catalogue) and columns no table has. The names come from
// DuckDB's own parse tree, so quoting and case cannot hide them.
func (w *Workspace) askNames(ctx context.Context, sql string) error {
	var js string
	if err := w.DB().QueryRowContext(ctx, `SELECT system.main.json_serialize_sql(?::VARCHAR)::VARCHAR`, sql).Scan(&js); err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal([]byte(js), &tree); err != nil {
		return err
	}
	tables, err := w.Tables(ctx)
	if err != nil {
		return err
	}
	knownT, knownC := map[string]bool{}, map[string]bool{"rowid": true}
	var tnames []string
	for _, t := range tables {
		knownT[strings.ToLower(t.Name)] = true
		tnames = append(tnames, t.Name)
		for _, c := range t.Columns {
			knownC[strings.ToLower(c.Name)] = true
		}
	}
	n := &names{aliases: map[string]bool{}}
	n.walk(tree, "")
	for _, t := range n.tables {
		if !knownT[strings.ToLower(t)] && !n.aliases[strings.ToLower(t)] {
			return i18n.Errorf("there is no table %q; the tables are: %s", t, strings.Join(tnames, ", "))
		}
	}
	if len(n.functions) > 0 {
		return i18n.Errorf("%s() cannot be used here: questions read the project's tables only", n.functions[0])
	}
	for _, c := range n.columns {
		if !knownC[strings.ToLower(c)] && !n.aliases[strings.ToLower(c)] {
			return i18n.Errorf("no table has a column %q; use the columns listed for each table", c)
		}
	}
	return nil
}

// names collects what a parse tree refers to.
type names struct {
	tables, columns, functions []string
	aliases                    map[string]bool // column, table and CTE names the query defines
}

// generators make rows without reading anything.
var generators = map[string]bool{"range": true, "generate_series": true, "unnest": true}

func (n *names) walk(node any, key string) {
	switch v := node.(type) {
	case []any:
		for _, c := range v {
			if s, ok := c.(string); ok && strings.Contains(key, "alias") {
				n.aliases[strings.ToLower(s)] = true
			}
			n.walk(c, key)
		}
	case map[string]any:
		switch {
		case v["type"] == "BASE_TABLE":
			t, _ := v["table_name"].(string)
			if s, _ := v["schema_name"].(string); s != "" && s != "main" {
				t = s + "." + t
			}
			if c, _ := v["catalog_name"].(string); c != "" {
				t = c + "." + t
			}
			n.tables = append(n.tables, t)
		case v["type"] == "TABLE_FUNCTION":
			f, _ := v["function"].(map[string]any)
			name, _ := f["function_name"].(string)
			if !generators[strings.ToLower(name)] {
				n.functions = append(n.functions, name)
			}
			n.aliases[strings.ToLower(name)] = true
		case v["class"] == "COLUMN_REF":
			if cs, _ := v["column_names"].([]any); len(cs) > 0 {
				if s, ok := cs[len(cs)-1].(string); ok {
					n.columns = append(n.columns, s)
				}
				if len(cs) == 1 {
					break
				}
			}
		case v["class"] == "LAMBDA":
			n.lambda(v)
		}
		if m, ok := v["cte_map"].(map[string]any); ok {
			if list, ok := m["map"].([]any); ok {
				for _, e := range list {
					if em, ok := e.(map[string]any); ok {
						if k, ok := em["key"].(string); ok {
							n.aliases[strings.ToLower(k)] = true
						}
					}
				}
			}
		}
		for k, c := range v {
			if s, ok := c.(string); ok && k == "alias" && s != "" {
				n.aliases[strings.ToLower(s)] = true
			}
			n.walk(c, k)
		}
	}
}

// lambda's parameters (x in x -> x + 1) are names the query defines.
func (n *names) lambda(v map[string]any) {
	var params func(any)
	params = func(x any) {
		m, _ := x.(map[string]any)
		if m == nil {
			return
		}
		if m["class"] == "COLUMN_REF" {
			if cs, _ := m["column_names"].([]any); len(cs) > 0 {
				if s, ok := cs[len(cs)-1].(string); ok {
					n.aliases[strings.ToLower(s)] = true
				}
			}
		}
		if cs, ok := m["children"].([]any); ok {
			for _, c := range cs {
				params(c)
			}
		}
	}
	params(v["lhs"])
}
