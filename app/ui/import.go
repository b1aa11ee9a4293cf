package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// importExts are the file types offered by the import file dialog;
// DuckDB reads gzip-compressed CSV itself.
var importExts = []string{".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".xlsx", ".parquet", ".json", ".ndjson", ".jsonl"}

// suffixFilter shows files whose names end in one of its suffixes. Fyne's
// extension filter compares only the last extension, so it cannot tell
// orders.csv.gz from any other .gz file.
type suffixFilter []string

func (f suffixFilter) Matches(u fyne.URI) bool {
	name := strings.ToLower(u.Name())
	for _, s := range f {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// delimiters maps what the delimiter select shows (through i18n.T) to the
// character.
var delimiters = []struct{ label, char string }{
	{i18n.Mark("comma ,"), ","}, {i18n.Mark("semicolon ;"), ";"}, {i18n.Mark("tab"), "\t"}, {i18n.Mark("pipe |"), "|"},
}

func delimiterLabel(c string) string {
	for _, d := range delimiters {
		if d.char == c {
			return i18n.T(d.label)
		}
	}
	return c
}

// importModes are what to do when the table exists, with the words the
// radio group shows (through i18n.T); the modes are identifiers.
var importModes = []struct {
	mode  ingest.Mode
	label string
}{
	{ingest.Create, i18n.Mark("create")}, {ingest.Append, i18n.Mark("append")}, {ingest.Replace, i18n.Mark("replace")},
}

func modeLabel(m ingest.Mode) string {
	for _, x := range importModes {
		if x.mode == m {
			return i18n.T(x.label)
		}
	}
	return string(m)
}

func modeFromLabel(s string) ingest.Mode {
	for _, x := range importModes {
		if i18n.T(x.label) == s {
			return x.mode
		}
	}
	return ingest.Mode(s)
}

// chooseImport asks which file to import: a path typed or pasted into the
// box, or one picked with Browse.
func (p *project) chooseImport() {
	path := newEscapeEntry(p.win)
	path.PlaceHolder = i18n.T("Type or paste the path of a file")
	msg := &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	msg.Hide()
	var d *dialog.CustomDialog
	openIt := func() {
		f := strings.TrimSpace(path.Text)
		if home, err := os.UserHomeDir(); err == nil && strings.HasPrefix(f, "~"+string(filepath.Separator)) {
			f = filepath.Join(home, f[2:])
		}
		if st, err := os.Stat(f); f == "" || err != nil || st.IsDir() {
			switch {
			case f == "":
				msg.SetText(i18n.T("Type the path of a file, or choose Browse."))
			case err != nil:
				msg.SetText(i18n.T("There is no file %s.", f))
			default:
				msg.SetText(i18n.T("%s is a folder. Choose a file in it with Browse.", f))
			}
			msg.Show()
			return
		}
		d.Hide()
		p.showImport(f)
	}
	path.OnSubmitted = func(string) { openIt() }
	browse := &widget.Button{Text: i18n.T("Browse…"), Icon: theme.FolderOpenIcon(), OnTapped: func() {
		p.pickFile(suffixFilter(importExts), func(f string) {
			path.SetText(f)
			openIt()
		})
	}}
	kinds := &widget.Label{Text: i18n.T("CSV or TSV (also compressed, .csv.gz), Excel (.xlsx), Parquet or JSON."),
		Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	body := container.NewVBox(container.NewBorder(nil, nil, nil, browse, path), kinds, msg)
	d = dialog.NewCustomWithoutButtons(i18n.T("Import a file"), body, p.win)
	d.SetButtons([]fyne.CanvasObject{
		&widget.Button{Text: i18n.T("Cancel"), Icon: theme.CancelIcon(), OnTapped: d.Hide},
		&widget.Button{Text: i18n.T("Open"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: openIt},
	})
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
	onEscape(p.win, d.Hide)
	p.win.Canvas().Focus(path)
}

// pickFile asks for a file with Fyne's file dialog, showing those filter
// matches.
func (p *project) pickFile(filter fstorage.FileFilter, picked func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.showError(err)
			return
		}
		if r == nil {
			return
		}
		r.Close()
		picked(r.URI().Path())
	}, p.win)
	d.SetFilter(filter)
	p.w.prepare(d)
	d.Show()
}

// importDialog previews a file the way it would be imported and lets the
// user correct what detection got wrong before anything is written.
type importDialog struct {
	p    *project
	path string
	opt  ingest.Options // the user's choices; zero values mean "detect"
	pv   *ingest.Preview

	roles      map[string]storage.Role // chosen role per column, kept across re-previews
	nameEdited bool
	encChosen  bool // the user chose the encoding: detection no longer asks
	filling    bool // widgets are being set from a preview: ignore their callbacks
	req        latest
	cancelRun  context.CancelFunc // non-nil while importing

	d            *dialog.CustomDialog
	fileLbl      *widget.Label
	formatLbl    *widget.Label
	encoding     *widget.Select
	encChoice    *fyne.Container // the candidate readings side by side when the encoding is uncertain
	delimiter    *widget.Select
	sheet        *widget.Select
	header       *widget.Check
	decimalComma *widget.Check
	table        *widget.Entry
	mode         *widget.RadioGroup
	skipBad      *widget.Check
	prior        *widget.Label
	rows         *grid
	roleForm     *fyne.Container
	stage        *widget.Label
	bar          *widget.ProgressBar
	inf          *widget.ProgressBarInfinite
	importBtn    *widget.Button
	closeBtn     *widget.Button
}

func (p *project) showImport(path string) *importDialog {
	d := &importDialog{p: p, path: path, rows: newGrid(), roles: map[string]storage.Role{}}
	d.fileLbl = &widget.Label{Text: path, Wrapping: fyne.TextWrapBreak} // the whole path, on two lines if need be
	d.formatLbl = widget.NewLabel("")
	d.encoding = widget.NewSelect(ingest.Encodings, func(s string) {
		d.opt.Encoding = s
		if !d.filling {
			d.encChosen = true
		}
		d.repreview()
	})
	d.encChoice = container.NewVBox()
	d.encChoice.Hide()
	var labels []string
	for _, dl := range delimiters {
		labels = append(labels, i18n.T(dl.label))
	}
	d.delimiter = widget.NewSelect(labels, func(s string) {
		for _, dl := range delimiters {
			if i18n.T(dl.label) == s {
				d.opt.Delimiter = dl.char
			}
		}
		d.repreview()
	})
	d.sheet = widget.NewSelect(nil, func(s string) {
		d.opt.Sheet = s
		d.repreview()
	})
	d.sheet.PlaceHolder = i18n.T("Excel files only")
	d.header = widget.NewCheck(i18n.T("First row is a header"), func(b bool) {
		d.opt.Header = &b
		d.repreview()
	})
	d.decimalComma = widget.NewCheck(i18n.T("Decimal comma (1.234,56)"), func(b bool) {
		d.opt.DecimalComma = &b
		d.repreview()
	})
	d.table = &widget.Entry{OnChanged: func(string) {
		if !d.filling {
			d.nameEdited = true
			d.updateMode()
		}
	}}
	d.table.ExtendBaseWidget(d.table)
	d.mode = widget.NewRadioGroup([]string{modeLabel(ingest.Create), modeLabel(ingest.Append), modeLabel(ingest.Replace)}, nil)
	d.mode.Horizontal = true
	d.mode.Required = true
	d.skipBad = widget.NewCheck(i18n.T("Skip bad rows (keep them in a reject table)"), nil)
	d.prior = &widget.Label{Importance: widget.WarningImportance, Wrapping: fyne.TextWrapWord}
	d.prior.Hide()
	d.roleForm = container.NewGridWithColumns(4)

	d.stage = widget.NewLabel(i18n.T("Reading the start of the file…"))
	d.bar = widget.NewProgressBar()
	d.inf = widget.NewProgressBarInfinite()
	d.bar.Hide()
	d.inf.Hide()
	d.importBtn = &widget.Button{Text: i18n.T("Import"), Icon: theme.DownloadIcon(), Importance: widget.HighImportance, OnTapped: d.confirm}
	d.importBtn.Disable()
	d.closeBtn = &widget.Button{Text: i18n.T("Cancel"), Icon: theme.CancelIcon(), OnTapped: d.cancel}

	settings := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("File")), d.formatLbl, d.fileLbl),
		container.NewGridWithColumns(3,
			labeled(i18n.T("Encoding"), d.encoding), labeled(i18n.T("Delimiter"), d.delimiter), labeled(i18n.T("Sheet"), d.sheet)),
		d.encChoice,
		container.NewHBox(d.header, d.decimalComma, d.skipBad),
		container.NewGridWithColumns(2, labeled(i18n.T("Table"), d.table), labeled(i18n.T("If the table exists"), d.mode)),
		d.prior,
	)
	tabs := container.NewAppTabs(
		container.NewTabItem(i18n.T("First rows"), d.rows.table),
		// The VBox keeps the grid at its natural row height inside the scroll.
		container.NewTabItem(i18n.T("Column roles"), container.NewVScroll(container.NewVBox(d.roleForm))),
	)
	progress := container.NewBorder(nil, nil, nil, container.NewHBox(d.closeBtn, d.importBtn),
		container.NewVBox(d.stage, container.NewStack(d.bar, d.inf)))
	body := container.NewBorder(settings, progress, nil, nil, tabs)

	d.d = dialog.NewCustomWithoutButtons(i18n.T("Import %s", filepath.Base(path)), body, p.win)
	d.d.Resize(fyne.NewSize(1040, 700))
	d.d.Show()
	onEscape(p.win, d.cancel)
	d.repreview()
	return d
}

