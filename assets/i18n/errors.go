package i18n

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of Go's standard library that reach people through ours.
var _ = []string{Mark("context canceled"), Mark("context deadline exceeded")}

// message is an error whose text can be told in any language: it keeps its
// format and arguments instead of only the English sentence.
type message struct {
	format  string
	args    []any
	english string
	wrapped []error
}

// Errorf is fmt.Errorf (with %w wrapping) whose message Error(err) can
// translate; err.Error() stays English, for logs and the CLI's --json.
func Errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	m := &message{format: format, args: args, english: err.Error()}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		m.wrapped = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		m.wrapped = u.Unwrap()
	}
	return m
}

func (m *message) Error() string   { return m.english }
func (m *message) Unwrap() []error { return m.wrapped }

// Error returns err's message in the language in use. It translates what it
// can and keeps the rest in English:
//   - an error made by Errorf is translated with its arguments (errors among
//     them translated in turn);
//   - an error whose whole text is in the catalogue (errors.New sentinels)
//     is replaced by the translation;
//   - any other wrapper keeps its own words, but the wrapped errors' texts
//     inside it are translated.
func Error(err error) string {
	if err == nil {
		return ""
	}
	st := get()
	if st.lang == English {
		return err.Error()
	}
	return localise(st, err)
}

func localise(st *state, err error) string {
	var m *message
	if errors.As(err, &m) && m == err {
		args := make([]any, len(m.args))
		for i, a := range m.args {
			if e, ok := a.(error); ok {
				args[i] = localise(st, e)
			} else {
				args[i] = a
			}
		}
		// %w only works in Errorf; the arguments are strings now.
		return fmt.Sprintf(strings.ReplaceAll(lookup(st, m.format), "%w", "%v"), args...)
	}
	text := err.Error()
	if t := lookup(st, text); t != text {
		return t
	}
	var inner []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		inner = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	for _, e := range inner {
		if e == nil {
			continue
		}
		en, local := e.Error(), localise(st, e)
		if en != "" && en != local {
			text = strings.Replace(text, en, local, 1)
		}
	}
	return text
}
