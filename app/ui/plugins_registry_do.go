package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
)

// firstTrust reports whether installing v would make you trust its signer
// for the first time (trust on first use, which core does silently).
func firstTrust(l *core.RegistryListing, v *host.RegVersion) bool {
	return v.SignerKeyID != "" && l.TrustedKeyID == ""
}

// trustLabel says what the signature of v means to you before you act.
func trustLabel(l *core.RegistryListing, v *host.RegVersion) *widget.Label {
	lb := &widget.Label{Wrapping: fyne.TextWrapWord}
	switch {
	case firstTrust(l, v):
		lb.Importance = widget.WarningImportance
		lb.Text = i18n.T("Signed by key %s, which you do not trust yet: this is the first signed version of %s you install. "+
			"If you go on, you trust this key, and later versions are installed only when the same key signed them. "+
			"Check with the publisher, by phone or in person, that key %s is theirs.", v.SignerKeyID, l.ID, v.SignerKeyID)
	case v.SignerKeyID != "" && v.SignerKeyID == l.TrustedKeyID:
		lb.Text = i18n.T("Signed by key %s, the key you trust for %s.", v.SignerKeyID, l.ID)
	case v.SignerKeyID != "":
		lb.Importance = widget.DangerImportance
		lb.Text = i18n.T("Signed by key %s, but you trust key %s for %s: it will be refused.", v.SignerKeyID, l.TrustedKeyID, l.ID)
	case l.TrustedKeyID != "":
		lb.Importance = widget.DangerImportance
		lb.Text = i18n.T("Not signed, but you trust key %s to sign %s: it will be refused.", l.TrustedKeyID, l.ID)
	default:
		lb.Importance = widget.WarningImportance
		lb.Text = i18n.T("Not signed: only the registry's index vouches for it, and anyone who can write to the folder could have replaced both.")
	}
	return lb
}

// confirmBody shows what the version asks for, its signer and changelog.
func confirmBody(l *core.RegistryListing, v *host.RegVersion, lead string) fyne.CanvasObject {
	asks := i18n.T("It will be able to:\n\n•  receive these customer fields: %s\n•  contact these network hosts: %s", fieldsText(v.Fields), hostsText(v.NetworkHosts))
	return container.NewVBox(
		&widget.Label{Text: lead + "\n\n" + asks, Wrapping: fyne.TextWrapWord},
		trustLabel(l, v),
		&widget.Label{Text: changelogText(v), Wrapping: fyne.TextWrapWord})
}

func (r *registryDialog) confirmInstall() {
	l, v := r.chosen()
	if v == nil {
		return
	}
	enable := r.useIt.Visible() && r.useIt.Checked
	lead := i18n.T("%s %s will be installed on this computer from %s.", listingName(*l), v.Version, r.dir)
	if enable {
		lead += " " + i18n.T("This project will use it: its program's checksum is pinned in the project.")
	}
	title, ok := i18n.T("Install %s %s?", listingName(*l), v.Version), i18n.T("Install")
	if firstTrust(l, v) {
		title, ok = i18n.T("Trust key %s and install %s?", v.SignerKeyID, listingName(*l)), i18n.T("Trust the key and install")
	}
	id, ver, dir := l.ID, v.Version, r.dir
	d := dialog.NewCustomConfirm(title, ok, i18n.T("Cancel"), confirmBody(l, v, lead), func(yes bool) {
		if yes {
			r.doInstall(dir, id, ver, enable)
		}
	}, r.s.p.win)
	d.Resize(fyne.NewSize(600, 0))
	d.Show()
}

func (r *registryDialog) doInstall(dir, id, ver string, enable bool) {
	var res *host.RegistryInstall
	s := r.s
	s.p.run(i18n.T("Installing %s %s…", id, ver), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Checking the archive's checksum, signature and manifest"), -1)
		var err error
		if res, err = core.InstallFromRegistry(dir, id+"@"+ver); err != nil {
			return err
		}
		if enable {
			progress(i18n.T("Enabling it in this project"), -1)
			_, err = s.p.ws.EnablePlugin(ctx, id)
		}
		return err
	}, func(err error) {
		r.load()
		if res != nil {
			s.selectAfterRefresh(pluginKey(core.PluginInfo{Found: *res.Found}))
		}
		if err != nil {
			r.failed(id, err)
			return
		}
		switch {
		case enable:
			s.p.setStatus(i18n.T("Installed %s %s from the registry; this project uses it.", id, ver))
		default:
			s.p.setStatus(i18n.T("Installed %s %s from the registry. Select it and press Enable to use it in this project.", id, ver))
		}
	})
}

