package core

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/analytics/nba"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
	"github.com/marketbench/marketbench/storage/value"
)

// NBAAction is an action a plan may choose: its uplift (a model_scores
// column written by uplift train), what a conversion is worth (a number,
// or a column of clv_scores or model_scores such as clv), and its cost
// per customer contacted.
type NBAAction struct {
	Name        string
	Uplift      string
	Value       float64
	ValueColumn string
	Cost        float64
}

// NBARequest is a next-best-action plan to make.
type NBARequest struct {
	Actions     []NBAAction
	Budget      float64
	MaxContacts int
	// Segment limits the plan to its customers ("" for everyone scored).
	Segment string
	// SegmentPrefix, when set, saves one fixed-list segment per action,
	// named "PREFIX ACTION", for campaigns.
	SegmentPrefix string
}

// NBAActionResult sums up one action of a plan.
type NBAActionResult struct {
	Name                 string
	Customers            int
	Cost, EV, Conversion float64 // Conversion: expected extra conversions
	Segment              string
}

// NBAReport is a plan's totals; the per-customer choices and reasons are
// in the table nba_plan.
type NBAReport struct {
	Customers, Contacted                int
	Cost, EV                            float64
	Actions                             []NBAActionResult
	NotWorthIt, OverBudget, OverContact int
	Table                               string
}

// NBATable holds the latest plan: one row per customer with the chosen
// action ("" for nothing), its expected value and the reason in words.
const NBATable = "nba_plan"

