package core

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// What Explain can explain.
const (
	ExplainSegment  = "segment"
	ExplainModel    = "model"
	ExplainCampaign = "campaign"
	ExplainJourney  = "journey"
)

// ExplainKinds are the kinds of results Explain explains.
var ExplainKinds = []string{ExplainSegment, ExplainModel, ExplainCampaign, ExplainJourney}

// ExplainFact is one thing the app computed, the only ground an
// explanation may stand on: a label, the value as shown, and for numbers
// the value itself (Share: a proportion, shown as a percentage).
type ExplainFact struct {
	Label string   `json:"label"`
	Text  string   `json:"text"`
	Value *float64 `json:"value,omitempty"`
	Share bool     `json:"share,omitempty"`
}

// factList gathers facts; names are texts the facts quote (segment,
// variant, category names) whose digits are not numbers to check.
type factList struct {
	facts []ExplainFact
	names []string
}

func (l *factList) num(label string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	l.facts = append(l.facts, ExplainFact{Label: label, Text: i18n.Number(v), Value: &v})
}

// decimals adds a number shown with more digits (AUC 0.8123, p 0.0004).
func (l *factList) decimals(label string, v float64, d int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	l.facts = append(l.facts, ExplainFact{Label: label, Text: i18n.Group(v, d, true), Value: &v})
}

func (l *factList) share(label string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	l.facts = append(l.facts, ExplainFact{Label: label, Text: i18n.Percent(1, v), Value: &v, Share: true})
}

func (l *factList) word(label, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	l.facts = append(l.facts, ExplainFact{Label: label, Text: text})
	l.names = append(l.names, text)
}

// explainFacts computes the facts of one result.
func (w *Workspace) explainFacts(ctx context.Context, kind, name string) (*factList, error) {
	switch kind {
	case ExplainSegment:
		return w.segmentFacts(ctx, name)
	case ExplainModel:
		return w.modelFacts(ctx, name)
	case ExplainCampaign:
		res, err := w.CampaignResults(ctx, name, 0)
		if err != nil {
			return nil, err
		}
		return campaignFacts(name, res), nil
	case ExplainJourney:
		st, err := w.JourneyStats(ctx, name)
		if err != nil {
			return nil, err
		}
		return journeyFacts(st), nil
	}
	return nil, i18n.Errorf("cannot explain %q; choose segment, model, campaign or journey", kind)
}

