package ui

import (
	"context"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// nbaView is the Next best action tab: several actions, each with the
// uplift model of its message, what a conversion is worth and what a
// contact costs; the plan gives each customer the action worth most (or
// none) within a budget and a contact limit, and one segment per action.
type nbaView struct {
	s *valueScreen

	rows        []*actionRow
	box         *fyne.Container
	addBtn      *widget.Button
	budget      *widget.Entry
	maxContacts *widget.Entry
	prefix      *widget.Entry
	planBtn     *widget.Button
	saveBtn     *widget.Button
	info        *widget.Label
	totals      *widget.Label // the plan's totals, over its tables
	summary     *widget.Label
	perAction   *grid
	sample      *grid
	results     *container.AppTabs

	upliftCols []string
	colsRq     latest
	rep        *core.NBAReport
	req        core.NBARequest // the request of the plan shown

	content fyne.CanvasObject
}

// actionRow is one action of the plan.
type actionRow struct {
	name   *widget.Entry
	uplift *widget.Select
	value  *widget.SelectEntry
	cost   *widget.Entry
	obj    fyne.CanvasObject
}

// maxActions keeps the form within the window.
const maxActions = 4

func newNBAView(s *valueScreen) *nbaView {
	v := &nbaView{s: s, perAction: newGrid(), sample: newGrid(), box: container.NewVBox()}
	v.addBtn = &widget.Button{Text: i18n.T("Add an action"), Icon: theme.ContentAddIcon(), OnTapped: func() { v.addRow("") }}
	v.budget = newEntry("", i18n.T("no limit"))
	v.maxContacts = newEntry("", i18n.T("no limit"))
	v.prefix = newEntry(i18n.T("Next best action"), "")
	v.planBtn = &widget.Button{Text: i18n.T("Plan"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.plan}
	v.saveBtn = &widget.Button{Text: i18n.T("Save segments"), Icon: theme.AccountIcon(), OnTapped: v.saveSegments}
	v.saveBtn.Disable()
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.info.Hide()
	v.totals = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.totals.Hide()
	v.sample.onSelect = func(row int) {
		if row < len(v.sample.rows) {
			v.s.p.setStatus(v.sample.rows[row][3]) // the whole reason
		}
	}
	v.summary = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("For each customer the plan picks the action with the highest " +
		"expected value, uplift × value of a conversion − cost of a contact, or nothing when none is worth its cost, within the budget " +
		"and the contact limit. The value is a number or clv, each customer's lifetime value from the Lifetime value tab.")}
	v.results = container.NewAppTabs(
		container.NewTabItem(i18n.T("Summary"), container.NewVScroll(v.summary)),
		container.NewTabItem(i18n.T("Per action"), v.perAction.table),
		container.NewTabItem(i18n.T("Customers"), v.sample.table),
	)
	top := container.NewVBox(v.box, newFlow(v.addBtn,
		captioned(i18n.T("Budget"), fixedWidth(90, v.budget)),
		captioned(i18n.T("Contact limit"), fixedWidth(90, v.maxContacts)), v.planBtn,
		captioned(i18n.T("Segment names begin with"), fixedWidth(160, v.prefix)), v.saveBtn), v.info, v.totals)
	v.content = container.NewBorder(top, nil, nil, nil, v.results)
	return v
}

// addRow adds an action using an uplift column ("" for none chosen).
func (v *nbaView) addRow(col string) {
	if len(v.rows) >= maxActions {
		return
	}
	r := &actionRow{name: newEntry(strings.TrimPrefix(col, "uplift_"), i18n.T("name")), cost: newEntry("0", "")}
	r.uplift = widget.NewSelect(v.upliftCols, func(c string) {
		if r.name.Text == "" {
			r.name.SetText(strings.TrimPrefix(c, "uplift_")) // i18n:keep (a column prefix)
		}
	})
	r.uplift.PlaceHolder = i18n.T("uplift model")
	r.uplift.Selected = col
	r.value = widget.NewSelectEntry([]string{"clv"}) // i18n:keep (the column clv)
	r.value.PlaceHolder = i18n.T("20 or clv")
	var obj fyne.CanvasObject
	remove := &widget.Button{Icon: theme.ContentRemoveIcon(), Importance: widget.LowImportance, OnTapped: func() {
		for i, x := range v.rows {
			if x == r {
				v.rows = append(v.rows[:i], v.rows[i+1:]...)
			}
		}
		v.box.Remove(obj)
		enable(v.addBtn, len(v.rows) < maxActions)
	}}
	obj = newFlow(captioned(i18n.T("Offer"), fixedWidth(120, r.name)), captioned(i18n.T("Uplift"), fixedWidth(190, r.uplift)),
		captioned(i18n.T("Value of a conversion"), fixedWidth(100, r.value)), captioned(i18n.T("Cost"), fixedWidth(70, r.cost)), remove)
	r.obj = obj
	v.rows = append(v.rows, r)
	v.box.Add(obj)
	enable(v.addBtn, len(v.rows) < maxActions)
}

// loadColumns offers the uplift models' columns; the first visit makes
// an action of each.
func (v *nbaView) loadColumns() {
	ctx := v.colsRq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) ([]string, error) {
		return v.s.p.ws.UpliftColumns(ctx)
	}, func(cols []string, err error) {
		if ctx.Err() != nil || err != nil {
			return
		}
		v.upliftCols = cols
		for _, r := range v.rows {
			r.uplift.Options = cols
			r.uplift.Refresh()
		}
		if len(cols) == 0 {
			v.say(noUplift())
			return
		}
		if v.info.Text == noUplift() {
			v.info.Hide()
		}
		if len(v.rows) == 0 {
			for _, c := range cols[:min(len(cols), maxActions)] {
				v.addRow(c)
			}
		}
	})
}

