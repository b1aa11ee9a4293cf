package llm

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// The model is asked to separate variants with a line of ---, but small
// models number them, head them "Variant 2:", use bullets or one line
// each. splitter reads the stream as it arrives, finds where variants
// begin and end, streams their text without those headers and hands over
// each variant as soon as it is complete.

var (
	sepRE      = regexp.MustCompile(`^\s*(?:-{3,}|={3,}|\*{3,}|_{3,}|#{3,}|~{3,})\s*$`)
	kwHeaderRE = regexp.MustCompile(`(?i)^\s*[#*]*\s*(?:variant|option|version|sms|message|text|subject(?:\s+line)?|push|notification|e-?mail)\s*#?\d{1,2}\s*(?:\*\*)?\s*[.):\-–]?\s*(?:\*\*)?\s*`)
	numHeadRE  = regexp.MustCompile(`^\s*(?:\*\*)?\d{1,2}[.)](?:\*\*)?\s+`)
	bulletRE   = regexp.MustCompile(`^\s*[-*•]\s+`)
	subjectRE  = regexp.MustCompile(`(?i)^\s*(?:\*\*)?subject(?:\s+line)?\s*:\s*(?:\*\*)?\s*`)
	holdWords  = []string{"variant", "option", "version", "sms", "message", "text", "subject", "push", "notification", "email", "e-mail"}
)

type rawVariant struct {
	subject string
	lines   []string
}

func (r *rawVariant) empty() bool {
	return strings.TrimSpace(r.subject) == "" && strings.TrimSpace(strings.Join(r.lines, "")) == ""
}

type lineKind int

const (
	contentLine lineKind = iota
	subjectLine
)

type splitter struct {
	oneLine  bool // each line is a variant
	numbered bool // "1. " starts a variant
	subjects bool // "Subject: " starts a variant's subject
	max      int

	pending  string
	released bool
	skip     int
	kind     lineKind

	cur     rawVariant
	index   int
	stopped bool

	onChunk func(variant int, text string)
	onDone  func(variant int, r rawVariant)
}

func newSplitter(ch Channel, max int, onChunk func(int, string), onDone func(int, rawVariant)) *splitter {
	return &splitter{oneLine: ch.oneLine(), numbered: ch.oneLine(), subjects: ch == EmailBody, max: max,
		onChunk: onChunk, onDone: onDone}
}

// Write feeds a chunk of the model's reply.
func (s *splitter) Write(chunk string) {
	chunk = strings.ReplaceAll(chunk, "\r", "")
	for chunk != "" && !s.stopped {
		i := strings.IndexByte(chunk, '\n')
		if i < 0 {
			s.pending += chunk
			s.partial(chunk)
			return
		}
		s.pending += chunk[:i]
		s.partial(chunk[:i])
		s.endLine()
		chunk = chunk[i+1:]
	}
}

// Close ends the stream: the last variant is complete.
func (s *splitter) Close() {
	if s.pending != "" {
		s.endLine()
	}
	s.boundary()
}

func (s *splitter) emit(text string) {
	if text != "" && s.onChunk != nil && !s.stopped {
		s.onChunk(s.index, text)
	}
}

// partial streams new text of an unfinished line once it is clearly
// content, holding back what may still turn out to be a header.
func (s *splitter) partial(added string) {
	if s.released {
		s.emit(added)
		return
	}
	t := strings.TrimSpace(s.pending)
	if t == "" || s.hold(t) {
		return
	}
	s.start()
	s.emit(strings.TrimLeft(s.pending[s.skip:], " \t"))
}

// hold says whether a line's beginning may still become a separator or
// a header.
func (s *splitter) hold(t string) bool {
	if r, _ := utf8.DecodeRuneInString(t); strings.ContainsRune("-=*_#~•", r) && len(t) < 12 {
		return true
	}
	if t[0] >= '0' && t[0] <= '9' && len(t) < 5 && s.numbered {
		return true
	}
	if n := s.header(t); n > 0 && strings.Trim(t[n:], ":.)-–* ") == "" {
		return true // "**Variant 2:**" may be all the line says
	}
	l := strings.ToLower(strings.TrimLeft(t, "#* "))
	if len(t) < 16 {
		for _, w := range holdWords {
			if strings.HasPrefix(w, l) || (strings.HasPrefix(l, w) && s.header(t) == 0) {
				return true
			}
		}
	}
	return false
}

