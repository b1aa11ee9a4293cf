package i18n

import (
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

func (m *message) Message() (string, []any) { return m.format, m.args }

// Said is a sentence kept as a printf format and its arguments, told in the
// language in use when shown: errors made by Errorf, and the messages of
// packages that cannot use the catalogue themselves (analytics/msg).
type Said interface {
	Message() (format string, args []any)
}

// Say tells m in the language in use, as T(format, args...) would;
// arguments that are Said or errors are told in turn.
func Say(m Said) string {
	if m == nil {
		return ""
	}
	format, args := m.Message()
	st := get()
	if len(args) == 0 {
		return lookup(st, format)
	}
	return fmt.Sprintf(lookup(st, format), localArgs(st, args)...)
}

// localArgs tells the arguments that are Said or errors in st's language.
func localArgs(st *state, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case error:
			if st.lang == English {
				out[i] = x.Error()
			} else {
				out[i] = localise(st, x)
			}
		case Said:
			f, as := x.Message()
			if len(as) == 0 {
				out[i] = lookup(st, f)
			} else {
				out[i] = fmt.Sprintf(lookup(st, f), localArgs(st, as)...)
			}
		default:
			out[i] = a
		}
	}
	return out
}

func localise(st *state, err error) string {
	if m, ok := err.(Said); ok {
		format, args := m.Message()
		// %w only works in Errorf; the arguments are strings now.
		return fmt.Sprintf(strings.ReplaceAll(lookup(st, format), "%w", "%v"), localArgs(st, args)...)
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
