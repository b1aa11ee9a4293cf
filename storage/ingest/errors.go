package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// ErrCancelled is returned when the caller cancels an import; it matches
// context.Canceled with errors.Is.
var ErrCancelled error = cancelled{}

type cancelled struct{}

func (cancelled) Error() string        { return "the import was cancelled; nothing was changed" }
func (cancelled) Is(target error) bool { return target == context.Canceled }

// EncodingError means the file's encoding could not be decided: it reads
// plausibly in more than one. The caller asks the user and imports again
// with Options.Encoding set.
type EncodingError struct {
	File       string
	Candidates []EncodingCandidate // likeliest first
}

func (e *EncodingError) Error() string { return e.message().Error() }

// Unwrap gives the message in a form i18n.Error can translate.
func (e *EncodingError) Unwrap() error { return e.message() }

func (e *EncodingError) message() error {
	var reads error
	for _, c := range e.Candidates {
		one := c.Encoding
		if ex := c.Example(); ex != "" {
			one += fmt.Sprintf(" (%q)", ex)
		}
		if reads == nil {
			reads = errors.New(one)
		} else {
			reads = i18n.Errorf("%v or as %v", reads, errors.New(one))
		}
	}
	if reads == nil {
		reads = errors.New("")
	}
	return i18n.Errorf("%s: the text encoding is uncertain; it reads as %v; choose the encoding that reads correctly", filepath.Base(e.File), reads)
}

// ErrDuplicate means the same file content was imported before.
var ErrDuplicate = errors.New("this file was already imported")

// ParseError locates a problem in the input file.
type ParseError struct {
	File   string
	Line   int64
	Column string
	Reason string
	Raw    string
	// why is Reason as an error i18n.Error can translate, when it was made
	// with newParseError.
	why error
}

// newParseError makes a ParseError whose reason can be told in either
// language (Reason keeps the English).
func newParseError(file string, line int64, why error) *ParseError {
	return &ParseError{File: file, Line: line, Reason: why.Error(), why: why}
}

// Unwrap gives the message in a form i18n.Error can translate.
func (e *ParseError) Unwrap() error {
	why := e.why
	if why == nil || why.Error() != e.Reason {
		why = errors.New(e.Reason) // translated when the whole text is in the catalogue
	}
	base := filepath.Base(e.File)
	switch {
	case e.Line > 0 && e.Column != "":
		return i18n.Errorf("%s, line %d, column %q: %v", base, e.Line, e.Column, why)
	case e.Line > 0:
		return i18n.Errorf("%s, line %d: %v", base, e.Line, why)
	case e.Column != "":
		return i18n.Errorf("%s, column %q: %v", base, e.Column, why)
	}
	return fmt.Errorf("%s: %w", base, why)
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(filepath.Base(e.File))
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}
