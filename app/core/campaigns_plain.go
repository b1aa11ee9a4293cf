package core

import (
	"context"
	"math"
	"slices"
	"strings"
	"text/template/parse"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
)

// What a campaign's numbers mean, for the screens to say in words: how
// the split came out against the plan, a verdict per variant, and which
// merge fields a template may use.

// GroupSplit is one group of a preview against the planned split.
type GroupSplit struct {
	Group string
	// Percent is the planned share of the customers who can be contacted.
	Percent float64
	// Expected is Percent of them; chance puts the actual count between
	// Lo and Hi 99 times in 100.
	Expected float64
	Lo, Hi   int
	Actual   int
}

// Split compares each group's size with the plan. Groups are decided by a
// hash of campaign and customer, which behaves like a fair coin per
// customer: the counts scatter around the plan as binomial counts do,
// which matters in small audiences (10% of 278 is 28, give or take 13).
func (pv *Preview) Split() []GroupSplit {
	n := 0
	for _, k := range pv.Groups {
		n += k
	}
	var out []GroupSplit
	for _, g := range splitOrder(pv.Planned) {
		share := pv.Planned[g] / 100
		e := float64(n) * share
		sd := math.Sqrt(float64(n) * share * (1 - share))
		out = append(out, GroupSplit{Group: g, Percent: pv.Planned[g], Expected: e, Actual: pv.Groups[g],
			Lo: max(0, int(math.Round(e-2.576*sd))), Hi: min(n, int(math.Round(e+2.576*sd)))})
	}
	return out
}

// splitOrder is the variants by name, then the holdout.
func splitOrder(planned map[string]float64) []string {
	var gs []string
	for g, pc := range planned {
		if g != campaign.Holdout && pc > 0 {
			gs = append(gs, g)
		}
	}
	slices.Sort(gs)
	if planned[campaign.Holdout] > 0 {
		gs = append(gs, campaign.Holdout)
	}
	return gs
}

// Smallest is the smallest group a readout will compare (the holdout
// included), by its size in the preview.
func (pv *Preview) Smallest() (group string, n int) {
	n = -1
	for _, g := range splitOrder(pv.Planned) {
		if k := pv.Groups[g]; n < 0 || k < n {
			group, n = g, k
		}
	}
	return group, max(n, 0)
}

// Verdict kinds, from the least to the most certain.
const (
	// TooEarly: too few conversions to say anything yet.
	TooEarly = "too-early"
	// Unclear: enough data, but the difference could be chance.
	Unclear = "unclear"
	// Better and Worse: a difference that is likely real (significant
	// after the adjustment for several variants).
	Better = "better"
	Worse  = "worse"
)

// MinConversions is how many conversions a variant and its control need
// between them (and half as many in each, unless the difference is
// already clear) before a verdict says more than "too early to tell".
const MinConversions = 10

// Verdict is one variant against the control, for a sentence.
type Verdict struct {
	Variant, Control string
	Kind             string
	// Points is the difference of the rates in percentage points.
	Points float64
	// Rate and ControlRate are the two rates, 0..1.
	Rate, ControlRate float64
	// Chance is the probability that the variant is really better (for
	// Worse: that the control is), from the Bayesian comparison.
	Chance float64
	// Conversions and ControlConversions are the counts behind the rates.
	Conversions, ControlConversions int64
}

// HasData reports whether a readout has anything to read: a conversion
// (or open, or click) in some group. Before responses are imported every
// rate is 0 and every test is undefined.
func HasData(rep *abtest.Report) bool {
	if rep == nil {
		return false
	}
	n := rep.Control.Conversions
	for _, c := range rep.Variants {
		n += c.Variant.Conversions
	}
	return n > 0
}

// Verdicts says for each variant whether it beat the control.
func Verdicts(rep *abtest.Report) []Verdict {
	if rep == nil {
		return nil
	}
	var out []Verdict
	for _, c := range rep.Variants {
		v := Verdict{Variant: c.Variant.Name, Control: rep.Control.Name, Points: 100 * c.AbsLift,
			Rate: c.Variant.Rate, ControlRate: rep.Control.Rate, Chance: c.Bayes.ProbBeatControl,
			Conversions: c.Variant.Conversions, ControlConversions: rep.Control.Conversions}
		switch {
		case v.Conversions+v.ControlConversions < MinConversions || math.IsNaN(c.ZTest.PAdjusted):
			v.Kind = TooEarly
		case c.Significant && c.AbsLift > 0:
			v.Kind = Better
		case c.Significant && c.AbsLift < 0:
			v.Kind, v.Chance = Worse, c.Bayes.ProbControlWins
		case min(v.Conversions, v.ControlConversions) < MinConversions/2:
			// A handful in one group: an unclear difference says more about
			// the little data than about the message.
			v.Kind = TooEarly
		default:
			v.Kind = Unclear
		}
		if math.IsNaN(v.Chance) {
			v.Chance = 0.5
		}
		out = append(out, v)
	}
	return out
}

