package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// How an export treats the people in it: the choice in every Export… form.
var (
	shareAsIs         = i18n.Mark("As they are")
	sharePseudonymous = i18n.Mark("Pseudonymised")
	shareAnonymous    = i18n.Mark("Anonymised")
	shareModes        = []string{shareAsIs, sharePseudonymous, shareAnonymous}
)

// shareForm is the part of the Export… form that protects the people in
// the file: the choice of As they are / Pseudonymised / Anonymised and the
// options of each, with the CLI's defaults (export --pseudonymise,
// --anonymise).
type shareForm struct {
	p      *project
	source string
	d      *dialog.FormDialog
	mode   *widget.RadioGroup
	box    *fyne.Container // the chosen mode's options

	keepLookup *widget.Check
	lookupNote *widget.Label

	cols      []storage.PrivateColumn
	colsErr   error
	k, l      *widget.Entry
	lRow      fyne.CanvasObject // l with its caption, shown with a sensitive column
	quasi     *widget.CheckGroup
	sensitive *widget.Select
	suppress  *widget.Check
	dropped   *widget.Label
}

// chooseShare asks where to write source and how to treat the people in it,
// then writes it. mode is the choice it starts with.
func (p *project) chooseShare(source, baseName, mode string) {
	f := &shareForm{p: p, source: source, box: container.NewVBox()}
	f.mode = widget.NewRadioGroup(translated(shareModes), func(string) { f.modeChanged() })
	f.mode.Horizontal = true
	f.mode.Required = true
	f.lookupNote = &widget.Label{Text: i18n.T("The lookup file turns pseudonyms back into people: it is personal data. It is written beside the export (NAME-lookup.csv), readable only by you; keep it apart from the export and delete it when it is no longer needed."),
		Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	f.lookupNote.Hide()
	f.keepLookup = widget.NewCheck(i18n.T("Also keep a lookup file (pseudonym → identifier)"), func(on bool) {
		showIf(f.lookupNote, on)
		f.fit()
	})
	f.k = &widget.Entry{Text: "5"}
	f.l = &widget.Entry{Text: "2"}
	f.quasi = widget.NewCheckGroup(nil, nil)
	f.quasi.Horizontal = true
	f.lRow = captioned(i18n.T("l (distinct values per group)"), fixedWidth(70, f.l))
	f.sensitive = widget.NewSelect(nil, func(string) { showIf(f.lRow, f.sensitive.SelectedIndex() > 0) })
	f.suppress = widget.NewCheck(i18n.T("Leave out the rows of groups that are too small (instead of writing nothing)"), nil)
	f.dropped = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	extra := []*widget.FormItem{
		{Text: i18n.T("People in the file"), Widget: f.mode},
		{Text: "", Widget: f.box},
	}
	f.d = p.w.chooseSaveFile(i18n.T("Export %s", baseName), baseName, storage.ExportFormats, extra, f.write)
	f.mode.SetSelected(i18n.T(mode))
	p.loadShareColumns(f)
}

func translated(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = i18n.T(s)
	}
	return out
}

// chosen is the English name of the selected mode.
func (f *shareForm) chosen() string {
	for _, m := range shareModes {
		if i18n.T(m) == f.mode.Selected {
			return m
		}
	}
	return shareAsIs
}

// loadShareColumns reads the source's columns for the anonymised options.
func (p *project) loadShareColumns(f *shareForm) {
	async(p, p.ctx, func(ctx context.Context) ([]storage.PrivateColumn, error) {
		return p.ws.PrivateColumns(ctx, f.source)
	}, func(cols []storage.PrivateColumn, err error) {
		f.cols, f.colsErr = cols, err
		var quasi, checked, sens, dropped []string
		sens = append(sens, i18n.T("None (no l-diversity check)"))
		for _, c := range cols {
			if c.Identifier {
				dropped = append(dropped, c.Name)
				continue
			}
			quasi = append(quasi, c.Name)
			sens = append(sens, c.Name)
			if c.Quasi {
				checked = append(checked, c.Name)
			}
		}
		f.quasi.Options = quasi
		f.quasi.Selected = checked
		f.quasi.Refresh()
		f.sensitive.Options = sens
		f.sensitive.SetSelectedIndex(0)
		if len(dropped) > 0 {
			f.dropped.SetText(i18n.T("Left out, as they name people: %s.", strings.Join(dropped, ", ")))
		} else {
			f.dropped.SetText(i18n.T("No column has a role that names people (customer id, e-mail, phone, name…); set roles in Data › Roles if some do."))
		}
		f.modeChanged()
	})
}

