package ui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// campaignEditor is the Set up tab.
type campaignEditor struct {
	s *campaignsScreen

	name     *widget.Entry
	segSel   *widget.Select
	rule     *widget.Entry
	tableSel *widget.Select
	chanSel  *widget.Select
	chanNote *widget.Label
	noteGap  fyne.CanvasObject // the note's empty label cell
	channels []channelChoice
	settings *configForm
	// settingsFrom are the values the settings form was built with: while
	// it still shows them, the Plugins screen's settings may replace them.
	settingsFrom sdk.Config
	setBox       *fyne.Container
	// fields are the merge fields of the customer table (nil until known).
	fields    []string
	fieldReq  latest
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

// tableAuto is the table choice that lets core find the customer table
// (in English; shown translated).
var tableAuto = i18n.Mark("(automatic: the customer table)")

func newCampaignEditor(s *campaignsScreen) *campaignEditor {
	e := &campaignEditor{s: s}
	entry := func(placeholder string) *widget.Entry {
		x := &widget.Entry{PlaceHolder: placeholder}
		x.ExtendBaseWidget(x)
		return x
	}
	e.name = entry(i18n.T("e.g. Spring sale"))
	e.segSel = widget.NewSelect(nil, nil)
	e.segSel.PlaceHolder = i18n.T("Choose the audience segment")
	e.rule = entry(i18n.T("optional, e.g. score_churn_logreg > 0.5"))
	e.tableSel = widget.NewSelect([]string{i18n.T(tableAuto)}, nil)
	e.tableSel.SetSelected(i18n.T(tableAuto))
	e.tableSel.OnChanged = func(string) { e.loadFields() }
	e.chanSel = widget.NewSelect(nil, func(string) { e.channelChanged(nil) })
	e.chanSel.PlaceHolder = i18n.T("Choose the channel")
	e.chanNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	e.noteGap = layout.NewSpacer()
	e.setNote("")
	e.setBox = container.NewVBox()
	e.varBox = container.NewVBox()
	e.holdout = entry("")
	e.rate = entry(i18n.T("empty: as fast as the channel allows"))
	e.saveBtn = &widget.Button{Text: i18n.T("Save"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: e.save}
	e.note = &widget.Label{Wrapping: fyne.TextWrapWord}
	addBtn := &widget.Button{Text: i18n.T("Add variant"), Icon: theme.ContentAddIcon(), OnTapped: func() {
		e.addVariant(campaign.Variant{})
		e.splitEqually()
	}}
	goPlugins := &widget.Button{Text: i18n.T("Plugins…"), Importance: widget.LowImportance, OnTapped: func() { s.p.goTo("Plugins") }}

	lbl := func(s string) *widget.Label { return &widget.Label{Text: s, TextStyle: fyne.TextStyle{Bold: true}} }
	form := container.New(layout.NewFormLayout(),
		lbl(i18n.T("Name")), e.name,
		lbl(i18n.T("Audience segment")), e.segSel,
		lbl(i18n.T("Narrow it to")), e.campaignRuleRow(),
		lbl(i18n.T("Customer table")), e.tableSel,
		lbl(i18n.T("Channel")), container.NewBorder(nil, nil, nil, goPlugins, e.chanSel),
		e.noteGap, e.chanNote,
		lbl(i18n.T("Holdout (%)")), e.holdout,
		lbl(i18n.T("Messages per minute")), e.rate,
	)
	help := &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
		Text: i18n.T("Templates insert the customer table's columns: {{.first_name}}. The holdout gets nothing and is the yardstick for the variants. " +
			"Only customers with consent who are not on the suppression list are contacted. Adding or removing a variant splits the shares equally again.")}
	settingsHead := &widget.Label{Text: i18n.T("Channel settings"), TextStyle: fyne.TextStyle{Bold: true}}
	// Write with AI: core.GenerateCopy (app/llm, a local Ollama, or the
	// offline templates) fills the variants' subjects and texts.
	aiBtn := &widget.Button{Text: i18n.T("Write with AI…"), Icon: theme.DocumentCreateIcon(), OnTapped: e.writeWithAI}
	variantsHead := &widget.Label{Text: i18n.T("Variants"), TextStyle: fyne.TextStyle{Bold: true}}
	body := container.NewVBox(form, widget.NewSeparator(), settingsHead, e.setBox, widget.NewSeparator(), variantsHead, e.varBox, help)
	// Save and the variant buttons stay under the form, outside its
	// scroll, so they are on screen however long the form grows (1024×700).
	bar := container.NewVBox(widget.NewSeparator(), container.NewHBox(e.saveBtn, addBtn, aiBtn), e.note)
	e.content = container.NewBorder(nil, container.NewPadded(bar), nil, nil, container.NewVScroll(container.NewPadded(body)))
	return e
}

// loadChoices offers the segments and the channels of enabled plugins.
func (e *campaignEditor) loadChoices() {
	e.setTables()
	e.loadFields()
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
				out.problems = append(out.problems, pluginName(pi)+": "+i18n.Error(err))
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
			e.segSel.PlaceHolder = i18n.T("No segments yet: make one on the Segments screen")
		} else {
			e.segSel.PlaceHolder = i18n.T("Choose the audience segment")
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
			e.setNote(i18n.T("Some channels are unavailable: %s", strings.Join(ch.problems, "; ")))
		case len(labels) == 0:
			e.setNote(i18n.T("No channel yet: install and enable a channel plugin (e-mail, SMS) on the Plugins screen."))
		default:
			e.setNote("")
		}
		// A campaign loaded before the channels were known gets its form now.
		switch {
		case e.chanSel.Selected != "":
			e.followPlugins()
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
	e.tableSel.Options = append([]string{i18n.T(tableAuto)}, e.s.p.tableNames()...)
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
		e.setNote(i18n.T("This campaign uses %s (%s), which is not enabled in this project: enable it on the Plugins screen.", plugin, component))
	}
}

