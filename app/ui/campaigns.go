package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
)

// Send modes as the Send tab offers them.
const (
	modeDry  = "Dry run: check everything, send nothing"
	modeTest = "Test send: one message per variant to an address of yours"
	modeLive = "Live: send to the audience"
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

	s.listInfo = &widget.Label{Text: "Loading campaigns…", Wrapping: fyne.TextWrapWord}
	newBtn := &widget.Button{Text: "New campaign", Icon: theme.ContentAddIcon(), OnTapped: s.newCampaign}
	s.grid.onSelect = func(row int) {
		if row < len(s.list) {
			s.show(s.list[row].info.Name)
		}
	}
	left := container.NewBorder(s.listInfo, container.NewHBox(newBtn), nil, nil, s.grid.table)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Set up", theme.DocumentCreateIcon(), s.editor.content),
		container.NewTabItemWithIcon("Preview", theme.VisibilityIcon(), s.preview.content),
		container.NewTabItemWithIcon("Send", theme.MailSendIcon(), s.send.content),
		container.NewTabItemWithIcon("Results", theme.InfoIcon(), s.results.content),
		container.NewTabItemWithIcon("Plan a test", theme.GridIcon(), s.plan.content),
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
		s.listInfo.SetText("No campaigns yet. Fill in the Set up tab and press Save: choose a segment and a channel, and write at least one variant.")
	} else {
		s.listInfo.SetText("Select a campaign to edit, preview, send it or read its results.")
	}
	var out [][]string
	for _, r := range rows {
		c := r.counts
		audience, delivered, excluded, holdout := "—", "—", "—", "—"
		if c != nil && c.Total > 0 {
			audience, delivered = chart.Number(float64(c.Total)), chart.Number(float64(c.ByStatus[campaign.Delivered]))
			excluded, holdout = chart.Number(float64(c.ByStatus[campaign.Excluded])), chart.Number(float64(c.ByStatus[campaign.Holdout]))
		}
		out = append(out, []string{r.info.Name, statusWords(r.info.Status), audience, delivered, excluded, holdout})
	}
	s.grid.set([]string{"Campaign", "Status", "Audience", "Delivered", "Left out", "Holdout"},
		[]string{"", "", "BIGINT", "BIGINT", "BIGINT", "BIGINT"}, out)
}

// statusWords says a campaign's status for people.
func statusWords(status string) string {
	switch status {
	case "draft":
		return "draft (not sent)"
	case "paused":
		return "paused"
	case "done":
		return "sent"
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

// campaignEditor is the Set up tab.
type campaignEditor struct {
	s *campaignsScreen

	name      *widget.Entry
	segSel    *widget.Select
	rule      *widget.Entry
	tableSel  *widget.Select
	chanSel   *widget.Select
	chanNote  *widget.Label
	noteGap   fyne.CanvasObject // the note's empty label cell
	channels  []channelChoice
	settings  *configForm
	setBox    *fyne.Container
	variants  []*variantEditor
	varBox    *fyne.Container
	holdout   *widget.Entry
	rate      *widget.Entry
	saveBtn   *widget.Button
	note      *widget.Label
	choiceReq latest

	loaded  *campaign.Info // the campaign being edited, nil for a new one
	content fyne.CanvasObject
}

// channelChoice is one channel component of an enabled plugin.
type channelChoice struct {
	plugin, component, label string
	spec                     sdk.Component
}

const tableAuto = "(automatic: the customer table)"

func newCampaignEditor(s *campaignsScreen) *campaignEditor {
	e := &campaignEditor{s: s}
	entry := func(placeholder string) *widget.Entry {
		x := &widget.Entry{PlaceHolder: placeholder}
		x.ExtendBaseWidget(x)
		return x
	}
	e.name = entry("e.g. Spring sale")
	e.segSel = widget.NewSelect(nil, nil)
	e.segSel.PlaceHolder = "Choose the audience segment"
	e.rule = entry("optional, e.g. score_churn_logreg > 0.5")
	e.tableSel = widget.NewSelect([]string{tableAuto}, nil)
	e.tableSel.SetSelected(tableAuto)
	e.chanSel = widget.NewSelect(nil, func(string) { e.channelChanged(nil) })
	e.chanSel.PlaceHolder = "Choose the channel"
	e.chanNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	e.noteGap = layout.NewSpacer()
	e.setNote("")
	e.setBox = container.NewVBox()
	e.varBox = container.NewVBox()
	e.holdout = entry("")
	e.rate = entry("empty: as fast as the channel allows")
	e.saveBtn = &widget.Button{Text: "Save", Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: e.save}
	e.note = &widget.Label{Wrapping: fyne.TextWrapWord}
	addBtn := &widget.Button{Text: "Add variant", Icon: theme.ContentAddIcon(), OnTapped: func() {
		e.addVariant(campaign.Variant{})
		e.splitEqually()
	}}
	goPlugins := &widget.Button{Text: "Plugins…", Importance: widget.LowImportance, OnTapped: func() { s.p.goTo("Plugins") }}

	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	form := container.New(layout.NewFormLayout(),
		lbl("Name"), e.name,
		lbl("Audience segment"), e.segSel,
		lbl("Narrow it to"), e.rule,
		lbl("Customer table"), e.tableSel,
		lbl("Channel"), container.NewBorder(nil, nil, nil, goPlugins, e.chanSel),
		e.noteGap, e.chanNote,
		lbl("Holdout (%)"), e.holdout,
		lbl("Messages per minute"), e.rate,
	)
	help := &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
		Text: "Templates insert the customer table's columns: {{.first_name}}. The holdout gets nothing and is the yardstick for the variants. " +
			"Only customers with consent who are not on the suppression list are contacted. Adding or removing a variant splits the shares equally again."}
	settingsHead := &widget.Label{Text: "Channel settings", TextStyle: fyne.TextStyle{Bold: true}}
	// Write with AI: core.GenerateCopy (app/llm, a local Ollama, or the
	// offline templates) fills the variants' subjects and texts.
	aiBtn := &widget.Button{Text: "Write with AI…", Icon: theme.DocumentCreateIcon(), OnTapped: e.writeWithAI}
	variantsHead := container.NewBorder(nil, nil, &widget.Label{Text: "Variants", TextStyle: fyne.TextStyle{Bold: true}}, container.NewHBox(aiBtn, addBtn))
	body := container.NewVBox(form, widget.NewSeparator(), settingsHead, e.setBox, widget.NewSeparator(), variantsHead, e.varBox, help,
		container.NewHBox(e.saveBtn), e.note)
	e.content = container.NewVScroll(container.NewPadded(body))
	return e
}

// loadChoices offers the segments and the channels of enabled plugins.
func (e *campaignEditor) loadChoices() {
	e.setTables()
	ctx := e.choiceReq.start(e.s.p.ctx)
	type choices struct {
		segments []string
		channels []channelChoice
		problems []string
	}
	async(e.s.p, ctx, func(ctx context.Context) (choices, error) {
		var out choices
		sums, err := e.s.p.ws.Segments(ctx)
		if err != nil {
			return out, err
		}
		for _, x := range sums {
			out.segments = append(out.segments, x.Name)
		}
		plugins, err := e.s.p.ws.Plugins(ctx)
		if err != nil {
			return out, err
		}
		for _, pi := range plugins {
			if !pi.Enabled || pi.Err != nil || pi.Manifest == nil || !slices.Contains(pi.Manifest.Kinds, sdk.KindChannel) {
				continue
			}
			comps, err := channelComponents(ctx, e.s.p.ws, pi.Manifest.ID)
			if err != nil {
				out.problems = append(out.problems, pluginName(pi)+": "+err.Error())
				continue
			}
			for _, c := range comps {
				out.channels = append(out.channels, channelChoice{plugin: pi.Manifest.ID, component: c.Name,
					label: pluginName(pi) + " — " + componentLabel(c), spec: c})
			}
		}
		return out, nil
	}, func(ch choices, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			e.s.p.showError(err)
			return
		}
		e.segSel.Options = ch.segments
		if len(ch.segments) == 0 {
			e.segSel.PlaceHolder = "No segments yet: make one on the Segments screen"
		} else {
			e.segSel.PlaceHolder = "Choose the audience segment"
		}
		e.segSel.Refresh()
		e.channels = ch.channels
		var labels []string
		for _, c := range ch.channels {
			labels = append(labels, c.label)
		}
		e.chanSel.Options = labels
		e.chanSel.Refresh()
		switch {
		case len(ch.problems) > 0:
			e.setNote("Some channels are unavailable: " + strings.Join(ch.problems, "; "))
		case len(labels) == 0:
			e.setNote("No channel yet: install and enable a channel plugin (e-mail, SMS) on the Plugins screen.")
		default:
			e.setNote("")
		}
		// A campaign loaded before the channels were known gets its form now.
		switch {
		case e.chanSel.Selected != "":
		case e.loaded != nil:
			e.selectChannel(e.loaded.Plugin, e.loaded.Component, e.loaded.Config)
		case len(labels) == 1:
			e.chanSel.SetSelected(labels[0])
		}
	})
}

