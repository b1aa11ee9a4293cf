package ui

import (
	"context"
	"maps"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// Merge fields in the Set up tab: a picker that inserts {{.field}} at the
// cursor, and the templates checked against the customer table as the
// user types.

// templateEntry is an entry of a variant's message that tells its
// variant when it gets the focus, so the picker knows where to insert.
type templateEntry struct {
	widget.Entry
	focused func()
}

func newTemplateEntry(multiLine bool, text, placeholder string) *templateEntry {
	e := &templateEntry{}
	e.MultiLine = multiLine
	e.Text, e.PlaceHolder = text, placeholder
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

func (e *templateEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.focused != nil {
		e.focused()
	}
}

// pasteBoard hands a text to Entry's paste, which inserts at the cursor
// (replacing a selection) with undo, as typing does.
type pasteBoard string

func (b pasteBoard) Content() string { return string(b) }
func (pasteBoard) SetContent(string) {}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// mergeTag is how a template names a field: {{.first_name}}, or with
// index for a column whose name is not an identifier ("post code").
func mergeTag(field string) string {
	if identRE.MatchString(field) {
		return "{{." + field + "}}"
	}
	return `{{index . "` + strings.ReplaceAll(field, `"`, `\"`) + `"}}`
}

// insertField puts field's tag at the cursor of the variant's entry last
// focused (the text when none was), and gives it the focus back.
func (e *campaignEditor) insertField(ve *variantEditor, field string) {
	target := ve.last
	if target == nil {
		target = ve.text
	}
	target.TypedShortcut(&fyne.ShortcutPaste{Clipboard: pasteBoard(mergeTag(field))})
	if c := fyne.CurrentApp().Driver().CanvasForObject(target); c != nil {
		c.Focus(target)
	}
}

// loadFields asks core which fields the templates may use for the chosen
// customer table, then offers and checks them.
func (e *campaignEditor) loadFields() {
	table := ""
	if e.tableSel.Selected != i18n.T(tableAuto) {
		table = e.tableSel.Selected
	}
	ctx := e.fieldReq.start(e.s.p.ctx)
	async(e.s.p, ctx, func(ctx context.Context) ([]string, error) {
		return e.s.p.ws.MergeFields(ctx, table)
	}, func(fields []string, err error) {
		if ctx.Err() != nil {
			return
		}
		// No customer table yet: the picker is empty and only syntax is
		// checked; saving says what is missing.
		e.fields = fields
		if err != nil {
			e.fields = nil
		}
		for _, ve := range e.variants {
			ve.picker.Options = e.fields
			ve.picker.Refresh()
			e.check(ve)
		}
	})
}

// check shows the variant's template mistakes under it, or nothing.
func (e *campaignEditor) check(ve *variantEditor) {
	v := campaign.Variant{Name: strings.TrimSpace(ve.name.Text), Subject: ve.subject.Text, Text: ve.text.Text, HTML: ve.html.Text}
	var lines []string
	for _, pr := range core.CheckVariant(v, e.fields) {
		part := map[string]string{"subject": i18n.T("Subject"), "text": i18n.T("Text"), "html": "HTML"}[pr.Part] // i18n:keep (a format's name)
		lines = append(lines, i18n.T("%s: %s", part, i18n.Error(pr.Err)))
	}
	ve.problems.SetText(strings.Join(lines, "\n"))
	setVisible([]fyne.CanvasObject{ve.problems}, len(lines) > 0)
}

// pluginScreenSettings are the settings of a channel as the Plugins screen
// has them: typed in its form now (tested or not), else last tested there.
func (e *campaignEditor) pluginScreenSettings(plugin, component string) sdk.Config {
	ps := e.s.p.plugins
	if ps == nil {
		return nil
	}
	if c, pi := ps.component(), ps.selected(); ps.form != nil && c != nil && pi != nil && pi.Manifest != nil &&
		pi.Manifest.ID == plugin && c.Name == component {
		cfg, _ := ps.form.values()
		return cfg
	}
	return ps.tested[channelKey(plugin, component)]
}

// followPlugins brings the Plugins screen's settings into a new campaign
// whose settings the user has not changed here: a URL typed there shows
// here without pressing Test first.
func (e *campaignEditor) followPlugins() {
	c := e.channel()
	if c == nil || e.loaded != nil || e.settings == nil {
		return
	}
	cfg := e.pluginScreenSettings(c.plugin, c.component)
	now, _ := e.settings.values()
	if cfg == nil || maps.Equal(cfg, now) || !maps.Equal(now, e.settingsFrom) {
		return
	}
	e.setSettings(c.spec, cfg)
}

// setSettings shows the channel's settings form filled with cfg.
func (e *campaignEditor) setSettings(spec sdk.Component, cfg sdk.Config) {
	e.settings = newConfigForm(spec, cfg, false)
	e.settingsFrom, _ = e.settings.values()
	e.setBox.Objects = []fyne.CanvasObject{e.settings.content}
	e.setBox.Refresh()
}
