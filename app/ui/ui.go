// Package ui is Marketbench's desktop GUI. It is a thin shell over app/core:
// widgets, layout and dialogs only. Every query runs off the UI goroutine and
// hands its result back through fyne.Do, so the window never freezes.
//
// One file per screen: start.go (no project open), data.go with its tabs
// (rows.go, profile.go, roles.go, clean.go, sql.go, import.go),
// segments.go with rules.go, products.go with its tabs (products_*.go),
// models.go, value.go with its tabs (value_*.go), campaigns.go, journeys.go
// with its panels (journey_*.go; automate_ticker.go runs the journeys while
// the project is open), text.go, plugins.go and settings.go. project.go
// holds the background-work plumbing, grid.go the table widget every
// screen shares, chartsave.go saving charts, layout.go what keeps screens
// within a 1024×700 window, dialogs.go Escape for dialogs, help.go the Help
// and Go menus and the welcome.
package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	_ "github.com/marketbench/marketbench/app/posixlocale" // before Fyne reads the locale
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Run opens the GUI and returns when the window is closed. With an empty
// projectPath it shows the start screen (new, open, demo, recent projects).
// A project that cannot be opened also lands on the start screen, with the
// reason in a dialog, because a GUI user has no terminal to read it in.
func Run(projectPath string) error {
	a := app.NewWithID("io.marketbench.app")
	applyLanguage(a)
	w := newWindow(a)
	w.showStart()
	if projectPath != "" {
		w.open(projectPath)
	} else {
		w.welcomeOnce()
	}
	w.win.ShowAndRun()
	return w.closeProject()
}

// NewStartWindow returns a window with the start screen.
func NewStartWindow(a fyne.App) fyne.Window {
	w := newWindow(a)
	w.showStart()
	return w.win
}

// window is the app's only window: the start screen until a project is open,
// then the workbench. Opening another project swaps the content, so there is
// never a second window to lose track of.
type window struct {
	app  fyne.App
	win  fyne.Window
	proj *project // nil on the start screen

	afterOpen func(*project) // once, when the next project opens
}

func newWindow(a fyne.App) *window {
	w := &window{app: a, win: a.NewWindow("Marketbench")} // i18n:keep
	// The first window fits a 1024×768 laptop screen; after that it opens
	// at the size it was closed at.
	prefs := a.Preferences()
	w.win.Resize(fyne.NewSize(float32(prefs.FloatWithFallback(prefWidth, 1024)), float32(prefs.FloatWithFallback(prefHeight, 700))))
	w.win.SetMainMenu(w.menu())
	w.win.SetOnClosed(func() {
		size := w.win.Canvas().Size()
		prefs.SetFloat(prefWidth, float64(size.Width))
		prefs.SetFloat(prefHeight, float64(size.Height))
		w.closeProject()
	})
	listenEscape(w.win)
	return w
}

// The window's size when it was last closed.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

var (
	shortcutNew    = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutOpen   = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutImport = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutExport = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
)

// menu builds the main menu. Its shortcuts fire even while an entry has the
// focus, which canvas shortcuts would not.
func (w *window) menu() *fyne.MainMenu {
	recent := fyne.NewMenuItem(i18n.T("Open recent"), nil)
	for _, p := range core.Recent() {
		recent.ChildMenu = appendItem(recent.ChildMenu, fyne.NewMenuItem(p, func() { w.open(p) }))
	}
	if recent.ChildMenu == nil {
		recent.Disabled = true
	}
	withProject := func(f func(p *project)) func() {
		return func() {
			if w.proj != nil {
				f(w.proj)
			}
		}
	}
	file := fyne.NewMenu(i18n.T("File"),
		&fyne.MenuItem{Label: i18n.T("New project…"), Shortcut: shortcutNew, Action: w.chooseNew},
		&fyne.MenuItem{Label: i18n.T("Open project…"), Shortcut: shortcutOpen, Action: w.chooseOpen},
		recent,
		fyne.NewMenuItem(i18n.T("Open demo project"), w.openDemo),
		fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: i18n.T("Import file…"), Shortcut: shortcutImport, Disabled: w.proj == nil,
			Action: withProject(func(p *project) { p.chooseImport() })},
		&fyne.MenuItem{Label: i18n.T("Export table…"), Shortcut: shortcutExport, Disabled: w.proj == nil,
			Action: withProject(func(p *project) { p.data.export() })},
	)
	if w.proj == nil {
		return fyne.NewMainMenu(file, w.helpMenu())
	}
	return fyne.NewMainMenu(file, w.goMenu(w.proj), w.helpMenu())
}