// setNote shows a note under the channel, or no line at all.
func (e *campaignEditor) setNote(s string) {
	e.chanNote.SetText(s)
	setVisible([]fyne.CanvasObject{e.noteGap, e.chanNote}, s != "")
}

func (e *campaignEditor) setTables() {
	e.tableSel.Options = append([]string{tableAuto}, e.s.p.tableNames()...)
	e.tableSel.Refresh()
}

func (e *campaignEditor) channel() *channelChoice {
	for i := range e.channels {
		if e.channels[i].label == e.chanSel.Selected {
			return &e.channels[i]
		}
	}
	return nil
}

// selectChannel chooses a campaign's channel with its stored settings.
func (e *campaignEditor) selectChannel(plugin, component string, cfg sdk.Config) {
	for _, c := range e.channels {
		if c.plugin == plugin && c.component == component {
			e.chanSel.Selected = c.label
			e.chanSel.Refresh()
			e.channelChanged(cfg)
			return
		}
	}
	if plugin != "" && e.channels != nil {
		e.setNote(fmt.Sprintf("This campaign uses %s (%s), which is not enabled in this project: enable it on the Plugins screen.", plugin, component))
	}
}

// channelChanged builds the settings form of the chosen channel, from cfg
// or else the settings last tested on the Plugins screen.
func (e *campaignEditor) channelChanged(cfg sdk.Config) {
	c := e.channel()
	if c == nil {
		e.settings = nil
		e.setBox.RemoveAll()
		return
	}
	if cfg == nil {
		cfg = e.s.p.plugins.tested[channelKey(c.plugin, c.component)]
	}
	e.settings = newConfigForm(c.spec, cfg, false)
	e.setBox.Objects = []fyne.CanvasObject{e.settings.content}
	e.setBox.Refresh()
	if cfg != nil {
		return
	}
	// Else the channel's settings saved in the project.
	plugin, comp, spec := c.plugin, c.component, c.spec
	async(e.s.p, e.s.p.ctx, func(ctx context.Context) (sdk.Config, error) {
		return e.s.p.ws.ChannelSettings(ctx, plugin, comp)
	}, func(saved sdk.Config, err error) {
		if err != nil || saved == nil {
			return
		}
		if cur := e.channel(); cur == nil || cur.plugin != plugin || cur.component != comp {
			return
		}
		e.settings = newConfigForm(spec, saved, false)
		e.setBox.Objects = []fyne.CanvasObject{e.settings.content}
		e.setBox.Refresh()
	})
}

// load fills the form with a stored campaign, or defaults for a new one.
func (e *campaignEditor) load(in *campaign.Info) {
	e.loaded = in
	c := &campaign.Campaign{HoldoutPercent: 10, Variants: []campaign.Variant{{Name: "A", Percent: 100}}}
	if in != nil {
		c = &in.Campaign
	}
	e.name.OnChanged = nil
	e.name.SetText(c.Name)
	e.segSel.Selected = c.Segment
	e.segSel.Refresh()
	e.rule.SetText(c.Rule)
	if c.Table == "" {
		e.tableSel.SetSelected(tableAuto)
	} else {
		e.tableSel.SetSelected(c.Table)
	}
	e.holdout.SetText(strconv.FormatFloat(c.HoldoutPercent, 'f', -1, 64))
	e.rate.SetText("")
	if c.RatePerMinute > 0 {
		e.rate.SetText(strconv.Itoa(c.RatePerMinute))
	}
	e.variants = nil
	e.varBox.RemoveAll()
	for _, v := range c.Variants {
		e.addVariant(v)
	}
	e.chanSel.Selected = ""
	e.chanSel.Refresh()
	e.settings = nil
	e.setBox.RemoveAll()
	if in != nil {
		e.selectChannel(c.Plugin, c.Component, c.Config)
	} else if len(e.channels) == 1 {
		e.chanSel.SetSelected(e.channels[0].label)
	}
	e.note.SetText("")
	e.saveBtn.Enable()
	e.lock(in)
}

// lock stops a campaign that has started sending from being changed (its
// results would no longer mean anything); saving under a new name copies it.
func (e *campaignEditor) lock(in *campaign.Info) {
	if in == nil || in.Status == "draft" || e.loaded == nil || e.loaded.Name != in.Name || e.name.OnChanged != nil {
		return
	}
	e.loaded.Status = in.Status
	e.saveBtn.Disable()
	e.note.SetText("This campaign has started sending, so it cannot be changed: its results would no longer mean anything. " +
		"Give it a new name to save a copy.")
	e.name.OnChanged = func(n string) { setEnabled(e.saveBtn, strings.TrimSpace(n) != in.Name) }
}

// variantEditor is one variant's name, share and message.
type variantEditor struct {
	name, share, subject, text, html *widget.Entry
	box                              fyne.CanvasObject
}

func (e *campaignEditor) addVariant(v campaign.Variant) {
	if v.Name == "" {
		v.Name = nextVariantName(e.variants)
	}
	ve := &variantEditor{}
	ve.name = &widget.Entry{Text: v.Name}
	ve.name.ExtendBaseWidget(ve.name)
	ve.share = &widget.Entry{Text: strconv.FormatFloat(v.Percent, 'f', -1, 64)}
	ve.share.ExtendBaseWidget(ve.share)
	ve.subject = &widget.Entry{Text: v.Subject, PlaceHolder: "e.g. {{.first_name}}, your spring offer"}
	ve.subject.ExtendBaseWidget(ve.subject)
	ve.text = widget.NewMultiLineEntry()
	ve.text.SetText(v.Text)
	ve.text.PlaceHolder = "e.g. Hi {{.first_name}}, …"
	ve.text.Wrapping = fyne.TextWrapWord
	ve.text.SetMinRowsVisible(4)
	ve.html = widget.NewMultiLineEntry()
	ve.html.SetText(v.HTML)
	ve.html.PlaceHolder = "optional, e.g. <p>Hi {{.first_name}}</p>"
	ve.html.Wrapping = fyne.TextWrapWord
	ve.html.SetMinRowsVisible(3)
	remove := &widget.Button{Text: "Remove", Icon: theme.DeleteIcon(), Importance: widget.LowImportance}
	remove.OnTapped = func() {
		if len(e.variants) <= 1 {
			dialog.ShowInformation("Remove variant", "A campaign needs at least one variant.", e.s.p.win)
			return
		}
		i := slices.Index(e.variants, ve)
		e.variants = slices.Delete(e.variants, i, i+1)
		e.varBox.Remove(ve.box)
		e.splitEqually()
	}
	small := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	head := container.NewHBox(widget.NewLabel("Variant"), small(ve.name, 160), widget.NewLabel("Share (%)"), small(ve.share, 90),
		layout.NewSpacer(), remove)
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel("Subject"), ve.subject,
		widget.NewLabel("Text"), ve.text,
		widget.NewLabel("HTML"), ve.html,
	)
	ve.box = widget.NewCard("", "", container.NewVBox(head, form))
	e.variants = append(e.variants, ve)
	e.varBox.Add(ve.box)
}

