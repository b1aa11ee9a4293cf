package expr

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Error is a problem in an expression. Pos counts characters from 1.
type Error struct {
	Pos int
	Msg string
	why error // Msg as an error i18n.Error can translate
}

func (e *Error) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

// Unwrap gives the message in a form i18n.Error can translate.
func (e *Error) Unwrap() error {
	why := e.why
	if why == nil || why.Error() != e.Msg {
		why = errors.New(e.Msg)
	}
	return i18n.Errorf("at position %d: %v", e.Pos, why)
}

// errAt makes an Error at pos from why, made by i18n.Errorf.
func errAt(pos int, why error) error {
	return &Error{Pos: pos, Msg: why.Error(), why: why}
}

type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // bare word: keyword, function or column name
	tQuoted         // "quoted" or `quoted` column name
	tString         // 'text'
	tNumber
	tSym
)

type token struct {
	kind tokKind
	text string // unquoted value
	src  string // as written, for messages
	pos  int
}

func (t token) String() string { return t.desc().Error() }

// desc describes the token for a message (as an error, so that i18n.Error
// can translate it inside the message).
func (t token) desc() error {
	src := t.src
	if r := []rune(src); len(r) > 30 {
		src = string(r[:27]) + "..."
	}
	switch t.kind {
	case tEOF:
		return i18n.Errorf("end of expression")
	case tString:
		return i18n.Errorf("the text %s", src)
	case tNumber:
		return i18n.Errorf("the number %s", src)
	case tQuoted:
		return i18n.Errorf("the column name %s", src)
	}
	return errors.New("'" + src + "'")
}

// is reports whether t is the symbol or (case-insensitively) the keyword s.
func (t token) is(s string) bool {
	return (t.kind == tSym || t.kind == tWord) && strings.EqualFold(t.text, s)
}

func isWordStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isWordPart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// maxLen and maxDepth bound the work hostile input can cause.
const (
	maxLen   = 10000
	maxDepth = 100
)

