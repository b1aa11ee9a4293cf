package ui

import (
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

// website is where the documentation is when no copy is on this computer.
const website = "https://github.com/marketbench/marketbench"

// shortcutFind focuses the current screen's filter or query box.
var shortcutFind = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}

// goMenu switches screens (Ctrl+1 for the first) and finds (Ctrl+F). Menu
// shortcuts fire even while a box has the focus.
func (w *window) goMenu(p *project) *fyne.Menu {
	m := fyne.NewMenu(i18n.T("Go"))
	for i, s := range p.screens {
		it := &fyne.MenuItem{Label: i18n.T(s.name), Action: func() { p.nav.Select(i) }}
		if s.key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: s.key, Modifier: fyne.KeyModifierShortcutDefault}
		}
		m.Items = append(m.Items, it)
	}
	m.Items = append(m.Items, fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: i18n.T("Find"), Shortcut: shortcutFind, Action: p.find},
		&fyne.MenuItem{Label: i18n.T("Ask the data…"), Shortcut: shortcutAsk, Action: func() { p.openAsk() }})
	return m
}

// find focuses the search box of the screen on show: the row filter or the
// SQL box on the Data screen, the rule on the rule builder.
func (p *project) find() {
	var box fyne.Focusable
	switch p.body.Objects[0] {
	case p.data.content:
		if p.data.tabs.SelectedIndex() == 4 {
			box = p.data.sql.query
		} else {
			p.data.tabs.SelectIndex(0)
			box = p.data.rows.filterIn
		}
	case p.segments.content:
		p.segments.tabs.SelectIndex(1)
		box = p.segments.rules.text
	case p.products.content:
		p.products.tabs.Select(p.products.rulesTab)
		box = p.products.rules.filter
	}
	if box == nil {
		p.setStatus(i18n.T("This screen has no search box; Ctrl+F works on Data, Segments and Products."))
		return
	}
	p.win.Canvas().Focus(box)
}

// helpMenu opens the documentation, lists the shortcuts, shows the welcome
// again and says which version this is.
func (w *window) helpMenu() *fyne.Menu {
	return fyne.NewMenu(i18n.T("Help"),
		fyne.NewMenuItem(i18n.T("Documentation"), w.openDocs),
		fyne.NewMenuItem(i18n.T("Keyboard shortcuts"), w.showShortcuts),
		fyne.NewMenuItem(i18n.T("Welcome and tour…"), w.showWelcome),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(i18n.T("About Marketbench"), w.showAbout),
	)
}

// docsReadme finds README.md with its docs folder beside the program or
// the current folder, or a folder above them: a source checkout or an
// unpacked release.
func docsReadme() string {
	var starts []string
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for range 5 {
			readme := filepath.Join(dir, "README.md")
			if st, err := os.Stat(filepath.Join(dir, "docs")); err == nil && st.IsDir() {
				if _, err := os.Stat(readme); err == nil {
					return readme
				}
			}
			dir = filepath.Dir(dir)
		}
	}
	return ""
}