func appendItem(m *fyne.Menu, it *fyne.MenuItem) *fyne.Menu {
	if m == nil {
		m = fyne.NewMenu("")
	}
	m.Items = append(m.Items, it)
	return m
}

// show puts an open workspace in the window. The previous project is
// closed in the background: its cancelled work may take a moment to return
// and the window must not wait for it.
func (w *window) show(ws *core.Workspace) {
	if old := w.proj; old != nil {
		w.proj = nil
		old.cancel()
		go func() {
			old.waitIdle(waitClose)
			old.ws.Close()
		}()
	}
	w.proj = newProject(w, ws)
	w.win.SetTitle(i18n.T("Marketbench — %s", ws.Name()))
	w.win.SetContent(w.proj.content)
	w.win.SetMainMenu(w.menu())
	if f := w.afterOpen; f != nil {
		w.afterOpen = nil
		f(w.proj)
	}
}

// closeProject cancels the open project's work and closes its file.
func (w *window) closeProject() error {
	if w.proj == nil {
		return nil
	}
	p := w.proj
	w.proj = nil
	p.cancel()
	p.waitIdle(waitClose)
	return p.ws.Close()
}

// open opens a project file off the UI goroutine.
func (w *window) open(path string) {
	w.afterOpen = nil // only a new project gets its first import
	if w.proj != nil && samePath(w.proj.ws.FilePath(), path) {
		return
	}
	w.busy(i18n.T("Opening %s…", filepath.Base(path)), func(ctx context.Context, _ core.Progress) (*core.Workspace, error) {
		return core.Open(path)
	})
}

// create makes a new empty project file.
func (w *window) create(path string) {
	if !strings.EqualFold(filepath.Ext(path), storage.Ext) {
		path += storage.Ext
	}
	w.busy(i18n.T("Creating %s…", filepath.Base(path)), func(ctx context.Context, _ core.Progress) (*core.Workspace, error) {
		return core.Create(path)
	})
}

// demoPath is where "Open demo project" keeps its project, so a second click
// opens the same one instead of generating another.
func demoPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	// One demo per language: in Chinese it is the Chinese demo (names,
	// provinces, products, reviews and yuan), generated separately.
	name := "Demo"
	if i18n.IsChinese() {
		name = "Demo-zh-CN"
	}
	return filepath.Join(home, "Marketbench", name+storage.Ext)
}

func (w *window) openDemo() {
	w.afterOpen = nil
	path := demoPath()
	if _, err := os.Stat(path); err == nil {
		w.open(path)
		return
	}
	w.busy(i18n.T("Creating the demo project…"), func(ctx context.Context, progress core.Progress) (*core.Workspace, error) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		return core.CreateDemo(ctx, path, core.DemoOptions{Locale: i18n.Lang()}, progress)
	})
}

// busy runs open/create work under a cancellable progress dialog and shows
// the project when it is ready.
func (w *window) busy(title string, work func(context.Context, core.Progress) (*core.Workspace, error)) {
	t := newTask(context.Background(), w.win, title)
	go func() {
		ws, err := work(t.ctx, t.progress)
		do(func() {
			t.done()
			var foreign *storage.ForeignCodeError
			if errors.As(err, &foreign) {
				w.offerSafeCopy(foreign)
				return
			}
			if sealed := (*core.PassphraseError)(nil); errors.As(err, &sealed) {
				w.askPassphrase(sealed) // privacy_seal.go
				return
			}
			if err != nil {
				showError(w.win, err)
				return
			}
			w.show(ws)
		})
	}()
}