// PlanNBA chooses each customer's next best action by expected value
// (uplift × value − cost) within the budget and contact limit, writes
// nba_plan, and optionally saves one segment per action.
func (w *Workspace) PlanNBA(ctx context.Context, r NBARequest) (*NBAReport, error) {
	if len(r.Actions) == 0 {
		return nil, i18n.Errorf("give at least one action: a name, its uplift column, the value of a conversion and the cost of a contact")
	}
	ok, err := w.TableExists(ctx, storage.ModelScoresTable)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, i18n.Errorf("no uplift scores yet: train an uplift model for each action first (marketbench uplift train)")
	}
	scoreCols, err := w.Columns(ctx, storage.ModelScoresTable)
	if err != nil {
		return nil, err
	}
	clvCols := map[string]bool{}
	hasCLV, _ := w.TableExists(ctx, value.ScoresTable)
	if hasCLV {
		cs, err := w.Columns(ctx, value.ScoresTable)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			clvCols[strings.ToLower(c.Name)] = c.IsNumeric()
		}
	}
	find := func(name string) (string, bool) {
		for _, c := range scoreCols {
			if strings.EqualFold(c.Name, name) && c.IsNumeric() {
				return `s.` + storage.Quote(c.Name), true
			}
		}
		return "", false
	}
	var sel []string
	names := map[string]bool{}
	for _, a := range r.Actions {
		if strings.TrimSpace(a.Name) == "" || names[a.Name] {
			return nil, i18n.Errorf("each action needs a name of its own")
		}
		names[a.Name] = true
		u, ok := find(a.Uplift)
		if !ok {
			return nil, i18n.Errorf("action %q: model_scores has no numeric column %q; train its uplift model first (marketbench uplift train --name …)", a.Name, a.Uplift)
		}
		v := strconv.FormatFloat(a.Value, 'g', -1, 64)
		if a.ValueColumn != "" {
			if c, ok := find(a.ValueColumn); ok {
				v = c
			} else if clvCols[strings.ToLower(a.ValueColumn)] {
				v = `c.` + storage.Quote(a.ValueColumn)
			} else {
				return nil, i18n.Errorf("action %q: no numeric column %q in model_scores or clv_scores for the value of a conversion", a.Name, a.ValueColumn)
			}
		} else if !(a.Value > 0) || math.IsInf(a.Value, 0) {
			return nil, i18n.Errorf("action %q: the value of a conversion must be a positive number or a column", a.Name)
		}
		sel = append(sel, `CAST(`+u+` AS DOUBLE)`, `CAST(`+v+` AS DOUBLE)`)
	}
	q := `SELECT s.customer_id, ` + strings.Join(sel, ", ") + ` FROM ` + storage.Quote(storage.ModelScoresTable) + ` s`
	if hasCLV {
		q += ` LEFT JOIN ` + storage.Quote(value.ScoresTable) + ` c ON c.customer_id = s.customer_id`
	}
	if r.Segment != "" {
		ids, err := segment.IDsSQL(ctx, w.Project, r.Segment)
		if err != nil {
			return nil, err
		}
		q += ` WHERE s.customer_id IN (` + ids + `)`
	}
	q += ` ORDER BY s.customer_id`
	rows, err := w.Q().QueryContext(ctx, q)
	if err != nil {
		return nil, i18n.Errorf("cannot read the scores: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	na := len(r.Actions)
	var ids []string
	var uplift, val [][]float64
	vals := make([]sql.NullFloat64, 2*na)
	dest := make([]any, 1+2*na)
	var id string
	dest[0] = &id
	for i := range vals {
		dest[i+1] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, i18n.Errorf("cannot read the scores: %s", storage.FirstLine(err.Error()))
		}
		u, v := make([]float64, na), make([]float64, na)
		for a := range na {
			u[a], v[a] = nullNaN(vals[2*a]), nullNaN(vals[2*a+1])
		}
		ids, uplift, val = append(ids, id), append(uplift, u), append(val, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, i18n.Errorf("no customers to plan for")
	}
	actions := make([]nba.Action, na)
	for a, x := range r.Actions {
		actions[a] = nba.Action{Name: x.Name, Cost: x.Cost}
	}
	plan, err := nba.Decide(actions, uplift, val, nba.Options{Budget: r.Budget, MaxContacts: r.MaxContacts})
	if err != nil {
		return nil, err
	}
	sym := w.CurrencySymbol(ctx)
	rep := &NBAReport{Customers: len(ids), Contacted: plan.Contacted, Cost: plan.Cost, EV: plan.EV, Table: NBATable}
	rep.Actions = make([]NBAActionResult, na)
	members := make([][]string, na)
	for a, x := range r.Actions {
		rep.Actions[a].Name = x.Name
	}
	for i, c := range plan.Choices {
		switch c.Why {
		case nba.NotWorthIt:
			rep.NotWorthIt++
		case nba.OverBudget:
			rep.OverBudget++
		case nba.OverContacts:
			rep.OverContact++
		}
		if c.Action >= 0 {
			s := &rep.Actions[c.Action]
			s.Customers++
			s.Cost += r.Actions[c.Action].Cost
			s.EV += c.EV
			s.Conversion += uplift[i][c.Action]
			members[c.Action] = append(members[c.Action], ids[i])
		}
	}
	err = w.Tx(ctx, func(tx *storage.Tx) error {
		cols := storage.BulkColumns("customer_id", "VARCHAR", "action", "VARCHAR", "expected_value", "DOUBLE", "uplift", "DOUBLE",
			"conversion_value", "DOUBLE", "cost", "DOUBLE", "reason", "VARCHAR")
		err := w.ReplaceTable(ctx, tx, NBATable, cols, func(emit func(func(*storage.Row))) {
			for i, c := range plan.Choices {
				emit(func(row *storage.Row) {
					row.Text(ids[i])
					if c.Action >= 0 {
						a := r.Actions[c.Action]
						row.Text(a.Name)
						row.Num(c.EV)
						row.Num(uplift[i][c.Action])
						row.Num(val[i][c.Action])
						row.Num(a.Cost)
					} else {
						row.Text("")
						row.Num(0)
						row.Num(math.NaN())
						row.Num(math.NaN())
						row.Num(0)
					}
					row.Text(nbaReason(c, r.Actions, uplift[i], val[i], sym))
				})
			}
		})
		if err != nil {
			return err
		}
		if err := w.InTx(tx).SetRoles(ctx, NBATable, map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
			return err
		}
		if r.SegmentPrefix != "" {
			for a, x := range r.Actions {
				name := strings.TrimSpace(r.SegmentPrefix) + " " + x.Name
				desc := i18n.T("next best action %s: %s customers, expected value %s", x.Name, i18n.Number(float64(len(members[a]))), i18n.Money(sym, 0, rep.Actions[a].EV))
				if _, err := segment.CreateList(ctx, w.InTx(tx), name, NBATable, desc, members[a]); err != nil {
					return err
				}
				rep.Actions[a].Segment = name
			}
		}
		return w.Audit(ctx, tx, "nba plan", NBATable, -1, int64(len(ids)), i18n.T("%d actions, budget %g, contact limit %d", na, r.Budget, r.MaxContacts))
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// nbaReason says in words why a customer got their action, or none.
func nbaReason(c nba.Choice, actions []NBAAction, uplift, val []float64, sym string) string {
	money := func(v float64) string { return i18n.Money(sym, 2, v) }
	switch c.Why {
	case nba.Chosen:
		a := actions[c.Action]
		s := i18n.T("%s: %s more likely to convert × %s − %s cost = %s expected", a.Name, i18n.Percent(1, uplift[c.Action]),
			money(val[c.Action]), money(a.Cost), money(c.EV))
		if c.Best != c.Action {
			s += "; " + i18n.T("chosen over %s (%s) to stay within the budget", actions[c.Best].Name, money(c.BestEV))
		}
		return s
	case nba.OverBudget:
		return i18n.T("%s would be worth %s, but the budget is spent", actions[c.Best].Name, money(c.BestEV))
	case nba.OverContacts:
		return i18n.T("%s would be worth %s, but the contact limit is reached", actions[c.Best].Name, money(c.BestEV))
	}
	if c.Best < 0 || math.IsInf(c.BestEV, -1) {
		return i18n.T("no uplift score for any action")
	}
	return i18n.T("no action is worth its cost (best: %s, %s)", actions[c.Best].Name, money(c.BestEV))
}

func nullNaN(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}