// channelChanged builds the settings form of the chosen channel, from cfg
// or else the settings on the Plugins screen (typed or tested there).
func (e *campaignEditor) channelChanged(cfg sdk.Config) {
	c := e.channel()
	if c == nil {
		e.settings = nil
		e.setBox.RemoveAll()
		return
	}
	if cfg == nil {
		cfg = e.pluginScreenSettings(c.plugin, c.component)
	}
	e.setSettings(c.spec, cfg)
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
		e.setSettings(spec, saved)
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
		e.tableSel.SetSelected(i18n.T(tableAuto))
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
	e.note.SetText(i18n.T("This campaign has started sending, so it cannot be changed: its results would no longer mean anything. " +
		"Give it a new name to save a copy."))
	e.name.OnChanged = func(n string) { setEnabled(e.saveBtn, strings.TrimSpace(n) != in.Name) }
}

// variantEditor is one variant's name, share and message.
type variantEditor struct {
	name, share         *widget.Entry
	subject, text, html *templateEntry
	last                *templateEntry // focused last, for the field picker
	picker              *widget.Select
	problems            *widget.Label
	box                 fyne.CanvasObject
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
	ve.subject = newTemplateEntry(false, v.Subject, i18n.T("e.g. {{.first_name}}, your spring offer"))
	ve.text = newTemplateEntry(true, v.Text, i18n.T("e.g. Hi {{.first_name}}, …"))
	ve.text.SetMinRowsVisible(4)
	ve.html = newTemplateEntry(true, v.HTML, i18n.T("optional, e.g. <p>Hi {{.first_name}}</p>"))
	ve.html.SetMinRowsVisible(3)
	ve.problems = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	ve.problems.Hide()
	for _, te := range []*templateEntry{ve.subject, ve.text, ve.html} {
		te.focused = func() { ve.last = te }
		te.OnChanged = func(string) { e.check(ve) }
	}
	ve.name.OnChanged = func(string) { e.check(ve) }
	ve.picker = widget.NewSelect(e.fields, nil)
	ve.picker.PlaceHolder = i18n.T("Insert a field…")
	ve.picker.OnChanged = func(f string) {
		if f == "" {
			return
		}
		e.insertField(ve, f)
		ve.picker.ClearSelected()
	}
	remove := &widget.Button{Text: i18n.T("Remove"), Icon: theme.DeleteIcon(), Importance: widget.LowImportance}
	remove.OnTapped = func() {
		if len(e.variants) <= 1 {
			dialog.ShowInformation(i18n.T("Remove variant"), i18n.T("A campaign needs at least one variant."), e.s.p.win)
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
	head := container.NewHBox(widget.NewLabel(i18n.T("Variant")), small(ve.name, 120), widget.NewLabel(i18n.T("Share (%)")), small(ve.share, 80),
		layout.NewSpacer(), ve.picker, remove)
	htmlLbl := widget.NewLabel("HTML") // i18n:keep (a format's name)
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(i18n.T("Subject")), ve.subject,
		widget.NewLabel(i18n.T("Text")), ve.text,
		htmlLbl, ve.html,
	)
	ve.box = widget.NewCard("", "", container.NewVBox(head, form, ve.problems))
	e.variants = append(e.variants, ve)
	e.varBox.Add(ve.box)
	e.check(ve)
}

// copyChannels are the kinds of copy GenerateCopy writes, as offered
// (labels in English; shown translated).
var copyChannels = []struct{ label, name string }{
	{i18n.Mark("E-mail subject and text"), "email-body"},
	{i18n.Mark("E-mail subject lines only"), "email-subject"},
	{i18n.Mark("SMS"), "sms"},
	{i18n.Mark("Push notification"), "push"},
}

// writeWithAI asks for a brief and writes variants for the chosen
// segment's customers with core.GenerateCopy; the result replaces the
// variants' subjects and texts (the user edits them before saving).
func (e *campaignEditor) writeWithAI() {
	p := e.s.p
	if e.segSel.Selected == "" {
		dialog.ShowInformation(i18n.T("Write with AI"), i18n.T("Choose the audience segment first: the copy is written for its customers."), p.win)
		return
	}
	var labels []string
	for _, c := range copyChannels {
		labels = append(labels, i18n.T(c.label))
	}
	kind := widget.NewSelect(labels, nil)
	kind.SetSelected(labels[0])
	n := &widget.Entry{Text: strconv.Itoa(max(2, len(e.variants)))}
	n.ExtendBaseWidget(n)
	brief := widget.NewMultiLineEntry()
	brief.PlaceHolder = i18n.T("what the message is about, e.g. %s off the spring collection until Sunday", "20%")
	brief.Wrapping = fyne.TextWrapWord
	brief.SetMinRowsVisible(3)
	tone := &widget.Entry{PlaceHolder: i18n.T("e.g. friendly, short")}
	tone.ExtendBaseWidget(tone)
	offline := widget.NewCheck(i18n.T("Offline templates only (no Ollama)"), nil)
	items := []*widget.FormItem{
		{Text: i18n.T("Write"), Widget: kind},
		{Text: i18n.T("Variants"), Widget: n, HintText: i18n.T("how many versions to write, 1 to 6")},
		{Text: i18n.T("Brief"), Widget: brief, HintText: i18n.T("no customer data is sent; only a summary of the segment")},
		{Text: i18n.T("Tone"), Widget: tone},
		{Text: "", Widget: offline},
	}
	d := dialog.NewForm(i18n.T("Write with AI"), i18n.T("Write"), i18n.T("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		count, err := whole(n, field(i18n.Mark("The number of variants")), 1, 6)
		if err == nil && count == 0 {
			err = i18n.Errorf("The number of variants must be a whole number from 1 to 6.")
		}
		if err != nil {
			dialog.ShowInformation(i18n.T("Write with AI"), i18n.Error(err), p.win)
			return
		}
		req := core.CopyRequest{Segment: e.segSel.Selected, Channel: copyChannels[max(0, slices.Index(labels, kind.Selected))].name,
			N: count, Brief: strings.TrimSpace(brief.Text), Tone: strings.TrimSpace(tone.Text), Offline: offline.Checked}
		var vs []campaign.Variant
		var source, fallback string
		p.run(i18n.T("Writing copy…"), func(ctx context.Context, progress core.Progress) error {
			progress(i18n.T("Writing %d variants for %s", count, req.Segment), -1)
			res, err := p.ws.GenerateCopy(ctx, req, func(variant int, _ string) {
				progress(i18n.T("Writing variant %d of %d", variant+1, count), -1)
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
			// source is llm.OfflineSource or "ollama <model>".
			msg := i18n.T("Wrote %d variants with %s. Read and edit them before saving.", len(vs), i18n.T(source))
			p.setStatus(msg)
			if fallback != "" {
				dialog.ShowInformation(i18n.T("Written offline"), i18n.T("The offline templates wrote the copy: %s", fallback), p.win)
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
	if e.tableSel.Selected != i18n.T(tableAuto) {
		c.Table = e.tableSel.Selected
	}
	if ch := e.channel(); ch != nil {
		c.Plugin, c.Component = ch.plugin, ch.component
		if e.settings != nil {
			c.Config, _ = e.settings.values()
		}
	}
	var err error
	if c.HoldoutPercent, err = num(e.holdout, field(i18n.Mark("The holdout")), 0, 99); err != nil {
		return nil, err
	}
	if c.RatePerMinute, err = whole(e.rate, field(i18n.Mark("Messages per minute")), 0, 1_000_000); err != nil {
		return nil, err
	}
	for _, v := range e.variants {
		share, err := num(v.share, i18n.Errorf("The share of variant %s", strings.TrimSpace(v.name.Text)), 0, 100)
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
		dialog.ShowInformation(i18n.T("Save campaign"), i18n.Error(err), e.s.p.win)
		return
	}
	replace := e.loaded != nil && e.loaded.Name == c.Name
	e.saveBtn.Disable()
	e.s.p.run(i18n.T("Saving %s…", c.Name), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Checking the settings with the channel"), -1)
		return e.s.p.ws.SaveCampaign(ctx, c, replace)
	}, func(err error) {
		e.saveBtn.Enable()
		if err != nil {
			e.s.p.showError(err)
			return
		}
		e.s.p.setStatus(i18n.T("Saved campaign %q. Preview it next, then send it.", c.Name))
		e.s.sel, e.s.send.row = "", nil // reload it into every tab
		e.s.refresh(c.Name)
	})
}
