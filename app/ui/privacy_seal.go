package ui

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// resealEvery is how often an open sealed project is sealed again, so a
// crash or a lost private folder costs at most this much work.
var resealEvery = 5 * time.Minute

var tabSealing = i18n.Mark("Sealing")

func init() {
	registerPrivacyTab(privacyTab{order: 70, name: tabSealing,
		build: func(s *privacyScreen) fyne.CanvasObject { return newSealPanel(s).content },
		shown: func(s *privacyScreen) {
			if sp := s.p.sealer.panel; sp != nil {
				sp.refresh()
			}
		}})
}

// sealer seals an open sealed project again every resealEvery and after
// each long operation, one run at a time, off the UI goroutine.
type sealer struct {
	p       *project
	running atomic.Bool
	panel   *sealPanel // the Sealing tab, once built (UI goroutine)
}

func startSealer(p *project) *sealer {
	s := &sealer{p: p}
	if !p.ws.Sealed() {
		return s
	}
	go func() {
		t := time.NewTicker(resealEvery)
		defer t.Stop()
		for {
			select {
			case <-p.ctx.Done():
				return
			case <-t.C:
				do(func() { s.now(nil) })
			}
		}
	}()
	return s
}

// afterWork seals again after a long operation that changed something.
func (s *sealer) afterWork(err error) {
	if err == nil {
		s.now(nil)
	}
}

// now seals at once unless a seal is running; done (may be nil) gets the
// result on the UI goroutine. Problems go to the status line.
func (s *sealer) now(done func(error)) {
	if s == nil || !s.p.ws.Sealed() || !s.running.CompareAndSwap(false, true) {
		return
	}
	p := s.p
	async(p, p.ctx, func(ctx context.Context) (struct{}, error) {
		defer s.running.Store(false)
		return struct{}{}, p.ws.Reseal(ctx)
	}, func(_ struct{}, err error) {
		// Busy: the work that is writing triggers the next seal when done.
		if err != nil && !errors.Is(err, core.ErrSealBusy) {
			p.setStatus(i18n.T("Sealing: %s", i18n.Error(err)))
		}
		if s.panel != nil {
			s.panel.refresh()
		}
		if done != nil {
			done(err)
		}
	})
}

// sealPanel is the Sealing tab: the project's seal status and what to do.
type sealPanel struct {
	s                       *privacyScreen
	state, file, work, when *widget.Label
	sealBtn, unsealBtn, now *widget.Button
	content                 fyne.CanvasObject
}

func newSealPanel(s *privacyScreen) *sealPanel {
	sp := &sealPanel{s: s}
	s.p.sealer.panel = sp
	value := func() *widget.Label {
		return &widget.Label{Selectable: true, Wrapping: fyne.TextWrapBreak}
	}
	sp.state, sp.file, sp.work, sp.when = value(), value(), value(), value()
	sp.sealBtn = &widget.Button{Text: i18n.T("Seal this project…"), Icon: theme.VisibilityOffIcon(), Importance: widget.HighImportance, OnTapped: sp.askSeal}
	sp.unsealBtn = &widget.Button{Text: i18n.T("Unseal…"), Icon: theme.VisibilityIcon(), OnTapped: sp.askUnseal}
	sp.now = &widget.Button{Text: i18n.T("Seal now"), Icon: theme.DocumentSaveIcon(), OnTapped: func() {
		sp.now.Disable()
		s.p.sealer.now(func(err error) {
			sp.now.Enable()
			switch {
			case err == nil:
				s.p.setStatus(i18n.T("Sealed %s.", s.p.ws.FilePath()))
			case errors.Is(err, core.ErrSealBusy):
				s.p.setStatus(i18n.Error(err))
			}
		})
	}}
	about := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("A sealed project file is encrypted on disk with a passphrase or a key in this computer's keyring. " +
		"It protects the data on a lost or stolen computer while Marketbench is closed. While the project is open, a working copy sits in a private folder " +
		"(in memory on Linux) and is sealed again every 5 minutes, after long operations and on close. It does not protect against someone using " +
		"this computer while the project is open, malware, memory or swap, plain copies made before sealing, or exports.")}
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("Status"), sp.state),
		widget.NewFormItem(i18n.T("Project file"), sp.file),
		widget.NewFormItem(i18n.T("Working copy"), sp.work),
		widget.NewFormItem(i18n.T("Last sealed"), sp.when),
	)
	buttons := container.NewHBox(sp.sealBtn, sp.now, sp.unsealBtn)
	sp.content = container.NewVScroll(container.NewVBox(about, widget.NewSeparator(), form, buttons))
	sp.refresh()
	return sp
}

// refresh shows the open project's seal status (no I/O: the workspace
// knows it).
func (sp *sealPanel) refresh() {
	ws := sp.s.p.ws
	st := ws.SealStatus()
	if !st.Sealed {
		sp.state.SetText(i18n.T("Not sealed: the project file is plain; anyone with the file can read it."))
		sp.file.SetText(ws.FilePath())
		sp.work.SetText("—")
		sp.when.SetText("—")
		sp.sealBtn.Show()
		sp.now.Hide()
		sp.unsealBtn.Hide()
		return
	}
	if st.Key == "keyring" {
		sp.state.SetText(i18n.T("Sealed with a key in this computer's keyring"))
	} else {
		sp.state.SetText(i18n.T("Sealed with a passphrase"))
	}
	sp.file.SetText(st.Path)
	sp.work.SetText(ws.Path)
	sp.when.SetText(st.SealedAt.Local().Format("2006-01-02 15:04:05"))
	sp.sealBtn.Hide()
	sp.now.Show()
	sp.unsealBtn.Show()
}

