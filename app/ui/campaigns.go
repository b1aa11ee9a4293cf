package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
)

// Send modes as the Send tab offers them (in English; shown translated).
var (
	modeDry  = i18n.Mark("Dry run: check everything, send nothing")
	modeTest = i18n.Mark("Test send: one message per variant to an address of yours")
	modeLive = i18n.Mark("Live: send to the audience")
)

// campaignsScreen sets up campaigns (audience, channel, variants and a
// holdout), previews them, sends them (dry run, test, live with pause and
// resume) and reads their results.
type campaignsScreen struct {
	p      *project
	loaded bool

	list     []campaignRow
	grid     *grid
	listInfo *widget.Label
	listReq  latest
	sel      string // the campaign shown, "" for a new one

	tabs    *container.AppTabs
	editor  *campaignEditor
	preview *previewView
	send    *sendView
	results *resultsView
	plan    *planView
	content fyne.CanvasObject
}

// campaignRow is a stored campaign with its delivery tallies.
type campaignRow struct {
	info   campaign.Info
	counts *campaign.Counts
}

func newCampaignsScreen(p *project) *campaignsScreen {
	s := &campaignsScreen{p: p, grid: newGrid()}
	s.editor = newCampaignEditor(s)
	s.preview = newPreviewView(s)
	s.send = newSendView(s)
	s.results = newResultsView(s)
	s.plan = newPlanView(s)

	s.listInfo = &widget.Label{Text: i18n.T("Loading campaigns…"), Wrapping: fyne.TextWrapWord}
	newBtn := &widget.Button{Text: i18n.T("New campaign"), Icon: theme.ContentAddIcon(), OnTapped: s.newCampaign}
	s.grid.onSelect = func(row int) {
		if row < len(s.list) {
			s.show(s.list[row].info.Name)
		}
	}
	left := container.NewBorder(s.listInfo, container.NewHBox(newBtn), nil, nil, s.grid.table)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(i18n.T("Set up"), theme.DocumentCreateIcon(), s.editor.content),
		container.NewTabItemWithIcon(i18n.T("Preview"), theme.VisibilityIcon(), s.preview.content),
		container.NewTabItemWithIcon(i18n.T("Send"), theme.MailSendIcon(), s.send.content),
		container.NewTabItemWithIcon(i18n.T("Results"), theme.InfoIcon(), s.results.content),
		container.NewTabItemWithIcon(i18n.T("Plan a test"), theme.GridIcon(), s.plan.content),
	)
	split := container.NewHSplit(left, s.tabs)
	split.Offset = 0.3
	s.content = split
	p.onTables = append(p.onTables, func([]storage.Table) { s.editor.setTables() })
	return s
}

// shown refreshes the list and the editor's choices on every visit: a
// segment or a channel may have been added on another screen.
func (s *campaignsScreen) shown() {
	first := !s.loaded
	s.loaded = true
	s.refresh("")
	s.editor.loadChoices()
	if first {
		s.newCampaign()
	}
}

// refresh lists the campaigns with their tallies; selectName, when set,
// becomes the campaign shown.
func (s *campaignsScreen) refresh(selectName string) {
	ctx := s.listReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]campaignRow, error) {
		infos, err := s.p.ws.Campaigns(ctx)
		if err != nil {
			return nil, err
		}
		var rows []campaignRow
		for _, in := range infos {
			_, counts, err := s.p.ws.CampaignStatus(ctx, in.Name)
			if err != nil {
				return nil, err
			}
			rows = append(rows, campaignRow{in, counts})
		}
		return rows, nil
	}, func(rows []campaignRow, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.listInfo.SetText("")
			s.p.showError(err)
			return
		}
		s.setList(rows)
		if selectName == "" {
			selectName = s.sel
		}
		if i := slices.IndexFunc(rows, func(r campaignRow) bool { return r.info.Name == selectName }); i >= 0 {
			s.grid.table.Select(widget.TableCellID{Row: i, Col: 0})
		}
	})
}