// copyChannels are the kinds of copy GenerateCopy writes, as offered.
var copyChannels = []struct{ label, name string }{
	{"E-mail subject and text", "email-body"},
	{"E-mail subject lines only", "email-subject"},
	{"SMS", "sms"},
	{"Push notification", "push"},
}

// writeWithAI asks for a brief and writes variants for the chosen
// segment's customers with core.GenerateCopy; the result replaces the
// variants' subjects and texts (the user edits them before saving).
func (e *campaignEditor) writeWithAI() {
	p := e.s.p
	if e.segSel.Selected == "" {
		dialog.ShowInformation("Write with AI", "Choose the audience segment first: the copy is written for its customers.", p.win)
		return
	}
	var labels []string
	for _, c := range copyChannels {
		labels = append(labels, c.label)
	}
	kind := widget.NewSelect(labels, nil)
	kind.SetSelected(labels[0])
	n := &widget.Entry{Text: strconv.Itoa(max(2, len(e.variants)))}
	n.ExtendBaseWidget(n)
	brief := widget.NewMultiLineEntry()
	brief.PlaceHolder = "what the message is about, e.g. 20% off the spring collection until Sunday"
	brief.Wrapping = fyne.TextWrapWord
	brief.SetMinRowsVisible(3)
	tone := &widget.Entry{PlaceHolder: "e.g. friendly, short"}
	tone.ExtendBaseWidget(tone)
	offline := widget.NewCheck("Offline templates only (no Ollama)", nil)
	items := []*widget.FormItem{
		{Text: "Write", Widget: kind},
		{Text: "Variants", Widget: n, HintText: "how many versions to write, 1 to 6"},
		{Text: "Brief", Widget: brief, HintText: "no customer data is sent; only a summary of the segment"},
		{Text: "Tone", Widget: tone},
		{Text: "", Widget: offline},
	}
	d := dialog.NewForm("Write with AI", "Write", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		count, err := whole(n, "The number of variants", 1, 6)
		if err == nil && count == 0 {
			err = formError("The number of variants must be a whole number from 1 to 6.")
		}
		if err != nil {
			dialog.ShowInformation("Write with AI", err.Error(), p.win)
			return
		}
		req := core.CopyRequest{Segment: e.segSel.Selected, Channel: copyChannels[max(0, slices.Index(labels, kind.Selected))].name,
			N: count, Brief: strings.TrimSpace(brief.Text), Tone: strings.TrimSpace(tone.Text), Offline: offline.Checked}
		var vs []campaign.Variant
		var source, fallback string
		p.run("Writing copy…", func(ctx context.Context, progress core.Progress) error {
			progress("Writing "+strconv.Itoa(count)+" variants for "+req.Segment, -1)
			res, err := p.ws.GenerateCopy(ctx, req, func(variant int, _ string) {
				progress(fmt.Sprintf("Writing variant %d of %d", variant+1, count), -1)
			})
			if err != nil {
				return err
			}
			vs, source, fallback = core.CopyVariants(res), res.Source, res.Fallback
			return nil
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			e.useCopy(vs)
			msg := fmt.Sprintf("Wrote %d variants with %s. Read and edit them before saving.", len(vs), source)
			p.setStatus(msg)
			if fallback != "" {
				dialog.ShowInformation("Written offline", "The offline templates wrote the copy: "+fallback, p.win)
			}
		})
	}, p.win)
	d.Resize(fyne.NewSize(620, 420))
	d.Show()
}

// useCopy puts written copy into the variants: subjects always, texts when
// the copy has them (subject lines alone keep the texts written before).
func (e *campaignEditor) useCopy(vs []campaign.Variant) {
	before := len(e.variants)
	for i, v := range vs {
		if i >= len(e.variants) {
			e.addVariant(campaign.Variant{})
		}
		ve := e.variants[i]
		if v.Subject != "" {
			ve.subject.SetText(v.Subject)
		}
		if v.Text != "" {
			ve.text.SetText(v.Text)
		}
	}
	if len(e.variants) != before {
		e.splitEqually()
	}
}

// nextVariantName is the first free letter: A, B, C…
func nextVariantName(vs []*variantEditor) string {
	for r := 'A'; r <= 'Z'; r++ {
		if !slices.ContainsFunc(vs, func(v *variantEditor) bool { return strings.EqualFold(strings.TrimSpace(v.name.Text), string(r)) }) {
			return string(r)
		}
	}
	return fmt.Sprintf("V%d", len(vs)+1)
}

// splitEqually gives every variant the same share; the last takes the
// rounding, so they add up to exactly 100.
func (e *campaignEditor) splitEqually() {
	n := len(e.variants)
	if n == 0 {
		return
	}
	each := math.Floor(100/float64(n)*100) / 100
	for i, v := range e.variants {
		share := each
		if i == n-1 {
			share = math.Round((100-each*float64(n-1))*100) / 100
		}
		v.share.SetText(strconv.FormatFloat(share, 'f', -1, 64))
	}
}

// campaign reads the form; mistakes in numbers are told in words.
func (e *campaignEditor) campaign() (*campaign.Campaign, error) {
	c := &campaign.Campaign{Name: strings.TrimSpace(e.name.Text), Segment: e.segSel.Selected, Rule: strings.TrimSpace(e.rule.Text)}
	if e.tableSel.Selected != tableAuto {
		c.Table = e.tableSel.Selected
	}
	if ch := e.channel(); ch != nil {
		c.Plugin, c.Component = ch.plugin, ch.component
		if e.settings != nil {
			c.Config, _ = e.settings.values()
		}
	}
	var err error
	if c.HoldoutPercent, err = num(e.holdout, "The holdout", 0, 99); err != nil {
		return nil, err
	}
	if c.RatePerMinute, err = whole(e.rate, "Messages per minute", 0, 1_000_000); err != nil {
		return nil, err
	}
	for _, v := range e.variants {
		share, err := num(v.share, "The share of variant "+strings.TrimSpace(v.name.Text), 0, 100)
		if err != nil {
			return nil, err
		}
		c.Variants = append(c.Variants, campaign.Variant{Name: strings.TrimSpace(v.name.Text), Percent: share,
			Subject: v.subject.Text, Text: v.text.Text, HTML: v.html.Text})
	}
	return c, nil
}

// save stores the campaign after core checked it against its channel.
func (e *campaignEditor) save() {
	c, err := e.campaign()
	if err != nil {
		dialog.ShowInformation("Save campaign", err.Error(), e.s.p.win)
		return
	}
	replace := e.loaded != nil && e.loaded.Name == c.Name
	e.saveBtn.Disable()
	e.s.p.run("Saving "+c.Name+"…", func(ctx context.Context, progress core.Progress) error {
		progress("Checking the settings with the channel", -1)
		return e.s.p.ws.SaveCampaign(ctx, c, replace)
	}, func(err error) {
		e.saveBtn.Enable()
		if err != nil {
			e.s.p.showError(err)
			return
		}
		e.s.p.setStatus(fmt.Sprintf("Saved campaign %q. Preview it next, then send it.", c.Name))
		e.s.sel, e.s.send.row = "", nil // reload it into every tab
		e.s.refresh(c.Name)
	})
}

// previewView is the Preview tab: who gets what, before anything is sent.
type previewView struct {
	s        *campaignsScreen
	btn      *widget.Button
	summary  *widget.Label
	excluded *grid
	groups   *grid
	samples  *fyne.Container
	last     *core.Preview
	content  fyne.CanvasObject
}

const previewHint = "Press Preview to see who gets which variant, who is left out and why, and sample messages. " +
	"The preview uses the saved campaign: save your changes first."