func (r *registryDialog) confirmUpdate() {
	l := r.selected()
	if l == nil || behind(l) == nil {
		return
	}
	v := behind(l)
	lead := i18n.T("%s %s will be installed on this computer from %s.", listingName(*l), v.Version, r.dir)
	if l.Enabled != "" {
		lead += " " + i18n.T("This project uses %s and will use %s. If %s asks for more customer fields or network hosts than you approved, it does not run until you approve it again.", l.Enabled, v.Version, v.Version)
	}
	ok := i18n.T("Update")
	if firstTrust(l, v) {
		ok = i18n.T("Trust the key and update")
	}
	id, dir := l.ID, r.dir
	d := dialog.NewCustomConfirm(i18n.T("Update %s to %s?", listingName(*l), v.Version), ok, i18n.T("Cancel"), confirmBody(l, v, lead), func(yes bool) {
		if yes {
			r.doUpdate(dir, id)
		}
	}, r.s.p.win)
	d.Resize(fyne.NewSize(600, 0))
	d.Show()
}

func (r *registryDialog) doUpdate(dir, id string) {
	var ups []core.PluginUpdate
	s := r.s
	s.p.run(i18n.T("Updating %s…", id), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Checking the archive's checksum, signature and manifest"), -1)
		var err error
		ups, err = core.UpdateFromRegistry(ctx, dir, id, s.p.ws)
		return err
	}, func(err error) {
		r.load()
		s.refresh()
		if err != nil {
			r.failed(id, err)
			return
		}
		if len(ups) == 0 {
			return
		}
		u := ups[0]
		switch {
		case u.UpToDate:
			s.p.setStatus(i18n.T("%s is up to date (%s).", u.ID, u.From))
		case u.PinnedFrom == "":
			s.p.setStatus(i18n.T("Installed %s %s from the registry.", u.ID, u.To))
		case u.NeedsApproval == nil:
			s.p.setStatus(i18n.T("This project now uses %s %s; your approval carried over, as it asks for nothing more.", u.ID, u.To))
		default:
			more := append(append([]string{}, u.AddedFields...), u.AddedHosts...)
			s.p.setStatus(i18n.T("This project now uses %s %s, which also asks for %s: it does not run until you approve it.", u.ID, u.To, strings.Join(more, ", ")))
			s.p.askApproval(u.NeedsApproval, func() {
				r.load()
				s.refresh()
			})
		}
	})
}

// failed shows a refused install: the core's words say what was found,
// and the dialog adds what a person (not a developer) can do about it.
func (r *registryDialog) failed(id string, err error) {
	var title, todo string
	switch {
	case errors.Is(err, host.ErrTampered), errors.Is(err, host.ErrBadSignature):
		title = i18n.T("Refused: the plugin was changed")
		todo = i18n.T("Nothing was installed. Do not use this version: tell whoever publishes your team's plugins, so they check the shared folder and publish it again.")
	case errors.Is(err, host.ErrSignerChanged):
		title = i18n.T("Refused: signed by a different key")
		todo = i18n.T("Nothing was installed. Another key may mean another publisher. Ask the publisher, by phone or in person (not through the shared folder), whether they changed their key. Only if they did, ask them for their new public key and press Trust a new key….")
	case errors.Is(err, host.ErrUnsigned):
		title = i18n.T("Refused: not signed")
		todo = i18n.T("Nothing was installed. Ask the publisher to publish this version signed with their key.")
	default:
		r.s.p.showError(err)
		return
	}
	msg := &widget.Label{Text: i18n.Error(err), Wrapping: fyne.TextWrapWord, Selectable: true}
	body := container.NewVBox(
		container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil, msg),
		&widget.Label{Text: i18n.T("What to do: %s", todo), Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}})
	d := dialog.NewCustomWithoutButtons(title, body, r.s.p.win)
	buttons := []fyne.CanvasObject{&widget.Button{Text: i18n.T("OK"), Importance: widget.HighImportance, OnTapped: d.Hide}}
	if errors.Is(err, host.ErrSignerChanged) {
		buttons = append([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Trust a new key…"), OnTapped: func() {
			d.Hide()
			r.trustKey(id)
		}}}, buttons...)
	}
	d.SetButtons(buttons)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
	onEscape(r.s.p.win, d.Hide)
}

// trustKey trusts the public key the publisher gave you (never one read
// from the registry, which whoever changed the archive could also change).
func (r *registryDialog) trustKey(id string) {
	key := newEscapeEntry(r.s.p.win)
	key.PlaceHolder = i18n.T("the public key, e.g. RWQ…")
	items := []*widget.FormItem{{Text: i18n.T("New public key"), Widget: key,
		HintText: i18n.T("as the publisher gave it to you, not copied from the registry folder")}}
	d := dialog.NewForm(i18n.T("Trust a new key for %s", id), i18n.T("Trust"), i18n.T("Cancel"), items, func(ok bool) {
		if !ok || strings.TrimSpace(key.Text) == "" {
			return
		}
		text := strings.TrimSpace(key.Text)
		async(r.s.p, r.s.p.ctx, func(context.Context) (host.SignerPin, error) {
			_, now, err := host.TrustSigner(id, text)
			return now, err
		}, func(now host.SignerPin, err error) {
			if err != nil {
				r.s.p.showError(err)
				return
			}
			r.s.p.setStatus(i18n.T("You now trust key %s to sign %s.", now.KeyID, id))
			r.load()
		})
	}, r.s.p.win)
	d.Resize(fyne.NewSize(600, 0))
	d.Show()
	r.s.p.win.Canvas().Focus(key)
}