func (s *campaignsScreen) setList(rows []campaignRow) {
	s.list = rows
	if len(rows) == 0 {
		s.listInfo.SetText(i18n.T("No campaigns yet. Fill in the Set up tab and press Save: choose a segment and a channel, and write at least one variant."))
	} else {
		s.listInfo.SetText(i18n.T("Select a campaign to edit, preview, send it or read its results."))
	}
	var out [][]string
	for _, r := range rows {
		c := r.counts
		audience, delivered, excluded, holdout := "—", "—", "—", "—"
		if c != nil && c.Total > 0 {
			audience, delivered = i18n.Number(float64(c.Total)), i18n.Number(float64(c.ByStatus[campaign.Delivered]))
			excluded, holdout = i18n.Number(float64(c.ByStatus[campaign.Excluded])), i18n.Number(float64(c.ByStatus[campaign.Holdout]))
		}
		out = append(out, []string{r.info.Name, statusWords(r.info.Status), audience, delivered, excluded, holdout})
	}
	s.grid.set([]string{i18n.T("Campaign"), i18n.T("Status"), i18n.T("Audience"), i18n.T("Delivered"), i18n.T("Left out"), i18n.T("Holdout")},
		[]string{"", "", "BIGINT", "BIGINT", "BIGINT", "BIGINT"}, out)
}

// statusWords says a campaign's status for people.
func statusWords(status string) string {
	switch status {
	case "draft":
		return i18n.T("draft (not sent)")
	case "paused":
		return i18n.T("paused")
	case "done":
		return i18n.T("sent")
	}
	return deliveryStatusWords(status)
}

// deliveryStatuses says the delivery log's statuses (campaign.Planned…)
// for people; "sending" is also a campaign's status.
var deliveryStatuses = map[string]string{
	campaign.Planned:   i18n.Mark("planned"),
	campaign.Sending:   i18n.Mark("sending"),
	campaign.Delivered: i18n.Mark("delivered"),
	campaign.Retry:     i18n.Mark("retry"),
	campaign.Rejected:  i18n.Mark("rejected"),
	campaign.Holdout:   i18n.Mark("holdout"),
	campaign.Excluded:  i18n.Mark("excluded"),
	campaign.Unknown:   i18n.Mark("unknown"),
}

// deliveryStatusWords translates a delivery status; an unknown one stays
// as it is.
func deliveryStatusWords(status string) string {
	if w, ok := deliveryStatuses[status]; ok {
		return i18n.T(w)
	}
	return status
}

func (s *campaignsScreen) row(name string) *campaignRow {
	for i := range s.list {
		if s.list[i].info.Name == name {
			return &s.list[i]
		}
	}
	return nil
}

// newCampaign clears the editor for a new campaign.
func (s *campaignsScreen) newCampaign() {
	s.sel = ""
	s.grid.table.UnselectAll()
	s.editor.load(nil)
	s.preview.clear()
	s.send.load(nil)
	s.results.load("")
	s.tabs.SelectIndex(0)
}

// show loads a stored campaign into every tab.
func (s *campaignsScreen) show(name string) {
	r := s.row(name)
	if r == nil {
		return
	}
	changed := name != s.sel
	s.sel = name
	if changed {
		s.editor.load(&r.info)
		s.preview.clear()
		s.results.load(name)
	} else {
		s.editor.lock(&r.info)
	}
	s.send.load(r)
}

// startWith opens a new campaign for segment ("" leaves the audience to
// choose) with snippet, when given, added to the first variant's text:
// the Products screen's "Use in a campaign".
func (s *campaignsScreen) startWith(segment, snippet string) {
	s.p.goTo("Campaigns") // the first visit makes a new campaign too
	s.newCampaign()
	e := s.editor
	if segment != "" {
		e.segSel.Selected = segment // shown before the choices finish loading
		e.segSel.Refresh()
	}
	if snippet != "" && len(e.variants) > 0 {
		v := e.variants[0]
		if v.text.Text != "" && !strings.HasSuffix(v.text.Text, "\n") {
			snippet = "\n" + snippet
		}
		v.text.SetText(v.text.Text + snippet)
	}
}
