package tree

import (
	"math"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Cond bounds one feature: Lo < x <= Hi, with ±Inf for an open side.
type Cond struct {
	Feature int
	Lo, Hi  float64
}

// Rule is the path to one leaf read as IF conditions THEN class.
type Rule struct {
	// Conds has one entry per feature tested on the path, in the order the
	// features are first tested; repeated tests are merged into one range.
	Conds []Cond
	// Leaf is the node id of the leaf.
	Leaf int
	// Class is the leaf's majority label and Share its fraction of the
	// leaf's N training rows.
	Class int
	Share float64
	N     int
	// Text is Format("class <label>", "rows").
	Text string

	names []string
}

// Rules returns one rule per leaf, in node order. featureNames label the
// columns (x0, x1, ... where missing). A name of the form "Column=Level"
// marks a 0/1 indicator column, so a test on it reads "Column = Level" or
// "Column != Level" instead of a comparison with 0.5.
func (t *Tree) Rules(featureNames []string) []Rule {
	names := make([]string, t.NFeatures)
	for j := range names {
		if j < len(featureNames) && featureNames[j] != "" {
			names[j] = featureNames[j]
		} else {
			names[j] = "x" + strconv.Itoa(j)
		}
	}
	var out []Rule
	var walk func(i int, conds []Cond)
	walk = func(i int, conds []Cond) {
		nd := &t.Nodes[i]
		if nd.Leaf() {
			c := argmax(nd.Value)
			s := 0.0
			for _, v := range nd.Value {
				s += v
			}
			r := Rule{Conds: conds, Leaf: i, Class: t.Classes[c], Share: nd.Value[c] / s, N: nd.N, names: names}
			r.Text = r.Format("class "+strconv.Itoa(r.Class), "rows")
			out = append(out, r)
			return
		}
		// Each branch gets its own copy, tightened on the tested feature.
		left := tighten(conds, nd.Feature, math.Inf(-1), nd.Threshold)
		right := tighten(conds, nd.Feature, nd.Threshold, math.Inf(1))
		walk(nd.Left, left)
		walk(nd.Right, right)
	}
	walk(0, nil)
	return out
}

func tighten(conds []Cond, f int, lo, hi float64) []Cond {
	out := append([]Cond(nil), conds...)
	for k := range out {
		if out[k].Feature == f {
			out[k].Lo = max(out[k].Lo, lo)
			out[k].Hi = min(out[k].Hi, hi)
			return out
		}
	}
	return append(out, Cond{Feature: f, Lo: lo, Hi: hi})
}

// Format renders the rule with the given name for its class and noun for
// the rows, e.g. Format("churn", "customers") gives
// "IF tenure <= 17.5 AND Contract = Month-to-month THEN churn (78% of 1,234 customers)".
// Thresholds are shown to 6 significant digits; Conds keep them exact.
func (r Rule) Format(class, noun string) string { return r.Words(class).Msg(noun).String() }

// Words is a rule ready to be written in any language: its conditions
// as text ("tenure <= 17.5", "Contract = Month-to-month"), the label of its
// class, the class's share of the leaf and the leaf's rows. It keeps what a
// saved model needs to show its rules without the tree.
type Words struct {
	Conds []string `json:"conds,omitempty"`
	Class string   `json:"class"`
	Share float64  `json:"share"`
	N     int      `json:"n"`
}

// Words returns the rule's Words with class as the label of its class.
func (r Rule) Words(class string) Words {
	w := Words{Class: class, Share: r.Share, N: r.N}
	for _, c := range r.Conds {
		w.Conds = append(w.Conds, cond(c, r.names[c.Feature]))
	}
	return w
}

// Msg writes the rule, with noun (a string or a msg.Msg) naming the rows:
// "IF … AND … THEN class (78% of 1,234 customers)".
func (w Words) Msg(noun any) msg.Msg {
	then := msg.New("%s (%d%% of %s %s)", w.Class, int(math.Round(100*w.Share)), thousands(w.N), noun)
	if len(w.Conds) == 0 {
		return then
	}
	conds := msg.Raw(w.Conds[0])
	for _, c := range w.Conds[1:] {
		conds = msg.New("%s AND %s", conds, c)
	}
	return msg.New("IF %s THEN %s", conds, then)
}

func cond(c Cond, name string) string {
	if col, level, ok := strings.Cut(name, "="); ok {
		switch {
		case math.IsInf(c.Lo, -1) && c.Hi >= 0 && c.Hi < 1:
			return col + " != " + level
		case c.Lo >= 0 && c.Lo < 1 && math.IsInf(c.Hi, 1):
			return col + " = " + level
		}
	}
	switch {
	case math.IsInf(c.Lo, -1):
		return name + " <= " + num(c.Hi)
	case math.IsInf(c.Hi, 1):
		return name + " > " + num(c.Lo)
	}
	return num(c.Lo) + " < " + name + " <= " + num(c.Hi)
}

func num(v float64) string {
	if math.Abs(v) >= 1e5 {
		return strconv.FormatFloat(v, 'f', 0, 64) // no exponent for large amounts
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// thousands writes n with comma separators, as a marketer reads counts.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
