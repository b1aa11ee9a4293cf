package rule

import (
	"encoding/json"
	"strings"
)

// nodeJSON is Node as stored, with Exact as a pointer so that a missing
// "exact" can be told from false.
type nodeJSON struct {
	Logic    string   `json:"logic,omitempty"`
	Children []*Node  `json:"children,omitempty"`
	Not      bool     `json:"not,omitempty"`
	Column   string   `json:"column,omitempty"`
	Op       Op       `json:"op,omitempty"`
	Values   []string `json:"values,omitempty"`
	Exact    *bool    `json:"exact,omitempty"`
}

// MarshalJSON always writes "exact" on a condition whose operator
// compares text, so that a stored rule says which case rule it follows.
func (n Node) MarshalJSON() ([]byte, error) {
	j := nodeJSON{Logic: n.Logic, Children: n.Children, Not: n.Not, Column: n.Column, Op: n.Op, Values: n.Values}
	if n.Exact || !n.IsGroup() && CaseMatters(n.Op) {
		exact := n.Exact
		j.Exact = &exact
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a stored rule. Rules stored before matching ignored
// case have no "exact": their =, != and IN compared case-sensitively (and
// CONTAINS and STARTS WITH did not), so such a condition becomes EXACT
// CASE when one of its values has letters that case could change. It
// then reads "country = 'France' EXACT CASE", meaning what it meant.
func (n *Node) UnmarshalJSON(b []byte) error {
	var j nodeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*n = Node{Logic: j.Logic, Children: j.Children, Not: j.Not, Column: j.Column, Op: j.Op, Values: j.Values}
	if j.Exact != nil {
		n.Exact = *j.Exact
	} else if n.Op == Eq || n.Op == Ne || n.Op == In {
		n.Exact = hasCase(n.Values)
	}
	return nil
}

// hasCase reports whether case could change how a value matches. true and
// false are booleans to the rule language, whatever their case.
func hasCase(vals []string) bool {
	for _, v := range vals {
		if v != "true" && v != "false" && strings.ToLower(v) != strings.ToUpper(v) {
			return true
		}
	}
	return false
}
