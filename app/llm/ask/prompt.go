// Package ask turns a question in words into one DuckDB SELECT with a
// local model, and checks the model's answer in words against the
// result. It builds prompts from a Schema of names, types, roles and
// aggregates that the caller computed: it never sees the rows, so what a
// prompt holds is what the caller put in the Schema.
package ask

import (
	"fmt"
	"strings"
)

// Schema is what the model is told about the project.
type Schema struct {
	Tables []Table
}

// Table is a table's name, size and columns.
type Table struct {
	Name    string
	Rows    int64
	Columns []Column
}

// Column is a column and its aggregates. Personal columns (a personal
// data role or free text) never carry values: the caller leaves Min, Max
// and Top empty for them.
type Column struct {
	Name, Type string
	Role       string // "" none
	Personal   bool
	Min, Max   string // numbers and dates only
	Top        []Count
}

// Count is a category and how many rows have it.
type Count struct {
	Value string
	N     int64
}

// ClarifyPrefix starts a reply that asks the user a question back.
const ClarifyPrefix = "CLARIFY:"

const system = `You translate questions about a marketing database into DuckDB SQL.
Rules:
- Answer with exactly one SELECT statement (WITH … SELECT is fine) in a ` + "```sql" + ` block, and nothing else.
- Use only the tables and columns listed below, spelled exactly as listed; quote names that are not plain lower-case words with double quotes.
- Never change data: no INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, COPY, ATTACH, INSTALL, LOAD or PRAGMA.
- Do not read files or URLs; read only the listed tables.
- Columns marked personal hold data about people: count or group by them if needed, but do not list their values unless the question asks for them.
- Prefer aggregates (count, sum, avg) and give columns short readable aliases. Put a LIMIT of 100 or less on lists.
- Dates: use the data's own dates (the ranges below), not today, when the question says "last month" and the data ends earlier.
- The question may be in Chinese or English; the SQL is the same. Text values must be written as they appear in the data.
- If the question is ambiguous (it could mean several different queries) or cannot be answered from these tables, reply with one line instead:
  CLARIFY: <a short question to the user, in the language of their question>`

// Prompt is the system and user messages that ask for a query.
func Prompt(s Schema, question string) (sys, user string) {
	var b strings.Builder
	b.WriteString("Tables:\n")
	for _, t := range s.Tables {
		fmt.Fprintf(&b, "\n%s (%d rows)\n", t.Name, t.Rows)
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "  - %s %s", c.Name, c.Type)
			var notes []string
			if c.Role != "" {
				notes = append(notes, "role "+c.Role)
			}
			if c.Personal {
				notes = append(notes, "personal")
			}
			if c.Min != "" || c.Max != "" {
				notes = append(notes, "from "+c.Min+" to "+c.Max)
			}
			if len(c.Top) > 0 {
				var vs []string
				for _, v := range c.Top {
					vs = append(vs, fmt.Sprintf("%q %d", v.Value, v.N))
				}
				notes = append(notes, "values: "+strings.Join(vs, ", "))
			}
			if len(notes) > 0 {
				b.WriteString(" (" + strings.Join(notes, "; ") + ")")
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\nQuestion: " + strings.TrimSpace(question) + "\n")
	return system, b.String()
}

// RetryPrompt is the user turn after a query failed: the error, and the
// request for a corrected query.
func RetryPrompt(problem string) string {
	return "That query cannot run: " + problem +
		"\nWrite a corrected query: one SELECT in a ```sql block, using only the listed tables and columns (or CLARIFY: if the question cannot be answered)."
}

const wordsSystem = `You answer a marketer's question in one to three short sentences, from a query result only.
Rules:
- Use only numbers that appear in the result; you may round them or write fractions as percentages. Never compute or invent other numbers.
- Answer in the language of the question (Chinese question: Chinese answer).
- No SQL, no lists of rows, no preamble.`

// WordsPrompt asks the model to phrase the answer from a result. The rows
// are sent as given: the caller withholds personal values first.
func WordsPrompt(question string, columns []string, rows [][]string, total int, truncated bool) (sys, user string) {
	var b strings.Builder
	b.WriteString("Question: " + strings.TrimSpace(question) + "\n\nResult")
	switch {
	case truncated:
		fmt.Fprintf(&b, " (first %d rows of more)", total)
	case len(rows) < total:
		fmt.Fprintf(&b, " (first %d of %d rows)", len(rows), total)
	default:
		fmt.Fprintf(&b, " (%d rows)", total)
	}
	b.WriteString(":\n" + strings.Join(columns, " | ") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | ") + "\n")
	}
	return wordsSystem, b.String()
}