func newPreviewView(s *campaignsScreen) *previewView {
	v := &previewView{s: s, excluded: newGrid(), groups: newGrid()}
	v.btn = &widget.Button{Text: "Preview", Icon: theme.VisibilityIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.summary = &widget.Label{Text: previewHint, Wrapping: fyne.TextWrapWord}
	v.samples = container.NewVBox()
	grids := container.NewVSplit(
		container.NewBorder(&widget.Label{Text: "Left out, by reason", TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.excluded.table),
		container.NewBorder(&widget.Label{Text: "Groups", TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.groups.table))
	right := container.NewBorder(&widget.Label{Text: "Sample messages", TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil,
		container.NewVScroll(v.samples))
	split := container.NewHSplit(grids, right)
	split.Offset = 0.4
	v.content = container.NewBorder(container.NewVBox(container.NewHBox(v.btn), v.summary), nil, nil, nil, split)
	return v
}

func (v *previewView) clear() {
	v.last = nil
	v.summary.SetText(previewHint)
	v.excluded.clear()
	v.groups.clear()
	v.samples.RemoveAll()
}

func (v *previewView) run() {
	name := v.s.sel
	if name == "" {
		dialog.ShowInformation("Preview", "Save the campaign first: the preview shows what the saved campaign would do.", v.s.p.win)
		return
	}
	var pv *core.Preview
	v.btn.Disable()
	v.s.p.run("Previewing "+name+"…", func(ctx context.Context, progress core.Progress) error {
		progress("Resolving the audience and rendering every message", -1)
		var err error
		pv, err = v.s.p.ws.PreviewCampaign(ctx, name, 3)
		return err
	}, func(err error) {
		v.btn.Enable()
		if err != nil {
			v.clear()
			v.summary.SetText("The preview failed and nothing was sent. Fix the campaign in the Set up tab, save it and preview again.")
			v.s.p.showError(err)
			return
		}
		v.show(name, pv)
	})
}

// contacted is how many customers a send would reach.
func contacted(pv *core.Preview) int {
	n := 0
	for g, k := range pv.Groups {
		if g != campaign.Holdout {
			n += k
		}
	}
	return n
}

func sum(m map[string]int) int {
	n := 0
	for _, k := range m {
		n += k
	}
	return n
}

func (v *previewView) show(name string, pv *core.Preview) {
	v.last = pv
	v.s.plan.audienceKnown(pv)
	fields := "none"
	if len(pv.Fields) > 0 {
		fields = strings.Join(pv.Fields, ", ")
	}
	v.summary.SetText(fmt.Sprintf("%s: %s customers in the audience. %s would get a message, %s are in the holdout and %s are left out. "+
		"The channel receives the address, the rendered message and these customer fields: %s.",
		name, chart.Number(float64(pv.Audience)), chart.Number(float64(contacted(pv))), chart.Number(float64(pv.Groups[campaign.Holdout])),
		chart.Number(float64(sum(pv.Excluded))), fields))
	var rows [][]string
	for _, k := range sortedKeys(pv.Excluded) {
		rows = append(rows, []string{k, chart.Number(float64(pv.Excluded[k]))})
	}
	v.excluded.set([]string{"Reason", "Customers"}, []string{"", "BIGINT"}, rows)
	rows = nil
	total := sum(pv.Groups)
	for _, k := range sortedKeys(pv.Groups) {
		rows = append(rows, []string{groupWords(k), chart.Number(float64(pv.Groups[k])), pct(float64(pv.Groups[k]) / math.Max(1, float64(total)))})
	}
	v.groups.set([]string{"Group", "Customers", "Share"}, []string{"", "BIGINT", "DOUBLE"}, rows)
	v.samples.RemoveAll()
	if len(pv.Samples) == 0 {
		v.samples.Add(&widget.Label{Text: "No customer of the audience can receive this campaign, so there is no message to show.", Wrapping: fyne.TextWrapWord})
	}
	for _, sm := range pv.Samples {
		body := sm.Text
		if body == "" {
			body = sm.HTML
		}
		v.samples.Add(widget.NewCard("", fmt.Sprintf("Variant %s → %s (customer %s)", sm.Variant, sm.To, sm.CustomerID),
			container.NewVBox(&widget.Label{Text: sm.Subject, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord},
				&widget.Label{Text: body, Wrapping: fyne.TextWrapWord})))
	}
}

func groupWords(g string) string {
	if g == campaign.Holdout {
		return "holdout (gets nothing)"
	}
	return "variant " + g
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sendView is the Send tab: dry run, test send, live send with pause and
// resume, and the delivery log's tallies.
type sendView struct {
	s *campaignsScreen

	mode     *widget.RadioGroup
	testTo   *widget.Entry
	testRow  fyne.CanvasObject
	secrets  *configForm
	secBox   *fyne.Container
	sendBtn  *widget.Button
	pauseBtn *widget.Button
	// unknownBtn opens the deliveries of unknown fate, to settle them.
	unknownBtn *widget.Button
	warnings   *widget.Label
	stage      *widget.Label
	bar        *widget.ProgressBar
	status     *widget.Label
	counts     *grid
	reasons    *grid
	specReq    latest
	statReq    latest

	row     *campaignRow
	sending context.CancelFunc // set while a live send runs
	paused  bool               // the user pressed Pause
	content fyne.CanvasObject
}

func newSendView(s *campaignsScreen) *sendView {
	v := &sendView{s: s, counts: newGrid(), reasons: newGrid()}
	v.mode = widget.NewRadioGroup([]string{modeDry, modeTest, modeLive}, func(string) { v.modeChanged() })
	v.mode.Required = true
	v.testTo = &widget.Entry{PlaceHolder: "your address, e.g. me@example.com"}
	v.testTo.ExtendBaseWidget(v.testTo)
	v.testRow = container.NewBorder(nil, nil, widget.NewLabel("Send the test to"), nil, v.testTo)
	v.secBox = container.NewVBox()
	v.sendBtn = &widget.Button{Text: "Dry run", Icon: theme.MailSendIcon(), Importance: widget.HighImportance, OnTapped: v.start}
	v.pauseBtn = &widget.Button{Text: "Pause", Icon: theme.MediaPauseIcon(), OnTapped: v.pause}
	v.pauseBtn.Disable()
	v.unknownBtn = &widget.Button{Text: "Unknown deliveries…", Icon: theme.QuestionIcon(), OnTapped: v.showUnknown}
	v.unknownBtn.Hide()
	v.warnings = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.warnings.Hide()
	v.stage = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.bar = widget.NewProgressBar()
	v.bar.Hide()
	v.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	grids := container.NewHSplit(
		container.NewBorder(&widget.Label{Text: "Delivery log", TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.counts.table),
		container.NewBorder(&widget.Label{Text: "Not sent, by reason", TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.reasons.table))
	grids.Offset = 0.6
	top := container.NewVBox(v.mode, v.testRow, v.secBox, container.NewHBox(v.sendBtn, v.pauseBtn, v.unknownBtn), v.stage, v.bar, v.warnings, v.status)
	v.content = container.NewBorder(container.NewPadded(top), nil, nil, nil, grids)
	v.mode.SetSelected(modeDry)
	return v
}

func (v *sendView) modeChanged() {
	if v.mode.Selected == modeTest {
		v.testRow.Show()
	} else {
		v.testRow.Hide()
	}
	v.updateButton()
}

func (v *sendView) resumable() bool {
	return v.row != nil && (v.row.info.Status == "paused" || v.row.info.Status == "sending")
}

func (v *sendView) updateButton() {
	switch v.mode.Selected {
	case modeTest:
		v.sendBtn.SetText("Send test")
	case modeLive:
		if v.resumable() {
			v.sendBtn.SetText("Resume sending")
		} else {
			v.sendBtn.SetText("Send live…")
		}
	default:
		v.sendBtn.SetText("Dry run")
	}
	setEnabled(v.sendBtn, v.sending == nil && v.s.sel != "")
}

// load shows a campaign's status and asks its channel which secrets a
// send needs.
func (v *sendView) load(r *campaignRow) {
	same := r != nil && v.row != nil && v.row.info.Name == r.info.Name
	v.row = r
	v.updateButton()
	if same {
		// A refresh of the campaign shown: keep the secrets as typed, for
		// a resume.
		v.showCounts(r.info.Status, r.counts)
		return
	}
	if v.sending == nil {
		v.stage.SetText("")
	}
	v.secBox.RemoveAll()
	v.secrets = nil
	if r == nil {
		v.status.SetText("Save the campaign and preview it, then send it here. A dry run checks everything and sends nothing.")
		v.counts.clear()
		v.reasons.clear()
		return
	}
	v.showCounts(r.info.Status, r.counts)
	plugin, comp := r.info.Plugin, r.info.Component
	ctx := v.specReq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) (sdk.Component, error) {
		spec, _, err := v.s.p.ws.ChannelSpec(ctx, plugin, comp)
		return spec, err
	}, func(spec sdk.Component, err error) {
		if ctx.Err() != nil || err != nil {
			return // sending reports an unavailable channel in words
		}
		secret := spec
		secret.Description = ""
		secret.Config = slices.DeleteFunc(slices.Clone(spec.Config), func(f sdk.Field) bool { return f.Type != sdk.Secret })
		if len(secret.Config) == 0 {
			return
		}
		v.secrets = newConfigForm(secret, nil, true)
		v.secBox.Objects = []fyne.CanvasObject{
			&widget.Label{Text: "Secrets for this send (never stored)", TextStyle: fyne.TextStyle{Bold: true}}, v.secrets.content}
		v.secBox.Refresh()
	})
}

// showCounts tallies the delivery log per group and status.
func (v *sendView) showCounts(status string, c *campaign.Counts) {
	if c == nil || c.Total == 0 {
		v.unknownBtn.Hide()
		v.status.SetText("Status: " + statusWords(status) + ". Nothing has been sent yet: try a dry run or a test send first.")
		v.counts.clear()
		v.reasons.clear()
		return
	}
	left := c.ByStatus[campaign.Planned] + c.ByStatus[campaign.Retry] + c.ByStatus[campaign.Sending]
	text := fmt.Sprintf("Status: %s. %s of %s customers delivered; %s in the holdout, %s left out, %s rejected.",
		statusWords(status), chart.Number(float64(c.ByStatus[campaign.Delivered])), chart.Number(float64(c.Total)),
		chart.Number(float64(c.ByStatus[campaign.Holdout])), chart.Number(float64(c.ByStatus[campaign.Excluded])),
		chart.Number(float64(c.ByStatus[campaign.Rejected])))
	if left > 0 {
		text += fmt.Sprintf(" %s still to send: choose Live and press Resume sending.", chart.Number(float64(left)))
	}
	if n := c.ByStatus[campaign.Unknown]; n > 0 {
		text += fmt.Sprintf(" %s messages may or may not have arrived; the channel cannot tell, so they are not sent again until you settle them (Unknown deliveries…).", chart.Number(float64(n)))
		v.unknownBtn.Show()
	} else {
		v.unknownBtn.Hide()
	}
	v.status.SetText(text)
	order := []string{campaign.Delivered, campaign.Planned, campaign.Sending, campaign.Retry, campaign.Rejected, campaign.Unknown, campaign.Holdout, campaign.Excluded}
	var cols []string
	for _, st := range order {
		if c.ByStatus[st] > 0 {
			cols = append(cols, st)
		}
	}
	var rows [][]string
	for _, g := range sortedKeys(c.ByVariant) {
		label := "variant " + g
		if g == campaign.Holdout {
			label = "holdout"
		}
		row := []string{label}
		for _, st := range cols {
			row = append(row, chart.Number(float64(c.ByVariant[g][st])))
		}
		rows = append(rows, row)
	}
	if n := c.ByStatus[campaign.Excluded]; n > 0 {
		row := []string{"left out"}
		for _, st := range cols {
			k := 0
			if st == campaign.Excluded {
				k = n
			}
			row = append(row, chart.Number(float64(k)))
		}
		rows = append(rows, row)
	}
	total := []string{"total"}
	types := []string{""}
	for _, st := range cols {
		total = append(total, chart.Number(float64(c.ByStatus[st])))
		types = append(types, "BIGINT")
	}
	rows = append(rows, total)
	v.counts.set(append([]string{"Group"}, cols...), types, rows)
	rows = nil
	for _, k := range sortedKeys(c.Reasons) {
		rows = append(rows, []string{k, chart.Number(float64(c.Reasons[k]))})
	}
	v.reasons.set([]string{"Reason", "Customers"}, []string{"", "BIGINT"}, rows)
}

// refreshStatus reads the delivery log again.
func (v *sendView) refreshStatus(name string) {
	ctx := v.statReq.start(v.s.p.ctx)
	type st struct {
		in     *campaign.Info
		counts *campaign.Counts
	}
	async(v.s.p, ctx, func(ctx context.Context) (st, error) {
		in, c, err := v.s.p.ws.CampaignStatus(ctx, name)
		return st{in, c}, err
	}, func(r st, err error) {
		if ctx.Err() != nil || err != nil || v.s.sel != name {
			return
		}
		if v.row != nil {
			v.row.info, v.row.counts = *r.in, r.counts
		}
		v.showCounts(r.in.Status, r.counts)
		v.updateButton()
	})
}

func (v *sendView) secretValues() sdk.Secrets {
	if v.secrets == nil {
		return nil
	}
	_, sec := v.secrets.values()
	return sec
}

// start sends in the chosen mode.
func (v *sendView) start() {
	name := v.s.sel
	if name == "" {
		return
	}
	p := v.s.p
	switch v.mode.Selected {
	case modeTest:
		to := strings.TrimSpace(v.testTo.Text)
		if to == "" {
			dialog.ShowInformation("Test send", "Give the address the test messages go to: one message per variant, with [TEST] in the subject.", p.win)
			return
		}
		var rep *core.SendReport
		p.run("Sending test messages…", func(ctx context.Context, progress core.Progress) error {
			var err error
			rep, err = p.ws.SendCampaign(ctx, name, core.SendOptions{Mode: campaign.TestSend, TestTo: to, Secrets: v.secretValues()}, progress)
			return err
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			v.stage.SetText(fmt.Sprintf("Sent %d test messages to %s, one per variant. No customer got anything.", rep.Sent, to))
			p.setStatus(v.stage.Text)
		})
	case modeLive:
		if v.resumable() {
			v.live(name)
			return
		}
		var pv *core.Preview
		p.run("Checking the audience…", func(ctx context.Context, progress core.Progress) error {
			progress("Resolving the audience and rendering every message", -1)
			var err error
			pv, err = p.ws.PreviewCampaign(ctx, name, 3)
			return err
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			v.s.preview.show(name, pv)
			v.confirmLive(name, pv)
		})
	default:
		var rep *core.SendReport
		p.run("Dry run…", func(ctx context.Context, progress core.Progress) error {
			progress("Resolving the audience and rendering every message", -1)
			var err error
			rep, err = p.ws.SendCampaign(ctx, name, core.SendOptions{Mode: campaign.DryRun}, progress)
			return err
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			pv := rep.Preview
			v.s.preview.show(name, pv)
			v.stage.SetText(fmt.Sprintf("Dry run: %s customers would get a message, %s are in the holdout, %s are left out. Nothing was sent.",
				chart.Number(float64(contacted(pv))), chart.Number(float64(pv.Groups[campaign.Holdout])), chart.Number(float64(sum(pv.Excluded)))))
			p.setStatus(v.stage.Text)
		})
	}
}

// confirmLive says how many customers will be contacted before anything
// goes out.
func (v *sendView) confirmLive(name string, pv *core.Preview) {
	n := contacted(pv)
	if n == 0 {
		dialog.ShowInformation("Nothing to send", "No customer of the audience can receive this campaign: the Preview tab shows who is left out and why.", v.s.p.win)
		return
	}
	var per []string
	for _, g := range sortedKeys(pv.Groups) {
		if g != campaign.Holdout {
			per = append(per, fmt.Sprintf("%s get variant %s", chart.Number(float64(pv.Groups[g])), g))
		}
	}
	msg := fmt.Sprintf("%s customers will be contacted now: %s. %s in the holdout and %s left out get nothing.\n\n"+
		"This cannot be undone. You can pause the send and resume it later; nobody gets a message twice.",
		chart.Number(float64(n)), strings.Join(per, ", "), chart.Number(float64(pv.Groups[campaign.Holdout])), chart.Number(float64(sum(pv.Excluded))))
	d := dialog.NewCustomConfirm("Send "+name+" live?", fmt.Sprintf("Send to %s customers", chart.Number(float64(n))), "Cancel",
		&widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}, func(ok bool) {
			if ok {
				v.live(name)
			}
		}, v.s.p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// live runs a live send (or resumes one) without blocking the window: the
// progress shows on the tab, and Pause stops it after the current batch.
func (v *sendView) live(name string) {
	p := v.s.p
	ctx, cancel := context.WithCancel(p.ctx)
	v.sending, v.paused = cancel, false
	v.updateButton()
	v.pauseBtn.Enable()
	v.bar.SetValue(0)
	v.bar.Show()
	v.warnings.Hide()
	v.stage.SetText("Starting…")
	warn := func(msg string) {
		do(func() {
			v.warnings.SetText("Warning: " + msg)
			v.warnings.Show()
		})
	}
	progress := func(stage string, frac float64) {
		do(func() {
			if v.sending == nil {
				return
			}
			if stage != "" {
				v.stage.SetText(stage)
			}
			if frac >= 0 {
				v.bar.SetValue(frac)
			}
		})
	}
	async(p, ctx, func(ctx context.Context) (*core.SendReport, error) {
		return p.ws.SendCampaign(ctx, name, core.SendOptions{Mode: campaign.Live, Secrets: v.secretValues(), Warn: warn}, progress)
	}, func(rep *core.SendReport, err error) {
		cancel()
		paused := v.paused
		v.sending = nil
		v.pauseBtn.Disable()
		v.bar.Hide()
		sent := 0
		if rep != nil {
			sent = rep.Sent
		}
		switch {
		case err == nil:
			v.stage.SetText(fmt.Sprintf("Done: %s messages sent in this run.", chart.Number(float64(sent))))
		case errors.Is(err, core.ErrPaused) && paused:
			v.stage.SetText(fmt.Sprintf("Paused after %s messages in this run. Press Resume sending to send the rest.", chart.Number(float64(sent))))
		default:
			v.stage.SetText("Stopped: " + err.Error())
			p.showError(err)
		}
		p.setStatus(name + ": " + v.stage.Text)
		v.refreshStatus(name)
		v.s.refresh("")
		v.s.results.load(name)
	})
}

// showUnknown lists the deliveries whose fate a crash left unknown and
// lets the user settle them after checking with the provider: they
// arrived, they did not (and are not to be sent), or send them again.
func (v *sendView) showUnknown() {
	name := v.s.sel
	if name == "" {
		return
	}
	p := v.s.p
	ctx := v.statReq.start(p.ctx)
	async(p, ctx, func(ctx context.Context) ([]campaign.UnknownDelivery, error) {
		return p.ws.UnknownDeliveries(ctx, name)
	}, func(us []campaign.UnknownDelivery, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.showError(err)
			return
		}
		if len(us) == 0 {
			dialog.ShowInformation("Unknown deliveries", "This campaign has no deliveries of unknown fate.", p.win)
			return
		}
		g := newGrid()
		var rows [][]string
		for _, u := range us {
			rows = append(rows, []string{u.CustomerID, u.Variant, u.Key, u.Reason})
		}
		g.set([]string{"Customer", "Variant", "Idempotency key", "Why"}, []string{"", "", "", ""}, rows)
		who := &widget.Entry{PlaceHolder: "all of them, or one customer id"}
		who.ExtendBaseWidget(who)
		var d dialog.Dialog
		settle := func(how string) {
			var ids []string
			if id := strings.TrimSpace(who.Text); id != "" {
				ids = []string{id}
			}
			async(p, p.ctx, func(ctx context.Context) (int, error) {
				return p.ws.ResolveUnknown(ctx, name, how, ids)
			}, func(n int, err error) {
				if err != nil {
					p.showError(err)
					return
				}
				d.Hide()
				msg := map[string]string{
					campaign.ResolveSent:    "Marked %s deliveries as sent.",
					campaign.ResolveNotSent: "Marked %s deliveries as not sent; they will not be sent.",
					campaign.ResolveResend:  "%s deliveries will be sent again: choose Live and press Resume sending.",
				}[how]
				v.stage.SetText(fmt.Sprintf(msg, chart.Number(float64(n))))
				p.setStatus(name + ": " + v.stage.Text)
				v.refreshStatus(name)
				v.s.refresh("")
			})
		}
		intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: fmt.Sprintf("%s messages may or may not have gone out: the app or the plugin stopped while sending them, "+
			"and this channel cannot be asked again safely. Check them with your provider (by idempotency key), then settle them.", chart.Number(float64(len(us))))}
		buttons := container.NewHBox(
			&widget.Button{Text: "They arrived", OnTapped: func() { settle(campaign.ResolveSent) }},
			&widget.Button{Text: "They did not arrive", OnTapped: func() { settle(campaign.ResolveNotSent) }},
			&widget.Button{Text: "Send them again", Importance: widget.HighImportance, OnTapped: func() { settle(campaign.ResolveResend) }})
		body := container.NewBorder(container.NewVBox(intro, container.NewBorder(nil, nil, widget.NewLabel("Settle"), nil, who), buttons), nil, nil, nil, g.table)
		d = dialog.NewCustom("Unknown deliveries: "+name, "Close", body, p.win)
		d.Resize(fyne.NewSize(760, 480))
		d.Show()
	})
}

// pause stops a live send after the messages already with the channel;
// core records where it stopped, and sending again resumes.
func (v *sendView) pause() {
	if v.sending == nil {
		return
	}
	v.paused = true
	v.sending()
	v.pauseBtn.Disable()
	v.stage.SetText("Pausing after the messages already with the channel…")
}

// resultsView is the Results tab: import responses, then compare the
// variants with the holdout.
type resultsView struct {
	s         *campaignsScreen
	importBtn *widget.Button
	tableBtn  *widget.Button
	days      *widget.Entry
	showBtn   *widget.Button
	metric    *widget.Select
	info      *widget.Label
	srm       *widget.Label
	table     *grid
	chart     *chartView
	chartReq  latest
	timeline  *chartView
	tlReq     latest
	req       latest
	name      string
	res       *core.Results
	content   fyne.CanvasObject
}

const resultsHint = "No results yet. Send the campaign live, then import the responses file: a CSV with a customer_id (or idempotency_key) column, " +
	"an event column (open, click, conversion, unsubscribe, bounce) and optionally value (revenue) and at (when). " +
	"Or give attribution days to count the orders placed after the start as conversions."

func newResultsView(s *campaignsScreen) *resultsView {
	v := &resultsView{s: s, table: newGrid(), chart: newChartView(), timeline: newChartView()}
	v.importBtn = &widget.Button{Text: "Import responses…", Icon: theme.DownloadIcon(), OnTapped: v.chooseFile}
	v.tableBtn = &widget.Button{Text: "From a table…", Icon: theme.StorageIcon(), OnTapped: v.chooseTable}
	v.days = &widget.Entry{Text: "0"}
	v.days.ExtendBaseWidget(v.days)
	v.showBtn = &widget.Button{Text: "Show results", Icon: theme.ViewRefreshIcon(), OnTapped: func() { v.load(v.name) }}
	v.metric = widget.NewSelect(nil, func(string) { v.showMetric() })
	v.metric.PlaceHolder = "Metric"
	v.info = &widget.Label{Text: resultsHint, Wrapping: fyne.TextWrapWord}
	v.srm = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.srm.Hide()
	v.chart.message("The chart shows here once there are results.")
	small := func(o fyne.CanvasObject, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	bar := container.NewHBox(v.importBtn, v.tableBtn, widget.NewLabel("Attribution (days of orders)"), small(v.days, 70), v.showBtn,
		widget.NewLabel("Metric"), small(v.metric, 160))
	v.timeline.message("Conversions over time show here once imported responses have dates (an \"at\" column) or attribution days are set.")
	charts := container.NewAppTabs(container.NewTabItem("Rates", v.chart.content), container.NewTabItem("Over time", v.timeline.content))
	split := container.NewVSplit(v.table.table, charts)
	split.Offset = 0.3
	v.content = container.NewBorder(container.NewVBox(bar, v.info, v.srm), nil, nil, nil, split)
	v.importBtn.Disable()
	v.tableBtn.Disable()
	v.showBtn.Disable()
	return v
}

// load reads a campaign's results; "" clears the tab.
func (v *resultsView) load(name string) {
	v.name = name
	setEnabled(v.importBtn, name != "")
	setEnabled(v.tableBtn, name != "")
	setEnabled(v.showBtn, name != "")
	if name == "" {
		v.req.stop()
		v.setResults(nil)
		return
	}
	days, err := whole(v.days, "Attribution days", 0, 365)
	if err != nil {
		dialog.ShowInformation("Results", err.Error(), v.s.p.win)
		return
	}
	ctx := v.req.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) (*core.Results, error) {
		return v.s.p.ws.CampaignResults(ctx, name, days)
	}, func(res *core.Results, err error) {
		if ctx.Err() != nil || v.name != name {
			return
		}
		if err != nil {
			v.setResults(nil)
			v.s.p.showError(err)
			return
		}
		v.setResults(res)
		v.loadTimeline(name, days)
	})
}

// loadTimeline draws cumulative conversions per group by day.
func (v *resultsView) loadTimeline(name string, days int) {
	ctx := v.tlReq.start(v.s.p.ctx)
	async(v.s.p, ctx, func(ctx context.Context) (map[string][]campaign.Point, error) {
		return v.s.p.ws.CampaignTimeline(ctx, name, days)
	}, func(tl map[string][]campaign.Point, err error) {
		if ctx.Err() != nil || v.name != name {
			return
		}
		if err != nil {
			v.timeline.message(err.Error())
			return
		}
		if len(tl) == 0 {
			v.timeline.message("No conversion has a date yet: import responses with an \"at\" column, or set attribution days.")
			return
		}
		var series []chart.DaySeries
		names := make([]string, 0, len(tl))
		for g := range tl {
			names = append(names, g)
		}
		sort.Strings(names)
		for _, g := range names {
			ds := chart.DaySeries{Name: g}
			for _, pt := range tl[g] {
				ds.Days = append(ds.Days, pt.Day)
				ds.Values = append(ds.Values, pt.Value)
			}
			series = append(series, ds)
		}
		showPlot(v.s.p, v.timeline, &v.tlReq, safeFileName(name)+"-over-time", func() (*plot.Plot, error) {
			return chart.Cumulative("Customers converted over time", series)
		})
	})
}

func (v *resultsView) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		if r == nil {
			return
		}
		r.Close()
		v.importFile(r.URI().Path())
	}, v.s.p.win)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{".csv"}))
	v.s.p.w.prepare(d)
	d.Show()
}

