package ui

import (
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/assets"
	"github.com/marketbench/marketbench/assets/i18n"
)

// prefLanguage is the app preference holding the chosen language: "" (follow
// the system), "en" or "zh-Hans".
const prefLanguage = "language"

// applyLanguage sets the language from the app's preferences, for our texts
// and for Fyne's own (file dialogs, "Cancel" buttons), and makes sure
// Chinese can be drawn.
func applyLanguage(a fyne.App) {
	chosen := i18n.Use(a.Preferences().String(prefLanguage))
	useFyneLanguage(chosen)
	a.Settings().SetTheme(textTheme())
}

// useFyneLanguage switches the language of Fyne's own widgets. Fyne reads it
// from the environment (LANGUAGE wins over LANG unless the locale is C) and
// has no setter, so the variable is set and Fyne asked to look again, which
// adding a (here empty) translation does.
func useFyneLanguage(code string) {
	os.Setenv("LANGUAGE", map[string]string{i18n.Chinese: "zh_CN", i18n.English: "en"}[code])
	if os.Getenv("LC_ALL") == "C" || os.Getenv("LC_ALL") == "POSIX" {
		os.Unsetenv("LC_ALL")
	}
	_ = lang.AddTranslationsForLocale([]byte("{}"), fyne.Locale(code))
}

// cjkTheme is the default theme with the built-in CJK font in front for
// text. That font has no Latin letters, so Fyne draws those with the
// default font, which it keeps as the fallback; only Chinese, Japanese and
// Korean come from the built-in font.
type cjkTheme struct{ fyne.Theme }

var cjkResource = fyne.NewStaticResource("DroidSansFallbackFull.ttf", assets.CJKFont) // i18n:keep

func (t cjkTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	return cjkResource
}

// textTheme is the theme the app uses: the default one when the system
// has a CJK font (Fyne finds it by itself), else cjkTheme, so customer
// names such as 张伟 never show as boxes.
func textTheme() fyne.Theme {
	if chart.SystemCJKFont() {
		return theme.DefaultTheme()
	}
	return cjkTheme{theme.DefaultTheme()}
}

// languageSelect offers the languages; choosing one applies it at once.
func (w *window) languageSelect() *widget.Select {
	prefs := []string{"", i18n.English, i18n.Chinese}
	labels := []string{i18n.T("Follow the system"), "English", "简体中文"} // the languages' own names
	sel := widget.NewSelect(labels, nil)
	cur := w.app.Preferences().String(prefLanguage)
	for i, p := range prefs {
		if p == cur {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		i := sel.SelectedIndex()
		if i < 0 || prefs[i] == w.app.Preferences().String(prefLanguage) {
			return
		}
		w.app.Preferences().SetString(prefLanguage, prefs[i])
		w.relabel()
	}
	return sel
}

// relabel redraws the window in the language just chosen. The project's
// screens are built again on the same open project; running work would be
// cancelled by that, so with work running the change waits for it.
func (w *window) relabel() {
	applyLanguage(w.app)
	w.win.SetMainMenu(w.menu())
	p := w.proj
	if p == nil {
		w.showStart()
		return
	}
	if p.jobs.Load() > 0 {
		dialog.ShowInformation(i18n.T("Language"), i18n.T("The new language is applied when the running work has finished."), w.win)
		go func() {
			for p.jobs.Load() > 0 && p.ctx.Err() == nil {
				time.Sleep(100 * time.Millisecond)
			}
			do(func() {
				if w.proj == p {
					w.rebuild(p)
				}
			})
		}()
		return
	}
	w.rebuild(p)
}

// rebuild replaces the project's screens with new ones on the same
// workspace and returns to the settings screen.
func (w *window) rebuild(old *project) {
	old.cancel()
	w.proj = newProject(w, old.ws)
	w.win.SetTitle(i18n.T("Marketbench — %s", old.ws.Name()))
	w.win.SetContent(w.proj.content)
	w.win.SetMainMenu(w.menu()) // its Go menu switches the new screens
	w.proj.goTo(screenSettings)
}
