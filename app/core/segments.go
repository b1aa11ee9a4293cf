package core

import (
	"context"
	"strconv"
	"time"

	"github.com/marketbench/marketbench/analytics/rfm"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// RFM scores customers with a scheme ("rfm", "rf-grid", or the eight
// customer types "zh8" against the mean or "zh8-median" against the
// median) as of a date.
func (w *Workspace) RFM(ctx context.Context, table, scheme string, asOf time.Time) (*segment.RFMRun, error) {
	return segment.RFM(ctx, w.Project, segment.RFMOptions{Table: table, Scheme: scheme, AsOf: asOf})
}

// RFMTables lists the tables RFM can run on (by their column roles).
func (w *Workspace) RFMTables(ctx context.Context) ([]string, error) {
	return segment.Tables(ctx, w.Project)
}

// RFMSchemes lists the RFM schemes, the classic 10-segment scheme first,
// then the grid and the eight customer types by mean and by median.
func RFMSchemes() []rfm.Scheme { return rfm.Schemes() }

// RFMThresholdsText says what "high" meant in a run of a two-level scheme
// (the eight customer types), or "" for the other schemes.
func RFMThresholdsText(run *segment.RFMRun) string {
	if run == nil || run.Thresholds == nil {
		return ""
	}
	// Exact when short (a median, a whole mean), else to two decimals.
	num := func(x float64) string {
		if s := strconv.FormatFloat(x, 'f', -1, 64); len(s) <= 8 {
			return s
		}
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	th := run.Thresholds
	if run.Scheme.Split == rfm.SplitMedian {
		return i18n.T("High means better than the median: recency under %s days, frequency over %s orders, monetary over %s (equal counts as low).",
			num(th.Recency), num(th.Frequency), num(th.Monetary))
	}
	return i18n.T("High means better than the mean: recency under %s days, frequency over %s orders, monetary over %s (equal counts as low).",
		num(th.Recency), num(th.Frequency), num(th.Monetary))
}

// LastRFM describes the latest RFM run with its segment summary, or nil.
func (w *Workspace) LastRFM(ctx context.Context) (*segment.RFMRun, error) {
	run, err := segment.LastRFM(ctx, w.Project)
	if err != nil || run == nil {
		return run, err
	}
	run.Segments, err = segment.RFMSummary(ctx, w.Project)
	return run, err
}

// CountRule counts the customers a rule in text form selects.
func (w *Workspace) CountRule(ctx context.Context, table, text string) (int64, error) {
	n, err := rule.Parse(text)
	if err != nil {
		return 0, err
	}
	return segment.Count(ctx, w.Project, table, n)
}

// CountNode counts the customers a rule tree selects (for the GUI editor).
func (w *Workspace) CountNode(ctx context.Context, table string, n *rule.Node) (int64, error) {
	return segment.Count(ctx, w.Project, table, n)
}

// CreateSegment saves and evaluates a rule segment given as text.
func (w *Workspace) CreateSegment(ctx context.Context, name, table, text string) (*segment.Segment, error) {
	n, err := rule.Parse(text)
	if err != nil {
		return nil, err
	}
	return segment.Create(ctx, w.Project, name, table, n)
}

// SaveSegment saves and evaluates a rule segment given as a tree.
func (w *Workspace) SaveSegment(ctx context.Context, name, table string, n *rule.Node) (*segment.Segment, error) {
	return segment.Create(ctx, w.Project, name, table, n)
}

// EvaluateSegment recomputes a saved segment from the current data.
func (w *Workspace) EvaluateSegment(ctx context.Context, name string) (*segment.Segment, error) {
	return segment.Evaluate(ctx, w.Project, name)
}

// DeleteSegment removes a saved segment.
func (w *Workspace) DeleteSegment(ctx context.Context, name string) error {
	return segment.Delete(ctx, w.Project, name)
}

// Segments lists RFM segments of the latest run, then saved rule segments.
func (w *Workspace) Segments(ctx context.Context) ([]segment.Summary, error) {
	r, err := segment.RFMSummary(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	s, err := segment.RuleSummary(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	return append(r, s...), nil
}

// SavedSegments lists the saved segments: rules with their rules, fixed
// lists with their descriptions.
func (w *Workspace) SavedSegments(ctx context.Context) ([]segment.Segment, error) {
	return segment.List(ctx, w.Project)
}

// RuleFields lists the names a rule on a table can use and their kinds.
func (w *Workspace) RuleFields(ctx context.Context, table string) ([]string, map[string]rule.Kind, error) {
	return segment.Fields(ctx, w.Project, table)
}

// DefaultRuleTable is the table a rule runs over when none is chosen:
// "customers" when it has a customer id, else the first table that has
// one (the RFM scores last).
func (w *Workspace) DefaultRuleTable(ctx context.Context) (string, error) {
	ts, err := w.TablesWithRoles(ctx, storage.CustomerID)
	if err != nil {
		return "", err
	}
	for _, t := range ts {
		if t == "customers" {
			return t, nil
		}
	}
	for _, t := range ts {
		if t != storage.RFMTable {
			return t, nil
		}
	}
	if len(ts) > 0 {
		return ts[0], nil
	}
	return "", i18n.Errorf("no table has a customer id column; set one with 'roles TABLE --set column=customer_id'")
}

// RuleField is a name a rule may use, with its kind, where it comes from
// (segment.FromTable, FromRFM or FromScores) and its column role, if any.
type RuleField struct {
	segment.Field
	Role storage.Role
}

// RuleFieldList lists the names a rule on a table can use, grouped by
// where they come from (the table's own columns first), with their roles.
func (w *Workspace) RuleFieldList(ctx context.Context, table string) ([]RuleField, error) {
	fs, err := segment.FieldList(ctx, w.Project, table)
	if err != nil {
		return nil, err
	}
	roles, err := w.Project.ColumnRoles(ctx, table)
	if err != nil {
		return nil, err
	}
	out := make([]RuleField, len(fs))
	for i, f := range fs {
		out[i] = RuleField{Field: f}
		if f.Source == segment.FromTable {
			out[i].Role = roles[f.Name]
		}
	}
	return out, nil
}

// RuleValues lists a field's most common values with how many customers
// have each, and how many distinct values it has.
func (w *Workspace) RuleValues(ctx context.Context, table, field string, limit int) ([]segment.ValueCount, int64, error) {
	return segment.TopValues(ctx, w.Project, table, field, limit)
}
