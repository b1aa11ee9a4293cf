// Package expr compiles the expressions a user types to add a computed
// column, such as round(amount / 1.2, 2) or lower(trim(email)), into DuckDB
// SQL. Names reach the SQL only through the caller's resolver, literals only
// as placeholder arguments, and functions only from a fixed list.
//
// The grammar, loosest binding first, keywords in any case:
//
//	expr    = and { OR and }
//	and     = not { AND not }
//	not     = NOT not | cmp
//	cmp     = concat [ ("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") concat ]
//	concat  = sum { "||" sum }
//	sum     = product { ("+" | "-") product }
//	product = unary { ("*" | "/" | "%") unary }
//	unary   = "-" unary | primary
//	primary = digits [ "." digits ] | 'text' | TRUE | FALSE
//	        | name | word "(" [ expr { "," expr } ] ")" | "(" expr ")"
//	name    = word | "double quoted" | `backticked`
//
// Functions (see Names): abs, round(x[, digits]), floor, ceil, sqrt, ln,
// log10, exp, power/pow, least, greatest, coalesce, nullif, lower, upper,
// trim, length, substr(s, start[, len]), replace(s, from, to), concat(...),
// year, month, day, dayofweek, date_diff_days(a, b), if(cond, a, b).
// Types are checked: arithmetic needs numbers, year needs a date, and so
// on; a 'YYYY-MM-DD' text is read as a date where a date is expected.
package expr

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Kind is what a value holds, as far as expressions care.
type Kind int

