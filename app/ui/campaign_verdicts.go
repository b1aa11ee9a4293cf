package ui

import (
	"math"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
)

// The Results tab in plain words: a state for "nothing to read yet" and
// one verdict sentence per variant.

// notEnoughData shows a readout that has no conversions (or opens, or
// clicks) anywhere, as before responses are imported: the group sizes,
// and what to do, rather than rates of 0 and undefined tests.
func (v *resultsView) notEnoughData(metric string, rep *abtest.Report) {
	n := rep.Control.N
	rows := [][]string{{i18n.T("%s (control)", groupLabel(rep.Control.Name)), i18n.Number(float64(rep.Control.N)), "0"}}
	for _, c := range rep.Variants {
		n += c.Variant.N
		rows = append(rows, []string{c.Variant.Name, i18n.Number(float64(c.Variant.N)), "0"})
	}
	v.table.set([]string{i18n.T("Group"), i18n.T("Customers"), i18n.T("With a %s", metricWords(metric))}, []string{"", "BIGINT", "BIGINT"}, rows)
	v.info.SetText(i18n.T("Not enough data yet: no %s is recorded among the %s customers of this campaign, so there is nothing to compare. "+
		"Import the responses (Import responses… or From a table…), or set attribution days to count the orders placed after the start; "+
		"the comparison shows here once there are some.", metricWords(metric), i18n.Number(float64(n))))
	v.chart.message(i18n.T("Not enough data yet:\nthe chart shows here once responses are imported."))
}

// verdictWords is one sentence on a variant against its control.
func verdictWords(vd core.Verdict, metric string) string {
	ctl := i18n.T("the holdout")
	if vd.Control != campaign.Holdout {
		ctl = i18n.T("variant %s", vd.Control)
	}
	m := metricWords(metric)
	diff := i18n.Group(math.Abs(vd.Points), 1, false)
	rate, ctlRate := pct(vd.Rate), pct(vd.ControlRate)
	switch {
	case vd.Kind == core.TooEarly:
		return i18n.T("Variant %s: too early to tell. So far %s customers with a %s in it and %s in %s; the difference can still go either way.",
			vd.Variant, i18n.Number(float64(vd.Conversions)), m, i18n.Number(float64(vd.ControlConversions)), ctl)
	case vd.Kind == core.Better:
		return i18n.T("Variant %s: %s rate %s points better than %s (%s against %s); that is likely real (%s chance it is better).",
			vd.Variant, m, diff, ctl, rate, ctlRate, chance(vd.Chance))
	case vd.Kind == core.Worse:
		return i18n.T("Variant %s: %s rate %s points worse than %s (%s against %s); that is likely real (%s chance it is worse).",
			vd.Variant, m, diff, ctl, rate, ctlRate, chance(vd.Chance))
	case diff == i18n.Group(0, 1, false):
		return i18n.T("Variant %s: %s rate the same as %s (%s); no difference so far.", vd.Variant, m, ctl, rate)
	case vd.Points > 0:
		return i18n.T("Variant %s: %s rate %s points better than %s (%s against %s), but that could be chance (%s chance it is really better): too early to tell.",
			vd.Variant, m, diff, ctl, rate, ctlRate, chance(vd.Chance))
	}
	return i18n.T("Variant %s: %s rate %s points worse than %s (%s against %s), but that could be chance (%s chance it is still better): too early to tell.",
		vd.Variant, m, diff, ctl, rate, ctlRate, chance(vd.Chance))
}

// pvalue is pval with an undefined test shown as a dash, never "NaN".
func pvalue(p float64) string {
	if math.IsNaN(p) {
		return "—"
	}
	return pval(p)
}