// askSeal asks for the key of a new seal, then closes the project, seals
// it and opens it sealed.
func (sp *sealPanel) askSeal() {
	p := sp.s.p
	pass, again := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	passBox := widget.NewForm(widget.NewFormItem(i18n.T("Passphrase"), pass), widget.NewFormItem(i18n.T("Again"), again))
	keyPassphrase, keyKeyring := i18n.T("A passphrase (opens on any computer)"), i18n.T("A key in this computer's keyring (opens only here)")
	kind := widget.NewRadioGroup([]string{keyPassphrase, keyKeyring}, func(v string) {
		if v == keyKeyring {
			passBox.Hide()
		} else {
			passBox.Show()
		}
	})
	kind.Required = true
	kind.SetSelected(keyPassphrase)
	note := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("The plain file is replaced by the sealed one. Its old bytes may survive in the disk's free blocks: seal projects before importing personal data. " +
		"Without the passphrase (or this keyring) the project cannot be opened by anyone, you included.")}
	problem := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	body := container.NewVBox(kind, passBox, note, problem)
	var d *dialog.ConfirmDialog
	d = dialog.NewCustomConfirm(i18n.T("Seal this project"), i18n.T("Seal"), i18n.T("Cancel"), body, func(ok bool) {
		if !ok {
			return
		}
		o := core.SealOptions{Keyring: kind.Selected == keyKeyring}
		if !o.Keyring {
			if problem.SetText(passProblem(pass.Text, again.Text)); problem.Text != "" {
				d.Show()
				return
			}
			o.Passphrase = pass.Text
		}
		path := p.ws.FilePath()
		p.w.swapFile(i18n.T("Sealing %s…", filepath.Base(path)), path, o.Passphrase, func(ctx context.Context) error {
			_, err := core.Seal(ctx, path, o)
			return err
		})
	}, p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// askUnseal confirms (with the passphrase of a passphrase seal), then
// closes the project, unseals it and opens it plain.
func (sp *sealPanel) askUnseal() {
	p := sp.s.p
	st := p.ws.SealStatus()
	pass := widget.NewPasswordEntry()
	items := []fyne.CanvasObject{&widget.Label{Wrapping: fyne.TextWrapWord,
		Text: i18n.T("The project file becomes a plain file again: anyone who gets the file can read it.")}}
	if st.Key != "keyring" {
		items = append(items, widget.NewForm(widget.NewFormItem(i18n.T("Passphrase"), pass)))
	}
	dialog.ShowCustomConfirm(i18n.T("Unseal this project"), i18n.T("Unseal"), i18n.T("Cancel"), container.NewVBox(items...), func(ok bool) {
		if !ok {
			return
		}
		path := st.Path
		p.w.swapFile(i18n.T("Unsealing %s…", filepath.Base(path)), path, pass.Text, func(ctx context.Context) error {
			_, err := core.Unseal(ctx, path, pass.Text)
			return err
		})
	}, p.win)
}

// swapFile closes the open project, changes its file and opens it again
// (sealed or plain, whichever it is then); if the change fails the project
// opens as it was and the error is shown.
func (w *window) swapFile(title, path, passphrase string, change func(context.Context) error) {
	old := w.proj
	w.proj = nil
	old.cancel()
	t := newTask(context.Background(), w.win, title)
	go func() {
		old.waitIdle(waitClose)
		err := old.ws.Close()
		if err == nil {
			err = change(t.ctx)
		}
		ws, oerr := core.OpenWith(path, passphrase)
		do(func() {
			t.done()
			if ws != nil {
				w.show(ws)
			} else {
				w.showStart()
			}
			if err == nil {
				err = oerr
			}
			if err != nil {
				showError(w.win, err)
			}
		})
	}()
}

// askPassphrase asks for the passphrase of a sealed project and opens it;
// a wrong one asks again.
func (w *window) askPassphrase(e *core.PassphraseError) {
	pass := widget.NewPasswordEntry()
	msg := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("%s is sealed. Type its passphrase to open it.", filepath.Base(e.Path))}
	items := []fyne.CanvasObject{msg}
	if e.Wrong {
		items = append(items, &widget.Label{Text: i18n.T("The passphrase is wrong; try again."), Importance: widget.DangerImportance})
	}
	items = append(items, pass)
	var d *dialog.ConfirmDialog
	open := func() {
		path, text := e.Path, pass.Text
		w.busy(i18n.T("Opening %s…", filepath.Base(path)), func(context.Context, core.Progress) (*core.Workspace, error) {
			return core.OpenWith(path, text)
		})
	}
	d = dialog.NewCustomConfirm(i18n.T("Sealed project"), i18n.T("Open"), i18n.T("Cancel"), container.NewVBox(items...), func(ok bool) {
		if ok {
			open()
		}
	}, w.win)
	pass.OnSubmitted = func(string) { d.Hide(); open() }
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	w.win.Canvas().Focus(pass)
}

// passProblem says what is wrong with a new passphrase, "" when nothing.
func passProblem(pass, again string) string {
	switch {
	case len([]rune(pass)) < core.MinPassphrase:
		return i18n.T("Use a passphrase of at least %d characters; a few words are easy to remember and hard to guess.", core.MinPassphrase)
	case pass != again:
		return i18n.T("The two passphrases differ; type them again.")
	}
	return ""
}