// modeChanged shows the options of the chosen mode and fits the dialog.
func (f *shareForm) modeChanged() {
	var objs []fyne.CanvasObject
	note := func(s string) fyne.CanvasObject {
		return &widget.Label{Text: s, Wrapping: fyne.TextWrapWord}
	}
	switch f.chosen() {
	case sharePseudonymous:
		objs = append(objs, note(i18n.T("Customer ids, e-mails, phones and names become pseudonyms (p_…) made with a key kept in the system keyring: the same person has the same pseudonym in every export of this project, so files still join. A pseudonymised file is still personal data.")),
			f.keepLookup, f.lookupNote)
	case shareAnonymous:
		if f.colsErr != nil {
			objs = append(objs, &widget.Label{Text: i18n.Error(f.colsErr), Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
			break
		}
		objs = append(objs, note(i18n.T("Columns that name people are left out; the quasi-identifiers below are coarsened (ages to 10-year bands, birth dates to the year, postcodes to 3 characters, rare values to \"other\"). Nothing is written unless every group of rows that share them has at least k rows.")),
			f.dropped,
			container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Quasi-identifiers")), nil, container.NewHScroll(f.quasi)),
			newFlow(captioned(i18n.T("k (smallest group)"), fixedWidth(70, f.k)),
				captioned(i18n.T("Sensitive column"), fixedWidth(250, f.sensitive)),
				f.lRow),
			f.suppress)
		showIf(f.lRow, f.sensitive.SelectedIndex() > 0)
	}
	f.box.Objects = objs
	f.box.Refresh()
	f.fit()
}

// fit sizes the dialog to the form, within the window.
func (f *shareForm) fit() {
	if f.d != nil {
		win := f.p.win.Canvas().Size()
		h := min(f.d.MinSize().Height+40, win.Height-20)
		f.d.Resize(fyne.NewSize(min(680, win.Width-20), max(h, 260)))
	}
}

// options reads the form into an export's options; ok is false for a
// plain export.
func (f *shareForm) options(path string) (o core.PrivateExport, ok bool, err error) {
	switch f.chosen() {
	case sharePseudonymous:
		o.Pseudonymise = true
		if f.keepLookup.Checked {
			o.Lookup = strings.TrimSuffix(path, filepath.Ext(path)) + "-lookup.csv"
		}
		return o, true, nil
	case shareAnonymous:
		o.Anonymise, o.Suppress = true, f.suppress.Checked
		if o.K, err = strconv.Atoi(strings.TrimSpace(f.k.Text)); err != nil || o.K < 2 {
			return o, true, i18n.Errorf("k must be a whole number of at least 2, such as 5")
		}
		if len(f.quasi.Selected) == 0 {
			return o, true, i18n.Errorf("tick at least one quasi-identifier: the columns someone could use to single a person out, such as city, age or postcode")
		}
		o.Quasi = append(o.Quasi, f.quasi.Selected...)
		if f.sensitive.SelectedIndex() > 0 {
			o.Sensitive = f.sensitive.Selected
			if o.L, err = strconv.Atoi(strings.TrimSpace(f.l.Text)); err != nil || o.L < 1 {
				return o, true, i18n.Errorf("l must be a whole number of at least 1, such as 2")
			}
		}
		return o, true, nil
	}
	return o, false, nil
}

// write exports to path as the form says.
func (f *shareForm) write(path string) {
	p := f.p
	o, private, err := f.options(path)
	if err != nil {
		p.showError(err)
		return
	}
	if !private {
		p.writeExport(path, func(ctx context.Context, path string) (int64, error) { return p.ws.Export(ctx, f.source, path) })
		return
	}
	var rep *storage.PrivateReport
	p.run(i18n.T("Exporting %s…", filepath.Base(path)), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Writing %s", filepath.Base(path)), -1)
		var err error
		rep, err = p.ws.ExportPrivate(ctx, f.source, path, o)
		return err
	}, func(err error) {
		var na *storage.NotAnonymousError
		switch {
		case errors.As(err, &na):
			showNotAnonymous(p.win, na, o)
		case err != nil:
			p.showError(err)
		default:
			p.setStatus(i18n.T("Exported %s rows to %s", i18n.Number(float64(rep.Rows)), path))
			showShareReport(p.win, path, rep, o)
		}
	})
}

// classGrid shows equivalence classes: their values, rows and (with a
// sensitive column) distinct values.
func classGrid(quasi []string, sensitive string, cs []storage.Class) fyne.CanvasObject {
	g := newGrid()
	cols := append(append([]string{}, quasi...), i18n.T("Rows"))
	types := make([]string, len(cols))
	types[len(cols)-1] = "BIGINT"
	if sensitive != "" {
		cols = append(cols, i18n.T("Distinct %s", sensitive))
		types = append(types, "BIGINT")
	}
	var rows [][]string
	for _, c := range cs {
		var r []string
		for _, q := range quasi {
			r = append(r, c.Values[q])
		}
		r = append(r, strconv.FormatInt(c.Rows, 10))
		if sensitive != "" {
			r = append(r, strconv.FormatInt(c.Distinct, 10))
		}
		rows = append(rows, r)
	}
	g.set(cols, types, rows)
	return container.NewGridWrap(fyne.NewSize(560, 41*float32(len(rows)+1)+4), g.table)
}

// showNotAnonymous explains a refusal: nothing was written, and the
// smallest groups, so the user sees what singles people out.
func showNotAnonymous(win fyne.Window, na *storage.NotAnonymousError, o core.PrivateExport) {
	var what string
	if na.Sensitive != "" {
		what = i18n.T("%d of %d groups of rows sharing %s have fewer than %d rows or fewer than %d distinct values of %s (%d rows in all).", na.Bad, na.All, strings.Join(na.Quasi, ", "), o.K, o.L, na.Sensitive, na.Rows)
	} else {
		what = i18n.T("%d of %d groups of rows sharing %s have fewer than %d rows (%d rows in all).", na.Bad, na.All, strings.Join(na.Quasi, ", "), o.K, na.Rows)
	}
	body := container.NewVBox(
		&widget.Label{Text: i18n.T("Nothing was written: someone could be singled out."), TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: what, Wrapping: fyne.TextWrapWord},
		widget.NewLabel(i18n.T("The smallest groups:")),
		classGrid(na.Quasi, na.Sensitive, na.Smallest),
		&widget.Label{Text: i18n.T("To export anyway, untick a quasi-identifier, lower k, or tick \"Leave out the rows of groups that are too small\"."), Wrapping: fyne.TextWrapWord},
	)
	d := dialog.NewCustom(i18n.T("Not anonymous enough"), i18n.T("OK"), container.NewVScroll(body), win)
	d.Resize(fyne.NewSize(min(640, win.Canvas().Size().Width-20), min(600, win.Canvas().Size().Height-20)))
	d.Show()
}

// showShareReport says what a private export wrote and what it guarantees.
func showShareReport(win fyne.Window, path string, rep *storage.PrivateReport, o core.PrivateExport) {
	lines := []string{i18n.T("Wrote %d rows to %s", rep.Rows, path)}
	if len(rep.Pseudonymised) > 0 {
		lines = append(lines, i18n.T("Pseudonymised: %s. The file is still personal data: whoever holds the key or the lookup file can tell who is who.", strings.Join(rep.Pseudonymised, ", ")))
	}
	if len(rep.Removed) > 0 {
		lines = append(lines, i18n.T("Left out: %s.", strings.Join(rep.Removed, ", ")))
	}
	body := container.NewVBox()
	for _, l := range lines {
		body.Add(&widget.Label{Text: l, Wrapping: fyne.TextWrapWord})
	}
	if o.Anonymise {
		var gen []string
		for _, q := range rep.Quasi {
			gen = append(gen, q+": "+rep.Generalised[q])
		}
		body.Add(&widget.Label{Text: i18n.T("Quasi-identifiers: %s", strings.Join(gen, "; ")), Wrapping: fyne.TextWrapWord})
		body.Add(&widget.Label{Text: i18n.T("Every one of the %d groups has at least %d rows (asked for %d).", rep.Classes, rep.K, o.K), Wrapping: fyne.TextWrapWord, Importance: widget.SuccessImportance})
		if rep.Sensitive != "" {
			body.Add(&widget.Label{Text: i18n.T("Every group has at least %d distinct values of %s (asked for %d).", rep.L, rep.Sensitive, o.L), Wrapping: fyne.TextWrapWord})
		}
		if rep.Dropped > 0 {
			body.Add(widget.NewLabel(i18n.T("Left out %d rows of groups that were too small.", rep.Dropped)))
		}
		if len(rep.Unchecked) > 0 {
			body.Add(&widget.Label{Text: i18n.T("Written as they are and not checked: %s. They look like quasi-identifiers; tick them to include them in the check.", strings.Join(rep.Unchecked, ", ")), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
		}
		body.Add(widget.NewLabel(i18n.T("The smallest groups:")))
		body.Add(classGrid(rep.Quasi, rep.Sensitive, rep.Smallest))
	}
	if rep.Lookup != "" {
		body.Add(&widget.Label{Text: i18n.T("Lookup file: %s. It is personal data: keep it apart from the export and delete it when no longer needed.", rep.Lookup), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
	}
	d := dialog.NewCustom(i18n.T("Exported"), i18n.T("OK"), container.NewVScroll(body), win)
	d.Resize(fyne.NewSize(min(640, win.Canvas().Size().Width-20), min(520, win.Canvas().Size().Height-20)))
	d.Show()
}

var tabShare = i18n.Mark("Share safely")

func init() {
	registerPrivacyTab(privacyTab{order: 20, name: tabShare,
		build: func(s *privacyScreen) fyne.CanvasObject {
			s.share = newShareView(s.p)
			return s.share.content
		},
		shown: func(s *privacyScreen) { s.share.shown() },
	})
}

// shareView is the Share safely tab: the three ways an export can treat
// people, and the Export… form for any table or segment.
type shareView struct {
	p       *project
	source  *widget.Select
	sources []string // "orders", "segment:NAME", by option
	content fyne.CanvasObject
}

func newShareView(p *project) *shareView {
	v := &shareView{p: p}
	v.source = widget.NewSelect(nil, nil)
	para := func(title, text string) fyne.CanvasObject {
		return container.NewVBox(&widget.Label{Text: title, TextStyle: fyne.TextStyle{Bold: true}}, &widget.Label{Text: text, Wrapping: fyne.TextWrapWord})
	}
	open := func(mode string) func() {
		return func() {
			i := v.source.SelectedIndex()
			if i < 0 {
				dialog.ShowInformation(i18n.T("Export"), i18n.T("Choose a table or segment first."), p.win)
				return
			}
			src := v.sources[i]
			p.chooseShare(src, safeFileName(strings.TrimPrefix(src, "segment:")), mode)
		}
	}
	buttons := newFlow(
		&widget.Button{Text: i18n.T("Export pseudonymised…"), Icon: theme.UploadIcon(), OnTapped: open(sharePseudonymous)},
		&widget.Button{Text: i18n.T("Export anonymised…"), Icon: theme.UploadIcon(), Importance: widget.HighImportance, OnTapped: open(shareAnonymous)},
	)
	v.content = container.NewVScroll(container.NewVBox(
		&widget.Label{Text: i18n.T("Before you send customer data to an agency, a colleague or a tool, take out what identifies people. Every Export… button in the app offers the same choice."), Wrapping: fyne.TextWrapWord},
		para(i18n.T(shareAnonymous), i18n.T("For analysis by others: names, e-mails, phones and ids are left out, ages, dates and postcodes are coarsened, and the file is written only if nobody can be singled out (every group of rows with the same city, age band… has at least k rows). The safest way to share, though no promise that nobody could ever be re-identified.")),
		para(i18n.T(sharePseudonymous), i18n.T("For a processor who must tell customers apart (a mailing house, a modelling partner): identifiers become pseudonyms that only this project's key, kept in your system keyring, can recompute. Still personal data.")),
		para(i18n.T(shareAsIs), i18n.T("The data as it is, for yourself.")),
		widget.NewSeparator(),
		newFlow(captioned(i18n.T("Table or segment"), fixedWidth(260, v.source))),
		buttons,
	))
	return v
}

// shown lists the tables and segments to export.
func (v *shareView) shown() {
	async(v.p, v.p.ctx, func(ctx context.Context) ([]string, error) {
		segs, err := v.p.ws.Segments(ctx)
		var names []string
		for _, s := range segs {
			names = append(names, s.Name)
		}
		return names, err
	}, func(segs []string, err error) {
		if err != nil {
			v.p.showError(err)
			return
		}
		prev := v.source.Selected
		v.sources, v.source.Options = nil, nil
		for _, t := range v.p.tables {
			v.sources = append(v.sources, t.Name)
			v.source.Options = append(v.source.Options, t.Name)
		}
		for _, s := range segs {
			v.sources = append(v.sources, "segment:"+s)
			v.source.Options = append(v.source.Options, i18n.T("Segment: %s", s))
		}
		v.source.Selected = ""
		if containsString(v.source.Options, prev) {
			v.source.Selected = prev
		} else if len(v.source.Options) > 0 {
			v.source.Selected = v.source.Options[0]
		}
		v.source.Refresh()
	})
}
