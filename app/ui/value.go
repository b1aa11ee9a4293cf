package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// valueScreen answers what a customer is worth, whom a message changes,
// which action suits whom, whether new customers stay and what will sell:
// lifetime value, uplift, the next best action (each ending in a segment
// a campaign can send to), cohorts and forecasts. It sits after
// Models, whose algorithms its uplift models use, and just before
// Campaigns, where its audiences go.
type valueScreen struct {
	p      *project
	loaded bool

	tabs                      *container.AppTabs
	clvTab, upliftTab, nbaTab *container.TabItem
	cohortsTab, forecastTab   *container.TabItem
	clv                       *clvView
	uplift                    *upliftView
	nba                       *nbaView
	cohorts                   *cohortsView
	forecast                  *forecastView
	lastSegment               *segment.Segment // the last segment made here, for tests
	lastSegments              []string         // the segments of the last plan saved, for tests
	content                   fyne.CanvasObject
}

func newValueScreen(p *project) *valueScreen {
	s := &valueScreen{p: p}
	s.clv = newCLVView(s)
	s.uplift = newUpliftView(s)
	s.nba = newNBAView(s)
	s.cohorts = newCohortsView(s)
	s.forecast = newForecastView(s)
	s.clvTab = container.NewTabItemWithIcon(i18n.T("Lifetime value"), theme.MoveUpIcon(), s.clv.content)
	s.upliftTab = container.NewTabItemWithIcon(i18n.T("Uplift"), theme.MailSendIcon(), s.uplift.content)
	s.nbaTab = container.NewTabItemWithIcon(i18n.T("Next best action"), theme.NavigateNextIcon(), s.nba.content)
	s.cohortsTab = container.NewTabItemWithIcon(i18n.T("Cohorts"), theme.GridIcon(), s.cohorts.content)
	s.forecastTab = container.NewTabItemWithIcon(i18n.T("Forecast"), theme.HistoryIcon(), s.forecast.content)
	s.tabs = container.NewAppTabs(s.clvTab, s.upliftTab, s.nbaTab, s.cohortsTab, s.forecastTab)
	s.tabs.OnSelected = func(t *container.TabItem) {
		switch t {
		case s.nbaTab:
			s.nba.loadColumns()
		case s.cohortsTab:
			s.cohorts.setTables(s.cohorts.tableSel.Options) // segments made meanwhile
		}
	}
	s.content = s.tabs
	p.onTables = append(p.onTables, s.setTables)
	return s
}

// shown lists the tables on the first visit; the uplift columns are read
// again on every visit, since models may have been trained meanwhile.
func (s *valueScreen) shown() {
	if !s.loaded {
		s.loaded = true
		s.setTables(s.p.tables)
		s.clv.loadSaved()
	}
	s.nba.loadColumns()
}

func (s *valueScreen) setTables(ts []storage.Table) {
	if !s.loaded {
		return
	}
	s.uplift.setTables(ts)
	async(s.p, s.p.ctx, func(ctx context.Context) ([]string, error) {
		return s.p.ws.PurchaseTables(ctx)
	}, func(orders []string, err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		s.clv.setTables(orders)
		s.cohorts.setTables(orders)
		s.forecast.setTables(orders)
	})
}

// number reads a number typed by a person (see parseNumber); "" is def.
func number(e *widget.Entry, def float64) (float64, bool) {
	if strings.TrimSpace(e.Text) == "" {
		return def, true
	}
	return parseNumber(e.Text)
}

// percentShare reads "30" or "30%" as 0.3.
func percentShare(s string) (float64, bool) {
	v, ok := parseNumber(s)
	return v / 100, ok && v > 0 && v <= 100
}

// ruleNumber writes a threshold for a rule: exact, and never in the
// 1e-05 notation the rule grammar does not read.
func ruleNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func newEntry(text, placeholder string) *widget.Entry {
	e := &widget.Entry{Text: text, PlaceHolder: placeholder}
	e.ExtendBaseWidget(e)
	return e
}

// saveRuleSegment saves a rule segment; with campaign it goes straight
// to a new campaign for it, else it says what was saved and offers one.
func (s *valueScreen) saveRuleSegment(name, table, rule, what string, campaign bool) {
	var sg *segment.Segment
	s.p.run(i18n.T("Saving the segment %q…", name), func(ctx context.Context, _ core.Progress) error {
		var err error
		sg, err = s.p.ws.CreateSegment(ctx, name, table, rule)
		return err
	}, func(err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		s.segmentSaved(sg, what, campaign)
	})
}

// segmentSaved tells the Segments screen and offers a campaign.
func (s *valueScreen) segmentSaved(sg *segment.Segment, what string, campaign bool) {
	s.lastSegment = sg
	s.p.setStatus(i18n.T("Saved segment %q: %s customers", sg.Name, i18n.Number(float64(sg.Size))))
	if s.p.segments.loaded {
		s.p.segments.refresh()
	}
	if campaign {
		s.p.campaigns.startWith(sg.Name, "")
		return
	}
	body := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Saved the segment %q: %s customers, %s. "+
		"It is on the Segments screen, and a campaign can take it as its audience.", sg.Name, i18n.Number(float64(sg.Size)), what)}
	var d *dialog.CustomDialog
	use := &widget.Button{Text: i18n.T("Use in a campaign"), Importance: widget.HighImportance, OnTapped: func() {
		d.Hide()
		s.p.campaigns.startWith(sg.Name, "")
	}}
	d = dialog.NewCustomWithoutButtons(i18n.T("Segment saved"), body, s.p.win)
	d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Close"), OnTapped: func() { d.Hide() }}, use})
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// dateSpan is the first and last value of a table's order date column.
func dateSpan(ctx context.Context, s *valueScreen, table string) (first, last time.Time, err error) {
	col, err := s.p.ws.ColumnFor(ctx, table, storage.OrderDate)
	if err != nil || col == "" {
		return first, last, err
	}
	c := storage.Quote(col)
	r, err := s.p.ws.SQL(ctx, "SELECT CAST(min("+c+") AS DATE), CAST(max("+c+") AS DATE) FROM "+storage.Quote(table))
	if err != nil || len(r.Rows) == 0 || len(r.Rows[0]) < 2 || len(r.Rows[0][0]) < 10 || len(r.Rows[0][1]) < 10 {
		return first, last, err
	}
	if first, err = time.Parse(time.DateOnly, r.Rows[0][0][:10]); err != nil {
		return first, last, err
	}
	last, err = time.Parse(time.DateOnly, r.Rows[0][1][:10])
	return first, last, err
}
