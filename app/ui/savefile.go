package ui

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

// chooseSaveFile asks for a file name, a format and a folder, plus any
// extra fields, and calls then with the path. It never opens the file:
// Fyne's save dialog truncates an existing file as soon as the user
// confirms, before the caller could refuse it. Replacing an existing file
// is confirmed here; writers replace files only once the new one is whole.
// It returns the dialog, for callers whose extra fields change its size.
func (w *window) chooseSaveFile(title, base string, exts []string, extra []*widget.FormItem, then func(path string)) *dialog.FormDialog {
	dir, _ := os.UserHomeDir()
	if w.proj != nil {
		dir = filepath.Dir(w.proj.ws.FilePath())
	}
	name := &widget.Entry{Text: base}
	name.ExtendBaseWidget(name)
	format := widget.NewSelect(exts, nil)
	format.SetSelected(exts[0])
	folder, row := w.folderRow(dir)
	items := append([]*widget.FormItem{
		{Text: i18n.T("Name"), Widget: name},
		{Text: i18n.T("Format"), Widget: format},
		{Text: i18n.T("Folder"), Widget: row},
	}, extra...)
	d := dialog.NewForm(title, i18n.T("Save"), i18n.T("Cancel"), items, func(ok bool) {
		n := strings.TrimSpace(name.Text)
		if !ok || n == "" {
			return
		}
		// A name typed with an extension: that extension picks the format.
		for _, e := range exts {
			if strings.HasSuffix(strings.ToLower(n), e) && len(n) > len(e) {
				n, format.Selected = n[:len(n)-len(e)], e
			}
		}
		path := filepath.Join(folder.Text, safeFileName(n)+format.Selected)
		if _, err := os.Stat(path); err == nil {
			dialog.ShowConfirm(i18n.T("Replace file?"), i18n.T("%s already exists in %s. Replace it?", filepath.Base(path), folder.Text),
				func(yes bool) {
					if yes {
						then(path)
					}
				}, w.win)
			return
		}
		then(path)
	}, w.win)
	d.Resize(fyne.NewSize(600, float32(200+45*len(extra))))
	d.Show()
	w.win.Canvas().Focus(name)
	return d
}

// folderRow shows a folder with a button to choose another; the label holds
// the choice.
func (w *window) folderRow(dir string) (*widget.Label, fyne.CanvasObject) {
	folder := &widget.Label{Text: dir, Truncation: fyne.TextTruncateEllipsis}
	pick := &widget.Button{Text: i18n.T("Choose…"), Icon: theme.FolderOpenIcon()}
	pick.OnTapped = func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				folder.SetText(l.Path())
			}
		}, w.win)
		w.prepare(d)
		d.Show()
	}
	return folder, container.NewBorder(nil, nil, nil, pick, folder)
}