// openDocs opens the README in the browser, or says where it is.
func (w *window) openDocs() {
	if readme := docsReadme(); readme != "" {
		u := &url.URL{Scheme: "file", Path: filepath.ToSlash(readme)}
		if err := w.app.OpenURL(u); err == nil {
			w.say(i18n.T("Opened %s; the other guides are in %s.", readme, filepath.Join(filepath.Dir(readme), "docs")))
			return
		}
	}
	msg := &widget.Label{Text: i18n.T("The guides are README.md and the docs folder of Marketbench's source, also at %s.", website),
		Wrapping: fyne.TextWrapWord, Selectable: true}
	d := dialog.NewCustom(i18n.T("Documentation"), i18n.T("Close"), msg, w.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	onEscape(w.win, d.Hide)
}

// say puts a note in the status line when a project is open.
func (w *window) say(s string) {
	if w.proj != nil {
		w.proj.setStatus(s)
	}
}

// keyName is how the shortcut modifier is written on this system.
func keyName() string {
	if runtime.GOOS == "darwin" {
		return "⌘"
	}
	return "Ctrl+" // i18n:keep
}

// shortcuts are the keyboard shortcuts, for the list in the Help menu.
func shortcuts() [][2]string {
	k := keyName()
	return [][2]string{
		{k + "N", i18n.T("New project")},
		{k + "O", i18n.T("Open project")},
		{k + "I", i18n.T("Import a file")},
		{k + "E", i18n.T("Export the selected table")},
		{k + "1 … " + k + "9", i18n.T("Go to Data, Segments, Products, Models, Customer value, Campaigns, Text, Plugins, Settings")},
		{k + "0", i18n.T("Go to Journeys")},
		{k + "F", i18n.T("Find: the row filter (Data), the rule (Segments) or the rules filter (Products)")},
		{k + "K", i18n.T("Ask the data a question in words")},
		{k + "Enter", i18n.T("Run the SQL query")},
		{"Esc", i18n.T("Close the dialog on top")}, // i18n:keep
	}
}

func (w *window) showShortcuts() {
	// A form: the keys take their width and the words the rest, so the
	// list stays short enough for a small window.
	form := container.New(layout.NewFormLayout())
	for _, s := range shortcuts() {
		form.Add(&widget.Label{Text: s[0], TextStyle: fyne.TextStyle{Monospace: true}})
		form.Add(&widget.Label{Text: s[1], Wrapping: fyne.TextWrapWord})
	}
	d := dialog.NewCustom(i18n.T("Keyboard shortcuts"), i18n.T("Close"), form, w.win)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
	onEscape(w.win, d.Hide)
}

// version says which build this is: the packaged version, else the
// module version and commit the Go toolchain recorded.
func version(a fyne.App) string {
	if v := a.Metadata().Version; v != "" && v != "0.0.1" {
		return v
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return i18n.T("unknown")
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	if v == "(devel)" {
		return i18n.T("development build")
	}
	return strings.TrimPrefix(v, "(devel) ")
}

func (w *window) showAbout() {
	text := i18n.T("Marketbench %s\nAn offline marketing analytics workbench.\n\nBuilt with Go %s, Fyne and DuckDB.\n%s",
		version(w.app), strings.TrimPrefix(runtime.Version(), "go"), website)
	msg := &widget.Label{Text: text, Wrapping: fyne.TextWrapWord, Selectable: true}
	d := dialog.NewCustom(i18n.T("About Marketbench"), i18n.T("Close"), msg, w.win)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	onEscape(w.win, d.Hide)
}

// prefWelcome is set once the user has seen the welcome and asked not to
// see it again.
const prefWelcome = "welcome.done"

// welcomeOnce shows the welcome on a user's first start.
func (w *window) welcomeOnce() {
	if !w.app.Preferences().Bool(prefWelcome) {
		w.showWelcome()
	}
}

// showWelcome offers the three ways in: the demo, your own file, a tour.
func (w *window) showWelcome() {
	var d *dialog.CustomDialog
	again := widget.NewCheck(i18n.T("Don't show this at start again"), nil)
	again.SetChecked(true)
	pick := func(f func()) func() {
		return func() {
			w.app.Preferences().SetBool(prefWelcome, again.Checked)
			d.Hide()
			f()
		}
	}
	intro := &widget.Label{Text: i18n.T("Marketbench keeps your customer and order data in one project file on this computer. " +
		"Start with the demo shop, bring your own file, or take a one-minute tour of the screens."), Wrapping: fyne.TextWrapWord}
	demo := &widget.Button{Text: i18n.T("Open the demo project"), Importance: widget.HighImportance, OnTapped: pick(w.openDemo)}
	own := &widget.Button{Text: i18n.T("Import your first file…"), OnTapped: pick(w.importFirst)}
	tour := &widget.Button{Text: i18n.T("Take the tour"), OnTapped: pick(w.showTour)}
	body := container.NewVBox(intro, container.NewGridWithColumns(3, demo, own, tour), again)
	d = dialog.NewCustomWithoutButtons(i18n.T("Welcome to Marketbench"), body, w.win)
	d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Close"), OnTapped: pick(func() {})}})
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
	onEscape(w.win, pick(func() {}))
}

// importFirst imports into the open project, or first makes one.
func (w *window) importFirst() {
	if w.proj != nil {
		w.proj.chooseImport()
		return
	}
	w.afterOpen = func(p *project) { p.chooseImport() }
	w.chooseNew()
}

// tourSteps say in a sentence what each screen is for, in navigation order.
var tourSteps = []string{
	i18n.Mark("Data: your imported tables. Look through rows, see a profile of each column, give columns their roles, clean them, or ask with SQL."),
	i18n.Mark("Segments: score customers by recency, frequency and money (RFM), and build your own segments from rules, with a live count."),
	i18n.Mark("Products: best sellers, products bought together, similar products and each customer's recommendations with reasons, and how well they predict the next purchase."),
	i18n.Mark("Models: predict who will churn, buy again or be worth the most, see how good a model is, and group customers into clusters."),
	i18n.Mark("Customer value: what each customer is worth (lifetime value), whom a message changes (uplift) and which action suits whom within a budget, each ready to use as a segment."),
	i18n.Mark("Campaigns: send to a segment with A/B variants and a holdout through a channel plugin, then import the results and read them."),
	i18n.Mark("Journeys: messages that go out by themselves when something happens (a first order, a customer slipping into a segment, a birthday), step by step, with live counts and a holdout."),
	i18n.Mark("Text: sentiment and keywords of reviews and other free text, and classifiers for your own labels."),
	i18n.Mark("Plugins: channels (email, webhooks) and other add-ons, each approved by you before it runs."),
	i18n.Mark("Privacy: find the personal data in the project, export it pseudonymised or anonymised, erase a person, keep data no longer than needed, the history of consent, the record of processing and sealing the file."),
	i18n.Mark("Settings: the project's file and currency, the language, the local writing assistant and the audit log of every change."),
}

// showTour pages through the screens, switching to each when a project is
// open so the words sit beside the screen they describe.
func (w *window) showTour() {
	step := 0
	text := &widget.Label{Wrapping: fyne.TextWrapWord}
	count := widget.NewLabel("")
	var d *dialog.CustomDialog
	var back, next *widget.Button
	show := func() {
		text.SetText(i18n.T(tourSteps[step]))
		count.SetText(i18n.T("Step %d of %d", step+1, len(tourSteps)))
		enable(back, step > 0)
		if step == len(tourSteps)-1 {
			next.SetText(i18n.T("Done"))
		} else {
			next.SetText(i18n.T("Next"))
		}
		if w.proj != nil && step < len(w.proj.screens) {
			w.proj.nav.Select(step)
		}
	}
	back = &widget.Button{Text: i18n.T("Back"), OnTapped: func() { step--; show() }}
	next = &widget.Button{Text: i18n.T("Next"), Importance: widget.HighImportance, OnTapped: func() {
		if step == len(tourSteps)-1 {
			d.Hide()
			return
		}
		step++
		show()
	}}
	d = dialog.NewCustomWithoutButtons(i18n.T("A tour of Marketbench"), container.NewVBox(text, count), w.win)
	d.SetButtons([]fyne.CanvasObject{back, next})
	show()
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	onEscape(w.win, d.Hide)
}
