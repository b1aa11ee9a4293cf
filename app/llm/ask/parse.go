package ask

import (
	"regexp"
	"strings"
)

// Reply is what a model's answer holds: a query, or a question back.
type Reply struct {
	SQL     string
	Clarify string
}

var (
	fenceRE = regexp.MustCompile("(?s)```[a-zA-Z]*[ \t]*\\r?\\n?(.*?)```")
	startRE = regexp.MustCompile(`(?i)\bSELECT\b|(?im)^\s*WITH\b`)
	otherRE = regexp.MustCompile(`(?i)^(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|DETACH|INSTALL|LOAD|PRAGMA|SET|CALL|EXPORT|IMPORT|TRUNCATE|VACUUM|CHECKPOINT)\b`)
)

// Parse reads a model's reply: `CLARIFY: …` anywhere at the start of a
// line is a question back; otherwise the SQL is the first code block that
// holds one, or the text from the first SELECT or WITH on (prose before it
// is dropped). Trailing semicolons are removed. A reply with no query
// gives an empty Reply.
func Parse(text string) Reply {
	t := strings.TrimSpace(text)
	for _, line := range strings.Split(t, "\n") {
		l := strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "*`"))
		if rest, ok := cutPrefixFold(l, ClarifyPrefix); ok {
			if q := strings.Trim(rest, " *`"); q != "" {
				return Reply{Clarify: q}
			}
		}
	}
	fences := fenceRE.FindAllStringSubmatch(t, -1)
	for _, m := range fences {
		if q := fromStart(m[1]); q != "" {
			return Reply{SQL: q}
		}
	}
	// A statement that is no query is still the model's answer: the guard
	// refuses it with a reason the model can act on.
	for _, m := range fences {
		if q := trimSQL(m[1]); q != "" {
			return Reply{SQL: q}
		}
	}
	if otherRE.MatchString(t) {
		return Reply{SQL: trimSQL(t)}
	}
	// An unclosed fence: the model stopped early or forgot it.
	if i := strings.Index(t, "```"); i >= 0 {
		rest := t[i+3:]
		if j := strings.IndexAny(rest, "\n"); j >= 0 {
			rest = rest[j:]
		}
		if q := fromStart(rest); q != "" {
			return Reply{SQL: q}
		}
	}
	// No fence: prose after a blank line is no part of the query.
	q := fromStart(t)
	if i := strings.Index(q, "\n\n"); i >= 0 {
		q = fromStart(q[:i])
	}
	return Reply{SQL: q}
}

// fromStart keeps the text from the first SELECT or WITH on.
func fromStart(s string) string {
	loc := startRE.FindStringIndex(s)
	if loc == nil {
		return ""
	}
	return trimSQL(s[loc[0]:])
}

// trimSQL drops spaces and trailing semicolons.
func trimSQL(s string) string {
	q := strings.TrimSpace(s)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	return q
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	// The Chinese colon.
	p2 := strings.TrimSuffix(prefix, ":") + "："
	if len(s) >= len(p2) && strings.EqualFold(s[:len(p2)], p2) {
		return s[len(p2):], true
	}
	return "", false
}
