package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
)

// A send step's fields: a channel of an enabled plugin with the step's
// own variants (subject and text), or a saved campaign whose channel and
// variants it uses.

// Where a send step's message comes from (in English; shown translated).
var (
	contentHere     = i18n.Mark("Written here")
	contentCampaign = i18n.Mark("A saved campaign")
)

// enabledChannels lists the channel components of the enabled plugins;
// problems name the plugins that could not say theirs.
func enabledChannels(ctx context.Context, ws *core.Workspace) ([]channelChoice, []string, error) {
	plugins, err := ws.Plugins(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []channelChoice
	var problems []string
	for _, pi := range plugins {
		if !pi.Enabled || pi.Err != nil || pi.Manifest == nil || !slices.Contains(pi.Manifest.Kinds, sdk.KindChannel) {
			continue
		}
		comps, err := channelComponents(ctx, ws, pi.Manifest.ID)
		if err != nil {
			problems = append(problems, pluginName(pi)+": "+i18n.Error(err))
			continue
		}
		for _, c := range comps {
			out = append(out, channelChoice{plugin: pi.Manifest.ID, component: c.Name, label: pluginName(pi) + " — " + componentLabel(c), spec: c})
		}
	}
	return out, problems, nil
}

// useChannel sends step s through channel c, with the channel's settings
// from the Plugins screen.
func (e *journeyEditor) useChannel(s *journey.Step, c channelChoice) {
	if s.Plugin != c.plugin || s.Component != c.component {
		s.Config = nil
	}
	s.Plugin, s.Component, s.Campaign = c.plugin, c.component, ""
}

func (e *journeyEditor) channelLabel(s *journey.Step) string {
	for _, c := range e.channels {
		if c.plugin == s.Plugin && c.component == s.Component {
			return c.label
		}
	}
	return ""
}

func (e *journeyEditor) sendFields(s *journey.Step) []fyne.CanvasObject {
	source := widget.NewRadioGroup([]string{i18n.T(contentHere), i18n.T(contentCampaign)}, nil)
	source.Horizontal = true
	source.Required = true
	useCampaign := s.Campaign != ""
	source.Selected = i18n.T(contentHere)
	if useCampaign {
		source.Selected = i18n.T(contentCampaign)
	}
	source.OnChanged = func(v string) {
		if v == i18n.T(contentCampaign) {
			if len(e.campaigns) == 0 {
				e.setNote(i18n.T("No saved campaigns yet: save one on the Campaigns screen, or write the message here."), true)
				e.showPanel()
				return
			}
			s.Plugin, s.Component, s.Config, s.Variants = "", "", nil, nil
			s.Campaign = e.campaigns[0]
		} else {
			s.Campaign = ""
			s.Variants = []campaign.Variant{{Name: "A", Percent: 100}}
			if len(e.channels) == 1 {
				e.useChannel(s, e.channels[0])
			}
		}
		e.changed()
		e.showPanel()
	}
	rows := []fyne.CanvasObject{bold(i18n.T("Message")), source}
	if useCampaign {
		placeholder := i18n.T("Choose the campaign")
		if len(e.campaigns) == 0 {
			placeholder = i18n.T("No saved campaigns yet")
		}
		return append(rows, bold(i18n.T("Campaign")), e.selectOf(e.campaigns, s.Campaign, placeholder, func(v string) { s.Campaign = v }))
	}
	var labels []string
	for _, c := range e.channels {
		labels = append(labels, c.label)
	}
	placeholder := i18n.T("Choose the channel")
	if len(labels) == 0 {
		placeholder = i18n.T("No channel: enable one on the Plugins screen")
	}
	ch := e.selectOf(labels, e.channelLabel(s), placeholder, func(v string) {
		for _, c := range e.channels {
			if c.label == v {
				e.useChannel(s, c)
			}
		}
	})
	rows = append(rows, bold(i18n.T("Channel")), ch)
	if s.Plugin != "" && e.channelLabel(s) == "" && e.channels != nil {
		rows = append(rows, layout.NewSpacer(), &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance,
			Text: i18n.T("This step uses %s (%s), which is not enabled in this project: enable it on the Plugins screen.", s.Plugin, s.Component)})
	}
	if len(s.Config) > 0 {
		rows = append(rows, layout.NewSpacer(), &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
			Text: i18n.T("This step has channel settings of its own (see JSON); they are used instead of the Plugins screen's.")})
	}
	return rows
}

// variantFields are a send step's variants: name, share, subject and
// text, each a template over the customer table's fields.
func (e *journeyEditor) variantFields(s *journey.Step) fyne.CanvasObject {
	if s.Campaign != "" {
		return nil
	}
	box := container.NewVBox(bold(i18n.T("Variants")))
	for v := range s.Variants {
		vr := &s.Variants[v]
		name := e.entry(vr.Name, "", func(x string) { vr.Name = strings.TrimSpace(x) })
		share := &widget.Entry{Text: strconv.FormatFloat(vr.Percent, 'f', -1, 64)}
		share.ExtendBaseWidget(share)
		share.OnChanged = func(string) {
			x, err := num(share, i18n.Errorf("The share of variant %s", vr.Name), 0, 100)
			e.setBad(fmt.Sprintf("%s/variant%d", s.ID, v), err)
			if err == nil {
				vr.Percent = x
			}
			e.changed()
		}
		subject := e.entry(vr.Subject, i18n.T("e.g. {{.first_name}}, welcome"), func(x string) { vr.Subject = x })
		text := e.entry(vr.Text, i18n.T("e.g. Hi {{.first_name}}, …"), func(x string) { vr.Text = x })
		text.MultiLine, text.Wrapping = true, fyne.TextWrapWord
		text.SetMinRowsVisible(3)
		remove := &widget.Button{Icon: theme.DeleteIcon(), Importance: widget.LowImportance, OnTapped: func() {
			s.Variants = slices.Delete(s.Variants, v, v+1)
			splitVariants(s)
			e.rebuild()
		}}
		setEnabled(remove, len(s.Variants) > 1)
		head := container.NewHBox(widget.NewLabel(i18n.T("Variant")), fixedWidth(90, name), widget.NewLabel(i18n.T("Share (%)")), fixedWidth(70, share),
			layout.NewSpacer(), remove)
		form := container.New(layout.NewFormLayout(), widget.NewLabel(i18n.T("Subject")), subject, widget.NewLabel(i18n.T("Text")), text)
		box.Add(widget.NewCard("", "", container.NewVBox(head, form)))
	}
	add := &widget.Button{Text: i18n.T("Add variant"), Icon: theme.ContentAddIcon(), Importance: widget.LowImportance, OnTapped: func() {
		name := "A"
		for r := 'A'; r <= 'Z'; r++ {
			name = string(r)
			if !slices.ContainsFunc(s.Variants, func(v campaign.Variant) bool { return strings.EqualFold(v.Name, name) }) {
				break
			}
		}
		s.Variants = append(s.Variants, campaign.Variant{Name: name})
		splitVariants(s)
		e.rebuild()
	}}
	box.Add(newFlow(add))
	return box
}

// splitVariants gives every variant the same share, adding up to 100.
func splitVariants(s *journey.Step) {
	n := len(s.Variants)
	if n == 0 {
		return
	}
	each := float64(int(10000/float64(n))) / 100
	for i := range s.Variants {
		s.Variants[i].Percent = each
	}
	s.Variants[n-1].Percent = float64(int((100-each*float64(n-1))*100+0.5)) / 100
}
