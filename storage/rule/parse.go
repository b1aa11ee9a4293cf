package rule

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets/i18n"
)

// SyntaxError is a problem in rule text. Pos counts characters from 1, so
// the GUI can put the cursor on it.
type SyntaxError struct {
	Pos int
	Msg string
	why error // Msg as an error i18n.Error can translate
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

// Unwrap gives the message in a form i18n.Error can translate.
func (e *SyntaxError) Unwrap() error {
	why := e.why
	if why == nil || why.Error() != e.Msg {
		why = errors.New(e.Msg)
	}
	return i18n.Errorf("at position %d: %v", e.Pos, why)
}

func syntaxError(pos int, why error) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: why.Error(), why: why}
}

type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // bare word: a keyword or a column name
	tQuoted         // "quoted" or `quoted` column name
	tString         // 'text'
	tNumber
	tSym // = != <> < <= > >= ( ) ,
)

type token struct {
	kind tokKind
	text string // the value: unquoted name or string, number, symbol
	src  string // as written, for error messages
	pos  int
}

// keywords are quoted when a column name is printed, so that text never
// reads ambiguously.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "between": true, "in": true,
	"contains": true, "starts": true, "with": true, "is": true, "empty": true,
	"within": true, "last": true, "day": true, "days": true, "before": true,
	"after": true, "true": true, "false": true, "exact": true, "case": true,
}

func isWordStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isWordPart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isBare reports whether s lexes as a single bare word.
func isBare(s string) bool {
	for i, r := range s {
		if i == 0 && !isWordStart(r) || !isWordPart(r) {
			return false
		}
	}
	return s != ""
}

// isNumber reports whether s lexes as a single number: -?[0-9]+(.[0-9]+)?
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(s string) bool {
		for _, r := range s {
			if !isDigit(r) {
				return false
			}
		}
		return s != ""
	}
	return digits(whole) && (!dot || digits(frac))
}

func lex(text string) ([]token, error) {
	if !utf8.ValidString(text) {
		return nil, syntaxError(1, i18n.Errorf("the rule is not valid UTF-8 text"))
	}
	rs := []rune(text)
	var toks []token
	for i := 0; i < len(rs); {
		r, start := rs[i], i
		emit := func(k tokKind, val string) {
			toks = append(toks, token{k, val, string(rs[start:i]), start + 1})
		}
		switch {
		case unicode.IsSpace(r):
			i++
		case isWordStart(r):
			for i < len(rs) && isWordPart(rs[i]) {
				i++
			}
			emit(tWord, string(rs[start:i]))
		case isDigit(r) || r == '-' && i+1 < len(rs) && isDigit(rs[i+1]):
			i++
			for i < len(rs) && isDigit(rs[i]) {
				i++
			}
			if i+1 < len(rs) && rs[i] == '.' && isDigit(rs[i+1]) {
				i++
				for i < len(rs) && isDigit(rs[i]) {
					i++
				}
			}
			emit(tNumber, string(rs[start:i]))
		case r == '\'' || r == '"' || r == '`':
			val, end, ok := unquote(rs, i)
			if !ok {
				if r != '\'' {
					return nil, syntaxError(start+1, i18n.Errorf("the column name starting here has no closing %c", r))
				}
				return nil, syntaxError(start+1, i18n.Errorf("the text starting here has no closing %c", r))
			}
			i = end
			if r == '\'' {
				emit(tString, val)
				break
			}
			if val == "" {
				return nil, syntaxError(start+1, i18n.Errorf("empty column name"))
			}
			emit(tQuoted, val)
		case strings.ContainsRune("=<>!(),", r):
			i++
			if i < len(rs) && (r == '<' && (rs[i] == '=' || rs[i] == '>') || (r == '>' || r == '!') && rs[i] == '=') {
				i++
			}
			sym := string(rs[start:i])
			if sym == "!" {
				return nil, syntaxError(start+1, i18n.Errorf("unexpected '!': did you mean '!='?"))
			}
			if sym == "<>" {
				sym = "!="
			}
			emit(tSym, sym)
		default:
			return nil, syntaxError(start+1, i18n.Errorf("unexpected character %q", r))
		}
	}
	return append(toks, token{kind: tEOF, pos: len(rs) + 1}), nil
}

