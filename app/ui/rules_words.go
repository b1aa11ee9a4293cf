package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// describeBar writes a rule from words with the local model (core.
// DescribeSegment) and puts it in the rule builder, where the live count
// shows and the user edits and saves it as usual.
type describeBar struct {
	e     *ruleEditor
	words *widget.Entry
	btn   *widget.Button
	note  *widget.Label
	// allow sends words holding personal data, for this request only.
	allow *widget.Check
	box   fyne.CanvasObject
}

func newDescribeBar(e *ruleEditor) *describeBar {
	b := &describeBar{e: e}
	b.words = &widget.Entry{PlaceHolder: i18n.T("Describe the customers in words, e.g. champions in London who spent over 500")}
	b.words.ExtendBaseWidget(b.words)
	b.words.OnSubmitted = func(string) { b.describe() }
	b.btn = &widget.Button{Text: i18n.T("Describe in words…"), Icon: theme.DocumentCreateIcon(), OnTapped: b.describe}
	b.note = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	b.note.Hide()
	b.allow = widget.NewCheck(i18n.T("Allow personal data in my words"), nil)
	b.box = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(b.allow, b.btn), b.words), b.note)
	return b
}

// describe asks the model (off the UI goroutine, with Cancel) and fills
// the tree with its rule.
func (b *describeBar) describe() {
	words := strings.TrimSpace(b.words.Text)
	e := b.e
	switch {
	case words == "":
		b.say(i18n.T("Type a description first, e.g. champions in London who spent over 500."), true)
		b.e.p.win.Canvas().Focus(b.words)
		return
	case e.table == "":
		b.say(i18n.T("Choose a table first."), true)
		return
	}
	table, allow := e.table, b.allow.Checked
	b.allow.SetChecked(false) // for this request only
	b.btn.Disable()
	var d *core.SegmentDraft
	e.p.run(i18n.T("Writing a rule from your words…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Asking the local model (Ollama)"), -1)
		var err error
		d, err = e.p.ws.DescribeSegmentWith(ctx, core.DescribeRequest{Table: table, Words: words, AllowPersonal: allow})
		return err
	}, func(err error) {
		b.btn.Enable()
		if err != nil {
			b.say(i18n.Error(err), true)
			return
		}
		if e.table != table {
			return // the table changed meanwhile; the rule was for the other
		}
		e.counted = ""
		e.setRoot(d.Node)
		e.rebuild()
		e.changed() // mirrors the text and counts live
		lines := []string{i18n.T("The model wrote this rule from your words (%s customers match); check it, change it if needed, and save it.", i18n.Number(float64(d.Count)))}
		lines = append(lines, d.Notes...)
		b.say(strings.Join(lines, "\n"), false)
	})
}

func (b *describeBar) say(text string, bad bool) {
	b.note.Importance = widget.MediumImportance
	if bad {
		b.note.Importance = widget.DangerImportance
	}
	b.note.SetText(text)
	b.note.Show()
}

// campaignRuleRow is the campaign editor's "Narrow it to" entry with a
// button that writes the rule from words.
func (e *campaignEditor) campaignRuleRow() fyne.CanvasObject {
	btn := &widget.Button{Text: i18n.T("From words…"), Icon: theme.DocumentCreateIcon(), Importance: widget.LowImportance}
	btn.OnTapped = func() { e.ruleFromWords(btn) }
	return container.NewBorder(nil, nil, nil, btn, e.rule)
}

// ruleFromWords asks for the words in a dialog and puts the model's rule
// in the rule entry, with its count in the note.
func (e *campaignEditor) ruleFromWords(btn *widget.Button) {
	p := e.s.p
	words := &widget.Entry{PlaceHolder: i18n.T("e.g. customers in London who spent over 500")}
	words.ExtendBaseWidget(words)
	dialog.ShowForm(i18n.T("Narrow the audience in words"), i18n.T("Write the rule"), i18n.T("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(i18n.T("Who"), words)}, func(ok bool) {
			w := strings.TrimSpace(words.Text)
			if !ok || w == "" {
				return
			}
			table := ""
			if sel := e.tableSel.Selected; sel != i18n.T(tableAuto) {
				table = sel
			}
			btn.Disable()
			var d *core.SegmentDraft
			p.run(i18n.T("Writing a rule from your words…"), func(ctx context.Context, progress core.Progress) error {
				progress(i18n.T("Asking the local model (Ollama)"), -1)
				var err error
				d, err = p.ws.DescribeSegment(ctx, table, w)
				return err
			}, func(err error) {
				btn.Enable()
				if err != nil {
					p.showError(err)
					return
				}
				e.rule.SetText(d.Rule)
				note := i18n.T("The model wrote the rule from your words: %s customers of %s match it (before the segment and consent). Check it before saving.", i18n.Number(float64(d.Count)), d.Table)
				e.note.SetText(strings.Join(append([]string{note}, d.Notes...), "\n"))
			})
		}, p.win)
}