// segmentFacts: size, share, value and the mix of RFM segments, top
// categories and top cities, each named only when at least minGroup
// customers share it. Aggregates only: no customer's values.
func (w *Workspace) segmentFacts(ctx context.Context, name string) (*factList, error) {
	p, err := w.AudienceProfile(ctx, name)
	if err != nil {
		return nil, err
	}
	l := &factList{names: []string{name}}
	l.num(i18n.T("Customers in the segment"), float64(p.Customers))
	if p.Share > 0 {
		l.share(i18n.T("Share of all customers"), p.Share)
	}
	sums, err := w.Segments(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sums {
		if s.Name == name && s.HasValue {
			l.num(i18n.T("Revenue"), round2(s.Revenue))
			l.num(i18n.T("Average order value"), round2(s.AOV))
			l.num(i18n.T("Average days since the last order"), math.Round(s.AvgRecency))
		}
	}
	if p.AvgOrders > 0 {
		l.num(i18n.T("Average orders per customer"), p.AvgOrders)
	}
	for _, part := range p.RFM {
		l.names = append(l.names, part.Name)
		l.share(i18n.T("RFM segment %s, share of the segment", part.Name), part.Share)
	}
	for _, part := range p.TopCategories {
		l.names = append(l.names, part.Name)
		l.share(i18n.T("Category %s, share of the segment's order lines", part.Name), part.Share)
	}
	cities, err := w.topCities(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, part := range cities {
		l.names = append(l.names, part.Name)
		l.share(i18n.T("City %s, share of the segment's customers", part.Name), part.Share)
	}
	return l, nil
}

// topCities are the three cities most of a segment's customers live in,
// from the customer table's city column, when it has one.
func (w *Workspace) topCities(ctx context.Context, seg string) ([]partShare, error) {
	table, err := w.DefaultRuleTable(ctx)
	if err != nil || table == "" {
		return nil, nil
	}
	city, _ := w.ColumnFor(ctx, table, storage.City)
	cust, _ := w.ColumnFor(ctx, table, storage.CustomerID)
	if city == "" || cust == "" {
		return nil, nil
	}
	ids, err := segment.IDsSQL(ctx, w.Project, seg)
	if err != nil {
		return nil, err
	}
	ps, err := w.parts(ctx, `SELECT CAST(`+storage.Quote(city)+` AS VARCHAR), count(*), count(*) FROM `+storage.Quote(table)+
		` WHERE CAST(`+storage.Quote(cust)+` AS VARCHAR) IN (`+ids+`) GROUP BY 1`, minGroup)
	if err != nil {
		return nil, err
	}
	out := make([]partShare, 0, 3)
	for i, p := range ps {
		if i == 3 {
			break
		}
		out = append(out, partShare{p.Name, p.Share})
	}
	return out, nil
}

type partShare struct {
	Name  string
	Share float64
}

// modelFacts: what it predicts, how well on held-out rows, and what
// matters most to it.
func (w *Workspace) modelFacts(ctx context.Context, name string) (*factList, error) {
	all, err := w.Models(ctx)
	if err != nil {
		return nil, err
	}
	var m *ModelInfo
	for i := range all {
		if all[i].Name == name {
			m = &all[i]
		}
	}
	if m == nil {
		return nil, i18n.Errorf("no model named %q; see 'model list'", name)
	}
	l := &factList{names: []string{name}}
	l.word(i18n.T("Algorithm"), m.Algo)
	l.word(i18n.T("Predicts"), m.Target)
	e := m.Eval
	l.num(i18n.T("Training rows"), float64(e.TrainRows))
	l.num(i18n.T("Test rows"), float64(e.TestRows))
	if e.Regression {
		l.num(i18n.T("RMSE on the test rows"), round2(e.RMSE))
		l.num(i18n.T("Mean absolute error on the test rows"), round2(e.MAE))
		l.decimals(i18n.T("R² on the test rows"), round3(e.R2), 3)
	} else {
		if len(e.Classes) == 2 {
			l.word(i18n.T("Outcome scored"), e.Classes[1])
		}
		if e.BaseRate > 0 {
			l.share(i18n.T("Base rate of the outcome"), e.BaseRate)
		}
		l.decimals(i18n.T("AUC on the test rows"), round3(e.AUC), 3)
		l.decimals(i18n.T("AUC of guessing"), 0.5, 1)
		l.share(i18n.T("Accuracy on the test rows"), e.Accuracy)
		l.decimals(i18n.T("Score above which a customer counts as yes"), 0.5, 1)
		l.share(i18n.T("Precision at that cut-off"), e.Precision)
		l.share(i18n.T("Recall at that cut-off"), e.Recall)
	}
	imp := append([]modelImportance(nil), importances(m)...)
	sort.SliceStable(imp, func(i, j int) bool { return imp[i].v > imp[j].v })
	for i, f := range imp {
		if i == 5 || f.v <= 0 {
			break
		}
		l.names = append(l.names, f.name)
		l.decimals(i18n.T("Importance of %s (drop in the test metric when shuffled)", f.name), round3(f.v), 3)
	}
	return l, nil
}

type modelImportance struct {
	name string
	v    float64
}

func importances(m *ModelInfo) []modelImportance {
	var out []modelImportance
	for _, f := range m.Eval.Importance {
		out = append(out, modelImportance{f.Feature, f.Mean})
	}
	return out
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// campaignFacts: customers and conversions per group, each variant
// against the holdout (difference, interval, p-value, chance, verdict).
func campaignFacts(name string, res *Results) *factList {
	l := &factList{names: []string{name}}
	for _, g := range res.Groups {
		l.names = append(l.names, g.Group)
		l.num(i18n.T("Customers in group %s", g.Group), float64(g.N))
	}
	rep := res.Reports["conversion"]
	if rep == nil {
		l.word(i18n.T("Comparison"), i18n.T("no comparison yet: the campaign needs a holdout and at least one variant with sends"))
		return l
	}
	reportFacts(l, rep)
	return l
}

// reportFacts adds a conversion readout: the control's rate, then each
// variant's rate, lift and verdict, as the results screen shows them.
func reportFacts(l *factList, rep *abtest.Report) {
	c := rep.Control
	l.num(i18n.T("Conversions in %s", c.Name), float64(c.Conversions))
	l.share(i18n.T("Conversion rate of %s", c.Name), c.Rate)
	l.share(i18n.T("Confidence level"), rep.Confidence)
	verdicts := Verdicts(rep)
	for i, v := range rep.Variants {
		n := v.Variant.Name
		l.num(i18n.T("Conversions in %s", n), float64(v.Variant.Conversions))
		l.share(i18n.T("Conversion rate of %s", n), v.Variant.Rate)
		l.share(i18n.T("Difference %s minus %s (percentage points)", n, c.Name), v.AbsLift)
		l.share(i18n.T("Interval of the difference for %s, low end", n), v.AbsLiftCI.Lo)
		l.share(i18n.T("Interval of the difference for %s, high end", n), v.AbsLiftCI.Hi)
		if !math.IsInf(v.RelLift, 0) {
			l.share(i18n.T("Relative uplift of %s over %s", n, c.Name), v.RelLift)
		}
		l.decimals(i18n.T("p-value of %s (adjusted for several variants)", n), math.Round(v.ZTest.PAdjusted*1e4)/1e4, 4)
		if i < len(verdicts) {
			l.share(i18n.T("Chance that %s is really better", n), verdicts[i].Chance)
			l.word(i18n.T("Verdict for %s", n), verdictWords(verdicts[i].Kind))
		}
	}
}

func verdictWords(kind string) string {
	switch kind {
	case Better:
		return i18n.T("better than the holdout, and the difference is likely real")
	case Worse:
		return i18n.T("worse than the holdout, and the difference is likely real")
	case Unclear:
		return i18n.T("unclear: the difference could be chance")
	}
	return i18n.T("too early to tell: too few conversions")
}

// journeyFacts: entries and where they are, each step's counts, and the
// goal's conversion against the holdout.
func journeyFacts(st *JourneyStats) *factList {
	l := &factList{names: []string{st.Name}}
	s := st.Summary
	l.num(i18n.T("Customers who entered"), float64(s.Entered))
	l.num(i18n.T("In the journey now"), float64(s.Active))
	l.num(i18n.T("Went through to the end"), float64(s.Done))
	l.num(i18n.T("Left at an exit step"), float64(s.Exited))
	l.num(i18n.T("Reached the goal"), float64(s.Converted))
	l.num(i18n.T("Messages delivered"), float64(s.Sent))
	if s.Entered > 0 {
		l.share(i18n.T("Share of entries that reached the goal"), float64(s.Converted)/float64(s.Entered))
	}
	for _, step := range st.Steps {
		title := step.Title
		if title == "" {
			title = step.ID
		}
		l.names = append(l.names, title, step.ID)
		if step.Passed > 0 {
			l.num(i18n.T("Step %q: customers who passed", title), float64(step.Passed))
		}
		if step.Waiting > 0 {
			l.num(i18n.T("Step %q: customers waiting", title), float64(step.Waiting))
		}
		if step.Delivered > 0 {
			l.num(i18n.T("Step %q: messages delivered", title), float64(step.Delivered))
		}
		if step.Ordered > 0 {
			l.num(i18n.T("Step %q: customers who ordered within %d days", title, st.AttributionDays), float64(step.Ordered))
		}
	}
	l.num(i18n.T("Days in which an order counts"), float64(st.AttributionDays))
	if st.Holdout != nil {
		reportFacts(l, st.Holdout)
	}
	return l
}
