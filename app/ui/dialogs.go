package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Escape closes the topmost dialog. Fyne's dialogs do not listen for it,
// so the window does: a dialog that must do more than disappear (stop an
// import, cancel work) registers how with onEscape; any other dialog or
// pop-up is hidden, which is what its Cancel or OK would do.

// escapes maps a shown dialog's overlay to what Escape does to it. UI
// goroutine only.
var escapes = map[fyne.CanvasObject]func(){}

// onEscape makes Escape call close while the dialog just shown in win is on
// top. Call it right after Show.
func onEscape(win fyne.Window, close func()) {
	for o := range escapes {
		if !o.Visible() {
			delete(escapes, o) // closed since
		}
	}
	if top := win.Canvas().Overlays().Top(); top != nil {
		escapes[top] = close
	}
	win.Canvas().Unfocus() // a focused entry would swallow the key
}

// escape closes the topmost overlay of win and reports whether there was one.
func escape(win fyne.Window) bool {
	top := win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	if close, ok := escapes[top]; ok {
		close()
		return true
	}
	if pop, ok := top.(*widget.PopUp); ok {
		pop.Hide()
		return true
	}
	win.Canvas().Overlays().Remove(top)
	return true
}

// listenEscape routes Escape on win to escape; other keys go where they went.
func listenEscape(win fyne.Window) {
	c := win.Canvas()
	before := c.OnTypedKey()
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape && escape(win) {
			return
		}
		if before != nil {
			before(e)
		}
	})
}

// escapeEntry is an entry that passes Escape on to close its dialog, for
// boxes that have the focus while a dialog is open.
type escapeEntry struct {
	widget.Entry
	win fyne.Window
}

func newEscapeEntry(win fyne.Window) *escapeEntry {
	e := &escapeEntry{win: win}
	e.ExtendBaseWidget(e)
	return e
}

func (e *escapeEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && escape(e.win) {
		return
	}
	e.Entry.TypedKey(k)
}
