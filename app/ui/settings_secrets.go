package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// credentialsPanel lists the channel secrets saved in this computer's
// system keyring for the project (names, never values), each with Delete.
type credentialsPanel struct {
	s       *settingsScreen
	req     latest
	list    *fyne.Container
	content fyne.CanvasObject
}

func newCredentialsPanel(s *settingsScreen) *credentialsPanel {
	c := &credentialsPanel{s: s, list: container.NewVBox()}
	title := &widget.Label{Text: i18n.T("Saved credentials"), TextStyle: fyne.TextStyle{Bold: true}}
	note := &widget.Label{Wrapping: fyne.TextWrapWord,
		Text: i18n.T("Channel secrets this computer's system keyring keeps for the project (tick Remember when sending). Sends use them when nothing is typed.")}
	c.content = container.NewVBox(title, note, c.list)
	return c
}

// load reads the saved names again: the CLI can change them.
func (c *credentialsPanel) load() {
	ctx := c.req.start(c.s.p.ctx)
	async(c.s.p, ctx, func(ctx context.Context) ([]core.Credential, error) {
		return c.s.p.ws.SavedSecrets(ctx)
	}, func(saved []core.Credential, err error) {
		if ctx.Err() == nil {
			c.show(saved, err)
		}
	})
}

func (c *credentialsPanel) show(saved []core.Credential, err error) {
	c.list.RemoveAll()
	switch {
	case err != nil:
		c.list.Add(&widget.Label{Text: i18n.Error(err), Wrapping: fyne.TextWrapWord})
	case len(saved) == 0:
		c.list.Add(&widget.Label{Text: i18n.T("None saved for this project on this computer."), TextStyle: fyne.TextStyle{Italic: true}})
	}
	for _, cr := range saved {
		del := &widget.Button{Text: i18n.T("Delete"), Icon: theme.DeleteIcon(), OnTapped: func() { c.delete(cr) }}
		c.list.Add(container.NewBorder(nil, nil, nil, del, &widget.Label{Text: credentialWords(cr), Truncation: fyne.TextTruncateEllipsis}))
	}
}

func (c *credentialsPanel) delete(cr core.Credential) {
	p := c.s.p
	async(p, p.ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.ws.DeleteSecret(ctx, cr)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.showError(err)
		} else {
			p.setStatus(i18n.T("Deleted %s from the system keyring.", credentialWords(cr)))
		}
		c.load()
		c.s.refresh()
	})
}

// credentialWords names a credential: plugin/channel and field.
func credentialWords(c core.Credential) string {
	if c.Component == "" {
		return i18n.T("%s (every channel): %s", c.Plugin, c.Field)
	}
	return c.Plugin + "/" + c.Component + ": " + c.Field
}