// importFile adds a responses file to the campaign's events.
// chooseTable imports responses from a project table, e.g. one a source
// plugin fills from the channel's exports (Plugins screen, Import tab).
func (v *resultsView) chooseTable() {
	var names []string
	for _, t := range v.s.p.tables {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		dialog.ShowInformation("Responses from a table", "The project has no table yet.", v.s.p.win)
		return
	}
	sel := widget.NewSelect(names, nil)
	dialog.ShowForm("Responses from a table", "Import", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Table", sel),
	}, func(ok bool) {
		if ok && sel.Selected != "" {
			v.importFile("table:" + sel.Selected)
		}
	}, v.s.p.win)
}

func (v *resultsView) importFile(path string) {
	name := v.name
	var ir *campaign.ImportResult
	v.s.p.run("Importing responses…", func(ctx context.Context, progress core.Progress) error {
		progress("Matching the responses to the delivery log", -1)
		var err error
		ir, err = v.s.p.ws.ImportCampaignResults(ctx, name, path)
		return err
	}, func(err error) {
		if err != nil {
			v.s.p.showError(err)
			return
		}
		var ev []string
		for _, k := range sortedKeys(ir.ByEvent) {
			ev = append(ev, fmt.Sprintf("%s %s", chart.Number(float64(ir.ByEvent[k])), k))
		}
		msg := fmt.Sprintf("Imported %s rows; %s matched a customer of this campaign (%s)", chart.Number(float64(ir.Rows)),
			chart.Number(float64(ir.Matched)), strings.Join(ev, ", "))
		if ir.Unmatched > 0 {
			msg += fmt.Sprintf(" and %s matched nobody in its delivery log and were skipped", chart.Number(float64(ir.Unmatched)))
		}
		msg += "."
		if ir.Suppressed > 0 {
			msg += fmt.Sprintf(" %s customers who unsubscribed or bounced are now on the suppression list.", chart.Number(float64(ir.Suppressed)))
		}
		v.s.p.setStatus(msg)
		v.load(name)
	})
}

