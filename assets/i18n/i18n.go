// Package i18n is Marketbench's message catalogue: every sentence a person
// reads goes through T (or Errorf for errors) with its English text as the
// key, and comes back in the chosen language. The catalogues are JSON files
// under zh-Hans/ (one per area of the app, English → Chinese), loaded into a
// go-i18n bundle, which does the language matching and fallback.
//
// It is a leaf package (no Fyne, no DuckDB, nothing of ours), so storage,
// core, charts, the CLI and the GUI all use the same catalogue.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// The languages Marketbench speaks, as BCP 47 tags.
const (
	English = "en"
	Chinese = "zh-Hans"
)

// Languages lists the supported languages in the order settings offer them.
var Languages = []string{English, Chinese}

//go:embed zh-Hans/*.json
var catalogues embed.FS

var (
	bundle  *goi18n.Bundle
	loadErr error
	current atomic.Pointer[state]
	// identity keeps message text as it is: our messages are printf
	// formats, and some contain "{{.first_name}}", which go-i18n's default
	// text/template parser would execute.
	identity = template.IdentityParser{}
)

type state struct {
	lang      string
	localizer *goi18n.Localizer
}

var loadOnce sync.Once

func load() {
	bundle = goi18n.NewBundle(language.English)
	for _, l := range Languages[1:] {
		msgs, err := Catalogue(l)
		if err != nil {
			loadErr = err
			continue
		}
		tag := language.MustParse(l)
		for id, text := range msgs {
			bundle.MustAddMessages(tag, &goi18n.Message{ID: id, Other: text})
		}
	}
	use(English)
}

// Catalogue reads one language's catalogue files (every zh-Hans/*.json) as
// one map from English text to translation. A key in two files is an error,
// so that no area silently overrides another's wording.
func Catalogue(lang string) (map[string]string, error) {
	files, err := fs.Glob(catalogues, lang+"/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	all := map[string]string{}
	from := map[string]string{}
	for _, f := range files {
		b, err := catalogues.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", f, err)
		}
		for k, v := range m {
			if prev, dup := from[k]; dup {
				return nil, fmt.Errorf("catalogue %s: %q is also in %s", f, k, path.Base(prev))
			}
			all[k], from[k] = v, f
		}
	}
	return all, nil
}

// LoadError reports a catalogue that could not be read; the app then speaks
// English. Tests check it is nil.
func LoadError() error {
	loadOnce.Do(load)
	return loadErr
}

func get() *state {
	loadOnce.Do(load)
	return current.Load()
}

func use(lang string) {
	current.Store(&state{lang: lang, localizer: goi18n.NewLocalizer(bundle, lang)})
}

// Use sets the language: "en", "zh-Hans" (or "zh", "zh-CN"…), or "" /
// "system" to follow the system locale. It returns the language chosen.
func Use(pref string) string {
	loadOnce.Do(load)
	lang := Match(pref)
	use(lang)
	return lang
}

// Lang returns the language in use.
func Lang() string { return get().lang }

// IsChinese reports whether the language in use is Chinese.
func IsChinese() bool { return Lang() == Chinese }

// Match maps a preference ("", "system", "zh_CN.UTF-8", "en-GB"…) to a
// supported language.
func Match(pref string) string {
	pref = strings.TrimSpace(pref)
	if pref == "" || strings.EqualFold(pref, "system") {
		pref = SystemLocale()
	}
	tag, err := language.Parse(posixToBCP47(pref))
	if err != nil {
		return English
	}
	matcher := language.NewMatcher([]language.Tag{language.English, language.MustParse(Chinese)})
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return English
	}
	return Languages[i]
}

// SystemLocale reads the locale the way gettext does: LC_ALL, then
// LC_MESSAGES, then LANG; LANGUAGE (a list) wins unless the locale is C.
func SystemLocale() string {
	loc := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(v); loc != "" {
			break
		}
	}
	if loc == "" || loc == "C" || loc == "POSIX" || strings.HasPrefix(loc, "C.") {
		return English
	}
	if list := os.Getenv("LANGUAGE"); list != "" {
		loc, _, _ = strings.Cut(list, ":")
	}
	return loc
}

// posixToBCP47 turns "zh_CN.UTF-8@euro" into "zh-CN".
func posixToBCP47(s string) string {
	s, _, _ = strings.Cut(s, ".")
	s, _, _ = strings.Cut(s, "@")
	return strings.ReplaceAll(s, "_", "-")
}

// T translates format into the language in use and, given args, formats it
// as fmt.Sprintf does; arguments that are Said (msg.Msg) are told in the
// language in use too. Untranslated text comes back in English. A format
// without args is returned as translated, not run through Sprintf, so a
// literal "%" needs no escaping there.
func T(format string, args ...any) string {
	st := get()
	s := lookup(st, format)
	if len(args) == 0 {
		return s
	}
	for i, a := range args {
		if m, ok := a.(Said); ok {
			if _, isErr := a.(error); !isErr {
				args = slices.Clone(args)
				args[i] = Say(m)
			}
		}
	}
	return fmt.Sprintf(s, args...)
}

// Mark returns s unchanged. It marks text that is translated later, with
// T(variable), so that the catalogue check finds it.
func Mark(s string) string { return s }

// Has reports whether the language in use has a translation for s
// (English has all).
func Has(s string) bool {
	st := get()
	if st.lang == English {
		return true
	}
	_, err := st.localizer.Localize(&goi18n.LocalizeConfig{MessageID: s, TemplateParser: identity})
	return err == nil
}

func lookup(st *state, id string) string {
	if st.lang == English || id == "" {
		return id
	}
	s, err := st.localizer.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateParser: identity})
	if err != nil || s == "" {
		return id
	}
	return s
}