// offerSafeCopy explains why a project was not opened and offers to copy
// its data, without the code it holds, into a new project beside it.
func (w *window) offerSafeCopy(e *storage.ForeignCodeError) {
	dst := core.SafeCopyPath(e.Path)
	list := e.Found
	if len(list) > 8 {
		list = append(append([]string{}, list[:8]...), i18n.T("and %d more", len(e.Found)-8))
	}
	msg := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("%[1]s holds SQL code that Marketbench did not write. "+
		"Opening it could run that code on this computer, so it was not opened:\n\n  • %[2]s"+
		"\n\nMarketbench can copy its tables and settings, without the code, into %[3]s beside it. The original is not changed.",
		filepath.Base(e.Path), strings.Join(list, "\n  • "), filepath.Base(dst))}
	d := dialog.NewCustomConfirm(i18n.T("This project was not opened"), i18n.T("Make a safe copy"), i18n.T("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		w.busy(i18n.T("Copying %s without its code…", filepath.Base(e.Path)), func(ctx context.Context, _ core.Progress) (*core.Workspace, error) {
			ws, _, err := core.SafeCopy(ctx, e.Path, dst)
			return ws, err
		})
	}, w.win)
	d.Resize(fyne.NewSize(600, 0))
	d.Show()
}

func (w *window) chooseOpen() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError(w.win, err)
			return
		}
		if r == nil {
			return
		}
		r.Close()
		w.open(r.URI().Path())
	}, w.win)
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{storage.Ext}))
	w.prepare(d)
	d.Show()
}

// chooseNew asks for a name and a folder. It does not use a file-save
// dialog: that dialog truncates an existing file it is pointed at, and a
// project file must never be lost that way; storage.Create refuses to
// overwrite instead.
func (w *window) chooseNew() {
	dir, _ := os.UserHomeDir()
	if w.proj != nil {
		dir = filepath.Dir(w.proj.ws.FilePath())
	}
	name := &widget.Entry{Text: i18n.T("Untitled")}
	name.ExtendBaseWidget(name)
	folder, row := w.folderRow(dir)
	items := []*widget.FormItem{
		{Text: i18n.T("Name"), Widget: name, HintText: i18n.T("the project file is called NAME%s", storage.Ext)},
		{Text: i18n.T("Folder"), Widget: row},
	}
	d := dialog.NewForm(i18n.T("New project"), i18n.T("Create"), i18n.T("Cancel"), items, func(ok bool) {
		if ok && strings.TrimSpace(name.Text) != "" {
			w.create(filepath.Join(folder.Text, safeFileName(strings.TrimSpace(name.Text))))
		}
	}, w.win)
	d.Resize(fyne.NewSize(560, 220))
	d.Show()
	w.win.Canvas().Focus(name)
}

// prepare sizes a file dialog to be usable and starts it in the folder of
// the open project (or the home folder).
func (w *window) prepare(d *dialog.FileDialog) {
	d.Resize(fyne.NewSize(860, 580))
	d.SetView(dialog.ListView) // whole file names, where the grid cuts them
	dir, _ := os.UserHomeDir()
	if w.proj != nil {
		dir = filepath.Dir(w.proj.ws.FilePath())
	}
	if l, err := fstorage.ListerForURI(fstorage.NewFileURI(dir)); err == nil {
		d.SetLocation(l)
	}
}

func samePath(a, b string) bool {
	a2, err1 := filepath.Abs(a)
	b2, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && a2 == b2
}

// showError shows an error in a dialog. Errors from core are already
// written for users, so the text is shown as it is (Fyne's own error
// dialog would capitalise it, turning "orders.csv" into "Orders.csv").
// Cancelling is not an error, so it gets a calm message.
func showError(win fyne.Window, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, core.ErrCancelled) {
		dialog.ShowInformation(i18n.T("Cancelled"), i18n.T("Cancelled; nothing was changed."), win)
		return
	}
	msg := &widget.Label{Text: i18n.Error(err), Wrapping: fyne.TextWrapWord, Selectable: true}
	body := container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil, msg)
	d := dialog.NewCustom(i18n.T("Could not finish"), i18n.T("OK"), body, win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}