func (v *resultsView) setResults(res *core.Results) {
	v.res = res
	var metrics []string
	if res != nil {
		metrics = sortedKeys(res.Reports)
	}
	v.metric.Options = metrics
	v.metric.Selected = ""
	v.metric.Refresh()
	if len(metrics) == 0 {
		v.info.SetText(resultsHint)
		if res != nil && len(res.Groups) > 0 {
			v.info.SetText("Nothing to compare yet: a readout needs the holdout and at least one variant with delivered messages. " + resultsHint)
		}
		v.srm.Hide()
		v.table.clear()
		v.chart.message("The chart shows here once there are results.")
		return
	}
	if slices.Contains(metrics, "conversion") {
		v.metric.SetSelected("conversion")
	} else {
		v.metric.SetSelected(metrics[0])
	}
}

// showMetric shows the readout of the chosen metric.
func (v *resultsView) showMetric() {
	if v.res == nil {
		return
	}
	rep := v.res.Reports[v.metric.Selected]
	if rep == nil {
		return
	}
	metric := v.metric.Selected
	level := chart.Number(100*rep.Confidence) + "%"
	ctl := rep.Control
	rows := [][]string{{ctl.Name + " (control)", chart.Number(float64(ctl.N)), chart.Number(float64(ctl.Conversions)),
		pct(ctl.Rate), ci(ctl.Wilson), "—", "—", "—", "—", revenueText(ctl.Revenue)}}
	for _, c := range rep.Variants {
		g := c.Variant
		rows = append(rows, []string{g.Name, chart.Number(float64(g.N)), chart.Number(float64(g.Conversions)), pct(g.Rate), ci(g.Wilson),
			points(c.AbsLift) + " (" + points(c.AbsLiftCI.Lo) + " to " + points(c.AbsLiftCI.Hi) + ")",
			relText(c.RelLift, c.RelLiftCI), pval(c.ZTest.PAdjusted), chance(c.Bayes.ProbBeatControl), revenueText(g.Revenue)})
	}
	v.table.set([]string{"Group", "Customers", "With a " + metric, "Rate", level + " interval", "Lift (points)", "Relative lift",
		"p-value (" + rep.Adjust.String() + ")", "Chance to beat control", "Revenue / customer"},
		[]string{"", "BIGINT", "BIGINT", "DOUBLE", "", "", "", "DOUBLE", "DOUBLE", "DOUBLE"}, rows)
	var words []string
	for _, c := range rep.Variants {
		verdict := "no clear difference from the control"
		switch {
		case c.Significant && c.AbsLift > 0:
			verdict = "better than the control"
		case c.Significant && c.AbsLift < 0:
			verdict = "worse than the control"
		}
		p := "p = " + pval(c.ZTest.PAdjusted)
		if c.ZTest.PAdjusted < 0.001 {
			p = "p < 0.001"
		}
		words = append(words, fmt.Sprintf("Variant %s: %s rate %s against %s, %s (%s; %s chance it beats the control).", c.Variant.Name, metric,
			pct(c.Variant.Rate), pct(ctl.Rate), verdict, p, chance(c.Bayes.ProbBeatControl)))
	}
	for _, n := range rep.Notes {
		words = append(words, sentence(n)+".")
	}
	v.info.SetText(strings.Join(words, " "))
	if rep.SRM != nil && rep.SRM.Mismatch {
		v.srm.SetText("⚠ Sample ratio mismatch: " + rep.SRM.Message + " Read these results with suspicion: the groups are not the sizes the split planned, " +
			"so something other than chance decided who got what.")
		v.srm.Show()
	} else {
		v.srm.Hide()
	}
	rates := []chart.Rate{{Label: ctl.Name, Rate: ctl.Rate, Lo: ctl.Wilson.Lo, Hi: ctl.Wilson.Hi, Control: true}}
	for _, c := range rep.Variants {
		g := c.Variant
		rates = append(rates, chart.Rate{Label: "variant " + g.Name, Rate: g.Rate, Lo: g.Wilson.Lo, Hi: g.Wilson.Hi})
	}
	title := sentence(metric) + " rate per variant — " + v.name
	showPlot(v.s.p, v.chart, &v.chartReq, safeFileName(v.name)+"-"+metric, func() (*plot.Plot, error) {
		return chart.RateIntervals(title, level, rates)
	})
}

