package explain

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Contribution is one feature's push on one customer's prediction, as a
// SHAP value or a linear term.
type Contribution struct {
	// Name is the feature as the user knows it, e.g. "tenure".
	Name string
	// Value is the customer's value, shown after Name ("tenure 2").
	Value float64
	// Unit follows the value ("tenure 2 months"); UnitOne replaces it when
	// Value is exactly 1 ("1 month"), since units cannot be pluralised
	// reliably by rule.
	Unit, UnitOne string
	// Text, when set, is shown instead of name and value: categorical
	// features read better as "month-to-month contract" than as
	// "Contract_Month-to-month 1".
	Text msg.Msg
	// Amount is the contribution; positive pushes toward the outcome.
	Amount float64
}

// ReasonOptions configures Reasons. The zero value lists the top 3 under
// "more likely" and "less likely".
type ReasonOptions struct {
	// TopK is how many contributions to keep, largest |Amount| first,
	// across both directions; 0 means 3.
	TopK int
	// Positive and Negative head the two groups, e.g. "likely to churn"
	// and "less likely".
	Positive, Negative msg.Msg
}

// Explanation is the outcome of Reasons.
type Explanation struct {
	// Up and Down are the kept contributions that raise and lower the
	// prediction, each in order of decreasing |Amount|.
	Up, Down []Contribution
	// Text is the one-line summary, e.g. "likely to churn: tenure 2 months
	// (+0.21), month-to-month contract (+0.12); less likely: …". It is
	// empty when no contribution is non-zero.
	Text string
	// Msg is Text as a message, to be told in the language in use.
	Msg msg.Msg `json:"-"`
}

// Reasons picks the TopK contributions by |Amount| and words them. Zero and
// NaN amounts are dropped: they give no reason either way. Ties keep the
// input order, so the text is deterministic.
func Reasons(cs []Contribution, opt ReasonOptions) Explanation {
	if opt.TopK <= 0 {
		opt.TopK = 3
	}
	if opt.Positive.IsZero() {
		opt.Positive = msg.New("more likely")
	}
	if opt.Negative.IsZero() {
		opt.Negative = msg.New("less likely")
	}
	kept := make([]Contribution, 0, len(cs))
	for _, c := range cs {
		if c.Amount != 0 && !math.IsNaN(c.Amount) {
			kept = append(kept, c)
		}
	}
	slices.SortStableFunc(kept, func(a, b Contribution) int {
		return cmp.Compare(math.Abs(b.Amount), math.Abs(a.Amount))
	})
	kept = kept[:min(opt.TopK, len(kept))]
	var ex Explanation
	for _, c := range kept {
		if c.Amount > 0 {
			ex.Up = append(ex.Up, c)
		} else {
			ex.Down = append(ex.Down, c)
		}
	}
	var groups []msg.Msg
	for _, g := range []struct {
		head msg.Msg
		cs   []Contribution
	}{{opt.Positive, ex.Up}, {opt.Negative, ex.Down}} {
		if len(g.cs) == 0 {
			continue
		}
		items := make([]any, len(g.cs))
		for i, c := range g.cs {
			items[i] = msg.New("%s (%s)", c.Label(), formatAmount(c.Amount))
		}
		groups = append(groups, msg.New("%s: %s", g.head, msg.Join(items...)))
	}
	switch len(groups) {
	case 1:
		ex.Msg = groups[0]
	case 2:
		ex.Msg = msg.New("%s; %s", groups[0], groups[1])
	}
	ex.Text = ex.Msg.String()
	return ex
}

// Label is the contribution's feature as people read it: Text, or the name,
// value and unit ("tenure 2 months").
func (c Contribution) Label() msg.Msg {
	if !c.Text.IsZero() {
		return c.Text
	}
	s := c.Name + " " + FormatNumber(c.Value)
	unit := c.Unit
	if c.Value == 1 && c.UnitOne != "" {
		unit = c.UnitOne
	}
	if unit != "" {
		s += " " + unit
	}
	return msg.Raw(s)
}

// formatAmount shows a signed contribution with 2 decimals, or with 2
// significant digits when 2 decimals would round it to a misleading 0.
func formatAmount(a float64) string {
	if math.Abs(a) >= 0.005 {
		return signed(strconv.FormatFloat(a, 'f', 2, 64))
	}
	return signed(sig2(a))
}

// sig2 writes v to 2 significant digits without an exponent ("0.0012").
func sig2(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 1, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func signed(s string) string {
	if strings.HasPrefix(s, "-") {
		return s
	}
	return "+" + s
}

// FormatNumber writes a feature value for people: thousands separated by
// commas, at most 2 decimals, no trailing zeros ("1,234.5", "2", "0.07").
// Values below 0.01 in magnitude keep 2 significant digits instead.
func FormatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if v != 0 && math.Abs(v) < 0.005 {
		return sig2(v)
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// LinearContributions returns coef_j·(x_j − mean_j): each feature's push on
// a linear or logistic model's log-odds relative to an average customer.
// For a model that is linear in its margin these are exactly its SHAP
// values (on the log-odds scale) when features are treated as independent,
// with mean the training column means.
func LinearContributions(coef, x, mean []float64) []float64 {
	out := make([]float64, len(coef))
	for j, b := range coef {
		out[j] = b * (x[j] - mean[j])
	}
	return out
}

// PointsFromLogOdds turns a push on a logistic model's log-odds into
// percentage points of probability: how much lower, in points, the
// probability p would be without the push (all other pushes kept). A
// push of 0 is 0 points; the sign is kept; the result lies in (-100, 100).
func PointsFromLogOdds(p, push float64) float64 {
	if p <= 0 || p >= 1 || math.IsNaN(p) || math.IsNaN(push) {
		return 0
	}
	without := 1 / (1 + math.Exp(-(math.Log(p/(1-p)) - push)))
	return 100 * (p - without)
}