func noUplift() string {
	return i18n.T("No uplift model yet. Each action needs one: train it on the Uplift tab from an experiment with its message " +
		"(its predicted uplift goes to model_scores as uplift_NAME).")
}

func (v *nbaView) say(s string) {
	v.info.SetText(s)
	v.info.Show()
}

// request reads the form, or says what is wrong.
func (v *nbaView) request() (core.NBARequest, string) {
	var r core.NBARequest
	if len(v.upliftCols) == 0 {
		return r, noUplift()
	}
	if len(v.rows) == 0 {
		return r, i18n.T("Add an action: its name, its uplift model, the value of a conversion and the cost of a contact.")
	}
	for i, row := range v.rows {
		a := core.NBAAction{Name: strings.TrimSpace(row.name.Text), Uplift: row.uplift.Selected}
		if a.Name == "" {
			a.Name = i18n.T("action %d", i+1)
		}
		if a.Uplift == "" {
			return r, i18n.T("Action %s: choose its uplift model.", a.Name)
		}
		val := strings.TrimSpace(row.value.Text)
		if x, ok := parseNumber(val); ok {
			if !(x > 0) || math.IsInf(x, 0) {
				return r, i18n.T("Action %s: the value of a conversion must be above 0.", a.Name)
			}
			a.Value = x
		} else if val != "" && !strings.ContainsAny(val, " ;'\"") {
			a.ValueColumn = val
		} else {
			return r, i18n.T("Action %s: give the value of a conversion, a number (20) or clv for each customer's lifetime value.", a.Name)
		}
		c, ok := number(row.cost, 0)
		if !ok || c < 0 || math.IsInf(c, 0) {
			return r, i18n.T("Action %s: the cost of a contact is a number of at least 0.", a.Name)
		}
		a.Cost = c
		r.Actions = append(r.Actions, a)
	}
	b, ok := number(v.budget, 0)
	if !ok || b < 0 || math.IsInf(b, 0) {
		return r, i18n.T("The budget is an amount of at least 0; leave it empty for no limit.")
	}
	r.Budget = b
	if t := strings.TrimSpace(v.maxContacts.Text); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return r, i18n.T("The contact limit is a whole number of customers; leave it empty for no limit.")
		}
		r.MaxContacts = n
	}
	return r, ""
}

// plan makes the plan and shows it.
func (v *nbaView) plan() {
	r, why := v.request()
	if why != "" {
		v.say(why)
		return
	}
	v.info.Hide()
	v.run(r, func(rep *core.NBAReport) { v.show(r, rep) })
}

func (v *nbaView) run(r core.NBARequest, done func(*core.NBAReport)) {
	var rep *core.NBAReport
	v.planBtn.Disable()
	v.s.p.run(i18n.T("Planning the next best action…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Choosing an action for every customer"), -1)
		var err error
		rep, err = v.s.p.ws.PlanNBA(ctx, r)
		return err
	}, func(err error) {
		v.planBtn.Enable()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		done(rep)
	})
}