// labeled puts a caption to the left of a widget.
func labeled(caption string, w fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel(caption), nil, w)
}

// repreview reads the file again with the current choices.
func (d *importDialog) repreview() {
	if d.filling || d.cancelRun != nil {
		return
	}
	opt := d.opt
	opt.Table = ""
	if !d.encChosen {
		opt.Encoding = "" // detect again, so an uncertain encoding is still asked about
	}
	d.stage.SetText(i18n.T("Reading the start of the file…"))
	d.importBtn.Disable()
	ctx := d.req.start(d.p.ctx)
	async(d.p, ctx, func(ctx context.Context) (*ingest.Preview, error) {
		return d.p.ws.Preview(ctx, d.path, opt)
	}, func(pv *ingest.Preview, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.stage.SetText(i18n.T("This file cannot be read with these settings: %s", i18n.Error(err)))
			d.rows.clear()
			return
		}
		d.fill(pv)
	})
}

// fill shows a preview, keeping the user's table name and roles.
func (d *importDialog) fill(pv *ingest.Preview) {
	d.pv = pv
	d.filling = true
	defer func() { d.filling = false }()

	d.formatLbl.SetText(strings.ToUpper(string(pv.Format)) + ", " + sizeText(pv.Size))
	isCSV := pv.Format == ingest.CSV
	enable(d.encoding, isCSV)
	enable(d.delimiter, isCSV)
	enable(d.header, isCSV)
	enable(d.decimalComma, isCSV)
	d.encoding.SetSelected(pv.Encoding)
	d.delimiter.SetSelected(delimiterLabel(pv.Delimiter))
	d.header.SetChecked(pv.Header)
	d.decimalComma.SetChecked(pv.DecimalComma)
	d.sheet.Options = pv.Sheets
	d.sheet.SetSelected(pv.Sheet)
	enable(d.sheet, len(pv.Sheets) > 0)
	if !d.nameEdited {
		d.table.SetText(pv.Table)
	}
	d.updateMode()

	if pv.Previous != nil {
		d.prior.SetText(i18n.T("This exact file was already imported on %s into %q (%s rows).",
			i18n.DateTime(pv.Previous.At.Local()), pv.Previous.Table, i18n.Number(float64(pv.Previous.Rows))))
		d.prior.Show()
	} else {
		d.prior.Hide()
	}

	var names, types []string
	for _, c := range pv.Columns {
		names = append(names, c.Name)
		types = append(types, c.Type)
	}
	d.rows.set(names, types, pv.Rows)

	d.roleForm.Objects = nil
	for _, h := range []string{i18n.T("Column"), i18n.T("Type"), i18n.T("Role"), i18n.T("First value")} {
		d.roleForm.Add(&widget.Label{Text: h, TextStyle: fyne.TextStyle{Bold: true}})
	}
	for i, c := range pv.Columns {
		role, ok := d.roles[c.Name]
		if !ok {
			role = pv.Roles[c.Name]
			d.roles[c.Name] = role
		}
		sel := widget.NewSelect(roleOptions(), func(s string) { d.roles[c.Name] = roleFromOption(s) })
		sel.Selected = roleOption(role)
		first := ""
		if len(pv.Rows) > 0 && i < len(pv.Rows[0]) {
			first = pv.Rows[0][i]
		}
		d.roleForm.Add(&widget.Label{Text: c.Name, Truncation: fyne.TextTruncateEllipsis})
		d.roleForm.Add(widget.NewLabel(typeName(c.Type)))
		d.roleForm.Add(sel)
		d.roleForm.Add(&widget.Label{Text: first, Truncation: fyne.TextTruncateEllipsis})
	}
	d.roleForm.Refresh()
	if d.showEncodingChoice(pv) {
		d.stage.SetText(i18n.T("The text encoding is uncertain: choose the reading that looks right."))
		d.importBtn.Disable()
		return
	}
	d.stage.SetText(i18n.T("%d columns. Check the settings, the first rows and the column roles, then Import.", len(pv.Columns)))
	d.importBtn.Enable()
}