const (
	Text Kind = iota
	Number
	Date // DATE or TIMESTAMP
	Bool
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Number:
		return "a number"
	case Date:
		return "a date"
	case Bool:
		return "true/false"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// words is String for a message, as an error so that i18n.Error can
// translate it inside the message.
func (k Kind) words() error {
	switch k {
	case Text:
		return i18n.Errorf("text")
	case Number:
		return i18n.Errorf("a number")
	case Date:
		return i18n.Errorf("a date")
	case Bool:
		return i18n.Errorf("true/false")
	}
	return errors.New(k.String())
}

// Column is a resolved column: SQL is an already-quoted expression.
type Column struct {
	SQL  string
	Kind Kind
}

// Pseudo-kinds for function signatures.
const (
	anyKind  Kind = -1 // any argument
	sameKind Kind = -2 // these arguments share one kind, which is also the result's
)

type fn struct {
	sql      string
	min, max int    // max < 0: no limit
	in       []Kind // argument kinds by position; the last one repeats
	out      Kind
}

var (
	num1  = []Kind{Number}
	text1 = []Kind{Text}
	date1 = []Kind{Date}
	same  = []Kind{sameKind}
)

// funcs is the whitelist, by the lower-case name users type.
var funcs = map[string]fn{
	"abs":            {"abs", 1, 1, num1, Number},
	"round":          {"round", 1, 2, num1, Number},
	"floor":          {"floor", 1, 1, num1, Number},
	"ceil":           {"ceil", 1, 1, num1, Number},
	"sqrt":           {"sqrt", 1, 1, num1, Number},
	"ln":             {"ln", 1, 1, num1, Number},
	"log10":          {"log10", 1, 1, num1, Number},
	"exp":            {"exp", 1, 1, num1, Number},
	"power":          {"power", 2, 2, num1, Number},
	"pow":            {"power", 2, 2, num1, Number},
	"least":          {"least", 2, -1, same, sameKind},
	"greatest":       {"greatest", 2, -1, same, sameKind},
	"coalesce":       {"coalesce", 1, -1, same, sameKind},
	"nullif":         {"nullif", 2, 2, same, sameKind},
	"lower":          {"lower", 1, 1, text1, Text},
	"upper":          {"upper", 1, 1, text1, Text},
	"trim":           {"trim", 1, 1, text1, Text},
	"length":         {"length", 1, 1, text1, Number},
	"substr":         {"substr", 2, 3, []Kind{Text, Number}, Text},
	"replace":        {"replace", 3, 3, text1, Text},
	"concat":         {"concat", 1, -1, []Kind{anyKind}, Text},
	"year":           {"year", 1, 1, date1, Number},
	"month":          {"month", 1, 1, date1, Number},
	"day":            {"day", 1, 1, date1, Number},
	"dayofweek":      {"dayofweek", 1, 1, date1, Number},
	"date_diff_days": {"date_diff", 2, 2, date1, Number},
	"if":             {"", 3, 3, []Kind{Bool, sameKind}, sameKind},
}

func (f fn) kind(i int) Kind { return f.in[min(i, len(f.in)-1)] }

// arity says how many arguments f takes (as an error, for i18n.Error).
func (f fn) arity() error {
	switch {
	case f.min == f.max && f.min == 1:
		return i18n.Errorf("1 argument")
	case f.min == f.max:
		return i18n.Errorf("%d arguments", f.min)
	case f.max < 0:
		return i18n.Errorf("at least %d argument(s)", f.min)
	}
	return i18n.Errorf("%d or %d arguments", f.min, f.max)
}

// Names lists the allowed functions, for help text.
func Names() []string {
	var s []string
	for k := range funcs {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Compile checks an expression and turns it into a DuckDB SQL expression
// with ? placeholders and their arguments, in order. Errors are *Error and
// give the character position.
//
// Every literal is a typed argument (CAST(? AS ...)), so DuckDB never has to
// guess a placeholder's type from a neighbouring column, which can silently
// round 1.5 to 2 on an INTEGER column.
func Compile(src string, resolve func(name string) (Column, bool)) (sql string, args []any, err error) {
	if resolve == nil {
		return "", nil, fmt.Errorf("expr: Compile needs a resolver")
	}
	n, err := parse(src)
	if err != nil {
		return "", nil, err
	}
	f, err := (&compiler{resolve}).emit(n, false)
	if err != nil {
		return "", nil, err
	}
	return f.sql, f.args, nil
}

type compiler struct {
	resolve func(string) (Column, bool)
}

// frag is compiled SQL with its arguments.
type frag struct {
	sql  string
	args []any
	kind Kind
	n    *node
}

// lit reports whether f is a string literal, which may still be read as a date.
func (f frag) lit() bool { return f.n.kind == nString }

func join(sql string, kind Kind, n *node, fs ...frag) frag {
	out := frag{sql: sql, kind: kind, n: n}
	for _, f := range fs {
		out.args = append(out.args, f.args...)
	}
	return out
}

// emit compiles n. With date set, a string literal is read as a date.
func (c *compiler) emit(n *node, date bool) (frag, error) {
	switch n.kind {
	case nNumber:
		if i, err := strconv.ParseInt(n.text, 10, 64); err == nil {
			return frag{"CAST(? AS BIGINT)", []any{i}, Number, n}, nil
		}
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil {
			return frag{}, errAt(n.pos, i18n.Errorf("the number %s is too large", n.text))
		}
		return frag{"CAST(? AS DOUBLE)", []any{f}, Number, n}, nil
	case nString:
		if !date {
			return frag{"CAST(? AS VARCHAR)", []any{n.text}, Text, n}, nil
		}
		d, err := time.Parse(time.DateOnly, n.text)
		if err != nil {
			return frag{}, errAt(n.pos, i18n.Errorf("'%s' is used as a date, so it must be written YYYY-MM-DD", n.text))
		}
		return frag{"CAST(? AS DATE)", []any{d.Format(time.DateOnly)}, Date, n}, nil
	case nBool:
		return frag{n.text, nil, Bool, n}, nil // "true" or "false", from the parser
	case nColumn:
		col, ok := c.resolve(n.text)
		if !ok {
			return frag{}, errAt(n.pos, i18n.Errorf("unknown column %q", n.text))
		}
		return frag{col.SQL, nil, col.Kind, n}, nil
	case nCall:
		return c.call(n)
	}

	fs := make([]frag, len(n.args))
	for i, a := range n.args {
		f, err := c.emit(a, false)
		if err != nil {
			return frag{}, err
		}
		fs[i] = f
	}
	// hint, when not nil, is added to the message.
	need := func(k Kind, hint error) error {
		if hint == nil {
			hint = errors.New("")
		}
		op := strings.ToUpper(n.op)
		for i, f := range fs {
			if f.kind != k {
				switch {
				case len(fs) != 2:
					return errAt(n.pos, i18n.Errorf("'%s' needs %v, but it is %v%v", op, k.words(), f.kind.words(), hint))
				case i == 0:
					return errAt(n.pos, i18n.Errorf("'%s' needs %v, but the left side is %v%v", op, k.words(), f.kind.words(), hint))
				default:
					return errAt(n.pos, i18n.Errorf("'%s' needs %v, but the right side is %v%v", op, k.words(), f.kind.words(), hint))
				}
			}
		}
		return nil
	}
	if n.kind == nUnary {
		k, op := Number, "-"
		if n.op == "not" {
			k, op = Bool, "NOT "
		}
		if err := need(k, nil); err != nil {
			return frag{}, err
		}
		return join("("+op+fs[0].sql+")", k, n, fs...), nil
	}

	l, r := fs[0], fs[1]
	switch n.op {
	case "and", "or":
		if err := need(Bool, nil); err != nil {
			return frag{}, err
		}
		return join("("+l.sql+" "+strings.ToUpper(n.op)+" "+r.sql+")", Bool, n, l, r), nil
	case "||":
		for i := range fs {
			if fs[i].kind != Text {
				fs[i].sql = "CAST(" + fs[i].sql + " AS VARCHAR)"
			}
		}
		return join("("+fs[0].sql+" || "+fs[1].sql+")", Text, n, fs...), nil
	case "+", "-", "*", "/", "%":
		var hint error
		if l.kind == Date || r.kind == Date {
			hint = i18n.Errorf("; for days between dates use date_diff_days(a, b)")
		}
		if err := need(Number, hint); err != nil {
			return frag{}, err
		}
		return join("("+l.sql+" "+n.op+" "+r.sql+")", Number, n, l, r), nil
	}
	// A comparison.
	if _, bad, err := c.unify(fs); err != nil {
		return frag{}, err
	} else if bad >= 0 {
		return frag{}, errAt(n.pos, i18n.Errorf("cannot compare %v with %v", fs[0].kind.words(), fs[1].kind.words()))
	}
	op := n.op
	if op == "!=" {
		op = "<>"
	}
	return join("("+fs[0].sql+" "+op+" "+fs[1].sql+")", Bool, n, fs...), nil
}

// unify makes fs one kind in place: string literals become dates when the
// other values are dates. It returns that kind, or the index of a value
// of another kind.
func (c *compiler) unify(fs []frag) (Kind, int, error) {
	k := fs[0].kind
	for _, f := range fs {
		if !f.lit() {
			k = f.kind
			break
		}
	}
	for i := range fs {
		if k == Date && fs[i].lit() {
			d, err := c.emit(fs[i].n, true)
			if err != nil {
				return 0, -1, err
			}
			fs[i] = d
		}
		if fs[i].kind != k {
			return k, i, nil
		}
	}
	return k, -1, nil
}

func (c *compiler) call(n *node) (frag, error) {
	f, ok := funcs[n.op]
	if !ok {
		return frag{}, errAt(n.pos, i18n.Errorf("unknown function %q; allowed functions are %s", n.op, strings.Join(Names(), ", ")))
	}
	if len(n.args) < f.min || f.max >= 0 && len(n.args) > f.max {
		return frag{}, errAt(n.pos, i18n.Errorf("%s takes %s, but got %d", n.op, f.arity(), len(n.args)))
	}
	fs := make([]frag, len(n.args))
	var same []frag
	var sameAt []int
	for i, a := range n.args {
		want := f.kind(i)
		x, err := c.emit(a, want == Date)
		if err != nil {
			return frag{}, err
		}
		switch want {
		case anyKind:
		case sameKind:
			same, sameAt = append(same, x), append(sameAt, i)
		default:
			if x.kind != want {
				return frag{}, errAt(a.pos, i18n.Errorf("argument %d of %s must be %v, but it is %v", i+1, n.op, want.words(), x.kind.words()))
			}
		}
		fs[i] = x
	}
	out := f.out
	if len(same) > 0 {
		k, bad, err := c.unify(same)
		if err != nil {
			return frag{}, err
		}
		if bad >= 0 {
			return frag{}, errAt(same[bad].n.pos, i18n.Errorf("the arguments of %s must have one type, but argument %d is %v and argument %d is %v",
				n.op, sameAt[bad]+1, same[bad].kind.words(), sameAt[0]+1, k.words()))
		}
		for j, i := range sameAt {
			fs[i] = same[j]
		}
		if out == sameKind {
			out = k
		}
	}
	sqls := make([]string, len(fs))
	for i, x := range fs {
		sqls[i] = x.sql
	}
	switch n.op {
	case "if":
		return join("CASE WHEN "+sqls[0]+" THEN "+sqls[1]+" ELSE "+sqls[2]+" END", out, n, fs...), nil
	case "date_diff_days":
		return join("date_diff('day', "+sqls[0]+", "+sqls[1]+")", out, n, fs...), nil
	case "round":
		// DuckDB's round takes its digits as INTEGER and will not narrow BIGINT.
		if len(sqls) == 2 {
			if sqls[1] == "CAST(? AS BIGINT)" {
				sqls[1] = "CAST(? AS INTEGER)"
			} else {
				sqls[1] = "CAST(" + sqls[1] + " AS INTEGER)"
			}
		}
	}
	return join(f.sql+"("+strings.Join(sqls, ", ")+")", out, n, fs...), nil
}