// show says the totals in words, per action, and a sample of customers
// with their reasons.
func (v *nbaView) show(r core.NBARequest, rep *core.NBAReport) {
	v.rep, v.req = rep, r
	money := func(x float64) string { return v.s.p.money(2, x) }
	lines := []string{i18n.T("The plan contacts %s of %s customers for %s, and expects %s more than it costs.",
		i18n.Number(float64(rep.Contacted)), i18n.Number(float64(rep.Customers)), money(rep.Cost), money(rep.EV))}
	if rep.NotWorthIt > 0 {
		lines = append(lines, i18n.T("For %s customers no action is worth its cost.", i18n.Number(float64(rep.NotWorthIt))))
	}
	if rep.OverBudget > 0 {
		lines = append(lines, i18n.T("%s customers would be worth an action, but the budget is spent.", i18n.Number(float64(rep.OverBudget))))
	}
	if rep.OverContact > 0 {
		lines = append(lines, i18n.T("%s customers would be worth an action, but the contact limit is reached.", i18n.Number(float64(rep.OverContact))))
	}
	lines = append(lines, i18n.T("Each customer's action and the reason for it are in the table %s; Save segments makes one segment per action for campaigns.", rep.Table))
	v.summary.SetText(strings.Join(lines, "\n"))
	v.totals.SetText(lines[0])
	v.totals.Show()
	var rows [][]string
	for _, a := range rep.Actions {
		rows = append(rows, []string{a.Name, i18n.Number(float64(a.Customers)), i18n.Number(a.Conversion), money(a.Cost), money(a.EV), a.Segment})
	}
	v.perAction.set([]string{i18n.T("Offer"), i18n.T("Customers"), i18n.T("Extra conversions"), i18n.T("Cost"), i18n.T("Expected value"), i18n.T("Segment")},
		[]string{"", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", ""}, rows)
	v.saveBtn.Enable()
	v.results.SelectIndex(1)
	v.loadSample()
}

// loadSample shows the customers worth most, and some who get nothing.
func (v *nbaView) loadSample() {
	t := storage.Quote(core.NBATable)
	q := `SELECT customer_id, action, expected_value, reason FROM (
		(SELECT * FROM ` + t + ` WHERE action <> '' ORDER BY expected_value DESC, customer_id LIMIT 40)
		UNION ALL (SELECT * FROM ` + t + ` WHERE action = '' ORDER BY customer_id LIMIT 10))`
	async(v.s.p, v.s.p.ctx, func(ctx context.Context) (*storage.Result, error) {
		return v.s.p.ws.SQL(ctx, q)
	}, func(res *storage.Result, err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		rows := make([][]string, len(res.Rows))
		for i, r := range res.Rows {
			ev, _ := strconv.ParseFloat(r[2], 64)
			action := r[1]
			if action == "" {
				action = i18n.T("(nothing)")
			}
			rows[i] = []string{r[0], action, v.s.p.money(2, ev), r[3]}
		}
		v.sample.set([]string{i18n.T("Customer"), i18n.T("Offer"), i18n.T("Expected value"), i18n.T("Why")},
			[]string{"", "", "DOUBLE", ""}, rows)
	})
}

// saveSegments plans again with the same request and saves one segment
// per action, then offers them to a campaign.
func (v *nbaView) saveSegments() {
	prefix := strings.TrimSpace(v.prefix.Text)
	if v.rep == nil {
		v.say(i18n.T("Press Plan first."))
		return
	}
	if prefix == "" {
		v.say(i18n.T("Give the beginning of the segment names."))
		return
	}
	r := v.req
	r.SegmentPrefix = prefix
	v.run(r, func(rep *core.NBAReport) {
		v.show(r, rep)
		var names []string
		for _, a := range rep.Actions {
			names = append(names, a.Segment)
		}
		v.s.lastSegments = names
		v.s.p.setStatus(i18n.T("Saved %d segments: %s", len(names), strings.Join(names, ", ")))
		if v.s.p.segments.loaded {
			v.s.p.segments.refresh()
		}
		pick := widget.NewSelect(names, nil)
		pick.SetSelectedIndex(0)
		body := container.NewVBox(&widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Saved one segment per action: %s. "+
			"They are on the Segments screen; each keeps exactly its customers until you save the plan again.", strings.Join(names, ", "))},
			captioned(i18n.T("Segment"), pick))
		var d *dialog.CustomDialog
		use := &widget.Button{Text: i18n.T("Use in a campaign"), Importance: widget.HighImportance, OnTapped: func() {
			d.Hide()
			v.s.p.campaigns.startWith(pick.Selected, "")
		}}
		d = dialog.NewCustomWithoutButtons(i18n.T("Segments saved"), body, v.s.p.win)
		d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Close"), OnTapped: func() { d.Hide() }}, use})
		d.Resize(fyne.NewSize(560, 0))
		d.Show()
	})
}
