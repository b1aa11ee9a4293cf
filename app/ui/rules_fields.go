package ui

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// rfmLabels name the RFM fields for people; the rule text keeps the names.
var rfmLabels = map[string]string{
	"recency":     i18n.Mark("Recency (days since last order)"),
	"frequency":   i18n.Mark("Frequency (number of orders)"),
	"monetary":    i18n.Mark("Monetary (total spent)"),
	"r_score":     i18n.Mark("Recency score (1–5)"),
	"f_score":     i18n.Mark("Frequency score (1–5)"),
	"m_score":     i18n.Mark("Monetary score (1–5)"),
	"rfm_cell":    i18n.Mark("RFM cell (e.g. 555)"),
	"rfm_segment": i18n.Mark("RFM segment"),
}

// recLabels name the fields of a customer's first recommendation.
var recLabels = map[string]string{
	"top_recommendation":          i18n.Mark("Top recommended product"),
	"top_recommendation_id":       i18n.Mark("Top recommended product id"),
	"top_recommendation_category": i18n.Mark("Category of the top recommended product"),
	"top_recommendation_score":    i18n.Mark("Score of the top recommendation"),
}

// clvLabels name the lifetime-value fields.
var clvLabels = map[string]string{
	"clv":                i18n.Mark("Lifetime value"),
	"p_alive":            i18n.Mark("Probability still active"),
	"expected_purchases": i18n.Mark("Expected purchases (horizon)"),
	"expected_spend":     i18n.Mark("Expected spend per purchase"),
}

// fieldLabel is how the editor names a field: its role or a readable form
// of its name, with the name itself when the two differ.
func fieldLabel(f core.RuleField) string {
	name := f.Name
	switch f.Source {
	case segment.FromRFM:
		if l, ok := rfmLabels[strings.ToLower(name)]; ok {
			return i18n.T(l)
		}
	case segment.FromRecs:
		if l, ok := recLabels[strings.ToLower(name)]; ok {
			return i18n.T(l)
		}
	case segment.FromCLV:
		if l, ok := clvLabels[strings.ToLower(name)]; ok {
			return i18n.T(l)
		}
	case segment.FromScores:
		switch lower := strings.ToLower(name); {
		case strings.HasPrefix(lower, "score_"):
			return i18n.T("Score of model %s", name[len("score_"):])
		case strings.HasPrefix(lower, "cluster_"):
			return i18n.T("Cluster of %s", name[len("cluster_"):])
		}
	}
	if _, ok := roleLabels[f.Role]; !ok { // no role, or one without a label
		return readable(name)
	}
	if label := roleLabel(f.Role); !strings.EqualFold(label, readable(name)) {
		return label + " (" + name + ")"
	}
	return roleLabel(f.Role)
}

// readable turns a column name such as first_purchase_date into
// "First purchase date".
func readable(name string) string {
	s := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return name
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// fieldMenu lists the fields grouped by where they come from, the table's
// columns with a role first, each group under a heading; pick is called
// with the field's name.
func fieldMenu(table string, fields []core.RuleField, pick func(string)) *fyne.Menu {
	type group struct {
		head  string
		items []core.RuleField
	}
	groups := []*group{
		{head: i18n.T("Columns of %s with a role", table)},
		{head: i18n.T("Other columns of %s", table)},
		{head: i18n.T("RFM scores (latest run)")},
		{head: i18n.T("Model scores and clusters")},
		{head: i18n.T("Recommendations (scored)")},
		{head: i18n.T("Lifetime value (scored)")},
	}
	for _, f := range fields {
		g := groups[3]
		switch {
		case f.Source == segment.FromTable && f.Role != storage.None:
			g = groups[0]
		case f.Source == segment.FromTable:
			g = groups[1]
		case f.Source == segment.FromRFM:
			g = groups[2]
		case f.Source == segment.FromRecs:
			g = groups[4]
		case f.Source == segment.FromCLV:
			g = groups[5]
		}
		g.items = append(g.items, f)
	}
	// Roles in their usual order (customer id, contact, consent, orders).
	slices.SortStableFunc(groups[0].items, func(a, b core.RuleField) int {
		return slices.Index(storage.Roles, a.Role) - slices.Index(storage.Roles, b.Role)
	})
	var items []*fyne.MenuItem
	for _, g := range groups {
		if len(g.items) == 0 {
			continue
		}
		if len(items) > 0 {
			items = append(items, fyne.NewMenuItemSeparator())
		}
		items = append(items, &fyne.MenuItem{Label: g.head, Disabled: true})
		for _, f := range g.items {
			name := f.Name
			items = append(items, fyne.NewMenuItem("    "+fieldLabel(f), func() { pick(name) }))
		}
	}
	return fyne.NewMenu("", items...)
}

// elide shortens a label to n characters with an ellipsis, for a button
// that cannot truncate its own text.
func elide(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
