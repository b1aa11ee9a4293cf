// Package segwords turns a description of customers in words (English or
// Chinese) into a segment rule in the rule language of storage/rule, with
// a local model. It builds the prompt from column names, kinds, roles and
// a few non-personal values, and reads the model's reply; checking the
// rule against the table is the caller's (app/core), which has the data.
package segwords

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field is a name a rule may use, as the prompt describes it. Values are
// given only for columns that hold no personal data; Personal says the
// column does, so the prompt names it without any value.
type Field struct {
	Name   string
	Kind   string // text, number, date, true/false
	Role   string // the column role, "" for none
	About  string // what it means, for derived fields (recency...)
	Values []string
	// More is how many values were left out of Values (0: Values is
	// every value).
	More     int64
	Personal bool
}

// System is the system prompt: the rule language and the reply format.
const System = `You turn a marketer's description of customers into ONE segment rule in this rule language:

  condition:  column = 'text' | column != 'text' | column > number | column >= number | column < number | column <= number
              column BETWEEN a AND b | column IN ('a', 'b') | column CONTAINS 'text' | column STARTS WITH 'text'
              column IS EMPTY | column IS NOT EMPTY | column WITHIN LAST n DAYS | column BEFORE 'YYYY-MM-DD' | column AFTER 'YYYY-MM-DD'
              true/false columns: column = true | column = false
  combine:    a AND b, a OR b, NOT a, parentheses ( ... ). AND binds tighter than OR.

Rules: use ONLY the columns listed, spelled exactly as listed (double-quote names that are not plain words).
Text values in single quotes, copied exactly from the listed values when there are any; numbers bare; dates 'YYYY-MM-DD'.
Text comparisons ignore case. Do not write SQL: no SELECT, no LIKE, no functions.

Reply with exactly these two lines and nothing else:
RULE: <the rule>
UNMAPPED: <the words of the description no listed column can express, separated by commas, or none>
If no part of the description can be expressed, reply RULE: none`

// Prompt is the user message: today's date, the fields and the words.
func Prompt(table string, fields []Field, words string, today time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Today is %s. The customers come from the table %q; a customer matches when any of their rows matches.\n\nColumns:\n", today.Format(time.DateOnly), table)
	for _, f := range fields {
		fmt.Fprintf(&b, "- %s (%s", Name(f.Name), f.Kind)
		if f.Role != "" {
			fmt.Fprintf(&b, ", role %s", f.Role)
		}
		b.WriteString(")")
		if f.About != "" {
			b.WriteString(": " + f.About)
		}
		switch {
		case f.Personal:
			b.WriteString("; personal data, values not shown")
		case len(f.Values) > 0:
			q := make([]string, len(f.Values))
			for i, v := range f.Values {
				q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
			}
			if f.More > 0 {
				fmt.Fprintf(&b, "; values that match the description: %s (and %d others)", strings.Join(q, ", "), f.More)
			} else {
				fmt.Fprintf(&b, "; values: %s", strings.Join(q, ", "))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nDescription: %s\n", strings.TrimSpace(words))
	return b.String()
}

// Retry is the message that gives the model its rule's problem.
func Retry(problem string) string {
	return "That rule does not work: " + problem + "\nWrite it again with only the listed columns, in the same two-line format (RULE: ... and UNMAPPED: ...)."
}

// Reply is what the model answered.
type Reply struct {
	Rule     string   // "" when None
	Unmapped []string // words it could not express
	None     bool     // it said nothing can be expressed
}

var (
	fence    = regexp.MustCompile("(?s)```[a-zA-Z]*\\n?(.*?)```")
	ruleLine = regexp.MustCompile(`(?i)^\s*[*_#>\-\s]*(rule|规则)\s*[:：]\s*(.*)$`)
	unmapped = regexp.MustCompile(`(?i)^\s*[*_#>\-\s]*(unmapped|not mapped|未映射|无法映射)\s*[:：]\s*(.*)$`)
)

// Parse reads a reply: the RULE: line (or, from a model that ignored the
// format, a lone line or code block), and the UNMAPPED: line. An error
// says what was missing, for the retry.
func Parse(text string) (Reply, error) {
	var r Reply
	body := text
	if m := fence.FindStringSubmatch(text); m != nil {
		body = m[1]
	}
	var other []string
	found := false
	for _, line := range strings.Split(body, "\n") {
		if m := ruleLine.FindStringSubmatch(line); m != nil && !found {
			r.Rule, found = cleanRule(m[2]), true
			continue
		}
		if m := unmapped.FindStringSubmatch(line); m != nil {
			r.Unmapped = terms(m[2])
			continue
		}
		if s := strings.TrimSpace(line); s != "" {
			other = append(other, s)
		}
	}
	// A rule on the lines after RULE: (a model that wraps long lines).
	if found && r.Rule == "" && len(other) > 0 {
		r.Rule = cleanRule(strings.Join(other, " "))
	}
	if !found && len(other) == 1 {
		r.Rule, found = cleanRule(other[0]), true
	}
	if strings.EqualFold(r.Rule, "none") || strings.EqualFold(r.Rule, "无") {
		return Reply{None: true, Unmapped: r.Unmapped}, nil
	}
	if !found || r.Rule == "" {
		return r, fmt.Errorf("the reply has no line starting with RULE:")
	}
	return r, nil
}

// cleanRule takes off what models wrap a rule in: Markdown bold,
// backticks, a final full stop or semicolon.
func cleanRule(s string) string {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "*_")) // **RULE:** in Markdown
	s = strings.Trim(s, "`")
	s = strings.TrimRight(s, ";。.")
	return strings.TrimSpace(s)
}

// terms splits an UNMAPPED list; "none" is no terms.
func terms(s string) []string {
	s = strings.TrimSpace(strings.TrimRight(s, ".。"))
	if s == "" || strings.EqualFold(s, "none") || s == "无" || s == "-" {
		return nil
	}
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' }) {
		if t = strings.Trim(strings.TrimSpace(t), `"'“”`); t != "" && !strings.EqualFold(t, "none") {
			out = append(out, t)
		}
	}
	return out
}

// Name writes a column name as the rule language reads it: bare when it
// is a plain word, else double-quoted.
func Name(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || unicode.IsMark(r)))) {
			plain = false
		}
	}
	switch strings.ToLower(s) {
	case "and", "or", "not", "in", "is", "between", "contains", "starts", "with", "empty", "within", "last", "day", "days",
		"before", "after", "true", "false", "exact", "case":
		plain = false
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Mentioned reports whether the words mention a value: the value itself,
// ignoring case, or a Chinese place name without its last character
// (北京 for 北京市, 广东 for 广东省).
func Mentioned(words, value string) bool {
	w, v := strings.ToLower(words), strings.ToLower(strings.TrimSpace(value))
	if v == "" {
		return false
	}
	if strings.Contains(w, v) {
		return true
	}
	if n := utf8.RuneCountInString(v); n >= 3 {
		rs := []rune(v)
		if unicode.Is(unicode.Han, rs[n-1]) && strings.ContainsRune("市省区县州盟", rs[n-1]) {
			return strings.Contains(w, string(rs[:n-1]))
		}
	}
	return false
}