// MergeFields are the fields a campaign's templates may use for the
// customers of table ("" for the customer table found by role).
func (w *Workspace) MergeFields(ctx context.Context, table string) ([]string, error) {
	if table == "" {
		t, err := w.DefaultRuleTable(ctx)
		if err != nil {
			return nil, err
		}
		table = t
	}
	return campaign.MergeFields(ctx, w.Project, table)
}

// TemplateProblem is a mistake in one part of a variant ("subject",
// "text" or "html").
type TemplateProblem struct {
	Part string
	Err  error
}

// CheckVariant checks a variant's templates as the user types: their
// syntax, and every field they name against fields (from MergeFields), so
// {{.frist_name}} is caught at once rather than at preview. A field inside
// range or with is not checked: there the dot is something else.
func CheckVariant(v campaign.Variant, fields []string) []TemplateProblem {
	var out []TemplateProblem
	for _, part := range []struct{ name, text string }{{"subject", v.Subject}, {"text", v.Text}, {"html", v.HTML}} {
		one := campaign.Variant{Name: v.Name}
		switch part.name {
		case "subject":
			one.Subject = part.text
		case "text":
			one.Text = part.text
		default:
			one.HTML = part.text
		}
		if _, err := campaign.Parse(one); err != nil {
			out = append(out, TemplateProblem{part.name, err})
			continue
		}
		if fields == nil {
			continue
		}
		t := parse.New(part.name)
		t.Mode = parse.SkipFuncCheck
		trees := map[string]*parse.Tree{}
		if _, err := t.Parse(part.text, "", "", trees); err != nil {
			continue // campaign.Parse accepted it; nothing more to say
		}
		seen := map[string]bool{}
		for _, tr := range trees {
			for _, name := range fieldNames(tr.Root) {
				if seen[name] || slices.Contains(fields, name) {
					continue
				}
				seen[name] = true
				if near := closest(name, fields); near != "" {
					out = append(out, TemplateProblem{part.name, i18n.Errorf("{{.%s}} is not a field of the customer table; did you mean {{.%s}}?", name, near)})
				} else {
					out = append(out, TemplateProblem{part.name, i18n.Errorf("{{.%s}} is not a field of the customer table", name)})
				}
			}
		}
	}
	return out
}

// fieldNames lists the fields a template reads from its data: {{.x}},
// {{$.x}} and {{index . "x"}}.
func fieldNames(n parse.Node) []string {
	var out []string
	var walk func(n parse.Node)
	pipe := func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for _, c := range p.Cmds {
			walk(c)
		}
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, k := range n.Nodes {
					walk(k)
				}
			}
		case *parse.ActionNode:
			pipe(n.Pipe)
		case *parse.IfNode:
			pipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			pipe(n.Pipe)
			walk(n.ElseList)
		case *parse.WithNode:
			pipe(n.Pipe)
			walk(n.ElseList)
		case *parse.TemplateNode:
			pipe(n.Pipe)
		case *parse.PipeNode:
			pipe(n)
		case *parse.CommandNode:
			if len(n.Args) == 3 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "index" {
					if _, dot := n.Args[1].(*parse.DotNode); dot {
						if s, ok := n.Args[2].(*parse.StringNode); ok {
							out = append(out, s.Text)
						}
					}
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			out = append(out, n.Ident[0])
		case *parse.VariableNode:
			if len(n.Ident) > 1 && n.Ident[0] == "$" {
				out = append(out, n.Ident[1])
			}
		case *parse.ChainNode:
			walk(n.Node)
		}
	}
	walk(n)
	return out
}

// closest is the field nearest to name by edit distance, if it is near
// enough to be a typo ("frist_name" → "first_name"), else "".
func closest(name string, fields []string) string {
	best, bestD := "", max(2, len([]rune(name))/3)+1
	for _, f := range fields {
		if d := editDistance(strings.ToLower(name), f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (optimal string
// alignment), so a swap of two letters counts once.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