// chance shows a probability without claiming certainty: 0.99996 is
// "over 99.9%", not "100.0%".
func chance(p float64) string {
	switch {
	case math.IsNaN(p):
		return "—"
	case p > 0.999:
		return "over 99.9%"
	case p < 0.001:
		return "under 0.1%"
	}
	return pct(p)
}

func ci(iv abtest.Interval) string { return pct(iv.Lo) + "–" + pct(iv.Hi) }

// points shows a difference of rates in percentage points.
func points(d float64) string {
	if math.IsNaN(d) {
		return "—"
	}
	return fmt.Sprintf("%+.1f", 100*d)
}

func relText(v float64, iv abtest.Interval) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := fmt.Sprintf("%+.0f%%", 100*v)
	if !math.IsNaN(iv.Lo) && !math.IsNaN(iv.Hi) && !math.IsInf(iv.Hi, 0) {
		s += fmt.Sprintf(" (%+.0f%% to %+.0f%%)", 100*iv.Lo, 100*iv.Hi)
	}
	return s
}

func revenueText(r *abtest.RevenueResult) string {
	if r == nil {
		return "—"
	}
	return chart.Money("", 2)(r.Mean)
}

// planView is the Plan a test tab: how many customers a test needs.
type planView struct {
	s        *campaignsScreen
	baseline *widget.Entry
	mde      *widget.Entry
	relative *widget.Select
	power    *widget.Entry
	alpha    *widget.Entry
	result   *widget.Label
	audience *widget.Label
	pv       *core.Preview
	content  fyne.CanvasObject
}

