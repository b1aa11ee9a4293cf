package llm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets"
	"github.com/marketbench/marketbench/assets/i18n"
)

// PromptDirEnv overrides the user's prompt folder (for tests and portable
// installs).
const PromptDirEnv = "MARKETBENCH_PROMPTS"

// PromptDir is the folder whose .tmpl files override the built-in prompts:
// $MARKETBENCH_PROMPTS, else <user config dir>/marketbench/prompts.
func PromptDir() string {
	if d := os.Getenv(PromptDirEnv); d != "" {
		return d
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "marketbench", "prompts")
}

// PromptData is what the prompt templates see.
type PromptData struct {
	Channel Channel
	Label   string // the channel in words
	N       int
	Brief   string
	Tone    string
	// Limit is the channel's length limit in characters.
	Limit   int
	Profile Profile
	// Placeholders are the available fields as written in copy:
	// "{{.first_name}}".
	Placeholders []string

	// For the offline templates: the brief's first sentence (or a neutral
	// line), the top category in lower case, the first-name placeholder
	// ("" when there is none) and the tone as formal, friendly or playful.
	Offer     string
	Category  string
	FirstName string
	ToneKind  string
}

var promptFuncs = texttemplate.FuncMap{
	"join":  strings.Join,
	"pct":   func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"money": func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
}

// Prompts loads prompt templates: a file in Dir wins over the built-in
// one of the same name.
type Prompts struct {
	Dir string
}

// Source returns a template's text and where it came from: the path of
// the user's file or "built-in".
func (p Prompts) Source(name string) (text, from string, err error) {
	if p.Dir != "" {
		path := filepath.Join(p.Dir, name)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			return string(b), path, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", "", i18n.Errorf("prompt %s: %w", path, err)
		}
	}
	t, err := assets.Prompt(name)
	return t, "built-in", err
}

// Render executes the template name (with audience.tmpl available to it).
func (p Prompts) Render(name string, data PromptData) (string, error) {
	root := texttemplate.New(name).Funcs(promptFuncs).Option("missingkey=error")
	for _, n := range []string{"audience.tmpl", name} {
		src, from, err := p.Source(n)
		if err != nil {
			return "", err
		}
		if _, err := root.New(n).Parse(src); err != nil {
			return "", i18n.Errorf("prompt template %s (%s) has an error: %v; fix it or delete the file to use the built-in one", n, from, err)
		}
	}
	var b strings.Builder
	if err := root.ExecuteTemplate(&b, name, data); err != nil {
		return "", i18n.Errorf("prompt template %s cannot be filled: %v", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// WriteDefaults copies the built-in prompts into Dir for editing, leaving
// files that exist alone, and returns the paths written.
func (p Prompts) WriteDefaults() ([]string, error) {
	if p.Dir == "" {
		return nil, i18n.Errorf("no prompt folder")
	}
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, n := range assets.PromptNames() {
		path := filepath.Join(p.Dir, n)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		src, err := assets.Prompt(n)
		if err != nil {
			return out, err
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			return out, err
		}
		out = append(out, path)
	}
	return out, nil
}

// promptData builds the template data of a request.
func promptData(r Request) PromptData {
	d := PromptData{Channel: r.Channel, Label: r.Channel.Label(), N: r.N, Brief: r.Brief, Tone: r.Tone,
		Limit: r.Channel.limit(), Profile: r.Profile}
	for _, f := range r.Profile.Fields {
		d.Placeholders = append(d.Placeholders, Placeholder(f))
		if f == "first_name" {
			d.FirstName = Placeholder(f)
		}
	}
	d.Offer = offer(r.Brief)
	// The offline phrasings name the top category only when the brief is
	// about it (or there is no brief): "New in shoes: 20% off coats" is
	// wrong, and a template cannot tell.
	if len(r.Profile.TopCategories) > 0 {
		c := strings.ToLower(r.Profile.TopCategories[0].Name)
		if strings.TrimSpace(r.Brief) == "" || strings.Contains(strings.ToLower(r.Brief), c) {
			d.Category = c
		}
	}
	d.ToneKind = toneKind(r.Tone)
	return d
}

// offer is the brief's first sentence without its full stop, or a neutral
// line when there is no brief.
func offer(brief string) string {
	s := strings.Join(strings.Fields(brief), " ")
	if i := strings.IndexAny(s, ".!?\n"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, " .!?;:,")
	if s == "" {
		return "we have something new for you"
	}
	if r := []rune(s); len(r) > 90 {
		s = string(r[:90])
		if i := strings.LastIndex(s, " "); i > 40 {
			s = s[:i]
		}
	}
	// Lower-case the first letter so the offer reads mid-sentence ("Hi
	// {{.first_name}}, winter sale..."); sentenceCase capitalises it where
	// a sentence starts. "UK" or "WARM20" keep their case.
	r, n := utf8.DecodeRuneInString(s)
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r) && !unicode.IsUpper(r2) && !unicode.IsDigit(r2) {
		return string(unicode.ToLower(r)) + s[n:]
	}
	return s
}

// sentenceCase capitalises the first letter of each sentence and line.
func sentenceCase(s string) string {
	rs := []rune(s)
	start := true
	for i, r := range rs {
		switch {
		case start && unicode.IsLetter(r):
			rs[i], start = unicode.ToUpper(r), false
		case r == '\n':
			start = true
		case (r == ' ') && i > 0 && strings.ContainsRune(".!?", rs[i-1]):
			start = true
		case r != ' ' && !unicode.IsSpace(r):
			start = false
		}
	}
	return string(rs)
}

func toneKind(tone string) string {
	t := strings.ToLower(tone)
	for _, w := range []string{"formal", "professional", "serious", "polite", "luxury", "elegant"} {
		if strings.Contains(t, w) {
			return "formal"
		}
	}
	for _, w := range []string{"playful", "fun", "cheeky", "witty", "casual"} {
		if strings.Contains(t, w) {
			return "playful"
		}
	}
	return "friendly"
}