// unquote reads a quoted run starting at rs[i], where a doubled quote stands
// for itself. It returns the content and the index after the closing quote.
func unquote(rs []rune, i int) (string, int, bool) {
	q := rs[i]
	var b strings.Builder
	for i++; i < len(rs); i++ {
		if rs[i] == q {
			if i+1 < len(rs) && rs[i+1] == q {
				b.WriteRune(q)
				i++
				continue
			}
			return b.String(), i + 1, true
		}
		b.WriteRune(rs[i])
	}
	return "", 0, false
}

func (t token) String() string { return t.desc().Error() }

// desc describes the token for a message (as an error, so that i18n.Error
// can translate it inside the message).
func (t token) desc() error {
	src := t.src
	if n := []rune(src); len(n) > 30 {
		src = string(n[:27]) + "..."
	}
	switch t.kind {
	case tEOF:
		return i18n.Errorf("end of rule")
	case tString:
		return i18n.Errorf("the text %s", src)
	case tNumber:
		return i18n.Errorf("the number %s", src)
	case tQuoted:
		return i18n.Errorf("the column name %s", src)
	}
	return errors.New("'" + src + "'")
}

var compare = map[Op]bool{Eq: true, Ne: true, Lt: true, Le: true, Gt: true, Ge: true}

type parser struct {
	toks  []token
	i     int
	depth int
}

