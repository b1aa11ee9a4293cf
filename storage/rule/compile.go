package rule

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Kind is what a column holds, as far as rules care.
type Kind int

const (
	Text Kind = iota
	Number
	Date // DATE or TIMESTAMP; compared by calendar day
	Bool
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Number:
		return "number"
	case Date:
		return "date"
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
		return i18n.Errorf("number")
	case Date:
		return i18n.Errorf("date")
	case Bool:
		return i18n.Errorf("true/false")
	}
	return errors.New(k.String())
}

// Column is a resolved column: SQL is an already-quoted expression such as
// "b"."Country", and is the only way a name reaches the SQL text.
type Column struct {
	SQL  string
	Kind Kind
}

// Resolver finds a column by the name a rule uses.
type Resolver func(name string) (Column, bool)

// Options tune Compile.
type Options struct {
	// Today is the reference date for WITHIN LAST n DAYS; zero means now.
	Today time.Time
	// Names lists the known columns for the unknown-column message.
	Names []string
}

// Compile turns a rule into a DuckDB boolean expression for a WHERE clause
// and the arguments for its placeholders, in order.
//
// A negated condition or group also matches rows where it is NULL ("not in
// the UK" includes customers with no country), and so does != (IS DISTINCT
// FROM). WITHIN LAST n DAYS matches dates from Today minus n days to Today,
// both included. Text comparisons (=, !=, IN on a text column; CONTAINS and
// STARTS WITH on any) compare lower(column) with lower(value) unless the
// condition is Exact.
func Compile(n *Node, r Resolver, o Options) (where string, args []any, err error) {
	if err := n.Validate(); err != nil {
		return "", nil, err
	}
	if r == nil {
		return "", nil, fmt.Errorf("rule: Compile needs a Resolver")
	}
	c := &compiler{r: r, o: o}
	where, err = c.node(n)
	if err != nil {
		return "", nil, err
	}
	return where, c.args, nil
}

type compiler struct {
	r    Resolver
	o    Options
	args []any
}

