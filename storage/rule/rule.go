// Package rule holds customer segment rules: trees of AND/OR groups of
// conditions that the GUI edits, the CLI writes as text, and the project
// stores as JSON. Compile turns a rule into a parameterised DuckDB WHERE
// clause; user values never become SQL text.
//
// The text form, with keywords in any case:
//
//	rule  = or
//	or    = and { OR and }              AND binds tighter than OR
//	and   = unary { AND unary }
//	unary = NOT unary | "(" or ")" | cond
//	cond  = name ( ("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") value
//	             | [NOT] BETWEEN value AND value
//	             | [NOT] IN "(" value { "," value } ")"
//	             | [NOT] CONTAINS value | [NOT] STARTS WITH value
//	             | IS EMPTY | IS NOT EMPTY
//	             | WITHIN LAST digits DAY[S]
//	             | BEFORE value | AFTER value ) [EXACT CASE]
//	name  = word | "double quoted" | `backticked`   ("" or `` inside escapes)
//	word  = (letter | "_") { letter | digit | mark | "_" }   any script
//	value = 'single quoted' ('' escapes) | number | TRUE | FALSE
//	number = [-] digits [ "." digits ]
//
// Dates are written 'YYYY-MM-DD'. AND, OR and NOT cannot be bare column
// names; quote them.
//
// Text matches ignore case: city = 'london' matches London. EXACT CASE
// after a condition with =, !=, IN, CONTAINS or STARTS WITH makes it
// case-sensitive (city = 'London' EXACT CASE). Rules saved as JSON before
// case was ignored keep their meaning: see Node.UnmarshalJSON.
package rule

