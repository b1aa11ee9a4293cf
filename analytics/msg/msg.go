// Package msg keeps analytics' sentences for people as a printf format and
// its arguments instead of a finished English string, so that the app can
// tell them in another language. The analytics packages import nothing of
// the app, so they cannot translate; they return Msg values (and errors
// made by Errorf), whose String and Error give the English text, and the app
// translates the format with its catalogue (i18n.Say and i18n.Error
// recognise the Message method).
//
// Every format given to New or Errorf must be a string literal: the
// catalogue check (assets/i18n) collects them and fails when one has no
// translation.
package msg

import "fmt"

// Msg is one sentence (or part of one) for people: a printf format and its
// arguments. Arguments may be Msgs themselves, which are told in turn.
type Msg struct {
	Format string
	Args   []any
}

// New makes a Msg. Without arguments the format is the text as it is (a
// "%" needs no escaping), as with i18n.T.
func New(format string, args ...any) Msg { return Msg{Format: format, Args: args} }

// String is the English text.
func (m Msg) String() string {
	if len(m.Args) == 0 {
		return m.Format
	}
	return fmt.Sprintf(m.Format, m.Args...)
}

// IsZero reports an empty Msg.
func (m Msg) IsZero() bool { return m.Format == "" && len(m.Args) == 0 }

// Message returns the format and arguments, for translation.
func (m Msg) Message() (format string, args []any) { return m.Format, m.Args }

// MarshalText writes the English text: a Msg in JSON output or in a stored
// record reads as the sentence.
func (m Msg) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a stored sentence back, as a Msg without arguments.
func (m *Msg) UnmarshalText(b []byte) error {
	*m = Msg{Format: string(b)}
	return nil
}

// Raw makes a Msg of text that is data (a column name, a value), told as it
// is in every language.
func Raw(text string) Msg { return Msg{Format: "%s", Args: []any{text}} }

// Join writes items (strings or Msgs) as a list: "a, b, c" in English. Each
// step is the Msg "%s, %s", so the separator is translated too. No items
// give a zero Msg.
func Join(items ...any) Msg {
	var out Msg
	for i, it := range items {
		if i == 0 {
			out = Msg{Format: "%s", Args: []any{it}}
			continue
		}
		out = New("%s, %s", out, it)
	}
	return out
}

// Error is an error whose message is a Msg. Error() is the English text, as
// fmt.Errorf would have written it; wrapped errors (%w) are kept.
type Error struct {
	Msg
	english string
	wrapped []error
}

// Errorf is fmt.Errorf (with %w wrapping) keeping the format and arguments.
func Errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	e := &Error{Msg: Msg{Format: format, Args: args}, english: err.Error()}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		e.wrapped = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		e.wrapped = u.Unwrap()
	}
	return e
}

func (e *Error) Error() string   { return e.english }
func (e *Error) Unwrap() []error { return e.wrapped }

// String is the English text (Error's, not Msg's: they differ on %w).
func (e *Error) String() string { return e.english }