// showEncodingChoice shows the file's first lines as read in each candidate
// encoding, side by side, when detection is not sure; it reports whether it
// asks.
func (d *importDialog) showEncodingChoice(pv *ingest.Preview) bool {
	d.encChoice.Objects = nil
	if d.encChosen || len(pv.EncodingCandidates) == 0 {
		d.encChoice.Hide()
		return false
	}
	cols := container.NewGridWithColumns(len(pv.EncodingCandidates))
	for _, c := range pv.EncodingCandidates {
		enc := c.Encoding
		lines := c.Sample
		if len(lines) > 5 {
			lines = lines[:5]
		}
		sample := &widget.Label{Text: strings.Join(lines, "\n"), TextStyle: fyne.TextStyle{Monospace: true}, Truncation: fyne.TextTruncateEllipsis}
		use := &widget.Button{Text: i18n.T("Use %s", enc), OnTapped: func() {
			d.encChosen, d.opt.Encoding = true, enc
			d.filling = true // no re-preview from the select's callback: one below
			d.encoding.SetSelected(enc)
			d.filling = false
			d.repreview()
		}}
		cols.Add(container.NewBorder(&widget.Label{Text: i18n.T("Read as %s", enc), TextStyle: fyne.TextStyle{Bold: true}}, use, nil, nil, sample))
	}
	d.encChoice.Add(&widget.Label{Text: i18n.T("The file could be in more than one text encoding. Which reading is right?"), Importance: widget.WarningImportance})
	d.encChoice.Add(cols)
	d.encChoice.Show()
	d.encChoice.Refresh()
	return true
}