const (
	mdePoints   = "percentage points"
	mdeRelative = "% of the baseline"
)

func newPlanView(s *campaignsScreen) *planView {
	v := &planView{s: s}
	entry := func(text string) *widget.Entry {
		e := &widget.Entry{Text: text}
		e.ExtendBaseWidget(e)
		e.OnChanged = func(string) { v.calculate() }
		return e
	}
	v.baseline = entry("5")
	v.mde = entry("1")
	v.relative = widget.NewSelect([]string{mdePoints, mdeRelative}, func(string) { v.calculate() })
	v.power = entry("80")
	v.alpha = entry("5")
	v.result = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	v.audience = &widget.Label{Wrapping: fyne.TextWrapWord}
	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	small := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(100, o.MinSize().Height), o)
	}
	form := container.New(layout.NewFormLayout(),
		lbl("Baseline rate (%)"), container.NewHBox(small(v.baseline), widget.NewLabel("what the control usually converts at")),
		lbl("Smallest effect worth finding"), container.NewHBox(small(v.mde), container.NewGridWrap(fyne.NewSize(220, v.relative.MinSize().Height), v.relative)),
		lbl("Power (%)"), container.NewHBox(small(v.power), widget.NewLabel("chance to find the effect if it is real; 80 is usual")),
		lbl("Significance (%)"), container.NewHBox(small(v.alpha), widget.NewLabel("chance of a false alarm; 5 is usual")),
	)
	intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: "Before sending, check that the groups are big enough to tell a real difference from chance. " +
		"The answer is customers per group: the holdout and each variant need that many."}
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(intro, form, v.result, v.audience)))
	v.relative.SetSelected(mdePoints)
	return v
}

// calculate answers as the user types; the formula is instant.
func (v *planView) calculate() {
	if v.relative == nil || v.relative.Selected == "" || v.alpha == nil {
		return
	}
	base, err1 := num(v.baseline, "The baseline rate", 0, 100)
	mde, err2 := strconv.ParseFloat(strings.TrimSpace(v.mde.Text), 64)
	power, err3 := num(v.power, "The power", 0, 100)
	alpha, err4 := num(v.alpha, "The significance", 0, 100)
	switch {
	case err1 != nil:
		v.show("", err1.Error())
		return
	case err2 != nil || mde == 0:
		v.show("", "The smallest effect must be a number other than 0, e.g. 1 (percentage point) or 10 (% of the baseline).")
		return
	case err3 != nil:
		v.show("", err3.Error())
		return
	case err4 != nil:
		v.show("", err4.Error())
		return
	}
	d := abtest.Design{Baseline: base / 100, MDE: mde / 100, Relative: v.relative.Selected == mdeRelative, Alpha: alpha / 100}
	plan, err := abtest.SampleSize(d, power/100)
	if err != nil {
		v.show("", "These numbers do not make a test: "+strings.TrimPrefix(err.Error(), "abtest: ")+".")
		return
	}
	res := fmt.Sprintf("%s customers per group, to tell %s from %s with %s power at %s significance.",
		chart.Number(float64(plan.PerGroup)), pct(plan.Control), pct(plan.Target), chart.Number(power)+"%", chart.Number(alpha)+"%")
	aud := ""
	if pv := v.pv; pv != nil && len(pv.Groups) > 0 {
		hold := pv.Groups[campaign.Holdout]
		smallest := -1
		for g, n := range pv.Groups {
			if g != campaign.Holdout && (smallest < 0 || n < smallest) {
				smallest = n
			}
		}
		smallest = max(smallest, 0)
		aud = fmt.Sprintf("The last preview has %s customers in the holdout and %s in the smallest variant.",
			chart.Number(float64(hold)), chart.Number(float64(smallest)))
		if int64(min(hold, smallest)) < plan.PerGroup {
			aud += " That is too few to find this effect reliably: raise the holdout, use fewer variants, widen the audience, or look for a bigger effect."
		} else {
			aud += " That is enough."
		}
	}
	v.show(res, aud)
}

func (v *planView) show(result, note string) {
	v.result.SetText(result)
	v.audience.SetText(note)
}

// audienceKnown compares the plan with the last previewed audience.
func (v *planView) audienceKnown(pv *core.Preview) {
	v.pv = pv
	v.calculate()
}
