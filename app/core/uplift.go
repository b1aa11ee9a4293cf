package core

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/analytics/uplift"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

// UpliftRequest is an experiment already in a table: who was treated, who
// was held out, and the outcome.
type UpliftRequest struct {
	Table              string
	Treatment          string // the column naming each customer's group
	Treated, Control   string // its values for the treated and control groups
	Outcome            string // 0/1, yes/no or a number (above 0 counts as converted)
	Revenue            string // optional: a spend column, for incremental revenue
	Features           []string
	Method, Algo, Name string
	// TopShare is the share to treat that the report measures; 0: 0.3.
	TopShare float64
	Seed     uint64
}

// UpliftReport is the held-out evaluation and what scoring stored.
type UpliftReport struct {
	Name, Method, Algo string
	*uplift.Result
	Top      uplift.Targeting
	Features []string
	// Column is the model_scores column the uplift of every customer was
	// written to ("" when the table has no customer id).
	Column string
	Scored int
}

// TrainUplift trains an uplift model on an experiment, evaluates it on a
// held-out half, and writes every customer's predicted uplift to
// model_scores (column uplift_NAME), where rules and campaigns use it.
func (w *Workspace) TrainUplift(ctx context.Context, r UpliftRequest, progress Progress) (*UpliftReport, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if r.Method == "" {
		r.Method = uplift.TwoModel
	}
	if !slices.Contains(uplift.Methods, r.Method) {
		return nil, i18n.Errorf("unknown method %q: use two-model, class-transform or x-learner", r.Method)
	}
	if r.Algo == "" {
		r.Algo = model.LogReg
	}
	if r.Algo != model.LogReg && r.Algo != model.Forest {
		return nil, i18n.Errorf("uplift models use logreg or forest, not %q", r.Algo)
	}
	if r.Table == "" || r.Treatment == "" || r.Outcome == "" || r.Treated == "" || r.Control == "" {
		return nil, i18n.Errorf("give the table, the treatment column with its treated and control values, and the outcome column")
	}
	if r.Treated == r.Control {
		return nil, i18n.Errorf("the treated and control values are the same (%q)", r.Treated)
	}
	if r.TopShare == 0 {
		r.TopShare = 0.3
	}
	if r.Name == "" {
		r.Name = r.Treated
	}
	skip := []string{r.Treatment, r.Outcome, r.Revenue}
	num, cat, err := models.Features(ctx, w.Project, r.Table, r.Outcome, r.Features)
	if err != nil {
		return nil, err
	}
	drop := func(cols []string) []string {
		return slices.DeleteFunc(cols, func(c string) bool {
			return slices.ContainsFunc(skip, func(s string) bool { return s != "" && strings.EqualFold(s, c) })
		})
	}
	num, cat = drop(num), drop(cat)
	if len(num)+len(cat) == 0 {
		return nil, i18n.Errorf("table %q has no columns to learn from besides the treatment and the outcome", r.Table)
	}
	spec := model.Spec{Algo: r.Algo, Target: r.Outcome, Numeric: num, Categorical: cat, Seed: r.Seed}
	// The treatment (and revenue) ride along as extra text columns and are
	// taken off before training, so they are never features.
	load := spec
	load.Categorical = append(slices.Clone(cat), r.Treatment)
	if r.Revenue != "" {
		load.Categorical = append(load.Categorical, r.Revenue)
	}
	report(i18n.T("Reading the experiment"), 0.05)
	rows, err := models.Load(ctx, w.Project, models.Source{Table: r.Table}, load, true)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	var keep []int
	var treated []bool
	var y, spend []float64
	groups := map[string]int{}
	nc := len(cat)
	for i, c := range rows.Data.Cat {
		g := c[nc]
		groups[g]++
		if g != r.Treated && g != r.Control {
			continue
		}
		o, ok := outcomeValue(rows.Data.Target[i])
		if !ok {
			return nil, i18n.Errorf("outcome %q holds %q; use 0/1, yes/no, true/false or a number", r.Outcome, rows.Data.Target[i])
		}
		keep = append(keep, i)
		treated = append(treated, g == r.Treated)
		y = append(y, o)
		if r.Revenue != "" {
			v, _ := strconv.ParseFloat(c[nc+1], 64)
			spend = append(spend, v)
		}
	}
	if groups[r.Treated] == 0 || groups[r.Control] == 0 {
		var seen []string
		for g := range groups {
			seen = append(seen, strconv.Quote(g))
		}
		slices.Sort(seen)
		if len(seen) > 8 {
			seen = append(seen[:8], "…")
		}
		return nil, i18n.Errorf("%q has no rows with %q or %q; its values are %s", r.Treatment, r.Treated, r.Control, strings.Join(seen, ", "))
	}
	all := rows.Data
	for i := range all.Cat {
		all.Cat[i] = all.Cat[i][:nc]
	}
	d := all.Subset(keep)
	report(i18n.T("Training and checking on held-out customers"), 0.2)
	m, res, err := uplift.Train(ctx, d, treated, y, uplift.Options{Method: r.Method, Spec: spec, Seed: r.Seed, Revenue: spend})
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	top, err := res.Top(r.TopShare)
	if err != nil {
		return nil, err
	}
	out := &UpliftReport{Name: r.Name, Method: r.Method, Algo: r.Algo, Result: res, Top: top, Features: spec.Features()}
	if len(rows.IDs) > 0 && rows.IDs[0] != "" && hasCustomerID(ctx, w, r.Table) {
		report(i18n.T("Scoring every customer"), 0.8)
		p, err := m.Predict(all)
		if err != nil {
			return nil, err
		}
		out.Column = upliftColumn(r.Name)
		if err := models.WriteColumn(ctx, w.Project, out.Column, rows.IDs, p, "uplift", r.Method+" "+r.Treated+" vs "+r.Control); err != nil {
			return nil, cancelled(ctx, err)
		}
		out.Scored = len(p)
	}
	report(i18n.T("Done"), 1)
	return out, nil
}

// upliftColumn is the model_scores column of an uplift model, a name the
// rule grammar reads without quotes.
func upliftColumn(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return "uplift_" + strings.Trim(b.String(), "_")
}

func hasCustomerID(ctx context.Context, w *Workspace, table string) bool {
	c, err := w.ColumnFor(ctx, table, storage.CustomerID)
	return err == nil && c != ""
}

// outcomeValue reads an outcome as converted (1) or not (0).
func outcomeValue(s string) (float64, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "y", "true", "t", "是":
		return 1, true
	case "0", "no", "n", "false", "f", "否", "":
		return 0, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	if v > 0 {
		return 1, true
	}
	return 0, true
}