// updateMode offers append and replace only when the table exists.
func (d *importDialog) updateMode() {
	name := strings.TrimSpace(d.table.Text)
	exists := d.p.tableExists(name) || (d.pv != nil && d.pv.TableExists && strings.EqualFold(name, d.pv.Table))
	if exists {
		d.mode.Enable()
		if d.mode.Selected == "" || d.mode.Selected == modeLabel(ingest.Create) {
			d.mode.SetSelected(modeLabel(ingest.Append))
		}
	} else {
		d.mode.SetSelected(modeLabel(ingest.Create))
		d.mode.Disable()
	}
}

type enabler interface {
	Enable()
	Disable()
}

func enable(w enabler, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// confirm asks before importing a file that was imported before.
func (d *importDialog) confirm() {
	if strings.TrimSpace(d.table.Text) == "" {
		d.stage.SetText(i18n.T("Give the table a name."))
		d.p.win.Canvas().Focus(d.table)
		return
	}
	if prev := d.pv.Previous; prev != nil {
		dialog.ShowConfirm(i18n.T("Import again?"), i18n.T("This file was already imported on %s into %q. Import it again?",
			i18n.DateTime(prev.At.Local()), prev.Table), func(ok bool) {
			if ok {
				d.start(true)
			}
		}, d.p.win)
		return
	}
	d.start(false)
}

// start runs the import in the background with a progress bar; Cancel
// stops it and the project stays as it was.
func (d *importDialog) start(force bool) {
	pv := d.pv
	header, comma := pv.Header, pv.DecimalComma
	roles := map[string]storage.Role{}
	for _, c := range pv.Columns {
		roles[c.Name] = d.roles[c.Name]
	}
	opt := ingest.Options{
		Table: strings.TrimSpace(d.table.Text), Format: pv.Format, Encoding: pv.Encoding, Delimiter: pv.Delimiter,
		Header: &header, DecimalComma: &comma, Sheet: pv.Sheet, SkipBadRows: d.skipBad.Checked,
		Mode: modeFromLabel(d.mode.Selected), Force: force, Roles: roles,
	}
	opt.Progress = func(stage string, frac float64) {
		do(func() {
			if d.cancelRun == nil {
				return
			}
			if stage != "" {
				d.stage.SetText(stage)
			}
			if frac < 0 {
				d.bar.Hide()
				d.inf.Show()
				d.inf.Start()
				return
			}
			d.inf.Hide()
			d.inf.Stop()
			d.bar.Show()
			d.bar.SetValue(frac)
		})
	}
	ctx, cancel := context.WithCancel(d.p.ctx)
	d.cancelRun = cancel
	d.importBtn.Disable()
	d.stage.SetText(i18n.T("Importing…"))
	d.inf.Show()
	d.inf.Start()
	async(d.p, ctx, func(ctx context.Context) (*ingest.Result, error) {
		return d.p.ws.Import(ctx, d.path, opt)
	}, func(res *ingest.Result, err error) {
		cancel()
		d.cancelRun = nil
		d.inf.Stop()
		d.inf.Hide()
		d.bar.Hide()
		d.importBtn.Enable()
		switch {
		case errors.Is(err, context.Canceled):
			d.stage.SetText(i18n.T("Import cancelled; nothing was changed."))
		case errors.Is(err, ingest.ErrDuplicate) && !force:
			d.stage.SetText(i18n.Error(err))
			dialog.ShowConfirm(i18n.T("Import again?"), i18n.T("%s. Import it again?", i18n.Error(err)), func(ok bool) {
				if ok {
					d.start(true)
				}
			}, d.p.win)
		case err != nil:
			d.stage.SetText(i18n.T("The import did not happen; nothing was changed."))
			d.p.showError(err)
		default:
			d.finish(res)
		}
	})
}

// finish closes the dialog and says what the import did.
func (d *importDialog) finish(res *ingest.Result) {
	d.d.Hide()
	n := i18n.Number(float64(res.Rows))
	msg := i18n.T("Imported %s rows into %q, a new table.", n, res.Table)
	switch res.Mode {
	case ingest.Append:
		msg = i18n.T("Imported %s rows into %q, after the rows it had.", n, res.Table)
	case ingest.Replace:
		msg = i18n.T("Imported %s rows into %q, in place of the rows it had.", n, res.Table)
	}
	if res.Rejected > 0 {
		msg += "\n\n" + i18n.T("%s rows could not be read and were skipped. They are kept in the table %q so you can see why.",
			i18n.Number(float64(res.Rejected)), res.RejectTable)
	}
	for from, to := range res.Renamed {
		msg += "\n\n" + i18n.T("The column %q is now called %q: the name rowid is reserved for the database's own row numbers.", from, to)
	}
	d.p.setStatus(strings.ReplaceAll(msg, "\n\n", " "))
	dialog.ShowInformation(i18n.T("Import finished"), msg, d.p.win)
	d.p.goTo("Data")
	d.p.refreshTables(res.Table)
}

// cancel stops a running import, or closes the dialog.
func (d *importDialog) cancel() {
	if d.cancelRun != nil {
		d.cancelRun()
		d.stage.SetText(i18n.T("Cancelling…"))
		return
	}
	d.req.stop()
	d.d.Hide()
}

// sizeText formats a file size for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return i18n.T("%d bytes", n)
}
