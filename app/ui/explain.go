package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// explainButton opens an explanation of the result name() names ("" when
// nothing is selected) in words, written by the local model from the
// facts the app computed.
func explainButton(p *project, kind string, name func() string) *widget.Button {
	return &widget.Button{Text: i18n.T("Explain in words"), Icon: theme.HelpIcon(), OnTapped: func() {
		n := name()
		if n == "" {
			dialog.ShowInformation(i18n.T("Explain in words"), i18n.T("Select one first."), p.win)
			return
		}
		p.explainResults(kind, n)
	}}
}

// explainResults asks for the explanation under a task dialog (which can
// cancel it) and shows it.
func (p *project) explainResults(kind, name string) {
	var x *core.Explanation
	p.run(i18n.T("Writing an explanation with the local model…"), func(ctx context.Context, _ core.Progress) error {
		var err error
		x, err = p.ws.ExplainResults(ctx, core.ExplainRequest{Kind: kind, Name: name})
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, core.ErrCancelled) || errors.Is(err, context.Canceled):
		case err != nil && (x == nil || len(x.Facts) == 0):
			p.showError(err)
		default:
			showExplanation(p.win, x, err)
		}
	})
}

// explainDialog is the last explanation shown, for tests.
var explainDialog dialog.Dialog

// showExplanation shows the text with its unverified numbers marked and
// the facts it stands on; with err (no model) the facts alone and why.
func showExplanation(win fyne.Window, x *core.Explanation, err error) {
	text := &widget.Label{Text: x.Text, Wrapping: fyne.TextWrapWord, Selectable: true}
	note := &widget.Label{Wrapping: fyne.TextWrapWord}
	switch {
	case err != nil:
		text.SetText(i18n.T("No explanation: %s", i18n.Error(err)))
		text.Importance = widget.DangerImportance
		note.SetText(i18n.T("The facts below were computed without the language model."))
	case x.Verified():
		note.SetText(i18n.T("Every number in this text is in the facts below (written by %s).", x.Model))
		note.Importance = widget.SuccessImportance
	default:
		note.SetText(x.Warning())
		note.Importance = widget.WarningImportance
	}
	facts := container.NewVBox()
	for _, f := range x.Facts {
		facts.Add(container.NewBorder(nil, nil, nil, &widget.Label{Text: f.Text, TextStyle: fyne.TextStyle{Bold: true}},
			&widget.Label{Text: f.Label, Wrapping: fyne.TextWrapWord}))
	}
	body := container.NewVBox(text, note, widget.NewSeparator(),
		&widget.Label{Text: i18n.T("Facts computed by Marketbench:"), TextStyle: fyne.TextStyle{Bold: true}}, facts)
	title := i18n.T("Explanation of %s", x.Name)
	d := dialog.NewCustom(title, i18n.T("Close"), container.NewVScroll(container.NewPadded(body)), win)
	size := win.Canvas().Size()
	d.Resize(fyne.NewSize(min(720, size.Width-40), min(560, size.Height-40)))
	d.Show()
	onEscape(win, d.Hide)
	explainDialog = d
}
