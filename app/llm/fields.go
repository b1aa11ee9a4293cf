package llm

import (
	"regexp"
	"sort"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Personalisation fields are written as Go template actions,
// {{.first_name}}, which is what the campaign engine fills per customer.
// Models also write {{first_name}}, {first_name}, [First Name] or
// {{ .FirstName }}; those are rewritten to the canonical form when they
// name an available field. A placeholder that names no available field
// is removed (and reported): kept, it would stop the campaign at preview
// for every customer, or worse, reach customers as "[Link]".

var (
	// fieldRE is a canonical placeholder.
	fieldRE = regexp.MustCompile(`\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}`)
	// looseFieldRE are the forms models write.
	looseFieldRE = regexp.MustCompile(`\{\{-?\s*\.?([A-Za-z_][A-Za-z0-9_ ]*?)\s*-?\}\}` +
		`|\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}` +
		`|\[\s*([A-Za-z]+(?:[ _][A-Za-z]+){0,3})\s*\]`)
	// leftoverRE is any other template action ({{if ...}}, {{range}}).
	leftoverRE = regexp.MustCompile(`\{\{.*?\}\}|\{\{|\}\}`)
	spacesRE   = regexp.MustCompile(`[ \t]{2,}`)
	spacePunct = regexp.MustCompile(`[ \t]+([,.!?;:])`)
	doublePun  = regexp.MustCompile(`([,;:])\s*([,.!?;:])`)
	leadPunct  = regexp.MustCompile(`(?m)^[ \t]*[,;:][ \t]*`)
)

// Placeholder is how a field is written in copy.
func Placeholder(field string) string { return "{{." + field + "}}" }

func squash(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// resolveField finds the available field a placeholder means, or "".
func resolveField(name string, fields []string) string {
	key := squash(name)
	for _, f := range fields {
		if squash(f) == key {
			return f
		}
	}
	// A bare "name" in a greeting means the first name when there is one.
	switch key {
	case "name", "customername", "customer", "firstname", "fname", "recipientname":
		for _, want := range []string{"first_name", "full_name"} {
			for _, f := range fields {
				if f == want {
					return f
				}
			}
		}
	}
	return ""
}

// fixFields rewrites placeholders to the canonical form, removes those
// that name no available field, and returns the text, the fields it uses
// and what was changed.
func fixFields(text string, fields []string) (string, []string, []Finding) {
	var findings []Finding
	used := map[string]bool{}
	removed := map[string]bool{}
	out := looseFieldRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := looseFieldRE.FindStringSubmatch(m)
		name := sub[1] + sub[2] + sub[3]
		if f := resolveField(name, fields); f != "" {
			used[f] = true
			return Placeholder(f)
		}
		// [Word] in brackets that is not a placeholder-like phrase stays.
		if sub[3] != "" && !strings.Contains(m, "_") && !placeholderWords(sub[3]) {
			return m
		}
		removed[m] = true
		return ""
	})
	if leftoverRE.MatchString(fieldRE.ReplaceAllString(out, "")) {
		// Protect the canonical placeholders, drop any other action.
		parts := fieldRE.FindAllString(out, -1)
		rest := fieldRE.Split(out, -1)
		for i := range rest {
			rest[i] = leftoverRE.ReplaceAllStringFunc(rest[i], func(m string) string {
				removed[m] = true
				return ""
			})
		}
		var b strings.Builder
		for i, r := range rest {
			b.WriteString(r)
			if i < len(parts) {
				b.WriteString(parts[i])
			}
		}
		out = b.String()
	}
	if len(removed) > 0 {
		out = tidy(out)
		names := make([]string, 0, len(removed))
		for m := range removed {
			names = append(names, m)
		}
		sort.Strings(names)
		avail := i18n.T("none")
		if len(fields) > 0 {
			ph := make([]string, len(fields))
			for i, f := range fields {
				ph[i] = Placeholder(f)
			}
			avail = strings.Join(ph, ", ")
		}
		findings = append(findings, Finding{Check: FieldsCheck, Severity: Warning,
			Message: i18n.T("removed %s: not a customer field (available: %s)", strings.Join(names, ", "), avail)})
	}
	list := make([]string, 0, len(used))
	for f := range used {
		list = append(list, f)
	}
	sort.Strings(list)
	// The campaign engine parses copy as a template; make sure it can.
	if _, err := texttemplate.New("copy").Option("missingkey=error").Parse(out); err != nil {
		findings = append(findings, Finding{Check: FieldsCheck, Severity: Error,
			Message: i18n.T("the text is not a valid message template: %s", err.Error())})
	}
	return out, list, findings
}

// placeholderWords says whether a bracketed phrase looks like a fill-in
// placeholder ("[Link]", "[Store Name]", "[Your Name]").
func placeholderWords(s string) bool {
	k := squash(s)
	for _, w := range []string{"name", "link", "url", "code", "date", "company", "store", "brand", "product",
		"discount", "offer", "phone", "email", "address", "city", "insert", "your", "customer", "here"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// tidy removes what an empty placeholder leaves behind: "Hi , you" → "Hi, you".
func tidy(s string) string {
	s = spacesRE.ReplaceAllString(s, " ")
	s = spacePunct.ReplaceAllString(s, "$1")
	s = doublePun.ReplaceAllString(s, "$2")
	s = leadPunct.ReplaceAllString(s, "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.TrimSpace(strings.Join(lines, "\n"))
	if r, n := utf8.DecodeRuneInString(s); unicode.IsLower(r) {
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	return s
}

// withFieldsAs replaces every placeholder with n characters, to measure
// a text as a customer would get it.
func withFieldsAs(s string, n int) string {
	return fieldRE.ReplaceAllString(s, strings.Repeat("x", n))
}