// Parse reads the text form of a rule (see the package comment). Errors are
// *SyntaxError. String prints a tree back in the same form.
func Parse(text string) (*Node, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, syntaxError(1, i18n.Errorf("the rule is empty"))
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.is(")") {
			return nil, p.errf(t, i18n.Errorf("this ')' has no matching '('"))
		}
		return nil, p.errf(t, i18n.Errorf("expected AND, OR or the end of the rule but found %v", t.desc()))
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// is reports whether t is the symbol or (case-insensitively) the keyword s.
func (t token) is(s string) bool {
	return (t.kind == tSym || t.kind == tWord) && strings.EqualFold(t.text, s)
}

func (p *parser) errf(t token, why error) error { return syntaxError(t.pos, why) }

// or and and build flat groups: a AND b AND c is one group of three.
func (p *parser) or() (*Node, error)  { return p.chain(Or, p.and) }
func (p *parser) and() (*Node, error) { return p.chain(And, p.unary) }

func (p *parser) chain(logic string, sub func() (*Node, error)) (*Node, error) {
	n, err := sub()
	if err != nil || !p.peek().is(logic) {
		return n, err
	}
	g := &Node{Logic: logic, Children: []*Node{n}}
	for p.peek().is(logic) {
		p.next()
		if n, err = sub(); err != nil {
			return nil, err
		}
		g.Children = append(g.Children, n)
	}
	return g, nil
}

func (p *parser) unary() (*Node, error) {
	not := false
	for p.peek().is("not") {
		p.next()
		not = !not
	}
	t := p.peek()
	var n *Node
	var err error
	switch {
	case t.is("("):
		p.next()
		if p.peek().is(")") {
			return nil, p.errf(t, i18n.Errorf("empty group '()': put at least one condition inside"))
		}
		if p.depth++; p.depth > maxDepth {
			return nil, p.errf(t, i18n.Errorf("rule nests deeper than %d groups", maxDepth))
		}
		if n, err = p.or(); err != nil {
			return nil, err
		}
		p.depth--
		if c := p.next(); !c.is(")") {
			return nil, p.errf(c, i18n.Errorf("expected ')' to close the '(' at position %d but found %v", t.pos, c.desc()))
		}
	case t.kind == tQuoted || t.kind == tWord && !t.is("and") && !t.is("or"):
		if n, err = p.cond(); err != nil {
			return nil, err
		}
	default:
		return nil, p.errf(t, i18n.Errorf("expected a condition (starting with a column name), '(' or NOT but found %v", t.desc()))
	}
	n.Not = n.Not != not
	return n, nil
}

func (p *parser) cond() (*Node, error) {
	col := p.next()
	n := &Node{Column: col.text}
	t := p.next()
	if t.is("not") {
		n.Not = true
		t = p.next()
		if !t.is("in") && !t.is("between") && !t.is("contains") && !t.is("starts") {
			return nil, p.errf(t, i18n.Errorf("expected IN, BETWEEN, CONTAINS or STARTS WITH after NOT but found %v", t.desc()))
		}
	}
	val := func(after token) error {
		v := p.next()
		switch {
		case v.kind == tString || v.kind == tNumber:
			n.Values = append(n.Values, v.text)
		case v.is("true") || v.is("false"):
			n.Values = append(n.Values, strings.ToLower(v.text))
		default:
			return p.errf(v, i18n.Errorf("expected a value after '%s' but found %v", strings.ToUpper(after.src), v.desc()))
		}
		return nil
	}
	expect := func(word string) (token, error) {
		w := p.next()
		if !w.is(word) {
			return w, p.errf(w, i18n.Errorf("expected '%s' but found %v", strings.ToUpper(word), w.desc()))
		}
		return w, nil
	}
	var err error
	switch {
	case t.kind == tSym && compare[Op(t.text)]:
		n.Op = Op(t.text)
		err = val(t)
	case t.is("between"):
		n.Op = Between
		if err = val(t); err == nil {
			var and token
			if and, err = expect("and"); err == nil {
				err = val(and)
			}
		}
	case t.is("in"):
		n.Op = In
		if _, err = expect("("); err != nil {
			break
		}
		for sep := t; err == nil; {
			if err = val(sep); err != nil {
				break
			}
			sep = p.next()
			if sep.is(")") {
				break
			}
			if !sep.is(",") {
				err = p.errf(sep, i18n.Errorf("expected ',' or ')' in the IN list but found %v", sep.desc()))
			}
		}
	case t.is("contains"), t.is("before"), t.is("after"):
		n.Op = Op(strings.ToLower(t.text))
		err = val(t)
	case t.is("starts"):
		n.Op = StartsWith
		var w token
		if w, err = expect("with"); err == nil {
			err = val(w)
		}
	case t.is("is"):
		n.Op = IsEmpty
		w := p.next()
		if w.is("not") {
			n.Op = NotEmpty
			w = p.next()
		}
		if !w.is("empty") {
			err = p.errf(w, i18n.Errorf("expected EMPTY or NOT EMPTY after IS but found %v", w.desc()))
		}
	case t.is("within"):
		n.Op = WithinDays
		if _, err = expect("last"); err != nil {
			break
		}
		d := p.next()
		if d.kind != tNumber {
			return nil, p.errf(d, i18n.Errorf("expected a number of days after WITHIN LAST but found %v", d.desc()))
		}
		if _, err := days(d.text); err != nil {
			return nil, p.errf(d, err)
		}
		n.Values = []string{d.text}
		if w := p.next(); !w.is("days") && !w.is("day") {
			err = p.errf(w, i18n.Errorf("expected DAYS after WITHIN LAST %s but found %v", d.text, w.desc()))
		}
	default:
		err = p.errf(t, i18n.Errorf("expected an operator after %s (=, !=, <, <=, >, >=, BETWEEN, IN, CONTAINS, STARTS WITH, IS EMPTY, IS NOT EMPTY, WITHIN LAST n DAYS, BEFORE or AFTER) but found %v", col.src, t.desc()))
	}
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.is("exact") {
		p.next()
		if _, err := expect("case"); err != nil {
			return nil, err
		}
		if !CaseMatters(n.Op) {
			return nil, p.errf(t, i18n.Errorf("EXACT CASE works only with =, !=, IN, CONTAINS and STARTS WITH"))
		}
		n.Exact = true
	}
	return n, nil
}
