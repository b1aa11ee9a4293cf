package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// confirmApprove asks the user to approve the selected plugin, which the
// project enabled but they have not approved on this computer.
func (s *pluginsScreen) confirmApprove() {
	pi := s.selected()
	if pi == nil || pi.NeedsApproval == nil {
		return
	}
	key := pluginKey(*pi)
	s.p.askApproval(pi.NeedsApproval, func() { s.selectAfterRefresh(key) })
}

// askApproval shows what approving a plugin would allow (the customer
// fields it would receive and the hosts it contacts) and records the
// approval when the user agrees; then runs done. Any screen whose action
// needs a plugin the user has not approved comes here (see showError).
func (p *project) askApproval(need *core.ApprovalNeeded, done func()) {
	msg := i18n.T("This project enabled %s %s, but you have not approved it on this computer. A project file can come from anyone, so the plugin does not run until you do.\n\n"+
		"If you approve it, it will be able to:\n\n•  receive these customer fields: %s\n•  contact these network hosts: %s\n",
		need.ID, need.Version, fieldsText(need.Fields), hostsText(need.Hosts))
	if len(need.Ignored) > 0 {
		msg += "\n" + i18n.T("The project also lists %s, which the plugin does not declare: those are never sent.", strings.Join(need.Ignored, ", ")) + "\n"
	}
	msg += "\n" + i18n.T("Your approval is kept for you on this computer (not in the project) and is written to the project's audit log.")
	body := &widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}
	id := need.ID
	d := dialog.NewCustomConfirm(i18n.T("Approve %s?", id), i18n.T("Approve"), i18n.T("Not now"), body, func(ok bool) {
		if !ok {
			return
		}
		p.run(i18n.T("Approving %s…", id), func(ctx context.Context, progress core.Progress) error {
			_, err := p.ws.ApprovePlugin(ctx, id)
			return err
		}, func(err error) {
			if err != nil {
				showError(p.win, err)
				return
			}
			p.setStatus(i18n.T("Approved %s on this computer; you can use it now", id))
			if done != nil {
				done()
			}
		})
	}, p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}