import (
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Op is a condition's operator. Its value is what the project stores.
type Op string

const (
	Eq         Op = "="
	Ne         Op = "!="
	Lt         Op = "<"
	Le         Op = "<="
	Gt         Op = ">"
	Ge         Op = ">="
	Between    Op = "between"
	In         Op = "in"
	Contains   Op = "contains"
	StartsWith Op = "starts with"
	IsEmpty    Op = "is empty"
	NotEmpty   Op = "is not empty"
	WithinDays Op = "within last days"
	Before     Op = "before"
	After      Op = "after"
)

// Logic values of a group.
const (
	And = "and"
	Or  = "or"
)

// arity gives how many values each operator takes; -1 means one or more.
var arity = map[Op]int{
	Eq: 1, Ne: 1, Lt: 1, Le: 1, Gt: 1, Ge: 1,
	Between: 2, In: -1, Contains: 1, StartsWith: 1,
	IsEmpty: 0, NotEmpty: 0, WithinDays: 1, Before: 1, After: 1,
}

// Node is either a group (Logic set, Children) or a condition (Column, Op,
// Values). Not negates either. Exact makes a text match case-sensitive
// (only for the operators CaseMatters reports).
type Node struct {
	Logic    string   `json:"logic,omitempty"`
	Children []*Node  `json:"children,omitempty"`
	Not      bool     `json:"not,omitempty"`
	Column   string   `json:"column,omitempty"`
	Op       Op       `json:"op,omitempty"`
	Values   []string `json:"values,omitempty"`
	Exact    bool     `json:"exact,omitempty"`
}

// CaseMatters reports whether an operator compares text, so that its
// condition can ignore case (the default) or take EXACT CASE.
func CaseMatters(op Op) bool {
	return op == Eq || op == Ne || op == In || op == Contains || op == StartsWith
}

// Arity is how many values an operator takes; -1 means one or more.
func Arity(op Op) int { return arity[op] }

// OpsFor lists the operators that read naturally for a kind of column, most
// common first, for editors to offer. Compile accepts these and a few more.
func OpsFor(k Kind) []Op {
	switch k {
	case Number:
		return []Op{Eq, Ne, Gt, Ge, Lt, Le, Between, In, IsEmpty, NotEmpty}
	case Date:
		return []Op{WithinDays, After, Before, Between, Eq, IsEmpty, NotEmpty}
	case Bool:
		return []Op{Eq, Ne, IsEmpty, NotEmpty}
	}
	return []Op{Eq, Ne, Contains, StartsWith, In, IsEmpty, NotEmpty}
}

// IsGroup reports whether n is a group rather than a condition.
func (n *Node) IsGroup() bool { return n.Logic != "" }

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 100

// Validate checks the structure of a tree, as the GUI or a JSON file may
// have built it. Column names and value types are checked by Compile, which
// knows the table.
func (n *Node) Validate() error { return n.validate(0) }

func (n *Node) validate(depth int) error {
	if n == nil {
		return i18n.Errorf("empty rule")
	}
	if depth > maxDepth {
		return i18n.Errorf("rule nests deeper than %d groups", maxDepth)
	}
	if n.IsGroup() {
		if n.Logic != And && n.Logic != Or {
			return i18n.Errorf("group logic must be %q or %q, not %q", And, Or, n.Logic)
		}
		if n.Column != "" || n.Op != "" || len(n.Values) > 0 {
			return i18n.Errorf("a group cannot also be a condition (column %q)", n.Column)
		}
		if len(n.Children) == 0 {
			return i18n.Errorf("empty %s group: add a condition or remove the group", strings.ToUpper(n.Logic))
		}
		for _, c := range n.Children {
			if err := c.validate(depth + 1); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Column == "" {
		return i18n.Errorf("condition has no column")
	}
	if len(n.Children) > 0 {
		return i18n.Errorf("condition on %q has children but no group logic", n.Column)
	}
	want, ok := arity[n.Op]
	if !ok {
		return i18n.Errorf("condition on %q: unknown operator %q", n.Column, n.Op)
	}
	if n.Exact && !CaseMatters(n.Op) {
		return i18n.Errorf("condition on %q: EXACT CASE works only with =, !=, IN, CONTAINS and STARTS WITH", n.Column)
	}
	switch {
	case want < 0 && len(n.Values) == 0:
		return i18n.Errorf("condition on %q: %s needs at least one value", n.Column, opName(n.Op))
	case want >= 0 && len(n.Values) != want:
		return i18n.Errorf("condition on %q: %s needs %d value(s), got %d", n.Column, opName(n.Op), want, len(n.Values))
	}
	if n.Op == WithinDays {
		if _, err := days(n.Values[0]); err != nil {
			return i18n.Errorf("condition on %q: %v", n.Column, err)
		}
	}
	return nil
}

// days parses the day count of WithinDays.
func days(s string) (int, error) {
	d, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || d < 0 || d > 100000 {
		return 0, i18n.Errorf("within last days needs a whole number of days from 0 to 100000, got %q", s)
	}
	return d, nil
}

// opName is how errors name an operator.
func opName(op Op) string {
	if op == WithinDays {
		return "'WITHIN LAST n DAYS'"
	}
	return "'" + strings.ToUpper(string(op)) + "'"
}

// String returns the canonical text form, which Parse reads back to an equal
// tree. Keywords are upper case; nested groups are always parenthesised so
// that the GUI's structure survives a trip through text.
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b, true)
	return b.String()
}

func (n *Node) write(b *strings.Builder, top bool) {
	if n == nil {
		return
	}
	if !n.IsGroup() {
		n.writeCond(b)
		return
	}
	if n.Not {
		b.WriteString("NOT (")
	} else if !top {
		b.WriteString("(")
	}
	for i, c := range n.Children {
		if i > 0 {
			b.WriteString(" " + strings.ToUpper(n.Logic) + " ")
		}
		c.write(b, false)
	}
	if n.Not || !top {
		b.WriteString(")")
	}
}

func (n *Node) writeCond(b *strings.Builder) {
	// "x NOT IN (...)" reads better than "NOT x IN (...)"; both parse alike.
	// No parentheses after a plain NOT: NOT binds to one condition, and
	// adding them would make the text nest deeper than the tree.
	infixNot := n.Not && (n.Op == In || n.Op == Between || n.Op == Contains || n.Op == StartsWith)
	if n.Not && !infixNot {
		b.WriteString("NOT ")
	}
	b.WriteString(quoteName(n.Column))
	if infixNot {
		b.WriteString(" NOT")
	}
	v := func(i int) string {
		if i < len(n.Values) {
			return quoteValue(n.Values[i])
		}
		return "''"
	}
	switch n.Op {
	case Between:
		b.WriteString(" BETWEEN " + v(0) + " AND " + v(1))
	case In:
		b.WriteString(" IN (")
		for i := range n.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v(i))
		}
		b.WriteString(")")
	case IsEmpty, NotEmpty:
		b.WriteString(" " + strings.ToUpper(string(n.Op)))
	case WithinDays:
		b.WriteString(" WITHIN LAST " + v(0) + " DAYS")
	default:
		b.WriteString(" " + strings.ToUpper(string(n.Op)) + " " + v(0))
	}
	if n.Exact && CaseMatters(n.Op) {
		b.WriteString(" EXACT CASE")
	}
}

// quoteValue prints a value as a bare number or true/false when the lexer
// would read it back as exactly that value, and as a quoted string otherwise.
func quoteValue(s string) string {
	if isNumber(s) || s == "true" || s == "false" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteName prints a column name bare when the lexer would read it back as
// that name, and double-quoted otherwise.
func quoteName(s string) string {
	if isBare(s) && !keywords[strings.ToLower(s)] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