// header returns the length of a variant header at the start of a line
// ("Variant 2: ", "2. ", "- "), or 0.
func (s *splitter) header(line string) int {
	if m := kwHeaderRE.FindStringIndex(line); m != nil && !subjectRE.MatchString(line) {
		return m[1]
	}
	if s.numbered {
		if m := numHeadRE.FindStringIndex(line); m != nil {
			return m[1]
		}
		if m := bulletRE.FindStringIndex(line); m != nil {
			return m[1]
		}
	}
	return 0
}

// start classifies a line whose content begins: it may open a new
// variant or a subject.
func (s *splitter) start() {
	s.released = true
	if n := s.header(s.pending); n > 0 {
		s.boundary()
		s.skip = n
		return
	}
	if s.subjects {
		if m := subjectRE.FindStringIndex(s.pending); m != nil {
			if !s.cur.empty() {
				s.boundary()
			}
			s.skip, s.kind = m[1], subjectLine
			return
		}
	}
	if s.oneLine && !s.cur.empty() {
		s.boundary()
	}
}

func (s *splitter) endLine() {
	line := s.pending
	t := strings.TrimSpace(line)
	switch {
	case s.released:
	case t == "":
		if !s.oneLine && !s.cur.empty() {
			s.cur.lines = append(s.cur.lines, "")
		}
		s.reset()
		return
	case sepRE.MatchString(line):
		s.boundary()
		s.reset()
		return
	default:
		s.start()
		if rest := strings.TrimSpace(line[s.skip:]); rest != "" && !s.preamble(rest) {
			s.emit(strings.TrimLeft(line[s.skip:], " \t"))
		}
	}
	content := strings.TrimSpace(line[s.skip:])
	switch {
	case content == "":
	case s.kind == subjectLine:
		s.cur.subject = content
		s.emit("\n")
	case s.preamble(content):
		// "Here are five subject lines:" is not a variant.
	default:
		s.cur.lines = append(s.cur.lines, content)
		if s.oneLine {
			s.boundary()
		} else {
			s.emit("\n")
		}
	}
	s.reset()
}

// preamble: a line that introduces the variants rather than being one.
func (s *splitter) preamble(content string) bool {
	return strings.HasSuffix(content, ":") && (s.oneLine || s.cur.empty())
}

func (s *splitter) reset() { s.pending, s.released, s.skip, s.kind = "", false, 0, contentLine }

// boundary completes the current variant, if it has any text.
func (s *splitter) boundary() {
	if s.stopped || s.cur.empty() {
		return
	}
	for len(s.cur.lines) > 0 && s.cur.lines[len(s.cur.lines)-1] == "" {
		s.cur.lines = s.cur.lines[:len(s.cur.lines)-1]
	}
	if s.onDone != nil {
		s.onDone(s.index, s.cur)
	}
	s.cur = rawVariant{}
	s.index++
	if s.index >= s.max {
		s.stopped = true
	}
}

// variant turns a raw variant into a Variant of a channel (unchecked).
func (r rawVariant) variant(i int, ch Channel) Variant {
	text := unquote(strings.Join(r.lines, "\n"))
	v := Variant{Index: i, Subject: unquote(r.subject), Text: text}
	if ch == EmailSubject {
		v.Subject, v.Text = text, ""
	}
	return v
}

// unquote removes quotes or bold markers around a whole text.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	for _, q := range [][2]string{{`"`, `"`}, {"\u201C", "\u201D"}, {"'", "'"}, {"**", "**"}, {"`", "`"}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) &&
			!strings.Contains(s[len(q[0]):len(s)-len(q[1])], q[0]) {
			s = strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
		}
	}
	return s
}