func (c *compiler) node(n *Node) (string, error) {
	var s string
	if n.IsGroup() {
		parts := make([]string, len(n.Children))
		for i, ch := range n.Children {
			p, err := c.node(ch)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		s = "(" + strings.Join(parts, " "+strings.ToUpper(n.Logic)+" ") + ")"
	} else {
		var err error
		if s, err = c.cond(n); err != nil {
			return "", err
		}
	}
	if n.Not {
		s = "NOT coalesce(" + s + ", false)"
	}
	return s, nil
}

func (c *compiler) unknown(name string) error {
	if len(c.o.Names) == 0 {
		return i18n.Errorf("unknown column %q", name)
	}
	names := c.o.Names
	if len(names) > 30 {
		names = names[:30]
	}
	q := make([]string, len(names))
	for i, s := range names {
		q[i] = quoteName(s)
	}
	if len(c.o.Names) > 30 {
		return i18n.Errorf("unknown column %q; known columns are %s and %d more", name, strings.Join(q, ", "), len(c.o.Names)-30)
	}
	return i18n.Errorf("unknown column %q; known columns are %s", name, strings.Join(q, ", "))
}

func (c *compiler) cond(n *Node) (string, error) {
	col, ok := c.r(n.Column)
	if !ok {
		return "", c.unknown(n.Column)
	}
	bad := func(why error) error {
		plain := *n
		plain.Not = false
		return fmt.Errorf("%s: %w", plain.String(), why)
	}
	needs := func(kinds error) error {
		return bad(i18n.Errorf("%s works on %v, but %s is a %v column", opName(n.Op), kinds, quoteName(n.Column), col.Kind.words()))
	}
	// val adds a value as an argument, typed for the column.
	val := func(v string) (string, error) {
		s := strings.TrimSpace(v)
		switch col.Kind {
		case Number:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return "", bad(i18n.Errorf("%s is a number column, so %s must be a number", quoteName(n.Column), quoteValue(v)))
			}
			c.args = append(c.args, f)
			return "CAST(? AS DOUBLE)", nil
		case Date:
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return "", bad(i18n.Errorf("%s is a date column, so %s must be a date written YYYY-MM-DD", quoteName(n.Column), quoteValue(v)))
			}
			c.args = append(c.args, d.Format(time.DateOnly))
			return "CAST(? AS DATE)", nil
		case Bool:
			b, ok := parseBool(s)
			if !ok {
				return "", bad(i18n.Errorf("%s is a true/false column, so %s must be true or false", quoteName(n.Column), quoteValue(v)))
			}
			c.args = append(c.args, b)
			return "CAST(? AS BOOLEAN)", nil
		}
		c.args = append(c.args, v)
		return "?", nil
	}
	x := col.SQL
	if col.Kind == Date {
		x = "CAST(" + x + " AS DATE)"
	}
	text := col.SQL // for string matching, whatever the kind
	if col.Kind != Text {
		text = "CAST(" + col.SQL + " AS VARCHAR)"
	}
	// fold makes a text comparison ignore case: both sides lower-cased.
	fold := func(s string) string { return s }
	if !n.Exact {
		fold = func(s string) string { return "lower(" + s + ")" }
	}
	if col.Kind == Text && (n.Op == Eq || n.Op == Ne || n.Op == In) {
		x = fold(x)
		inner := val
		val = func(v string) (string, error) {
			p, err := inner(v)
			return fold(p), err
		}
	}

	switch n.Op {
	case Eq, Ne, Lt, Le, Gt, Ge, Before, After:
		op := string(n.Op)
		switch n.Op {
		case Ne:
			op = "IS DISTINCT FROM"
		case Before:
			op = "<"
		case After:
			op = ">"
		}
		switch {
		case (n.Op == Before || n.Op == After) && col.Kind != Date:
			return "", needs(i18n.Errorf("dates"))
		case op != "=" && op != "IS DISTINCT FROM" && col.Kind != Number && col.Kind != Date:
			return "", needs(i18n.Errorf("numbers and dates"))
		}
		v, err := val(n.Values[0])
		if err != nil {
			return "", err
		}
		return x + " " + op + " " + v, nil
	case Between:
		if col.Kind != Number && col.Kind != Date {
			return "", needs(i18n.Errorf("numbers and dates"))
		}
		lo, err := val(n.Values[0])
		if err != nil {
			return "", err
		}
		hi, err := val(n.Values[1])
		if err != nil {
			return "", err
		}
		return x + " BETWEEN " + lo + " AND " + hi, nil
	case In:
		ps := make([]string, len(n.Values))
		for i, v := range n.Values {
			p, err := val(v)
			if err != nil {
				return "", err
			}
			ps[i] = p
		}
		return x + " IN (" + strings.Join(ps, ", ") + ")", nil
	case Contains:
		c.args = append(c.args, n.Values[0])
		return "strpos(" + fold(text) + ", " + fold("?") + ") > 0", nil
	case StartsWith:
		c.args = append(c.args, n.Values[0])
		return "starts_with(" + fold(text) + ", " + fold("?") + ")", nil
	case IsEmpty:
		return "(" + col.SQL + " IS NULL OR trim(" + text + ") = '')", nil
	case NotEmpty:
		return "(" + col.SQL + " IS NOT NULL AND trim(" + text + ") <> '')", nil
	case WithinDays:
		if col.Kind != Date {
			return "", needs(i18n.Errorf("dates"))
		}
		d, _ := days(n.Values[0]) // checked by Validate
		today := c.o.Today
		if today.IsZero() {
			today = time.Now()
		}
		y, m, dd := today.Date()
		end := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		c.args = append(c.args, end.AddDate(0, 0, -d).Format(time.DateOnly), end.Format(time.DateOnly))
		return x + " BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)", nil
	}
	return "", bad(i18n.Errorf("unknown operator %q", n.Op)) // unreachable after Validate
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}