func lex(src string) ([]token, error) {
	if !utf8.ValidString(src) {
		return nil, errAt(1, i18n.Errorf("the expression is not valid UTF-8 text"))
	}
	rs := []rune(src)
	if len(rs) > maxLen {
		return nil, errAt(maxLen+1, i18n.Errorf("the expression is longer than %d characters", maxLen))
	}
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
		case isDigit(r):
			for i < len(rs) && isDigit(rs[i]) {
				i++
			}
			if i+1 < len(rs) && rs[i] == '.' && isDigit(rs[i+1]) {
				for i++; i < len(rs) && isDigit(rs[i]); i++ {
				}
			}
			emit(tNumber, string(rs[start:i]))
		case r == '\'' || r == '"' || r == '`':
			val, end, ok := unquote(rs, i)
			if !ok {
				if r != '\'' {
					return nil, errAt(start+1, i18n.Errorf("the column name starting here has no closing %c", r))
				}
				return nil, errAt(start+1, i18n.Errorf("the text starting here has no closing %c", r))
			}
			i = end
			switch {
			case r == '\'':
				emit(tString, val)
			case val == "":
				return nil, errAt(start+1, i18n.Errorf("empty column name"))
			default:
				emit(tQuoted, val)
			}
		default:
			sym := ""
			for _, s := range []string{"||", "<=", ">=", "<>", "!=", "+", "-", "*", "/", "%", "(", ")", ",", "=", "<", ">"} {
				if strings.HasPrefix(string(rs[i:min(i+2, len(rs))]), s) {
					sym = s
					break
				}
			}
			switch {
			case sym != "":
				i += len(sym)
				if sym == "<>" {
					sym = "!="
				}
				emit(tSym, sym)
			case r == '|':
				return nil, errAt(start+1, i18n.Errorf("unexpected '|': did you mean '||' (join text)?"))
			case r == '!':
				return nil, errAt(start+1, i18n.Errorf("unexpected '!': did you mean '!='?"))
			default:
				return nil, errAt(start+1, i18n.Errorf("unexpected character %q", r))
			}
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

type nodeKind int

const (
	nNumber nodeKind = iota
	nString
	nBool
	nColumn
	nCall
	nUnary  // op is "-" or "not"
	nBinary // op is a symbol, "and" or "or"
)

type node struct {
	kind nodeKind
	pos  int
	op   string // operator, or lower-cased function name
	text string // literal value or column name
	args []*node
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func parse(src string) (*node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, errAt(1, i18n.Errorf("the expression is empty"))
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.is(")") {
			return nil, errAt(t.pos, i18n.Errorf("this ')' has no matching '('"))
		}
		return nil, errAt(t.pos, i18n.Errorf("expected an operator or the end of the expression but found %v", t.desc()))
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

// binary parses a left-associative chain of sub separated by any of ops.
func (p *parser) binary(sub func() (*node, error), ops ...string) (*node, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op := ""
		for _, o := range ops {
			if t.is(o) {
				op = o
			}
		}
		if op == "" {
			return l, nil
		}
		p.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = &node{kind: nBinary, pos: t.pos, op: op, args: []*node{l, r}}
	}
}

// Precedence, loosest first: OR, AND, NOT, comparison, ||, + -, * / %, unary -.
func (p *parser) or() (*node, error)  { return p.binary(p.and, "or") }
func (p *parser) and() (*node, error) { return p.binary(p.not, "and") }

func (p *parser) not() (*node, error) {
	if t := p.peek(); t.is("not") {
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &node{kind: nUnary, pos: t.pos, op: "not", args: []*node{x}}, nil
	}
	return p.compare()
}

func (p *parser) compare() (*node, error) {
	l, err := p.concat()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tSym || !compareOps[t.text] {
		return l, nil
	}
	p.next()
	r, err := p.concat()
	if err != nil {
		return nil, err
	}
	if u := p.peek(); u.kind == tSym && compareOps[u.text] {
		return nil, errAt(u.pos, i18n.Errorf("comparisons cannot be chained; use AND, as in a < b AND b < c"))
	}
	return &node{kind: nBinary, pos: t.pos, op: t.text, args: []*node{l, r}}, nil
}

var compareOps = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) concat() (*node, error) { return p.binary(p.add, "||") }
func (p *parser) add() (*node, error)    { return p.binary(p.mul, "+", "-") }
func (p *parser) mul() (*node, error)    { return p.binary(p.unary, "*", "/", "%") }

func (p *parser) enter(t token) error {
	if p.depth++; p.depth > maxDepth {
		return errAt(t.pos, i18n.Errorf("the expression nests deeper than %d levels", maxDepth))
	}
	return nil
}
func (p *parser) leave() { p.depth-- }

func (p *parser) unary() (*node, error) {
	t := p.peek()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	if t.is("-") {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{kind: nUnary, pos: t.pos, op: "-", args: []*node{x}}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*node, error) {
	at := p.i
	t := p.next()
	switch {
	case t.kind == tNumber:
		return &node{kind: nNumber, pos: t.pos, text: t.text}, nil
	case t.kind == tString:
		return &node{kind: nString, pos: t.pos, text: t.text}, nil
	case t.kind == tQuoted:
		return &node{kind: nColumn, pos: t.pos, text: t.text}, nil
	case t.is("true") || t.is("false"):
		// The text becomes SQL, so it is ours, not the user's spelling.
		v := "false"
		if t.is("true") {
			v = "true"
		}
		return &node{kind: nBool, pos: t.pos, text: v}, nil
	case t.kind == tWord && !t.is("and") && !t.is("or") && !t.is("not"):
		if !p.peek().is("(") {
			return &node{kind: nColumn, pos: t.pos, text: t.text}, nil
		}
		open := p.next()
		n := &node{kind: nCall, pos: t.pos, op: strings.ToLower(t.text)}
		if p.peek().is(")") {
			p.next()
			return n, nil
		}
		for {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, a)
			switch c := p.next(); {
			case c.is(")"):
				return n, nil
			case !c.is(","):
				return nil, errAt(c.pos, i18n.Errorf("expected ',' or ')' to close the arguments of %s at position %d but found %v", t.text, open.pos, c.desc()))
			}
		}
	case t.is("("):
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); !c.is(")") {
			return nil, errAt(c.pos, i18n.Errorf("expected ')' to close the '(' at position %d but found %v", t.pos, c.desc()))
		}
		return x, nil
	}
	if at > 0 {
		return nil, errAt(t.pos, i18n.Errorf("expected a value, column, function or '(' after %v but found %v", p.toks[at-1].desc(), t.desc()))
	}
	return nil, errAt(t.pos, i18n.Errorf("expected a value, column, function or '(' at the start but found %v", t.desc()))
}
