package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
)

// devBadge marks a development build ('plugin dev') wherever the Plugins
// screen shows a plugin.
func devBadge() string { return "⚠ " + i18n.T("development build") }

// devAbout says where a development build came from and what it means.
func devAbout(pi core.PluginInfo) string {
	src, at := "?", "?"
	if pi.Dev != nil {
		src, at = pi.Dev.Source, i18n.DateTime(pi.Dev.BuiltAt.Local())
	}
	return i18n.T("Development build from %s, built %s: each 'plugin dev' replaces it. Live sends through it ask you to confirm first.", src, at)
}

// confirmDevLive asks before a live send through a development build of
// the campaign's plugin; the send was refused before anything went out.
func (v *sendView) confirmDevLive(name string, refused error) {
	body := container.NewVBox(
		&widget.Label{Text: i18n.Error(refused), Wrapping: fyne.TextWrapWord},
		&widget.Label{Text: i18n.T("Real customers will receive what this development build sends. Send through it anyway?"),
			Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
	d := dialog.NewCustomConfirm(i18n.T("Send %s through a development build?", name), i18n.T("Send through the development build"), i18n.T("Cancel"),
		body, func(ok bool) {
			if ok {
				v.allowDev = true
				v.live(name)
			}
		}, v.s.p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// showMismatches warns, after an install, where the plugin's manifest and
// what its program offers disagree (the install stands).
func showMismatches(win fyne.Window, id string, ms []host.Mismatch) {
	if len(ms) == 0 {
		return
	}
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("• " + i18n.Error(m.Err) + "\n")
	}
	body := &widget.Label{Text: i18n.T("The manifest of %s and what the plugin offers disagree; tell its author:", id) + "\n\n" + b.String(), Wrapping: fyne.TextWrapWord}
	d := dialog.NewCustom(i18n.T("Installed, with warnings"), i18n.T("OK"), body, win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// confirmRemove uninstalls a plugin the user installed (bundled ones
// cannot be removed).
func (s *pluginsScreen) confirmRemove() {
	pi := s.selected()
	if pi == nil || pi.Manifest == nil || pi.Bundled {
		return
	}
	id := pi.Manifest.ID
	d := dialog.NewConfirm(i18n.T("Remove %s?", pluginName(*pi)),
		i18n.T("This deletes %s from this computer and disables it in this project. Other projects that use it will say it is missing until you install it again.", id),
		func(ok bool) {
			if !ok {
				return
			}
			// The dialog said it disables it here too.
			async(s.p, s.p.ctx, func(ctx context.Context) (bool, error) {
				_, disabled, err := s.p.ws.UninstallPlugin(ctx, id, true)
				return disabled, err
			}, func(disabled bool, err error) {
				if err != nil {
					s.p.showError(err)
					return
				}
				if disabled {
					s.p.setStatus(i18n.T("Removed %s and disabled it in this project", id))
					s.selectAfterRefresh("")
					return
				}
				s.p.setStatus(i18n.T("Removed %s", id))
				s.selectAfterRefresh("")
			})
		}, s.p.win)
	d.Show()
}
